from datetime import datetime

from airflow import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from settings_module import *  # noqa: F403  (its names are known only when Airflow runs the file)

with DAG("sql_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    SQLExecuteQueryOperator(task_id="sql_untranslatable", conn_id="warehouse", sql=RUNTIME_SETTING)  # noqa: F405
