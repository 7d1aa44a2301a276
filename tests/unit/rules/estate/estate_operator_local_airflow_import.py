from datetime import datetime

from airflow import DAG
from estate_notify_ops import StageNoticeOperator

with DAG("estate_operator_local_airflow_import", schedule=None, start_date=datetime(2024, 1, 1)):
    StageNoticeOperator(task_id="estate_operator_local_airflow_import")
