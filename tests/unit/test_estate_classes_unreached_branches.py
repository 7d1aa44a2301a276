"""Estate operator classes whose Airflow-only code (Airflow's metadata database) lies in a branch decided by an
attribute set from a constructor parameter: a task whose literal value never takes that branch is translated with a
note naming it, the copied class binds those names to stand-ins that raise if the branch is reached; a task that
takes it, or whose value is not a literal, or a class that sets the attribute elsewhere, stays in Airflow.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from converters.convert import convert_project
from tests.unit.generated import imported_package, materialize_task, task_asset, task_value

DAG_FILE = """
import json
import os
from datetime import datetime

from airflow import DAG
from operators.grants import GrantOperator
from operators.moving import MovingFlagOperator

RECENT = datetime.now().year > 2000
OPTIONS = {"recent_runs": datetime.now().year > 2000}

with DAG("grants", schedule=None, start_date=datetime(2024, 1, 1)):
    GrantOperator(task_id="left_default", dataset="parks")
    GrantOperator(task_id="passed_false", dataset="trees", recent_runs=False)
    GrantOperator(task_id="passed_true", recent_runs=True)
    GrantOperator(task_id="not_literal", dataset="parks", recent_runs=RECENT)
    GrantOperator(task_id="spread", dataset="parks", **OPTIONS)
    GrantOperator(task_id="templated", dataset="parks", recent_runs="{{ params.recent }}")
    GrantOperator(task_id="spread_unread", dataset="parks", **json.loads(os.environ.get("OPTIONS", "{}")))
    MovingFlagOperator(task_id="moved", dataset="parks")
"""

# Airflow's metadata database read only under `if self.recent_runs:` (a loop re-targets another attribute there)
GRANTS = """
from airflow.models import BaseOperator
from airflow.models.dagrun import DagRun
from airflow.settings import Session


class GrantOperator(BaseOperator):
    def __init__(self, dataset=None, recent_runs=False, mode="single", **kwargs):
        super().__init__(**kwargs)
        self.recent_runs = recent_runs
        self.dataset = dataset
        self.mode = mode

    def execute(self, context):
        granted = []
        if self.recent_runs:
            finished = Session().query(DagRun).filter(DagRun.state == "success")
            for self.dataset in sorted({run.dag_id for run in finished}):
                granted.append(self.dataset)
        elif self.dataset and self.mode == "single":
            granted.append(self.dataset)
        return granted
"""

# the same shape, but another method sets the flag: what execute() sees is not the constructor's literal
MOVING = """
from airflow.models import BaseOperator
from airflow.settings import Session


class MovingFlagOperator(BaseOperator):
    def __init__(self, dataset=None, recent_runs=False, **kwargs):
        super().__init__(**kwargs)
        self.recent_runs = recent_runs
        self.dataset = dataset

    def pre_execute(self, context):
        self.recent_runs = True

    def execute(self, context):
        if self.recent_runs:
            return [Session().query("dag_run")]
        return [self.dataset]
"""


def _estate(root: Path) -> None:
    files = {
        "dags/grants.py": DAG_FILE,
        "plugins/operators/__init__.py": "",
        "plugins/operators/grants.py": GRANTS,
        "plugins/operators/moving.py": MOVING,
    }
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("unreached")
    _estate(root / "estate")
    out = root / "unreached_defs"
    result = convert_project(root / "estate", out, force=True, use_cache=False)
    with imported_package(root, "unreached_defs"):
        yield result, out, importlib.import_module("unreached_defs.dags.grants")


def _task(result, task_id):
    return next(t for d in result.plan.dags for t in d.tasks if t.task.task_id == task_id)


def _materialize(module, task_id):
    return task_asset(module, task_id), materialize_task(module, task_id)


def test_a_flag_left_false_makes_the_metadata_branch_unreachable(converted):
    result, out, module = converted
    task = _task(result, "left_default")
    assert task.disposition == "JUDG", task.translation.reason
    (note,) = [n for n in task.translation.notes if "never runs" in n]
    assert "airflow.settings.Session" in note and "airflow.models.dagrun.DagRun" in note
    assert "`if self.recent_runs:` (plugins/operators/grants.py:15)" in note
    assert "recent_runs is False (the task leaves recent_runs at its default False)" in note
    asset, run = _materialize(module, "left_default")
    assert run.output_for_node(asset.op.name) == ["parks"]
    passed = _task(result, "passed_false")
    assert passed.disposition == "JUDG", passed.translation.reason
    assert any("the task passes recent_runs=False" in n for n in passed.translation.notes)
    asset, run = _materialize(module, "passed_false")
    assert run.output_for_node(asset.op.name) == ["trees"]


def test_the_copied_class_imports_and_its_stand_ins_raise_if_reached(converted):
    _, out, module = converted
    code = (out / "logic" / "estate_class__operators__grants__grantoperator.py").read_text(encoding="utf-8")
    assert 'Session = airflow_unreached("airflow.settings.Session", "Airflow\'s metadata database")' in code
    ruff = Path(sys.executable).parent / "ruff"
    checked = subprocess.run([ruff, "check", "--no-cache", str(out / "logic")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    logic = importlib.import_module("unreached_defs.logic.estate_class__operators__grants__grantoperator")
    operator = logic.GrantOperator(task_id="forced", recent_runs=True)
    with pytest.raises(RuntimeError, match="needs Airflow's metadata database"):
        operator.execute({})


def test_a_flag_set_true_keeps_the_task_in_airflow(converted):
    result, _, _ = converted
    task = _task(result, "passed_true")
    assert task.disposition == "NONE"
    assert "calls Airflow APIs with no Dagster-side equivalent here" in task.translation.reason


@pytest.mark.parametrize("task_id", ["not_literal", "spread", "spread_unread", "templated"])
def test_a_flag_the_scan_cannot_read_keeps_the_task_in_airflow(converted, task_id):
    result, _, _ = converted
    task = _task(result, task_id)
    assert task.disposition == "NONE"
    assert "calls Airflow APIs with no Dagster-side equivalent here" in task.translation.reason
    if task_id == "spread_unread":
        assert task.task.unread_arguments == ('**json.loads(os.environ.get("OPTIONS", "{}"))',)


def test_a_flag_another_method_sets_keeps_the_task_in_airflow(converted):
    result, out, _ = converted
    task = _task(result, "moved")
    assert task.disposition == "NONE"
    assert "calls Airflow APIs with no Dagster-side equivalent here" in task.translation.reason
    assert not (out / "logic" / "estate_class__operators__moving__movingflagoperator.py").exists()


@pytest.mark.parametrize(
    ("test", "values", "expected"),
    [
        ("self.a", {"a": False}, False),
        ("self.a and not self.b", {"b": True}, False),  # decided by one side
        ("self.a or self.b", {"b": True}, True),
        ("self.a or self.b", {"b": False}, None),
        ("self.mode == 'batch'", {"mode": "single"}, False),
        ("self.mode in ('a', 'b')", {"mode": "a"}, True),
        ("self.a is None", {"a": None}, True),
        ("self.a", {}, None),
    ],
)
def test_conditions_over_attributes_are_decided_only_when_known(test, values, expected):
    from converters.rules.estate import _UNKNOWN, _decide

    decided = _decide(test, {k: (v, "") for k, v in values.items()})
    assert (None if decided is _UNKNOWN else decided) == expected


LOCAL_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.models import BaseOperator
from airflow.settings import Session


class PurgeOperator(BaseOperator):
    def __init__(self, table, scope, **kwargs):
        super().__init__(**kwargs)
        self.table = table
        self.scope = scope

    def execute(self, context):
        if self.scope != "metadata":
            return f"purged {self.table}"
        else:
            Session().execute("delete from log")
        return None


with DAG("local", schedule=None, start_date=datetime(2024, 1, 1)):
    PurgeOperator(task_id="rows", table="events", scope="rows")
    PurgeOperator(task_id="metadata", table="log", scope="metadata")
"""


def test_a_class_of_the_dag_file_and_an_else_branch(tmp_path):
    (tmp_path / "estate" / "dags").mkdir(parents=True)
    (tmp_path / "estate" / "dags" / "local.py").write_text(textwrap.dedent(LOCAL_DAG).lstrip(), encoding="utf-8")
    out = tmp_path / "local_defs"
    result = convert_project(tmp_path / "estate", out, force=True, use_cache=False)
    rows = _task(result, "rows")
    assert rows.disposition == "JUDG", rows.translation.reason
    (note,) = [n for n in rows.translation.notes if "never runs" in n]
    assert "the else of `if self.scope != 'metadata':` (dags/local.py:15)" in note
    assert "scope is 'rows' (the task passes scope='rows')" in note
    assert _task(result, "metadata").disposition == "NONE"
    code = (out / "logic" / "dags__local.py").read_text(encoding="utf-8")
    assert "Session = airflow_unreached(" in code
    with imported_package(tmp_path, "local_defs"):
        assert task_value("local_defs.dags.local", "rows") == "purged events"
