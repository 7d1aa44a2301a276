"""The runtime on PostgreSQL without servers: the settings each side gets, the state file, the stop order, the
refusals, and the demo's concurrency checks on canned answers (the real thing: tests/e2e/test_demo.py)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import types
from pathlib import Path

import pytest
from typer.testing import CliRunner

from converters import demo
from converters.cli import app
from converters.runtime import postgres, side_by_side
from converters.runtime.airflow import AirflowInstance, airflow_environment
from converters.runtime.example_estate import RunOutcome
from converters.runtime.processes import start_process_group, start_time


def state(tmp_path: Path, **changes) -> side_by_side.RuntimeState:
    values = dict(
        project=str(tmp_path),
        airflow_version=2,
        airflow_url="http://127.0.0.1:1",
        airflow_home="",
        username="admin",
        password="admin",
        dagster_url="http://127.0.0.1:2",
        dagster_home=str(tmp_path / "dagster"),
        data_dir="",
        sensor_interval=5,
        started_at="2026-01-01T00:00:00+00:00",
    )
    return side_by_side.RuntimeState(**{**values, **changes})


def test_without_debians_server_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(postgres.glob, "glob", lambda pattern: [])
    with pytest.raises(postgres.PostgresError, match="make postgres"):
        postgres.postgres_bin()


def test_the_newest_installed_server_is_used(monkeypatch):
    found = ["/usr/lib/postgresql/9/bin/initdb", "/usr/lib/postgresql/15/bin/initdb"]
    monkeypatch.setattr(postgres.glob, "glob", lambda pattern: found)
    assert postgres.postgres_bin() == Path("/usr/lib/postgresql/15/bin")


def test_a_server_names_its_databases_by_url(tmp_path):
    server = postgres.PostgresServer(5433, "postgres", "s3cret", tmp_path)
    assert (
        server.url("airflow", "postgresql+psycopg2") == "postgresql+psycopg2://postgres:s3cret@127.0.0.1:5433/airflow"
    )
    assert "s3cret" not in repr(server)


@pytest.mark.parametrize("version", [2, 3])
def test_airflow_on_postgres_runs_the_local_executor_in_parallel(tmp_path, version):
    url = "postgresql+psycopg2://postgres:pw@127.0.0.1:5433/airflow"
    env = airflow_environment(version, tmp_path, tmp_path / "data", 8080, "admin", False, database_url=url)
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == url
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert int(env["AIRFLOW__CORE__PARALLELISM"]) > 1


def test_airflow_2_on_sqlite_keeps_the_sequential_executor(tmp_path):
    env = airflow_environment(2, tmp_path, tmp_path / "data", 8080, "admin", False)
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("sqlite:///")
    assert env["AIRFLOW__CORE__EXECUTOR"] == "SequentialExecutor"
    env = airflow_environment(3, tmp_path, tmp_path / "data", 8080, "admin", False)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"


def test_a_state_file_written_before_the_database_option_reads_as_sqlite(tmp_path):
    data = json.loads(state(tmp_path).to_json())
    for key in ("database", "database_port", "database_password"):
        data.pop(key)
    old = side_by_side.RuntimeState.from_json(json.dumps(data))
    assert old.database == "sqlite"
    with pytest.raises(side_by_side.SideBySideError, match="sqlite"):
        old.database_url("airflow")


def test_dagster_gets_its_database_url_from_the_environment(tmp_path):
    pg = state(tmp_path, database="postgres", database_port=5433, database_password="pw")
    airflow = AirflowInstance(2, tmp_path, tmp_path, 8080, "admin", "admin", env={"WAREHOUSE_PATH": "w"})
    env = side_by_side.dagster_environment(tmp_path, pg, airflow)
    assert env["DAGSTER_POSTGRES_URL"] == "postgresql+psycopg2://postgres:pw@127.0.0.1:5433/dagster"
    assert env["AIRFLOW_LIFT_PYTHON"].endswith("airflow-2/bin/python"), "LIFT assets run in the line's Airflow venv"
    assert "DAGSTER_POSTGRES_URL" not in side_by_side.dagster_environment(tmp_path, state(tmp_path), airflow)


def test_down_stops_the_database_after_the_servers_that_use_it(tmp_path):
    servers = []
    for side, name in (("postgres", "postgres"), ("airflow", "webserver"), ("dagster", "daemon")):
        proc = start_process_group(
            name, [sys.executable, "-c", "import time; time.sleep(60)"], dict(os.environ), tmp_path / name, tmp_path
        )
        servers.append(side_by_side.Server(side, name, proc.pid, str(proc.log), start_time(proc.pid)))
    (tmp_path / "airflow_dags").mkdir()
    side_by_side._save(tmp_path, state(tmp_path, servers=servers, database="postgres"))
    assert side_by_side.down(tmp_path) == ["dagster/daemon", "airflow/webserver", "postgres/postgres"]


def test_down_removes_a_cluster_kept_outside_the_project(tmp_path):
    """As root the cluster lives in a /tmp folder of its own: `down` removes it, else a deleted project leaks it."""
    elsewhere = Path(tempfile.mkdtemp(prefix="a2d-pg-", dir=tmp_path))
    (elsewhere / "data").mkdir()
    base = side_by_side.runtime_dir(tmp_path) / "postgres"
    base.mkdir(parents=True)
    (base / "cluster").write_text(f"{elsewhere}\n", encoding="utf-8")
    (base / "postgres.log").write_text("log\n", encoding="utf-8")
    (tmp_path / "airflow_dags").mkdir()
    side_by_side._save(tmp_path, state(tmp_path, servers=[], database="postgres"))
    side_by_side.down(tmp_path)
    assert not elsewhere.exists()
    assert not (base / "cluster").exists()
    assert (base / "postgres.log").exists()  # the server's log stays for reading, as the other servers' logs do


def test_an_unknown_database_is_refused(tmp_path):
    (tmp_path / "airflow_dags").mkdir()
    with pytest.raises(side_by_side.SideBySideError, match="sqlite, postgres"):
        side_by_side.up(tmp_path, 2, database="mysql")
    done = CliRunner().invoke(app, ["runtime", "up", "--db", "mysql", "--project", str(tmp_path)])
    assert done.exit_code == 2 and "--db must be one of sqlite, postgres" in done.output
    done = CliRunner().invoke(app, ["demo", "--db", "oracle"])
    assert done.exit_code == 2 and "--db must be one of sqlite, postgres" in done.output


def test_a_runtime_on_the_other_database_is_not_taken_for_this_one(tmp_path, monkeypatch):
    (tmp_path / "airflow_dags").mkdir()
    side_by_side._save(tmp_path, state(tmp_path, servers=[side_by_side.Server("airflow", "webserver", 1, "")]))
    monkeypatch.setattr(side_by_side.Server, "alive", lambda self: True)
    with pytest.raises(side_by_side.SideBySideError, match="running on sqlite.*runtime down"):
        side_by_side.up(tmp_path, 2, database="postgres")


def run(run_id: str, start: float, end: float, assets: list[list[str]]) -> dict:
    return {"runId": run_id, "startTime": start, "endTime": end, "assetSelection": [{"path": a} for a in assets]}


def test_runs_overlap_by_the_longest_shared_stretch():
    showcase = [run("a", 0, 10, []), run("b", 20, 30, [])]
    assert demo._overlap(showcase, [run("c", 8, 25, [])]) == 5
    assert demo._overlap(showcase, [run("d", 10, 20, [])]) == 0
    assert demo._overlap(showcase, [{"runId": "e", "startTime": 1, "endTime": None}]) == 0


def test_proxied_tasks_ran_at_once_when_their_airflow_task_instances_did():
    """The demo's "run concurrently": Airflow's task instances (each waits for its Dagster run) give the spans."""

    def instances(dag_id, run_id):
        return {
            "orders_daily": [
                {
                    "task_id": "load_orders",
                    "start_date": "2026-12-07T03:35:35+00:00",
                    "end_date": "2026-12-07T03:35:44Z",
                },
                {
                    "task_id": "other",
                    "start_date": "2026-12-07T03:00:00+00:00",
                    "end_date": "2026-12-07T03:59:00+00:00",
                },
            ],
            "fx_rates": [
                {"task_id": "check_rates", "start_date": "2026-12-07T03:35:36+00:00", "end_date": None},
                {
                    "task_id": "fetch",
                    "start_date": "2026-12-07T03:35:40+00:00",
                    "end_date": "2026-12-07T03:35:46+00:00",
                },
            ],
        }[dag_id]

    story = types.SimpleNamespace(airflow=types.SimpleNamespace(task_instances=instances))
    showcase = demo._task_spans(story, "orders_daily", ("run", ["load_orders"]))
    partner = demo._task_spans(story, "fx_rates", ("run", ["check_rates", "fetch"]))
    assert len(showcase) == 1 and len(partner) == 1, "only the tasks run again, and only finished ones"
    assert demo._overlap(showcase, partner) == 4  # 03:35:40 to 03:35:44


class CannedDagster:
    def __init__(self, events: dict[tuple[str, ...], list[dict]]):
        self.events = events

    def materializations(self, key, limit=100):
        return self.events.get(tuple(key))


def test_every_asset_of_a_proxied_run_is_materialized_exactly_once():
    dagster = CannedDagster({("shop", "orders"): [{"runId": "r1"}, {"runId": "r2"}, {"runId": "r2"}]})
    assert demo._not_materialized_once(dagster, [run("r1", 0, 1, [["shop", "orders"]])]) == []
    assert demo._not_materialized_once(dagster, [run("r2", 0, 1, [["shop", "orders"]])]) == ["shop/orders ×2 in run r2"]
    assert demo._not_materialized_once(dagster, [run("r3", 0, 1, [])]) == ["run r3 selected no asset"]


def test_each_airflow_run_counts_its_observations():
    runs = [RunOutcome("orders_daily", "r1", None, "success", 1.0), RunOutcome("fx", "r2", None, "success", 1.0)]
    dagster = CannedDagster(
        {
            ("airflow", "dag", "orders_daily"): [{"metadata": {"Airflow Run ID": "r1"}}] * 2,
            ("airflow", "dag", "fx"): [{"metadata": {"Airflow Run ID": "other"}}],
        }
    )
    assert demo._observations(dagster, runs) == {("orders_daily", "r1"): 2, ("fx", "r2"): 0}


def test_the_partner_is_another_dag_proxied_task_by_task_with_the_fewest_tasks(tmp_path):
    result = demo.DemoResult(2, "2024-01-15", str(tmp_path))
    result.runs = [RunOutcome(d, "r", None, "success", 1.0) for d in ("orders_daily", "a", "b", "c")]
    result.runs.append(RunOutcome("failed", "r", None, "failed", 1.0))
    result.proxied = {"orders_daily": ["x"], "a": ["t1", "t2"], "b": ["t"], "c": ["*"], "failed": ["t"]}
    story = demo._Story(2, "2024-01-15", tmp_path, result, lambda *a, **k: None, lambda m: None)
    assert demo._partner(story) == "b"
    result.proxied = {"orders_daily": ["x"], "c": ["*"]}
    assert demo._partner(story) == ""


@pytest.mark.parametrize(
    ("version", "body"),
    [(2, {"name": "warehouse", "slots": 2}), (3, {"pool": "warehouse", "slots": 2, "include_deferred": True})],
)
def test_pool_slots_are_patched_as_each_api_wants(monkeypatch, version, body):
    from converters.runtime.airflow_api import AirflowClient

    calls = []
    client = AirflowClient("http://127.0.0.1:1", version, "admin", "admin")

    class _Pool:
        def json(self):
            return {"name": "warehouse", "slots": 1, "include_deferred": True}

    monkeypatch.setattr(client, "request", lambda *args, **kwargs: calls.append((args, kwargs)) or _Pool())
    client.set_pool_slots("warehouse", 2)
    assert calls[-1] == (("PATCH", "/pools/warehouse"), {"params": {"update_mask": "slots"}, "json": body})
