from datetime import datetime

from airflow import DAG
from airflow.sensors.filesystem import FileSensor

with DAG("file_sensor_path_missing", schedule=None, start_date=datetime(2024, 1, 1)):
    FileSensor(task_id="file_sensor_path_missing", fs_conn_id="landing")
