from datetime import datetime

from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.cncf.kubernetes.secret import Secret

with DAG("pod_secrets_not_carried", schedule=None, start_date=datetime(2024, 1, 1)):
    KubernetesPodOperator(
        task_id="pod_secrets_not_carried", image="acme/score:1", secrets=[Secret("env", "TOKEN", "s", "token")]
    )
