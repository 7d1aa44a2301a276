from datetime import datetime

from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

with DAG("pod_env_vars_not_a_dict", schedule=None, start_date=datetime(2024, 1, 1)):
    KubernetesPodOperator(task_id="pod_env_vars_not_a_dict", image="acme/score:1", env_vars=["MODE=full"])
