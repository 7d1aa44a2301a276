from datetime import datetime

from airflow import DAG
from airflow.providers.docker.operators.docker import DockerOperator

with DAG("docker_image_not_literal", schedule=None, start_date=datetime(2024, 1, 1)):
    DockerOperator(task_id="docker_image_not_literal", image=open("image.txt").read())
