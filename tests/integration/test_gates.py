"""The gate ladder end to end, per Airflow line: a copy of the project gets the runtime, the example estate
runs in Airflow for one date (conftest's `estate_on`, shared with test_example_estate.py), then `gates` runs
every DAG's assets in a real Dagster instance and compares
the warehouse tables with Airflow's. Every MECH task must reach parity-proven; a deliberately wrong
translation must fail gate 5 with a difference report; `proxy` then needs no --force. The lifted tasks (LIFT)
pass the ladder too, and run in a real Dagster run with every server of the runtime stopped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from converters.gates.tables import Warehouse, differences
from converters.migrate import load_plan
from converters.runtime import side_by_side
from converters.runtime.envs import airflow_venv, project_root
from converters.runtime.example_estate import DEFAULT_LOGICAL_DATE
from tests.integration.conftest import LINES, estate_on, release_estate

CLI = [sys.executable, "-m", "converters"]


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, *args, "--project", str(root)],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )


@pytest.fixture(scope="module", params=LINES)
def gated(request, tmp_path_factory):
    """The line's estate runtime (test_example_estate.py checked its Airflow runs), then `gates` for every DAG."""
    version = request.param
    try:
        root = estate_on(version, tmp_path_factory).root
        result = cli(root, "gates", "--json")
        yield root, result
    finally:
        release_estate(version)


def test_every_mech_task_is_parity_proven(gated):
    root, result = gated
    assert result.returncode in (0, 1), result.stderr
    data = json.loads(result.stdout)
    assert data["date"] == DEFAULT_LOGICAL_DATE, "the date most DAGs last ran for in Airflow"
    statuses: dict[tuple[str, str], dict[int, str]] = {}
    for entry in data["results"]:
        statuses.setdefault((entry["dag_id"], entry["task_id"]), {})[entry["gate"]] = entry["status"]
    plan = load_plan(root / "airflow_dags")
    mech = [
        (d.dag.dag_id, t.task.task_id)
        for d in plan.dags
        for t in d.tasks
        if t.disposition == "MECH" and not t.passthrough and (d.dag.dag_id, t.task.task_id) in statuses
    ]
    assert len(mech) >= 20
    not_proven = {key: statuses[key] for key in mech if set(statuses[key].values()) - {"pass", "n/a"}}
    assert not not_proven, not_proven
    parity = [e for e in data["results"] if e["gate"] == 5 and e["status"] == "pass"]
    assert {t["table"] for e in parity for t in e["evidence"]["tables"]} >= {"raw.orders", "mart.daily_revenue"}

    status = json.loads(cli(root, "status", "--json").stdout)
    states = {(d["dag_id"], t["task_id"]): t["state"] for d in status["dags"] for t in d["tasks"]}
    assert {states[key] for key in mech} == {"parity-proven"}
    assert len(status["ledger"]) >= len(data["results"])


def test_proxy_needs_no_force_once_the_gates_passed(gated):
    root, _ = gated
    proxied = cli(root, "proxy", "orders_daily", "load_orders")
    assert proxied.returncode == 0, proxied.stderr
    entry = json.loads((root / "migration" / "ledger.jsonl").read_text().splitlines()[-1])
    assert entry["state"] == "proxied" and entry["forced"] is False
    assert cli(root, "rollback", "orders_daily", "load_orders").returncode == 0


def test_a_wrong_translation_fails_data_parity_with_a_difference_report(gated):
    root, _ = gated
    module = root / "dagster_defs" / "dags" / "orders_daily.py"
    original = module.read_text()
    wrong = original.replace("select o.ds, o.store_id, count(*),", "select o.ds, o.store_id, count(*) + 1,")
    assert wrong != original, "the mutation must apply"
    module.write_text(wrong)
    try:
        result = cli(root, "gates", "orders_daily", "--task", "build_daily_revenue", "--date", DEFAULT_LOGICAL_DATE)
    finally:
        module.write_text(original)
    assert result.returncode == 1, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    assert "orders_daily.build_daily_revenue: gate 5 (data parity) failed" in out
    assert "mart.daily_revenue: Airflow" in out and "only in Dagster:" in out and "only in Airflow:" in out
    refused = cli(root, "proxy", "orders_daily", "build_daily_revenue")
    assert refused.returncode == 1 and "gate 5 (data parity) is fail" in " ".join(refused.stderr.split())


LIFTED = [("supplier_feeds", "check_deliveries"), ("supplier_feeds", "land_deliveries")]


def test_lifted_tasks_pass_the_gates_against_the_airflow_run(gated):
    """supplier_feeds' operators have no native rule; lifted (the checkout's migration/state.json), the ladder runs
    their own Airflow operators in its Dagster runs and their tables equal Airflow's."""
    root, result = gated
    plan = load_plan(root / "airflow_dags")
    assert (
        sorted((d.dag.dag_id, t.task.task_id) for d in plan.dags for t in d.tasks if t.disposition == "LIFT") == LIFTED
    )
    statuses: dict[tuple[str, str], dict[int, str]] = {}
    for entry in json.loads(result.stdout)["results"]:
        statuses.setdefault((entry["dag_id"], entry["task_id"]), {})[entry["gate"]] = entry["status"]
    for key in LIFTED:
        assert statuses[key][4] == "pass" and set(statuses[key].values()) <= {"pass", "n/a"}, (key, statuses[key])
    parity = [e for e in json.loads(result.stdout)["results"] if e["gate"] == 5 and e["task_id"] == "land_deliveries"]
    assert parity and parity[0]["status"] == "pass", parity
    assert "raw.supplier_deliveries" in {t["table"] for t in parity[0]["evidence"]["tables"]}


MATERIALIZE_DAG = """
import json, sys
import dagster as dg
from dagster_defs.dags import supplier_feeds
result = dg.materialize(supplier_feeds.ASSETS, partition_key=sys.argv[1])
(land,) = result.asset_materializations_for_node("supplier_feeds__land_deliveries")
print(json.dumps({"success": result.success, "xcom": land.metadata["airflow/xcom"].value}))
"""


def test_lifted_tasks_run_in_dagster_with_no_airflow_server_alive(gated, tmp_path):
    """Last in this module (it stops the runtime): with every server of the runtime stopped, a real Dagster run
    of supplier_feeds runs its lifted operators through Pipes in the Airflow venv, carries the extra XCom back,
    and writes the tables Airflow's run wrote."""
    root, _ = gated
    state = side_by_side.load_state(root)
    airflow_warehouse = Path(state.data_dir) / "warehouse.duckdb"
    side_by_side.down(root)
    assert not [s.name for s in state.servers if s.alive()], "no Airflow (or Dagster) server process is alive"
    warehouse = tmp_path / "warehouse.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DAGSTER"))} | {
        "WAREHOUSE_PATH": str(warehouse),
        "ALERTS_FILE": str(tmp_path / "alerts.jsonl"),
        "AIRFLOW_CONN_WAREHOUSE_DUCKDB": json.dumps({"conn_type": "duckdb", "host": str(warehouse)}),
        "AIRFLOW_LIFT_PYTHON": str(airflow_venv(state.airflow_version) / "bin" / "python"),
        "AIRFLOW_MAJOR_VERSION": str(state.airflow_version),
    }
    python = project_root() / ".venv-dagster" / "bin" / "python"
    done = subprocess.run(
        [str(python), "-c", MATERIALIZE_DAG, DEFAULT_LOGICAL_DATE],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["success"] and outcome["xcom"]["suppliers"], outcome
    dagster_side = Warehouse(warehouse, DEFAULT_LOGICAL_DATE)
    airflow_side = Warehouse(airflow_warehouse, DEFAULT_LOGICAL_DATE)
    for table in ("raw.supplier_deliveries", "mart.supplier_feed_summary"):
        compared = differences(airflow_side, dagster_side, table)
        assert compared["match"], compared
