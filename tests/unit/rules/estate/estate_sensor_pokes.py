from datetime import datetime
from pathlib import Path

from airflow import DAG
from airflow.sensors.base import BaseSensorOperator


class MarkerSensor(BaseSensorOperator):
    def __init__(self, marker, **kwargs):
        super().__init__(**kwargs)
        self.marker = marker

    def poke(self, context):
        return Path(self.marker).exists()


with DAG("estate_sensor_pokes", schedule=None, start_date=datetime(2024, 1, 1)):
    MarkerSensor(task_id="estate_sensor_pokes", marker="/data/ready")
