"""Refreshes the revenue dashboard's table whenever orders_daily publishes mart.daily_revenue."""

from datetime import datetime

from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import PythonOperator

try:  # Airflow 3 renamed datasets to assets
    from airflow.sdk import Asset as Dataset
except ImportError:
    from airflow.datasets import Dataset

from include.warehouse import connect


def refresh_dashboard():
    with connect() as con:
        con.execute("create schema if not exists reporting")
        con.execute(
            """create or replace table reporting.revenue_by_store as
               select store_id, count(distinct ds) as days, sum(orders) as orders, sum(revenue_eur) as revenue_eur
               from mart.daily_revenue group by store_id order by store_id"""
        )


with DAG(
    dag_id="revenue_dashboard",
    schedule=[Dataset("duckdb://warehouse/mart/daily_revenue")],
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args={"owner": "bi-team", "pool": "warehouse"},
    tags=["bi"],
) as dag:
    refresh = PythonOperator(task_id="refresh_revenue_by_store", python_callable=refresh_dashboard)
    published = EmptyOperator(task_id="published")
    refresh >> published
