from datetime import datetime

from airflow import DAG
from airflow.providers.ssh.operators.ssh import SSHOperator

with DAG("ssh_command_missing", schedule=None, start_date=datetime(2024, 1, 1)):
    SSHOperator(task_id="ssh_command_missing", ssh_conn_id="batch_host")
