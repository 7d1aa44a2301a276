"""Nightly inventory snapshot per store, written against the Airflow 3 Task SDK (`airflow.sdk`).

New DAGs are written this way since the platform moved to Airflow 3; this file is not loaded by
the Airflow 2 deployment (see airflow_dags/README.md).
"""

import csv
import io
from datetime import datetime, timedelta

from airflow.sdk import Asset, chain, dag, task
from include.sources import partner_inventory_csv
from include.warehouse import replace_partition

INVENTORY_SNAPSHOT = Asset("duckdb://warehouse/mart/inventory_snapshot")


@dag(
    schedule="0 23 * * *",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args={"owner": "supply-chain", "retries": 2, "retry_delay": timedelta(minutes=5)},
    tags=["supply-chain", "sdk"],
)
def inventory_snapshot():
    @task
    def read_feed(ds=None) -> list:
        reader = csv.DictReader(io.StringIO(partner_inventory_csv(ds)))
        return [{"sku": r["sku"], "store_id": r["store_id"], "on_hand": int(r["on_hand"])} for r in reader]

    @task
    def totals_by_store(items: list) -> dict:
        totals = {}
        for item in items:
            totals[item["store_id"]] = totals.get(item["store_id"], 0) + item["on_hand"]
        return totals

    @task(outlets=[INVENTORY_SNAPSHOT], pool="warehouse")
    def write_snapshot(totals: dict, ds=None) -> int:
        rows = [(ds, store, units) for store, units in sorted(totals.items())]
        return replace_partition(
            "mart.inventory_snapshot", {"ds": "date", "store_id": "varchar", "units_on_hand": "integer"}, ds, rows
        )

    items = read_feed()
    totals = totals_by_store(items)
    chain(items, totals, write_snapshot(totals))


inventory_snapshot()
