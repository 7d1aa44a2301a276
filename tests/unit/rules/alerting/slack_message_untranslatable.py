from datetime import datetime

from airflow import DAG
from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator
from settings_module import *  # noqa: F403  (its names are known only when Airflow runs the file)

with DAG("slack_message_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    SlackWebhookOperator(
        task_id="slack_message_untranslatable",
        slack_webhook_conn_id="team_hook",
        message=RUNTIME_SETTING,  # noqa: F405
    )
