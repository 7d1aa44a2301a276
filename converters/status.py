"""`status`: where each task of the estate runs now, read from the plan, the proxied state and, when the
side-by-side runtime is up, from Airflow's REST API and Dagster's GraphQL API."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from converters.airlift import proxied_state
from converters.gates import registry
from converters.ledger import ledger
from converters.migrate import load_plan
from converters.rules.base import NONE
from converters.runtime import side_by_side

AIRFLOW_INSTANCE = "airflow"  # AIRFLOW_INSTANCE_NAME the runtime gives Dagster: DAG assets are airflow/dag/<id>


def project_status(root: Path) -> dict:
    dags_folder = root / "airflow_dags"
    plan = load_plan(dags_folder)
    state = side_by_side.load_state(root)
    running = state is not None and all(state.alive().values())
    airflow = state.airflow() if running else None
    dagster = state.dagster() if running else None
    airflow_dags = {d["dag_id"]: d for d in airflow.dags()} if airflow else {}
    result = {
        "project": str(root),
        "runtime": {
            "running": running,
            "airflow_url": state.airflow_url if running else None,
            "dagster_url": state.dagster_url if running else None,
        },
        "dags": [],
    }
    entries = ledger.read(dags_folder)
    gates = ledger.latest_gates(entries)
    result["ledger"] = entries
    for planned in plan.dags:
        dag_id = planned.dag.dag_id
        current = proxied_state.read(dags_folder, dag_id)
        in_airflow = dag_id in airflow_dags
        dag_asset = dagster.materializations([AIRFLOW_INSTANCE, "dag", dag_id], limit=1) if dagster else None
        entry = {
            "dag_id": dag_id,
            "file": planned.dag.source.file,
            "proxy_level": planned.proxy_level,
            "decommissioned": planned.decommissioned,
            "dag_proxied": proxied_state.dag_level(current),
            "in_airflow": in_airflow if running else None,
            "paused": airflow_dags[dag_id].get("is_paused") if in_airflow else None,
            "observed": (dag_asset is not None) if running else None,
            "last_airflow_run": _last_run(airflow, dag_id) if in_airflow else None,
            "tasks": [],
        }
        proxied = proxied_state.proxied_tasks(current)
        generated = (root / "dagster_defs" / "dags" / f"{planned.module}.py").exists()
        for task in planned.tasks:
            has_asset = task.disposition != NONE and not task.passthrough
            runs_in = where_it_runs(planned, task, entry["dag_proxied"], proxied)
            events = dagster.materializations(list(task.key), limit=1) if dagster and not task.passthrough else None
            entry["tasks"].append(
                {
                    "task_id": task.task.task_id,
                    "disposition": task.disposition,
                    "rule": task.rule,
                    "asset_key": None if task.passthrough else list(task.key),
                    "runs_in": runs_in,
                    "state": task_state(planned, task, runs_in, gates.get((dag_id, task.task.task_id), {}), generated),
                    "observed": (events is not None and not planned.decommissioned) if running and has_asset else None,
                    "last_materialization": _event(events[0]) if events else None,
                }
            )
        result["dags"].append(entry)
    return result


def where_it_runs(planned, task, dag_proxied: bool, proxied: set[str]) -> str:
    """Which side runs the task now, and why, from the plan and the proxied state."""
    if planned.decommissioned:
        return "Dagster (decommissioned)"
    if task.disposition == NONE:
        return "Airflow (no Dagster equivalent)"
    if task.passthrough:
        return "Airflow (no asset needed)"
    if dag_proxied or task.task.task_id in proxied:
        return "Dagster (proxied)"
    return "Airflow"


def task_state(planned, task, runs_in: str, gates: dict, generated: bool) -> str:
    """pending → planned → generated → validated → run-in-dagster → parity-proven → proxied → decommissioned,
    or deferred (with the reason) for a task that has no Dagster equivalent."""
    if planned.decommissioned:
        return "decommissioned"
    if task.disposition == NONE:
        return f"deferred: {task.reason}"
    if runs_in == "Dagster (proxied)":
        return "proxied"
    if task.passthrough:
        return "no asset needed"
    return registry.gate_state(gates, generated)


def _last_run(airflow, dag_id: str) -> dict | None:
    runs = airflow.dag_runs(dag_id)
    if not runs:
        return None
    run = max(runs, key=lambda r: r.get("start_date") or r.get("queued_at") or "")
    return {"run_id": run["dag_run_id"], "state": run["state"], "logical_date": run.get("logical_date")}


def _event(event: dict) -> dict:
    when = datetime.fromtimestamp(float(event["timestamp"]) / 1000, UTC).isoformat(timespec="seconds")
    return {
        "when": when,
        "run_id": event["runId"] or None,
        "partition": event.get("partition"),
        # Materializations airlift records from Airflow's runs have no Dagster run.
        "source": "Dagster run" if event["runId"] else "observed in Airflow",
    }
