from datetime import datetime

from airflow import DAG
from airflow.operators.email import EmailOperator
from team_settings import *  # noqa: F403

with DAG("email_argument_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    EmailOperator(task_id="email_argument_untranslatable", to=ON_CALL.split(","), subject="done")  # noqa: F405
