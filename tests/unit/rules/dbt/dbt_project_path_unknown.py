from datetime import datetime

from airflow import DAG
from cosmos import DbtTaskGroup, ProjectConfig

with DAG("dbt_project_path_unknown", schedule=None, start_date=datetime(2024, 1, 1)):
    DbtTaskGroup(group_id="dbt_project_path_unknown", project_config=ProjectConfig(open("project.txt").read()))
