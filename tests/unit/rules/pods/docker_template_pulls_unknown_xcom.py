from datetime import datetime

from airflow import DAG
from airflow.providers.docker.operators.docker import DockerOperator

with DAG("docker_template_pulls_unknown_xcom", schedule=None, start_date=datetime(2024, 1, 1)):
    DockerOperator(
        task_id="docker_template_pulls_unknown_xcom",
        image="acme/convert:2",
        command="convert {{ ti.xcom_pull(task_ids=params.source) }}",  # the task id is known only at run time
    )
