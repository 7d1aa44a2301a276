from datetime import datetime

from airflow import DAG
from airflow.providers.google.cloud.transfers.gcs_to_gcs import GCSToGCSOperator
from settings_module import *  # noqa: F403  (its names are known only when Airflow runs the file)

with DAG("gcp_argument_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    GCSToGCSOperator(
        task_id="gcp_argument_untranslatable",
        source_bucket=RUNTIME_BUCKET,  # noqa: F405
        source_object="a.csv",
        destination_bucket="public",
    )
