"""@setup / @teardown TaskFlow functions, a teardown used as a context, a group of work inside it."""

from datetime import datetime

from airflow import DAG

try:
    from airflow.sdk import setup, task, task_group, teardown
except ImportError:
    from airflow.decorators import setup, task, task_group, teardown


@setup
def make_env():
    return "env"


@teardown
def drop_env(env):
    print(env)


@setup
@task.bash
def warm_cache():
    return "echo warm"


@task
def work(env=None):
    return env


@task_group
def batch():
    prepare = work.override(task_id="prepare")()
    finish = work.override(task_id="finish")()
    prepare >> finish


with DAG("st_taskflow", schedule=None, start_date=datetime(2024, 1, 1), catchup=False):
    env = make_env()
    with drop_env(env):
        work(env)
        batch()
    cache = warm_cache()
    cleanup = work.override(task_id="cleanup")().as_teardown(setups=cache)
    cache >> work.override(task_id="use_cache")() >> cleanup
