from datetime import datetime

from airflow import DAG
from airflow.operators.subdag import SubDagOperator
from factories import build_section

with DAG("subdag", schedule=None, start_date=datetime(2024, 1, 1)):
    SubDagOperator(task_id="subdag", subdag=build_section("subdag.section"))
