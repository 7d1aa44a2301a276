from datetime import datetime

from airflow import DAG
from airflow.providers.sftp.operators.sftp import SFTPOperator

with DAG("sftp_dynamic_xcom", schedule=None, start_date=datetime(2024, 1, 1)):
    SFTPOperator(
        task_id="sftp_dynamic_xcom",
        ssh_conn_id="partner",
        local_filepath="{{ ti.xcom_pull(task_ids=params.source) }}",
        remote_filepath="/in/a.csv",
    )
