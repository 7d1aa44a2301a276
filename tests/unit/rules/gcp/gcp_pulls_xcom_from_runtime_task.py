from datetime import datetime

from airflow import DAG
from airflow.providers.google.cloud.operators.kubernetes_engine import GKEDeleteClusterOperator

with DAG("gcp_pulls_xcom_from_runtime_task", schedule=None, start_date=datetime(2024, 1, 1)):
    GKEDeleteClusterOperator(
        task_id="gcp_pulls_xcom_from_runtime_task",
        project_id="analytics",
        location="europe-west1",
        name="{{ ti.xcom_pull(task_ids=params.creator) }}",
    )
