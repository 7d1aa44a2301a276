"""Gate 4, materializes: the task's assets materialize in a real Dagster run for the date's partition (or,
where Airflow skipped the task — a branch not taken — Dagster skipped it too)."""

from __future__ import annotations

from collections.abc import Iterator

from converters.gates.context import Context
from converters.gates.dagster_runs import TaskRun, skipped_in_airflow
from converters.gates.gate import Gate, Outcome, failure_lines_of, summary_of

RUN_FIELDS = ("key", "run_id", "partition", "success", "materialized", "seconds", "error")


def check(ctx: Context) -> Iterator[Outcome]:
    for task in ctx.dagster.tasks:
        yield judge(task)


def judge(task: TaskRun) -> Outcome:
    if not task.runs:
        return Outcome(task.dag_id, task.task_id, "fail", {"error": task.error or "no executable asset for this task"})
    evidence = {"runs": [{k: r.get(k) for k in RUN_FIELDS} for r in task.runs]}
    if all(r["success"] and r["materialized"] for r in task.runs):
        return Outcome(task.dag_id, task.task_id, "pass", evidence)
    if all(r["success"] for r in task.runs) and skipped_in_airflow(task.states, task.task_id):
        evidence |= {"skipped": "skipped on both sides, as in Airflow"}
        return Outcome(task.dag_id, task.task_id, "pass", evidence)
    return Outcome(task.dag_id, task.task_id, "fail", evidence)


def summary(evidence: dict) -> str:
    if not evidence.get("runs"):
        return summary_of(evidence)
    return "; ".join(
        f"Dagster run {r.get('run_id')}: {'success' if r.get('success') else 'failed'}" for r in evidence["runs"]
    )


def failure_lines(evidence: dict) -> list[str]:
    """Per asset that did not materialize: its Dagster run and the line of the error that names what was raised."""
    if "runs" not in evidence:
        return failure_lines_of(evidence)
    lines = []
    for run in evidence["runs"]:
        if run.get("success") and run.get("materialized"):
            continue
        error = [line.strip() for line in (run.get("error") or "").splitlines() if line.strip(" ^~\t")]
        raised = [line for line in error if "Error" in line.split(":", 1)[0] or "Exception" in line]
        what = (raised or error or ["ran, but materialized nothing (Airflow's task was not skipped)"])[-1]
        lines.append(f"{'/'.join(run['key'])} (Dagster run {run.get('run_id')}): {what}")
    return lines


GATE = Gate(
    4, "materializes", check, proves="run-in-dagster", summary=summary, failure_lines=failure_lines, batch="dagster"
)
