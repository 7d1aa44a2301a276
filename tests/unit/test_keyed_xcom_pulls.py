"""A pull of an XCom pushed under its own key (``xcom_pull(task_ids="pick", key="run_id")``) has no Dagster
equivalent: an asset's value is its task's return value and nothing else reaches a downstream asset, so the
generated pull would raise ``XComNotFound`` where Airflow's returns the value. Such a task stays in Airflow, whatever
rule would translate it, with a reason naming the pull; pulls of the return value (with or without ``key=``) and of
the task's own pushes translate as before."""

from __future__ import annotations

import textwrap

from converters.flow import scan_and_plan

DAG_FILE = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator
from airflow.providers.ssh.operators.ssh import SSHOperator


def pick(ti):
    ti.xcom_push(key="run_id", value="r1")
    return "day"


def uses_key(ti):
    return ti.xcom_pull(task_ids="pick", key="run_id")


def uses_return(ti):
    return ti.xcom_pull(task_ids="pick", key="return_value")


def uses_own(ti):
    ti.xcom_push(key="mine", value=1)
    return ti.xcom_pull(task_ids="own", key="mine")


with DAG("keyed", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="pick", python_callable=pick)
    PythonOperator(task_id="by_key", python_callable=uses_key)
    PythonOperator(task_id="by_return", python_callable=uses_return)
    PythonOperator(task_id="own", python_callable=uses_own)
    BashOperator(task_id="bash_key", bash_command="echo {{ ti.xcom_pull(task_ids='pick', key='run_id') }}")
    BashOperator(task_id="bash_return", bash_command="echo {{ ti.xcom_pull(task_ids='pick') }}")
    SSHOperator(
        task_id="ssh_key",
        ssh_conn_id="batch_host",
        command="copy-run {{ ti.xcom_pull(task_ids='pick', key='run_id') }}",
    )
"""


def _tasks(tmp_path) -> dict:
    (tmp_path / "keyed.py").write_text(textwrap.dedent(DAG_FILE))
    planned = scan_and_plan(tmp_path, use_cache=False, read_migration_state=False)
    return {t.task.task_id: t for d in planned.plan.dags for t in d.tasks}


def test_a_pull_under_another_tasks_own_key_stays_in_airflow_naming_it(tmp_path):
    tasks = _tasks(tmp_path)
    assert tasks["by_key"].disposition == "NONE"
    assert "XCom 'run_id' of 'pick'" in tasks["by_key"].translation.reason
    for task_id in ("bash_key", "ssh_key"):  # templates: whatever rule translates the operator
        assert tasks[task_id].disposition == "NONE", task_id
        assert "'run_id'" in tasks[task_id].translation.reason
        assert "no asset passes on" in tasks[task_id].translation.reason


def test_pulls_of_the_return_value_and_of_the_tasks_own_pushes_translate(tmp_path):
    tasks = _tasks(tmp_path)
    for task_id in ("pick", "by_return", "own", "bash_return"):
        assert tasks[task_id].disposition != "NONE", (task_id, tasks[task_id].translation.reason)
    assert "pick" in tasks["by_return"].translation.inputs
