from datetime import datetime

from airflow import DAG
from airflow.providers.airbyte.sensors.airbyte import AirbyteJobSensor

with DAG("airbyte_job_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    AirbyteJobSensor(task_id="airbyte_job_untranslatable", airbyte_job_id="1", api_version=dag)
