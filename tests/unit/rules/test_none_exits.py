"""Every NONE exit of every rule has a fixture: a small DAG file whose task takes that exit, and a snapshot.

A fixture is ``tests/unit/rules/<rule module>/<case>.py``: the task whose id is ``<case>`` must stay in Airflow
(disposition NONE) through exactly one ``Translation(NONE, ...)`` of the rules, and ``<case>.snap`` beside it
holds the rule, the disposition, the reason (the text the report and the generated AssetSpec show) and the
guard comment of the exit it took. Together the fixtures take every NONE exit once, so a new exit without a
fixture, or a changed reason, fails here.

After a deliberate change of a reason: ``A2D_UPDATE_SNAPSHOTS=1 pytest tests/unit/rules`` rewrites the
snapshots; review the diff like code.
"""

from __future__ import annotations

import ast
import os
import sys
from functools import cache
from pathlib import Path

import pytest

import converters.rules
from converters.inventory import ir
from converters.inventory.estate import EstateModules
from converters.inventory.scan import scan_source
from converters.plan import plan_project
from converters.rules.base import NONE, Translation

HERE = Path(__file__).resolve().parent
RULES_DIR = Path(converters.rules.__file__).resolve().parent
FIXTURES = sorted(p for p in HERE.glob("*/*.py") if not p.name.startswith(("test_", "__")))
UPDATE = os.environ.get("A2D_UPDATE_SNAPSHOTS") == "1"


def _is_none_exit(node: ast.AST) -> bool:
    """``Translation(NONE, ...)`` or ``none(...)``: a rule keeps the task in Airflow."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        return False
    if node.func.id == "none":
        return True
    first = node.args[0] if node.args else None
    return node.func.id == "Translation" and isinstance(first, ast.Name) and first.id == NONE


@cache
def none_exits() -> dict[tuple[str, int], tuple[range, str]]:
    """(rule module, line of the exit) -> (the lines of its call, its guard comment) for every rule module."""
    exits = {}
    for path in sorted(RULES_DIR.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        if not any(
            isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "RULES" for t in n.targets) for n in tree.body
        ):
            continue  # base, connections: helpers, not rules
        lines = source.splitlines()
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Return) and _is_none_exit(node.value):
                exits[(path.stem, node.lineno)] = (
                    range(node.lineno, node.end_lineno + 1),
                    _guard(node, parents, lines),
                )
    return exits


def _guard(node: ast.Return, parents: dict, lines: list[str]) -> str:
    """The comment line just above the exit, or above the ``if`` whose body it ends ("" when there is none)."""
    parent = parents.get(node)
    anchor = parent if isinstance(parent, ast.If) and node in parent.body else node
    above = lines[anchor.lineno - 2].strip()
    return above if above.startswith("#") else ""


def plan_fixture(path: Path) -> tuple[object, list[tuple[str, int]]]:
    """The planned task ``<case>`` of a fixture, and the NONE exits of the rules taken while planning the file."""
    # The fixture's folder is its estate: a fixture may import a module of its plugins/ folder (rules/estate).
    file = scan_source(path.read_text(encoding="utf-8"), path.name, EstateModules(path.parent))
    taken: list[tuple[str, int]] = []
    init = Translation.__init__.__code__

    def profile(frame, event, _arg):
        if event == "call" and frame.f_code is init and frame.f_locals.get("disposition") == NONE:
            caller = frame.f_back
            where = Path(caller.f_code.co_filename).resolve()
            if where.parent == RULES_DIR:
                for (module, line), (span, _) in none_exits().items():
                    if module == where.stem and caller.f_lineno in span:
                        taken.append((module, line))

    sys.setprofile(profile)
    try:
        plan = plan_project(ir.Project(str(path.parent), (file,)))
    finally:
        sys.setprofile(None)
    tasks = [t for dag in plan.dags for t in dag.tasks if t.task.task_id == path.stem]
    assert len(tasks) == 1, f"{path.name}: no single task with task_id {path.stem!r}"
    return tasks[0], taken


def snapshot(task, exit_: tuple[str, int]) -> str:
    return (
        f"rule: {task.rule}\n"
        f"disposition: {task.translation.disposition}\n"
        f"reason: {task.translation.reason}\n"
        f"exit: {none_exits()[exit_][1]}\n"
    )


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_takes_one_none_exit_with_its_reason(fixture: Path):
    task, taken = plan_fixture(fixture)
    assert task.translation.disposition == NONE
    assert len(taken) == 1, f"{fixture.name} takes {len(taken)} NONE exits of the rules: {taken}"
    assert taken[0][0] == fixture.parent.name, f"{fixture.name} exits in rules/{taken[0][0]}.py"
    expected = fixture.with_suffix(".snap")
    actual = snapshot(task, taken[0])
    if UPDATE:
        expected.write_text(actual, encoding="utf-8")
    assert expected.exists(), f"no snapshot {expected.name}: run with A2D_UPDATE_SNAPSHOTS=1 and review it"
    assert actual == expected.read_text(encoding="utf-8")


def test_every_none_exit_has_a_guard_comment():
    missing = [f"rules/{module}.py:{line}" for (module, line), (_, guard) in none_exits().items() if not guard]
    assert not missing, "a NONE exit without a one-line comment saying why: " + ", ".join(missing)


def test_every_none_exit_has_exactly_one_fixture():
    taken = {}
    for fixture in FIXTURES:
        for exit_ in plan_fixture(fixture)[1]:
            taken.setdefault(exit_, []).append(fixture.stem)
    untested = sorted(set(none_exits()) - set(taken))
    assert not untested, "NONE exits without a fixture: " + ", ".join(f"rules/{m}.py:{n}" for m, n in untested)
    shared = {exit_: cases for exit_, cases in taken.items() if len(cases) > 1}
    assert not shared, f"fixtures taking the same NONE exit: {shared}"
