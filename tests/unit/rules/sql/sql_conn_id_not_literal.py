from datetime import datetime

from airflow import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from settings_module import *  # noqa: F403  (its names are known only when Airflow runs the file)

with DAG("sql_conn_id_not_literal", schedule=None, start_date=datetime(2024, 1, 1)):
    SQLExecuteQueryOperator(task_id="sql_conn_id_not_literal", conn_id=WAREHOUSE_CONN, sql="select 1")  # noqa: F405
