from datetime import datetime

from airflow import DAG
from airflow.providers.http.operators.http import HttpOperator

with DAG("http_conn_id_not_literal", schedule=None, start_date=datetime(2024, 1, 1)):
    HttpOperator(task_id="http_conn_id_not_literal", http_conn_id=open("conn.txt").read(), endpoint="refresh")
