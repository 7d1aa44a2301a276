from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("bash_command_missing", schedule=None, start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="bash_command_missing")
