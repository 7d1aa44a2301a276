from datetime import datetime

from airflow import DAG
from airflow.providers.amazon.aws.operators.emr import EmrServerlessStartJobOperator

with DAG("emr_job_driver_missing", schedule=None, start_date=datetime(2024, 1, 1)):
    EmrServerlessStartJobOperator(task_id="emr_job_driver_missing", application_id="a", execution_role_arn="r")
