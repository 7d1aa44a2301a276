"""What a task kept faithful in a modernized module needs imported, beside the modern tasks' imports (real
estates' modern modules failed ruff F821 without them): the class's own logic module of an estate operator
(``load_logic("estate_class__...")``, though the module imports its callables as ``logic``), ``timedelta`` for
its SLA's freshness window."""

from __future__ import annotations

from pathlib import Path

from tests.unit.generated import answer_of, convert_modernized

DAG_FILE = """
from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator
from operators.count_rows import CountRowsOperator


def hello(ds):
    return f"hello {ds}"


with DAG("pipeline", schedule="@daily", start_date=datetime(2024, 1, 1), catchup=False):
    greet = PythonOperator(task_id="greet", python_callable=hello)
    count = CountRowsOperator(task_id="count", rows=[1, 2, 3])
    greet >> count
"""

COUNT_ROWS = """
from airflow.models import BaseOperator


class CountRowsOperator(BaseOperator):
    def __init__(self, rows, **kwargs):
        super().__init__(**kwargs)
        self.rows = rows

    def execute(self, context):
        return len(self.rows) * 2
"""

RUN = """
import json
import dagster as dg
from dagster_defs.dags import pipeline
result = dg.materialize(pipeline.ASSETS, partition_key="2024-03-05")
print(json.dumps({
    "greet": result.output_for_node("pipeline__greet"),
    "count": result.output_for_node("pipeline__count"),
}))
"""


def test_a_faithful_estate_operator_beside_modern_callables_loads_its_class(tmp_path: Path):
    dags = tmp_path / "airflow_dags"
    (dags / "operators").mkdir(parents=True)
    (dags / "operators" / "__init__.py").write_text("")
    (dags / "operators" / "count_rows.py").write_text(COUNT_ROWS)
    (dags / "pipeline.py").write_text(DAG_FILE)
    defs = convert_modernized(dags, "pipeline.py", "pipeline")  # ruff-clean: load_logic is imported
    text = (defs / "dags" / "pipeline.py").read_text()
    assert "from ..logic import pipeline as logic" in text and "return logic.hello(ds=context.partition_key)" in text
    assert 'load_logic("estate_class__' in text and "load_logic," in text
    assert answer_of(defs, RUN) == {"greet": "hello 2024-03-05", "count": 6}


SLA_DAG = """
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.python import PythonOperator


def stamp(ds):
    return ds


def with_context(**context):
    return context["ds"]


with DAG("pipeline", schedule="@daily", start_date=datetime(2024, 1, 1), catchup=False):
    first = PythonOperator(task_id="first", python_callable=stamp)
    late = PythonOperator(task_id="late", python_callable=with_context, sla=timedelta(hours=8))
    first >> late
"""

FRESHNESS = """
import json
from dagster_defs.dags import pipeline
late = next(a for a in pipeline.ASSETS if a.key.path[-1] == "late")
print(json.dumps(late.specs_by_key[late.key].freshness_policy.fail_window.to_timedelta().total_seconds()))
"""


def test_a_faithful_task_with_an_sla_beside_modern_ones_has_its_freshness_window(tmp_path: Path):
    dags = tmp_path / "airflow_dags"
    dags.mkdir()
    (dags / "pipeline.py").write_text(SLA_DAG)
    defs = convert_modernized(dags, "pipeline.py", "pipeline")  # ruff-clean: timedelta is imported
    text = (defs / "dags" / "pipeline.py").read_text()
    assert "# kept faithful:" in text and "from datetime import timedelta" in text
    assert answer_of(defs, FRESHNESS) == 28800.0
