from datetime import datetime

from airflow import DAG
from airflow.providers.amazon.aws.sensors.sqs import SqsSensor

with DAG("sqs_sensor_message_filtering", schedule=None, start_date=datetime(2024, 1, 1)):
    SqsSensor(
        task_id="sqs_sensor_message_filtering",
        sqs_queue="https://sqs.eu-west-1.amazonaws.com/1/q",
        message_filtering="literal",
        message_filtering_match_values=["ok"],
        message_filtering_config="kind",
    )
