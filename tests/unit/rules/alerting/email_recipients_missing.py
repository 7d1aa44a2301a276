from datetime import datetime

from airflow import DAG
from airflow.operators.email import EmailOperator

with DAG("email_recipients_missing", schedule=None, start_date=datetime(2024, 1, 1)):
    EmailOperator(task_id="email_recipients_missing", subject="done", html_content="ok")
