"""The CLI package: one module per face, the verbs in the order `--help` lists them, `main` for the script."""

from __future__ import annotations

import typer

import converters.cli
from converters.cli import app, main


def test_verbs_by_module_and_order():
    command = typer.main.get_command(app)
    assert list(command.commands) == [
        "demo",
        "scan",
        "verify",
        "convert",
        "rules",
        "report",
        "lift",
        "proxy",
        "rollback",
        "decommission",
        "modernize",
        "gates",
        "status",
        "runtime",
    ]
    assert list(command.commands["runtime"].commands) == ["up", "down", "status"]
    modules = {info.callback.__name__: info.callback.__module__ for info in app.registered_commands}
    assert {name for name, module in modules.items() if module == "converters.cli.estate"} == {
        "scan",
        "verify",
        "convert",
        "rules",
        "report",
    }
    assert {name for name, module in modules.items() if module == "converters.cli.side_by_side"} == {
        "lift",
        "proxy",
        "rollback",
        "decommission",
        "modernize",
        "gates",
        "status",
    }


def test_console_script_entry_point():
    # pyproject.toml: airflow-to-dagster = "converters.cli:main"
    assert callable(main) and converters.cli.main is main
