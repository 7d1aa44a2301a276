from datetime import datetime

from airflow import DAG
from airflow.providers.ssh.operators.ssh import SSHOperator

with DAG("ssh_dynamic_xcom", schedule=None, start_date=datetime(2024, 1, 1)):
    SSHOperator(
        task_id="ssh_dynamic_xcom",
        ssh_conn_id="batch_host",
        command="run-job {{ ti.xcom_pull(task_ids=params.upstream) }}",
        params={"upstream": "pick_job"},
    )
