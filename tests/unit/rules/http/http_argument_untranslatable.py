from datetime import datetime

from airflow import DAG
from airflow.providers.http.operators.http import HttpOperator

with DAG("http_argument_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    HttpOperator(task_id="http_argument_untranslatable", http_conn_id="crm", data=open("payload.json").read())
