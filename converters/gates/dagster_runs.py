"""The work gates 4–6 share: every selected DAG's assets run in a real Dagster instance for the date, twice.

The Dagster side starts empty for every ladder run and date (nothing it did not write itself). DAGs run
upstream first (a DAG reading another DAG's assets after it), the rest in the order Airflow's runs for the
date finished. ``runner.py`` runs each asset on its own, notes the tables it changed, then runs it again: every
DAG in one process (the location imported once), or a process per DAG when that process dies.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from converters.gates import runner
from converters.gates.context import Context
from converters.gates.tables import Warehouse


class TaskRun(NamedTuple):
    """One task's share of its DAG's Dagster run."""

    dag_id: str
    task_id: str
    runs: list[dict]  # one per asset of the task (``runner.run_dag``'s assets, second run included)
    error: str  # the DAG run's error, if any
    states: dict[str, str] | None  # Airflow's task states for the date, when the runtime is up


@dataclass
class DagsterRuns:
    tasks: list[TaskRun]
    dagster_warehouse: Warehouse
    airflow_warehouse: Warehouse | None  # None without an Airflow run to compare with


def skipped_in_airflow(states: dict[str, str] | None, task_id: str) -> bool:
    return bool(states) and states.get(task_id) == "skipped"


def run_dags(ctx: Context) -> DagsterRuns:
    shutil.rmtree(ctx.data, ignore_errors=True)  # the Dagster side starts empty: nothing it did not write itself
    dagster_wh = Path(ctx.expand(ctx.config["dagster_warehouse"]))
    date_column = ctx.config.get("date_column", "ds")
    paths = [str(ctx.data)] + ([str(ctx.airflow.data_dir)] if ctx.airflow.data_dir else [])
    dagster_side = Warehouse(dagster_wh, ctx.date, date_column, paths)
    airflow_side = (
        Warehouse(Path(ctx.expand(ctx.config["airflow_warehouse"])), ctx.date, date_column, paths)
        if ctx.airflow.data_dir
        else None
    )
    graph = ctx.graph
    selected: dict[str, object] = {}
    for planned in ctx.selected:
        selected.setdefault(planned.dag.dag_id, planned)
    order = [
        d for d in run_order(graph, [d.dag.dag_id for d in ctx.selected], ctx.airflow.finished(ctx.date)) if d in graph
    ]
    module_dag = {graph[dag_id]["module"]: dag_id for dag_id in order}
    requests = []
    for dag_id in order:
        conf = ctx.airflow.conf(dag_id)
        requests.append(
            runner.dag_request(
                graph[dag_id]["module"],
                date=ctx.date,
                keys=graph[dag_id]["order"],
                warehouse=dagster_wh,
                paths=paths,
                date_column=date_column,
                tags={"airflow/conf": json.dumps(conf)} if conf else {},
                sensors=sorted(graph[dag_id].get("sensors") or {}),
                tasks=graph[dag_id]["tasks"],
            )
        )

    def running(module: str) -> None:
        ctx.on_event(f"running {module_dag.get(module, module)}'s assets in Dagster for {ctx.date}")

    outcomes = runner.run_dags(
        ctx.package,
        requests,
        dagster_home=ctx.data / "dagster_home",
        env=ctx.env,
        on_running=running,
        on_event=ctx.on_event,
        reset=lambda: shutil.rmtree(ctx.data, ignore_errors=True),
    )
    tasks: list[TaskRun] = []
    for dag_id, outcome in zip(order, outcomes, strict=True):
        planned = selected.get(dag_id)
        if planned is None:
            continue  # an upstream DAG run for its data only
        states = ctx.airflow.task_states(dag_id)
        by_key = {json.dumps(a["key"]): a for a in outcome["assets"]}
        for task in ctx.tasks_of(planned):
            tid = task.task.task_id
            keys = [json.dumps(k) for k in graph[dag_id]["tasks"].get(tid, [])]
            runs = [by_key[k] for k in keys if k in by_key]
            check = (graph[dag_id].get("checks") or {}).get(tid)
            if check is not None:
                runs = check_runs(by_key.get(json.dumps(check["asset"])), check)
            if tid in (graph[dag_id].get("sensors") or {}):  # a sensor task: its sensor's poke for the date
                runs = [outcome["sensors"][tid]] if tid in outcome.get("sensors", {}) else []
            tasks.append(TaskRun(dag_id, tid, runs, outcome["error"], states))
    return DagsterRuns(tasks, dagster_side, airflow_side)


def check_runs(asset_run: dict | None, check: dict) -> list[dict]:
    """A quality task that became an asset check, as gates 4-6 judge a task: it ran (materialized) and passed
    when its asset ran, each time; it writes no table (``modernize`` made it a check because it wrote none)."""
    if asset_run is None:
        return []

    def evaluation(run: dict) -> dict | None:
        return next((c for c in run.get("checks", []) if c["name"] == check["name"]), None)

    first = evaluation(asset_run)
    run = {
        "key": [*check["asset"], check["name"]],
        "run_id": asset_run.get("run_id"),
        "partition": asset_run.get("partition"),
        "success": bool(asset_run.get("success") and first and first["passed"]),
        "materialized": bool(first and first["passed"]),
        "seconds": asset_run.get("seconds"),
        "error": asset_run.get("error") or ("" if first else "the asset check did not run with its asset"),
        "tables": [],
    }
    if "second" in asset_run:
        again = evaluation(asset_run["second"])
        ok = bool(asset_run["second"].get("success") and again and again["passed"])
        run["second"] = {"success": ok, "changed": []}
    return [run]


def run_order(graph: dict, dag_ids: list[str], finished: list[str] | None = None) -> list[str]:
    """``dag_ids`` and every DAG they read from, upstream first; among the rest, in the order Airflow's runs
    for the date finished (a sensor waiting for another DAG's data ran after it there), then by id."""
    rank = {dag: n for n, dag in enumerate(finished or [])}
    owner = {json.dumps(k): dag for dag, g in graph.items() for keys in g["tasks"].values() for k in keys}
    needs: dict[str, set[str]] = {}
    for dag, g in graph.items():
        needs[dag] = {owner[json.dumps(d)] for deps in g["deps"].values() for d in deps if json.dumps(d) in owner} - {
            dag
        }
    wanted: set[str] = set()
    stack = list(dag_ids)
    while stack:
        dag = stack.pop()
        if dag in wanted:
            continue
        wanted.add(dag)
        stack.extend(needs.get(dag, ()))
    order: list[str] = []
    while len(order) < len(wanted):
        ready = [d for d in wanted - set(order) if needs.get(d, set()) & wanted <= set(order)]
        ready = sorted(ready or wanted - set(order), key=lambda d: (rank.get(d, len(rank)), d))
        order.append(ready[0])
    return order
