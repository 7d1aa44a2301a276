from datetime import datetime

from airflow import DAG
from airflow.providers.google.cloud.operators.cloud_storage_transfer_service import (
    CloudDataTransferServiceGCSToGCSOperator,
)

with DAG("gcp_storage_transfer", schedule=None, start_date=datetime(2024, 1, 1)):
    CloudDataTransferServiceGCSToGCSOperator(
        task_id="gcp_storage_transfer",
        project_id="analytics",
        source_bucket="raw",
        destination_bucket="mirror",
        transfer_options={"overwriteWhen": "DIFFERENT"},
    )
