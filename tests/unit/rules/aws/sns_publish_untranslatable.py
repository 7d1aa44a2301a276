from datetime import datetime

from airflow import DAG
from airflow.providers.amazon.aws.operators.sns import SnsPublishOperator

with DAG("sns_publish_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    SnsPublishOperator(task_id="sns_publish_untranslatable", target_arn="arn:aws:sns:eu-west-1:1:t", message=dag)
