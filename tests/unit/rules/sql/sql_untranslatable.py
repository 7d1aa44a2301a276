from datetime import datetime

from airflow import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator

with DAG("sql_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    SQLExecuteQueryOperator(task_id="sql_untranslatable", conn_id="warehouse", sql=open("query.sql").read())
