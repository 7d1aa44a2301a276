"""Gates 4 and 6 run every selected DAG in one process (the code location imported once per ladder run): each
DAG's outcome is its own, a DAG that raises does not stop the next one, and a DAG that ends the interpreter
costs only its own outcome (the others run again apart, on a fresh Dagster side)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from converters.gates.runner import dag_request, run_dags, run_steps

DEFINITIONS = """
import os

with open(os.environ["IMPORTS_LOG"], "a") as log:  # one line per import of the location
    log.write("imported\\n")
RESOURCES = {}
"""

MODULE = """
import os

import dagster as dg
import duckdb


@dg.asset(key=["{name}", "write"])
def write():
    {before}
    with duckdb.connect(os.environ["WAREHOUSE"]) as con:
        con.execute("create or replace table {name} as select '2024-01-15' as ds, 1 as n")


ASSETS = [write]
defs = dg.Definitions(assets=ASSETS)
"""


def package(root: Path, modules: dict[str, str]) -> Path:
    pkg = root / "defs_pkg"
    (pkg / "dags").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "dags" / "__init__.py").write_text("")
    (pkg / "definitions.py").write_text(DEFINITIONS)
    for name, before in modules.items():
        (pkg / "dags" / f"{name}.py").write_text(MODULE.format(name=name, before=before or "pass"))
    return pkg


def run(root: Path, pkg: Path, modules: list[str], **kwargs) -> tuple[list[dict], list[str]]:
    data = root / "data"
    data.mkdir(exist_ok=True)
    warehouse = data / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    env = {"WAREHOUSE": str(warehouse), "IMPORTS_LOG": str(root / "imports.log")}
    started: list[str] = []
    requests = [dag_request(m, date="2024-01-15", keys=[[m, "write"]], warehouse=warehouse, paths=[]) for m in modules]
    outcomes = run_dags(pkg, requests, dagster_home=data / "home", env=env, on_running=started.append, **kwargs)
    return outcomes, started


def test_every_dag_runs_in_one_process_each_with_its_own_outcome(tmp_path: Path):
    pkg = package(tmp_path, {"first": "", "second": "", "failing": "raise ValueError('no source today')"})
    outcomes, started = run(tmp_path, pkg, ["first", "missing", "failing", "second"])
    assert started == ["first", "missing", "failing", "second"], "progress as each DAG starts"
    first, missing, failing, second = outcomes
    for ok in (first, second):
        (asset,) = ok["assets"]
        assert ok["error"] == "" and asset["success"] and asset["materialized"]
        assert asset["second"]["success"] and asset["second"]["changed"] == []  # create or replace: idempotent
    assert first["assets"][0]["tables"] == ["main.first"] and second["assets"][0]["tables"] == ["main.second"]
    assert "missing" in missing["error"] and "ModuleNotFoundError" in missing["error"], missing["error"]
    (failed,) = failing["assets"]
    assert not failed["success"] and "no source today" in failed["error"] and "second" not in failed
    assert (tmp_path / "imports.log").read_text().count("imported") == 1, "the location was imported once"


def test_a_dag_that_ends_the_interpreter_costs_only_its_own_outcome(tmp_path: Path):
    pkg = package(tmp_path, {"first": "", "dies": "os._exit(7)", "last": ""})
    events: list[str] = []
    resets: list[bool] = []

    def reset() -> None:
        resets.append(True)
        shutil.rmtree(tmp_path / "data" / "home")

    outcomes, started = run(tmp_path, pkg, ["first", "dies", "last"], on_event=events.append, reset=reset)
    assert resets == [True] and events == [
        "the gates runner's process died: each DAG runs again, in a process of its own"
    ]
    assert started == ["first", "dies", "first", "dies", "last"]  # the one process, then a process per DAG
    first, dies, last = outcomes
    assert first["assets"][0]["success"] and last["assets"][0]["success"]
    assert dies["assets"] == [] and dies["error"].startswith("dies: ")


def test_without_reset_a_dead_process_is_every_dag_s_error(tmp_path: Path):
    pkg = package(tmp_path, {"first": "", "dies": "os._exit(7)"})
    outcomes, _ = run(tmp_path, pkg, ["first", "dies"])
    assert [o["assets"] for o in outcomes] == [[], []]
    assert outcomes[0]["error"].startswith("first: ") and outcomes[1]["error"].startswith("dies: ")


GROUP = """
import os

import dagster as dg
import duckdb


@dg.multi_asset(specs=[dg.AssetSpec(["group", "stg"]), dg.AssetSpec(["group", "mart"], deps=[["group", "stg"]])])
def transform(context: dg.AssetExecutionContext):  # a task of several assets, as a cosmos group's dbt models
    with open(os.environ["RUNS_LOG"], "a") as log:
        log.write(",".join(sorted("/".join(k.path) for k in context.selected_asset_keys)) + "\\n")
    with duckdb.connect(os.environ["WAREHOUSE"]) as con:
        for key in sorted(context.selected_asset_keys, key=lambda k: k.path[-1] != "stg"):
            con.execute(f"create or replace table {key.path[-1]} as select '2024-01-15' as ds, 1 as n")
            yield dg.MaterializeResult(asset_key=key)


@dg.asset(key=["group", "report"], deps=[["group", "mart"]])
def report():
    pass


ASSETS = [transform, report]
defs = dg.Definitions(assets=ASSETS)
"""


def test_the_assets_of_one_task_run_together_once_per_gate(tmp_path: Path):
    """A task that became several assets (a dbt group's models) is one Dagster run, as Airflow ran it once, not one
    run per asset: its tables go to its first key (gate 5 judges the task), the second run is the same."""
    pkg = package(tmp_path, {})
    (pkg / "dags" / "group.py").write_text(GROUP)
    keys = [["group", "stg"], ["group", "mart"], ["group", "report"]]
    tasks = {"transform": keys[:2], "report": keys[2:]}
    assert run_steps(keys, tasks) == [keys[:2], keys[2:]]
    assert run_steps(keys, {}) == [[k] for k in keys], "keys no task claims run alone"
    assert run_steps([keys[0], keys[2], keys[1]], tasks) == [[keys[0]], [keys[2]], [keys[1]]], "only neighbours"
    data = tmp_path / "data"
    data.mkdir()
    warehouse = data / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    env = {
        "WAREHOUSE": str(warehouse),
        "IMPORTS_LOG": str(tmp_path / "imports.log"),
        "RUNS_LOG": str(tmp_path / "runs"),
    }
    request = dag_request("group", date="2024-01-15", keys=keys, warehouse=warehouse, paths=[], tasks=tasks)
    (outcome,) = run_dags(pkg, [request], dagster_home=data / "home", env=env)
    assert outcome["error"] == ""
    stg, mart, report = outcome["assets"]
    assert (tmp_path / "runs").read_text().splitlines() == ["group/mart,group/stg"] * 2, "one run each time"
    assert stg["run_id"] == mart["run_id"] != report["run_id"]
    assert all(a["success"] and a["materialized"] for a in (stg, mart, report))
    assert stg["tables"] == ["main.mart", "main.stg"] and mart["tables"] == [] and report["tables"] == []
    assert stg["second"]["run_id"] == mart["second"]["run_id"] and stg["second"]["changed"] == []
