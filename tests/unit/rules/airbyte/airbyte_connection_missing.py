from datetime import datetime

from airflow import DAG
from airflow.providers.airbyte.operators.airbyte import AirbyteTriggerSyncOperator

with DAG("airbyte_connection_missing", schedule=None, start_date=datetime(2024, 1, 1)):
    AirbyteTriggerSyncOperator(task_id="airbyte_connection_missing", airbyte_conn_id="airbyte")
