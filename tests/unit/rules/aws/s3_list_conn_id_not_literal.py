from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.providers.amazon.aws.operators.s3 import S3ListOperator

with DAG("s3_list_conn_id_not_literal", schedule=None, start_date=datetime(2024, 1, 1)):
    S3ListOperator(task_id="s3_list_conn_id_not_literal", bucket="drops", aws_conn_id=Variable.get("aws"))
