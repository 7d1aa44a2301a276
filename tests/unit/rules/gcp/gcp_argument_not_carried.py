from datetime import datetime

from airflow import DAG
from airflow.providers.google.cloud.transfers.gcs_to_gcs import GCSToGCSOperator

with DAG("gcp_argument_not_carried", schedule=None, start_date=datetime(2024, 1, 1)):
    GCSToGCSOperator(
        task_id="gcp_argument_not_carried",
        source_bucket="staging",
        source_object="exports/",
        destination_bucket="public",
        is_older_than=3600,
    )
