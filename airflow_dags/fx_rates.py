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
from include.warehouse import connect, replace_partition

CURRENCIES = ["EUR", "GBP", "USD", "CHF"]


def fetch_rates(ds, **context):
    rows = [(ds, currency, fx_rate_to_eur(ds, currency)) for currency in CURRENCIES]
    replace_partition("ref.ecb_rates", {"ds": "date", "currency": "varchar", "rate_to_eur": "double"}, ds, rows)
    return len(rows)


def check_rates(ds):
    """The day's rates are complete and positive, or the run fails before they are announced."""
    with connect(read_only=True) as con:
        count, bad = con.execute(
            "select count(*), count(*) filter (where rate_to_eur is null or rate_to_eur <= 0) "
            "from ref.ecb_rates where ds = ?",
            [ds],
        ).fetchone()
    if count != len(CURRENCIES) or bad:
        raise ValueError(f"ECB rates for {ds}: {count} of {len(CURRENCIES)} currencies, {bad} not positive")


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
check = PythonOperator(task_id="check_rates", python_callable=check_rates, dag=dag)
announce = BashOperator(
    task_id="announce",
    bash_command="echo \"rates for {{ ds }} loaded ({{ ti.xcom_pull(task_ids='fetch_ecb_rates') }} currencies)\"",
    pool="default_pool",
    dag=dag,
)
fetch >> [check, announce]
check >> announce
