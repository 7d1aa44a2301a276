from datetime import datetime

from airflow import DAG
from airflow.providers.amazon.aws.operators.emr import EmrServerlessStartJobOperator

with DAG("emr_dynamic_xcom", schedule=None, start_date=datetime(2024, 1, 1)):
    EmrServerlessStartJobOperator(
        task_id="emr_dynamic_xcom",
        application_id="{{ ti.xcom_pull(task_ids=params.app) }}",
        execution_role_arn="r",
        job_driver={"sparkSubmit": {"entryPoint": "s3://b/x.py"}},
    )
