from datetime import datetime

from airflow import DAG
from estate_block_ops import ArchiveOperator

with DAG("estate_operator_not_copied", schedule=None, start_date=datetime(2024, 1, 1)):
    ArchiveOperator(task_id="estate_operator_not_copied", folder="/archive")
