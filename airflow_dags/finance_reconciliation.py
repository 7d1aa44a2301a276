"""Finance reconciliation, triggered by orders_daily once the day's revenue is built.

Runs only when triggered (no schedule). Reads the day to reconcile from the run's conf,
``{"source_ds": "YYYY-MM-DD"}``, so it also works for runs without a logical date.
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.python import PythonOperator
from include.alerts import notify_on_call
from include.warehouse import connect, replace_partition


def read_source_ds(**context):
    conf = context["dag_run"].conf or {}
    if "source_ds" not in conf:
        raise ValueError("finance_reconciliation needs conf {'source_ds': 'YYYY-MM-DD'}")
    return conf["source_ds"]


def reconcile(**context):
    source_ds = context["ti"].xcom_pull(task_ids="read_source_ds")
    with connect(read_only=True) as con:
        rows = con.execute(
            """select r.store_id, r.revenue_eur, r.orders, count(o.order_id) as raw_orders
               from mart.daily_revenue r
               left join raw.orders o on o.ds = r.ds and o.store_id = r.store_id and o.status <> 'cancelled'
               where r.ds = ?
               group by r.store_id, r.revenue_eur, r.orders
               order by r.store_id""",
            [source_ds],
        ).fetchall()
    if not rows:
        raise ValueError(f"nothing to reconcile: mart.daily_revenue has no rows for {source_ds}")
    result = [
        (source_ds, store, revenue, orders, "balanced" if orders == raw_orders else "mismatch")
        for store, revenue, orders, raw_orders in rows
    ]
    replace_partition(
        "finance.reconciliation",
        {
            "ds": "date",
            "store_id": "varchar",
            "revenue_eur": "decimal(12, 2)",
            "orders": "integer",
            "status": "varchar",
        },
        source_ds,
        result,
    )


with DAG(
    dag_id="finance_reconciliation",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args={
        "owner": "finance-analytics",
        "retries": 1,
        "retry_delay": timedelta(seconds=20),
        "on_failure_callback": notify_on_call,
    },
    tags=["finance"],
) as dag:
    source_ds = PythonOperator(task_id="read_source_ds", python_callable=read_source_ds)
    reconciled = PythonOperator(task_id="reconcile", python_callable=reconcile, pool="warehouse")
    source_ds >> reconciled
