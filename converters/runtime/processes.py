"""Server processes started in their own process group and stopped by that group only."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class ServerProcess:
    name: str
    pid: int  # also the process group id: each server is started as a session leader
    log: Path
    argv: tuple[str, ...] = ()
    cwd: str = ""


def start_process_group(name: str, argv: list[str], env: dict[str, str], log: Path, cwd: Path) -> ServerProcess:
    """Start ``argv`` as the leader of a new session, output appended to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            # Servers started from scripts may inherit SIGINT ignored; give them the default back.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    return ServerProcess(name=name, pid=proc.pid, log=log, argv=tuple(argv), cwd=str(cwd))


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_time(pid: int) -> str | None:
    """When the process started (clock ticks since boot, /proc/<pid>/stat field 22); None when it is gone.

    A pid recorded earlier names the same process only while this value is unchanged: after a reboot or a
    long time, the number may belong to someone else's process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def stop_process_group(pgid: int, grace_seconds: float = 20.0) -> None:
    """SIGTERM the group, wait, then SIGKILL whatever is left of it. Never touches other processes."""
    for sig, wait in ((signal.SIGTERM, grace_seconds), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and group_alive(pgid):
            _reap(pgid)
            time.sleep(0.2)
        if not group_alive(pgid):
            break
    _reap(pgid)


def _reap(pid: int) -> None:
    """Collect the leader's exit status if it is our child, so it does not linger as a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return f"(no log at {path})"
