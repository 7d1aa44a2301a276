from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.providers.slack.operators.slack import SlackAPIPostOperator

with DAG("slack_post_conn_id_not_literal", schedule=None, start_date=datetime(2024, 1, 1)):
    SlackAPIPostOperator(task_id="slack_post_conn_id_not_literal", slack_conn_id=Variable.get("slack"), text="hi")
