"""A DAG with ``render_template_as_native_obj=True`` renders its templates to Python objects: its callables get
``{{ params.limit }}`` as an int and ``{{ params.tables }}`` as a list. The generated assets render them the
same way (what Airflow gives is compared value by value in ``tests/integration/test_template_parity.py``), and
the modern form keeps such a task faithful instead of writing the values as text."""

from __future__ import annotations

import importlib

import pytest

from converters.codegen import modern
from converters.convert import convert_project
from converters.flow import load_plan
from tests.unit.generated import imported_package, materialize_task, task_asset

DAG_FILE = """
from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator


def show(day, limit, tables):
    return [[type(value).__name__, value] for value in (day, limit, tables)]


def day_of(day):
    return day


with DAG(
    "{dag_id}",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    params={{"limit": 5, "tables": ["a", "b"]}},{native}
):
    PythonOperator(
        task_id="show",
        python_callable=show,
        op_kwargs={{
            "day": "{{{{ ds_nodash }}}}",
            "limit": "{{{{ params.limit }}}}",
            "tables": "{{{{ params.tables }}}}",
        }},
    )
    PythonOperator(task_id="day", python_callable=day_of, op_kwargs={{"day": "{{{{ ds_nodash }}}}"}})
"""


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("native")
    dags = root / "dags"
    dags.mkdir()
    (dags / "native.py").write_text(
        DAG_FILE.format(dag_id="native", native="\n    render_template_as_native_obj=True,")
    )
    (dags / "text.py").write_text(DAG_FILE.format(dag_id="text", native=""))
    result = convert_project(dags, root / "native_defs", force=True, use_cache=False)
    assert result.generated.problems == []
    with imported_package(root, "native_defs"):
        yield root, dags


def shown(dag_id: str) -> list:
    module = importlib.import_module(f"native_defs.dags.{dag_id}")
    run = materialize_task(module, "show")
    return run.output_for_node(task_asset(module, "show").op.name)


def test_the_assets_of_a_native_dag_get_python_objects_as_its_airflow_tasks_did(converted):
    root, _ = converted
    assert "native=True" in (root / "native_defs" / "dags" / "native.py").read_text()
    assert shown("native") == [["int", 20240115], ["int", 5], ["list", ["a", "b"]]]
    assert "native=True" not in (root / "native_defs" / "dags" / "text.py").read_text()
    assert shown("text") == [["str", "20240115"], ["str", "5"], ["str", "['a', 'b']"]]


def test_the_modern_form_keeps_a_native_dag_s_templated_task_faithful(converted):
    _, dags = converted
    plan = load_plan(dags)
    native, text = (next(d for d in plan.dags if d.dag.dag_id == name) for name in ("native", "text"))
    assert "native_templates" in native.dag.constructs and "native_templates" not in text.dag.constructs
    day = next(t for t in native.tasks if t.task.task_id == "day")
    choice = modern.choose(native, day)
    assert choice.kind == "faithful" and "render_template_as_native_obj" in choice.why  # Airflow gave 20240115
    text_day = next(t for t in text.tasks if t.task.task_id == "day")
    assert modern.choose(text, text_day).kind == "asset"  # "20240115", the partition key without dashes
