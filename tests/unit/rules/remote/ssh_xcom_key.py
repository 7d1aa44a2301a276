from datetime import datetime

from airflow import DAG
from airflow.providers.ssh.operators.ssh import SSHOperator

with DAG("ssh_xcom_key", schedule=None, start_date=datetime(2024, 1, 1)):
    SSHOperator(
        task_id="ssh_xcom_key",
        ssh_conn_id="batch_host",
        command="copy-run {{ ti.xcom_pull(task_ids='pick_run', key='run_id') }}",
    )
