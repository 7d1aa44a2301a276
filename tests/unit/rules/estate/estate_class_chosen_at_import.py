import os
from datetime import datetime

from acme.messages import LogMessageOperator, SlackMessageOperator
from airflow import DAG

MessageOperator = LogMessageOperator if os.environ.get("ENV") == "dev" else SlackMessageOperator

with DAG("estate_class_chosen_at_import", schedule=None, start_date=datetime(2024, 1, 1)):
    MessageOperator(task_id="estate_class_chosen_at_import", text="loaded")
