"""Partner inventory feed: waits for the logistics partner's CSV drop, loads it, reports low stock."""

from datetime import datetime, timedelta
from pathlib import Path

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import ShortCircuitOperator
from airflow.sensors.filesystem import FileSensor
from include.warehouse import connect

SCRIPTS = Path(__file__).resolve().parent / "scripts"


def any_low_stock(threshold, ds, **kwargs):
    with connect(read_only=True) as con:
        (low,) = con.execute(
            "select count(*) from raw.partner_inventory where ds = ? and on_hand < ?", [ds, int(threshold)]
        ).fetchone()
    print(f"{low} SKU/store pairs below {threshold} on {ds}")
    return low > 0


with DAG(
    dag_id="partner_inventory",
    schedule="0 5 * * *",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    params={"low_stock_threshold": 5, "scripts": str(SCRIPTS)},
    default_args={"owner": "supply-chain", "retries": 2, "retry_delay": timedelta(minutes=5)},
    tags=["supply-chain", "partner"],
) as dag:
    wait_for_drop = FileSensor(
        task_id="wait_for_inventory_file",
        fs_conn_id="partner_landing",
        filepath="{{ ds }}/inventory.csv",
        mode="reschedule",
        poke_interval=30,
        timeout=6 * 60 * 60,
    )

    load = BashOperator(
        task_id="load_inventory",
        bash_command=(
            "python {{ params.scripts }}/load_partner_file.py"
            " --ds {{ ds }} --file {{ conn.partner_landing.extra_dejson.path }}/{{ ds }}/inventory.csv"
        ),
        pool="warehouse",
    )

    low_stock = ShortCircuitOperator(
        task_id="any_low_stock",
        python_callable=any_low_stock,
        op_kwargs={"threshold": "{{ params.low_stock_threshold }}"},
        pool="warehouse",
    )

    report = BashOperator(
        task_id="write_restock_report",
        bash_command=(
            "python {{ params.scripts }}/restock_report.py --ds {{ ds }} --threshold {{ params.low_stock_threshold }}"
        ),
        pool="warehouse",
    )

    wait_for_drop >> load >> low_stock >> report
