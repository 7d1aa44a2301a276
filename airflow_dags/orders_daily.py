"""Daily order ingestion: the shop API's orders land in raw.orders and roll up into mart.daily_revenue.

Owner: commerce-data. Downstream: finance_reconciliation (triggered), marketing_attribution (waits on
load_orders), revenue_dashboard (scheduled on the daily_revenue dataset).
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import PythonOperator
from airflow.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.utils.task_group import TaskGroup

try:  # Airflow 3 renamed datasets to assets
    from airflow.sdk import Asset as Dataset
except ImportError:
    from airflow.datasets import Dataset

from include.alerts import notify_on_call
from include.sources import fx_rate_to_eur, orders_for
from include.warehouse import connect, replace_partition

DAILY_REVENUE = Dataset("duckdb://warehouse/mart/daily_revenue")
# The raw tables the loaders publish (the shop's dbt project reads them as sources).
RAW_ORDERS = Dataset("duckdb://warehouse/raw/orders")
FX_RATES = Dataset("duckdb://warehouse/ref/fx_rates")

ORDER_COLUMNS = {
    "ds": "date",
    "order_id": "varchar",
    "customer_id": "integer",
    "store_id": "varchar",
    "amount": "decimal(10, 2)",
    "currency": "varchar",
    "status": "varchar",
    "ordered_at": "timestamp",
}

default_args = {
    "owner": "commerce-data",
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=20),
    "on_failure_callback": notify_on_call,
    "pool": "warehouse",
}


def extract_orders(source, ds, **kwargs):
    """Pull the day's orders from the order API into raw.orders (replaces the day on re-runs)."""
    orders = orders_for(ds)
    rows = [tuple([ds] + [order[c] for c in list(ORDER_COLUMNS)[1:]]) for order in orders]
    loaded = replace_partition("raw.orders", ORDER_COLUMNS, ds, rows)
    print(f"loaded {loaded} orders from {source} for {ds}")
    return loaded


def load_fx_rates(currencies, ds, **kwargs):
    rows = [(ds, currency, fx_rate_to_eur(ds, currency)) for currency in currencies]
    replace_partition("ref.fx_rates", {"ds": "date", "currency": "varchar", "rate_to_eur": "double"}, ds, rows)


def check_orders_loaded(ds, **kwargs):
    with connect(read_only=True) as con:
        (count,) = con.execute("select count(*) from raw.orders where ds = ?", [ds]).fetchone()
    if count == 0:
        raise ValueError(f"no orders loaded for {ds}")


def check_amounts_positive(ds, **kwargs):
    with connect(read_only=True) as con:
        (bad,) = con.execute("select count(*) from raw.orders where ds = ? and amount <= 0", [ds]).fetchone()
    if bad:
        raise ValueError(f"{bad} orders with a non-positive amount on {ds}")


with DAG(
    dag_id="orders_daily",
    description="Orders from the shop API into raw.orders and mart.daily_revenue",
    schedule="0 6 * * *",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["commerce", "tier-1"],
) as dag:
    start = EmptyOperator(task_id="start", pool="default_pool")

    extract = PythonOperator(
        task_id="load_orders",
        python_callable=extract_orders,
        op_kwargs={"source": "shop_api"},
        outlets=[RAW_ORDERS],
    )
    fx = PythonOperator(
        task_id="load_fx_rates",
        python_callable=load_fx_rates,
        op_kwargs={"currencies": ["EUR", "GBP"]},
        outlets=[FX_RATES],
    )

    with TaskGroup(group_id="quality") as quality:
        PythonOperator(task_id="orders_loaded", python_callable=check_orders_loaded)
        PythonOperator(task_id="amounts_positive", python_callable=check_amounts_positive)

    daily_revenue = SQLExecuteQueryOperator(
        task_id="build_daily_revenue",
        conn_id="warehouse_duckdb",
        sql=[
            "create schema if not exists mart",
            """create table if not exists mart.daily_revenue (
                ds date, store_id varchar, orders integer, revenue_eur decimal(12, 2))""",
            "delete from mart.daily_revenue where ds = '{{ ds }}'",
            """insert into mart.daily_revenue
               select o.ds, o.store_id, count(*), sum(round(o.amount * fx.rate_to_eur, 2))
               from raw.orders o
               join ref.fx_rates fx on fx.ds = o.ds and fx.currency = o.currency
               where o.ds = '{{ ds }}' and o.status <> 'cancelled'
               group by o.ds, o.store_id""",
        ],
        outlets=[DAILY_REVENUE],
    )

    trigger_finance = TriggerDagRunOperator(
        task_id="trigger_finance_reconciliation",
        trigger_dag_id="finance_reconciliation",
        conf={"source_ds": "{{ ds }}", "triggered_by": "{{ dag.dag_id }}"},
        pool="default_pool",
    )
    end = EmptyOperator(task_id="end", pool="default_pool")

    start >> [extract, fx] >> quality >> daily_revenue >> trigger_finance >> end
