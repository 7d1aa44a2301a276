from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from settings_module import *  # noqa: F403  (its names are known only when Airflow runs the file)

with DAG("bash_argument_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="bash_argument_untranslatable", bash_command="make all", cwd=RUNTIME_SETTING)  # noqa: F405
