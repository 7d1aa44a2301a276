from datetime import datetime

from airflow import DAG
from airflow.models import BaseOperator
from airflow.models.baseoperator import chain


class ChainOperator(BaseOperator):
    def __init__(self, linker, **kwargs):
        super().__init__(**kwargs)
        self.linker = linker

    def execute(self, context):
        return self.linker


with DAG("estate_operator_airflow_argument", schedule=None, start_date=datetime(2024, 1, 1)):
    ChainOperator(task_id="estate_operator_airflow_argument", linker=chain)
