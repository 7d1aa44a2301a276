"""The registry: every gate of ``converters/gates/ladder/``, cheapest first, and what a task's results say.

Everything that lists gates reads them here: the ladder (``run.py``), the CLI's table and failure lines,
``proxy``'s requirements (``REQUIRED``), the state a task's gates prove (``gate_state``, shown by ``status``
and the report), and the report's one-line evidence summaries.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable

from converters.gates import ladder
from converters.gates.gate import Gate, failure_lines_of, summary_of
from converters.ledger.ledger import PASSING, STATES


def _discover() -> tuple[Gate, ...]:
    """The ``GATE`` of every module of ``converters/gates/ladder/``, by number; two with one number is an error."""
    gates = [
        importlib.import_module(f"{ladder.__name__}.{module.name}").GATE
        for module in pkgutil.iter_modules(ladder.__path__)
    ]
    gates.sort(key=lambda gate: gate.number)
    numbers = [gate.number for gate in gates]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"two gates share a number in converters/gates/ladder/: {numbers}")
    return tuple(gates)


GATES: tuple[Gate, ...] = _discover()
BY_NUMBER: dict[int, Gate] = {gate.number: gate for gate in GATES}
REQUIRED: tuple[int, ...] = tuple(gate.number for gate in GATES if gate.required)  # what `proxy` needs


def name(number: int) -> str:
    return BY_NUMBER[number].name


def summary(entry: dict) -> str:
    """A ledger entry's evidence in one line, as its gate tells it."""
    gate = BY_NUMBER.get(entry["gate"])
    return (gate.summary if gate else summary_of)(entry.get("evidence") or {})


def failure_lines(number: int, evidence: dict) -> list[str]:
    """Why a gate failed, as its gate tells it (the lines the CLI prints under the failure)."""
    gate = BY_NUMBER.get(number)
    return (gate.failure_lines if gate else failure_lines_of)(evidence)


def is_finding(number: int, status: str, evidence: dict) -> bool:
    """Whether a result counts against the run (exit 1): a failure its gate does not call by design."""
    gate = BY_NUMBER.get(number)
    return status == "fail" and (gate is None or gate.finding(evidence))


def gate_state(results: dict[int, dict], generated: bool) -> str:
    """The furthest state (``ledger.STATES``) the consecutive passed gates prove; ``generated`` (the task's
    module exists) sits between planned and validated."""
    state = "pending"
    for gate in GATES:
        result = results.get(gate.number)
        if result is None or result["status"] not in PASSING:
            break
        state = gate.proves or state
    if generated and STATES.index(state) < STATES.index("generated"):
        return "generated"
    return state


def missing_gates(results: dict[int, dict], required: Iterable[int] = REQUIRED) -> list[str]:
    """``"gate N (name) has not run"`` or ``"... is <status>"`` for each required gate whose latest result does
    not pass (n/a passes)."""
    missing = []
    for number in required:
        result = results.get(number)
        if result is None:
            missing.append(f"{BY_NUMBER[number].label} has not run")
        elif result["status"] not in PASSING:
            missing.append(f"{BY_NUMBER[number].label} is {result['status']}")
    return missing
