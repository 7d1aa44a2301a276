"""ECB reference rates, one run per day since the start of 2024 (catchup fills any gap)."""

from datetime import datetime, timedelta

from airflow import DAG

try:
    from airflow.operators.python import PythonOperator
except ImportError:  # still deployed on a 1.10 worker in the DR region
    from airflow.operators.python_operator import PythonOperator
try:
    from airflow.operators.bash import BashOperator
except ImportError:
    from airflow.operators.bash_operator import BashOperator

from include.sources import fx_rate_to_eur
from include.warehouse import replace_partition

CURRENCIES = ["EUR", "GBP", "USD", "CHF"]


def fetch_rates(ds, **context):
    rows = [(ds, currency, fx_rate_to_eur(ds, currency)) for currency in CURRENCIES]
    replace_partition("ref.ecb_rates", {"ds": "date", "currency": "varchar", "rate_to_eur": "double"}, ds, rows)
    return len(rows)


dag = DAG(
    dag_id="fx_rates",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=True,
    max_active_runs=1,
    default_args={
        "owner": "finance-analytics",
        "retries": 3,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "pool": "warehouse",
    },
    tags=["finance", "reference-data"],
)

fetch = PythonOperator(task_id="fetch_ecb_rates", python_callable=fetch_rates, dag=dag)
announce = BashOperator(
    task_id="announce",
    bash_command="echo \"rates for {{ ds }} loaded ({{ ti.xcom_pull(task_ids='fetch_ecb_rates') }} currencies)\"",
    pool="default_pool",
    dag=dag,
)
fetch >> announce
