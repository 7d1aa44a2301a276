"""What a side-by-side verb needs, checked before it changes anything: each check raises ``PreflightError``.

`proxy`, `rollback`, `decommission` and `gates` call these first (the CLI shows the error as one line, exit 2):
the DAG is in the plan, the tasks named are its tasks, the date is a date, and when an Airflow is at hand the DAG
belongs to its line and Airflow has parsed it — so no DAG file, proxied state or ledger line is written for a DAG
the running Airflow cannot run (a DAG of ``airflow3_only/`` while the runtime runs Airflow 2, say).
"""

from __future__ import annotations

import difflib
from datetime import date as calendar_date
from pathlib import Path

from converters.plan import Plan, PlannedDag, PlannedTask, UnknownDag, find_dag
from converters.runtime.airflow import VERSION_ONLY_FOLDERS
from converters.runtime.airflow_api import AirflowClient
from converters.runtime.errors import PreflightError


def require_dag(plan: Plan, dag_id: str) -> PlannedDag:
    """The planned DAG; its absence names close ids."""
    try:
        return find_dag(plan, dag_id)
    except UnknownDag as exc:
        raise PreflightError(str(exc)) from exc


def require_task(planned: PlannedDag, task_id: str) -> PlannedTask:
    """The DAG's task ``task_id``; its absence names close ids."""
    by_id = {t.task.task_id: t for t in planned.tasks}
    if task_id in by_id:
        return by_id[task_id]
    close = difflib.get_close_matches(task_id, list(by_id), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise PreflightError(f"{planned.dag.dag_id} has no task {task_id!r}{hint}")


def require_date(value: str) -> str:
    """A logical date as the gates take it: ``YYYY-MM-DD``."""
    try:
        valid = len(value) == len("YYYY-MM-DD") and bool(calendar_date.fromisoformat(value))  # not 20240115
    except ValueError:
        valid = False
    if not valid:
        raise PreflightError(f"--date {value!r} is not a date (YYYY-MM-DD)")
    return value


def dag_line(planned: PlannedDag) -> int | None:
    """The one Airflow line whose DAGs folder holds the DAG's file (``airflow2_only/``…), None when both."""
    top = Path(planned.dag.source.file).parts[0]
    return next((line for line, folder in VERSION_ONLY_FOLDERS.items() if folder == top), None)


def require_line(planned: PlannedDag, version: int, where: str, remedy: str = "") -> None:
    """The DAG belongs to Airflow ``version``; ``where`` names that Airflow, ``remedy`` (``{line}``: the DAG's
    line) what to do instead (default: restart the runtime on the DAG's line)."""
    line = dag_line(planned)
    if line is not None and line != version:
        remedy = remedy or "`airflow-to-dagster runtime down`, then `runtime up --airflow {line}`"
        raise PreflightError(
            f"{planned.dag.dag_id} is an Airflow {line} DAG ({planned.dag.source.file}) and {where} is "
            f"Airflow {version}: {remedy.format(line=line)}"
        )


def require_in_airflow(planned: PlannedDag, airflow: AirflowClient) -> None:
    """Airflow ``airflow`` runs the DAG: of its line, parsed and active."""
    require_line(planned, airflow.version, f"the Airflow at {airflow.url}")
    dag_id = planned.dag.dag_id
    if airflow.has_dag(dag_id):
        return
    broken = [e for e in airflow.import_errors() if str(e.get("filename", "")).endswith(planned.dag.source.file)]
    if broken:
        last = (str(broken[0].get("stack_trace") or "").strip().splitlines() or ["?"])[-1]
        raise PreflightError(f"{airflow.name} has no DAG {dag_id!r}: its file does not import ({last.strip()})")
    raise PreflightError(f"{airflow.name} has no DAG {dag_id!r} (not parsed yet, or its file no longer defines it)")
