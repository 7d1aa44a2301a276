"""SqlConnection runs statements through DB-API drivers the way Airflow's DbApiHook runs them."""

from __future__ import annotations

import json
import sqlite3
import types

import pytest
import sqlalchemy
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from converters.codegen.support.resources import SqlConnection

LIKE = "select count(*) from t where name like '%ab%'"


def _connection(conn_type: str, path) -> SqlConnection:
    return SqlConnection(conn_id="warehouse", value=json.dumps({"conn_type": conn_type, "host": str(path)}))


def _seed(con) -> None:
    con.execute("create table t (name varchar)")
    con.execute("insert into t values ('xaby'), ('zz')")


def test_a_literal_percent_runs_through_sqlite3_and_duckdb(tmp_path):
    import duckdb

    with sqlite3.connect(tmp_path / "w.sqlite") as con:
        _seed(con)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        _seed(con)
    for conn_type, path in (("sqlite", tmp_path / "w.sqlite"), ("duckdb", tmp_path / "w.duckdb")):
        connection = _connection(conn_type, path)
        assert connection.run(LIKE) == [[(1,)]], conn_type
        assert connection.run("select count(*) from t where name like ?", parameters=["%ab%"]) == [[(1,)]]


class _FormatCursor:
    """A ``format``-paramstyle cursor (psycopg2, pymysql): ``query % params`` whenever params are passed."""

    def __init__(self, cursor) -> None:
        self._cursor = cursor

    def execute(self, query, params=None):
        if params is not None:
            query = query % tuple(repr(p) for p in params)
        return self._cursor.execute(query)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


class _FormatConnection:
    def __init__(self, *args, **kwargs) -> None:
        self._con = sqlite3.connect(*args, **kwargs)

    def cursor(self):
        return _FormatCursor(self._con.cursor())

    def __getattr__(self, name):
        return getattr(self._con, name)


class _FormatDialect(SQLiteDialect_pysqlite):
    name = "formatlite"
    driver = "formatlite"
    default_paramstyle = "format"

    @classmethod
    def import_dbapi(cls):
        return types.SimpleNamespace(**{**vars(sqlite3), "connect": _FormatConnection, "paramstyle": "format"})


@pytest.fixture
def format_driver():
    registry.register("formatlite", __name__, "_FormatDialect")
    yield


def test_a_literal_percent_reaches_a_format_style_driver_unsubstituted(tmp_path, format_driver):
    """Like Airflow's DbApiHook (``cur.execute(sql)`` without parameters), a statement without parameters is
    handed to the driver alone: a psycopg2/pymysql-style driver then leaves ``'%ab%'`` as it is."""
    engine = sqlalchemy.create_engine(f"formatlite:///{tmp_path / 'w.db'}")
    with engine.begin() as con:
        con.exec_driver_sql("create table t (name varchar)")
        con.exec_driver_sql("insert into t values ('xaby'), ('zz')")
    engine.dispose()
    connection = SqlConnection(conn_id="warehouse", value=f"formatlite:///{tmp_path / 'w.db'}")
    assert connection.run([LIKE, "select 1"]) == [[(1,)], [(1,)]]
    assert connection.run("select count(*) from t where name like %s", parameters=["%ab%"]) == [[(1,)]]
