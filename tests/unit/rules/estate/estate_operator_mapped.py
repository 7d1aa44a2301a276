from datetime import datetime

from airflow import DAG
from airflow.models import BaseOperator


class ExportOperator(BaseOperator):
    def __init__(self, table, **kwargs):
        super().__init__(**kwargs)
        self.table = table

    def execute(self, context):
        return self.table


with DAG("estate_operator_mapped", schedule=None, start_date=datetime(2024, 1, 1)):
    ExportOperator.partial(task_id="estate_operator_mapped").expand(table=["orders", "customers"])
