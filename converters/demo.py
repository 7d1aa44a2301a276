"""``airflow-to-dagster demo``: the whole migration story on the bundled example estate, with real servers.

set up (a fresh copy of the example project) → scan → convert → runtime up (Airflow + Dagster, peered) →
observe a run (every example DAG runs in Airflow for one date; Dagster sees each run) → gates for wave 1 →
proxy wave 1 (MECH tasks whose gates passed) → run (the proxied tasks of one DAG run again, now in Dagster,
after their tables were emptied) → parity (every table equals the pure-Airflow run's) → roll one task back and
forward → decommission two DAGs (``DECOMMISSION_DAGS``: ``DECOMMISSION_DAG``, whose operators no rule translates
were lifted before `convert`, so every task has an asset, and ``MODERNIZE_DAG``; their gates, all their tasks
proxied and run again in Dagster, then Airflow's copies paused for good) → modernize ``MODERNIZE_DAG`` (idiomatic
Dagster, its quality task an asset check, gates 2-6 again with the same rows and checksums) → report. Each step
says what it did and where to look.

With ``--db postgres`` Airflow runs tasks in parallel, and the story checks what a parallel estate can break: the
gates run while airlift's sensor keeps observing (its ticks in that window succeed), the showcase DAG's proxied
tasks run again at the same time as another DAG's (their Dagster runs overlap), and nothing is lost or duplicated:
every Airflow run is observed exactly once, every proxied task's run is exactly one Dagster run materializing
each of its assets exactly once.

Everything lives in ``.runtime/demo/airflow<N>/`` (project copy, servers' state, logs, warehouse) and
``build/demo-airflow<N>/report/``; the checkout's own files are never changed.
"""

from __future__ import annotations

import graphlib
import shutil
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

import duckdb

from converters.airlift import proxied_state
from converters.convert import convert_project
from converters.flow import scan_and_plan
from converters.gates import load_config, registry, run_project_gates
from converters.gates.ladder import data_parity
from converters.gates.tables import Warehouse, differences
from converters.inventory.ir import Project
from converters.inventory.project import scan_project
from converters.ledger import ledger
from converters.migrate import (
    Change,
    GatesMissing,
    decommission_in_project,
    find_dag,
    lift,
    load_plan,
    modernize_in_project,
    proxy,
    rollback,
    take_effect,
)
from converters.report import model as report_model
from converters.report import write_report
from converters.rules.base import LIFT, NONE
from converters.runtime import side_by_side
from converters.runtime.airflow import WAREHOUSE_POOL
from converters.runtime.airflow_api import AirflowClient
from converters.runtime.dagster_api import DagsterClient
from converters.runtime.envs import project_root
from converters.runtime.example_estate import DEFAULT_LOGICAL_DATE, RunOutcome, run_example_estate
from converters.status import AIRFLOW_INSTANCE, project_status

PROXY_OPERATORS = ("Proxy",)  # the proxy block's operator classes are named *Proxy*
# The DAG whose proxied tasks run again in the "run" step: the estate's flagship, proxied on both lines.
SHOWCASE_DAG = "orders_daily"
ROLLBACK_TASK = "load_orders"
# The DAG that leaves Airflow for good at the end of the story: its untranslated tasks are lifted (LIFT, their
# own Airflow operators run under Dagster), every task passes its gates and is proxied, then it is decommissioned.
DECOMMISSION_DAG = "supplier_feeds"
# The DAG that is then modernized: decommissioned too, rewritten as idiomatic Dagster, its gates run again.
MODERNIZE_DAG = "fx_rates"
DECOMMISSION_DAGS = (DECOMMISSION_DAG, MODERNIZE_DAG)
SENSOR = f"{AIRFLOW_INSTANCE}__airflow_dag_status_sensor"  # airlift's sensor of the Airflow instance


@dataclass
class Step:
    name: str
    ok: bool
    detail: str
    look: str = ""  # where to see it
    seconds: float = 0.0  # how long the step took (wall clock, from the end of the step before)


@dataclass
class DemoResult:
    airflow_version: int
    logical_date: str
    project: str
    database: str = "sqlite"  # where both sides keep their metadata: "sqlite" or "postgres"
    airflow_url: str = ""
    dagster_url: str = ""
    username: str = ""
    password: str = ""
    report: str = ""
    kept_running: bool = False
    steps: list[Step] = field(default_factory=list)
    runs: list[RunOutcome] = field(default_factory=list)
    proxied: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps)


class DemoFailed(RuntimeError):
    """A step failed: the demo stops there (the servers are stopped unless --keep-running)."""


def demo_dir(version: int) -> Path:
    return project_root() / ".runtime" / "demo" / f"airflow{version}"


def report_dir(version: int) -> Path:
    return project_root() / "build" / f"demo-airflow{version}" / "report"


def run_demo(
    version: int,
    logical_date: str = DEFAULT_LOGICAL_DATE,
    keep_running: bool = False,
    database: str = "sqlite",
    on_event: Callable[[str], None] = lambda message: None,
    on_step: Callable[[Step], None] = lambda step: None,
) -> DemoResult:
    project = demo_dir(version) / "project"
    result = DemoResult(version, logical_date, str(project), kept_running=keep_running, database=database)

    started = [time.monotonic()]

    def step(name: str, ok: bool, detail: str, look: str = "") -> None:
        now = time.monotonic()
        done = Step(name, ok, detail, look, seconds=round(now - started[0], 1))
        started[0] = now
        result.steps.append(done)
        on_step(done)
        if not ok:
            raise DemoFailed(f"{name}: {detail}")

    if project.exists() and side_by_side.load_state(project) is not None:
        on_event("stopping the previous demo's runtime")
        side_by_side.down(project)
    try:
        _story(version, logical_date, project, result, step, on_event)
    except DemoFailed:
        pass
    finally:
        if not keep_running:
            side_by_side.down(project, on_event)
            result.kept_running = False
    return result


@dataclass
class _Story:
    """What the steps share: the demo's inputs, its result, and what earlier steps found for later ones."""

    version: int
    date: str
    project: Path
    result: DemoResult
    step: Callable[..., None]  # step(name, ok, detail, look=""): records it; stops the demo when not ok
    on_event: Callable[[str], None]
    inventory: Project | None = None  # scan
    state: side_by_side.RuntimeState | None = None  # runtime up
    airflow: AirflowClient | None = None
    dagster: DagsterClient | None = None
    wave: list[tuple[str, str]] = field(default_factory=list)  # gates: wave 1's (dag, task) on this line
    passed: list[tuple[str, str]] = field(default_factory=list)  # gates: those whose gates passed
    latest: dict = field(default_factory=dict)  # gates: the ledger's latest results
    run_id: str = ""  # run proxied: the showcase DAG's Airflow run, run again
    baseline: Path | None = None  # run proxied: the warehouse as the pure-Airflow run left it
    emptied: list[str] = field(default_factory=list)  # run proxied: the tables Dagster had to write again
    lifted: list[str] = field(default_factory=list)  # lift: DECOMMISSION_DAG's tasks recorded as LIFT

    def reload_dagster(self) -> None:
        """Dagster loads the location again after a proxy or rollback (only the proxied state changed)."""
        side_by_side.reload_dagster(self.state, afresh=False)

    @property
    def dags_folder(self) -> Path:
        return self.project / "airflow_dags"

    @cached_property
    def date_column(self) -> str:
        return load_config(self.project).get("date_column", "ds")


def _story(version: int, date: str, project: Path, result: DemoResult, step, on_event) -> None:
    story = _Story(version, date, project, result, step, on_event)
    for each in STEPS:
        each(story)


def set_up(story: _Story) -> None:
    """A fresh copy, so the story is the same every time and the checkout stays untouched."""
    source, project = project_root(), story.project
    shutil.rmtree(project.parent, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "target", "logs", "proxied_state")
    shutil.copytree(source / "airflow_dags", project / "airflow_dags", ignore=ignore)
    (project / "migration").mkdir(parents=True)
    shutil.copy2(source / "migration" / "gates.json", project / "migration" / "gates.json")
    story.step("set up", True, "a fresh copy of the example estate and its gates configuration", str(project))


def scan(story: _Story) -> None:
    """Read the estate without running it."""
    story.inventory = inventory = scan_project(story.dags_folder, use_cache=False)
    dags = [d for f in inventory.files for d in f.dags]
    diagnostics = [d for f in inventory.files for d in f.diagnostics] + list(inventory.diagnostics)
    story.step(
        "scan",
        bool(dags),
        f"{len(inventory.files)} files, {len(dags)} DAGs, {sum(len(d.tasks) for d in dags)} tasks, "
        f"{len(diagnostics)} diagnostics — nothing executed",
        f"airflow-to-dagster scan {story.dags_folder}",
    )


def lift_untranslated(story: _Story) -> None:
    """What `scan --lift` shows as LIFT in the DAG to decommission, lifted with `lift DAG TASK…`: recorded in
    migration/state.json, so `convert` gives those tasks their own Airflow operator, run by Dagster through Pipes
    (a task reading a lifted task's XCom gets its own translation then)."""
    would = find_dag(scan_and_plan(story.dags_folder, project=story.inventory, lift=True).plan, DECOMMISSION_DAG)
    liftable = [t.task.task_id for t in would.tasks if t.disposition == LIFT]
    story.lifted = lift(story.dags_folder, DECOMMISSION_DAG, liftable) if liftable else []
    after = find_dag(scan_and_plan(story.dags_folder, project=story.inventory).plan, DECOMMISSION_DAG)
    staying = [t.task.task_id for t in after.tasks if t.disposition == NONE]
    story.step(
        "lift",
        not staying,
        f"{DECOMMISSION_DAG}: "
        + (f"{', '.join(story.lifted)} lifted (LIFT)" if story.lifted else "no task to lift")
        + (f"; still NONE: {', '.join(staying)}" if staying else ""),
        f"airflow-to-dagster scan {story.dags_folder} --lift; airflow-to-dagster lift {DECOMMISSION_DAG} "
        f"{' '.join(liftable)} ({story.project / 'migration' / 'state.json'})",
    )


def convert(story: _Story) -> None:
    """One asset per task, honest dispositions."""
    converted = convert_project(story.dags_folder, story.project / "dagster_defs", use_cache=False)
    counts = converted.plan.counts()
    story.step(
        "convert",
        not converted.generated.problems,
        ", ".join(f"{n} {d}" for d, n in counts.items())
        + f"; {len(converted.generated.written)} files generated"
        + (f"; problems: {converted.generated.problems}" if converted.generated.problems else ""),
        str(story.project / "dagster_defs"),
    )


def runtime_up(story: _Story) -> None:
    """Real Airflow and real Dagster, peered through airlift."""
    database = story.result.database
    story.state = state = side_by_side.up(
        story.project, story.version, database=database, on_event=story.on_event
    ).state
    result = story.result
    result.airflow_url, result.dagster_url = state.airflow_url, state.dagster_url
    result.username, result.password = state.username, state.password
    story.step(
        "runtime up",
        all(state.alive().values()),
        f"Airflow {story.version} at {state.airflow_url}, Dagster at {state.dagster_url}, metadata in "
        + (f"PostgreSQL (127.0.0.1:{state.database_port})" if database == "postgres" else "SQLite"),
        f"Airflow UI {state.airflow_url} (user {state.username}, password {state.password}); "
        f"Dagster UI {state.dagster_url}",
    )
    story.airflow, story.dagster = state.airflow(), state.dagster()


def run_in_airflow(story: _Story) -> None:
    """The whole estate runs in Airflow for the date."""
    state, date = story.state, story.date
    target = types.SimpleNamespace(
        client=state.airflow, version=story.version, landing_dir=Path(state.data_dir) / "landing"
    )
    story.result.runs = runs = run_example_estate(target, date, on_event=story.on_event)
    failed = [f"{r.dag_id}: {r.failure or r.state}" for r in runs if r.state != "success"]
    story.step("run in Airflow", not failed, f"{len(runs)} runs for {date}" + (f"; failed: {failed}" if failed else ""))


def observe(story: _Story) -> None:
    """Dagster sees every Airflow run (airlift's sensor)."""
    runs = story.result.runs
    observed = _wait_observed(story.dagster, runs, timeout=60 + 4 * story.state.sensor_interval)
    time.sleep(2 * story.state.sensor_interval)  # a duplicate would come from a later tick
    twice = sorted(f"{d} {r} ×{n}" for (d, r), n in _observations(story.dagster, runs).items() if n != 1)
    story.step(
        "observe",
        len(observed) == len(runs) and not twice,
        f"{len(observed)} of {len(runs)} Airflow runs are materializations of the DAGs' assets in Dagster "
        "(airlift's sensor, no Dagster run), each exactly once" + (f"; not exactly once: {twice}" if twice else ""),
        f"{story.state.dagster_url}/assets/{AIRFLOW_INSTANCE}/dag",
    )


def gates(story: _Story) -> None:
    """Gates for wave 1: the report's first wave, upstream first and MECH only, wired as `gates` is."""
    dags_folder = story.dags_folder
    wave = report_model.wave_of(report_model.build(dags_folder, project=story.inventory), 1)
    running = side_by_side.expected_dag_ids(dags_folder, story.version)
    story.wave = wave = [(d, t) for d, t in wave if d in running]
    wave_dags = sorted({d for d, _ in wave})
    story.on_event(f"gates for wave 1: {len(wave)} tasks in {', '.join(wave_dags)}")
    began = time.time()
    ladder = run_project_gates(
        story.project, wave_dags, version=story.version, date=story.date, on_event=story.on_event
    )
    ended = time.time()
    ticks = [t for t in _sensor_ticks(story.dagster) if began <= float(t["timestamp"]) <= ended]
    failed_ticks = [t["error"] for t in ticks if t["status"] == "FAILURE"]
    story.latest = ledger.latest_gates(ledger.read(dags_folder))
    story.passed = passed = [(d, t) for d, t in wave if _gates_pass(story.latest.get((d, t), {}))]
    first, last = registry.GATES[0].number, registry.GATES[-1].number
    story.step(
        "gates",
        bool(passed) and bool(ticks) and not failed_ticks,
        f"{len(passed)} of {len(wave)} wave-1 tasks passed gates {first}–{last} (evidence in migration/ledger.jsonl); "
        f"airlift's sensor ticked {len(ticks)} times while they ran"
        + (f", failing: {failed_ticks[:2]}" if failed_ticks else "")
        + (
            f"; failed: {sorted({f'{r.dag_id}.{r.task_id} gate {r.gate}' for r in ladder.failed})}"
            if ladder.failed
            else ""
        ),
        f"airflow-to-dagster gates --project {story.project}",
    )


def proxy_wave_1(story: _Story) -> None:
    """Only what passed; a DAG proxied as a whole only when all of it passed."""
    dags_folder, proxied = story.dags_folder, story.result.proxied
    plan = load_plan(dags_folder)
    changes: list[Change] = []
    for dag_id in sorted({d for d, _ in story.wave}):
        planned = find_dag(plan, dag_id)
        ready = [t for d, t in story.passed if d == dag_id]
        whole = planned.proxy_level == "dag"
        movable = [t.task.task_id for t in planned.tasks if not t.passthrough and t.disposition != "NONE"]
        if not whole:  # a producer moves only with the tasks reading its XCom (`proxy` refuses it otherwise)
            by_id = {t.task.task_id: t for t in planned.tasks}
            while (kept := [t for t in ready if all(r in ready for r in by_id[t].xcom_readers)]) != ready:
                ready = kept
        if not ready or (whole and sorted(ready) != sorted(movable)):
            story.on_event(f"{dag_id}: not proxied in wave 1 ({'moves as a whole' if whole else 'no task passed'})")
            continue
        try:
            change = proxy(dags_folder, dag_id, [] if whole else ready, whole, force=False, reason=None)
        except GatesMissing as exc:  # cannot happen for tasks whose gates passed: the demo would be lying
            story.step("proxy wave 1", False, str(exc))
            return
        changes.append(change)
        proxied[dag_id] = change.proxied
    take_effect(changes, story.airflow, dags_folder, story.reload_dagster)  # the wave's DAGs: one reload
    tasks_proxied = sum(len(v) for v in proxied.values() if v != ["*"])
    whole = sum(1 for v in proxied.values() if v == ["*"])
    story.step(
        "proxy wave 1",
        SHOWCASE_DAG in proxied,
        f"{tasks_proxied} tasks and {whole} whole DAGs proxied in {len(proxied)} DAGs, without --force: "
        + "; ".join(f"{d}: {'all' if t == ['*'] else ', '.join(t)}" for d, t in sorted(proxied.items())),
        str(dags_folder / "proxied_state"),
    )


def run_proxied(story: _Story) -> None:
    """The showcase DAG's proxied tasks run again, in Dagster, into emptied tables: each as exactly one Dagster
    run, materializing each of its assets exactly once."""
    dagster, date = story.dagster, story.date
    story.run_id = run_id = next(r.run_id for r in story.result.runs if r.dag_id == SHOWCASE_DAG)
    tasks = story.result.proxied[SHOWCASE_DAG]
    warehouse = Path(story.state.data_dir) / "warehouse.duckdb"
    story.baseline = story.project.parent / "airflow-baseline.duckdb"
    shutil.copy2(warehouse, story.baseline)  # the pure-Airflow result, to compare with
    story.emptied = emptied = _empty_tables_written_by(
        warehouse, story.latest, SHOWCASE_DAG, tasks, date, story.date_column
    )
    story.on_event(f"emptied {', '.join(emptied)} for {date}; clearing {', '.join(tasks)} in Airflow run {run_id}")
    launched = _rerun(story, {SHOWCASE_DAG: (run_id, tasks)})
    not_once = _not_materialized_once(dagster, [r for runs in launched.values() for r in runs])
    story.step(
        "run proxied",
        _reran_in_dagster(story, launched, {SHOWCASE_DAG: run_id}) and not not_once,
        f"{SHOWCASE_DAG} {run_id}: {len(tasks)} proxied tasks succeeded in Airflow, each as one Dagster run tagged "
        "with the Airflow run, materializing each of its assets once"
        + (f"; not exactly once: {not_once}" if not_once else ""),
        f"{story.state.dagster_url}/runs",
    )


def parity(story: _Story) -> None:
    """Every table of the date equals the pure-Airflow run's."""
    compared = _compare_with_baseline(story)
    differing = [c for c in compared if not c["match"]]
    story.step(
        "parity",
        not differing and bool(story.emptied),
        f"{len(compared)} tables compared with the pure-Airflow run ({len(story.emptied)} rewritten by Dagster): "
        + ("all equal" if not differing else f"differ: {differing[:3]}"),
    )


def run_concurrently(story: _Story) -> None:
    """Two proxied tasks of different DAGs run again at the same time (Airflow's LocalExecutor on PostgreSQL),
    and nothing is lost or duplicated: one Dagster run each, each asset materialized once, the tables unchanged."""
    airflow, dagster = story.airflow, story.dagster
    partner = _partner(story)
    if not partner:
        story.step("run concurrently", False, "no other DAG proxied task by task to run next to the showcase")
        return
    reruns = {
        SHOWCASE_DAG: (story.run_id, [ROLLBACK_TASK]),
        partner: (next(r.run_id for r in story.result.runs if r.dag_id == partner), story.result.proxied[partner]),
    }
    story.on_event("clearing " + "; ".join(f"{d}.{', '.join(t)}" for d, (_, t) in reruns.items()) + " together")
    # The estate's one-slot warehouse pool would queue them: a proxied task holds its slot only to wait for its
    # Dagster run, whose writes wait for DuckDB's lock, so the pool gets a second slot while they run.
    airflow.set_pool_slots(WAREHOUSE_POOL[0], 2)
    try:
        launched = _rerun(story, reruns)
    finally:
        airflow.set_pool_slots(WAREHOUSE_POOL[0], WAREHOUSE_POOL[1])
    ok = _reran_in_dagster(story, launched, {d: r for d, (r, _) in reruns.items()})
    not_once = _not_materialized_once(dagster, [r for runs in launched.values() for r in runs])
    # The proxied tasks ran at once when their Airflow task instances did (each waits for its Dagster run); their
    # Dagster runs last a second or two each, so whether those overlap too is the machine's timing, not a check.
    together = _overlap(
        _task_spans(story, SHOWCASE_DAG, reruns[SHOWCASE_DAG]), _task_spans(story, partner, reruns[partner])
    )
    overlap = _overlap(
        [r for (d, _), runs in launched.items() if d == SHOWCASE_DAG for r in runs],
        [r for (d, _), runs in launched.items() if d == partner for r in runs],
    )
    parallel = story.state.database == "postgres"  # the LocalExecutor on a real database runs them at once
    differing = _differing_tables(story)
    story.step(
        "run concurrently",
        ok and not not_once and not differing and (together > 0 or not parallel),
        f"{SHOWCASE_DAG}.{ROLLBACK_TASK} and {partner}'s {', '.join(reruns[partner][1])} ran again together: "
        + (f"the proxied tasks ran at once for {together:.0f} s in Airflow" if together > 0 else "one after the other")
        + (
            f", their Dagster runs overlapped {overlap:.0f} s"
            if overlap > 0
            else ", their Dagster runs one after the other"
        )
        + ", one Dagster run per task, each asset materialized once, "
        + ("every table still equals the pure-Airflow run's" if not differing else f"tables differ: {differing[:3]}")
        + (f"; not exactly once: {not_once}" if not_once else ""),
        f"{story.state.dagster_url}/runs",
    )


def rollback_and_forward(story: _Story) -> None:
    """One task goes back to Airflow, runs there, and comes back."""
    airflow, dagster, dags_folder, run_id = story.airflow, story.dagster, story.dags_folder, story.run_id
    back = rollback(dags_folder, SHOWCASE_DAG, [ROLLBACK_TASK], False)
    take_effect([back], airflow, dags_folder, story.reload_dagster)
    handed_back = ROLLBACK_TASK not in proxied_state.proxied_tasks(proxied_state.read(dags_folder, SHOWCASE_DAG))
    runs_before = len(_dagster_runs(dagster, SHOWCASE_DAG, ROLLBACK_TASK))
    airflow.clear(SHOWCASE_DAG, run_id, [ROLLBACK_TASK])
    airflow.wait_for_run(SHOWCASE_DAG, run_id, timeout=600)
    instance = next(t for t in airflow.task_instances(SHOWCASE_DAG, run_id) if t["task_id"] == ROLLBACK_TASK)
    in_airflow = instance["state"] == "success" and not any(p in instance.get("operator", "") for p in PROXY_OPERATORS)
    no_new_run = len(_dagster_runs(dagster, SHOWCASE_DAG, ROLLBACK_TASK)) == runs_before
    forward = proxy(dags_folder, SHOWCASE_DAG, [ROLLBACK_TASK], False, force=False, reason=None)
    take_effect([forward], airflow, dags_folder, story.reload_dagster)
    story.step(
        "rollback and forward",
        handed_back and in_airflow and no_new_run and ROLLBACK_TASK in forward.proxied,
        f"{SHOWCASE_DAG}.{ROLLBACK_TASK} rolled back (ran in Airflow as {instance.get('operator')}, no Dagster run), "
        "then proxied again without --force",
        str(dags_folder / "proxied_state" / f"{SHOWCASE_DAG}.yaml"),
    )


def gates_before_decommission(story: _Story) -> None:
    """Every task of the DAGs to decommission (the LIFT tasks run their Airflow operators through Pipes, no Airflow
    server involved) passes its gates against the pure-Airflow run of the date."""
    ladder = run_project_gates(
        story.project, list(DECOMMISSION_DAGS), version=story.version, date=story.date, on_event=story.on_event
    )
    story.latest = ledger.latest_gates(ledger.read(story.dags_folder))
    plan = load_plan(story.dags_folder)
    details, all_passed = [], not ladder.failed
    for dag_id in DECOMMISSION_DAGS:
        tasks = [t for t in find_dag(plan, dag_id).tasks if t.has_asset]
        failed = [t.task.task_id for t in tasks if not _gates_pass(story.latest.get((dag_id, t.task.task_id), {}))]
        lifted = [t.task.task_id for t in tasks if t.disposition == LIFT]
        all_passed = all_passed and bool(tasks) and not failed
        details.append(
            f"{dag_id}: {len(tasks) - len(failed)} of {len(tasks)} tasks passed every gate"
            + (f", {len(lifted)} of them LIFT ({', '.join(lifted)})" if lifted else "")
            + (f"; failed: {failed}" if failed else "")
        )
    story.step(
        "gates before decommission",
        all_passed,
        "; ".join(details),
        f"airflow-to-dagster gates {' '.join(DECOMMISSION_DAGS)} --project {story.project}",
    )


def proxy_before_decommission(story: _Story) -> None:
    """All of each DAG's tasks proxied without --force, then run again from Airflow (one after the other, upstream
    first), in Dagster, into emptied tables: each one Dagster run, and every table still equals the pure-Airflow
    run's."""
    details, all_ok = [], True
    for dag_id in DECOMMISSION_DAGS:
        ok, detail = _proxy_whole_and_rerun(story, dag_id)
        all_ok = all_ok and ok
        details.append(detail)
    story.step(
        "proxy before decommission",
        all_ok,
        "; ".join(details),
        ", ".join(str(story.dags_folder / "proxied_state" / f"{dag_id}.yaml") for dag_id in DECOMMISSION_DAGS),
    )


def _proxy_whole_and_rerun(story: _Story, dag_id: str) -> tuple[bool, str]:
    dags_folder, airflow = story.dags_folder, story.airflow
    planned = find_dag(load_plan(dags_folder), dag_id)
    whole = planned.proxy_level == "dag"
    tasks = [t.task.task_id for t in planned.tasks if t.has_asset]
    change = proxy(dags_folder, dag_id, [] if whole else tasks, whole, force=False, reason=None)
    take_effect([change], airflow, dags_folder, story.reload_dagster)
    story.result.proxied[dag_id] = change.proxied
    run_id = next(r.run_id for r in story.result.runs if r.dag_id == dag_id)
    warehouse = Path(story.state.data_dir) / "warehouse.duckdb"
    emptied = _empty_tables_written_by(warehouse, story.latest, dag_id, tasks, story.date, story.date_column)
    story.on_event(f"emptied {', '.join(emptied)} for {story.date}; clearing {dag_id} run {run_id}")
    # One task at a time, upstream first: each proxied task's Airflow try waits for its own Dagster run alone.
    order = graphlib.TopologicalSorter({t: set() for t in tasks})
    for edge in planned.dag.edges:
        if edge.upstream in tasks and edge.downstream in tasks:
            order.add(edge.downstream, edge.upstream)
    launched: dict[tuple[str, str], list[dict]] = {}
    for task in order.static_order():
        launched.update(_rerun(story, {dag_id: (run_id, [task])}))
    not_once = _not_materialized_once(story.dagster, [r for runs in launched.values() for r in runs])
    differing = _differing_tables(story)
    ok = _reran_in_dagster(story, launched, {dag_id: run_id}) and not not_once and not differing
    return ok, (
        f"{dag_id}: all {len(tasks)} tasks proxied without --force and run again from Airflow run {run_id}, "
        f"each as one Dagster run; {len(emptied)} emptied tables written again, "
        + ("every table equals the pure-Airflow run's" if not differing else f"tables differ: {differing[:3]}")
        + (f"; not exactly once: {not_once}" if not_once else "")
    )


def decommission(story: _Story) -> None:
    """Airflow's copy of each DAG switched off for good: paused in Airflow, its proxy block and proxied state gone,
    its schedule generated running in Dagster (reloaded); status says decommissioned."""
    details, all_ok = [], True
    for dag_id in DECOMMISSION_DAGS:
        done = decommission_in_project(story.project, dag_id)
        paused = next(d for d in story.airflow.dags() if d["dag_id"] == dag_id)["is_paused"] is True
        instigators = story.dagster.instigators(side_by_side.LOCATION)
        schedule = instigators.get(f"{dag_id}_schedule")
        status = next(d for d in project_status(story.project)["dags"] if d["dag_id"] == dag_id)
        states = sorted({t["state"] for t in status["tasks"]})
        dag_file = (story.dags_folder / find_dag(load_plan(story.dags_folder), dag_id).dag.source.file).read_text()
        story.result.proxied.pop(dag_id, None)  # nothing is proxied any more: Dagster runs it on its own
        all_ok = all_ok and (
            paused
            and schedule == "RUNNING"
            and status["decommissioned"]
            and states == ["decommissioned"]
            and done.dagster_reloaded
            and "proxying_to_dagster(" not in dag_file
        )
        details.append(
            f"{dag_id}: paused in Airflow, its proxy block removed, its schedule running in Dagster "
            f"({dag_id}_schedule {schedule}), status: "
            f"{'decommissioned' if status['decommissioned'] else 'not decommissioned'} (tasks {', '.join(states)})"
        )
    story.step(
        "decommission",
        all_ok,
        "; ".join(details),
        f"airflow-to-dagster status --project {story.project}; {story.project / 'migration' / 'state.json'}",
    )


def modernize(story: _Story) -> None:
    """The decommissioned ``MODERNIZE_DAG`` rewritten as idiomatic Dagster (its quality task an asset check), its
    gates 2-6 run again: the same rows and checksums as before."""
    done = modernize_in_project(story.project, MODERNIZE_DAG, version=story.version, on_event=story.on_event)
    module = (story.project / "dagster_defs" / "dags" / f"{MODERNIZE_DAG}.py").read_text()
    faithful_calls = [name for name in ("load_logic", "call_python", "task_context") if name in module]
    checks_ran = all(done.gates.get(check, {}).get(4) == "pass" for check in done.checks)
    same = [table for table, compared in done.tables.items() if compared["same"]]
    story.step(
        "modernize",
        done.ok
        and bool(done.checks)
        and checks_ran
        and bool(same)
        and len(same) == len(done.tables)
        and not faithful_calls,
        f"{MODERNIZE_DAG}: {len(done.modern)} tasks call their code directly, "
        f"{', '.join(done.checks) or 'no task'} now an asset check"
        + (" that ran" if done.checks and checks_ran else "")
        + f"; gates 2-6 again: {len(same)} of {len(done.tables)} tables with the same rows and checksums"
        + (f"; still uses {', '.join(faithful_calls)}" if faithful_calls else "")
        + (f"; {len(done.faithful)} kept faithful" if done.faithful else ""),
        str(story.project / "dagster_defs" / "dags" / f"{MODERNIZE_DAG}.py"),
    )


def report(story: _Story) -> None:
    """What a client reads."""
    files = write_report(story.dags_folder, report_dir(story.version), defs_folder=story.project / "dagster_defs")
    progress = files.report["progress"]
    lifted = files.report["dispositions"]["counts"].get(LIFT, 0)
    story.result.report = str(files.html)
    story.step(
        "report",
        progress["proxied"] > 0
        and progress["gated_tasks"] > 0
        and progress["decommissioned_dags"] == len(DECOMMISSION_DAGS)
        and progress["modernized_dags"] == [MODERNIZE_DAG]
        and lifted > 0,
        f"{progress['proxied']} tasks proxied, {progress['gated_tasks']} with gate evidence, "
        f"{progress['decommissioned_dags']} DAGs decommissioned, {len(progress['modernized_dags'])} modernized, "
        f"{lifted} LIFT tasks, "
        f"recommendation: {files.report['go_no_go']['recommendation']}",
        str(files.html),
    )


# The story, in order; each step reports through story.step and stops the demo when it fails.
STEPS: tuple[Callable[[_Story], None], ...] = (
    set_up,
    scan,
    lift_untranslated,
    convert,
    runtime_up,
    run_in_airflow,
    observe,
    gates,
    proxy_wave_1,
    run_proxied,
    parity,
    run_concurrently,
    rollback_and_forward,
    gates_before_decommission,
    proxy_before_decommission,
    decommission,
    modernize,
    report,
)


def _gates_pass(results: dict[int, dict]) -> bool:
    return not registry.missing_gates(results, registry.REQUIRED)


def _partner(story: _Story) -> str:
    """Another DAG proxied task by task (fewest proxied tasks first) to run next to the showcase's; "" when none."""
    runs = {r.dag_id for r in story.result.runs if r.state == "success"}
    candidates = [d for d, t in story.result.proxied.items() if d != SHOWCASE_DAG and t != ["*"] and d in runs]
    return min(candidates, key=lambda d: (len(story.result.proxied[d]), d), default="")


def _rerun(story: _Story, reruns: dict[str, tuple[str, list[str]]]) -> dict[tuple[str, str], list[dict]]:
    """Clear ``reruns`` ({DAG: (Airflow run, tasks)}) together, wait for the runs; the Dagster runs each task
    launched meanwhile, newest first, by (DAG, task)."""
    before = {(d, t): len(_dagster_runs(story.dagster, d, t)) for d, (_, tasks) in reruns.items() for t in tasks}
    for dag_id, (run_id, tasks) in reruns.items():
        story.airflow.clear(dag_id, run_id, tasks)
    for dag_id, (run_id, _) in reruns.items():
        story.airflow.wait_for_run(dag_id, run_id, timeout=600)
    launched = {}
    for (dag_id, task), count in before.items():
        runs = _dagster_runs(story.dagster, dag_id, task)  # newest first
        launched[dag_id, task] = runs[: len(runs) - count]
    return launched


def _reran_in_dagster(story: _Story, launched: dict[tuple[str, str], list[dict]], run_ids: dict[str, str]) -> bool:
    """Every task succeeded in Airflow as a proxy, as exactly one successful Dagster run tagged with its run."""
    instances = {(d, t["task_id"]): t for d, run_id in run_ids.items() for t in story.airflow.task_instances(d, run_id)}
    return all(
        instances[key]["state"] == "success"
        and any(p in instances[key].get("operator", "") for p in PROXY_OPERATORS)
        and [r["status"] for r in runs] == ["SUCCESS"]
        and runs[0]["tags"].get("dagster-airlift/airflow-dag-run-id") == run_ids[key[0]]
        for key, runs in launched.items()
    )


def _compare_with_baseline(story: _Story) -> list[dict]:
    data_dir = Path(story.state.data_dir)
    paths = [str(data_dir)]
    before_w = Warehouse(story.baseline, story.date, story.date_column, paths)
    after_w = Warehouse(data_dir / "warehouse.duckdb", story.date, story.date_column, paths)
    return [differences(before_w, after_w, table) for table in sorted(before_w.tables())]


def _differing_tables(story: _Story) -> list[str]:
    return [str(c.get("table", "?")) for c in _compare_with_baseline(story) if not c["match"]]


def _task_spans(story: _Story, dag_id: str, rerun: tuple[str, list[str]]) -> list[dict]:
    """The Airflow task instances of ``rerun`` (its run, its tasks) as spans ``_overlap`` reads (epoch seconds)."""
    run_id, tasks = rerun
    spans = []
    for instance in story.airflow.task_instances(dag_id, run_id):
        if instance["task_id"] in tasks and instance.get("start_date") and instance.get("end_date"):
            start, end = (
                datetime.fromisoformat(instance[k].replace("Z", "+00:00")) for k in ("start_date", "end_date")
            )
            spans.append({"startTime": start.timestamp(), "endTime": end.timestamp()})
    return spans


def _overlap(first: list[dict], second: list[dict]) -> float:
    """The longest time (seconds) a run of ``first`` and a run of ``second`` ran at once; 0 when never."""
    spans = [
        min(a["endTime"], b["endTime"]) - max(a["startTime"], b["startTime"])
        for a in first
        for b in second
        if a.get("startTime") and a.get("endTime") and b.get("startTime") and b.get("endTime")
    ]
    return max([0.0, *spans])


def _not_materialized_once(dagster, runs: list[dict]) -> list[str]:
    """The assets of ``runs`` that their run materialized other than exactly once."""
    wrong = []
    for run in runs:
        if not run.get("assetSelection"):
            wrong.append(f"run {run['runId']} selected no asset")
        for key in [selected["path"] for selected in run.get("assetSelection") or []]:
            events = dagster.materializations(key) or []
            count = sum(1 for e in events if e["runId"] == run["runId"])
            if count != 1:
                wrong.append(f"{'/'.join(key)} ×{count} in run {run['runId']}")
    return wrong


def _sensor_ticks(dagster) -> list[dict]:
    return dagster.sensor_ticks(side_by_side.LOCATION, SENSOR, limit=1000)[1]


def _observations(dagster, runs: list[RunOutcome]) -> dict[tuple[str, str], int]:
    """How many materializations of its DAG's asset each successful Airflow run has in Dagster."""
    counts = {(r.dag_id, r.run_id): 0 for r in runs if r.state == "success"}
    for dag_id in sorted({d for d, _ in counts}):
        for event in dagster.materializations([AIRFLOW_INSTANCE, "dag", dag_id], limit=1000) or []:
            key = (dag_id, event["metadata"].get("Airflow Run ID"))
            if key in counts:
                counts[key] += 1
    return counts


def _dagster_runs(dagster, dag_id: str, task_id: str) -> list[dict]:
    return dagster.runs({"dagster-airlift/airflow-dag-id": dag_id, "dagster-airlift/airflow-task-id": task_id})


def _wait_observed(dagster, runs: list[RunOutcome], timeout: float) -> set[tuple[str, str]]:
    """The (DAG id, Airflow run id) pairs Dagster has recorded as a materialization of the DAG's asset."""
    wanted = {(r.dag_id, r.run_id) for r in runs if r.state == "success"}
    seen: set[tuple[str, str]] = set()
    deadline = time.monotonic() + timeout
    while True:
        for dag_id in sorted({d for d, _ in wanted - seen}):
            events = dagster.materializations([AIRFLOW_INSTANCE, "dag", dag_id]) or []
            seen |= {(dag_id, e["metadata"].get("Airflow Run ID")) for e in events} & wanted
        if seen == wanted or time.monotonic() > deadline:
            return seen
        time.sleep(2)


def _empty_tables_written_by(
    warehouse: Path, latest: dict, dag_id: str, tasks: list[str], date: str, date_column: str
) -> list[str]:
    """Delete the date's rows of every table that data parity (gate 5) attributed only to these tasks (so
    Dagster must write them again); returns the tables emptied."""
    writers: dict[str, set[tuple[str, str]]] = {}
    for (dag, task), results in latest.items():
        for table in (results.get(data_parity.GATE.number, {}).get("evidence") or {}).get("tables", []):
            writers.setdefault(table["table"], set()).add((dag, task))
    ours = {(dag_id, t) for t in tasks}
    tables = sorted(t for t, by in writers.items() if by and by <= ours)
    with duckdb.connect(str(warehouse)) as con:
        columns = {
            f"{s}.{t}": set(c)
            for s, t, c in con.execute(
                "select table_schema, table_name, list(column_name) from information_schema.columns group by 1, 2"
            ).fetchall()
        }
        for table in tables:
            schema, name = table.split(".", 1)
            if date_column in columns.get(table, set()):
                con.execute(f'delete from "{schema}"."{name}" where "{date_column}" = ?', [date])
            else:
                con.execute(f'delete from "{schema}"."{name}"')
    return tables


def describe(result: DemoResult) -> list[str]:
    """Where to look afterwards."""
    lines = []
    if result.kept_running:
        lines.append(f"Airflow UI: {result.airflow_url} (user {result.username}, password {result.password})")
        lines.append(f"Dagster UI: {result.dagster_url}")
        lines.append(f"Stop both: airflow-to-dagster runtime down --project {result.project}")
    if result.report:
        lines.append(f"Report: {result.report}")
    lines.append(f"Project copy (DAGs, generated code, ledger): {result.project}")
    return lines
