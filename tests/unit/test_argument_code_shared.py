"""An argument's code that is the same for several tasks (a DAG built in a loop reading the same Variable for each
table) is copied once: one ``_arg_`` function the tasks share, named after the first; code that differs only in
the values of the loop's names (its parameters' defaults) is copied once too, each other task's function calling
it with its own values. Each asset computes its own value."""

from __future__ import annotations

import importlib
import textwrap

import pytest

from converters.codegen import generate
from converters.flow import scan_and_plan
from converters.inventory import ir
from tests.unit.generated import imported_package, task_value

DAG_FILE = """
from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.operators.bash import BashOperator

with DAG("tables", schedule=None, start_date=datetime(2024, 1, 1)):
    for table in ["orders", "customers", "stores"]:
        BashOperator(
            task_id=f"load_{table}",
            bash_command="echo $TABLE $BUCKET",
            env={"BUCKET": Variable.get("bucket"), "TABLE": table.upper() + "_" + Variable.get("suffix")},
        )
"""


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("shared_code")
    dags = root / "dags"
    dags.mkdir()
    (dags / "tables.py").write_text(textwrap.dedent(DAG_FILE).lstrip(), encoding="utf-8")
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    generate(planned.plan, root / "shared_code_defs", dags_folder=dags, force=True)
    with imported_package(root, "shared_code_defs"):
        yield planned, root / "shared_code_defs"


def test_the_same_code_is_one_function_the_tasks_share(converted):
    planned, defs = converted
    env = {t.task.task_id: t.task.arguments["env"] for d in planned.plan.dags for t in d.tasks}
    bucket = {task: value["BUCKET"] for task, value in env.items()}
    assert all(isinstance(v, ir.CodeValue) for v in bucket.values())
    assert {v.name for v in bucket.values()} == {"_arg_load_orders_env_BUCKET"}  # named after the first task
    table = {task: value["TABLE"].name for task, value in env.items()}
    assert len(set(table.values())) == 3  # each takes its own table: one function per task...
    logic = (defs / "logic" / "tables.py").read_text()
    assert logic.count('Variable.get("bucket")') == 1 and logic.count('Variable.get("suffix")') == 1  # ...one code
    assert 'def _arg_load_stores_env_TABLE():\n    return _arg_load_orders_env_TABLE(table="stores")' in logic


def test_each_asset_computes_its_own_value(converted, monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_BUCKET", "s3://lake")
    monkeypatch.setenv("AIRFLOW_VAR_SUFFIX", "v2")
    logic = importlib.import_module("shared_code_defs.logic.tables")
    module = importlib.import_module("shared_code_defs.dags.tables")
    for table in ("orders", "customers", "stores"):
        assert task_value(module, f"load_{table}") == f"{table.upper()}_v2 s3://lake"
    assert logic._arg_load_orders_env_BUCKET() == "s3://lake"
    assert logic._arg_load_stores_env_TABLE() == "STORES_v2"
