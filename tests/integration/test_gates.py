"""The gate ladder end to end, per Airflow line: a copy of the project gets the runtime, the example estate
runs in Airflow for one date, then `gates` runs every DAG's assets in a real Dagster instance and compares
the warehouse tables with Airflow's. Every MECH task must reach parity-proven; a deliberately wrong
translation must fail gate 5 with a difference report; `proxy` then needs no --force."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from converters.migrate import load_plan
from converters.runtime import side_by_side
from converters.runtime.envs import project_root
from converters.runtime.example_estate import DEFAULT_LOGICAL_DATE, run_example_estate
from tests.integration.conftest import LINES
from tests.integration.runtime_helpers import copy_project

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
    version = request.param
    root = copy_project(tmp_path_factory.mktemp(f"gates-{version}"))
    (root / "migration").mkdir()
    (root / "migration" / "gates.json").write_bytes((project_root() / "migration" / "gates.json").read_bytes())
    try:
        up = cli(root, "runtime", "up", "--airflow", str(version))
        assert up.returncode == 0, up.stderr
        state = side_by_side.load_state(root)
        target = types.SimpleNamespace(
            client=state.airflow, version=version, landing_dir=Path(state.data_dir) / "landing"
        )
        outcomes = run_example_estate(target, DEFAULT_LOGICAL_DATE)
        assert all(o.state == "success" for o in outcomes), [o.failure for o in outcomes if o.failure]
        result = cli(root, "gates", "--json")
        yield root, result
    finally:
        side_by_side.down(root)


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
