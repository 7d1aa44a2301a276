"""Helpers for tests that drive the side-by-side runtime on a copy of the project, as a user drives it.

`running_side_by_side` runs `runtime up` through the CLI for a copy of the project and always `down` afterwards.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from converters.runtime import side_by_side
from converters.runtime.envs import project_root

CLI = [sys.executable, "-m", "converters"]


@dataclass
class SideBySide:
    root: Path
    version: int
    state: side_by_side.RuntimeState
    orders_run: str = ""

    def cli(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [*CLI, *args, "--project", str(self.root)],
            capture_output=True,
            text=True,
            timeout=900,
            env={**os.environ, "COLUMNS": "200"},
            check=False,
        )
        if ok:
            assert result.returncode == 0, f"{args} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
        return result

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(Path(self.state.data_dir) / "warehouse.duckdb"), read_only=True) as con:
            return con.execute(sql).fetchall()

    def execute(self, sql: str) -> None:
        with duckdb.connect(str(Path(self.state.data_dir) / "warehouse.duckdb")) as con:
            con.execute(sql)


def copy_project(target: Path) -> Path:
    source = project_root()
    for folder in ("airflow_dags", "dagster_defs"):
        shutil.copytree(
            source / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__", "target", "logs")
        )
    # The tasks the checkout lifted (LIFT): the committed dagster_defs were converted with them.
    (target / "migration").mkdir()
    shutil.copy2(source / "migration" / "state.json", target / "migration" / "state.json")
    return target


def wait_for(what: str, probe, timeout: float = 90, interval: float = 1.0):
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f}s")
        time.sleep(interval)


@contextlib.contextmanager
def running_side_by_side(root: Path, version: int) -> Iterator[SideBySide]:
    """`runtime up` for the project at ``root`` (through the CLI); `down` when the block ends, whatever happened."""
    up = subprocess.run(
        [*CLI, "runtime", "up", "--airflow", str(version), "--project", str(root), "--json"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    state = side_by_side.load_state(root)
    try:
        assert up.returncode == 0, f"runtime up failed:\n{up.stdout}\n{up.stderr}"
        assert state is not None
        yield SideBySide(root, version, state)
    finally:
        side_by_side.down(root)


def server(sbs: SideBySide, side: str, name: str) -> side_by_side.Server:
    """The runtime's record of one server, as it is now (a restarted server has a new process group)."""
    state = side_by_side.load_state(sbs.root)
    assert state is not None, "the runtime is not running"
    return next(s for s in state.servers if (s.side, s.name) == (side, name))


def wait_until(what: str, probe: Callable[[], object], timeout: float = 120, interval: float = 1.0):
    """Like `wait_for`, but a probe that raises (a server still starting) counts as not yet."""

    def tolerant():
        try:
            return probe()
        except Exception:  # noqa: BLE001 - a server that is starting answers with errors for a while
            return None

    return wait_for(what, tolerant, timeout, interval)
