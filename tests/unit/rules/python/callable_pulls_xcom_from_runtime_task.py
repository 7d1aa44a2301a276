from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator


def read(ti, params, **kwargs):
    return ti.xcom_pull(task_ids=params["source"])


with DAG("callable_pulls_xcom_from_runtime_task", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="callable_pulls_xcom_from_runtime_task", python_callable=read)
