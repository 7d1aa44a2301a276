from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator
from settings_module import *  # noqa: F403  (its names are known only when Airflow runs the file)

with DAG("callable_not_copyable", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="callable_not_copyable", python_callable=CALLABLES["extract"])  # noqa: F405
