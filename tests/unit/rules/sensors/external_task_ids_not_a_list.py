from datetime import datetime

from airflow import DAG
from airflow.sensors.external_task import ExternalTaskSensor

with DAG("external_task_ids_not_a_list", schedule="@daily", start_date=datetime(2024, 1, 1)):
    ExternalTaskSensor(
        task_id="external_task_ids_not_a_list", external_dag_id="upstream", external_task_ids=open("ids").read()
    )
