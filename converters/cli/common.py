"""The ``airflow-to-dagster`` Typer app, and the arguments and options several verbs share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from converters import __version__
from converters.cli.views import console, err

app = typer.Typer(
    name="airflow-to-dagster",
    help="Move a live Airflow estate to Dagster without stopping it.",
    no_args_is_help=True,
    add_completion=False,
)


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


ProjectOption = Annotated[
    Path | None,
    typer.Option(
        "--project",
        help="Folder holding airflow_dags/ and dagster_defs/ (default: the working directory or its parents).",
    ),
]
TasksArgument = Annotated[list[str] | None, typer.Argument(help="Task ids (as in Airflow).")]
AllOption = Annotated[bool, typer.Option("--all", help="Every task with a Dagster asset (the whole DAG).")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def project_folder(project: Path | None) -> Path:
    """``--project`` (default: found from the working directory), which must hold ``airflow_dags/``."""
    from converters.runtime.envs import project_root

    root = (project or project_root()).resolve()
    if not (root / "airflow_dags").is_dir():
        err.print(f"[red]{root} has no airflow_dags/ folder (use --project)[/red]")
        raise typer.Exit(2)
    return root


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``message`` (rich markup) in red on stderr; returns the ``typer.Exit(code)`` to raise."""
    err.print(f"[red]{message}[/red]")
    return typer.Exit(code)
