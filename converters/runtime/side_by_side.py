"""`runtime up/down/status`: the real Airflow and the real Dagster side by side on loopback, for one project.

`up` starts Airflow (its servers as the line needs them) with ``DAGSTER_URL`` set for airlift's proxy operators,
then Dagster (webserver + daemon) loading the project's generated code location with ``AIRFLOW_URL`` and
credentials, so airlift peers with that Airflow. Both keep their metadata in SQLite files (``--db sqlite``, the
default; Airflow 2 then runs one task at a time) or in a PostgreSQL server `up` starts first under
``.runtime/side-by-side/postgres/`` (``--db postgres``: one database each, Airflow on the LocalExecutor running
tasks in parallel on both lines, Dagster's instance on dagster-postgres storage), as production estates run.

Every server is a process group; pids, ports, credentials and log paths go to ``.runtime/side-by-side/state.json``
(git-ignored), written after each start so `down` can stop exactly what was started, even after a failed `up`.
How each server was started (command, environment, folder) goes to ``.runtime/side-by-side/launch/`` (mode 600:
the environment holds the servers' secrets), so `stop_server`/`start_server` can take one server down and bring it
back as it was (the fault tests do); `down` removes it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from converters.files import locked, write_atomic
from converters.runtime.airflow import (
    VERSION_ONLY_FOLDERS,
    AirflowInstance,
    start_airflow,
    wait_for_dags,
)
from converters.runtime.airflow_api import AirflowClient
from converters.runtime.connections import native_settings
from converters.runtime.dagster_api import DagsterClient
from converters.runtime.envs import airflow_venv, venv_dir
from converters.runtime.postgres import PostgresServer, remove_cluster, start_postgres
from converters.runtime.processes import (
    free_port,
    group_alive,
    start_process_group,
    start_time,
    stop_process_group,
    tail,
)

DAGS_FOLDER = "airflow_dags"
DEFS_PACKAGE = "dagster_defs"
LOCATION = DEFS_PACKAGE
DEFAULT_SENSOR_INTERVAL = 5  # seconds between airlift's polls of Airflow: short, so runs show up quickly
# Airflow parses an edited DAG file at its next look at the folder (every LIST_INTERVAL seconds), an unchanged one
# every PARSE_INTERVAL seconds. `proxy`/`rollback` touch the DAG file when only its proxied state changed, so a
# parse every few seconds (a fifth of a core for the example estate's 13 files on Airflow 3) is not needed.
LIST_INTERVAL = 5
PARSE_INTERVAL = 300
DATABASES = ("sqlite", "postgres")  # where Airflow's and Dagster's metadata live (`runtime up --db`)
POSTGRES_USER = "postgres"


class SideBySideError(RuntimeError):
    """`runtime up/down` cannot do what was asked; the message says why and what to do."""


@dataclass
class Server:
    side: str  # "airflow" or "dagster"
    name: str
    pid: int  # also the process group id
    log: str
    started: str | None = None  # the leader's start time: tells our process from a later one with its pid

    def alive(self) -> bool:
        """Our process group still runs (a recycled pid with another start time is not ours)."""
        if not group_alive(self.pid):
            return False
        now = start_time(self.pid)
        return now is None or self.started is None or now == self.started


@dataclass
class RuntimeState:
    project: str
    airflow_version: int
    airflow_url: str
    airflow_home: str
    username: str
    password: str
    dagster_url: str
    dagster_home: str
    data_dir: str
    sensor_interval: int
    started_at: str
    servers: list[Server] = field(default_factory=list)
    database: str = "sqlite"  # "postgres": both sides' metadata in the PostgreSQL server recorded below
    database_port: int = 0
    database_password: str = ""

    @property
    def dags_folder(self) -> Path:
        return Path(self.project) / DAGS_FOLDER

    def database_url(self, name: str, driver: str = "postgresql") -> str:
        """The URL of database ``name`` ("airflow" or "dagster") on the runtime's PostgreSQL server."""
        if self.database != "postgres":
            raise SideBySideError(f"the runtime keeps its metadata in {self.database}, not in PostgreSQL")
        return f"{driver}://{POSTGRES_USER}:{self.database_password}@127.0.0.1:{self.database_port}/{name}"

    def airflow(self) -> AirflowClient:
        return AirflowClient(self.airflow_url, self.airflow_version, self.username, self.password)

    def dagster(self) -> DagsterClient:
        return DagsterClient(self.dagster_url)

    def alive(self) -> dict[str, bool]:
        return {f"{s.side}/{s.name}": s.alive() for s in self.servers}

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> RuntimeState:
        data = json.loads(text)
        data["servers"] = [Server(**s) for s in data.get("servers", [])]
        return cls(**data)


def runtime_dir(project: Path) -> Path:
    return project / ".runtime" / "side-by-side"


def state_file(project: Path) -> Path:
    return runtime_dir(project) / "state.json"


def load_state(project: Path) -> RuntimeState | None:
    file = state_file(project)
    if not file.exists():
        return None
    return RuntimeState.from_json(file.read_text(encoding="utf-8"))


def _save(project: Path, state: RuntimeState) -> None:
    write_atomic(state_file(project), state.to_json())
    os.chmod(state_file(project), 0o600)  # it holds the local admin password


@dataclass
class UpResult:
    state: RuntimeState
    already_running: bool


def up(
    project: Path,
    version: int,
    *,
    sensor_interval: int = DEFAULT_SENSOR_INTERVAL,
    airflow_schedules: bool = False,
    database: str = "sqlite",
    timeout: float = 300,
    on_event: Callable[[str], None] = lambda message: None,
) -> UpResult:
    """Start Airflow and Dagster for ``project`` (with their PostgreSQL first when ``database`` is "postgres");
    a second `up` while they run is a no-op."""
    if database not in DATABASES:
        raise SideBySideError(f"the database must be one of {', '.join(DATABASES)}, not {database!r}")
    project = project.resolve()
    with locked(runtime_dir(project).parent / ".side-by-side.lock"):
        existing = load_state(project)
        if existing is not None:
            alive = existing.alive()
            if alive and not any(alive.values()):
                on_event("a previous runtime's processes are all gone (stale state): starting afresh")
                state_file(project).unlink()
                return _start(project, version, sensor_interval, airflow_schedules, database, timeout, on_event)
            if alive and all(alive.values()):
                if existing.airflow_version != version:
                    raise SideBySideError(
                        f"Airflow {existing.airflow_version} is already running for this project; "
                        "`airflow-to-dagster runtime down` first to switch lines"
                    )
                if existing.database != database:
                    raise SideBySideError(
                        f"the runtime is already running on {existing.database} for this project; "
                        "`airflow-to-dagster runtime down` first to switch databases"
                    )
                return UpResult(existing, already_running=True)
            dead = ", ".join(name for name, ok in alive.items() if not ok) or "none recorded"
            raise SideBySideError(
                f"a previous runtime is only partly running (stopped: {dead}); "
                "run `airflow-to-dagster runtime down` to clean it up, then `up` again"
            )
        return _start(project, version, sensor_interval, airflow_schedules, database, timeout, on_event)


def _start(
    project: Path,
    version: int,
    sensor_interval: int,
    airflow_schedules: bool,
    database: str,
    timeout: float,
    on_event: Callable[[str], None],
) -> UpResult:
    base = runtime_dir(project)
    remove_cluster(base / "postgres")
    for stale in ("airflow", "dagster", "data", "launch"):
        shutil.rmtree(base / stale, ignore_errors=True)
    dags_folder = project / DAGS_FOLDER
    if not dags_folder.is_dir():
        raise SideBySideError(f"{dags_folder} does not exist: run from the project that holds {DAGS_FOLDER}/")
    if not (project / DEFS_PACKAGE / "definitions.py").is_file():
        raise SideBySideError(
            f"{project / DEFS_PACKAGE} has no definitions.py: run "
            f"`airflow-to-dagster convert {DAGS_FOLDER} --out {DEFS_PACKAGE}` first"
        )
    (dags_folder / "proxied_state").mkdir(exist_ok=True)
    dagster_port = free_port()
    state = RuntimeState(
        project=str(project),
        airflow_version=version,
        airflow_url="",
        airflow_home=str(base / "airflow"),
        username="admin",
        password="admin",
        dagster_url=f"http://127.0.0.1:{dagster_port}",
        dagster_home=str(base / "dagster"),
        data_dir=str(base / "data"),
        sensor_interval=sensor_interval,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        database=database,
    )

    def record(instance: AirflowInstance) -> None:
        state.airflow_url = instance.url
        known = {s.pid for s in state.servers}
        for proc in instance.processes:
            if proc.pid not in known:
                state.servers.append(Server("airflow", proc.name, proc.pid, str(proc.log), start_time(proc.pid)))
                _remember_launch(project, "airflow", proc.name, list(proc.argv), instance.env, proc.cwd)
        _save(project, state)

    def record_postgres(server: PostgresServer) -> None:
        proc = server.process
        state.database_port, state.database_password = server.port, server.password
        state.servers.append(Server("postgres", proc.name, proc.pid, str(proc.log), start_time(proc.pid)))
        _remember_launch(project, "postgres", proc.name, list(proc.argv), server.env, proc.cwd)
        _save(project, state)

    try:
        database_url = None
        if database == "postgres":
            on_event(f"starting PostgreSQL (databases airflow and dagster) in {base / 'postgres'}")
            start_postgres(
                base / "postgres",
                user=POSTGRES_USER,
                password=secrets.token_hex(16),
                databases=("airflow", "dagster"),
                on_start=record_postgres,
            )
            database_url = state.database_url("airflow", "postgresql+psycopg2")
        where = "PostgreSQL" if database == "postgres" else state.airflow_home
        on_event(f"starting Airflow {version} (metadata in {where}, logs in {state.airflow_home})")
        instance = start_airflow(
            version,
            Path(state.airflow_home),
            data_dir=Path(state.data_dir),
            dags_folder=dags_folder,
            use_job_schedule=airflow_schedules,
            extra_env={"DAGSTER_URL": state.dagster_url},
            parse_interval=PARSE_INTERVAL,
            list_interval=LIST_INTERVAL,
            timeout=timeout,
            on_start=record,
            database_url=database_url,
        )
        on_event(f"Airflow {version} is healthy at {instance.url}; waiting for its DAGs to be parsed")
        wait_for_dags(instance, expected_dag_ids(dags_folder, version), timeout=timeout)
        on_event(f"starting Dagster (webserver + daemon) at {state.dagster_url}")
        _start_dagster(project, state, instance, dagster_port, timeout, on_event)
        state.dagster().wait_for_location(LOCATION, timeout=timeout)
        on_event("Dagster loaded the code location, peered with Airflow")
    except BaseException:
        _stop_servers(state)
        state_file(project).unlink(missing_ok=True)
        shutil.rmtree(base / "launch", ignore_errors=True)
        raise
    return UpResult(state, already_running=False)


def expected_dag_ids(dags_folder: Path, version: int) -> set[str]:
    """The DAG ids the static scan finds for this Airflow line (the other line's folder left out)."""
    from converters.inventory.project import scan_project

    other = {folder for line, folder in VERSION_ONLY_FOLDERS.items() if line != version}
    project = scan_project(dags_folder)
    return {
        dag.dag_id for file in project.files if Path(file.path).parts[0] not in other for dag in file.dags if dag.dag_id
    }


def _start_dagster(
    project: Path,
    state: RuntimeState,
    airflow: AirflowInstance,
    port: int,
    timeout: float,
    on_event: Callable[[str], None] = lambda message: None,
) -> None:
    home = Path(state.dagster_home)
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(dagster_instance_yaml(state.database))
    workspace = home / "workspace.yaml"
    workspace.write_text(
        "load_from:\n"
        "  - python_module:\n"
        f"      module_name: {DEFS_PACKAGE}.definitions\n"
        f"      working_directory: {json.dumps(str(project))}\n"
        f"      location_name: {LOCATION}\n"
    )
    env = dagster_environment(project, state, airflow)
    venv = venv_dir("dagster") / "bin"
    # Create the instance's storage once, before two processes race to migrate a fresh schema.
    migrated = subprocess.run(
        [str(venv / "dagster"), "instance", "migrate"],
        env=env,
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if migrated.returncode != 0:
        raise SideBySideError(f"`dagster instance migrate` failed:\n{migrated.stderr[-3000:]}")
    _prepare_dbt_projects(project / DEFS_PACKAGE, env, home.parent / "logs" / "dbt-prepare.log", on_event)
    commands = {
        "webserver": [str(venv / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port), "-w", str(workspace)],
        "daemon": [str(venv / "dagster-daemon"), "run", "-w", str(workspace)],
    }
    for name, argv in commands.items():
        proc = start_process_group(name, argv, env, home.parent / "logs" / f"dagster-{name}.log", project)
        state.servers.append(Server("dagster", name, proc.pid, str(proc.log), start_time(proc.pid)))
        _remember_launch(project, "dagster", name, argv, env, str(project))
        _save(project, state)
    deadline = time.monotonic() + timeout  # the webserver answers once it has loaded the code location
    client = state.dagster()
    while not client.healthy():
        for server in state.servers:
            if server.side == "dagster" and not server.alive():
                raise SideBySideError(f"Dagster {server.name} exited during start-up:\n{tail(Path(server.log))}")
        if time.monotonic() > deadline:
            raise SideBySideError(f"Dagster webserver not answering at {state.dagster_url} after {timeout:.0f}s")
        time.sleep(1)


def _prepare_dbt_projects(package: Path, env: dict[str, str], log: Path, on_event: Callable[[str], None]) -> None:
    """Build the dbt manifests before Dagster loads the location, as a deployment's build step does
    (``dagster-dbt project prepare-and-package``, with the environment the code servers get: the profiles read
    it). A failure is reported, not fatal: the location then parses the project when it loads, or keeps the
    group observed, and says why."""
    projects = package / "dbt_projects.py"
    if not projects.is_file():
        return
    on_event(f"preparing the dbt projects of {projects.name} (dagster-dbt project prepare-and-package)")
    command = [
        str(venv_dir("dagster") / "bin" / "dagster-dbt"),
        "project",
        "prepare-and-package",
        "--file",
        str(projects),
    ]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as out:
        try:
            code = subprocess.run(
                command, env=env, cwd=package.parent, stdout=out, stderr=subprocess.STDOUT, check=False, timeout=600
            ).returncode
        except subprocess.TimeoutExpired:
            code = None
    if code != 0:
        why = "timed out after 600 s" if code is None else f"exited {code}"
        on_event(f"the dbt projects were not prepared ({why}; see {log}): the location parses them when it loads")


def sensor_minimum_interval(interval: int) -> int:
    """The airlift sensor's minimum interval for a tick every ``interval`` seconds. Dagster's daemon looks at its
    sensors every 5 s and runs one whose minimum interval has passed since its last tick's start; a tick starts
    a little after the look, so with a minimum of exactly 5 s the next look often finds 4.9 s and the sensor
    ticked every 10 s (make bench saw 10 s gaps, observation latency up to 11 s). A second less keeps the look
    at the interval from being missed."""
    return max(1, interval - 1)


def dagster_instance_yaml(database: str) -> str:
    """The runtime's ``dagster.yaml``.

    Runs are launched as they are submitted (Dagster's default run coordinator), not queued for the daemon: a
    proxied Airflow task waited ~1 s in the queue for every run (make bench). Airflow's pools and parallelism
    already bound how many proxied tasks run at once, and Dagster's pools are enforced per step by the run (op
    granularity, the default) whatever the coordinator; only a cap on runs in progress (max_concurrent_runs,
    tag limits: none set here) would need the queue. Each run worker is forked from a process that has Dagster
    imported (`run_launcher`), not spawned as a fresh interpreter by the code server.
    On PostgreSQL, runs, events and schedules go to its `dagster` database (the URL, with its password, comes
    from the environment rather than this file).
    """
    storage = "storage:\n  postgres:\n    postgres_url:\n      env: DAGSTER_POSTGRES_URL\n"
    return (
        "telemetry:\n  enabled: false\n"
        "run_coordinator:\n  module: dagster.core.run_coordinator\n  class: DefaultRunCoordinator\n"
        "run_launcher:\n  module: converters.runtime.run_launcher\n  class: ForkedRunLauncher\n"
        + (storage if database == "postgres" else "")
    )


def dagster_environment(project: Path, state: RuntimeState, airflow: AirflowInstance) -> dict[str, str]:
    """Dagster's processes: the Dagster venv, the Airflow to peer with, and the estate's own settings
    (connections, variables, paths) exactly as Airflow's tasks get them."""
    venv = venv_dir("dagster")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "VIRTUAL_ENV", "PYTHON", "DAGSTER"))}
    env.update(
        {
            k: v
            for k, v in airflow.env.items()
            if not k.startswith("AIRFLOW__") and k not in {"PATH", "VIRTUAL_ENV", "AIRFLOW_HOME", "DAGSTER_URL"}
        }
    )
    env.update(
        {
            "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "VIRTUAL_ENV": str(venv),
            "DAGSTER_HOME": state.dagster_home,
            "AIRFLOW_URL": airflow.url,
            "AIRFLOW_USERNAME": airflow.username,
            "AIRFLOW_PASSWORD": airflow.password,
            "AIRFLOW_MAJOR_VERSION": str(airflow.version),
            # LIFT assets run their Airflow operators with the Python of the line's Airflow venv (support/lift.py).
            "AIRFLOW_LIFT_PYTHON": str(airflow_venv(airflow.version) / "bin" / "python"),
            "AIRFLOW_INSTANCE_NAME": "airflow",
            "AIRLIFT_SENSOR_INTERVAL": str(sensor_minimum_interval(state.sensor_interval)),
            # Airflow's DAGs and tasks as peering saw them at the first load: later loads (daemon, run workers,
            # reloads) ask Airflow nothing. `up` starts with a fresh Dagster home, so without one.
            "AIRLIFT_SNAPSHOT": str(airlift_snapshot(state)),
            "AIRFLOW_DAGS_FOLDER": str(project / DAGS_FOLDER),
            "DBT_TARGET_ROOT": str(Path(state.dagster_home) / "dbt-target"),
        }
    )
    env.update(native_settings(env))  # a modernized module's DuckDB resource: its file, from the connection
    if state.database == "postgres":
        # psycopg2 named: SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3, which the venv does not have.
        env["DAGSTER_POSTGRES_URL"] = state.database_url("dagster", "postgresql+psycopg2")
    return env


def down(project: Path, on_event: Callable[[str], None] = lambda message: None) -> list[str]:
    """Stop exactly the process groups `up` recorded; returns what was stopped."""
    project = project.resolve()
    with locked(runtime_dir(project).parent / ".side-by-side.lock"):
        state = load_state(project)
        if state is None:
            return []
        stopped = _stop_servers(state, on_event)
        # A cluster that had to live outside the project (as root, under /tmp) goes with its server: nothing else
        # would remove it once the project folder is gone, and the next `up` starts a fresh one anyway.
        remove_cluster(runtime_dir(project) / "postgres", keep_base=True)
        state_file(project).unlink(missing_ok=True)
        shutil.rmtree(runtime_dir(project) / "launch", ignore_errors=True)
        return stopped


def _stop_servers(state: RuntimeState, on_event: Callable[[str], None] = lambda message: None) -> list[str]:
    stopped = []
    # Dagster first (it polls Airflow), then Airflow's servers in reverse start order, their database last.
    order = [
        *(s for s in state.servers if s.side == "dagster"),
        *(s for s in reversed(state.servers) if s.side == "airflow"),
        *(s for s in state.servers if s.side not in {"dagster", "airflow"}),
    ]
    for server in order:
        if server.alive():
            on_event(f"stopping {server.side} {server.name} (process group {server.pid})")
            stop_process_group(server.pid)
            stopped.append(f"{server.side}/{server.name}")
    return stopped


def _launch_file(project: Path, side: str, name: str) -> Path:
    return runtime_dir(project) / "launch" / f"{side}-{name}.json"


def _remember_launch(project: Path, side: str, name: str, argv: list[str], env: dict[str, str], cwd: str) -> None:
    file = _launch_file(project, side, name)
    file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(file, json.dumps({"argv": argv, "env": env, "cwd": cwd}, indent=2) + "\n")
    os.chmod(file, 0o600)


def _find_server(state: RuntimeState, side: str, name: str) -> Server:
    for server in state.servers:
        if (server.side, server.name) == (side, name):
            return server
    known = ", ".join(f"{s.side}/{s.name}" for s in state.servers)
    raise SideBySideError(f"the runtime has no server {side}/{name} (it has: {known})")


@contextlib.contextmanager
def _one_server(project: Path, side: str, name: str) -> Iterator[tuple[Path, RuntimeState, Server]]:
    """The running runtime's record of one server, under the runtime's lock."""
    project = project.resolve()
    with locked(runtime_dir(project).parent / ".side-by-side.lock"):
        state = load_state(project)
        if state is None:
            raise SideBySideError("the side-by-side runtime is not running")
        yield project, state, _find_server(state, side, name)


def stop_server(project: Path, side: str, name: str) -> None:
    """Stop one server of the running runtime (its process group); `start_server` brings it back."""
    with _one_server(project, side, name) as (_, _, server):
        if server.alive():
            stop_process_group(server.pid)


def start_server(project: Path, side: str, name: str, extra_args: tuple[str, ...] = ()) -> Server:
    """Start a stopped server again exactly as `up` started it (plus ``extra_args``), recording its new group."""
    with _one_server(project, side, name) as (project, state, server):
        if server.alive():
            raise SideBySideError(f"{side}/{name} is running (process group {server.pid}): stop it first")
        launch = json.loads(_launch_file(project, side, name).read_text(encoding="utf-8"))
        argv = [*launch["argv"], *extra_args]
        proc = start_process_group(name, argv, launch["env"], Path(server.log), Path(launch["cwd"]))
        server.pid, server.started = proc.pid, start_time(proc.pid)
        _save(project, state)
        return server


def require(project: Path) -> RuntimeState:
    """The running side-by-side runtime of ``project``, or a clear error."""
    state = load_state(project.resolve())
    if state is None:
        raise SideBySideError("the side-by-side runtime is not running: `airflow-to-dagster runtime up` first")
    dead = [name for name, ok in state.alive().items() if not ok]
    if dead:
        raise SideBySideError(
            f"the runtime is only partly running ({', '.join(dead)} stopped): `runtime down`, then `up`"
        )
    return state


def airlift_snapshot(state: RuntimeState) -> Path:
    """Where the generated location keeps Airflow's answers to peering's load-time questions."""
    return Path(state.dagster_home) / "airlift-snapshot.json"


def reload_dagster(state: RuntimeState, afresh: bool = True) -> None:
    """Make Dagster load the generated code again: after `decommission` regenerated it, asking Airflow afresh
    (``afresh``: its DAGs changed); after `proxy`/`rollback`, with the same answers (only the proxied state did)."""
    if afresh:
        airlift_snapshot(state).unlink(missing_ok=True)
    state.dagster().reload(LOCATION)
