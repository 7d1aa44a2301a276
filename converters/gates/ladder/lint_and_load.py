"""Gate 2, lint and load: the task's generated module passes ``ruff check`` with the generator's rules, and the
code location loads (``dg check defs`` in the location, a dg project, without peering; ``dagster definitions
validate`` for a location generated before it had a pyproject.toml)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from converters.codegen import LINT_RULES, RUFF_ARGS
from converters.gates.context import Context, command_evidence, run_command
from converters.gates.gate import Gate, Outcome


def check(ctx: Context) -> Iterator[Outcome]:
    ruff = str(Path(sys.executable).with_name("ruff"))
    if (ctx.package / "pyproject.toml").is_file():
        validate_cmd, where = [str(Path(sys.executable).with_name("dg")), "check", "defs"], ctx.package
    else:
        dagster = str(Path(sys.executable).with_name("dagster"))
        validate_cmd, where = [dagster, "definitions", "validate", "-m", f"{ctx.package.name}.definitions"], ctx.project
    started, validated = run_command(validate_cmd, where, ctx.env)
    validate_evidence = command_evidence(validate_cmd, started, validated)
    for planned in ctx.selected:
        module_file = ctx.package / "dags" / f"{planned.module}.py"
        lint_cmd = [ruff, "check", "--no-cache", "--isolated", *RUFF_ARGS, "--select", LINT_RULES]
        lint_cmd.append(str(module_file.relative_to(ctx.project)))  # the rules the generator holds its output to
        started, linted = run_command(lint_cmd, ctx.project)
        ok = module_file.exists() and linted.returncode == 0 and validated.returncode == 0
        evidence = {"ruff": command_evidence(lint_cmd, started, linted), "validate": validate_evidence}
        for task in ctx.tasks_of(planned):
            yield Outcome(planned.dag.dag_id, task.task.task_id, "pass" if ok else "fail", evidence)


GATE = Gate(2, "lint and load", check)
