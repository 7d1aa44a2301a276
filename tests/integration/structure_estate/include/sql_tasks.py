"""A task builder in the estate: it receives the DAG and adds one task per SQL file, chaining them under a condition."""

from airflow.operators.empty import EmptyOperator


def run_dynamic_sql_task(dag, files, layer):
    previous = None
    for name in files:
        task = EmptyOperator(task_id=f"{layer}_{name}", dag=dag)
        if previous is not None:
            previous >> task
        previous = task
    return previous
