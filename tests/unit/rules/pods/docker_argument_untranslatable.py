from datetime import datetime

from airflow import DAG
from airflow.providers.docker.operators.docker import DockerOperator

with DAG("docker_argument_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    DockerOperator(task_id="docker_argument_untranslatable", image="acme/convert:2", command=open("cmd.txt").read())
