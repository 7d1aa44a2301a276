from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator
from settings_module import *  # noqa: F403  (its names are known only when Airflow runs the file)


def load(rows):
    return rows


with DAG("callable_argument_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="callable_argument_untranslatable", python_callable=load, op_args=[RUNTIME_SETTING])  # noqa: F405
