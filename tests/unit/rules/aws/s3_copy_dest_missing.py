from datetime import datetime

from airflow import DAG
from airflow.providers.amazon.aws.operators.s3 import S3CopyObjectOperator

with DAG("s3_copy_dest_missing", schedule=None, start_date=datetime(2024, 1, 1)):
    S3CopyObjectOperator(task_id="s3_copy_dest_missing", source_bucket_key="s3://a/b.csv")
