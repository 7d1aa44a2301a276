"""Verbs on the Airflow estate itself (nothing runs side by side): scan, verify, convert, rules, report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from converters.cli.common import app, fail
from converters.cli.views import (
    console,
    err,
    print_inventory,
    print_json,
    print_parity,
    print_plan,
    print_report,
    print_rules,
    progress,
    write_json,
)
from converters.files import write_atomic
from converters.runtime.envs import AIRFLOW_LINES, EnvironmentMissing


def _to_stdout_only(json_out: Path | None) -> bool:
    return json_out is not None and str(json_out) == "-"


@app.command()
def scan(
    path: Annotated[Path, typer.Argument(help="DAG folder (or one file) to scan. Nothing in it is executed.")],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the inventory as JSON to this file ('-': stdout).")
    ] = None,
    jobs: Annotated[int, typer.Option(help="Worker processes (default: all cores).")] = 0,
    strict: Annotated[bool, typer.Option(help="Exit 1 when any warning or error diagnostic exists.")] = False,
    cache: Annotated[bool, typer.Option(help="Reuse results for unchanged files (content-hash cache).")] = True,
    lift: Annotated[
        bool, typer.Option(help="Dispositions as `convert --lift` gives them: LIFT for the tasks that can be lifted.")
    ] = False,
) -> None:
    """Inventory an Airflow estate statically: DAGs, tasks, operators, schedules, edges, diagnostics."""
    from converters.flow import scan_and_plan, scan_json, serious_diagnostics

    if not path.exists():
        raise fail(f"no such file or folder: {path}")
    with progress("scanning") as advance:
        planned = scan_and_plan(
            path, jobs=jobs or None, use_cache=cache, on_file=advance, read_migration_state=False, lift=lift
        )
    data = scan_json(planned)
    if json_out is not None:
        write_json(json_out, data)
    if not _to_stdout_only(json_out):
        print_inventory(planned.project, data)
    raise typer.Exit(1 if strict and serious_diagnostics(data) else 0)


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
    airflow_python: Annotated[
        Path | None,
        typer.Option(
            "--airflow-python",
            help="Python of another Airflow venv to load the DagBag with (one with the providers the DAG files "
            "import); default: the project's venv of --airflow.",
        ),
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
    from converters.dagbag.reconcile import DagBagError
    from converters.dagbag.verify import verify as verify_folder

    if not dagbag:
        raise fail("verify needs --dagbag: it executes your DAG files in Airflow's venv (say so explicitly)")
    if not path.is_dir() or airflow not in AIRFLOW_LINES:
        raise fail(f"need an existing folder and --airflow in {sorted(AIRFLOW_LINES)}")
    extra = dict(item.split("=", 1) for item in env or [] if "=" in item)
    err.print(f"[dim]loading {path} with Airflow {AIRFLOW_LINES[airflow]}'s DagBag (executes the DAG files)…[/dim]")
    try:
        verification = verify_folder(path, airflow, timeout=timeout, extra_env=extra, airflow_python=airflow_python)
    except (DagBagError, EnvironmentMissing) as exc:
        raise fail(str(exc)) from exc
    if adopt_dagbag is not None:
        write_json(adopt_dagbag, verification.adopted_inventory())
    if json_out is not None:
        write_json(json_out, verification.json())
    if not _to_stdout_only(json_out):
        print_parity(verification.parity)
    raise typer.Exit(1 if verification.failed else 0)


@app.command()
def convert(
    path: Annotated[Path, typer.Argument(help="Airflow DAG folder to convert. Nothing in it is executed.")],
    out: Annotated[Path, typer.Option("--out", help="Folder of the generated Dagster package.")] = Path("dagster_defs"),
    force: Annotated[bool, typer.Option(help="Overwrite generated files that were edited by hand.")] = False,
    jobs: Annotated[int, typer.Option(help="Worker processes for the scan (default: all cores).")] = 0,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the plan (per-task rule, disposition, reason) as JSON.")
    ] = None,
    lift: Annotated[
        bool | None,
        typer.Option(
            "--lift/--no-lift",
            help="Tasks with no translation run their own Airflow operator under Dagster (LIFT), through Pipes in an "
            "Airflow environment; recorded in migration/state.json (default: what it records).",
        ),
    ] = None,
) -> None:
    """Generate a Dagster code location: one module per DAG, one asset per task, with honest dispositions."""
    from converters.convert import convert_json, convert_project

    if not path.is_dir():
        raise fail(f"not a folder: {path}")
    with progress("converting") as advance:
        result = convert_project(path, out, force=force, jobs=jobs or None, on_file=advance, lift=lift)
    data = convert_json(result)
    if json_out is not None:
        write_json(json_out, data)
    if not _to_stdout_only(json_out):
        print_plan(data)
    raise typer.Exit(1 if result.needs_attention else 0)


@app.command()
def rules(
    docs: Annotated[
        Path | None,
        typer.Option("--docs", help="Render the rules reference (Markdown) into this file, e.g. docs/rules.md."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rules as JSON.")] = False,
) -> None:
    """List every conversion rule: operators it matches, usual disposition, what it emits."""
    from converters.docs.rules import render_reference, rule_rows
    from converters.rules import default_registry, plugin_rules

    registry = default_registry()
    for problem in plugin_rules()[1]:
        err.print(f"[yellow]{problem}[/yellow]")
    if docs is not None:
        write_atomic(docs, render_reference(registry))
        console.print(f"wrote {docs}")
        raise typer.Exit(0)
    rows = rule_rows(registry)
    if as_json:
        print_json(rows)
        raise typer.Exit(0)
    print_rules(rows)


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
        raise fail(f"not a folder: {path}")
    with progress("scanning") as advance:
        inventory = scan_project(path, on_file=advance)
    files = write_report(path, out, defs_folder=defs, project=inventory)
    if json_out is not None:
        write_json(json_out, files.report)
        if _to_stdout_only(json_out):
            raise typer.Exit(0)
    print_report(files)
