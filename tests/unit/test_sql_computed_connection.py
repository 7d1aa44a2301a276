"""A SQL task whose connection id is computed by code (``conn_id=Variable.get("db_conn", default_var=...)``): the
id is that code's value when the asset runs, and the connection is ``AIRFLOW_CONN_<ID>`` read then."""

from __future__ import annotations

import json
import sqlite3

import dagster as dg
import pytest

from converters.codegen.support.resources import SqlConnection, connection_named
from converters.inventory import ir
from converters.inventory.scan import scan_source
from converters.plan import plan_project
from converters.rules.base import JUDG, NONE

SOURCE = """
from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator

REPORTING_CONN = Variable.get("reporting_conn_id", default_var="reporting_db")

with DAG("loads", schedule=None, start_date=datetime(2024, 1, 1)):
    SQLExecuteQueryOperator(task_id="refresh", conn_id=REPORTING_CONN, sql="delete from staging where ds = '{{ ds }}'")
    SQLExecuteQueryOperator(task_id="unknown", conn_id=undefined_name, sql="select 1")  # noqa: F821
"""


def _tasks() -> dict:
    plan = plan_project(ir.Project(".", (scan_source(SOURCE, "loads.py"),)))
    return {t.task.task_id: t.translation for dag in plan.dags for t in dag.tasks}


def test_a_connection_id_computed_by_code_is_looked_up_when_the_asset_runs():
    t = _tasks()["refresh"]
    assert t.disposition == JUDG, t.reason
    assert not t.resources
    assert t.body[0].startswith('connection_named("SqlConnection", logic._arg_refresh_conn_id()).run(render(')
    assert "from ..support.resources import connection_named" in t.imports
    assert "conn_id" in t.consumed


def test_a_connection_id_no_code_gives_stays_in_airflow():
    t = _tasks()["unknown"]
    assert t.disposition == NONE
    assert t.reason == "the connection id is not a literal"


def test_connection_named_reads_the_connection_of_the_computed_id(tmp_path, monkeypatch):
    path = tmp_path / "w.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("create table t (x int)")
    monkeypatch.setenv("AIRFLOW_CONN_REPORTING_DB", json.dumps({"conn_type": "sqlite", "host": str(path)}))
    connection = connection_named("SqlConnection", "reporting_db")
    assert isinstance(connection, SqlConnection) and connection.conn_id == "reporting_db"
    assert connection.run("select count(*) from t") == [[(0,)]]
    with pytest.raises(dg.Failure, match="AIRFLOW_CONN_ELSEWHERE"):
        connection_named("SqlConnection", "elsewhere")
