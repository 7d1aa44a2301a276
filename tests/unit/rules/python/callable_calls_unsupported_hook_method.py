from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook


def watermark():
    hook = PostgresHook(postgres_conn_id="warehouse")
    latest = hook.get_first("select max(updated_at) from orders")[0]
    hook.get_conn().notices.clear()
    Variable.set("orders_watermark", str(latest))
    return PostgresHook.get_ui_field_behaviour()


with DAG("callable_calls_unsupported_hook_method", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="callable_calls_unsupported_hook_method", python_callable=watermark)
