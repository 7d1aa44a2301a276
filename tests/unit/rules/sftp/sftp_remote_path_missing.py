from datetime import datetime

from airflow import DAG
from airflow.providers.sftp.operators.sftp import SFTPOperator

with DAG("sftp_remote_path_missing", schedule=None, start_date=datetime(2024, 1, 1)):
    SFTPOperator(task_id="sftp_remote_path_missing", ssh_conn_id="partner", local_filepath="/tmp/a.csv")
