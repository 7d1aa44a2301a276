from datetime import datetime

from airflow import DAG
from airflow.providers.airbyte.operators.airbyte import AirbyteTriggerSyncOperator

with DAG("airbyte_sync_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    AirbyteTriggerSyncOperator(task_id="airbyte_sync_untranslatable", connection_id="c1", timeout=dag)
