from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator


def extract():
    return client.fetch()  # noqa: F821 - bound nowhere in this file


with DAG("callable_uses_undefined_names", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="callable_uses_undefined_names", python_callable=extract)
