"""Start and stop a real Airflow (2.11 or 3.3) on loopback, from the project's venvs: SQLite metadata by default,
or a PostgreSQL database (``database_url``) with the LocalExecutor running tasks in parallel on both lines.

Each instance gets its own ``AIRFLOW_HOME``: the metadata DB, logs, a per-line view of the DAG folder,
and the warehouse/landing paths the example estate reads from its environment.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from converters.runtime.airflow_api import AirflowClient
from converters.runtime.envs import airflow_venv, project_root
from converters.runtime.processes import (
    ServerProcess,
    free_port,
    group_alive,
    start_process_group,
    stop_process_group,
    tail,
)

# Files meant for one Airflow line only live in these folders of the DAG folder (see airflow_dags/README.md).
VERSION_ONLY_FOLDERS = {2: "airflow2_only", 3: "airflow3_only"}
PARALLELISM = 4  # task instances the LocalExecutor runs at once
WAREHOUSE_POOL = ("warehouse", 1, "DuckDB allows one writer: warehouse tasks queue here")


class AirflowStartError(RuntimeError):
    """Airflow did not come up healthy; the message carries the relevant log tail."""


@dataclass
class AirflowInstance:
    version: int
    home: Path
    data_dir: Path
    port: int
    username: str
    password: str
    env: dict[str, str] = field(repr=False)
    processes: list[ServerProcess] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def warehouse(self) -> Path:
        return Path(self.env["WAREHOUSE_PATH"])

    @property
    def landing_dir(self) -> Path:
        """Where the partner drops files: the path of the ``partner_landing`` connection."""
        return self.data_dir / "landing"

    def client(self) -> AirflowClient:
        return AirflowClient(self.url, self.version, self.username, self.password)

    def airflow_cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """Run ``airflow <args>`` from this instance's venv with its environment."""
        return subprocess.run(
            [str(airflow_venv(self.version) / "bin" / "airflow"), *args],
            env=self.env,
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def dag_folder_view(version: int, source: Path, view: Path) -> Path:
    """A folder of symlinks to ``source``'s entries, leaving out the files meant for the other Airflow line."""
    view.mkdir(parents=True, exist_ok=True)
    excluded = {folder for line, folder in VERSION_ONLY_FOLDERS.items() if line != version}
    for entry in view.iterdir():
        if entry.is_symlink():
            entry.unlink()
    for entry in sorted(source.iterdir()):
        if entry.name in excluded or entry.name == "__pycache__":
            continue
        (view / entry.name).symlink_to(entry.resolve())
    return view


def base_environment(version: int, home: Path, dags_folder: Path, venv: Path | None = None) -> dict[str, str]:
    """What every Airflow process we start needs, server or DagBag dump: the line's venv (or ``venv``) first on
    PATH, an isolated home with SQLite metadata, the DAG folder (Airflow puts it on sys.path), no examples,
    `.airflowignore` read as glob on both lines, and no usage metrics (this machine is offline)."""
    venv = venv or airflow_venv(version)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AIRFLOW", "VIRTUAL_ENV", "PYTHON"))}
    env.update(
        {
            "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            # Airflow 3 talks to a task over a socket on its stdin. Debian's bash treats `bash -c` with a socket
            # on stdin and SHLVL < 2 as a remote shell and sources ~/.bashrc, which may put other Pythons
            # (pyenv shims) before this venv; starting from SHLVL=1 keeps BashOperator's PATH as given.
            "SHLVL": str(max(1, int(os.environ["SHLVL"]) if os.environ.get("SHLVL", "").isdigit() else 0)),
            "VIRTUAL_ENV": str(venv),
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAG_IGNORE_FILE_SYNTAX": "glob",
            # Python's 5 s busy wait stays: a longer one holds Airflow 3's execution API past its Task SDK
            # client's 5 s read timeout, and the task fails; a 500 "database is locked" the client tries again.
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
            "SCARF_ANALYTICS": "false",
            "DO_NOT_TRACK": "1",
        }
    )
    return env


def airflow_environment(
    version: int,
    home: Path,
    data_dir: Path,
    port: int,
    password: str,
    use_job_schedule: bool,
    parse_interval: int = 30,
    database_url: str | None = None,
    list_interval: int | None = None,
) -> dict[str, str]:
    warehouse = data_dir / "warehouse.duckdb"
    landing = data_dir / "landing"
    env = base_environment(version, home, home / "dags")
    env.update(
        {
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
            # A file processor is killed after this (default 50 s: a cosmos DAG's parse on a loaded machine takes
            # longer), and its file waits the parse interval before the next try.
            "AIRFLOW__CORE__DAG_FILE_PROCESSOR_TIMEOUT": "180",
            "AIRFLOW__DAG_PROCESSOR__DAG_FILE_PROCESSOR_TIMEOUT": "180",
            "AIRFLOW__CORE__FERNET_KEY": "",
            "AIRFLOW__DATABASE__LOAD_DEFAULT_CONNECTIONS": "False",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            # The scheduler's log server (default 8793) on a port of this instance's own: two Airflows side by
            # side (both lines in parallel tests, or a demo next to a local Airflow) would otherwise clash.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            # Off: only runs we trigger (and runs our DAGs trigger) happen, so logical dates are ours to choose.
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": str(use_job_schedule),
            # How often an unchanged DAG file is parsed again. An edited one is parsed at the next look at the
            # folder on both lines (file_parsing_sort_mode "modified_time", the default: a file whose mtime is
            # newer than its last parse skips the interval), so the interval only costs CPU when it is short.
            "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": str(parse_interval),
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": str(parse_interval),
            "AIRFLOW__SCHEDULER__FILE_PARSING_SORT_MODE": "modified_time",
            "AIRFLOW__DAG_PROCESSOR__FILE_PARSING_SORT_MODE": "modified_time",
            # How often the folder is listed (new files).
            "AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL": str(list_interval or parse_interval),
            # The example estate's own settings (read by airflow_dags/include and the dbt profile).
            "WAREHOUSE_PATH": str(warehouse),
            "ALERTS_FILE": str(data_dir / "alerts.jsonl"),
            "AIRFLOW_CONN_WAREHOUSE_DUCKDB": json.dumps({"conn_type": "duckdb", "host": str(warehouse)}),
            "AIRFLOW_CONN_PARTNER_LANDING": json.dumps({"conn_type": "fs", "extra": {"path": str(landing)}}),
        }
    )
    if database_url:
        # A real database: the LocalExecutor runs PARALLELISM tasks at once on both lines.
        env.update(
            {
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database_url,
                "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
                "AIRFLOW__CORE__PARALLELISM": str(PARALLELISM),
            }
        )
    elif version == 2:
        env["AIRFLOW__CORE__EXECUTOR"] = "SequentialExecutor"  # the only executor 2.x allows on SQLite
    else:
        env.update({"AIRFLOW__CORE__EXECUTOR": "LocalExecutor", "AIRFLOW__CORE__PARALLELISM": str(PARALLELISM)})
    if version == 2:
        env.update(
            {
                "AIRFLOW__WEBSERVER__WEB_SERVER_HOST": "127.0.0.1",
                "AIRFLOW__WEBSERVER__WEB_SERVER_PORT": str(port),
                "AIRFLOW__WEBSERVER__BASE_URL": f"http://127.0.0.1:{port}",
                "AIRFLOW__WEBSERVER__WORKERS": "1",
                "AIRFLOW__WEBSERVER__SECRET_KEY": secrets.token_hex(16),
                "AIRFLOW__API__AUTH_BACKENDS": "airflow.api.auth.backend.basic_auth,airflow.api.auth.backend.session",
            }
        )
    else:
        passwords = home / "simple_auth_manager_passwords.json"
        passwords.write_text(json.dumps({"admin": password}))
        env.update(
            {
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(port),
                "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
                "AIRFLOW__API__WORKERS": "1",
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
                "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
                "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": str(list_interval or parse_interval),
            }
        )
    return env


def server_commands(version: int) -> dict[str, list[str]]:
    if version == 2:
        return {"webserver": ["airflow", "webserver"], "scheduler": ["airflow", "scheduler"]}
    return {
        "api-server": ["airflow", "api-server"],
        "scheduler": ["airflow", "scheduler"],
        "dag-processor": ["airflow", "dag-processor"],
    }


def start_airflow(
    version: int,
    home: Path,
    data_dir: Path | None = None,
    port: int | None = None,
    dags_folder: Path | None = None,
    use_job_schedule: bool = False,
    password: str = "admin",
    timeout: float = 240,
    extra_env: dict[str, str] | None = None,
    parse_interval: int = 30,
    on_start: Callable[[AirflowInstance], None] | None = None,
    database_url: str | None = None,
    list_interval: int | None = None,
) -> AirflowInstance:
    """Prepare ``home``, start Airflow's servers as process groups and wait until they are healthy.

    ``database_url`` (SQLAlchemy, ``postgresql+psycopg2://…``) puts the metadata there instead of SQLite in
    ``home`` and runs the LocalExecutor.

    ``on_start`` is called after each server starts (to record its process group before waiting)."""
    home = home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    data_dir = (data_dir or home / "data").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    dag_folder_view(version, (dags_folder or project_root() / "airflow_dags").resolve(), home / "dags")
    env = airflow_environment(
        version,
        home,
        data_dir,
        port,
        password,
        use_job_schedule,
        parse_interval,
        database_url=database_url,
        list_interval=list_interval,
    )
    env.update(extra_env or {})
    instance = AirflowInstance(version, home, data_dir, port, "admin", password, env)

    _prepare_metadata(instance)
    try:
        for name, argv in server_commands(version).items():
            argv = [str(airflow_venv(version) / "bin" / argv[0]), *argv[1:]]
            instance.processes.append(start_process_group(name, argv, env, home / "logs" / f"{name}.log", home))
            if on_start is not None:
                on_start(instance)
        wait_until_healthy(instance, timeout)
    except BaseException:
        stop_airflow(instance)
        raise
    return instance


def _prepare_metadata(instance: AirflowInstance) -> None:
    steps = [("db", "migrate"), ("pools", "set", *map(str, WAREHOUSE_POOL))]
    if instance.version == 2:
        steps.append(
            (
                "users",
                "create",
                "--username",
                instance.username,
                "--password",
                instance.password,
                "--firstname",
                "Migration",
                "--lastname",
                "Engineer",
                "--role",
                "Admin",
                "--email",
                "admin@example.com",
            )
        )
    for args in steps:
        result = instance.airflow_cli(*args)
        if result.returncode != 0:
            raise AirflowStartError(
                f"`airflow {' '.join(args[:2])}` failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
            )


def wait_until_healthy(instance: AirflowInstance, timeout: float) -> None:
    client = instance.client()
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        for proc in instance.processes:
            if not group_alive(proc.pid):
                raise AirflowStartError(f"Airflow {proc.name} exited during start-up:\n{tail(proc.log)}")
        try:
            health = client.health()
            if (
                health.get("metadatabase", {}).get("status") == "healthy"
                and health.get("scheduler", {}).get("status") == "healthy"
            ):
                return
            last = json.dumps(health)
        except (requests.RequestException, ValueError) as exc:
            last = str(exc)
        time.sleep(1)
    logs = "\n".join(f"== {p.name}\n{tail(p.log, 20)}" for p in instance.processes)
    raise AirflowStartError(
        f"Airflow {instance.version} not healthy at {instance.url} after {timeout:.0f}s ({last})\n{logs}"
    )


def wait_for_dags(instance: AirflowInstance, dag_ids: set[str], timeout: float = 240) -> list[dict]:
    """Wait until every DAG in ``dag_ids`` is serialized; fail at once on any import error."""
    client = instance.client()
    deadline = time.monotonic() + timeout
    nudge = time.monotonic() + NUDGE_AFTER
    while True:
        errors = client.import_errors()
        if errors:
            details = "\n".join(f"{e.get('filename')}: {e.get('stack_trace', '')[-1500:]}" for e in errors)
            raise AirflowStartError(f"Airflow {instance.version} reports import errors:\n{details}")
        dags = client.dags()
        missing = dag_ids - {d["dag_id"] for d in dags}
        if not missing:
            return dags
        if time.monotonic() > deadline:
            raise AirflowStartError(f"DAGs not loaded after {timeout:.0f}s: {sorted(missing)}")
        if time.monotonic() > nudge:
            # A parse killed by its timeout leaves no import error, and the file waits the parse interval
            # before its next try: a file naming a missing DAG is made newer than its last parse.
            _touch_files_naming(instance.home / "dags", missing)
            nudge = time.monotonic() + NUDGE_AFTER
        time.sleep(2)


NUDGE_AFTER = 30  # seconds


def _touch_files_naming(dags_folder: Path, dag_ids: set[str]) -> None:
    files = [  # the folder is a view of links (`dag_folder_view`): walk into linked folders too
        Path(folder) / name
        for folder, _, names in os.walk(dags_folder, followlinks=True)
        for name in names
        if name.endswith(".py")
    ]
    for file in sorted(files):
        try:
            text = file.read_text(errors="replace")
        except OSError:
            continue
        if any(dag_id in text for dag_id in dag_ids):
            os.utime(file)


def stop_airflow(instance: AirflowInstance) -> None:
    for proc in reversed(instance.processes):
        stop_process_group(proc.pid)
