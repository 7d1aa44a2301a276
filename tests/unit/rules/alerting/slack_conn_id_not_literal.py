from datetime import datetime

from airflow import DAG
from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator

with DAG("slack_conn_id_not_literal", schedule=None, start_date=datetime(2024, 1, 1)):
    SlackWebhookOperator(
        task_id="slack_conn_id_not_literal", slack_webhook_conn_id=open("hook.txt").read(), message="done"
    )
