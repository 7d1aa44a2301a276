from datetime import datetime

from airflow import DAG
from airflow.models import BaseOperator


class PullOperator(BaseOperator):
    def execute(self, context):
        return context["ti"].xcom_pull(task_ids="extract")


with DAG("estate_operator_pulls_xcom", schedule=None, start_date=datetime(2024, 1, 1)):
    PullOperator(task_id="estate_operator_pulls_xcom")
