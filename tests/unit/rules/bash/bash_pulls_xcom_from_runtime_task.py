from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("bash_pulls_xcom_from_runtime_task", schedule=None, start_date=datetime(2024, 1, 1)):
    BashOperator(
        task_id="bash_pulls_xcom_from_runtime_task",
        bash_command="echo {{ ti.xcom_pull(task_ids=params.source) }}",
    )
