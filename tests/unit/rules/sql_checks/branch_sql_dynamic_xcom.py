from datetime import datetime

from airflow import DAG
from airflow.operators.sql import BranchSQLOperator

with DAG("branch_sql_dynamic_xcom", schedule=None, start_date=datetime(2024, 1, 1)):
    BranchSQLOperator(
        task_id="branch_sql_dynamic_xcom",
        conn_id="warehouse",
        sql="select {{ ti.xcom_pull(task_ids=params.source) }} > 0",
        follow_task_ids_if_true=["a"],
        follow_task_ids_if_false=["b"],
    )
