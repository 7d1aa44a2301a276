"""Awkward but real inputs convert to a location that loads: odd ids, reused DAG ids, crons Dagster rejects."""

from __future__ import annotations

import subprocess
import sys

from converters.convert import convert_project

FIRST = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator


def work(**context):
    return 1


with DAG("shop-orders", schedule="0 6 * * *", start_date=datetime(2024, 1, 1), params={"limit": float("nan")}):
    a = BashOperator(task_id="class", bash_command="echo 'it''s'\\r\\nok")
    b = PythonOperator(task_id="render", python_callable=work)
    c = PythonOperator(task_id="dünn", python_callable=work)
    d = BashOperator(task_id="a.b", bash_command="echo x")
    e = BashOperator(task_id="a__b", bash_command="echo y")
    a >> b >> c >> [d, e]

with DAG("shop_orders", schedule="*/5 * * * * *", start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="ASSETS", bash_command="echo z", owner="Data Team <data@example>")
"""

SECOND = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.sensors.external_task import ExternalTaskSensor

with DAG("shop-orders", schedule="@daily", start_date=datetime(2024, 1, 1)):
    ExternalTaskSensor(task_id="wait", external_dag_id="shop-orders", external_task_id="render") >> BashOperator(
        task_id="after", bash_command="echo done"
    )
"""


def test_awkward_estate_converts_and_loads(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "first.py").write_text(FIRST)
    (dags / "second.py").write_text(SECOND)
    result = convert_project(dags, tmp_path / "odd_defs", use_cache=False)
    assert not result.generated.problems, result.generated.problems
    keys = [t.key for d in result.plan.dags for t in d.tasks]
    assert len(keys) == len(set(keys)), "asset keys must be unique"
    second = next(d for d in result.plan.dags if d.dag.source.file == "second.py")
    assert second.prefix != "shop_orders" and second.module != "shop_orders"
    invalid = next(d for d in result.plan.dags if d.dag.dag_id == "shop_orders")
    assert invalid.cron is None and "not one Dagster accepts" in invalid.schedule_note
    script = (
        "import odd_defs.definitions as d\n"
        "graph = d.defs.resolve_asset_graph()\n"
        "print(len(list(graph.get_all_asset_keys())))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert int(done.stdout.strip().splitlines()[-1]) == 7  # 5 + 1 + 1 (the sensor is a dependency, not an asset)


def test_a_trigger_in_the_second_definition_of_a_reused_dag_id_links_without_crashing(tmp_path):
    """Two files define DAG "up"; only the second triggers "down": its trigger task is found by itself, not by id."""
    from converters.flow import scan_and_plan

    header = "from airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
    (tmp_path / "a.py").write_text(header + "with DAG('up'):\n    BashOperator(task_id='x', bash_command='echo')\n")
    (tmp_path / "b.py").write_text(
        header + "from airflow.operators.trigger_dagrun import TriggerDagRunOperator\n"
        "with DAG('up'):\n    BashOperator(task_id='y', bash_command='echo') >> "
        "TriggerDagRunOperator(task_id='go', trigger_dag_id='down')\n"
    )
    (tmp_path / "c.py").write_text(header + "with DAG('down'):\n    BashOperator(task_id='z', bash_command='echo')\n")
    plan = scan_and_plan(tmp_path, use_cache=False, jobs=1, read_migration_state=False).plan
    down = next(d for d in plan.dags if d.dag.dag_id == "down")
    second_up = next(d for d in plan.dags if d.dag.source.file == "b.py")
    y = next(t for t in second_up.tasks if t.task.task_id == "y")
    assert ("key", y.key) in {(dep.kind, dep.value) for dep in down.tasks[0].deps}


def test_the_dags_folder_on_sys_path_is_where_the_dag_files_live_not_the_scanned_root(tmp_path):
    """A repository scanned at its root, DAGs in repo/dags/: Airflow's DAGs folder (sys.path) is repo/dags; paths
    the DAG files compute from ``__file__`` stay relative to the scanned root."""
    dags = tmp_path / "repo" / "dags"
    (dags / "team").mkdir(parents=True)
    (dags / "team" / "a.py").write_text(
        "from airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
        "with DAG('a'):\n    BashOperator(task_id='x', bash_command='echo')\n"
    )
    (dags / "b.py").write_text(
        "from airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
        "with DAG('b'):\n    BashOperator(task_id='y', bash_command='echo')\n"
    )
    out = tmp_path / "out" / "repo_defs"
    convert_project(tmp_path / "repo", out, use_cache=False)
    script = "import os, repo_defs.support.runtime as r\nprint(r.dags_folder())\nprint(r.dags_path('dbt/shop'))\n"
    env = {k: v for k, v in __import__("os").environ.items() if k != "AIRFLOW_DAGS_FOLDER"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=out.parent, capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    folder, path = done.stdout.strip().splitlines()[-2:]
    assert folder == str(dags.resolve())
    assert path == str((tmp_path / "repo" / "dbt" / "shop").resolve())


def test_an_asset_body_that_needs_no_airflow_context_binds_no_unused_name(tmp_path):
    """A pod with an image only: `airflow = task_context(...)` was an unused variable (ruff F841, exit 1)."""
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "pod.py").write_text(
        "from airflow import DAG\nfrom airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n"
        "with DAG('pod', schedule=None):\n    KubernetesPodOperator(task_id='run', image='acme/etl:1')\n"
    )
    result = convert_project(dags, tmp_path / "pod_defs", use_cache=False)
    assert result.generated.problems == []
    module = (tmp_path / "pod_defs" / "dags" / "pod.py").read_text()
    assert '    task_context(context, DAG, "run")' in module
