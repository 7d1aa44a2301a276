from datetime import datetime

from airflow import DAG
from airflow.providers.postgres.operators.postgres import PostgresOperator

with DAG("sql_missing", schedule=None, start_date=datetime(2024, 1, 1)):
    PostgresOperator(task_id="sql_missing", postgres_conn_id="warehouse")
