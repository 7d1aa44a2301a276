from datetime import datetime

from airflow import DAG
from airflow.models import DagRun
from airflow.operators.python import PythonOperator


def count_runs():
    return len(DagRun.find(dag_id="shop"))


with DAG("callable_calls_unsupported_airflow_api", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="callable_calls_unsupported_airflow_api", python_callable=count_runs)
