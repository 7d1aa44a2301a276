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
    keep_running: Annotated[bool, typer.Option(help="Leave Airflow running afterwards to explore the UI.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON instead of tables.")] = False,
) -> None:
    """Start a real Airflow, run the bundled example estate for one logical date, show what ran."""
    from converters.demo import run_demo

    if airflow not in AIRFLOW_LINES:
        err.print(f"[red]--airflow must be one of {sorted(AIRFLOW_LINES)}[/red]")
        raise typer.Exit(2)
    log = (lambda message: None) if as_json else (lambda message: console.print(f"[dim]•[/dim] {message}"))
    try:
        result = run_demo(airflow, date, keep_running=keep_running, on_event=log)
    except (EnvironmentMissing, AirflowStartError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        console.print_json(json.dumps(asdict(result), default=str))
    else:
        _print_demo(result)
    raise typer.Exit(0 if result.ok else 1)


def _print_demo(result) -> None:
    runs = Table(title=f"Airflow {AIRFLOW_LINES[result.airflow_version]} runs for {result.logical_date}")
    for column in ("DAG", "run id", "state", "tasks", "seconds"):
        runs.add_column(column)
    for run in result.runs:
        states: dict[str, int] = {}
        for state in run.task_states.values():
            states[state] = states.get(state, 0) + 1
        colour = "green" if run.state == "success" else "red"
        summary = ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
        runs.add_row(run.dag_id, run.run_id, f"[{colour}]{run.state}[/{colour}]", summary, str(run.seconds))
    console.print(runs)
    tables = Table(title=f"Warehouse tables ({result.warehouse})")
    tables.add_column("table")
    tables.add_column("rows", justify="right")
    for name, count in result.tables.items():
        tables.add_row(name, str(count))
    console.print(tables)
    for run in result.runs:
        if run.failure:
            err.print(f"[red]{run.failure}[/red]")
    if result.kept_running:
        groups = " ".join(f"-{pgid}" for pgid in result.process_groups)
        console.print(
            f"Airflow UI: {result.airflow_url} (user {result.username}, password {result.password}). "
            f"Stop it with: kill -TERM -- {groups}"
        )
    else:
        console.print("Airflow was stopped; add --keep-running to explore its UI after the runs.")


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
        docs.parent.mkdir(parents=True, exist_ok=True)
        temporary = docs.with_name(docs.name + ".tmp")
        temporary.write_text(render_reference(registry), encoding="utf-8")
        temporary.replace(docs)
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
    text = json.dumps(data, indent=2, default=str)
    if str(target) == "-":
        sys.stdout.write(text + "\n")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(text + "\n")
    temporary.replace(target)  # atomic: never a half-written inventory


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
