from datetime import datetime

from airflow import DAG
from airflow.providers.common.sql.operators.sql import SQLTableCheckOperator

with DAG("table_check_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    SQLTableCheckOperator(
        task_id="table_check_untranslatable",
        conn_id="warehouse",
        table="orders",
        checks={"row_count": {"check_statement": dag}},
    )
