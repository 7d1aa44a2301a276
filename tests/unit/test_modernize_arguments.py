"""Arguments the modern form now writes instead of keeping the task faithful: a BashOperator's ``env`` and
``append_env`` (the run's environment as Airflow builds it: only ``env``, or the worker's updated by it), a
PythonOperator's ``provide_context`` (Airflow 1.10's flag: the call passes what the callable's parameters take),
and ``sla`` (the asset's freshness policy)."""

from __future__ import annotations

from pathlib import Path

from tests.unit.generated import answer_of, convert_modernized

DAG_FILE = """
import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator

SCRIPTS = os.path.join(os.path.dirname(__file__), "scripts")


def stamp(ds):
    return f"stamped {ds}"


with DAG("envs", schedule="@daily", start_date=datetime(2024, 1, 1), catchup=False):
    only = BashOperator(task_id="only_env", bash_command="echo $WHERE ${HOME:-unset}", env={"WHERE": "{{ ds }}"})
    appended = BashOperator(
        task_id="appended", bash_command="echo $SCRIPTS $PROBE", env={"SCRIPTS": SCRIPTS}, append_env=True
    )
    dated = PythonOperator(
        task_id="dated", python_callable=stamp, provide_context=True, sla=timedelta(hours=2)
    )
    only >> appended >> dated
"""

RUN = """
import json, os
import dagster as dg
from dagster_defs.dags import envs
os.environ["PROBE"] = "from-the-worker"
result = dg.materialize(envs.ASSETS, partition_key="2024-03-05")
dated = next(a for a in envs.ASSETS if a.key.path[-1] == "dated")
print(json.dumps({
    "only_env": result.output_for_node("envs__only_env"),
    "appended": result.output_for_node("envs__appended"),
    "dated": result.output_for_node("envs__dated"),
    "freshness": dated.specs_by_key[dated.key].freshness_policy.fail_window.to_timedelta().total_seconds(),
}))
"""


def test_env_provide_context_and_sla_are_written_modern(tmp_path: Path):
    dags = tmp_path / "airflow_dags"
    (dags / "scripts").mkdir(parents=True)
    (dags / "envs.py").write_text(DAG_FILE)
    defs = convert_modernized(dags, "envs.py", "envs")  # ruff-clean
    text = (defs / "dags" / "envs.py").read_text()
    assert "kept faithful" not in text and "task_context" not in text and "run_bash" not in text
    assert 'env = {"WHERE": context.partition_key}' in text
    assert 'env = {**os.environ, "SCRIPTS": dags_path("scripts")}' in text
    answer = answer_of(defs, RUN, env={"AIRFLOW_DAGS_FOLDER": str(dags)})
    assert answer["only_env"] == "2024-03-05 unset"  # env alone: not the worker's HOME
    assert answer["appended"] == f"{dags / 'scripts'} from-the-worker"  # appended to the worker's environment
    assert answer["dated"] == "stamped 2024-03-05"
    assert answer["freshness"] == 7200.0


DEFAULTS_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator


def stamp(ds):
    return f"stamped {ds}"


DEFAULTS = {"owner": "data", "catchup": False, "description": "put here by mistake"}

with DAG("defaults", schedule="@daily", start_date=datetime(2024, 1, 1), default_args=DEFAULTS, catchup=False):
    PythonOperator(task_id="plain", python_callable=stamp)

with DAG(
    "templated_defaults",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    default_args={"templates_dict": {"day": "{{ ds }}"}},
    catchup=False,
):
    PythonOperator(task_id="given", python_callable=stamp)
"""


def test_a_default_arg_no_operator_takes_keeps_no_task_faithful(tmp_path: Path):
    """Airflow passes a ``default_args`` key only to a parameter of the operator: ``catchup`` there never reached
    the task, so the task is modern; ``templates_dict`` did (a PythonOperator parameter), so it stays faithful."""
    dags = tmp_path / "airflow_dags"
    dags.mkdir()
    (dags / "defaults.py").write_text(DEFAULTS_DAG)
    defs = convert_modernized(dags, "defaults.py", "defaults", "templated_defaults")
    plain = (defs / "dags" / "defaults.py").read_text()
    assert "kept faithful" not in plain and "return logic.stamp(ds=context.partition_key)" in plain
    given = (defs / "dags" / "templated_defaults.py").read_text()
    assert "# kept faithful: arguments with no direct equivalent: templates_dict" in given
