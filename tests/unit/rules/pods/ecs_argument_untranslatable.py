from datetime import datetime

from airflow import DAG
from airflow.providers.amazon.aws.operators.ecs import EcsRunTaskOperator

with DAG("ecs_argument_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    EcsRunTaskOperator(
        task_id="ecs_argument_untranslatable", task_definition="crunch:3", cluster=open("cluster.txt").read()
    )
