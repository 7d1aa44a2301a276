"""The side-by-side runtime on both Airflow lines, driven through the CLI as a user drives it.

A copy of the project (airflow_dags/ + dagster_defs/) gets `runtime up`: real Airflow and real Dagster,
peered through airlift. Then, in order: wrong input (another line's DAG, unknown ids, a bad date…) is refused
by every verb in one line, exit 2, changing nothing; a DAG run is observed in Dagster; one task is proxied and its data
equals the pure-Airflow run's; it is rolled back and the DAG file is byte-identical again; a DAG with a mapped
task is proxied as a whole; a DAG is proxied whole and decommissioned; `runtime down` leaves no process of ours.
(`modernize` after decommission is proven on both lines by the demo's test, tests/e2e/test_demo.py, on
PostgreSQL; its refusals and ledger by tests/unit/test_modernize.py.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from converters.runtime import side_by_side
from converters.runtime.envs import project_root
from tests.integration.conftest import LINES
from tests.integration.runtime_helpers import SideBySide, copy_project, running_side_by_side, wait_for

DS = "2024-01-15"
LOGICAL_DATE = f"{DS}T00:00:00+00:00"


@pytest.fixture(scope="module", params=LINES)
def sbs(request, tmp_path_factory) -> SideBySide:
    version = request.param
    root = copy_project(tmp_path_factory.mktemp(f"side-by-side-{version}"))
    with running_side_by_side(root, version) as runtime:
        yield runtime


def test_a_second_up_is_a_no_op(sbs):
    again = sbs.cli("runtime", "up", "--airflow", str(sbs.version), "--json")
    data = json.loads(again.stdout)
    assert [(s["name"], s["pid"]) for s in data["servers"]] == [(s.name, s.pid) for s in sbs.state.servers], (
        "a second `up` must not start anything"
    )
    assert all(data["alive"].values())
    other = sbs.cli("runtime", "up", "--airflow", str(5 - sbs.version), ok=False)
    assert other.returncode == 2 and "runtime down" in other.stderr


def test_wrong_input_is_refused_in_one_line_and_changes_nothing(sbs):
    """What a new user tries first, with the runtime up: each verb checks what it needs before changing anything."""
    other_line = 5 - sbs.version
    other = {2: "inventory_snapshot", 3: "legacy_customer_sync"}[sbs.version]  # a DAG of the other line's folder
    refusals = [
        (["proxy", other, "--all", "--force", "--reason", "r"], f"is an Airflow {other_line} DAG"),
        (["rollback", other, "--all"], f"nothing of {other} is proxied"),
        (["decommission", other], "still runs these tasks in Airflow"),
        (["gates", other, "--date", DS], f"is an Airflow {other_line} DAG"),
        (["proxy", "orders_dialy", "--all"], "did you mean orders_daily"),
        (["proxy", "orders_daily", "load_order", "--force", "--reason", "r"], "did you mean load_orders"),
        (["proxy", "orders_daily", "start", "--force", "--reason", "r"], "became no asset"),
        (["rollback", "orders_daily", "load_orders"], "nothing of orders_daily is proxied"),
        (["decommission", "orders_daily"], "still runs these tasks in Airflow"),
        (["gates", "orders_dialy"], "did you mean orders_daily"),
        (["gates", "orders_daily", "--task", "load_order", "--date", DS], "did you mean load_orders"),
        (["gates", "orders_daily", "--date", "2024-13-45"], "not a date"),
        (["runtime", "up", "--airflow", "7"], "--airflow must be one of"),
    ]
    before = _files(sbs.root)
    for args, message in refusals:
        result = sbs.cli(*args, ok=False)
        assert result.returncode == 2, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stdout + result.stderr, args
        assert result.stderr.strip().count("\n") == 0 and message in result.stderr, f"{args}: {result.stderr}"
    malformed = sbs.cli("proxy", "orders_daily", "--al", ok=False)
    assert malformed.returncode == 2 and "Traceback" not in malformed.stderr and "No such option" in malformed.stderr
    assert _files(sbs.root) == before, "no DAG file, proxied state, ledger or migration state changed"


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for folder in ("airflow_dags", "dagster_defs", "migration")
        for p in sorted((root / folder).rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.name != ".lock"
    }


def test_dagster_observes_an_airflow_run(sbs):
    airflow, dagster = sbs.state.airflow(), sbs.state.dagster()
    airflow.set_paused("orders_daily", False)
    run_id = airflow.trigger("orders_daily", LOGICAL_DATE)["dag_run_id"]
    airflow.wait_for_run("orders_daily", run_id, timeout=300)
    sbs.orders_run = run_id

    def observed(key: list[str]):
        return [e for e in dagster.materializations(key) or [] if e["metadata"].get("Airflow Run ID") == run_id]

    interval = sbs.state.sensor_interval
    dag_events = wait_for("DAG asset materialized", lambda: observed(["airflow", "dag", "orders_daily"]), 30 + interval)
    assert dag_events[0]["runId"] == "", "observed, not run by Dagster"
    tasks = [
        "load_orders",
        "load_fx_rates",
        "quality__orders_loaded",
        "quality__amounts_positive",
        "build_daily_revenue",
    ]
    for asset in tasks:
        events = wait_for(f"{asset} materialized", lambda a=asset: observed(["orders_daily", a]), 10 + interval)
        assert events[0]["partition"] == DS, "the run's ds names the partition"


def test_a_proxied_task_runs_in_dagster_and_writes_what_airflow_wrote(sbs):
    airflow, dagster = sbs.state.airflow(), sbs.state.dagster()
    original = (sbs.root / "airflow_dags" / "orders_daily.py").read_bytes()
    airflow_rows = sbs.query(f"select * from raw.orders where ds = '{DS}' order by all")
    assert airflow_rows, "the pure-Airflow run loaded orders"

    refused = sbs.cli("proxy", "orders_daily", "load_orders", ok=False)
    assert refused.returncode == 1 and "gate 1 (planned) has not run" in refused.stderr
    proxied = sbs.cli("proxy", "orders_daily", "load_orders", "--force", "--reason", "runtime test (gates: test_gates)")
    assert "has parsed the change" in proxied.stdout
    edited = (sbs.root / "airflow_dags" / "orders_daily.py").read_bytes()
    assert edited.startswith(original) and b"proxying_to_dagster(" in edited[len(original) :]
    assert "load_orders" in (sbs.root / "airflow_dags" / "proxied_state" / "orders_daily.yaml").read_text()

    # Dagster must write the rows itself: they are gone before the task runs again.
    sbs.execute(f"delete from raw.orders where ds = '{DS}'")
    airflow.clear("orders_daily", sbs.orders_run, ["load_orders"])
    airflow.wait_for_run("orders_daily", sbs.orders_run, timeout=300)

    instance = next(t for t in airflow.task_instances("orders_daily", sbs.orders_run) if t["task_id"] == "load_orders")
    assert instance["state"] == "success" and "Proxy" in instance["operator"]
    runs = dagster.runs(
        {"dagster-airlift/airflow-dag-id": "orders_daily", "dagster-airlift/airflow-task-id": "load_orders"}
    )
    assert [r["status"] for r in runs] == ["SUCCESS"]
    assert runs[0]["tags"]["dagster-airlift/airflow-dag-run-id"] == sbs.orders_run
    assert runs[0]["assetSelection"] == [{"path": ["orders_daily", "load_orders"]}]
    assert sbs.query(f"select * from raw.orders where ds = '{DS}' order by all") == airflow_rows
    log = airflow.task_log("orders_daily", sbs.orders_run, "load_orders", instance["try_number"])
    assert "index on the DAG's asset names 1 asset(s) for this task" in log, "it read its own asset node, not all"

    status = json.loads(sbs.cli("status", "--json").stdout)
    task = next(
        t for d in status["dags"] if d["dag_id"] == "orders_daily" for t in d["tasks"] if t["task_id"] == "load_orders"
    )
    assert task["runs_in"] == "Dagster (proxied)" and task["observed"] is True
    assert task["last_materialization"]["source"] == "Dagster run"


def test_rollback_gives_the_task_back_and_the_file_its_bytes(sbs):
    airflow, dagster = sbs.state.airflow(), sbs.state.dagster()
    original = (project_root() / "airflow_dags" / "orders_daily.py").read_bytes()
    sbs.cli("rollback", "orders_daily", "load_orders")
    assert (sbs.root / "airflow_dags" / "orders_daily.py").read_bytes() == original
    assert not (sbs.root / "airflow_dags" / "proxied_state" / "orders_daily.yaml").exists()

    airflow.clear("orders_daily", sbs.orders_run, ["load_orders"])
    airflow.wait_for_run("orders_daily", sbs.orders_run, timeout=300)
    instance = next(t for t in airflow.task_instances("orders_daily", sbs.orders_run) if t["task_id"] == "load_orders")
    assert instance["state"] == "success" and instance["operator"] == "PythonOperator"
    runs = dagster.runs(
        {"dagster-airlift/airflow-dag-id": "orders_daily", "dagster-airlift/airflow-task-id": "load_orders"}
    )
    assert len(runs) == 1, "no new Dagster run once the task is back in Airflow"


def test_a_dag_with_a_mapped_task_is_proxied_whole(sbs):
    airflow, dagster = sbs.state.airflow(), sbs.state.dagster()
    refused = sbs.cli("proxy", "store_kpis", "report", ok=False)
    assert refused.returncode == 2 and "--all" in refused.stderr
    sbs.cli("proxy", "store_kpis", "--all", "--force", "--reason", "runtime test (gates: test_gates)")
    assert (sbs.root / "airflow_dags" / "proxied_state" / "store_kpis.yaml").read_text() == "proxied: true\n"

    airflow.set_paused("store_kpis", False)
    run_id = airflow.trigger("store_kpis", LOGICAL_DATE)["dag_run_id"]
    airflow.wait_for_run("store_kpis", run_id, timeout=300)
    runs = dagster.runs({"dagster-airlift/airflow-dag-id": "store_kpis"})
    assert [(r["status"], r["tags"]["dagster-airlift/airflow-task-id"]) for r in runs] == [
        ("SUCCESS", "FULL_DAG_PROXY")
    ]
    log = airflow.task_log("store_kpis", run_id, "DAGSTER_OVERRIDE_DAG_store_kpis", 1)
    named = len(runs[0]["assetSelection"])
    assert named > 1 and f"index on the DAG's asset names {named} asset(s)" in log, "its own asset nodes, not all"
    assert sbs.query(f"select count(*) from mart.store_kpis where ds = '{DS}'")[0][0] > 0


def test_decommission_pauses_airflow_and_schedules_dagster(sbs):
    airflow, dagster = sbs.state.airflow(), sbs.state.dagster()
    sbs.cli("proxy", "orders_daily", "--all", "--force", "--reason", "runtime test (gates: test_gates)")
    sbs.cli("decommission", "orders_daily")  # only once every task with an asset runs in Dagster
    assert next(d for d in airflow.dags() if d["dag_id"] == "orders_daily")["is_paused"] is True
    instigators = dagster.instigators(side_by_side.LOCATION)
    assert instigators["orders_daily_schedule"] == "RUNNING"
    assert instigators["orders_daily_on_failure_callback"] == "RUNNING"
    assert "fx_rates_schedule" not in instigators, "other DAGs stay with Airflow: Dagster has no schedule for them"
    generated = (sbs.root / "dagster_defs" / "dags" / "orders_daily.py").read_text()
    assert "level=None" in generated
    state = json.loads((sbs.root / "migration" / "state.json").read_text())
    assert list(state["decommissioned"]) == ["orders_daily"]


def test_runtime_down_leaves_no_process_of_ours(sbs):
    groups = {server.pid for server in sbs.state.servers}
    down = sbs.cli("runtime", "down")
    assert "stopped" in down.stdout
    left = [pid for pid in _all_pids() if _session_of(pid) in groups]
    assert left == [], f"processes of the runtime still running: {left}"
    assert side_by_side.load_state(sbs.root) is None
    assert "not running" in sbs.cli("runtime", "status").stdout


def _all_pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def _session_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[4])  # field 6: the session id
