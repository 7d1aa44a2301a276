"""A DAG's ``user_defined_macros`` and ``user_defined_filters``: a template reading a macro that is a literal gets it
from the generated renderer as from Airflow's; a task whose templates use a macro that is code, or a user
filter, stays in Airflow (NONE naming it) instead of an asset that would fail where its task ran."""

from __future__ import annotations

import importlib

import pytest

from converters.convert import convert_project
from tests.unit.generated import imported_package, task_value

DAG_FILE = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator


def any_in(targets, values):
    return any(t in values for t in targets)


with DAG(
    "macros",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    user_defined_macros={"project": "acme", "regions": ["eu", "us"], "any_in": any_in},
    user_defined_filters={"shout": str.upper},
):
    BashOperator(task_id="literal", bash_command="echo {{ project }}-{{ regions | join('+') }}-{{ ds }}")
    BashOperator(task_id="function", bash_command="echo {% if any_in(['eu'], regions) %}yes{% endif %}")
    BashOperator(task_id="filtered", bash_command="echo {{ project | shout }}")
    BashOperator(task_id="plain", bash_command="echo {{ ds_nodash }}")
"""


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("macros")
    (root / "dags").mkdir()
    (root / "dags" / "macros.py").write_text(DAG_FILE)
    result = convert_project(root / "dags", root / "macros_defs", force=True, use_cache=False)
    assert result.generated.problems == []
    with imported_package(root, "macros_defs"):
        yield root, {t.task.task_id: t for d in result.plan.dags for t in d.tasks}


def test_a_literal_macro_renders_as_in_airflow(converted):
    root, tasks = converted
    assert tasks["literal"].disposition == "MECH"
    text = (root / "macros_defs" / "dags" / "macros.py").read_text()
    assert 'user_defined_macros={"project": "acme", "regions": ["eu", "us"]}' in text  # not the function
    module = importlib.import_module("macros_defs.dags.macros")
    assert task_value(module, "literal") == "acme-eu+us-2024-01-15"
    assert task_value(module, "plain") == "20240115"


def test_a_macro_that_is_code_or_a_user_filter_keeps_its_task_in_airflow(converted):
    _, tasks = converted
    function, filtered = tasks["function"].translation, tasks["filtered"].translation
    assert function.disposition == "NONE" and function.reason.endswith("does not carry: macro 'any_in'")
    assert filtered.disposition == "NONE" and filtered.reason.endswith("does not carry: filter 'shout'")
