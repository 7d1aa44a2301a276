"""Setup and teardown operators: as_setup / as_teardown(setups=...), context managers nested, groups."""

from datetime import datetime

from airflow import DAG
from airflow.operators.empty import EmptyOperator

try:
    from airflow.sdk import TaskGroup
except ImportError:
    from airflow.utils.task_group import TaskGroup

with DAG("st_operators", schedule=None, start_date=datetime(2024, 1, 1), catchup=False):
    create = EmptyOperator(task_id="create_cluster").as_setup()
    delete = EmptyOperator(task_id="delete_cluster").as_teardown(setups=create)
    with create >> delete:
        load = EmptyOperator(task_id="load")
        transform = EmptyOperator(task_id="transform")
        load >> transform
        bucket = EmptyOperator(task_id="create_bucket").as_setup()
        drop = EmptyOperator(task_id="drop_bucket").as_teardown(setups=bucket)
        with bucket >> drop:
            EmptyOperator(task_id="copy")
            EmptyOperator(task_id="index")
    with TaskGroup("section") as section:
        s = EmptyOperator(task_id="setup").as_setup()
        work = EmptyOperator(task_id="work")
        t = EmptyOperator(task_id="teardown").as_teardown(setups=s)
        s >> work >> t
    after = EmptyOperator(task_id="after")
    section >> after
    transform >> section

with DAG("st_setup_context", schedule=None, start_date=datetime(2024, 1, 1), catchup=False):
    up = EmptyOperator(task_id="up").as_setup()
    down = EmptyOperator(task_id="down").as_teardown(setups=up)
    with up:
        a = EmptyOperator(task_id="a")
        b = EmptyOperator(task_id="b")
