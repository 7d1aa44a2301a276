"""The ``airflow-to-dagster`` Typer app, and the arguments and options several verbs share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from converters import __version__
from converters.cli.views import console, err


class Verbs(TyperGroup):
    """The app's verbs, with the one place that turns an error of the servers or of the input (an API that
    refused or did not answer, a precondition that does not hold) into one red line and exit 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            from converters.runtime.errors import user_error

            message = user_error(exc)
            if message is None:  # a bug: its traceback must be seen
                raise
            raise fail(message) from exc


app = typer.Typer(
    name="airflow-to-dagster",
    help="Move a live Airflow estate to Dagster without stopping it.",
    no_args_is_help=True,
    add_completion=False,
    cls=Verbs,
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
    """Print ``message`` in red on stderr, unwrapped (taken as it is: no rich markup); returns the
    ``typer.Exit(code)`` to raise."""
    err.print(message, style="red", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code)
