from datetime import datetime

from airflow import DAG
from airflow.providers.amazon.aws.operators.sqs import SqsPublishOperator

with DAG("sqs_publish_dynamic_xcom", schedule=None, start_date=datetime(2024, 1, 1)):
    SqsPublishOperator(
        task_id="sqs_publish_dynamic_xcom",
        sqs_queue="https://sqs.eu-west-1.amazonaws.com/1/q",
        message_content="{{ ti.xcom_pull(task_ids=params.producer) }}",
    )
