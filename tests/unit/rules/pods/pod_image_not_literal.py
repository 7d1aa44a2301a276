from datetime import datetime

from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

with DAG("pod_image_not_literal", schedule=None, start_date=datetime(2024, 1, 1)):
    KubernetesPodOperator(task_id="pod_image_not_literal", image=open("image.txt").read())
