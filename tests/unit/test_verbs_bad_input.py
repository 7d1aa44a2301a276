"""The side-by-side verbs under wrong input and failing servers, without real servers: a fake Airflow REST API
on loopback answers like Airflow 2 (404 problem+json for a DAG it does not have). Each refusal is one line on
stderr, exit 2, no traceback, and leaves every file as it was (the live version, on both Airflow lines, is in
tests/integration/test_side_by_side.py)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from converters import migrate
from converters.cli import app
from converters.flow import load_plan
from converters.runtime.airflow_api import AirflowClient
from converters.runtime.dagster_api import DagsterApiError, DagsterClient
from converters.runtime.errors import (
    AirflowApiError,
    PreflightError,
    ServerApiError,
    ServerUnreachable,
    user_error,
)
from converters.runtime.preflight import dag_line, require_date, require_in_airflow, require_line, require_task

runner = CliRunner()

DAG = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("{dag_id}", schedule="@daily", start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="hello", bash_command="echo {{{{ ds }}}}") >> BashOperator(task_id="bye", bash_command="echo")
"""


class FakeAirflow(BaseHTTPRequestHandler):
    """Airflow 2's /api/v1 for the DAGs in ``dags`` (everything else: 404 problem+json, as Airflow answers)."""

    dags: set[str] = set()
    calls: list[str] = []

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/problem+json" if status >= 400 else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        self.calls.append(f"{self.command} {self.path}")
        path = self.path.split("?")[0].removeprefix("/api/v1")
        if path == "/importErrors":
            return self._answer(200, {"import_errors": [], "total_entries": 0})
        if path.startswith("/dags/"):
            dag_id = path.split("/")[2]
            if dag_id in self.dags:
                return self._answer(200, {"dag_id": dag_id, "is_active": True, "is_paused": False})
            return self._answer(
                404,
                {"detail": f"DAG with dag_id: '{dag_id}' not found", "status": 404, "title": "DAG not found"},
            )
        return self._answer(500, {"detail": "unexpected", "title": "Internal Server Error"})

    do_GET = do_PATCH = do_POST = _handle

    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.fixture
def airflow() -> Iterator[AirflowClient]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAirflow)
    FakeAirflow.dags, FakeAirflow.calls = {"daily"}, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield AirflowClient(f"http://127.0.0.1:{server.server_port}", 2, "admin", "admin", timeout=5)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    dags = tmp_path / "airflow_dags"
    (dags / "airflow3_only").mkdir(parents=True)
    (dags / "daily.py").write_text(DAG.format(dag_id="daily"))
    (dags / "airflow3_only" / "newer.py").write_text(DAG.format(dag_id="newer"))
    monkeypatch.delenv("AIRFLOW_URL", raising=False)
    return tmp_path


def run(*args: str):
    return runner.invoke(app, list(args))


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file the verbs may write (DAG files, proxied state, ledger, migration state), with its bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".a2d-cache" not in p.parts and p.name != ".lock"
    }


def assert_one_line_refusal(result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    for needle in needles:
        assert needle in lines[0], lines[0]


# -- the API clients' errors ------------------------------------------------------------------------------


def test_an_error_answer_is_one_line_naming_the_server_the_request_and_airflows_reason(airflow: AirflowClient):
    with pytest.raises(AirflowApiError) as raised:
        airflow.request("GET", "/dags/nope/tasks")
    message = str(raised.value)
    assert message == (
        f"Airflow 2 at {airflow.url} answered GET /dags/nope/tasks with 404 Not Found: "
        "DAG with dag_id: 'nope' not found"
    )
    assert isinstance(raised.value, requests.HTTPError) and raised.value.response.status_code == 404
    assert user_error(raised.value) == message


def test_a_server_that_does_not_answer_is_one_line_asking_whether_the_runtime_is_up(airflow: AirflowClient):
    gone = AirflowClient("http://127.0.0.1:9", 2, "admin", "admin", timeout=2)
    with pytest.raises(ServerUnreachable) as raised:
        gone.dags()
    assert isinstance(raised.value, requests.ConnectionError), "code waiting for a server still catches it"
    assert "\n" not in str(raised.value) and "refused the connection (GET /dags)" in str(raised.value)
    with pytest.raises(ServerUnreachable):
        DagsterClient("http://127.0.0.1:9", timeout=2).runs()
    assert isinstance(ServerUnreachable("x"), ServerApiError)


def test_has_dag(airflow: AirflowClient):
    assert airflow.has_dag("daily") and not airflow.has_dag("nope")


def test_only_errors_of_the_servers_or_the_input_become_a_line():
    assert user_error(PreflightError("no DAG 'x'\n  (did you mean y?)")) == "no DAG 'x' (did you mean y?)"
    assert user_error(requests.ConnectionError("boom")) is not None, "a request made around the clients"
    assert user_error(KeyError("bug")) is None, "a bug keeps its traceback"


# -- preflight --------------------------------------------------------------------------------------------


def test_preflight_checks(project: Path, airflow: AirflowClient):
    plan = load_plan(project / "airflow_dags")
    daily, newer = (next(d for d in plan.dags if d.dag.dag_id == dag_id) for dag_id in ("daily", "newer"))
    assert dag_line(daily) is None and dag_line(newer) == 3
    require_line(daily, 2, "here")
    with pytest.raises(PreflightError, match=r"newer is an Airflow 3 DAG \(airflow3_only/newer.py\)"):
        require_line(newer, 2, "here")
    with pytest.raises(PreflightError, match=r"has no task 'helo' \(did you mean hello\?\)"):
        require_task(daily, "helo")
    assert require_date("2024-01-15") == "2024-01-15"
    for wrong in ("2024-13-45", "15/01/2024", "2024-01-15T00:00"):
        with pytest.raises(PreflightError, match="not a date"):
            require_date(wrong)
    require_in_airflow(daily, airflow)
    FakeAirflow.dags = set()
    with pytest.raises(PreflightError, match=r"has no DAG 'daily' \(not parsed yet"):
        require_in_airflow(daily, airflow)
    calls = len(FakeAirflow.calls)
    with pytest.raises(PreflightError, match="Airflow 3 DAG"):
        require_in_airflow(newer, airflow)
    assert len(FakeAirflow.calls) == calls, "the line is known without asking Airflow"


# -- the verbs through the CLI ----------------------------------------------------------------------------


RELOADS: list[str] = []  # the code locations the `live` runtime's Dagster was asked to reload
RELOAD_FAILS: list[str] = []  # a message: the `live` runtime's Dagster fails to reload with it


@pytest.fixture
def live(project: Path, airflow: AirflowClient, monkeypatch) -> AirflowClient:
    """The project's runtime is up, with the fake Airflow; Dagster only records its reloads (``RELOADS``)."""

    client = airflow
    RELOADS.clear()
    RELOAD_FAILS.clear()

    class Dagster:
        def reload(self, name: str) -> None:
            RELOADS.append(name)
            if RELOAD_FAILS:
                raise DagsterApiError(f"reloading {name}: {RELOAD_FAILS[0]}")

    class Runtime:
        airflow_version, airflow_url, dagster_url = 2, client.url, "http://127.0.0.1:9"
        dagster_home = str(project / ".runtime" / "dagster-home")

        def airflow(self) -> AirflowClient:
            return client

        def dagster(self) -> Dagster:
            return Dagster()

    monkeypatch.setattr(migrate, "live_runtime", lambda root: Runtime())
    return airflow


@pytest.mark.parametrize(
    "args, needles",
    [
        (
            ["proxy", "newer", "--all", "--force", "--reason", "r"],
            ["newer is an Airflow 3 DAG", "runtime up --airflow 3"],
        ),
        (["proxy", "daily", "--all", "--force", "--reason", "r"], ["has no DAG 'daily'"]),
        (["proxy", "dialy", "hello", "--force", "--reason", "r"], ["did you mean daily"]),
        (["proxy", "daily", "helo", "--force", "--reason", "r"], ["did you mean hello"]),
        (["rollback", "newer", "--all"], ["nothing of newer is proxied"]),
        (["decommission", "daily"], ["still runs these tasks in Airflow: hello, bye"]),
        (["decommission", "newer"], ["still runs these tasks in Airflow"]),
        (["gates", "newer"], ["newer is an Airflow 3 DAG"]),
        (["gates", "nope"], ["no DAG 'nope'"]),
    ],
)
def test_wrong_input_with_the_runtime_up_is_refused_before_any_change(
    project: Path, live: AirflowClient, args: list[str], needles: list[str]
):
    if args[:3] == ["proxy", "daily", "--all"]:
        FakeAirflow.dags = set()  # Airflow has not parsed it (or its file does not import)
    before = snapshot(project)
    assert_one_line_refusal(run(*args, "--project", str(project)), *needles)
    assert snapshot(project) == before, "a refusal changes nothing"
    assert not any(call.startswith("PATCH") for call in FakeAirflow.calls), "nothing paused"
    assert not RELOADS, "nothing for Dagster to load again"


def test_decommission_of_a_dag_airflow_does_not_have_pauses_nothing_and_writes_nothing(
    project: Path, live: AirflowClient
):
    assert run("proxy", "daily", "--all", "--force", "--reason", "r", "--project", str(project)).exit_code in (0, 1)
    assert RELOADS == ["dagster_defs"], "Dagster loads the location again before Airflow runs the proxied tasks"
    before = snapshot(project)
    FakeAirflow.dags = set()
    assert_one_line_refusal(run("decommission", "daily", "--project", str(project)), "has no DAG 'daily'")
    assert snapshot(project) == before
    assert not any(call.startswith("PATCH") for call in FakeAirflow.calls)


def test_a_dagster_that_does_not_reload_after_proxy_is_one_clear_line_naming_the_way_back(
    project: Path, live: AirflowClient
):
    RELOAD_FAILS.append("ImportError in dags/daily.py")
    result = run("proxy", "daily", "hello", "--force", "--reason", "r", "--project", str(project))
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    last = " ".join(result.output.split()).rsplit("proxy of daily", 1)[-1]
    assert "is written" in last and "ImportError in dags/daily.py" in last, result.output
    assert "rollback daily --all" in last, "the way back is named"
    assert (project / "airflow_dags" / "proxied_state" / "daily.yaml").exists(), "what was written is said, not hidden"


def test_an_airflow_that_does_not_answer_is_one_line_and_changes_nothing(project: Path, monkeypatch):
    dags = project / "airflow_dags"
    assert run("proxy", "daily", "--all", "--force", "--reason", "r", "--project", str(project)).exit_code == 0
    assert (dags / "proxied_state" / "daily.yaml").exists()
    before = snapshot(project)
    monkeypatch.setenv("AIRFLOW_URL", "http://127.0.0.1:9")
    result = run("decommission", "daily", "--project", str(project))
    assert_one_line_refusal(result, "Airflow 2 at http://127.0.0.1:9 refused the connection", "runtime status")
    assert snapshot(project) == before


@pytest.mark.parametrize(
    "args, needles",
    [
        (["gates", "daily", "--task", "helo"], ["did you mean hello"]),
        (["gates", "daily", "--date", "2024-13-45"], ["not a date"]),
        (["gates", "--task", "hello"], ["--task needs the DAG"]),
        (["gates", "newer"], ["newer is an Airflow 3 DAG", "gates newer --airflow 3"]),
    ],
)
def test_gates_refuse_wrong_input_before_running_or_recording_anything(
    project: Path, args: list[str], needles: list[str]
):
    before = snapshot(project)
    assert_one_line_refusal(run(*args, "--project", str(project)), *needles)
    assert snapshot(project) == before, "no ledger line"


def test_rollback_with_the_runtime_up_is_not_refused_when_airflow_does_not_run_the_dag(
    project: Path, airflow: AirflowClient, monkeypatch
):
    """Giving tasks back is always allowed; with nothing to wait for in Airflow, it says so."""
    assert run("proxy", "daily", "hello", "--force", "--reason", "r", "--project", str(project)).exit_code == 0
    monkeypatch.setattr(migrate, "live_runtime", lambda root: type("Runtime", (), {"airflow": lambda self: airflow})())
    FakeAirflow.dags = set()
    back = run("rollback", "daily", "--all", "--project", str(project))
    assert back.exit_code == 0, back.output
    assert "not waiting for Airflow" in " ".join(back.output.split())
    assert (project / "airflow_dags" / "daily.py").read_text() == DAG.format(dag_id="daily")
