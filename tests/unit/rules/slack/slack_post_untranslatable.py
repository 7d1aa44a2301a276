from datetime import datetime

from airflow import DAG
from airflow.providers.slack.operators.slack import SlackAPIPostOperator

with DAG("slack_post_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    SlackAPIPostOperator(task_id="slack_post_untranslatable", slack_conn_id="bot", text=dag)
