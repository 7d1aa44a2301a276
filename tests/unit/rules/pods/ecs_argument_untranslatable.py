from datetime import datetime

from airflow import DAG
from airflow.providers.amazon.aws.operators.ecs import EcsRunTaskOperator
from settings_module import *  # noqa: F403  (its names are known only when Airflow runs the file)

with DAG("ecs_argument_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    EcsRunTaskOperator(
        task_id="ecs_argument_untranslatable",
        task_definition="crunch:3",
        cluster=RUNTIME_SETTING,  # noqa: F405
    )
