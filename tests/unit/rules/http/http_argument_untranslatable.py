from datetime import datetime

from airflow import DAG
from airflow.providers.http.operators.http import HttpOperator
from settings_module import *  # noqa: F403  (its names are known only when Airflow runs the file)

with DAG("http_argument_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    HttpOperator(task_id="http_argument_untranslatable", http_conn_id="crm", data=RUNTIME_SETTING)  # noqa: F405
