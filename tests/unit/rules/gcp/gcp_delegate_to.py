from datetime import datetime

from airflow import DAG
from airflow.providers.google.cloud.transfers.gcs_to_gcs import GCSToGCSOperator

with DAG("gcp_delegate_to", schedule=None, start_date=datetime(2024, 1, 1)):
    GCSToGCSOperator(
        task_id="gcp_delegate_to",
        source_bucket="staging",
        source_object="a.csv",
        destination_bucket="public",
        delegate_to="admin@example.com",
    )
