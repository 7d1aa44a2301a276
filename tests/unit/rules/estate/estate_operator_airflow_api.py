from datetime import datetime

from airflow import DAG
from airflow.models import BaseOperator, DagRun


class CountRunsOperator(BaseOperator):
    def execute(self, context):
        return len(DagRun.find(dag_id="x"))


with DAG("estate_operator_airflow_api", schedule=None, start_date=datetime(2024, 1, 1)):
    CountRunsOperator(task_id="estate_operator_airflow_api")
