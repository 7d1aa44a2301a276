"""``<project>/migration/ledger.jsonl``: the history of every gate result and state change, one JSON per line.

Appending rewrites the whole file through a temporary file and one rename, under the migration folder's
lock: a process killed in the middle of a write leaves the previous ledger, never a torn line. The ledger is
meant to be committed with the project (it is the evidence a client reads in the report).

Entry kinds:
- ``gate``: ``{"kind": "gate", "dag_id", "task_id", "gate": its number, "name", "status": pass|fail|n/a|skipped,
  "evidence": {...}, "at"}`` (the gates are ``converters/gates/registry.py``'s, which also says what a task's
  results prove);
- ``state``: ``{"kind": "state", "dag_id", "task_id" (null for the whole DAG), "state", "by", "at",
  "forced": bool, "reason"}`` for proxy / rollback / decommission / modernize;
- ``modernize``: ``{"kind": "modernize", "dag_id", "date", "checks", "faithful", "tables": {table: {"before",
  "after"}}, "same": bool, "gates": {task: {gate: status}}}``: the gates' evidence after `modernize` (gate 5's
  rows and checksums) next to the evidence before it.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from converters.files import locked, write_atomic
from converters.ledger.state import FOLDER

# A task's states in order; each gate says which one it proves (``Gate.proves``).
STATES = (
    "pending",
    "planned",
    "generated",
    "validated",
    "run-in-dagster",
    "parity-proven",
    "proxied",
    "decommissioned",
    "modernized",
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
