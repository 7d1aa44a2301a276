"""``<project>/migration/ledger.jsonl``: the history of every gate result and state change, one JSON per line.

Appending rewrites the whole file through a temporary file and one rename, under the migration folder's
lock: a process killed in the middle of a write leaves the previous ledger, never a torn line. The ledger is
meant to be committed with the project (it is the evidence a client reads in the report).

Entry kinds:
- ``gate``: ``{"kind": "gate", "dag_id", "task_id", "gate": 1..6, "name", "status": pass|fail|n/a|skipped,
  "evidence": {...}, "at"}``;
- ``state``: ``{"kind": "state", "dag_id", "task_id" (null for the whole DAG), "state", "by", "at",
  "forced": bool, "reason"}`` for proxy / rollback / decommission.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from converters.files import locked, write_atomic
from converters.ledger.state import FOLDER

GATES = {
    1: "planned",
    2: "lint and load",
    3: "structure",
    4: "materializes",
    5: "data parity",
    6: "idempotent",
}
# The state a task reaches once gates up to this one have passed (and every cheaper one).
STATE_AFTER_GATE = {1: "planned", 3: "validated", 4: "run-in-dagster", 6: "parity-proven"}
STATES = (
    "pending",
    "planned",
    "generated",
    "validated",
    "run-in-dagster",
    "parity-proven",
    "proxied",
    "decommissioned",
)
PASSING = {"pass", "n/a"}


def ledger_file(dags_folder: Path) -> Path:
    return dags_folder.resolve().parent / FOLDER / "ledger.jsonl"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def read(dags_folder: Path) -> list[dict]:
    file = ledger_file(dags_folder)
    if not file.exists():
        return []
    return [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]


def append(dags_folder: Path, entries: Iterable[dict]) -> None:
    """Add entries at the end, atomically (whole-file rename under the lock)."""
    entries = [{"at": now(), **entry} for entry in entries]
    if not entries:
        return
    file = ledger_file(dags_folder)
    with locked(file.with_name(".ledger.lock")):
        previous = file.read_bytes() if file.exists() else b""
        if previous and not previous.endswith(b"\n"):
            previous += b"\n"
        added = "".join(json.dumps(entry, sort_keys=True, default=str) + "\n" for entry in entries)
        write_atomic(file, previous + added.encode("utf-8"))


def latest_gates(entries: list[dict]) -> dict[tuple[str, str], dict[int, dict]]:
    """The last result of each gate, per (dag_id, task_id)."""
    latest: dict[tuple[str, str], dict[int, dict]] = {}
    for entry in entries:
        if entry.get("kind") == "gate":
            latest.setdefault((entry["dag_id"], entry["task_id"]), {})[entry["gate"]] = entry
    return latest


def gate_state(results: dict[int, dict], generated: bool) -> str:
    """The furthest state the consecutive passed gates prove (``generated`` when the module exists)."""
    state = "pending"
    for gate in sorted(GATES):
        result = results.get(gate)
        if result is None or result["status"] not in PASSING:
            break
        state = STATE_AFTER_GATE.get(gate, state)
        if gate == 1 and generated:
            state = "generated"
    if state == "pending" and generated:
        state = "generated"
    return state


def missing_gates(results: dict[int, dict], required: Iterable[int]) -> list[str]:
    """``"gate N (name): why"`` for each required gate whose latest result does not pass."""
    missing = []
    for gate in required:
        result = results.get(gate)
        if result is None:
            missing.append(f"gate {gate} ({GATES[gate]}) has not run")
        elif result["status"] not in PASSING:
            missing.append(f"gate {gate} ({GATES[gate]}) is {result['status']}")
    return missing
