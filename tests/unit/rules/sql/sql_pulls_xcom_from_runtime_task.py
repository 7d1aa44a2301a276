from datetime import datetime

from airflow import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator

with DAG("sql_pulls_xcom_from_runtime_task", schedule=None, start_date=datetime(2024, 1, 1)):
    SQLExecuteQueryOperator(
        task_id="sql_pulls_xcom_from_runtime_task",
        conn_id="warehouse",
        sql="select * from {{ ti.xcom_pull(task_ids=params.source) }}",
    )
