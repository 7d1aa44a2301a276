from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator


def load(rows):
    return rows


with DAG("callable_argument_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="callable_argument_untranslatable", python_callable=load, op_args=[open("rows.txt")])
