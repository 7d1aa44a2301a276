from datetime import datetime

from airflow import DAG
from airflow.models import BaseOperator


class PushOperator(BaseOperator):
    def execute(self, context):
        self.xcom_push(context, key="rows", value=1)


with DAG("estate_operator_base_member", schedule=None, start_date=datetime(2024, 1, 1)):
    PushOperator(task_id="estate_operator_base_member")
