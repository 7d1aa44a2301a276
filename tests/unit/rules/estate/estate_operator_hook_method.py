from datetime import datetime

from airflow import DAG
from airflow.models import BaseOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook


class VacuumOperator(BaseOperator):
    def execute(self, context):
        PostgresHook(postgres_conn_id="warehouse").vacuum_everything()


with DAG("estate_operator_hook_method", schedule=None, start_date=datetime(2024, 1, 1)):
    VacuumOperator(task_id="estate_operator_hook_method")
