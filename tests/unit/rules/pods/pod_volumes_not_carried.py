from datetime import datetime

from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from kubernetes.client import models as k8s
from volume_catalogue import claim_for

with DAG("pod_volumes_not_carried", schedule=None, start_date=datetime(2024, 1, 1)):
    KubernetesPodOperator(
        task_id="pod_volumes_not_carried",
        image="acme/score:1",
        volumes=[k8s.V1Volume(name="data", persistent_volume_claim=claim_for("score"))],
    )
