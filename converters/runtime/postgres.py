"""A throwaway PostgreSQL server under a folder of ours, on a loopback port, from Debian's ``postgresql`` package.

One home for "start a PostgreSQL server here": the side-by-side runtime's metadata database (`runtime up --db
postgres`: one database for Airflow, one for Dagster) and the hook tests' server. ``initdb`` makes a fresh cluster
whose one superuser logs in with a password (scram-sha-256), the server listens on 127.0.0.1 only and on no unix
socket (a socket path under a deep project folder can exceed the kernel's 107 characters), and it runs as the
leader of its own process group, stopped by that group only (``processes.stop_process_group``).

PostgreSQL refuses to run as root: as root, the cluster belongs to Debian's ``postgres`` user (the package
creates it) and the server runs through ``runuser``; every folder above the cluster must then be reachable by
that user. When one is not (a project checked out under a private folder, e.g. a mode-700 temporary directory),
the cluster goes to a folder of its own under ``/tmp`` instead, named in ``<base>/cluster`` and removed with
``remove_cluster(base)``.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from converters.runtime.processes import (
    ServerProcess,
    free_port,
    group_alive,
    start_process_group,
    stop_process_group,
    tail,
)

SERVER_USER = "postgres"  # who owns the cluster when we run as root (Debian's package creates the user)


class PostgresError(RuntimeError):
    """PostgreSQL is not installed, or its server did not come up; the message says which and what to do."""


@dataclass
class PostgresServer:
    port: int
    user: str
    password: str = field(repr=False)
    data: Path
    process: ServerProcess | None = None
    env: dict[str, str] = field(default_factory=dict, repr=False)  # the server's environment (to start it again)
    host: str = "127.0.0.1"

    def url(self, database: str, driver: str = "postgresql") -> str:
        """A SQLAlchemy/libpq URL of ``database`` (``driver`` e.g. ``postgresql+psycopg2``)."""
        return f"{driver}://{self.user}:{self.password}@{self.host}:{self.port}/{database}"


def postgres_bin() -> Path:
    """The newest PostgreSQL server binaries Debian's ``postgresql`` package installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise PostgresError(
            "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb): "
            "`make postgres` installs Debian's postgresql (or `apt-get install postgresql`)"
        )
    return Path(found[-1]).parent


def _as_server_user() -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--"] if os.geteuid() == 0 else []


def _give_to_server_user(*paths: Path) -> None:
    if os.geteuid() != 0:
        return
    import pwd

    try:
        user = pwd.getpwnam(SERVER_USER)
    except KeyError as exc:
        raise PostgresError(f"running as root, PostgreSQL needs the user {SERVER_USER!r} (Debian's package)") from exc
    for path in paths:
        os.chown(path, user.pw_uid, user.pw_gid)


def _reachable_by_server_user(folder: Path) -> bool:
    """Can the server user (root's ``runuser`` target) reach ``folder``: every folder above it searchable."""
    for parent in [folder, *folder.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:  # not searchable by others (the server user owns none of the project's folders)
            return False
    return True


def _cluster_home(base: Path) -> Path:
    """The folder the cluster's files go in: ``base``, unless we run as root and the server user cannot reach it;
    then a folder of its own under /tmp, recorded in ``base/cluster`` (``remove_cluster`` removes both)."""
    remove_cluster(base, keep_base=True)
    if os.geteuid() != 0 or _reachable_by_server_user(base):
        return base
    home = Path(tempfile.mkdtemp(prefix="a2d-pg-", dir="/tmp"))
    home.chmod(0o755)
    (base / "cluster").write_text(str(home) + "\n", encoding="utf-8")
    return home


def remove_cluster(base: Path, keep_base: bool = False) -> None:
    """Remove the cluster started under ``base`` (its own /tmp folder too, when it had one) and ``base``."""
    pointer = base / "cluster"
    if pointer.is_file():
        elsewhere = Path(pointer.read_text(encoding="utf-8").strip())
        if elsewhere.name.startswith("a2d-pg-"):  # only a folder this module made
            shutil.rmtree(elsewhere, ignore_errors=True)
        pointer.unlink(missing_ok=True)
    if not keep_base:
        shutil.rmtree(base, ignore_errors=True)


def start_postgres(
    base: Path,
    *,
    user: str = "postgres",
    password: str,
    databases: tuple[str, ...] = (),
    port: int | None = None,
    timeout: float = 60,
    on_start: Callable[[PostgresServer], None] | None = None,
) -> PostgresServer:
    """A fresh cluster in ``base/data``, its server on ``port`` (a free one by default) logging to
    ``base/postgres.log``, and ``databases`` created in it. ``on_start`` is called once the server process
    exists (to record its process group before waiting); on any failure the server is stopped again."""
    binaries = postgres_bin()
    base = base.resolve()
    base.mkdir(parents=True, exist_ok=True)
    home = _cluster_home(base)
    data, password_file = home / "data", home / "password"
    if data.exists():
        raise PostgresError(f"{data} already holds a cluster: remove it first (or start another folder)")
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    _give_to_server_user(home, password_file)
    try:
        initdb = subprocess.run(
            [*_as_server_user(), str(binaries / "initdb"), "-D", str(data), "-U", user, "-A", "scram-sha-256",
             f"--pwfile={password_file}", "--no-sync", "-E", "UTF8", "--no-locale"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        password_file.unlink(missing_ok=True)
    if initdb.returncode != 0:
        raise PostgresError(f"initdb failed in {data}:\n{initdb.stdout[-2000:]}\n{initdb.stderr[-2000:]}")
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    argv = [
        *_as_server_user(), str(binaries / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(port),
        "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "full_page_writes=off",
        "-c", "synchronous_commit=off", "-c", "max_connections=200",
    ]  # fmt: skip
    server = PostgresServer(port, user, password, data, env=env)
    server.process = start_process_group("postgres", argv, env, base / "postgres.log", base)
    try:
        if on_start is not None:
            on_start(server)
        wait_until_ready(server, binaries, timeout)
        for database in databases:
            _client(server, binaries, "createdb", database)
    except BaseException:
        stop_postgres(server)
        raise
    return server


def wait_until_ready(server: PostgresServer, binaries: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.process is not None and not group_alive(server.process.pid):
            raise PostgresError(f"PostgreSQL exited during start-up:\n{tail(server.process.log)}")
        ready = subprocess.run(
            [str(binaries / "pg_isready"), "-q", "-h", server.host, "-p", str(server.port), "-U", server.user],
            capture_output=True,
            timeout=30,
            check=False,
        )
        if ready.returncode == 0:
            return
        if time.monotonic() > deadline:
            log = tail(server.process.log) if server.process else ""
            raise PostgresError(f"PostgreSQL not ready on {server.host}:{server.port} after {timeout:.0f}s\n{log}")
        time.sleep(0.3)


def _client(server: PostgresServer, binaries: Path, program: str, *args: str) -> None:
    """Run one of PostgreSQL's client programs against ``server`` over TCP."""
    done = subprocess.run(
        [str(binaries / program), "-h", server.host, "-p", str(server.port), "-U", server.user, *args],
        env={**server.env, "PGPASSWORD": server.password},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise PostgresError(f"`{program} {' '.join(args)}` failed: {done.stderr.strip()[-2000:]}")


def stop_postgres(server: PostgresServer) -> None:
    """SIGTERM to the server's process group (a smart shutdown once its clients are gone), SIGKILL after."""
    if server.process is not None:
        stop_process_group(server.process.pid)
