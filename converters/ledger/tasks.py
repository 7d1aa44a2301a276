"""Where each planned task runs now and how far its migration has come, from the plan, the proxied state and
what the ledger's gate results prove (the report and `status` state it the same way)."""

from __future__ import annotations

from converters.rules.base import NONE


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


def task_state(planned, task, runs_in: str, proven: str) -> str:
    """pending → planned → generated → validated → run-in-dagster → parity-proven → proxied → decommissioned →
    modernized,
    or deferred (with the reason) for a task that has no Dagster equivalent. ``proven``: the state the task's
    gate results prove (``gates.registry.gate_state``)."""
    if planned.modernized and planned.decommissioned:
        return "modernized"
    if planned.decommissioned:
        return "decommissioned"
    if task.disposition == NONE:
        return f"deferred: {task.reason}"
    if runs_in == "Dagster (proxied)":
        return "proxied"
    if task.passthrough:
        return "no asset needed"
    return proven
