"""Supplier feeds: the procurement team's daily load, built on their own operator classes and a provider check.

No native translation exists for these operators: with `convert --lift` Dagster runs them with Airflow's own
code (LIFT), which lets this DAG leave Airflow for good (the demo decommissions it).
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.python import PythonOperator
from include.sources import SUPPLIERS
from include.supplier_operators import RowCountCheckOperator, SupplierFeedOperator
from include.warehouse import replace_partition


def expected_suppliers(ds):
    """The suppliers due to deliver on ``ds``: all of them but one, in turn."""
    day = datetime.strptime(ds, "%Y-%m-%d").toordinal()
    return [s for n, s in enumerate(SUPPLIERS) if n != day % len(SUPPLIERS)]


def record_feed_summary(ds, **context):
    feed = context["ti"].xcom_pull(task_ids="land_deliveries")
    columns = {"ds": "date", "lines": "integer", "units": "integer"}
    replace_partition("mart.supplier_feed_summary", columns, ds, [(ds, feed["lines"], feed["units"])])


with DAG(
    "supplier_feeds",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    # Its tasks run in the warehouse pool (one slot): DuckDB lets one process at a time hold the file.
    default_args={"owner": "procurement", "retries": 1, "retry_delay": timedelta(minutes=2), "pool": "warehouse"},
    tags=["procurement"],
):
    manifest = PythonOperator(task_id="fetch_manifest", python_callable=expected_suppliers)
    land = SupplierFeedOperator(task_id="land_deliveries", feed_date="{{ ds }}", manifest_task="fetch_manifest")
    check = RowCountCheckOperator(task_id="check_deliveries", table="raw.supplier_deliveries", min_rows=2, max_rows=12)
    summary = PythonOperator(task_id="record_feed_summary", python_callable=record_feed_summary)
    manifest >> land >> [check, summary]
