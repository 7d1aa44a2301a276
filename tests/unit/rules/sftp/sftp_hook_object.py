from datetime import datetime

from airflow import DAG
from airflow.providers.sftp.hooks.sftp import SFTPHook
from airflow.providers.sftp.operators.sftp import SFTPOperator

with DAG("sftp_hook_object", schedule=None, start_date=datetime(2024, 1, 1)):
    SFTPOperator(
        task_id="sftp_hook_object",
        sftp_hook=SFTPHook(ssh_conn_id="partner"),
        local_filepath="/tmp/a.csv",
        remote_filepath="/in/a.csv",
    )
