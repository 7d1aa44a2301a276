from datetime import datetime

from airflow import DAG
from airflow.models import BaseOperator


class ExportOperator(BaseOperator):
    def execute(self, context):
        return EXPORT_FOLDER  # noqa: F821 - the name nothing binds is the point


with DAG("estate_operator_unbound_name", schedule=None, start_date=datetime(2024, 1, 1)):
    ExportOperator(task_id="estate_operator_unbound_name")
