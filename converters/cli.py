"""The ``airflow-to-dagster`` command line. Thin: parse arguments, call one function, print.

Exit codes: 0 ok, 1 findings (e.g. a run failed), 2 usage or input/environment error.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
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


def main() -> None:
    app()
