from datetime import datetime

from airflow import DAG
from airflow.operators.email import EmailOperator

with DAG("email_argument_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    EmailOperator(task_id="email_argument_untranslatable", to=open("team.txt").read(), subject="done")
