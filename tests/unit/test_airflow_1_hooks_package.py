"""Airflow 1.10's ``airflow.hooks`` package re-exported its hook classes (``from airflow.hooks import BaseHook``):
copied estate code importing them that way gets the support package's class, as from their own modules."""

from __future__ import annotations

import textwrap

from converters.convert import convert_project

PLUGIN = """
from airflow.hooks import BaseHook
from airflow.models import BaseOperator
from airflow.plugins_manager import AirflowPlugin


class ConnectionInfoHook(BaseHook):
    def __init__(self, conn_id):
        self.conn_id = conn_id

    def host(self):
        return self.get_connection(self.conn_id).host


class HostOperator(BaseOperator):
    def __init__(self, conn_id, **kwargs):
        super().__init__(**kwargs)
        self.conn_id = conn_id

    def execute(self, context):
        return ConnectionInfoHook(self.conn_id).host()


class HostPlugin(AirflowPlugin):
    name = "host_plugin"
    operators = [HostOperator]
"""

DAG_FILE = """
from datetime import datetime

from airflow import DAG
from airflow.operators import HostOperator

with DAG("hosts", schedule=None, start_date=datetime(2024, 1, 1)):
    HostOperator(task_id="host", conn_id="warehouse")
"""


def test_a_hook_imported_from_the_hooks_package_is_supports(tmp_path):
    files = {
        "dags/hosts.py": DAG_FILE,
        "plugins/host_plugin.py": PLUGIN,
    }
    for relative, text in files.items():
        (tmp_path / "estate" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "estate" / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    out = tmp_path / "hosts_defs"
    result = convert_project(tmp_path / "estate", out, force=True, use_cache=False)
    task = next(t for d in result.plan.dags for t in d.tasks if t.task.task_id == "host")
    assert task.disposition == "JUDG", task.translation.reason
    code = (out / "logic" / "estate_class__host_plugin__hostoperator.py").read_text(encoding="utf-8")
    assert "from ..support.hooks import BaseHook" in code
