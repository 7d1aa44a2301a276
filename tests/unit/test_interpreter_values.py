"""Values the interpreter evaluates without running anything: a dict union and a comprehension over a known
dict whose values are partly unknown (a wrapper operator's ``env_vars`` built in its ``__init__``)."""

from __future__ import annotations

import textwrap

from converters.flow import scan_and_plan

WRAPPER = """
from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator


class StandardPod(KubernetesPodOperator):
    def __init__(self, task_id, image, environment, env_vars=None, **kwargs):
        if env_vars is None:
            env_vars = {}
        standard = {"ENVIRONMENT": environment.upper(), "RUN_ID": "{{ run_id }}"}
        env_vars = standard | env_vars
        env_vars = {k: str(v) for k, v in env_vars.items()}
        super().__init__(task_id=task_id, image=image, env_vars=env_vars, namespace="jobs", **kwargs)


with DAG("wrapped", schedule=None, start_date=datetime(2024, 1, 1)):
    StandardPod(task_id="given", image="acme/x:1", environment="prod", env_vars={"BATCH": 3})
    StandardPod(task_id="default", image="acme/x:1", environment="dev")
    StandardPod(task_id="runtime", image="acme/x:1", environment="dev", env_vars={"KEY": Variable.get("key")})
"""


def test_a_wrapper_building_env_vars_by_union_and_comprehension_is_translated(tmp_path):
    (tmp_path / "wrapped.py").write_text(textwrap.dedent(WRAPPER))
    planned = scan_and_plan(tmp_path, use_cache=False, read_migration_state=False)
    tasks = {t.task.task_id: t for d in planned.plan.dags for t in d.tasks}
    assert tasks["given"].task.arguments["env_vars"] == {"ENVIRONMENT": "PROD", "RUN_ID": "{{ run_id }}", "BATCH": "3"}
    assert tasks["default"].task.arguments["env_vars"] == {"ENVIRONMENT": "DEV", "RUN_ID": "{{ run_id }}"}
    assert tasks["given"].disposition != "NONE" and tasks["default"].disposition != "NONE"
    # a value only known at run time is never guessed: `if env_vars is None` cannot be decided, so the branch's
    # `{}` is not taken for the caller's dict (before, both branches ran and the {} silently won)
    runtime = tasks["runtime"].task.arguments["env_vars"]
    assert not (isinstance(runtime, dict) and "KEY" not in runtime)
    assert not (isinstance(runtime, dict) and isinstance(runtime.get("KEY"), str))


def test_a_value_set_in_one_branch_of_a_runtime_condition_is_unknown_after_it(tmp_path):
    """`if <runtime>: x = "a" else: x = "b"` leaves x unknown (it was silently "b"); a value both branches agree on,
    and a condition over plain values (`x is None`, `env == "prod"`), are known."""
    (tmp_path / "branches.py").write_text(
        textwrap.dedent(
            """
            import os
            from datetime import datetime

            from airflow import DAG
            from airflow.operators.bash import BashOperator

            ENV = "prod"
            TARGET = None
            if os.environ.get("STAGE"):
                command = "echo a"
                same = "echo same"
            else:
                command = "echo b"
                same = "echo same"
            if TARGET is None and ENV == "prod":
                decided = "echo decided"
            else:
                decided = "echo other"

            with DAG("branches", schedule=None, start_date=datetime(2024, 1, 1)):
                BashOperator(task_id="runtime", bash_command=command)
                BashOperator(task_id="agreed", bash_command=same)
                BashOperator(task_id="decided", bash_command=decided)
            """
        )
    )
    planned = scan_and_plan(tmp_path, use_cache=False, read_migration_state=False)
    tasks = {t.task.task_id: t for d in planned.plan.dags for t in d.tasks}
    assert tasks["runtime"].task.arguments["bash_command"] not in ("echo a", "echo b")
    assert tasks["agreed"].task.arguments["bash_command"] == "echo same"
    assert tasks["decided"].task.arguments["bash_command"] == "echo decided"


def test_a_dags_dag_id_in_an_argument_is_the_literal_id(tmp_path):
    """`PREFIX + "/" + DAG.dag_id + "/..."` (a module-level DAG named by a variable, its id read back to build a
    path): the id is the literal the DAG was made with, so the argument is known, not code the scan gives up on."""
    (tmp_path / "dag_ids.py").write_text(
        textwrap.dedent(
            """
            from datetime import datetime

            import airflow
            from airflow.operators.bash import BashOperator

            PREFIX = "exports"
            DAG = airflow.DAG("nightly_export", schedule=None, start_date=datetime(2024, 1, 1))
            BashOperator(
                task_id="copy", bash_command="aws s3 cp x s3://b/" + PREFIX + "/" + DAG.dag_id + "/{{ ds }}/", dag=DAG
            )
            with airflow.DAG("other", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
                BashOperator(task_id="named", bash_command=f"echo {dag.dag_id}")
            """
        )
    )
    planned = scan_and_plan(tmp_path, use_cache=False, read_migration_state=False)
    tasks = {t.task.task_id: t for d in planned.plan.dags for t in d.tasks}
    assert tasks["copy"].task.arguments["bash_command"] == "aws s3 cp x s3://b/exports/nightly_export/{{ ds }}/"
    assert tasks["named"].task.arguments["bash_command"] == "echo other"
    assert tasks["copy"].disposition == "MECH"
