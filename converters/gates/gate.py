"""The ``Gate`` record: one rung of the ladder, defined in one module of ``converters/gates/ladder/``.

A gate says what it is (number, name), what it runs (``check``: one ``Outcome`` per task of the ladder), what
passing it proves (the state a task reaches), and how its evidence is told: one line in the report
(``summary``) and the lines the CLI prints under a failure (``failure_lines``). Everything that lists gates — the
CLI's table, the ledger's states, ``proxy``'s requirements, the report — reads them from the registry
(``converters/gates/registry.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from converters.gates.context import Ladder


class Outcome(NamedTuple):
    """A gate's verdict on one task; the ladder turns it into a ``GateResult`` (and may mark it skipped)."""

    dag_id: str
    task_id: str
    status: str  # pass | fail | n/a
    evidence: dict


def summary_of(evidence: dict) -> str:
    """The report's one line for evidence a gate has no summary of its own for: its most telling field."""
    for key in ("command", "detail", "reason", "disposition"):
        if evidence.get(key):
            return f"{key}: {evidence[key]}"
    return ""


def failure_lines_of(evidence: dict) -> list[str]:
    """What the CLI prints under a failure a gate has no lines of its own for: the evidence, cut short."""
    text = json.dumps(evidence, default=str)
    return [text[:800]]


def always(evidence: dict) -> bool:
    return True


@dataclass(frozen=True)
class Gate:
    number: int  # the ladder's order: cheapest first
    name: str
    check: Callable[[Ladder], Iterable[Outcome]]  # what it runs: one outcome per task of the ladder
    proves: str | None = None  # the state (ledger.STATES) a task reaches once this gate and every cheaper one passed
    summary: Callable[[dict], str] = summary_of  # its evidence in one line (the report)
    failure_lines: Callable[[dict], list[str]] = failure_lines_of  # why it failed (the CLI, under the table)
    finding: Callable[[dict], bool] = always  # whether a failure counts for the exit code (gate 1: NONE is by design)
    batch: str | None = None  # gates judging one shared piece of work (the Dagster runs) are announced together
    required: bool = True  # `proxy` needs it passed (or n/a) unless --force

    @property
    def label(self) -> str:
        return f"gate {self.number} ({self.name})"
