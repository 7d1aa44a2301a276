"""Real servers for the hook tests: PostgreSQL from Debian's packages and moto's S3 server, on loopback.

Each server gets a free port (the kernel picks it) and a folder of its own, and is stopped by its process group,
so two pytest-xdist workers never share one. PostgreSQL refuses to run as root: as root, the cluster belongs to
Debian's ``postgres`` user (created by the package) and lives under ``/tmp``, which that user can reach.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from converters.runtime.envs import venv_dir


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f}s")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server's process group, then SIGKILL what is left (it was started as a session leader)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, 15)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, 9)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries Debian's ``postgresql`` package installed (``make postgres``)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


@dataclass
class Postgres:
    host: str
    port: int
    user: str
    password: str
    database: str

    @property
    def uri(self) -> str:
        return f"postgres://{self.user}:{self.password}@{self.host}:{self.port}/{self.database}"


@contextmanager
def postgres_server() -> Iterator[Postgres]:
    binaries = postgres_bin()
    if binaries is None:
        raise RuntimeError("PostgreSQL's server is not installed: `make postgres` installs Debian's postgresql")
    as_root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="a2d-pg-", dir="/tmp" if as_root else None))
    data, password_file = base / "data", base / "password"
    password_file.write_text("hook-secret\n")
    prefix: list[str] = []
    if as_root:
        import pwd

        user = pwd.getpwnam("postgres")
        base.chmod(0o755)
        for path in (base, password_file):
            os.chown(path, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*prefix, str(binaries / "initdb"), "-D", str(data), "-U", "airflow", "-A", "scram-sha-256",
         f"--pwfile={password_file}", "--no-sync", "-E", "UTF8"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    port = free_port()
    process = subprocess.Popen(
        [*prefix, str(binaries / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(port), "-k", str(base),
         "-c", "fsync=off", "-c", "full_page_writes=off"],
        stdout=subprocess.DEVNULL, stderr=(base / "server.log").open("wb") if not as_root else subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_for_port(port, process, "postgres")
        yield Postgres("127.0.0.1", port, "airflow", "hook-secret", "postgres")
    finally:
        stop(process)
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's server (S3, SQS, SNS… in one process): yields its endpoint URL."""
    port = free_port()
    process = subprocess.Popen(
        [str(venv_dir("dagster") / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(port, process, "moto_server")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
