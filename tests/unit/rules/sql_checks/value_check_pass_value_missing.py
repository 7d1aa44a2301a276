from datetime import datetime

from airflow import DAG
from airflow.operators.check_operator import ValueCheckOperator

with DAG("value_check_pass_value_missing", schedule=None, start_date=datetime(2024, 1, 1)):
    ValueCheckOperator(task_id="value_check_pass_value_missing", conn_id="warehouse", sql="select count(*) from t")
