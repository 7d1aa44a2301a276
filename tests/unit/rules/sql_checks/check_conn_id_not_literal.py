from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.providers.common.sql.operators.sql import SQLCheckOperator

with DAG("check_conn_id_not_literal", schedule=None, start_date=datetime(2024, 1, 1)):
    SQLCheckOperator(task_id="check_conn_id_not_literal", conn_id=Variable.get("warehouse"), sql="select 1")
