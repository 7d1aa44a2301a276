from datetime import datetime

from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from settings_module import *  # noqa: F403  (its names are known only when Airflow runs the file)

with DAG("pod_image_not_literal", schedule=None, start_date=datetime(2024, 1, 1)):
    KubernetesPodOperator(task_id="pod_image_not_literal", image=RUNTIME_SETTING)  # noqa: F405
