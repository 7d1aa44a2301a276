"""A name two estate modules bind differently, one of them only for annotations written as strings (an import under
``if TYPE_CHECKING:`` for ``-> "Mapping"``): those annotations are never evaluated, so the copied logic keeps the
binding that code evaluates, whichever module's code is copied first."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from converters.convert import convert_project
from tests.unit.generated import imported_package

EVALUATED = """
from collections.abc import Mapping


def a_evaluated() -> Mapping:
    return {"rows": 1}


def b_evaluated() -> Mapping:
    return {"rows": 1}
"""

ANNOTATED = """
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Mapping


def a_annotated() -> "Mapping":
    return {"columns": 2}


def b_annotated() -> "Mapping":
    return {"columns": 2}
"""

# the helpers are required in the order of their names: `a_...` first, then `b_...`
OPERATORS = """
from airflow.models import BaseOperator
from common.annotated import {first}
from common.evaluated import {second}


class {cls}(BaseOperator):
    def execute(self, context):
        return {{**{first}(), **{second}()}}
"""

DAG_FILE = """
from datetime import datetime

from airflow import DAG
from operators.annotated_first import AnnotatedFirstOperator
from operators.evaluated_first import EvaluatedFirstOperator

with DAG("settings", schedule=None, start_date=datetime(2024, 1, 1)):
    AnnotatedFirstOperator(task_id="annotated_first")
    EvaluatedFirstOperator(task_id="evaluated_first")
"""


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("annotations")
    files = {
        "dags/settings.py": DAG_FILE,
        "plugins/common/__init__.py": "",
        "plugins/common/evaluated.py": EVALUATED,
        "plugins/common/annotated.py": ANNOTATED,
        "plugins/operators/__init__.py": "",
        "plugins/operators/annotated_first.py": OPERATORS.format(
            first="a_annotated", second="b_evaluated", cls="AnnotatedFirstOperator"
        ),
        "plugins/operators/evaluated_first.py": OPERATORS.format(
            first="b_annotated", second="a_evaluated", cls="EvaluatedFirstOperator"
        ),
    }
    for relative, text in files.items():
        (root / "estate" / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / "estate" / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    out = root / "annotations_defs"
    result = convert_project(root / "estate", out, force=True, use_cache=False)
    with imported_package(root, "annotations_defs"):
        yield result, out


@pytest.mark.parametrize("order", ["annotated_first", "evaluated_first"])
def test_the_evaluated_binding_is_kept_whatever_the_order(converted, order):
    result, out = converted
    task = next(t for d in result.plan.dags for t in d.tasks if t.task.task_id == order)
    assert task.disposition == "JUDG", task.translation.reason
    name = f"estate_class__operators__{order}__{order.replace('_', '')}operator"
    code = (out / "logic" / f"{name}.py").read_text(encoding="utf-8")
    assert "from collections.abc import Mapping" in code and "from typing import Mapping" not in code
    ruff = Path(sys.executable).parent / "ruff"
    checked = subprocess.run([ruff, "check", "--no-cache", str(out / "logic")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    module = importlib.import_module(f"annotations_defs.logic.{name}")
    cls = next(v for k, v in vars(module).items() if k.endswith("Operator") and k != "BaseOperator")
    assert cls(task_id="t").execute({}) == {"rows": 1, "columns": 2}
