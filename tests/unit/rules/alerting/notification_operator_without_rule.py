from datetime import datetime

from airflow import DAG
from airflow.providers.discord.operators.discord_webhook import DiscordWebhookOperator

with DAG("notification_operator_without_rule", schedule=None, start_date=datetime(2024, 1, 1)):
    DiscordWebhookOperator(task_id="notification_operator_without_rule", http_conn_id="discord", message="done")
