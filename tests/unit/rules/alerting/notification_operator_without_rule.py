from datetime import datetime

from airflow import DAG
from airflow.providers.slack.operators.slack import SlackAPIPostOperator


class OpsNotice(SlackAPIPostOperator):
    pass


with DAG("notification_operator_without_rule", schedule=None, start_date=datetime(2024, 1, 1)):
    OpsNotice(task_id="notification_operator_without_rule", channel="#ops", text="done")
