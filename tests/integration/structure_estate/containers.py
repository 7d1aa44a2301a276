"""Tasks held in containers filled in literal loops: every edge through them is Airflow's edge."""

from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator

try:
    from airflow.sdk import chain, chain_linear
except ImportError:
    from airflow.models.baseoperator import chain, chain_linear

STAGES = ["orders", "users", "items"]

with DAG("containers_dict", schedule=None, start_date=datetime(2024, 1, 1), catchup=False) as dag:
    fetch = EmptyOperator(task_id="fetch")
    publish = EmptyOperator(task_id="publish")
    stage_op = {}
    for name in STAGES:
        stage_op[name] = BashOperator(task_id=f"stage_{name}", bash_command="echo")
        stage_op[name].set_upstream(fetch)
    checks = {name: EmptyOperator(task_id=f"check_{name}") for name in STAGES}
    for name in STAGES:
        stage_op[name] >> checks[name]
    list(checks.values()) >> publish

with DAG("containers_list", schedule=None, start_date=datetime(2024, 1, 1), catchup=False):
    first = [EmptyOperator(task_id=f"first_{i}") for i in range(2)]
    second = []
    for i in range(2):
        second.append(EmptyOperator(task_id=f"second_{i}"))
    extra = []
    extra += [EmptyOperator(task_id="extra")]
    chain(first, second)
    chain_linear(second, extra, [EmptyOperator(task_id="end_a"), EmptyOperator(task_id="end_b")])
    second[-1].set_downstream(EmptyOperator(task_id="after_last"))
