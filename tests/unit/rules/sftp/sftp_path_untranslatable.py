from datetime import datetime

from airflow import DAG
from airflow.providers.sftp.operators.sftp import SFTPOperator

with DAG("sftp_path_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    SFTPOperator(task_id="sftp_path_untranslatable", ssh_conn_id="partner", local_filepath=dag, remote_filepath="/in")
