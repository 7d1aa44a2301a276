"""CRM customer snapshot and segment export.

Written for Airflow 1.10 and never modernised: `*_operator` module paths, DummyOperator,
provide_context, schedule_interval and `dag=` on every task. Airflow 3 no longer ships those
paths, so this file lives in airflow2_only/ (see airflow_dags/README.md).
"""

import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.dummy_operator import DummyOperator
from airflow.operators.python_operator import PythonOperator
from include.sources import customers
from include.warehouse import replace_partition

SCRIPTS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "scripts")

args = {
    "owner": "crm",
    "depends_on_past": False,
    "start_date": datetime(2024, 1, 1),
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
}

dag = DAG(
    "legacy_customer_sync",
    default_args=args,
    schedule_interval="0 3 * * *",
    catchup=False,
    params={"segment": "vip", "export_root": "exports"},
)


def snapshot_customers(table, **kwargs):
    ds = kwargs["ds"]
    rows = [(ds, c["customer_id"], c["name"], c["segment"], c["country"], c["signed_up"]) for c in customers()]
    replace_partition(
        table,
        {
            "ds": "date",
            "customer_id": "integer",
            "name": "varchar",
            "segment": "varchar",
            "country": "varchar",
            "signed_up": "date",
        },
        ds,
        rows,
    )
    kwargs["ti"].xcom_push(key="customer_count", value=len(rows))


snapshot = PythonOperator(
    task_id="snapshot_customers",
    python_callable=snapshot_customers,
    op_kwargs={"table": "crm.customer_snapshot"},
    provide_context=True,
    pool="warehouse",
    dag=dag,
)

export = BashOperator(
    task_id="export_segment",
    bash_command=(
        'python "$SCRIPTS/export_segment.py" --ds {{ ds }} --segment {{ params.segment }}'
        " --out {{ params.export_root }}/{{ ds_nodash }}/{{ params.segment }}.csv"
    ),
    env={"SCRIPTS": SCRIPTS_DIR},
    append_env=True,
    pool="warehouse",
    dag=dag,
)

done = DummyOperator(task_id="done", dag=dag)

export.set_upstream(snapshot)
done.set_upstream(export)
