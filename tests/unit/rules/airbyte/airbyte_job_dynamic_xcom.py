from datetime import datetime

from airflow import DAG
from airflow.providers.airbyte.sensors.airbyte import AirbyteJobSensor

with DAG("airbyte_job_dynamic_xcom", schedule=None, start_date=datetime(2024, 1, 1)):
    AirbyteJobSensor(task_id="airbyte_job_dynamic_xcom", airbyte_job_id="{{ ti.xcom_pull(task_ids=params.sync) }}")
