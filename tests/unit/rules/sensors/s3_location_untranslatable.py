from datetime import datetime

from airflow import DAG
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
from settings_module import *  # noqa: F403  (its names are known only when Airflow runs the file)

with DAG("s3_location_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    S3KeySensor(task_id="s3_location_untranslatable", bucket_key="in/data.csv", bucket_name=RUNTIME_SETTING)  # noqa: F405
