from datetime import datetime

from airflow import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator

with DAG("sql_conn_id_not_literal", schedule=None, start_date=datetime(2024, 1, 1)):
    SQLExecuteQueryOperator(task_id="sql_conn_id_not_literal", conn_id=open("conn.txt").read(), sql="select 1")
