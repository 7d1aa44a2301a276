"""`status`: where each task of the estate runs now, read from the plan, the proxied state and, when the
side-by-side runtime is up, from Airflow's REST API and Dagster's GraphQL API."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from converters.airlift import proxied_state
from converters.flow import load_plan
from converters.gates import registry
from converters.ledger import ledger
from converters.ledger.tasks import task_state, where_it_runs
from converters.migrate import live_runtime

AIRFLOW_INSTANCE = "airflow"  # AIRFLOW_INSTANCE_NAME the runtime gives Dagster: DAG assets are airflow/dag/<id>


def project_status(root: Path) -> dict:
    dags_folder = root / "airflow_dags"
    plan = load_plan(dags_folder)
    state = live_runtime(root)
    running = state is not None
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
            "modernized": planned.modernized,
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
            runs_in = where_it_runs(planned, task, entry["dag_proxied"], proxied)
            observable = running and task.has_asset
            results = gates.get((dag_id, task.task.task_id), {})
            events = dagster.materializations(list(task.key), limit=1) if dagster and not task.passthrough else None
            entry["tasks"].append(
                {
                    "task_id": task.task.task_id,
                    "disposition": task.disposition,
                    "rule": task.rule,
                    "asset_key": None if task.passthrough else list(task.key),
                    "runs_in": runs_in,
                    "state": task_state(planned, task, runs_in, registry.gate_state(results, generated)),
                    "observed": (events is not None and not planned.decommissioned) if observable else None,
                    "last_materialization": _event(events[0]) if events else None,
                }
            )
        result["dags"].append(entry)
    return result


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
