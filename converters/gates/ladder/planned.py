"""Gate 1, planned: the scan and the rules gave the task a disposition other than NONE."""

from __future__ import annotations

from collections.abc import Iterator

from converters.gates.context import Context
from converters.gates.gate import Gate, Outcome
from converters.rules.base import NONE


def check(ctx: Context) -> Iterator[Outcome]:
    for planned in ctx.selected:
        for task in ctx.tasks_of(planned):
            status = "fail" if task.disposition == NONE else "pass"
            evidence = {"rule": task.rule, "disposition": task.disposition, "reason": task.reason}
            yield Outcome(planned.dag.dag_id, task.task.task_id, status, evidence)


def finding(evidence: dict) -> bool:
    """A NONE task failing this gate is no finding: it stays in Airflow by design (deferred)."""
    return evidence.get("disposition") != NONE


GATE = Gate(1, "planned", check, proves="planned", finding=finding)
