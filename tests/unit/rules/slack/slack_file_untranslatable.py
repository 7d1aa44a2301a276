from datetime import datetime

from airflow import DAG
from airflow.providers.slack.operators.slack import SlackAPIFileOperator

with DAG("slack_file_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    SlackAPIFileOperator(task_id="slack_file_untranslatable", slack_conn_id="bot", channels="#x", filename=dag)
