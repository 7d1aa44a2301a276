"""Verbs of the side-by-side migration: runtime (up, down, status), proxy, rollback, decommission, modernize, gates,
status."""

from __future__ import annotations

import json
from functools import partial
from typing import Annotated

import typer
from rich.table import Table

from converters.cli.common import AllOption, JsonFlag, ProjectOption, TasksArgument, app, fail, project_folder
from converters.cli.views import (
    console,
    err,
    event_log,
    print_change,
    print_decommission,
    print_modernized,
    print_runtime,
    print_status,
    spinner,
)
from converters.runtime.airflow import AirflowStartError
from converters.runtime.envs import AIRFLOW_LINES, EnvironmentMissing

runtime_app = typer.Typer(help="The real Airflow and Dagster side by side on loopback, for this project.")
app.add_typer(runtime_app, name="runtime")
RuntimeJson = Annotated[bool, typer.Option("--json", help="Print the runtime's state as JSON.")]
DatabaseOption = Annotated[
    str,
    typer.Option(
        "--db",
        help="Where Airflow and Dagster keep their metadata: sqlite (files, Airflow 2 one task at a time) or "
        "postgres (a PostgreSQL server started under .runtime/, Airflow's LocalExecutor in parallel).",
    ),
]


@runtime_app.command("up")
def runtime_up(
    airflow: Annotated[int, typer.Option(help="Airflow line: 2 (2.11.2) or 3 (3.3.2).")] = 2,
    sensor_interval: Annotated[int, typer.Option(help="Seconds between airlift's polls of Airflow.")] = 5,
    airflow_schedules: Annotated[
        bool, typer.Option(help="Let Airflow's scheduler create scheduled runs for unpaused DAGs.")
    ] = False,
    db: DatabaseOption = "sqlite",
    project: ProjectOption = None,
    as_json: RuntimeJson = False,
) -> None:
    """Start Airflow and Dagster (airlift peering) on free loopback ports; a second `up` is a no-op."""
    from converters.runtime import side_by_side
    from converters.runtime.postgres import PostgresError

    if airflow not in AIRFLOW_LINES:
        raise fail(f"--airflow must be one of {sorted(AIRFLOW_LINES)}")
    if db not in side_by_side.DATABASES:
        raise fail(f"--db must be one of {', '.join(side_by_side.DATABASES)}")
    root = project_folder(project)
    try:
        with spinner("starting Airflow and Dagster"):
            result = side_by_side.up(
                root,
                airflow,
                sensor_interval=sensor_interval,
                airflow_schedules=airflow_schedules,
                database=db,
                on_event=event_log(quiet=as_json),
            )
    except (side_by_side.SideBySideError, EnvironmentMissing, AirflowStartError, PostgresError) as exc:
        raise fail(str(exc)) from exc
    except Exception as exc:  # a server that failed to come up: its log tail is in the message
        raise fail(f"runtime up failed: {exc}", 1) from exc
    print_runtime(result.state, as_json, "already running" if result.already_running else "started")


@runtime_app.command("down")
def runtime_down(project: ProjectOption = None) -> None:
    """Stop exactly the process groups `runtime up` started."""
    from converters.runtime import side_by_side

    stopped = side_by_side.down(project_folder(project), on_event=event_log(quiet=False))
    console.print(f"stopped {', '.join(stopped)}" if stopped else "nothing was running")


@runtime_app.command("status")
def runtime_status(project: ProjectOption = None, as_json: RuntimeJson = False) -> None:
    """Which servers run, where (URLs, ports, logs); exit 1 when some of them stopped."""
    from converters.runtime import side_by_side

    state = side_by_side.load_state(project_folder(project))
    if state is None:
        if as_json:
            console.print_json(json.dumps({"running": False}))
        else:
            console.print("the side-by-side runtime is not running")
        raise typer.Exit(0)
    print_runtime(state, as_json, "recorded")
    raise typer.Exit(0 if all(state.alive().values()) else 1)


@app.command()
def lift(
    dag_id: Annotated[str, typer.Argument(help="The Airflow DAG id.")],
    tasks: TasksArgument = None,
    project: ProjectOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Run these tasks' own Airflow operators under Dagster (LIFT): recorded in migration/state.json.

    Only a task with no translation (NONE) that can be lifted; `convert` then generates its asset (docs/convert.md)."""
    from converters.migrate import MigrationError
    from converters.migrate import lift as do_lift

    root = project_folder(project)
    try:
        added = do_lift(root / "airflow_dags", dag_id, tasks or [])
    except MigrationError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        console.print_json(json.dumps({"dag_id": dag_id, "lifted": list(tasks or []), "newly_recorded": added}))
    else:
        console.print(
            f"{dag_id}: {', '.join(tasks or [])} LIFT (recorded in migration/state.json); run `convert` to generate"
        )


@app.command()
def proxy(
    dag_id: Annotated[str, typer.Argument(help="The Airflow DAG id.")],
    tasks: TasksArgument = None,
    all_tasks: AllOption = False,
    force: Annotated[bool, typer.Option(help="Proceed although required gates have not passed.")] = False,
    reason: Annotated[
        str | None, typer.Option(help="Why --force is used (required with it; goes to the ledger).")
    ] = None,
    project: ProjectOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Hand tasks over to Dagster: Airflow's task launches a Dagster run of its assets (airlift proxy).

    Each task needs its gates passed (`gates`); --force --reason proceeds without them, recorded in the ledger."""
    from converters.migrate import proxy as do_proxy

    _step("proxy", partial(do_proxy, force=force, reason=reason), dag_id, tasks, all_tasks, project, as_json)


@app.command()
def rollback(
    dag_id: Annotated[str, typer.Argument(help="The Airflow DAG id.")],
    tasks: TasksArgument = None,
    all_tasks: AllOption = False,
    project: ProjectOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Give tasks back to Airflow; after the last one the DAG file is byte-identical to the original."""
    from converters.migrate import rollback as do_rollback

    _step("rollback", do_rollback, dag_id, tasks, all_tasks, project, as_json)


def _step(verb: str, step, dag_id: str, tasks: list[str] | None, all_tasks: bool, project, as_json: bool) -> None:
    """proxy or rollback, then (runtime up) wait until Airflow has parsed the change: the next run uses it."""
    from converters.codemods.proxy_block import ProxyBlockError
    from converters.migrate import (
        GatesMissing,
        MigrationError,
        XComReadersLeft,
        runtime_running,
        take_effect,
    )
    from converters.runtime.errors import user_error
    from converters.runtime.side_by_side import reload_dagster

    root = project_folder(project)
    state, why_not = runtime_running(root, dag_id, refuse=verb == "proxy")  # before anything changes
    try:
        change = step(root / "airflow_dags", dag_id, tasks or [], all_tasks)
    except (GatesMissing, XComReadersLeft) as exc:  # refusals --force --reason overrides
        raise fail(str(exc), 1) from exc
    except (MigrationError, ProxyBlockError) as exc:
        raise fail(str(exc)) from exc
    print_change(change, verb, as_json)
    if state is None:
        console.print(why_not, style="dim", markup=False, highlight=False)
        return
    try:
        with spinner(f"reloading Dagster and waiting for Airflow to parse {change.dag_id} again"):
            take_effect([change], state.airflow(), root / "airflow_dags", lambda: reload_dagster(state, afresh=False))
    except Exception as exc:
        line = user_error(exc)
        if line is None:
            raise
        undo = f"; undo it with `airflow-to-dagster rollback {dag_id} --all`" if verb == "proxy" else ""
        raise fail(
            f"{verb} of {dag_id} is written (proxied state, DAG file, ledger), but the runtime did not follow: "
            f"{line}. Reload the Dagster code location once it loads again{undo}"
        ) from exc
    console.print(
        f"Airflow {state.airflow_version} at {state.airflow_url} has parsed the change; Dagster reloaded "
        f"({'runs' if verb == 'proxy' else 'observes'} the tasks' assets)"
    )


@app.command()
def decommission(
    dag_id: Annotated[str, typer.Argument(help="The Airflow DAG id.")],
    project: ProjectOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Dagster runs the DAG for good: paused in Airflow, schedule on in Dagster.

    The proxy block and airlift mapping are dropped, the DAG file keeps its original bytes, dagster_defs is
    regenerated with the DAG's schedule/automation RUNNING and Dagster reloads it (see docs/runtime.md)."""
    from converters.codemods.proxy_block import ProxyBlockError
    from converters.migrate import MigrationError, decommission_in_project

    root = project_folder(project)
    try:
        result = decommission_in_project(root, dag_id)
    except (MigrationError, ProxyBlockError) as exc:
        raise fail(str(exc)) from exc
    print_decommission(result, as_json)
    raise typer.Exit(1 if result.kept_hand_edited else 0)


@app.command()
def modernize(
    dag_id: Annotated[str, typer.Argument(help="The Airflow DAG id (decommissioned).")],
    force: Annotated[
        bool, typer.Option("--force", help="Modernize a DAG Airflow still runs, or without gate evidence.")
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why --force (recorded in the ledger).")] = None,
    airflow: Annotated[int, typer.Option(help="Airflow line for the DagBag when the runtime is not up.")] = 2,
    project: ProjectOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Rewrite a decommissioned DAG's module into idiomatic Dagster, then prove nothing changed.

    Callables imported and called directly, simple templates from the partition, Daily partitions, quality
    tasks as asset checks; what cannot be modernized stays faithful with a note. Gates 2-6 run again for the
    date of the DAG's gate evidence: every table must hold the same rows and checksum, or the DAG is generated
    faithful again. Exit 1 when it did not prove equal (see docs/modernize.md)."""
    from converters.gates import GatesError
    from converters.migrate import MigrationError, modernize_in_project

    root = project_folder(project)
    log = (lambda message: None) if as_json else (lambda message: err.print(f"[dim]•[/dim] {message}"))
    try:
        with spinner(f"modernizing {dag_id}"):
            result = modernize_in_project(root, dag_id, force=force, reason=reason, version=airflow, on_event=log)
    except (MigrationError, GatesError) as exc:
        raise fail(str(exc)) from exc
    print_modernized(result, as_json)
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def gates(
    dag_id: Annotated[str | None, typer.Argument(help="One DAG (default: every DAG of the Airflow line).")] = None,
    task: Annotated[str | None, typer.Option("--task", help="One task of that DAG.")] = None,
    date: Annotated[
        str | None,
        typer.Option(
            help="Logical date (YYYY-MM-DD) to run and compare; default: the latest successful Airflow run's."
        ),
    ] = None,
    airflow: Annotated[int, typer.Option(help="Airflow line for the DagBag when the runtime is not up.")] = 2,
    project: ProjectOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Run the gate ladder per task and record the evidence in the ledger; exit 1 when a gate fails.

    Gates: 1 planned, 2 ruff + the location loads, 3 structure equals Airflow's DagBag, 4 materializes in a real
    Dagster run, 5 data parity with the Airflow run, 6 idempotent re-run (docs/gates.md). Gate 3 loads the DAG
    files with Airflow's DagBag (it executes them, in the Airflow venv)."""
    from converters.gates import GatesError, run_project_gates

    root = project_folder(project)
    log = (lambda message: None) if as_json else (lambda message: err.print(f"[dim]•[/dim] {message}"))
    try:
        report = run_project_gates(
            root, [dag_id] if dag_id else None, version=airflow, date=date, task_id=task, on_event=log, busy=spinner
        )
    except GatesError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        results = [r.entry() for r in report.results]
        console.print_json(json.dumps({"date": report.date, "results": results}, default=str))
    else:
        _print_gates(report)
    raise typer.Exit(report.exit_code)


def _print_gates(report) -> None:
    from converters.gates.registry import GATES

    symbols = {"pass": "[green]✓[/]", "fail": "[red]✗[/]", "n/a": "[dim]n/a[/]", "skipped": "[dim]·[/]"}
    table = Table(title=f"Gates for {report.date} (✓ pass, ✗ fail, · not reached)")
    table.add_column("DAG")
    table.add_column("task")
    for gate in GATES:
        table.add_column(str(gate.number), justify="center")
    tasks: dict[tuple[str, str], dict[int, str]] = {}
    for result in report.results:
        tasks.setdefault((result.dag_id, result.task_id), {})[result.gate] = result.status
    for (dag_id, task_id), gates_of in tasks.items():
        table.add_row(dag_id, task_id, *(symbols.get(gates_of.get(g.number, "skipped"), "?") for g in GATES))
    console.print(table)
    for result in report.failed:
        console.print(f"[red]{result.dag_id}.{result.task_id}: gate {result.gate} ({result.name}) failed[/red]")
        for line in result.failure_lines():
            console.print(f"  {line}", markup=False)


@app.command()
def status(
    project: ProjectOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Per DAG and task: disposition, where it runs now, observed by Dagster, last runs on both sides.

    The last Airflow run and last Dagster materialization are read when the runtime is up."""
    from converters.status import project_status

    root = project_folder(project)
    with spinner("reading the plan, Airflow and Dagster"):
        data = project_status(root)
    if as_json:
        console.print_json(json.dumps(data, default=str))
        return
    print_status(root, data)
