"""Estate operator classes of other modules that use Airflow's simple values (``XCOM_RETURN_KEY``,
``settings.TIMEZONE``, the web UI's ``get_attr_renderer``), a name their module never binds (Airflow fails there too),
and BaseOperator's scheduling arguments they never read (not written into the call: the stand-in ignores them).
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from converters.convert import convert_project
from tests.unit.generated import imported_package, materialize_task, task_asset

DAG_FILE = """
from datetime import datetime, timedelta

from airflow import DAG
from common.defaults import ARGS
from operators.keyed import KeyedOperator
from operators.owned import OwnedOperator
from operators.upload import UploadOperator
from operators.dropped import DroppedOperator

with DAG("values", schedule=None, start_date=datetime(2024, 1, 1), default_args=ARGS):
    KeyedOperator(task_id="keyed", sql="select 1")
    UploadOperator(task_id="upload", path="a.csv")
    UploadOperator(task_id="upload_fails", path="missing")
    OwnedOperator(task_id="owned", owner="team-a")
    DroppedOperator(task_id="dropped")
"""

# default_args whose values the scan cannot carry as code (a module importing Airflow computes them)
DEFAULTS = """
import pendulum
from airflow.settings import TIMEZONE

ARGS = {"owner": "data", "retries": 1, "start_date": pendulum.yesterday(TIMEZONE)}
"""

KEYED = """
from airflow.models import BaseOperator
from airflow.settings import TIMEZONE
from airflow.utils.xcom import XCOM_RETURN_KEY
from airflow.www import utils as wwwutils


class KeyedOperator(BaseOperator):
    template_fields = ("sql",)
    template_fields_renderers = {"sql": "postgresql" if "postgresql" in wwwutils.get_attr_renderer() else "sql"}

    def __init__(self, sql, xcom_key=XCOM_RETURN_KEY, **kwargs):
        super().__init__(**kwargs)
        self.sql = sql
        self.xcom_key = xcom_key

    def execute(self, context):
        assert TIMEZONE is not None
        return f"{self.xcom_key}:{self.template_fields_renderers['sql']}:{self.sql}"
"""

UPLOAD = """
import os

from airflow.models import BaseOperator


class UploadOperator(BaseOperator):
    def __init__(self, path, **kwargs):
        super().__init__(**kwargs)
        self.path = path

    def execute(self, context):
        try:
            if self.path == "missing":
                raise OSError(self.path)
            return os.path.basename(self.path)
        except botocore.exceptions.ClientError:
            return None
"""

OWNED = """
from airflow.models import BaseOperator


class OwnedOperator(BaseOperator):
    def __init__(self, owner, **kwargs):
        super().__init__(**kwargs)
        self.who = owner

    def execute(self, context):
        return self.who
"""

# ``helper`` is bound by its module, inside a block the copy cannot take: the copy dropped it
DROPPED = """
from airflow.models import BaseOperator

if True:
    def helper():
        return 1


class DroppedOperator(BaseOperator):
    def execute(self, context):
        return helper()
"""


def _estate(root: Path) -> None:
    files = {
        "dags/values.py": DAG_FILE,
        "plugins/common/__init__.py": "",
        "plugins/common/defaults.py": DEFAULTS,
        "plugins/operators/__init__.py": "",
        "plugins/operators/keyed.py": KEYED,
        "plugins/operators/upload.py": UPLOAD,
        "plugins/operators/owned.py": OWNED,
        "plugins/operators/dropped.py": DROPPED,
    }
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("estatevalues")
    _estate(root / "estate")
    out = root / "values_defs"
    result = convert_project(root / "estate", out, force=True, use_cache=False)
    with imported_package(root, "values_defs"):
        yield result, out, importlib.import_module("values_defs.dags.values")


def _task(result, task_id):
    return next(t for d in result.plan.dags for t in d.tasks if t.task.task_id == task_id)


def _materialize(module, task_id, raise_on_error=True):
    return task_asset(module, task_id), materialize_task(module, task_id, raise_on_error=raise_on_error)


def test_airflows_simple_values_are_supports(converted):
    result, out, module = converted
    task = _task(result, "keyed")
    assert task.disposition == "JUDG", task.translation.reason
    code = (out / "logic" / "estate_class__operators__keyed__keyedoperator.py").read_text(encoding="utf-8")
    assert "from ..support.hooks import TIMEZONE, XCOM_RETURN_KEY" in code
    assert 'wwwutils = support_hooks.airflow_module("airflow.www.utils"' in code
    asset, run = _materialize(module, "keyed")
    assert run.output_for_node(asset.op.name) == "return_value:postgresql:select 1"


def test_scheduling_arguments_the_class_does_not_read_are_not_written_into_its_call(converted):
    result, out, module = converted
    body = (out / "dags" / "values.py").read_text(encoding="utf-8")
    keyed = body[body.index("def keyed(") :].split("\n\n", 1)[0]
    # start_date (code the scan cannot carry), owner, retries: only the stand-in would have received them
    assert "start_date" not in keyed and "retries" not in keyed and '"sql": "select 1"' in keyed
    # a class naming one in its __init__ receives it as Airflow gives it
    owned = _task(result, "owned")
    assert owned.disposition == "JUDG", owned.translation.reason
    asset, run = _materialize(module, "owned")
    assert run.output_for_node(asset.op.name) == "team-a"


def test_a_name_the_original_module_never_binds_fails_as_in_airflow(converted):
    result, out, module = converted
    task = _task(result, "upload")
    assert task.disposition == "JUDG", task.translation.reason
    assert any("uses botocore, which plugins/operators/upload.py never binds" in n for n in task.translation.notes)
    code = (out / "logic" / "estate_class__operators__upload__uploadoperator.py").read_text(encoding="utf-8")
    assert 'botocore = never_bound("botocore")' in code
    asset, run = _materialize(module, "upload")
    assert run.output_for_node(asset.op.name) == "a.csv"
    # the except clause is evaluated: Airflow raises NameError there, and so does the copy
    _, failed = _materialize(module, "upload_fails", raise_on_error=False)
    assert not failed.success
    errors = [e for e in failed.all_events if e.is_step_failure]
    assert "name 'botocore' is not defined" in str(errors[0].event_specific_data.error)
    ruff = Path(sys.executable).parent / "ruff"
    checked = subprocess.run([ruff, "check", "--no-cache", str(out / "logic")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout


def test_a_name_the_copy_dropped_stays_none(converted):
    result, _, _ = converted
    task = _task(result, "dropped")
    assert task.disposition == "NONE"
    assert "uses names its module does not define" in task.translation.reason
    assert "helper" in task.translation.reason and "never binds" not in task.translation.reason


def test_the_skipped_arguments_were_the_tasks(converted):
    result, _, _ = converted
    task = _task(result, "keyed")
    # default_args reach the task (the planner maps them); the call to the class leaves them out
    assert {"owner", "retries", "start_date"} <= set(task.task.arguments)


def test_a_class_keeping_its_kwargs_receives_every_argument():
    from converters.rules.base import BASE_OPERATOR_ARGS
    from converters.rules.estate import _init_names

    keeps = textwrap.dedent("""
        class Keeps(BaseOperator):
            def __init__(self, sql, **kwargs):
                super().__init__(**kwargs)
                self.options = kwargs
    """)
    passes = keeps.replace("self.options = kwargs", 'self.when = kwargs.get("start_date")')
    assert BASE_OPERATOR_ARGS <= _init_names(keeps, "Keeps")
    assert _init_names(passes, "Keeps") >= {"sql", "start_date"} and "retries" not in _init_names(passes, "Keeps")


def test_the_settings_module_used_whole_names_the_metadata_database():
    from converters.rules import hooks

    logic = textwrap.dedent("""
        def f():
            return settings.Session(), settings.TIMEZONE
    """)
    missing = hooks.unsupported_uses(logic, "f", {}, {"settings": "airflow.settings"})
    assert missing == ["airflow.settings.Session (Airflow's metadata database, which Dagster has no copy of)"]
