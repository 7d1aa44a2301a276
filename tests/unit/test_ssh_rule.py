"""SSHOperator tasks whose connection is given through an SSHHook object (``ssh_hook=SSHHook(ssh_conn_id=...)``)."""

from __future__ import annotations

from converters.inventory import ir
from converters.inventory.scan import scan_source
from converters.plan import plan_project
from converters.rules.base import JUDG, NONE

SOURCE = """
from datetime import datetime

from airflow import DAG
from airflow.providers.ssh.hooks.ssh import SSHHook
from airflow.providers.ssh.operators.ssh import SSHOperator

cluster = SSHHook(ssh_conn_id="cluster_login")
legacy = SSHHook("cluster_login")
other_host = SSHHook(ssh_conn_id="cluster_login", remote_host="node7")

with DAG("hpc", schedule=None, start_date=datetime(2024, 1, 1)):
    SSHOperator(task_id="by_keyword", ssh_hook=cluster, command="qstat -u $USER")
    SSHOperator(task_id="by_position", ssh_hook=legacy, command="qstat")
    SSHOperator(task_id="elsewhere", ssh_hook=other_host, command="qstat")
"""


def _tasks() -> dict:
    plan = plan_project(ir.Project(".", (scan_source(SOURCE, "hpc.py"),)))
    return {t.task.task_id: t.translation for dag in plan.dags for t in dag.tasks}


def test_a_hook_naming_only_its_connection_runs_over_that_connection():
    tasks = _tasks()
    for task_id in ("by_keyword", "by_position"):
        t = tasks[task_id]
        assert t.disposition == JUDG, t.reason
        assert [r.name for r in t.resources] == ["ssh_cluster_login"]
        assert "AIRFLOW_CONN_CLUSTER_LOGIN" in t.resources[0].constructor
        assert "ssh_hook" in t.consumed


def test_a_hook_that_overrides_the_connection_stays_in_airflow():
    t = _tasks()["elsewhere"]
    assert t.disposition == NONE
    assert t.reason == "the ssh connection id or the command is not a literal"
