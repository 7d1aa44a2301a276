from datetime import datetime

from airflow import DAG
from airflow.models import BaseOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook


class DropTableOperator(BaseOperator):
    template_fields = ("table",)

    def __init__(self, table, postgres_conn_id="warehouse", **kwargs):
        super().__init__(**kwargs)
        self.table = table
        self.postgres_conn_id = postgres_conn_id

    def execute(self, context):
        PostgresHook(postgres_conn_id=self.postgres_conn_id).run(f"DROP TABLE IF EXISTS {self.table}")


with DAG("estate_operator_own_execute", schedule=None, start_date=datetime(2024, 1, 1)):
    DropTableOperator(task_id="estate_operator_own_execute", table="staging.orders")
