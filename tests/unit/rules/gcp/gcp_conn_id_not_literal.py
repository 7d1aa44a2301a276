from datetime import datetime

from airflow import DAG
from airflow.providers.google.cloud.transfers.gcs_to_bigquery import GCSToBigQueryOperator
from settings_module import *  # noqa: F403  (its names are known only when Airflow runs the file)

with DAG("gcp_conn_id_not_literal", schedule=None, start_date=datetime(2024, 1, 1)):
    GCSToBigQueryOperator(
        task_id="gcp_conn_id_not_literal",
        bucket="landing",
        source_objects=["a.csv"],
        destination_project_dataset_table="sales.orders",
        gcp_conn_id=CONNECTION,  # noqa: F405
    )
