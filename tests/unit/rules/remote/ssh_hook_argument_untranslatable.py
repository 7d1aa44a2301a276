from datetime import datetime

from airflow import DAG
from airflow.providers.ssh.hooks.ssh import SSHHook
from airflow.providers.ssh.operators.ssh import SSHOperator
from settings_module import *  # noqa: F403  (its names are known only when Airflow runs the file)

with DAG("ssh_hook_argument_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    SSHOperator(
        task_id="ssh_hook_argument_untranslatable",
        ssh_hook=SSHHook(remote_host="login.example", key_file=KEY_PATH),  # noqa: F405
        command="uptime",
    )
