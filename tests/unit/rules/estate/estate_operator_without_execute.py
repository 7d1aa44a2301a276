from datetime import datetime

from airflow import DAG
from airflow.models import BaseOperator


class NothingOperator(BaseOperator):
    ui_color = "#ffffff"


with DAG("estate_operator_without_execute", schedule=None, start_date=datetime(2024, 1, 1)):
    NothingOperator(task_id="estate_operator_without_execute")
