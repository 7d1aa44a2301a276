from datetime import datetime

from airflow import DAG
from airflow.sensors.filesystem import FileSensor
from settings_module import *  # noqa: F403  (its names are known only when Airflow runs the file)

with DAG("file_sensor_path_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    FileSensor(task_id="file_sensor_path_untranslatable", fs_conn_id="landing", filepath=RUNTIME_SETTING)  # noqa: F405
