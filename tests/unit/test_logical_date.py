"""An unpartitioned asset renders the date Airflow would use (the run's logical date), never the wall clock."""

from __future__ import annotations

import importlib
import sys

import dagster as dg
import pytest

from converters.convert import convert_project

DAG = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("adhoc", schedule=None, start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="stamp", bash_command="echo {{ ds }}")
    BashOperator(task_id="hello", bash_command="echo hello")
"""


@pytest.fixture
def adhoc(tmp_path, monkeypatch):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "adhoc.py").write_text(DAG)
    convert_project(dags, tmp_path / "adhoc_defs", use_cache=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("adhoc_defs.dags.adhoc")
    yield module
    for name in [n for n in sys.modules if n.startswith("adhoc_defs")]:
        del sys.modules[name]


def test_an_unpartitioned_run_takes_its_date_from_the_logical_date_tag(adhoc):
    result = dg.materialize([adhoc.stamp], tags={"airflow/logical_date": "2024-01-15T00:00:00+00:00"})
    assert result.output_for_node("adhoc__stamp") == "2024-01-15"


def test_without_a_logical_date_rendering_the_date_fails_and_says_how_to_give_one(adhoc):
    result = dg.materialize([adhoc.stamp], raise_on_error=False)
    assert not result.success, "the wall clock is not the run's logical date"
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = str(failure.event_specific_data.error)
    assert "{{ ds }} is used, but this run of adhoc.stamp has no logical date" in message
    assert "airflow/logical_date=" in message
    # An asset that does not use the date runs as usual.
    assert dg.materialize([adhoc.hello]).output_for_node("adhoc__hello") == "hello"
