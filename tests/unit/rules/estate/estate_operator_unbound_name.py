import os
from datetime import datetime

from airflow import DAG
from airflow.models import BaseOperator

if os.environ.get("EXPORT_ROOT"):
    EXPORT_FOLDER = os.environ["EXPORT_ROOT"]  # bound in a block: the copy of the class cannot take it


class ExportOperator(BaseOperator):
    def execute(self, context):
        return EXPORT_FOLDER


with DAG("estate_operator_unbound_name", schedule=None, start_date=datetime(2024, 1, 1)):
    ExportOperator(task_id="estate_operator_unbound_name")
