from datetime import datetime

from airflow import DAG
from airflow.operators.trigger_dagrun import TriggerDagRunOperator

with DAG("trigger_dag_id_not_literal", schedule=None, start_date=datetime(2024, 1, 1)):
    TriggerDagRunOperator(task_id="trigger_dag_id_not_literal", trigger_dag_id=open("dag.txt").read())
