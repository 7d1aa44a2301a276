from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("bash_argument_untranslatable", schedule=None, start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="bash_argument_untranslatable", bash_command="make all", cwd=open("cwd.txt").read())
