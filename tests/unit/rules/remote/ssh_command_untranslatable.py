from datetime import datetime

from airflow import DAG
from airflow.providers.ssh.operators.ssh import SSHOperator
from settings_module import *  # noqa: F403  (its names are known only when Airflow runs the file)

with DAG("ssh_command_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    SSHOperator(task_id="ssh_command_untranslatable", ssh_conn_id="batch_host", command=RUNTIME_SETTING)  # noqa: F405
