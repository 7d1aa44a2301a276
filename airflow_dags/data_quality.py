"""Data quality checks on the day's orders: full checks on weekdays, a light pass on weekends."""

from datetime import date, datetime, timedelta

from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import BranchPythonOperator, PythonOperator
from airflow.sensors.python import PythonSensor
from include.alerts import notify_on_call
from include.warehouse import connect, replace_partition, warehouse_path

CHECKS = {
    "orders_have_customer": "select count(*) from raw.orders where ds = ? and customer_id is null",
    "orders_unique": "select count(*) - count(distinct order_id) from raw.orders where ds = ?",
    "known_currency": "select count(*) from raw.orders where ds = ? and currency not in ('EUR', 'GBP')",
}


def orders_partition_landed(ds, **kwargs):
    if not warehouse_path().exists():  # nothing has been loaded anywhere yet
        return False
    with connect(read_only=True) as con:
        (tables,) = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'orders'"
        ).fetchone()
        return tables > 0 and con.execute("select count(*) from raw.orders where ds = ?", [ds]).fetchone()[0] > 0


def choose_checks(ds, **kwargs):
    weekday = date.fromisoformat(ds).weekday() < 5
    return "full_checks" if weekday else "light_checks"


def run_checks(names, ds, **kwargs):
    results = []
    with connect(read_only=True) as con:
        for name in names:
            (failures,) = con.execute(CHECKS[name], [ds]).fetchone()
            results.append((ds, name, failures, "pass" if failures == 0 else "fail"))
    replace_partition(
        "ops.dq_results",
        {"ds": "date", "check_name": "varchar", "failures": "integer", "outcome": "varchar"},
        ds,
        results,
    )
    failed = [name for _, name, failures, _ in results if failures]
    if failed:
        raise ValueError(f"data quality checks failed on {ds}: {', '.join(failed)}")


with DAG(
    dag_id="data_quality",
    schedule="0 8 * * *",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args={
        "owner": "data-platform",
        "retries": 1,
        "retry_delay": timedelta(minutes=10),
        "on_failure_callback": notify_on_call,
    },
    tags=["quality"],
) as dag:
    wait = PythonSensor(
        task_id="wait_for_orders_partition",
        python_callable=orders_partition_landed,
        mode="reschedule",
        poke_interval=10,
        timeout=2 * 60 * 60,
        pool="warehouse",  # it opens DuckDB too: a poke while a SQL task writes would fail that task's connect
    )
    branch = BranchPythonOperator(task_id="choose_checks", python_callable=choose_checks)
    full = PythonOperator(
        task_id="full_checks", python_callable=run_checks, op_kwargs={"names": sorted(CHECKS)}, pool="warehouse"
    )
    light = PythonOperator(
        task_id="light_checks", python_callable=run_checks, op_kwargs={"names": ["orders_unique"]}, pool="warehouse"
    )
    done = EmptyOperator(task_id="done", trigger_rule="none_failed_min_one_success")

    wait >> branch >> [full, light] >> done
