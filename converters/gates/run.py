"""The ladder: every registered gate in turn, cheapest first, for the selected tasks; results to the ledger.

A task's ladder stops at its first failing gate: its later results are recorded as ``skipped``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from converters.gates import registry
from converters.gates.airflow import AirflowSide
from converters.gates.context import Context, load_config
from converters.gates.gate import Gate
from converters.ledger import ledger
from converters.plan import Plan


@dataclass
class GateResult:
    dag_id: str
    task_id: str
    gate: int
    status: str  # pass | fail | n/a | skipped
    evidence: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return registry.name(self.gate)

    def entry(self) -> dict:
        return {"kind": "gate", "name": self.name, **asdict(self)}

    def failure_lines(self) -> list[str]:
        return registry.failure_lines(self.gate, self.evidence)


@dataclass
class GatesReport:
    date: str
    results: list[GateResult]

    def for_task(self, dag_id: str, task_id: str) -> list[GateResult]:
        return [r for r in self.results if r.dag_id == dag_id and r.task_id == task_id]

    @property
    def failed(self) -> list[GateResult]:
        return [r for r in self.results if r.status == "fail"]

    @property
    def findings(self) -> list[GateResult]:
        """The failures that count (a NONE task failing gate 1 is deferred by design, not a finding)."""
        return [r for r in self.failed if registry.is_finding(r.gate, r.status, r.evidence)]

    @property
    def exit_code(self) -> int:
        return 1 if self.findings else 0


def run_gates(
    project: Path,
    plan: Plan,
    dag_ids: list[str],
    *,
    date: str,
    airflow: AirflowSide,
    task_id: str | None = None,
    scratch: Path,
    on_event: Callable[[str], None] = lambda message: None,
) -> GatesReport:
    """Run the ladder for the tasks of ``dag_ids`` (one task with ``task_id``); results also go to the ledger."""
    selected = [d for d in plan.dags if d.dag.dag_id in dag_ids]
    ctx = Context(project, selected, date, airflow, task_id, load_config(project), scratch, on_event)
    results: dict[tuple[str, str], list[GateResult]] = {}
    for n, gate in enumerate(registry.GATES):
        for outcome in gate.check(ctx):
            _record(results, GateResult(outcome.dag_id, outcome.task_id, gate.number, outcome.status, outcome.evidence))
        following = registry.GATES[n + 1] if n + 1 < len(registry.GATES) else None
        if gate.batch is None or following is None or following.batch != gate.batch:
            on_event(_done(gate))
    report = GatesReport(date, [r for rs in results.values() for r in rs])
    ledger.append(project / "airflow_dags", [r.entry() | {"date": date} for r in report.results])
    return report


def _record(results: dict[tuple[str, str], list[GateResult]], result: GateResult) -> None:
    """Add a result; after a failed (or skipped) gate a task's later results are ``skipped``."""
    key = (result.dag_id, result.task_id)
    if any(r.status in ("fail", "skipped") for r in results.get(key, [])):
        result = GateResult(result.dag_id, result.task_id, result.gate, "skipped", {"after": "a failed gate"})
    results.setdefault(key, []).append(result)


def _done(gate: Gate) -> str:
    """``gate 1 (planned) done``, or for the gates of one batch ending here, ``gates 4-6 done``."""
    if gate.batch is None:
        return f"{gate.label} done"
    batch = [g.number for g in registry.GATES if g.batch == gate.batch]
    return f"gates {batch[0]}-{batch[-1]} done" if len(batch) > 1 else f"{gate.label} done"
