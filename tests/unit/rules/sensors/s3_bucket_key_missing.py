from datetime import datetime

from airflow import DAG
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

with DAG("s3_bucket_key_missing", schedule=None, start_date=datetime(2024, 1, 1)):
    S3KeySensor(task_id="s3_bucket_key_missing", bucket_name="landing")
