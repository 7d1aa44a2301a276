from datetime import datetime

from airflow import DAG
from airflow.providers.google.cloud.transfers.gcs_to_bigquery import GCSToBigQueryOperator

with DAG("bigquery_external_table", schedule=None, start_date=datetime(2024, 1, 1)):
    GCSToBigQueryOperator(
        task_id="bigquery_external_table",
        bucket="landing",
        source_objects=["orders/*.parquet"],
        source_format="PARQUET",
        destination_project_dataset_table="sales.orders_external",
        external_table=True,
    )
