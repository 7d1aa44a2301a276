from datetime import datetime

from acme.operators import ReportOperator
from airflow import DAG

with DAG("unknown_operator", schedule=None, start_date=datetime(2024, 1, 1)):
    ReportOperator(task_id="unknown_operator", report="weekly")
