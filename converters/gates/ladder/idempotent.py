"""Gate 6, idempotent: running the task again for the same partition leaves its tables identical."""

from __future__ import annotations

from collections.abc import Iterator

from converters.gates.context import Context
from converters.gates.dagster_runs import skipped_in_airflow
from converters.gates.gate import Gate, Outcome


def check(ctx: Context) -> Iterator[Outcome]:
    for task in ctx.dagster.tasks:
        runs = task.runs
        changed = sorted({t for r in runs for t in r.get("second", {}).get("changed", [])})
        again_ok = all(r.get("second", {}).get("success") for r in runs if r["success"])
        status = "pass" if again_ok and not changed else "fail"
        if not runs or not any(r["success"] for r in runs):
            status = "n/a" if skipped_in_airflow(task.states, task.task_id) else "fail"
        evidence = {"changed_on_second_run": changed, "second_runs_ok": again_ok}
        yield Outcome(task.dag_id, task.task_id, status, evidence)


GATE = Gate(6, "idempotent", check, proves="parity-proven", batch="dagster")
