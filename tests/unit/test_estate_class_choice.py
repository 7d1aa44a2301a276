"""An operator name bound when its module is imported to one of two classes (``Op = A if STAGE == "dev" else B``,
or an ``if``/``else`` binding it): the asset runs the condition, carried as code, and the class it picks, when
every alternative translates on its own; else the task stays in Airflow naming the alternative that does not.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from converters.convert import convert_project
from tests.unit.generated import drop_modules, imported_package, task_value

DAG_FILE = """
import os
from datetime import datetime

from airflow import DAG
from log_notice import LogNoticeOperator
from post_notice import PostNoticeOperator
from shared import DEFAULTS, AlertOperator, NoticeOperator, RiskyOperator

LocalOperator = LogNoticeOperator if os.environ.get("A2D_LOCAL_STAGE") == "dev" else PostNoticeOperator

with DAG("notices", schedule=None, start_date=datetime(2024, 1, 1), default_args=DEFAULTS):
    NoticeOperator(task_id="notice", channel="ops")
    AlertOperator(task_id="alert")
    RiskyOperator(task_id="risky")
    LocalOperator(task_id="local", channel="here")
"""

SHARED = """
import os

from airflow.models import Variable
from airflow.utils.dates import days_ago
from log_notice import LogNoticeOperator
from post_notice import PostNoticeOperator
from broken_notice import BrokenNoticeOperator

STAGE = os.environ.get("A2D_STAGE", "prod")

DEFAULTS = {"owner": "data", "retries": 1, "start_date": days_ago(1), "catchup": False}

NoticeOperator = LogNoticeOperator if STAGE == "dev" else PostNoticeOperator

if STAGE in ("dev", "test"):
    AlertOperator = PostNoticeOperator
else:
    AlertOperator = LogNoticeOperator

RiskyOperator = LogNoticeOperator if STAGE == "dev" else BrokenNoticeOperator


def stage_setting():
    return Variable.get("stage_setting")
"""

LOG_NOTICE = """
import inspect

from airflow.models import BaseOperator


class LogNoticeOperator(BaseOperator):
    def __init__(self, *, channel="general", **kwargs):
        self.channel = channel
        # only what BaseOperator takes (the class stands in for one taking more)
        accepted = set(inspect.signature(BaseOperator.__init__).parameters)
        super().__init__(**{k: kwargs[k] for k in accepted & kwargs.keys()})

    def execute(self, context):
        self.log.info("notice for %s", self.channel)
        return f"logged to {self.channel}"
"""

POST_NOTICE = """
from airflow.models import BaseOperator

PREFIX = "posted to"


class PostNoticeOperator(BaseOperator):
    def __init__(self, *, channel="general", **kwargs):
        super().__init__(**kwargs)
        self.channel = channel

    def execute(self, context):
        return f"{PREFIX} {self.channel}"
"""

BROKEN_NOTICE = """
from airflow.models import BaseOperator
from airflow.models.dagrun import DagRun


class BrokenNoticeOperator(BaseOperator):
    def execute(self, context):
        return len(DagRun.find(dag_id="notices"))
"""


def _estate(root: Path) -> None:
    files = {
        "dags/notices.py": DAG_FILE,
        "dags/shared/__init__.py": SHARED,
        "plugins/log_notice.py": LOG_NOTICE,
        "plugins/post_notice.py": POST_NOTICE,
        "plugins/broken_notice.py": BROKEN_NOTICE,
    }
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("classchoice")
    _estate(root / "estate")
    out = root / "choice_defs"
    result = convert_project(root / "estate", out, force=True, use_cache=False)
    with imported_package(root, "choice_defs"):
        yield result, out, importlib.import_module("choice_defs.dags.notices")


def _task(result, task_id):
    return next(t for d in result.plan.dags for t in d.tasks if t.task.task_id == task_id)


def _materialize(module, task_id):
    # The logic modules are imported again: the condition's module reads the environment when it is imported.
    drop_modules("choice_defs.logic")
    return task_value(module, task_id)


def test_both_estate_classes_translate_so_the_choice_is_judged(converted):
    result, out, _ = converted
    task = _task(result, "notice")
    assert task.disposition == "JUDG", task.translation.reason
    reason = task.translation.reason
    assert reason.startswith("NoticeOperator is LogNoticeOperator or PostNoticeOperator, chosen when the asset runs")
    assert 'by STAGE == "dev": LogNoticeOperator: the estate operator LogNoticeOperator runs' in reason
    assert any("Dagster side's environment" in n and 'STAGE == "dev"' in n for n in task.translation.notes)
    body = (out / "dags" / "notices.py").read_text(encoding="utf-8")
    assert 'if load_logic("estate_class__shared__noticeoperator")._arg_choice():' in body
    condition = (out / "logic" / "estate_class__shared__noticeoperator.py").read_text(encoding="utf-8")
    assert 'STAGE = os.environ.get("A2D_STAGE", "prod")' in condition and "LogNoticeOperator" not in condition
    assert (out / "logic" / "estate_class__log_notice__lognoticeoperator.py").exists()
    assert (out / "logic" / "estate_class__post_notice__postnoticeoperator.py").exists()
    ruff = Path(sys.executable).parent / "ruff"
    checked = subprocess.run([ruff, "check", "--no-cache", str(out)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout


def test_an_argument_only_default_args_gave_is_not_passed_to_a_class_reading_its_kwargs(converted):
    # Airflow fills from default_args only the parameters __init__ names: start_date (code of a module importing
    # Airflow) never reaches LogNoticeOperator's **kwargs, so it is not written into the call either.
    result, out, _ = converted
    assert _task(result, "local").disposition == "JUDG"
    body = (out / "dags" / "notices.py").read_text(encoding="utf-8")
    assert '{"task_id": "local", "channel": "here"}' in body  # neither start_date nor catchup


def test_the_environment_picks_the_class_when_the_asset_runs(converted, monkeypatch):
    _, _, module = converted
    monkeypatch.setenv("A2D_STAGE", "dev")
    assert _materialize(module, "notice") == "logged to ops"
    monkeypatch.setenv("A2D_STAGE", "prod")
    assert _materialize(module, "notice") == "posted to ops"
    monkeypatch.delenv("A2D_STAGE")
    assert _materialize(module, "notice") == "posted to ops"  # the module's default, as Airflow's import gives


def test_an_if_else_binding_the_name_is_the_same_choice(converted, monkeypatch):
    result, _, module = converted
    task = _task(result, "alert")
    assert task.disposition == "JUDG", task.translation.reason
    assert 'chosen when the asset runs by STAGE in ("dev", "test")' in task.translation.reason
    monkeypatch.setenv("A2D_STAGE", "test")
    assert _materialize(module, "alert") == "posted to general"
    monkeypatch.setenv("A2D_STAGE", "prod")
    assert _materialize(module, "alert") == "logged to general"


def test_a_choice_made_in_the_dag_file_runs_its_condition_from_the_file_logic(converted, monkeypatch):
    result, out, module = converted
    task = _task(result, "local")
    assert task.disposition == "JUDG", task.translation.reason
    body = (out / "dags" / "notices.py").read_text(encoding="utf-8")
    assert "if logic._arg_LocalOperator_choice():" in body
    monkeypatch.setenv("A2D_LOCAL_STAGE", "dev")
    assert _materialize(module, "local") == "logged to here"
    monkeypatch.setenv("A2D_LOCAL_STAGE", "prod")
    assert _materialize(module, "local") == "posted to here"


def test_an_alternative_that_does_not_translate_keeps_the_task_in_airflow_naming_it(converted):
    result, out, _ = converted
    task = _task(result, "risky")
    assert task.disposition == "NONE"
    reason = task.translation.reason
    assert reason.startswith("the operator class is chosen when its module is imported: shared.RiskyOperator = ")
    assert "; BrokenNoticeOperator does not translate: " in reason and "DagRun" in reason
    generated = "".join(p.read_text(encoding="utf-8") for p in (out / "logic").glob("*.py"))
    assert "BrokenNoticeOperator" not in generated and "riskyoperator" not in " ".join(
        p.name for p in (out / "logic").iterdir()
    )
