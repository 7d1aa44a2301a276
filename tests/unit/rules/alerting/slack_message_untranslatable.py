from datetime import datetime

from airflow import DAG
from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator

with DAG("slack_message_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    SlackWebhookOperator(
        task_id="slack_message_untranslatable", slack_webhook_conn_id="team_hook", message=open("msg.txt").read()
    )
