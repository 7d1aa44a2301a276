from datetime import datetime

from airflow import DAG
from airflow.providers.docker.operators.docker import DockerOperator
from settings_module import *  # noqa: F403  (its names are known only when Airflow runs the file)

with DAG("docker_image_not_literal", schedule=None, start_date=datetime(2024, 1, 1)):
    DockerOperator(task_id="docker_image_not_literal", image=RUNTIME_SETTING)  # noqa: F405
