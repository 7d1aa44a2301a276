"""proxy / rollback on a DAGs folder, without servers: what is refused, what the files look like after."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from converters.airlift import proxied_state
from converters.convert import convert_project
from converters.inventory.project import inventory_json, scan_project
from converters.migrate import MigrationError, proxy, rollback
from converters.runtime.envs import project_root

FORCED = {"force": True, "reason": "unit test: no gates run here"}

TWO_DAGS = """\
from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator
from legacy.ops import MainframeOperator


def one():
    return 1


with DAG("first", start_date=datetime(2024, 1, 1), schedule=None) as first:
    a = PythonOperator(task_id="a", python_callable=one)
    b = PythonOperator(task_id="b", python_callable=one)
    a >> b

second = DAG("second", start_date=datetime(2024, 1, 1), schedule=None)
c = PythonOperator(task_id="c", python_callable=one, dag=second)
mainframe = MainframeOperator(task_id="mainframe", dag=second)
"""


@pytest.fixture
def dags(tmp_path: Path) -> Path:
    folder = tmp_path / "airflow_dags"
    shutil.copytree(project_root() / "airflow_dags", folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "two.py").write_text(TWO_DAGS)
    return folder


def test_proxy_then_rollback_restores_the_file(dags: Path):
    original = (dags / "orders_daily.py").read_bytes()
    change = proxy(dags, "orders_daily", ["load_orders"], all_tasks=False, **FORCED)
    assert change.block == "added" and change.proxied == ["load_orders"]
    assert yaml.safe_load((dags / "proxied_state" / "orders_daily.yaml").read_text()) == {
        "tasks": [{"id": "load_orders", "proxied": True}]
    }
    change = proxy(dags, "orders_daily", ["build_daily_revenue"], all_tasks=False, **FORCED)
    assert change.block == "unchanged" and change.proxied == ["load_orders", "build_daily_revenue"]
    assert rollback(dags, "orders_daily", ["load_orders"], all_tasks=False).proxied == ["build_daily_revenue"]
    assert (dags / "orders_daily.py").read_bytes() != original
    change = rollback(dags, "orders_daily", ["build_daily_revenue"], all_tasks=False)
    assert change.block == "removed"
    assert (dags / "orders_daily.py").read_bytes() == original
    assert not (dags / "proxied_state" / "orders_daily.yaml").exists()


def test_a_change_to_the_proxied_state_alone_makes_airflow_parse_the_dag_file_again(dags: Path):
    # Airflow parses an unchanged DAG file only every few minutes in the runtime, a file newer than its last
    # parse at once: a state change that leaves the file's bytes alone must still make the file newer.
    file = dags / "orders_daily.py"
    proxy(dags, "orders_daily", ["load_orders"], all_tasks=False, **FORCED)
    old = 1_000_000_000
    os.utime(file, (old, old))
    text = file.read_bytes()
    proxy(dags, "orders_daily", ["build_daily_revenue"], all_tasks=False, **FORCED)
    assert file.read_bytes() == text and file.stat().st_mtime > old
    os.utime(file, (old, old))
    rollback(dags, "orders_daily", ["load_orders"], all_tasks=False)
    assert file.read_bytes() == text and file.stat().st_mtime > old


def test_all_proxies_every_task_with_an_asset(dags: Path):
    change = proxy(dags, "orders_daily", [], all_tasks=True, **FORCED)
    # start/end are pass-through and the trigger became no asset: they stay in Airflow
    assert change.proxied == [
        "load_orders",
        "load_fx_rates",
        "quality.orders_loaded",
        "quality.amounts_positive",
        "build_daily_revenue",
    ]
    rollback(dags, "orders_daily", [], all_tasks=True)
    assert not proxied_state.read(dags, "orders_daily")


@pytest.mark.parametrize(
    "dag_id, tasks, message",
    [
        ("second", ["mainframe"], "disposition NONE"),
        ("orders_daily", ["start"], "nothing to run in Dagster"),
        ("orders_daily", ["load_order"], "did you mean load_orders"),
        ("order_daily", ["load_orders"], "did you mean orders_daily"),
        ("store_kpis", ["report"], "proxy the whole DAG with `proxy store_kpis --all`"),
        ("orders_daily", [], "name the tasks"),
    ],
)
def test_refusals_change_nothing(dags: Path, dag_id: str, tasks: list[str], message: str):
    before = {p: p.read_bytes() for p in dags.rglob("*") if p.is_file()}
    with pytest.raises(MigrationError, match=message):
        proxy(dags, dag_id, tasks, all_tasks=False, **FORCED)
    after = {p: p.read_bytes() for p in dags.rglob("*") if p.is_file() and p.name != ".lock"}
    assert after == before


def test_a_dag_with_mapped_tasks_is_proxied_at_dag_level(dags: Path):
    change = proxy(dags, "store_kpis", [], all_tasks=True, **FORCED)
    assert change.level == "dag" and change.proxied == ["*"]
    assert (dags / "proxied_state" / "store_kpis.yaml").read_text() == "proxied: true\n"
    with pytest.raises(MigrationError, match="as a whole"):
        rollback(dags, "store_kpis", ["report"], all_tasks=False)
    rollback(dags, "store_kpis", [], all_tasks=True)
    assert (dags / "store_kpis.py").read_bytes() == (project_root() / "airflow_dags" / "store_kpis.py").read_bytes()


def test_two_dags_in_one_file_share_the_block(dags: Path):
    original = (dags / "two.py").read_bytes()
    proxy(dags, "first", ["a"], all_tasks=False, **FORCED)
    proxy(dags, "second", ["c"], all_tasks=False, **FORCED)
    assert rollback(dags, "first", [], all_tasks=True).block == "unchanged", "second still needs the block"
    assert rollback(dags, "second", [], all_tasks=True).block == "removed"
    assert (dags / "two.py").read_bytes() == original


def test_a_state_airlift_rejects_is_undone(dags: Path):
    proxy(dags, "orders_daily", ["load_orders"], all_tasks=False, **FORCED)
    before = (dags / "proxied_state" / "orders_daily.yaml").read_bytes()
    with proxied_state.lock(dags), pytest.raises(proxied_state.ProxiedStateError, match="airlift rejects"):
        proxied_state.write(dags, "orders_daily", {"tasks": [{"id": "x", "proxied": "yes"}]})
    assert (dags / "proxied_state" / "orders_daily.yaml").read_bytes() == before


def test_concurrent_proxy_commands_lose_nothing(dags: Path):
    """Five `proxy` commands at once on one DAG: every task ends up proxied, one block, a valid state file."""
    tasks = ["load_orders", "load_fx_rates", "quality.orders_loaded", "quality.amounts_positive", "build_daily_revenue"]
    commands = [
        subprocess.Popen(
            [sys.executable, "-m", "converters", "proxy", "orders_daily", task, "--project", str(dags.parent)]
            + ["--force", "--reason", "concurrency test"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for task in tasks
    ]
    for command in commands:
        out, error = command.communicate(timeout=300)
        assert command.returncode == 0, error
    assert proxied_state.proxied_tasks(proxied_state.read(dags, "orders_daily")) == set(tasks)
    proxied_state.validate(dags)
    assert (dags / "orders_daily.py").read_text().count("proxying_to_dagster(") == 1


def test_a_proxied_estate_scans_and_converts_as_before(dags: Path):
    """The block is invisible to the toolkit: same inventory, same generated code (no drift mid-migration)."""
    (dags / "two.py").unlink()
    proxy(dags, "orders_daily", ["load_orders"], all_tasks=False, **FORCED)
    proxy(dags, "store_kpis", [], all_tasks=True, **FORCED)
    proxied = inventory_json(scan_project(dags, use_cache=False))
    original = inventory_json(scan_project(project_root() / "airflow_dags", use_cache=False))
    assert {k: v for k, v in proxied.items() if k != "root"} == {k: v for k, v in original.items() if k != "root"}
    out = dags.parent / "dagster_defs"
    (dags.parent / "migration").mkdir(
        exist_ok=True
    )  # the checkout's record of its lifted tasks, as the committed code was made
    shutil.copy2(project_root() / "migration" / "state.json", dags.parent / "migration" / "state.json")
    convert_project(dags, out)
    committed = project_root() / "dagster_defs"
    generated = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.py")}
    assert generated == {
        p.relative_to(committed): p.read_bytes() for p in committed.rglob("*.py") if "__pycache__" not in p.parts
    }
