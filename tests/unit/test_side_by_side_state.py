"""The runtime's state file without real servers: stale and partial states, recycled pids, `down` twice."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from converters.runtime import side_by_side
from converters.runtime.processes import group_alive, start_process_group, start_time, stop_process_group


def sleeper(tmp_path: Path, name: str) -> side_by_side.Server:
    proc = start_process_group(
        name,
        [sys.executable, "-c", "import time; time.sleep(60)"],
        dict(os.environ),
        tmp_path / f"{name}.log",
        tmp_path,
    )
    return side_by_side.Server("airflow", name, proc.pid, str(proc.log), start_time(proc.pid))


def write_state(root: Path, servers: list[side_by_side.Server]) -> None:
    state = side_by_side.RuntimeState(
        project=str(root),
        airflow_version=2,
        airflow_url="http://127.0.0.1:1",
        airflow_home="",
        username="admin",
        password="admin",
        dagster_url="http://127.0.0.1:2",
        dagster_home="",
        data_dir="",
        sensor_interval=5,
        started_at="2026-01-01T00:00:00+00:00",
        servers=servers,
    )
    side_by_side._save(root, state)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "airflow_dags").mkdir()
    return tmp_path


def test_a_recycled_pid_is_not_ours(project: Path):
    server = sleeper(project, "webserver")
    try:
        assert server.alive()
        impostor = side_by_side.Server("airflow", "webserver", server.pid, server.log, started="1")
        assert not impostor.alive(), "same pid, other start time: someone else's process"
        write_state(project, [impostor])
        assert side_by_side.down(project) == []
        assert group_alive(server.pid), "down never stops a process it did not start"
    finally:
        stop_process_group(server.pid)


def test_a_partly_running_runtime_is_refused_and_down_cleans_it(project: Path):
    running, dead = sleeper(project, "scheduler"), sleeper(project, "webserver")
    stop_process_group(dead.pid)
    write_state(project, [running, dead])
    with pytest.raises(side_by_side.SideBySideError, match="only partly running.*webserver"):
        side_by_side.up(project, 2)
    with pytest.raises(side_by_side.SideBySideError, match="runtime down"):
        side_by_side.require(project)
    assert side_by_side.down(project) == ["airflow/scheduler"]
    assert not group_alive(running.pid)
    assert side_by_side.load_state(project) is None
    assert side_by_side.down(project) == [], "a second down has nothing to stop"


def test_the_state_file_is_private(project: Path):
    write_state(project, [])
    assert oct(side_by_side.state_file(project).stat().st_mode & 0o777) == "0o600"
    with pytest.raises(side_by_side.SideBySideError, match="not running"):
        side_by_side.require(project / "elsewhere")


def test_one_server_stops_and_starts_again_as_it_was_and_down_still_stops_it(project: Path):
    argv = [sys.executable, "-c", "import os, time; print(os.environ['A2D_PROBE'], flush=True); time.sleep(60)"]
    env = {**os.environ, "A2D_PROBE": "started as recorded"}
    proc = start_process_group("daemon", argv, env, project / "daemon.log", project)
    server = side_by_side.Server("dagster", "daemon", proc.pid, str(proc.log), start_time(proc.pid))
    write_state(project, [server])
    side_by_side._remember_launch(project, "dagster", "daemon", argv, env, str(project))
    launch = side_by_side._launch_file(project, "dagster", "daemon")
    assert oct(launch.stat().st_mode & 0o777) == "0o600", "the launch record holds the environment: private"
    try:
        with pytest.raises(side_by_side.SideBySideError, match="no server airflow/daemon"):
            side_by_side.stop_server(project, "airflow", "daemon")
        with pytest.raises(side_by_side.SideBySideError, match="is running"):
            side_by_side.start_server(project, "dagster", "daemon")
        assert printed(project / "daemon.log", 1)
        side_by_side.stop_server(project, "dagster", "daemon")
        assert not group_alive(proc.pid)
        again = side_by_side.start_server(project, "dagster", "daemon", extra_args=("extra",))
        assert again.pid != proc.pid and again.alive()
        recorded = side_by_side.load_state(project).servers[0]
        assert (recorded.pid, recorded.started) == (again.pid, again.started), "the new group is recorded"
        assert Path(f"/proc/{again.pid}/cmdline").read_bytes().split(b"\0")[-2] == b"extra"
        assert printed(project / "daemon.log", 2), "started again with the same environment"
        assert side_by_side.down(project) == ["dagster/daemon"]
        assert not group_alive(again.pid)
        assert not launch.exists(), "down removes the launch records"
    finally:
        stop_process_group(proc.pid)
        side_by_side.down(project)


def printed(log: Path, times: int) -> bool:
    """Whether the probe's line is in ``log`` ``times`` times (waiting a while for a starting process)."""
    deadline = time.monotonic() + 20
    while log.read_text().count("started as recorded") < times and time.monotonic() < deadline:
        time.sleep(0.1)
    return log.read_text().count("started as recorded") == times
