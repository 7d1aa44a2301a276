"""The shop's dbt project (dbt/shop) run through cosmos: staging views and mart tables in DuckDB.

Runs after orders_daily has loaded the day; raw.customers is refreshed from the CRM first.
"""

import shutil
import sys
from datetime import datetime, timedelta
from pathlib import Path

from airflow import DAG
from airflow.operators.python import PythonOperator
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import LoadMode, TestBehavior
from include.sources import customers
from include.warehouse import connect

DBT_PROJECT = Path(__file__).resolve().parent / "dbt" / "shop"
# dbt is installed in the same virtual environment as Airflow.
DBT_EXECUTABLE = shutil.which("dbt") or str(Path(sys.executable).with_name("dbt"))


def load_customers():
    """Full refresh of raw.customers from the CRM export."""
    with connect() as con:
        con.execute("create schema if not exists raw")
        con.execute(
            """create or replace table raw.customers (
                customer_id integer, name varchar, segment varchar, country varchar, signed_up date)"""
        )
        con.executemany(
            "insert into raw.customers values (?, ?, ?, ?, ?)",
            [(c["customer_id"], c["name"], c["segment"], c["country"], c["signed_up"]) for c in customers()],
        )


with DAG(
    dag_id="shop_dbt",
    schedule="0 7 * * *",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args={
        "owner": "analytics-engineering",
        "retries": 1,
        "retry_delay": timedelta(minutes=5),
        "pool": "warehouse",
    },
    tags=["dbt", "analytics"],
) as dag:
    refresh_customers = PythonOperator(task_id="load_customers", python_callable=load_customers)

    transform = DbtTaskGroup(
        group_id="transform",
        project_config=ProjectConfig(DBT_PROJECT),
        profile_config=ProfileConfig(
            profile_name="shop", target_name="dev", profiles_yml_filepath=DBT_PROJECT / "profiles.yml"
        ),
        execution_config=ExecutionConfig(dbt_executable_path=DBT_EXECUTABLE),
        render_config=RenderConfig(load_method=LoadMode.DBT_LS, test_behavior=TestBehavior.AFTER_EACH),
        operator_args={"install_deps": False},
    )

    refresh_customers >> transform
