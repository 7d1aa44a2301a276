"""Real servers for the hook tests, on loopback: PostgreSQL from Debian's packages, moto's server, an SSH/SFTP server,
MariaDB, a stand-in for Slack's Web API.

Each server gets a free port (the kernel picks it) and a folder of its own, and is stopped by its process group,
so two pytest-xdist workers never share one. The SSH server is paramiko's server side in a thread of the test,
serving a folder of the test. PostgreSQL refuses to run as root: as root, the cluster belongs to
Debian's ``postgres`` user (created by the package) and lives under ``/tmp``, which that user can reach.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from converters.runtime.envs import venv_dir
from converters.runtime.postgres import start_postgres, stop_postgres


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
    """The runtime's PostgreSQL server (converters/runtime/postgres.py) in a folder of its own under /tmp (as root,
    Debian's ``postgres`` user must reach it)."""
    base = Path(tempfile.mkdtemp(prefix="a2d-pg-", dir="/tmp"))
    base.chmod(0o755)
    server = start_postgres(base, user="airflow", password="hook-secret")
    try:
        yield Postgres(server.host, server.port, server.user, server.password, "postgres")
    finally:
        stop_postgres(server)
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


def _sftp_interface(root: Path):
    """A paramiko SFTP server over the folder ``root`` (remote ``/x`` is ``root/x``), after paramiko's test stub."""
    import paramiko

    def real(path: str) -> str:
        return str(root / os.path.normpath("/" + path).lstrip("/"))

    def errors(fn):
        def wrapped(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except OSError as exc:
                return paramiko.SFTPServer.convert_errno(exc.errno)

        return wrapped

    class Handle(paramiko.SFTPHandle):
        def stat(self):
            return errors(lambda: paramiko.SFTPAttributes.from_stat(os.fstat(self.readfile.fileno())))()

        def chattr(self, attr):
            return errors(lambda: paramiko.SFTPServer.set_file_attr(self.filename, attr) or paramiko.SFTP_OK)()

    class Local(paramiko.SFTPServerInterface):
        @errors
        def list_folder(self, path):
            folder = real(path)
            return [paramiko.SFTPAttributes.from_stat(os.stat(os.path.join(folder, n)), n) for n in os.listdir(folder)]

        @errors
        def stat(self, path):
            return paramiko.SFTPAttributes.from_stat(os.stat(real(path)))

        @errors
        def lstat(self, path):
            return paramiko.SFTPAttributes.from_stat(os.lstat(real(path)))

        @errors
        def open(self, path, flags, attr):
            target = real(path)
            fd = os.open(target, flags, getattr(attr, "st_mode", None) or 0o666)
            if flags & os.O_WRONLY:
                mode = "ab" if flags & os.O_APPEND else "wb"
            elif flags & os.O_RDWR:
                mode = "a+b" if flags & os.O_APPEND else "r+b"
            else:
                mode = "rb"
            handle = Handle(flags)
            handle.filename = target
            handle.readfile = handle.writefile = os.fdopen(fd, mode)
            return handle

        @errors
        def remove(self, path):
            os.remove(real(path))
            return paramiko.SFTP_OK

        @errors
        def rename(self, oldpath, newpath):
            os.rename(real(oldpath), real(newpath))
            return paramiko.SFTP_OK

        @errors
        def mkdir(self, path, attr):
            os.mkdir(real(path))
            return paramiko.SFTP_OK

        @errors
        def rmdir(self, path):
            os.rmdir(real(path))
            return paramiko.SFTP_OK

        @errors
        def chattr(self, path, attr):
            paramiko.SFTPServer.set_file_attr(real(path), attr)
            return paramiko.SFTP_OK

    return Local


@contextmanager
def ssh_server(root: Path, user: str, password: str, key: Any = None) -> Iterator[int]:
    """An SSH server (paramiko) on a free loopback port: password login (or, with ``key``, a paramiko key, login
    with that key), commands run in ``root`` by the shell, and the ``sftp`` subsystem over ``root``. Yields the
    port; stops with the test."""
    import threading

    import paramiko

    host_key = paramiko.RSAKey.generate(2048)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stopping = threading.Event()
    transports: list = []

    class Server(paramiko.ServerInterface):
        def get_allowed_auths(self, username):
            return "password,publickey" if key is not None else "password"

        def check_auth_password(self, username, given):
            ok = (username, given) == (user, password)
            return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

        def check_auth_publickey(self, username, offered):
            ok = key is not None and username == user and offered.asbytes() == key.asbytes()
            return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

        def check_channel_request(self, kind, chanid):
            return paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

        def check_channel_env_request(self, channel, name, value):
            return True

        def check_channel_pty_request(self, *args):
            return True

        def check_channel_exec_request(self, channel, command):
            answered = channel.transport.next_reply(channel.remote_chanid)

            def run():
                done = subprocess.run(command.decode(), shell=True, cwd=root, capture_output=True, timeout=60)
                # Closing before the transport has answered the exec request makes the client's exec_command fail
                # with "Channel closed" (a fast command such as `exit 3` wins that race): wait for the answer.
                answered.wait(timeout=30)
                channel.sendall(done.stdout)
                channel.sendall_stderr(done.stderr)
                channel.send_exit_status(done.returncode)
                channel.close()

            threading.Thread(target=run, daemon=True).start()
            return True

    class Transport(paramiko.Transport):
        """A transport that tells when it has answered a channel's request (MSG_CHANNEL_SUCCESS sent)."""

        def __init__(self, sock):
            super().__init__(sock)
            self._replies: dict[int, threading.Event] = {}
            self._replies_lock = threading.Lock()

        def next_reply(self, remote_chanid: int) -> threading.Event:
            """An event set when the channel's next request is answered (call it while handling that request)."""
            with self._replies_lock:
                self._replies[remote_chanid] = threading.Event()
                return self._replies[remote_chanid]

        def _send_user_message(self, data):
            super()._send_user_message(data)
            raw = data.asbytes()
            if raw[:1] == bytes([paramiko.common.MSG_CHANNEL_SUCCESS]):
                with self._replies_lock:
                    replied = self._replies.get(int.from_bytes(raw[1:5], "big"))
                if replied is not None:
                    replied.set()

    def serve():
        while not stopping.is_set():
            try:
                sock, _ = listener.accept()
            except OSError:
                return
            transport = Transport(sock)
            transport.add_server_key(host_key)
            transport.set_subsystem_handler("sftp", paramiko.SFTPServer, _sftp_interface(root))
            transport.start_server(server=Server())
            transports.append(transport)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stopping.set()
        listener.close()
        for transport in transports:
            transport.close()
        thread.join(timeout=10)


@contextmanager
def mariadb_server(user: str, password: str, database: str) -> Iterator[int]:
    """MariaDB from Debian's packages (``make mariadb``) in a folder of its own: yields its port, where ``user``
    (with ``password``) owns ``database``."""
    daemon, install = shutil.which("mariadbd") or "/usr/sbin/mariadbd", shutil.which("mariadb-install-db")
    if install is None or not Path(daemon).exists():
        raise RuntimeError("MariaDB's server is not installed: `make mariadb` installs Debian's mariadb-server")
    base = Path(tempfile.mkdtemp(prefix="a2d-my-"))
    data, sock = base / "data", base / "sock"
    as_root = ["--user=root"] if os.geteuid() == 0 else []
    subprocess.run(
        [install, "--no-defaults", f"--datadir={data}", *as_root, "--auth-root-authentication-method=normal",
         "--skip-test-db"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    port = free_port()
    process = subprocess.Popen(
        [daemon, "--no-defaults", f"--datadir={data}", f"--socket={sock}", f"--port={port}",
         "--bind-address=127.0.0.1", f"--pid-file={base / 'pid'}", "--skip-log-bin", *as_root],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for_port(port, process, "mariadbd")
        import mysql.connector

        with mysql.connector.connect(unix_socket=str(sock), user="root", password="") as admin:
            cursor = admin.cursor()
            cursor.execute(f"CREATE DATABASE {database}")
            cursor.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'")
            cursor.execute(f"GRANT ALL ON {database}.* TO '{user}'@'%'")
        yield port
    finally:
        stop(process)
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def gcs_emulator() -> Iterator[str]:
    """gcp-storage-emulator (the Cloud Storage JSON API, in memory): yields its endpoint URL, which the Google
    client reads from ``STORAGE_EMULATOR_HOST``."""
    port = free_port()
    process = subprocess.Popen(
        [str(venv_dir("dagster") / "bin" / "gcp-storage-emulator"), "start", "-H", "127.0.0.1", "--port", str(port)]
        + ["--in-memory", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(port, process, "gcp-storage-emulator")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@contextmanager
def slack_server() -> Iterator[tuple[int, list]]:
    """A stand-in for Slack's Web API on a free loopback port: records each call and answers ``{"ok": true}``
    (``{"ok": false}`` for the channel ``#closed``)."""
    received: list = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            kind = self.headers.get("Content-Type", "")
            payload = json.loads(body) if kind.startswith("application/json") else body.decode("utf-8", "replace")
            received.append((self.path, self.headers.get("Authorization"), payload))
            ok = "#closed" not in (json.dumps(payload) if isinstance(payload, dict) else payload)
            answer = json.dumps({"ok": ok, **({} if ok else {"error": "channel_not_found"})}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], received
    finally:
        server.shutdown()
        server.server_close()
