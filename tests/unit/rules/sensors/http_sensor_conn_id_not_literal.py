from datetime import datetime

from airflow import DAG
from airflow.providers.http.sensors.http import HttpSensor

with DAG("http_sensor_conn_id_not_literal", schedule=None, start_date=datetime(2024, 1, 1)):
    HttpSensor(task_id="http_sensor_conn_id_not_literal", http_conn_id=open("conn.txt").read(), endpoint="health")
