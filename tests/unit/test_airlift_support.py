"""support/airlift.py, the peering code shipped inside every generated package (fast checks; the real Airflow
and Dagster exchange is in tests/integration/test_side_by_side.py)."""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import dagster as dg
import pytest
from dagster_airlift.constants import DAG_MAPPING_METADATA_KEY, TASK_MAPPING_METADATA_KEY

from converters.codegen.support import airlift

DAILY_AT_SIX = dg.TimeWindowPartitionsDefinition(cron_schedule="0 6 * * *", start="2024-01-01", fmt="%Y-%m-%d")


def ts(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    "logical_date, partition",
    [
        ("2024-01-15T06:00:00", "2024-01-15"),  # a scheduled run: the window start
        ("2024-01-15T00:00:00", "2024-01-15"),  # a manual run at midnight: named like its ds
        ("2024-01-15T03:00:00", "2024-01-15"),
        ("2023-06-01T00:00:00", None),  # before the first partition: recorded without one
    ],
)
def test_the_partition_of_an_airflow_run_is_named_like_its_ds(logical_date: str, partition: str | None):
    assert airlift.partition_for_airflow_run(DAILY_AT_SIX, ts(logical_date)) == partition


def test_hourly_partitions_take_the_window_holding_the_date():
    hourly = dg.TimeWindowPartitionsDefinition(
        cron_schedule="30 * * * *", start="2024-01-01-00:30", fmt="%Y-%m-%d-%H:%M"
    )
    assert airlift.partition_for_airflow_run(hourly, ts("2024-01-15T10:30:00")) == "2024-01-15-10:30"
    assert airlift.partition_for_airflow_run(hourly, ts("2024-01-15T10:45:00")) == "2024-01-15-10:30"


def test_a_null_logical_date_takes_run_after():
    assert airlift._with_logical_date({"logical_date": None, "run_after": "2024-01-15T00:00:00Z"})["logical_date"] == (
        "2024-01-15T00:00:00Z"
    )
    assert airlift._with_logical_date({"logical_date": "x", "run_after": "y"})["logical_date"] == "x"


@dg.asset(key=["d", "a"])
def a(): ...


@dg.asset(key=["d", "b"])
def b(): ...


def specs(assets) -> dict[str, dict]:
    return {
        spec.key.to_user_string(): dict(spec.metadata)
        for asset in assets
        for spec in (asset.specs if isinstance(asset, dg.AssetsDefinition) else [asset])
    }


def test_mapping_levels():
    tasks = {"task_a": [a], "task_b": [b, dg.AssetSpec(["d", "observed_only"])]}
    by_task = specs(airlift.mapped_to_airflow("d", tasks, level="task"))
    assert by_task["d/a"][TASK_MAPPING_METADATA_KEY] == [{"dag_id": "d", "task_id": "task_a"}]
    assert by_task["d/observed_only"][TASK_MAPPING_METADATA_KEY] == [{"dag_id": "d", "task_id": "task_b"}]
    by_dag = specs(airlift.mapped_to_airflow("d", tasks, level="dag"))
    assert all(m[DAG_MAPPING_METADATA_KEY] == [{"dag_id": "d"}] for m in by_dag.values())
    retired = specs(airlift.mapped_to_airflow("d", tasks, level=None))
    assert not any(TASK_MAPPING_METADATA_KEY in m or DAG_MAPPING_METADATA_KEY in m for m in retired.values())


class FakeInstance:
    """The two reads `_known_to` makes, for an Airflow that has DAG d with task_a only."""

    def list_dags(self):
        return [type("Dag", (), {"dag_id": "d"})()]

    def get_task_infos(self, *, dag_id):
        return [type("Task", (), {"task_id": "task_a"})()]


def test_mappings_airflow_does_not_know_are_dropped():
    assets = [
        *airlift.mapped_to_airflow("d", {"task_a": [a], "gone": [b]}, level="task"),
        *airlift.mapped_to_airflow("other_line", {"x": [dg.AssetSpec(["o", "x"])]}, level="task"),
    ]
    kept, index = airlift._known_to(FakeInstance(), dg.Definitions(assets=assets))
    assert index.entry("d") == {"tasks": {"task_a": [["d", "a"]]}, "dag": []}, "only what is kept is indexed"
    assert index.entry("other_line") == {"tasks": {}, "dag": []}
    metadata = {spec.key.to_user_string(): dict(spec.metadata) for spec in kept.resolve_all_asset_specs()}
    assert metadata["d/a"][TASK_MAPPING_METADATA_KEY] == [{"dag_id": "d", "task_id": "task_a"}]
    assert TASK_MAPPING_METADATA_KEY not in metadata["d/b"]
    assert TASK_MAPPING_METADATA_KEY not in metadata["o/x"]


def test_known_mappings_leave_the_definitions_as_they_are():
    defs = dg.Definitions(assets=airlift.mapped_to_airflow("d", {"task_a": [a]}, level="task"))
    assert airlift._known_to(FakeInstance(), defs)[0] is defs


def test_no_airflow_url_means_no_peering(monkeypatch):
    monkeypatch.delenv("AIRFLOW_URL", raising=False)
    defs = dg.Definitions(assets=[a])
    assert airlift.peer(defs) is defs
    assert airlift.airflow_dag_run("d", "run") is None


class _Airflow3Stub(BaseHTTPRequestHandler):
    """Hands out numbered tokens; a token is good for two API calls, then 401 (as an expired JWT)."""

    issued = 0
    uses: dict[str, int] = {}

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).issued += 1
        self._send(201, {"access_token": f"token-{self.issued}"})

    def do_GET(self):  # noqa: N802
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        self.uses[token] = self.uses.get(token, 0) + 1
        if not token or self.uses[token] > 2:
            self._send(401, {"detail": "expired"})
        else:
            self._send(200, {"dags": [{"dag_id": "d"}], "total_entries": 1})


def test_the_airflow3_token_is_fetched_again_when_it_expires():
    server = HTTPServer(("127.0.0.1", 0), _Airflow3Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        instance = airlift.Airflow3Instance(auth_backend=airlift.AirflowTokenAuthBackend(url, "admin", "pw"), name="af")
        assert instance.get_api_url() == f"{url}/api/v2"
        for _ in range(5):
            assert [d.dag_id for d in instance.list_dags()] == ["d"]
        assert _Airflow3Stub.issued == 3, "one token per two calls: refreshed on 401, not on every call"
    finally:
        server.shutdown()


@pytest.mark.parametrize("major", ["2", "3"])
def test_an_unreachable_airflow_is_named_in_the_error(monkeypatch, major: str):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("AIRFLOW_URL", url)
    monkeypatch.setenv("AIRFLOW_MAJOR_VERSION", major)
    instance = airlift.airflow_instance_from_env()
    with pytest.raises(airlift.AirflowUnreachable, match=f"Airflow at {url} is unreachable .*observed once"):
        instance.list_dags()


class _Airflow2Stub(BaseHTTPRequestHandler):
    """Airflow 2's REST API as peering reads it at load: DAG d with task_a, no datasets. Counts the calls."""

    calls: list[str] = []

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):  # noqa: N802
        type(self).calls.append(self.path)
        path = self.path.split("?")[0]
        if path == "/api/v1/dags":
            body = {"dags": [{"dag_id": "d", "file_token": "tok", "is_paused": False}], "total_entries": 1}
        elif path == "/api/v1/dags/d/tasks":
            body = {"tasks": [{"task_id": "task_a", "downstream_task_ids": []}], "total_entries": 1}
        elif path == "/api/v1/datasets":
            body = {"datasets": [], "total_entries": 0}
        elif path.startswith("/api/v1/dagSources/"):
            body = {"content": "# the DAG's source"}
        else:
            self.send_error(404)
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _asset_keys(defs: dg.Definitions) -> set[str]:
    return {spec.key.to_user_string() for spec in defs.resolve_all_asset_specs()}


@pytest.mark.parametrize("level", ["task", "dag"])
def test_each_dag_asset_indexes_the_assets_of_its_tasks(monkeypatch, level: str):
    """A proxied task reads this index to ask Dagster for its own asset nodes, not for every node."""
    server = HTTPServer(("127.0.0.1", 0), _Airflow2Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("AIRFLOW_URL", f"http://127.0.0.1:{server.server_port}")
        monkeypatch.delenv("AIRLIFT_SNAPSHOT", raising=False)
        tasks = {"task_a": [b, a, dg.AssetSpec(["d", "observed_only"])], "gone": [dg.AssetSpec(["d", "old"])]}
        defs = airlift.peer(dg.Definitions(assets=airlift.mapped_to_airflow("d", tasks, level=level)))
        dag_asset = next(s for s in defs.resolve_all_asset_specs() if s.key.to_user_string() == "airflow/dag/d")
        index = dag_asset.metadata[airlift.TASK_ASSETS_METADATA_KEY]
        assert isinstance(index, dg.JsonMetadataValue), "the proxy block reads it as a JSON metadata entry"
        mine = [["d", "a"], ["d", "b"], ["d", "observed_only"]]
        if level == "task":  # `gone` is no task of this Airflow's DAG: dropped, as its mapping is
            assert index.value == {"tasks": {"task_a": mine}, "dag": []}
        else:
            assert index.value == {"tasks": {}, "dag": [*mine, ["d", "old"]]}
        assert _asset_keys(defs) >= {"d/a", "d/b", "d/observed_only"}
    finally:
        server.shutdown()


def test_with_a_snapshot_loading_asks_airflow_nothing(monkeypatch, tmp_path):
    server = HTTPServer(("127.0.0.1", 0), _Airflow2Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        snapshot = tmp_path / "state" / "airlift-snapshot.json"
        monkeypatch.setenv("AIRFLOW_URL", url)
        monkeypatch.setenv("AIRLIFT_SNAPSHOT", str(snapshot))
        assets = airlift.mapped_to_airflow("d", {"task_a": [a]}, level="task")

        first = airlift.peer(dg.Definitions(assets=assets))
        assert _Airflow2Stub.calls, "without a snapshot the first load asks Airflow"
        assert snapshot.is_file(), "and records the answers"
        assert {"airflow/dag/d", "d/a"} <= _asset_keys(first)

        _Airflow2Stub.calls.clear()
        second = airlift.peer(dg.Definitions(assets=assets))
        assert _Airflow2Stub.calls == [], "a load from the snapshot makes no Airflow API call"
        assert _asset_keys(second) == _asset_keys(first)
        dag_asset = next(s for s in second.resolve_all_asset_specs() if s.key.to_user_string() == "airflow/dag/d")
        assert (
            dag_asset.metadata
            == next(s for s in first.resolve_all_asset_specs() if s.key.to_user_string() == "airflow/dag/d").metadata
        )

        # Another Airflow (another URL) does not get this one's answers.
        monkeypatch.setenv("AIRFLOW_URL", url + "/")  # same server, so the calls can be counted
        other = json.loads(snapshot.read_text())
        other["airflow"] = "http://elsewhere:8080"
        snapshot.write_text(json.dumps(other))
        airlift.peer(dg.Definitions(assets=assets))
        assert _Airflow2Stub.calls, "a snapshot of another Airflow is not used"
    finally:
        server.shutdown()


class _DagListStub(BaseHTTPRequestHandler):
    """Answers every GET with the DAG list (as Airflow 2's /api/v1/dags would)."""

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):  # noqa: N802
        data = json.dumps({"dags": [{"dag_id": "cached"}], "total_entries": 1}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def test_a_location_loads_from_airflows_last_answers_while_it_is_down_but_the_sensor_never_does(monkeypatch, tmp_path):
    server = HTTPServer(("127.0.0.1", 0), _DagListStub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    monkeypatch.setenv("AIRFLOW_URL", url)
    monkeypatch.setenv("AIRFLOW_MAJOR_VERSION", "2")
    session = airlift.airflow_instance_from_env().auth_backend.get_session()
    try:
        with airlift._LOAD_CACHE.loading():
            live = session.get(f"{url}/api/v1/dags", params={"limit": 100}).json()
        assert session.get(f"{url}/api/v1/dags/cached/dagRuns").status_code == 200, "not loading: not kept"
    finally:
        server.shutdown()
        server.server_close()
    with airlift._LOAD_CACHE.loading():
        assert session.get(f"{url}/api/v1/dags", params={"limit": 100}).json() == live
        with pytest.raises(airlift.AirflowUnreachable):  # never asked while Airflow was up
            session.get(f"{url}/api/v1/dags", params={"limit": 100, "offset": 100})
    with pytest.raises(airlift.AirflowUnreachable, match=f"Airflow at {url} is unreachable"):
        session.get(f"{url}/api/v1/dags", params={"limit": 100})  # the sensor's requests are never answered
    with pytest.raises(airlift.AirflowUnreachable):
        with airlift._LOAD_CACHE.loading():
            session.get(f"{url}/api/v1/dags/cached/dagRuns")  # answered outside loading: not kept


class _RunsStub(BaseHTTPRequestHandler):
    """Airflow 2's REST API with DAG d (task_a) and the runs in ``committed``: what the sensor reads. A run's
    ``end_date`` may lie before the moment it joins ``committed``, as when Airflow commits a finished run late."""

    committed: list[dict] = []

    def log_message(self, *args):  # quiet
        pass

    def _send(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        path = self.path.split("?")[0]
        if path == "/api/v1/dags":
            self._send({"dags": [{"dag_id": "d", "file_token": "tok", "is_paused": False}], "total_entries": 1})
        elif path == "/api/v1/dags/d/tasks":
            self._send({"tasks": [{"task_id": "task_a", "downstream_task_ids": []}], "total_entries": 1})
        elif path == "/api/v1/datasets":
            self._send({"datasets": [], "total_entries": 0})
        elif path.startswith("/api/v1/dagSources/"):
            self._send({"content": "# the DAG's source"})
        else:
            self.send_error(404)

    def do_POST(self):  # noqa: N802
        asked = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        if self.path == "/api/v1/dags/~/dagRuns/list":
            gte, lte = (datetime.fromisoformat(asked[k]) for k in ("end_date_gte", "end_date_lte"))
            runs = [r for r in self.committed if gte <= datetime.fromisoformat(r["end_date"]) <= lte]
            runs = runs[asked["page_offset"] :][: asked["page_limit"]]
            self._send({"dag_runs": runs, "total_entries": len(runs)})
        elif self.path == "/api/v1/dags/~/dagRuns/~/taskInstances/list":
            instances = [
                {**run, "task_id": "task_a", "dag_run_id": run["dag_run_id"], "try_number": 1}
                for run in self.committed
                if run["dag_run_id"] in asked["dag_run_ids"]
            ]
            self._send({"task_instances": instances, "total_entries": len(instances)})
        else:
            self.send_error(404)


def _finished_run(run_id: str, end: datetime) -> dict:
    when = end.isoformat()
    return {
        "dag_id": "d",
        "dag_run_id": run_id,
        "state": "success",
        "run_type": "manual",
        "conf": {},
        "note": None,
        "logical_date": when,
        "execution_date": when,
        "start_date": when,
        "end_date": when,
    }


def test_a_run_committed_after_the_tick_that_passed_its_end_is_observed_once(monkeypatch, tmp_path):
    """airlift alone asks each tick for the runs that ended since the previous tick: a run Airflow stamped
    before a tick but committed after it was never observed (the demo's `observe` step, one run in twelve)."""
    server = HTTPServer(("127.0.0.1", 0), _RunsStub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AIRFLOW_URL", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("AIRFLOW_MAJOR_VERSION", "2")
    monkeypatch.delenv("AIRLIFT_SNAPSHOT", raising=False)
    _RunsStub.committed = []
    try:
        defs = airlift.peer(dg.Definitions(assets=airlift.mapped_to_airflow("d", {"task_a": [a]}, level="task")))
        sensor = next(s for s in defs.sensors if s.name.endswith("airflow_dag_status_sensor"))
        with dg.DagsterInstance.ephemeral() as instance:
            cursor = None

            def tick() -> list[str]:
                nonlocal cursor
                context = dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
                result = sensor(context)
                cursor = context.cursor
                for event in result.asset_events:  # what the daemon does with the tick's events
                    instance.report_runless_asset_event(event)
                return sorted(event.asset_key.to_user_string() for event in result.asset_events)

            assert tick() == [], "nothing has run yet"
            late = _finished_run("manual__late", datetime.now(UTC) - timedelta(seconds=2))
            _RunsStub.committed.append(late)  # ended before that tick, committed after it
            assert tick() == ["airflow/dag/d", "d/a"], "the late run is observed"
            assert tick() == [], "and only once, though the next window looks back over it again"
            _RunsStub.committed.append(_finished_run("manual__next", datetime.now(UTC)))
            assert tick() == ["airflow/dag/d", "d/a"]
    finally:
        server.shutdown()
        server.server_close()
