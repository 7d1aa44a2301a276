from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.providers.ssh.hooks.ssh import SSHHook
from airflow.providers.ssh.operators.ssh import SSHOperator

gateway = SSHHook(remote_host=Variable.get("gateway_host"), ciphers=["aes256-ctr"])

with DAG("ssh_hook_keyword_unhonoured", schedule=None, start_date=datetime(2024, 1, 1)):
    SSHOperator(task_id="ssh_hook_keyword_unhonoured", ssh_hook=gateway, command="uptime")
