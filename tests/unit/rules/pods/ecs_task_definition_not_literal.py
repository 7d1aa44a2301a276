from datetime import datetime

from airflow import DAG
from airflow.providers.amazon.aws.operators.ecs import EcsRunTaskOperator

with DAG("ecs_task_definition_not_literal", schedule=None, start_date=datetime(2024, 1, 1)):
    EcsRunTaskOperator(
        task_id="ecs_task_definition_not_literal", task_definition=open("task.txt").read(), cluster="batch"
    )
