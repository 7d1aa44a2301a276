from datetime import datetime

from airflow import DAG
from airflow.providers.http.sensors.http import HttpSensor
from settings_module import *  # noqa: F403  (its names are known only when Airflow runs the file)

with DAG("http_sensor_argument_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    HttpSensor(task_id="http_sensor_argument_untranslatable", http_conn_id="crm", endpoint=RUNTIME_SETTING)  # noqa: F405
