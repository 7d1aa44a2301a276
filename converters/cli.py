"""The ``airflow-to-dagster`` command line. Thin: parse arguments, call one function, print.

Exit codes: 0 ok, 1 findings (e.g. a run failed), 2 usage or input/environment error.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from converters import __version__
from converters.files import write_atomic
from converters.runtime.airflow import AirflowStartError
from converters.runtime.envs import AIRFLOW_LINES, EnvironmentMissing

app = typer.Typer(
    name="airflow-to-dagster",
    help="Move a live Airflow estate to Dagster without stopping it.",
    no_args_is_help=True,
    add_completion=False,
)
# Piped output (CI logs, `make demo`) gets a readable width instead of rich's 80-column fallback.
console = Console(width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 120)


def _version(value: bool) -> None:
    if value:
        console.print(f"airflow-to-dagster {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Move a live Airflow estate to Dagster without stopping it."""


@app.command()
def demo(
    airflow: Annotated[int, typer.Option(help="Airflow line to run: 2 (2.11.2) or 3 (3.3.2).")] = 2,
    date: Annotated[str, typer.Option(help="Logical date (YYYY-MM-DD) every example DAG runs for.")] = "2024-01-15",
    keep_running: Annotated[
        bool, typer.Option(help="Leave Airflow and Dagster running afterwards to explore both UIs.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON instead of the story.")] = False,
) -> None:
    """The whole migration story on the bundled example estate, with real Airflow and Dagster.

    set up → scan → convert → runtime up → run in Airflow and observe in Dagster → gates for wave 1 → proxy
    wave 1 → run the proxied tasks in Dagster → parity → roll one task back and forward → report. Works on a
    copy in .runtime/demo/ (the checkout is not changed); the report goes to build/demo-airflow<N>/report/."""
    from converters.demo import describe, run_demo

    if airflow not in AIRFLOW_LINES:
        err.print(f"[red]--airflow must be one of {sorted(AIRFLOW_LINES)}[/red]")
        raise typer.Exit(2)
    quiet = lambda message: None  # noqa: E731
    log = (
        quiet
        if as_json
        else (lambda message: console.print(f"  {message}", style="dim", markup=False, highlight=False, soft_wrap=True))
    )

    def show(step) -> None:
        if as_json:
            return
        mark = "[green]✓[/green]" if step.ok else "[red]✗[/red]"
        console.print(f"{mark} [bold]{step.name}[/bold]: {step.detail}", highlight=False)
        if step.look:
            console.print(f"    [cyan]→ {step.look}[/cyan]", highlight=False)

    try:
        result = run_demo(airflow, date, keep_running=keep_running, on_event=log, on_step=show)
    except (EnvironmentMissing, AirflowStartError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        console.print_json(json.dumps(asdict(result), default=str))
    else:
        console.print()
        console.print(
            "[bold]" + ("The story completed." if result.ok else "The story stopped at a failed step.") + "[/bold]"
        )
        for line in describe(result):
            console.print(line, highlight=False)
        if not result.kept_running:
            console.print("Airflow and Dagster were stopped; add --keep-running to explore their UIs afterwards.")
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def scan(
    path: Annotated[Path, typer.Argument(help="DAG folder (or one file) to scan. Nothing in it is executed.")],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the inventory as JSON to this file ('-': stdout).")
    ] = None,
    jobs: Annotated[int, typer.Option(help="Worker processes (default: all cores).")] = 0,
    strict: Annotated[bool, typer.Option(help="Exit 1 when any warning or error diagnostic exists.")] = False,
    cache: Annotated[bool, typer.Option(help="Reuse results for unchanged files (content-hash cache).")] = True,
) -> None:
    """Inventory an Airflow estate statically: DAGs, tasks, operators, schedules, edges, diagnostics."""
    from converters.inventory.project import inventory_json, scan_project

    if not path.exists():
        err.print(f"[red]no such file or folder: {path}[/red]")
        raise typer.Exit(2)
    from converters.plan import plan_project

    with _progress("scanning") as advance:
        project = scan_project(path, jobs=jobs or None, use_cache=cache, on_file=advance)
    plan = plan_project(project)
    dispositions = {(d.dag.dag_id, t.task.task_id): t.disposition for d in plan.dags for t in d.tasks}
    data = inventory_json(project, dispositions)
    if json_out is not None:
        _write_json(json_out, data)
    if json_out is None or str(json_out) != "-":
        _print_inventory(project, data)
    serious = [d for d in data["diagnostics"] if d["severity"] in {"warning", "error"}]
    raise typer.Exit(1 if strict and serious else 0)


@app.command()
def verify(
    path: Annotated[Path, typer.Argument(help="DAG folder to load with Airflow's own DagBag.")],
    dagbag: Annotated[
        bool, typer.Option("--dagbag", help="Required: this EXECUTES the DAG files, in a subprocess.")
    ] = False,
    airflow: Annotated[int, typer.Option(help="Airflow line whose venv loads the folder: 2 or 3.")] = 2,
    env: Annotated[
        list[str] | None, typer.Option(help="KEY=VALUE the DAG files need at parse time (repeatable).")
    ] = None,
    timeout: Annotated[int, typer.Option(help="Seconds before the DagBag subprocess is stopped.")] = 600,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the parity report as JSON ('-': stdout).")
    ] = None,
    adopt_dagbag: Annotated[
        Path | None,
        typer.Option(
            "--adopt-dagbag",
            help="Also write an inventory (scan JSON shape) that takes Airflow's structure for the DAGs the scan "
            "could not resolve, marked origin=dagbag.",
        ),
    ] = None,
) -> None:
    """Compare the static inventory with what Airflow's DagBag builds: per-DAG parity and a project score."""
    from converters.dagbag.reconcile import DagBagError, load_dagbag, reconcile
    from converters.dagbag.reconcile import adopt_dagbag as adopt
    from converters.inventory.project import inventory_json, scan_project

    if not dagbag:
        err.print("[red]verify needs --dagbag: it executes your DAG files in Airflow's venv (say so explicitly)[/red]")
        raise typer.Exit(2)
    if not path.is_dir() or airflow not in AIRFLOW_LINES:
        err.print(f"[red]need an existing folder and --airflow in {sorted(AIRFLOW_LINES)}[/red]")
        raise typer.Exit(2)
    extra = dict(item.split("=", 1) for item in env or [] if "=" in item)
    project = scan_project(path)
    err.print(f"[dim]loading {path} with Airflow {AIRFLOW_LINES[airflow]}'s DagBag (executes the DAG files)…[/dim]")
    try:
        bag = load_dagbag(path, airflow, timeout=timeout, extra_env=extra)
    except (DagBagError, EnvironmentMissing) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    result = reconcile(project, bag, airflow)
    if adopt_dagbag is not None:
        _write_json(adopt_dagbag, inventory_json(adopt(project, bag)))
    unexplained = [d for d in result.dags if d.status == "dagbag_only" and not d.explained_by]
    data = {
        "airflow_version": result.airflow_version,
        "score": result.score,
        "dags": [asdict(d) for d in result.dags],
        "import_errors": result.import_errors,
    }
    if json_out is not None:
        _write_json(json_out, data)
    if json_out is None or str(json_out) != "-":
        _print_parity(result)
    differs = [d for d in result.dags if d.status == "differs"]
    raise typer.Exit(1 if differs or unexplained else 0)


@app.command()
def convert(
    path: Annotated[Path, typer.Argument(help="Airflow DAG folder to convert. Nothing in it is executed.")],
    out: Annotated[Path, typer.Option("--out", help="Folder of the generated Dagster package.")] = Path("dagster_defs"),
    force: Annotated[bool, typer.Option(help="Overwrite generated files that were edited by hand.")] = False,
    jobs: Annotated[int, typer.Option(help="Worker processes for the scan (default: all cores).")] = 0,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the plan (per-task rule, disposition, reason) as JSON.")
    ] = None,
) -> None:
    """Generate a Dagster code location: one module per DAG, one asset per task, with honest dispositions."""
    from converters.convert import convert_project, plan_json

    if not path.is_dir():
        err.print(f"[red]not a folder: {path}[/red]")
        raise typer.Exit(2)
    with _progress("converting") as advance:
        result = convert_project(path, out, force=force, jobs=jobs or None, on_file=advance)
    data = plan_json(result.plan)
    data["generated"] = {
        "out": str(result.generated.out),
        "written": result.generated.written,
        "unchanged": result.generated.unchanged,
        "kept_hand_edited": result.generated.kept,
        "removed": result.generated.removed,
        "problems": result.generated.problems,
    }
    if json_out is not None:
        _write_json(json_out, data)
    if json_out is None or str(json_out) != "-":
        _print_plan(data)
    raise typer.Exit(1 if result.generated.kept or result.generated.problems else 0)


@app.command()
def rules(
    docs: Annotated[
        Path | None,
        typer.Option("--docs", help="Render the rules reference (Markdown) into this file, e.g. docs/rules.md."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rules as JSON.")] = False,
) -> None:
    """List every conversion rule: operators it matches, usual disposition, what it emits."""
    from converters.rules import default_registry, plugin_rules
    from converters.rules.docs import render_reference, rule_rows

    registry = default_registry()
    _, problems = plugin_rules()
    for problem in problems:
        err.print(f"[yellow]{problem}[/yellow]")
    if docs is not None:
        write_atomic(docs, render_reference(registry))
        console.print(f"wrote {docs}")
        raise typer.Exit(0)
    rows = rule_rows(registry)
    if as_json:
        console.print_json(json.dumps(rows))
        raise typer.Exit(0)
    table = Table(title=f"{len(rows)} rules")
    for column in ("rule", "matches", "disposition", "emits"):
        table.add_column(column, overflow="fold")
    for row in rows:
        matches = ", ".join(row["operators"]) or "(anything unmatched)"
        if row["families"]:
            matches += f" + family {', '.join(row['families'])}"
        table.add_row(row["rule"], matches, row["disposition"], row["emits"])
    console.print(table)


# -- side by side: runtime, status, proxy, rollback, decommission --------------------------------------------

runtime_app = typer.Typer(help="The real Airflow and Dagster side by side on loopback, for this project.")
app.add_typer(runtime_app, name="runtime")

ProjectOption = Annotated[
    Path | None,
    typer.Option(
        "--project",
        help="Folder holding airflow_dags/ and dagster_defs/ (default: the working directory or its parents).",
    ),
]


@app.command()
def report(
    path: Annotated[Path, typer.Argument(help="Airflow DAG folder (its parent holds migration/ and dagster_defs/).")],
    out: Annotated[
        Path, typer.Option("--out", help="Folder for index.html, report.md, graphs/ and report.json.")
    ] = Path("build/report"),
    defs: Annotated[
        Path | None, typer.Option(help="The generated Dagster package (default: dagster_defs/ beside the DAG folder).")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the report's data as JSON to this file ('-': stdout).")
    ] = None,
) -> None:
    """Write the client report: inventory, dispositions, go / no-go, waves, progress (from the ledger), pictures.

    One self-contained HTML page (no network needed to read it) and Markdown beside it; run it again as the
    migration proceeds. Nothing in the DAG folder is executed."""
    from converters.inventory.project import scan_project
    from converters.report import write_report

    if not path.is_dir():
        err.print(f"[red]not a folder: {path}[/red]")
        raise typer.Exit(2)
    with _progress("scanning") as advance:
        inventory = scan_project(path, on_file=advance)
    files = write_report(path, out, defs_folder=defs, project=inventory)
    data = files.report
    if json_out is not None:
        _write_json(json_out, data)
        if str(json_out) == "-":
            raise typer.Exit(0)
    go, counts = data["go_no_go"], data["dispositions"]["counts"]
    console.print(
        f"{data['inventory']['dags']} DAGs, {data['inventory']['tasks']} tasks: "
        + ", ".join(f"{n} {d}" for d, n in counts.items())
        + f"; {len(data['waves']['waves'])} waves, {data['waves']['effort_days']:g} person-days"
    )
    console.print(f"Recommendation: [bold]{go['recommendation']}[/bold] — {go['why']}")
    console.print(
        f"Progress: {data['progress']['proxied']} proxied, {data['progress']['decommissioned_dags']} DAGs "
        f"decommissioned, {data['progress']['gated_tasks']} tasks with gate evidence"
    )
    console.print(f"Report: {files.html.resolve()} (Markdown: {files.markdown.resolve()})")


def _project(project: Path | None) -> Path:
    from converters.runtime.envs import project_root

    root = (project or project_root()).resolve()
    if not (root / "airflow_dags").is_dir():
        err.print(f"[red]{root} has no airflow_dags/ folder (use --project)[/red]")
        raise typer.Exit(2)
    return root


@runtime_app.command("up")
def runtime_up(
    airflow: Annotated[int, typer.Option(help="Airflow line: 2 (2.11.2) or 3 (3.3.2).")] = 2,
    sensor_interval: Annotated[int, typer.Option(help="Seconds between airlift's polls of Airflow.")] = 5,
    airflow_schedules: Annotated[
        bool, typer.Option(help="Let Airflow's scheduler create scheduled runs for unpaused DAGs.")
    ] = False,
    project: ProjectOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the runtime's state as JSON.")] = False,
) -> None:
    """Start Airflow and Dagster (airlift peering) on free loopback ports; a second `up` is a no-op."""
    from converters.runtime import side_by_side

    if airflow not in AIRFLOW_LINES:
        err.print(f"[red]--airflow must be one of {sorted(AIRFLOW_LINES)}[/red]")
        raise typer.Exit(2)
    root = _project(project)
    log = (lambda message: None) if as_json else (lambda message: err.print(f"[dim]•[/dim] {message}"))
    try:
        with _spinner("starting Airflow and Dagster"):
            result = side_by_side.up(
                root, airflow, sensor_interval=sensor_interval, airflow_schedules=airflow_schedules, on_event=log
            )
    except (side_by_side.SideBySideError, EnvironmentMissing, AirflowStartError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    except Exception as exc:  # a server that failed to come up: its log tail is in the message
        err.print(f"[red]runtime up failed: {exc}[/red]")
        raise typer.Exit(1) from exc
    _print_runtime(result.state, as_json, "already running" if result.already_running else "started")


@runtime_app.command("down")
def runtime_down(project: ProjectOption = None) -> None:
    """Stop exactly the process groups `runtime up` started."""
    from converters.runtime import side_by_side

    root = _project(project)
    stopped = side_by_side.down(root, on_event=lambda message: err.print(f"[dim]•[/dim] {message}"))
    console.print(f"stopped {', '.join(stopped)}" if stopped else "nothing was running")


@runtime_app.command("status")
def runtime_status(
    project: ProjectOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the runtime's state as JSON.")] = False,
) -> None:
    """Which servers run, where (URLs, ports, logs); exit 1 when some of them stopped."""
    from converters.runtime import side_by_side

    state = side_by_side.load_state(_project(project))
    if state is None:
        if as_json:
            console.print_json(json.dumps({"running": False}))
        else:
            console.print("the side-by-side runtime is not running")
        raise typer.Exit(0)
    _print_runtime(state, as_json, "recorded")
    raise typer.Exit(0 if all(state.alive().values()) else 1)


def _print_runtime(state, as_json: bool, what: str) -> None:
    alive = state.alive()
    if as_json:
        data = asdict(state)
        data["alive"] = alive
        data.pop("password")
        console.print_json(json.dumps(data))
        return
    table = Table(title=f"Side-by-side runtime ({what}), Airflow {AIRFLOW_LINES[state.airflow_version]}")
    for column in ("server", "process group", "state", "log"):
        table.add_column(column, overflow="fold")
    for server in state.servers:
        ok = alive[f"{server.side}/{server.name}"]
        table.add_row(
            f"{server.side} {server.name}", str(server.pid), "[green]up[/]" if ok else "[red]stopped[/]", server.log
        )
    console.print(table)
    console.print(f"Airflow UI: {state.airflow_url} (user {state.username}, password {state.password})")
    console.print(f"Dagster UI: {state.dagster_url}")


class _spinner:
    """A spinner on a terminal while something long runs, nothing when piped."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.status = None

    def __enter__(self):
        if err.is_terminal:
            self.status = err.status(self.what)
            self.status.__enter__()

    def __exit__(self, *exc) -> None:
        if self.status is not None:
            self.status.__exit__(*exc)


def _after_step(root: Path, change) -> None:
    """With the runtime up, wait until Airflow parsed the change: the next run uses it."""
    from converters.migrate import wait_until_airflow_sees
    from converters.runtime import side_by_side

    state = side_by_side.load_state(root)
    if state is None or not all(state.alive().values()):
        console.print("[dim]the runtime is not up: Airflow picks the change up when it next parses the file[/dim]")
        return
    with _spinner(f"waiting for Airflow to parse {change.dag_id} again"):
        wait_until_airflow_sees(state.airflow(), change)
    console.print(f"Airflow {state.airflow_version} at {state.airflow_url} has parsed the change")


def _print_change(change, verb: str, as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps(asdict(change)))
        return
    if change.proxied == ["*"]:
        now = "the whole DAG runs in Dagster (DAG-level proxy)"
    elif change.proxied:
        now = f"proxied to Dagster: {', '.join(change.proxied)}"
    else:
        now = "every task runs in Airflow again"
    block = {"added": "proxy block added to", "removed": "proxy block removed from (original bytes)"}.get(
        change.block, "unchanged:"
    )
    console.print(f"{verb} {change.dag_id}: {now}; {block} {change.file}")


TasksArgument = Annotated[list[str] | None, typer.Argument(help="Task ids (as in Airflow).")]
AllOption = Annotated[bool, typer.Option("--all", help="Every task with a Dagster asset (the whole DAG).")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


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
    from functools import partial

    from converters.migrate import proxy as do_proxy

    step = partial(do_proxy, force=force, reason=reason)
    _step("proxy", step, dag_id, tasks, all_tasks, project, as_json)


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
    from converters.codemods.proxy_block import ProxyBlockError
    from converters.migrate import GatesMissing, MigrationError

    root = _project(project)
    try:
        change = step(root / "airflow_dags", dag_id, tasks or [], all_tasks)
    except GatesMissing as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    except (MigrationError, ProxyBlockError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    _print_change(change, verb, as_json)
    _after_step(root, change)


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
    from converters.migrate import MigrationError, airflow_from_env
    from converters.migrate import decommission as do_decommission
    from converters.runtime import side_by_side

    root = _project(project)
    state = side_by_side.load_state(root)
    running = state is not None and all(state.alive().values())
    client = state.airflow() if running else airflow_from_env()
    if client is None:
        err.print(
            "[red]decommission pauses the DAG in Airflow: start the runtime (`runtime up`) or set AIRFLOW_URL, "
            "AIRFLOW_USERNAME, AIRFLOW_PASSWORD and AIRFLOW_MAJOR_VERSION for your Airflow[/red]"
        )
        raise typer.Exit(2)
    try:
        result = do_decommission(
            root / "airflow_dags",
            dag_id,
            root / "dagster_defs",
            client,
            reload_dagster=(lambda: side_by_side.reload_dagster(state)) if running else None,
        )
    except (MigrationError, ProxyBlockError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        console.print_json(json.dumps(asdict(result)))
    else:
        console.print(
            f"decommissioned {dag_id}: paused in Airflow; its Dagster schedule/automation are on "
            f"({len(result.regenerated)} generated files rewritten"
            + (", Dagster reloaded)" if result.dagster_reloaded else "; reload the code location in Dagster)")
        )
        for relative in result.kept_hand_edited:
            console.print(f"[yellow]{relative} was edited by hand: kept; the new version is {relative}.new[/yellow]")
    raise typer.Exit(1 if result.kept_hand_edited else 0)


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

    root = _project(project)
    log = (lambda message: None) if as_json else (lambda message: err.print(f"[dim]•[/dim] {message}"))
    try:
        report = run_project_gates(
            root, [dag_id] if dag_id else None, version=airflow, date=date, task_id=task, on_event=log, busy=_spinner
        )
    except GatesError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
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

    root = _project(project)
    with _spinner("reading the plan, Airflow and Dagster"):
        data = project_status(root)
    if as_json:
        console.print_json(json.dumps(data, default=str))
        return
    table = Table(title=f"Migration status of {root}")
    for column in (
        "DAG",
        "task",
        "disposition",
        "state",
        "runs in",
        "observed",
        "last Airflow run",
        "last materialization",
    ):
        table.add_column(column, overflow="fold")
    colours = {"MECH": "green", "JUDG": "yellow", "REDESIGN": "magenta", "NONE": "red"}
    for dag in data["dags"]:
        for task in dag["tasks"]:
            table.add_row(
                dag["dag_id"],
                task["task_id"],
                f"[{colours[task['disposition']]}]{task['disposition']}[/]",
                task["state"],
                task["runs_in"],
                {True: "yes", False: "no", None: "-"}[task["observed"]],
                _run_text(dag.get("last_airflow_run")),
                _materialization_text(task.get("last_materialization")),
            )
    console.print(table)
    if not data["runtime"]["running"]:
        console.print("[dim]runtime not up: Airflow runs and Dagster materializations are not shown[/dim]")


def _run_text(run: dict | None) -> str:
    if not run:
        return "-"
    return f"{run['state']} {run.get('logical_date') or run.get('run_id')}"


def _materialization_text(event: dict | None) -> str:
    if not event:
        return "-"
    return f"{event['when']} ({event['source']})"


def _print_plan(data: dict) -> None:
    table = Table(title=f"Plan for {data['root']}")
    for column in ("DAG", "task", "rule", "disposition", "reason"):
        table.add_column(column, overflow="fold")
    colours = {"MECH": "green", "JUDG": "yellow", "REDESIGN": "magenta", "NONE": "red"}
    for dag in data["dags"]:
        for task in dag["tasks"]:
            colour = colours[task["disposition"]]
            table.add_row(
                dag["dag_id"], task["task_id"], task["rule"], f"[{colour}]{task['disposition']}[/]", task["reason"]
            )
    console.print(table)
    counts = ", ".join(f"{n} {d}" for d, n in data["counts"].items())
    generated = data["generated"]
    console.print(
        f"{counts} · wrote {len(generated['written'])} files, {len(generated['unchanged'])} unchanged "
        f"into {generated['out']}"
    )
    for relative in generated["kept_hand_edited"]:
        console.print(
            f"[yellow]{relative} was edited by hand: kept; the new version is {relative}.new "
            "(--force overwrites)[/yellow]"
        )
    for problem in [*generated["problems"], *data["problems"]]:
        console.print(f"[red]{problem}[/red]")


def _write_json(target: Path, data: dict) -> None:
    from converters.inventory.secrets import redact_json

    # The scan scrubs secrets at the source; this also covers what Airflow's DagBag reports (verify).
    text = json.dumps(redact_json(data), indent=2, default=str)
    if str(target) == "-":
        sys.stdout.write(text + "\n")
        return
    write_atomic(target, text + "\n")  # never a half-written inventory


class _progress:
    """A progress bar on a terminal, nothing when piped."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.bar = None

    def __enter__(self):
        from rich.progress import Progress

        if not err.is_terminal:
            return lambda done, total: None
        self.bar = Progress(console=err, transient=True)
        self.bar.start()
        task = self.bar.add_task(self.what, total=None)
        return lambda done, total: self.bar.update(task, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print_inventory(project, data: dict) -> None:
    table = Table(title=f"Inventory of {project.root}")
    for column in ("DAG", "file:line", "schedule", "tasks", "operators", "edges", "constructs", "complete"):
        table.add_column(column, overflow="fold")
    edges = {d.dag_id: len(d.edges) for f in project.files for d in f.dags}
    for dag in data["dags"]:
        table.add_row(
            dag["dag_id"],
            f"{dag['file']}:{dag['line']}",
            str(dag["schedule"]),
            str(len(dag["tasks"])),
            _families(dag["tasks"]),
            str(edges[dag["dag_id"]]),
            ", ".join(dag["constructs"]),
            "yes" if dag["complete"] else "[yellow]no[/yellow]",
        )
    console.print(table)
    for diagnostic in data["diagnostics"]:
        colour = {"error": "red", "warning": "yellow"}.get(diagnostic["severity"], "dim")
        where = f"{diagnostic['file']}:{diagnostic['line']}"
        console.print(f"[{colour}]{where}: {diagnostic['code']} {diagnostic['message']}[/{colour}]")
    tasks = sum(len(d["tasks"]) for d in data["dags"])
    complete = sum(d["complete"] for d in data["dags"])
    console.print(
        f"{data['files']} files, {len(data['dags'])} DAGs ({complete} fully resolved), {tasks} tasks, "
        f"{len(data['diagnostics'])} diagnostics"
    )


def _families(tasks: list[dict]) -> str:
    counts: dict[str, int] = {}
    for task in tasks:
        family = task["family"] or task["operator"].rsplit(".", 1)[-1]
        counts[family] = counts.get(family, 0) + 1
    return ", ".join(f"{name}×{n}" if n > 1 else name for name, n in sorted(counts.items()))


def _print_parity(result) -> None:
    table = Table(title=f"Static scan vs Airflow {result.airflow_version} DagBag")
    for column in ("DAG", "file", "parity", "differences / explanation"):
        table.add_column(column, overflow="fold")
    colours = {"match": "green", "differs": "red", "incomplete": "yellow", "dagbag_only": "yellow"}
    for dag in result.dags:
        colour = colours.get(dag.status, "dim")
        detail = "; ".join(dag.differences) or ", ".join(dag.explained_by)
        table.add_row(dag.dag_id, dag.file, f"[{colour}]{dag.status}[/{colour}]", detail[:300])
    console.print(table)
    for file, error in sorted(result.import_errors.items()):
        console.print(f"[red]import error in {file}: {error.strip().splitlines()[-1]}[/red]")
    score = "n/a (no DAG fully resolved)" if result.score is None else f"{result.score:.1%}"
    console.print(f"parity score: {score} of {len(result.compared)} DAGs compared")


def main() -> None:
    app()
