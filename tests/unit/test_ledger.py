"""The ledger: atomic appends, the state a task's gates prove, and a kill in the middle of a write."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from converters.gates import registry
from converters.ledger import ledger


def gate(dag: str, task: str, number: int, status: str) -> dict:
    return {"kind": "gate", "dag_id": dag, "task_id": task, "gate": number, "status": status, "evidence": {}}


def test_entries_are_appended_and_read_back(tmp_path: Path):
    dags = tmp_path / "airflow_dags"
    ledger.append(dags, [gate("d", "t", 1, "pass")])
    ledger.append(dags, [gate("d", "t", 2, "pass"), gate("d", "t", 2, "fail")])
    entries = ledger.read(dags)
    assert [e["status"] for e in entries] == ["pass", "pass", "fail"]
    assert all("at" in e for e in entries)
    assert ledger.latest_gates(entries)[("d", "t")][2]["status"] == "fail", "the latest result counts"


def test_states_follow_consecutive_passed_gates():
    results = {n: gate("d", "t", n, "pass") for n in (1, 2, 3, 4)}
    assert registry.gate_state({}, generated=False) == "pending"
    assert registry.gate_state({1: results[1]}, generated=False) == "planned"
    assert registry.gate_state({1: results[1]}, generated=True) == "generated"
    assert registry.gate_state(results, generated=True) == "run-in-dagster"
    full = results | {5: gate("d", "t", 5, "n/a"), 6: gate("d", "t", 6, "pass")}
    assert registry.gate_state(full, generated=True) == "parity-proven"
    broken = full | {3: gate("d", "t", 3, "fail")}
    assert registry.gate_state(broken, generated=True) == "generated", "a failed gate stops the ladder"
    assert registry.missing_gates(broken, (1, 2, 3, 4, 5, 6)) == ["gate 3 (structure) is fail"]
    assert registry.missing_gates({}, (1,)) == ["gate 1 (planned) has not run"]


WRITER = """
import sys
from pathlib import Path
from converters.gates import registry
from converters.ledger import ledger
dags, attempt = Path(sys.argv[1]), sys.argv[2]
big = "x" * 200_000
n = 0
while True:
    ledger.append(dags, [{"kind": "gate", "dag_id": "d", "task_id": f"{attempt}-{n}", "gate": 1, "status": "pass",
                          "evidence": {"blob": big}}])
    n += 1
    print(n, flush=True)
"""


def test_a_kill_during_a_write_leaves_the_previous_ledger_readable(tmp_path: Path):
    dags = tmp_path / "airflow_dags"
    for attempt in range(5):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(dags), str(attempt)], stdout=subprocess.PIPE, text=True
        )
        writer.stdout.readline()  # at least one append done
        time.sleep(0.05 * (attempt + 1))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        lines = ledger.ledger_file(dags).read_text().splitlines()
        assert lines and all(json.loads(line)["dag_id"] == "d" for line in lines)
        tasks = [json.loads(line)["task_id"] for line in lines]
        assert tasks == sorted(set(tasks), key=tasks.index), "no entry torn or duplicated"
