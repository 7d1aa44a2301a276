"""Concurrent `proxy` / `rollback` on one DAG: never a half-written or invalid state file or ledger, and the
state and the ledger always tell the same story.

Workers (forked processes, and in one test real CLI commands) interleave proxy and rollback of the same DAG's
tasks many times while an observer process keeps reading the proxied-state YAML, the ledger and the DAG file,
checking each is whole and valid at every moment.
"""

from __future__ import annotations

import ast
import json
import multiprocessing
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from converters.airlift import proxied_state
from converters.ledger import ledger
from converters.migrate import MigrationError, load_plan, proxy, rollback
from converters.runtime.envs import project_root

DAG_ID = "orders_daily"
TASKS = ["load_orders", "load_fx_rates", "quality.orders_loaded", "quality.amounts_positive", "build_daily_revenue"]
FORCED = {"force": True, "reason": "concurrency test"}
WORKERS, STEPS = 4, 25


@pytest.fixture
def dags(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "airflow_dags"
    shutil.copytree(project_root() / "airflow_dags", folder, ignore=shutil.ignore_patterns("__pycache__"))
    load_plan(folder)  # warm the scan cache and the imports before forking
    return folder


def _worker(dags: Path, seed: int, steps: int) -> None:
    rng = random.Random(seed)
    for _ in range(steps):
        task = rng.choice(TASKS)
        try:
            if rng.random() < 0.5:
                proxy(dags, DAG_ID, [task], all_tasks=False, **FORCED)
            else:
                rollback(dags, DAG_ID, [task], all_tasks=False)
        except MigrationError:
            pass  # rolling back what is not proxied (any more) is refused: that is fine


def _observe(dags: Path, stop, problems) -> None:
    """Read the three files over and over; each read must find a whole, valid file."""
    state_file = dags / "proxied_state" / f"{DAG_ID}.yaml"
    ledger_path = ledger.ledger_file(dags)
    dag_file = dags / "orders_daily.py"
    reads = 0
    while not stop.is_set() or reads < 3:
        reads += 1
        try:
            if state_file.exists():
                text = state_file.read_text()
                state = yaml.safe_load(text)
                if not isinstance(state, dict) or any(
                    set(task) != {"id", "proxied"} or task["id"] not in TASKS for task in state.get("tasks", [])
                ):
                    problems.append(f"invalid proxied state: {text!r}")
        except FileNotFoundError:
            pass  # the last rollback removed it between exists() and the read: absent is a whole state too
        except (OSError, yaml.YAMLError) as exc:
            problems.append(f"proxied state unreadable: {exc}")
        try:
            if ledger_path.exists():
                for line in ledger_path.read_text().splitlines():
                    json.loads(line)
        except (OSError, ValueError) as exc:
            problems.append(f"ledger unreadable: {exc}")
        try:
            ast.parse(dag_file.read_bytes())
        except (OSError, SyntaxError, ValueError) as exc:
            problems.append(f"DAG file half-written: {exc}")
    problems.append(f"reads:{reads}")


def _assert_consistent(dags: Path, original: bytes) -> None:
    """What the state file says is proxied is exactly what the ledger's last word per task says."""
    proxied_state.validate(dags)
    state = proxied_state.read(dags, DAG_ID)
    proxied = proxied_state.proxied_tasks(state) if state else set()
    last_word: dict[str, str] = {}
    for entry in ledger.read(dags):
        if entry["kind"] == "state" and entry["dag_id"] == DAG_ID:
            last_word[entry["task_id"]] = entry["state"]
    assert proxied == {task for task, word in last_word.items() if word == "proxied"}, (proxied, last_word)
    text = (dags / "orders_daily.py").read_bytes()
    assert text.count(b"proxying_to_dagster(") == (1 if proxied else 0)
    if not proxied:
        assert text == original


def test_interleaved_proxy_and_rollback_never_leave_a_broken_or_inconsistent_state(dags: Path):
    original = (dags / "orders_daily.py").read_bytes()
    context = multiprocessing.get_context("fork")
    manager = context.Manager()
    stop, problems = manager.Event(), manager.list()
    observer = context.Process(target=_observe, args=(dags, stop, problems))
    observer.start()
    workers = [context.Process(target=_worker, args=(dags, seed, STEPS)) for seed in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=600)
        assert worker.exitcode == 0
    stop.set()
    observer.join(timeout=60)
    seen = list(problems)
    assert [p for p in seen if not p.startswith("reads:")] == []
    assert int(seen[-1].removeprefix("reads:")) >= 3
    assert len([e for e in ledger.read(dags) if e["kind"] == "state"]) >= WORKERS  # the steps did happen
    _assert_consistent(dags, original)
    # And the DAG returns to its original bytes once everything is rolled back.
    if proxied_state.read(dags, DAG_ID):
        rollback(dags, DAG_ID, [], all_tasks=True)
    _assert_consistent(dags, original)


def test_proxy_and_rollback_commands_at_once(dags: Path):
    """Real CLI processes: three proxies and three rollbacks of the same DAG started together, twice."""
    original = (dags / "orders_daily.py").read_bytes()
    proxy(dags, DAG_ID, TASKS[:3], all_tasks=False, **FORCED)
    for round_ in range(2):
        commands = []
        for n, task in enumerate(TASKS[:3] if round_ == 0 else TASKS[2:]):
            verb = (
                ["proxy", DAG_ID, task, "--force", "--reason", "cli concurrency"]
                if n % 2
                else ["rollback", DAG_ID, task]
            )
            commands.append(
                subprocess.Popen(
                    [sys.executable, "-m", "converters", *verb, "--project", str(dags.parent)],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        for command in commands:
            _, error = command.communicate(timeout=300)
            assert command.returncode in (0, 2), error  # 2: rolling back what another command just rolled back
            assert "Traceback" not in error, error
        _assert_consistent(dags, original)
