"""AirflowClient against a scripted local HTTP server: how its calls survive Airflow's transient server errors."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from converters.runtime import airflow_api
from converters.runtime.airflow_api import AirflowClient
from converters.runtime.errors import AirflowApiError

RUN = {"dag_run_id": "manual__1", "logical_date": "2024-01-15T00:00:00+00:00", "state": "queued"}


class Scripted(BaseHTTPRequestHandler):
    """Answers each POST (PATCH) with the next (status, body) of ``posts`` (``patches``); GET of the runs lists
    ``runs``."""

    posts: list[tuple[int, dict]] = []
    patches: list[tuple[int, dict]] = []
    runs: list[dict] = []
    calls: list[str] = []

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        self.calls.append("POST")
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._answer(*self.posts.pop(0))

    def do_PATCH(self) -> None:
        self.calls.append("PATCH")
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._answer(*self.patches.pop(0))

    def do_GET(self) -> None:
        self.calls.append("GET")
        self._answer(200, {"dag_runs": self.runs, "total_entries": len(self.runs)})

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def airflow(monkeypatch) -> Iterator[AirflowClient]:
    monkeypatch.setattr(airflow_api.time, "sleep", lambda seconds: None)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    Scripted.calls = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield AirflowClient(f"http://127.0.0.1:{server.server_port}", 2, "admin", "admin", timeout=5)
    finally:
        server.shutdown()
        server.server_close()


LOCKED = (500, {"title": "Internal Server Error", "detail": "(sqlite3.OperationalError) database is locked"})


def test_a_trigger_answered_database_is_locked_is_tried_again(airflow: AirflowClient):
    Scripted.posts, Scripted.runs = [LOCKED, (200, RUN)], []
    assert airflow.trigger("daily", "2024-01-15T00:00:00+00:00") == RUN
    assert Scripted.calls == ["POST", "POST"]


def test_a_retried_trigger_whose_failed_try_made_the_run_returns_that_run(airflow: AirflowClient):
    conflict = (409, {"title": "Conflict", "detail": "DAGRun with logical date already exists"})
    Scripted.posts, Scripted.runs = [LOCKED, conflict], [{**RUN, "logical_date": "2024-01-15T00:00:00Z"}]
    assert airflow.trigger("daily", "2024-01-15T00:00:00+00:00")["dag_run_id"] == "manual__1"


def test_a_conflict_on_the_first_try_and_lasting_server_errors_are_raised(airflow: AirflowClient):
    Scripted.posts, Scripted.runs = [(409, {"title": "Conflict", "detail": "exists"})], [RUN]
    with pytest.raises(AirflowApiError, match="409"):
        airflow.trigger("daily", "2024-01-15T00:00:00+00:00")
    Scripted.posts = [LOCKED] * airflow_api.SERVER_ERROR_ATTEMPTS
    with pytest.raises(AirflowApiError, match="database is locked"):
        airflow.trigger("daily", "2024-01-15T00:00:00+00:00")


def test_an_idempotent_call_answered_with_a_database_error_is_tried_again(airflow: AirflowClient):
    # What Airflow 3 on SQLite answered a pause in CI: 500 "Database error", the change rolled back.
    database_error = (500, {"reason": "Database error", "message": "Serious error when handling your request."})
    Scripted.patches = [database_error, (200, {"dag_id": "fx_rates", "is_paused": True})]
    airflow.set_paused("fx_rates", True)
    assert Scripted.calls == ["PATCH", "PATCH"]


def test_a_lasting_server_error_is_raised_and_a_post_is_sent_once(airflow: AirflowClient):
    Scripted.patches = [LOCKED] * airflow_api.SERVER_ERROR_ATTEMPTS
    with pytest.raises(AirflowApiError, match="database is locked"):
        airflow.set_paused("fx_rates", True)
    assert Scripted.calls == ["PATCH"] * airflow_api.SERVER_ERROR_ATTEMPTS
    Scripted.calls, Scripted.posts = [], [LOCKED]
    with pytest.raises(AirflowApiError, match="500"):
        airflow.clear("fx_rates", "manual__1", ["load"])
    assert Scripted.calls == ["POST"]
