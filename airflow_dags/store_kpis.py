"""Per-store KPIs, one mapped task per store so a slow store does not hold up the others."""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.decorators import task
from airflow.operators.python import PythonOperator
from include.sources import STORES, orders_for
from include.warehouse import connect

KPI_COLUMNS = {"ds": "date", "store_id": "varchar", "orders": "integer", "avg_basket": "decimal(10, 2)"}


def compute_store_kpis(store_id, ds, **kwargs):
    orders = [o for o in orders_for(ds) if o["store_id"] == store_id and o["status"] != "cancelled"]
    avg_basket = round(sum(o["amount"] for o in orders) / len(orders), 2) if orders else 0
    with connect() as con:
        con.execute("create schema if not exists mart")
        con.execute(
            f"create table if not exists mart.store_kpis ({', '.join(f'{k} {v}' for k, v in KPI_COLUMNS.items())})"
        )
        con.execute("delete from mart.store_kpis where ds = ? and store_id = ?", [ds, store_id])
        con.execute("insert into mart.store_kpis values (?, ?, ?, ?)", [ds, store_id, len(orders), avg_basket])
    return {"store_id": store_id, "orders": len(orders)}


with DAG(
    dag_id="store_kpis",
    schedule="15 6 * * *",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args={"owner": "retail-ops", "retries": 1, "retry_delay": timedelta(minutes=2)},
    tags=["retail"],
) as dag:

    @task
    def active_stores() -> list:
        return [{"store_id": store} for store in STORES]

    kpis = PythonOperator.partial(
        task_id="compute_store_kpis", python_callable=compute_store_kpis, pool="warehouse"
    ).expand(op_kwargs=active_stores())

    @task
    def report(results: list):
        total = sum(result["orders"] for result in results)
        print(f"{len(results)} stores, {total} orders")
        return total

    report(kpis.output)
