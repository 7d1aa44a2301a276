"""The two measures that need the real side-by-side runtime: observation latency and proxied-task overhead.

A project of one small DAG, ``bench_pair`` (``proxied >> observed``, two Python callables), is converted and
started with `runtime up` (real Airflow, real Dagster webserver + daemon, peered by airlift). ``proxied`` is
proxied to Dagster; then the DAG runs ``runs`` times, one after the other, and for each run:

- observation latency = the moment the bench first sees the materialization of ``bench_pair/observed`` for that
  Airflow run in Dagster's GraphQL API (polled every 0.25 s) − that task's ``end_date`` in Airflow;
- proxied overhead = the Airflow task ``proxied``'s wall time − the time of the step of the Dagster run it
  launched (found by airlift's tags ``dagster-airlift/airflow-dag-run-id`` and ``…-task-id``), from its first
  ``STEP_START`` to its last ``STEP_SUCCESS``: everything the task spends on anything but the asset's body.
  Beside it, as measured before: the Airflow wall time − the run's wall time (``RUN_START`` → ``RUN_SUCCESS``),
  which leaves the executor's start of the step and the run's end out;
- its breakdown (`breakdown`): the Airflow task's start and end and the Dagster run's own events put in order,
  so each phase between two of them (the launch over GraphQL, the queue, the run worker's start, the code
  location's import, the executor's start of the step, the step itself, the run's end, airlift seeing it) has
  its time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from converters.convert import convert_project
from converters.runtime import side_by_side

DAG_ID = "bench_pair"
BENCH_DAG = '''"""Two tasks for the runtime benchmarks: the first is proxied to Dagster, the second stays in Airflow."""

from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator


def produce(ds, **context):
    return f"produced {ds}"


def observe(ds, **context):
    return f"observed {ds}"


with DAG(dag_id="bench_pair", schedule=None, start_date=datetime(2024, 1, 1), catchup=False) as dag:
    proxied = PythonOperator(task_id="proxied", python_callable=produce)
    observed = PythonOperator(task_id="observed", python_callable=observe)
    proxied >> observed
'''


# The moments a proxied task goes through, in order: (name, what ends the phase that leads to it). The first is
# the Airflow task's start; a moment the run did not go through (an event Dagster did not emit) is left out and
# its phase merged into the next.
MILESTONES = (
    ("airflow task started", ""),
    ("run created", "launch over GraphQL (airlift: check, asset nodes, earlier runs, launch)"),
    ("run starting", "queue, until a launcher takes the run (RUN_STARTING)"),
    ("run worker started", "run worker start (its process up, with Dagster imported)"),
    ("run started", "code location import + execution plan (RUN_START)"),
    ("first step started", "executor start of the step (STEP_START)"),
    ("last step succeeded", "the step itself (the asset's body)"),
    ("run succeeded", "run end (RUN_SUCCESS)"),
    ("airflow task ended", "seen by the Airflow task (airlift's poll) + Airflow's task end"),
)
PHASES = tuple(phase for _, phase in MILESTONES[1:])
STEP = "the step itself (the asset's body)"  # the work, not overhead


def milestones(airflow_start: float, airflow_end: float, created: float, events: list[dict]) -> dict[str, float]:
    """When the proxied task reached each of `MILESTONES` (epoch seconds), from the Airflow task's start/end, the
    Dagster run's creation time and its events (``eventType``, ``timestamp``, ``message``)."""

    def first(kind: str, message: str = "") -> float | None:
        return next(
            (e["timestamp"] for e in events if e["eventType"] == kind and e["message"].startswith(message)), None
        )

    steps = [e["timestamp"] for e in events if e["eventType"] == "STEP_SUCCESS"]
    found = {
        "airflow task started": airflow_start,
        "run created": created,
        "run starting": first("RUN_STARTING"),
        "run worker started": first("ENGINE_EVENT", "Started process for run"),
        "run started": first("RUN_START"),
        "first step started": first("STEP_START"),
        "last step succeeded": max(steps) if steps else None,
        "run succeeded": first("RUN_SUCCESS"),
        "airflow task ended": airflow_end,
    }
    return {name: moment for name, moment in found.items() if moment is not None}


def breakdown(moments: dict[str, float]) -> dict[str, float]:
    """Seconds spent in each phase (keyed by `PHASES`), between consecutive moments reached; a phase whose
    moment was not reached is 0 and its time goes to the next phase."""
    phases = dict.fromkeys(PHASES, 0.0)
    previous = moments["airflow task started"]
    for name, phase in MILESTONES[1:]:
        if name in moments:
            phases[phase] = moments[name] - previous
            previous = moments[name]
    return phases


@dataclass
class RuntimeFigures:
    sensor_interval: int
    airflow_version: int
    latencies: list[float] = field(default_factory=list)
    overheads: list[float] = field(default_factory=list)  # Airflow task wall − the step's own time
    run_overheads: list[float] = field(default_factory=list)  # Airflow task wall − Dagster run wall (RUN_START→END)
    breakdowns: list[dict[str, float]] = field(default_factory=list)  # per run, seconds per phase (`PHASES`)
    up_seconds: float = 0.0
    load_averages: list[float] = field(default_factory=list)  # the 1-minute load average after each run

    def phase_medians(self) -> dict[str, float]:
        return {phase: statistics.median(b[phase] for b in self.breakdowns) for phase in PHASES}

    @property
    def latency_median(self) -> float:
        return statistics.median(self.latencies)

    @property
    def overhead_median(self) -> float:
        return statistics.median(self.overheads)


def _timestamp(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def write_project(root: Path) -> Path:
    """The one-DAG project, converted: ``root/airflow_dags`` and ``root/dagster_defs``."""
    dags = root / side_by_side.DAGS_FOLDER
    dags.mkdir(parents=True, exist_ok=True)
    (dags / f"{DAG_ID}.py").write_text(BENCH_DAG, encoding="utf-8")
    convert_project(dags, root / side_by_side.DEFS_PACKAGE, force=True)
    return root


def measure(
    root: Path,
    *,
    runs: int = 10,
    sensor_interval: int = 5,
    airflow_version: int = 2,
    on_event: Callable[[str], None] = lambda message: None,
) -> RuntimeFigures:
    project = write_project(root)
    figures = RuntimeFigures(sensor_interval, airflow_version)
    started = time.monotonic()
    try:
        state = side_by_side.up(project, airflow_version, sensor_interval=sensor_interval, on_event=on_event).state
        figures.up_seconds = time.monotonic() - started
        _proxy(project)
        airflow, dagster = state.airflow(), state.dagster()
        airflow.set_paused(DAG_ID, False)
        for number in range(runs):
            logical_date = f"2024-01-{number + 1:02d}T00:00:00+00:00"
            run_id = airflow.trigger(DAG_ID, logical_date)["dag_run_id"]
            seen = _first_seen(dagster, run_id, timeout=120 + sensor_interval)
            airflow.wait_for_run(DAG_ID, run_id, timeout=120, poll=0.5)
            instances = {ti["task_id"]: ti for ti in airflow.task_instances(DAG_ID, run_id)}
            figures.latencies.append(seen - _timestamp(instances["observed"]["end_date"]))
            proxied = instances["proxied"]
            start, end = _timestamp(proxied["start_date"]), _timestamp(proxied["end_date"])
            dagster_run = _dagster_run(dagster, run_id)
            figures.run_overheads.append(end - start - (dagster_run["endTime"] - dagster_run["startTime"]))
            events = dagster.run_events(dagster_run["runId"])
            phases = breakdown(milestones(start, end, dagster_run["creationTime"], events))
            figures.overheads.append(end - start - phases[STEP])
            figures.breakdowns.append(phases)
            figures.load_averages.append(round(os.getloadavg()[0], 1))
            on_event(
                f"run {number + 1}/{runs}: observed after {figures.latencies[-1]:.2f}s, "
                f"proxy overhead {figures.overheads[-1]:.2f}s (load {figures.load_averages[-1]}): "
                + ", ".join(f"{phase.split(' (')[0]} {seconds:.2f}" for phase, seconds in phases.items())
            )
    finally:
        side_by_side.down(project)
    return figures


def _proxy(project: Path) -> None:
    """Through the CLI, as a user does it: it also waits until Airflow has parsed the proxy block."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "converters",
            "proxy",
            DAG_ID,
            "proxied",
            "--force",
            "--reason",
            "benchmark",
            "--project",
            str(project),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"proxy failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def _first_seen(dagster, run_id: str, timeout: float) -> float:
    """Wall-clock time at which Dagster first shows ``observed`` materialized for the Airflow run ``run_id``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = dagster.materializations([DAG_ID, "observed"], limit=20) or []
        if any(event["metadata"].get("Airflow Run ID") == run_id for event in events):
            return time.time()
        time.sleep(0.25)
    raise TimeoutError(f"Dagster did not observe {DAG_ID}/observed of {run_id} within {timeout:.0f}s")


def _dagster_run(dagster, run_id: str) -> dict:
    runs = dagster.runs({"dagster-airlift/airflow-dag-run-id": run_id, "dagster-airlift/airflow-task-id": "proxied"})
    finished = [run for run in runs if run["status"] == "SUCCESS" and run["endTime"] and run["startTime"]]
    if not finished:
        raise RuntimeError(f"no successful Dagster run for the proxied task of {run_id}: {runs}")
    return finished[0]
