from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.providers.slack.operators.slack import SlackAPIFileOperator

with DAG("slack_file_conn_id_not_literal", schedule=None, start_date=datetime(2024, 1, 1)):
    SlackAPIFileOperator(
        task_id="slack_file_conn_id_not_literal", slack_conn_id=Variable.get("slack"), channels="#x", content="a"
    )
