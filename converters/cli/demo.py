"""``demo``: the whole migration story on the bundled example estate."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer

from converters.cli.common import app, fail
from converters.cli.views import console
from converters.runtime.airflow import AirflowStartError
from converters.runtime.envs import AIRFLOW_LINES, EnvironmentMissing


@app.command()
def demo(
    airflow: Annotated[int, typer.Option(help="Airflow line to run: 2 (2.11.2) or 3 (3.3.2).")] = 2,
    date: Annotated[str, typer.Option(help="Logical date (YYYY-MM-DD) every example DAG runs for.")] = "2024-01-15",
    keep_running: Annotated[
        bool, typer.Option(help="Leave Airflow and Dagster running afterwards to explore both UIs.")
    ] = False,
    db: Annotated[
        str,
        typer.Option(
            "--db",
            help="Where Airflow and Dagster keep their metadata: sqlite, or postgres (a PostgreSQL server of the "
            "demo's own; Airflow runs tasks in parallel).",
        ),
    ] = "sqlite",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON instead of the story.")] = False,
) -> None:
    """The whole migration story on the bundled example estate, with real Airflow and Dagster.

    set up → scan → convert → runtime up → run in Airflow and observe in Dagster → gates for wave 1 → proxy
    wave 1 → run the proxied tasks in Dagster → parity → roll one task back and forward → report. Works on a
    copy in .runtime/demo/ (the checkout is not changed); the report goes to build/demo-airflow<N>/report/."""
    from converters.demo import describe, run_demo
    from converters.runtime.postgres import PostgresError
    from converters.runtime.side_by_side import DATABASES

    if airflow not in AIRFLOW_LINES:
        raise fail(f"--airflow must be one of {sorted(AIRFLOW_LINES)}")
    if db not in DATABASES:
        raise fail(f"--db must be one of {', '.join(DATABASES)}")
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
        took = f"[dim]({step.seconds:.0f} s)[/dim]"
        console.print(f"{mark} [bold]{step.name}[/bold] {took}: {step.detail}", highlight=False)
        if step.look:
            console.print(f"    [cyan]→ {step.look}[/cyan]", highlight=False)

    try:
        result = run_demo(airflow, date, keep_running=keep_running, database=db, on_event=log, on_step=show)
    except (EnvironmentMissing, AirflowStartError, PostgresError) as exc:
        raise fail(str(exc)) from exc
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
