"""Airflow's connections as the Dagster side's processes get them (``AIRFLOW_CONN_<ID>``, a URI or Airflow's
JSON), and the settings a modernized module's integration resources take instead.

A modernized DAG whose SQL runs on a DuckDB connection takes dagster-duckdb's ``DuckDBResource``, configured
with its database file from ``<ID>_DATABASE`` (``codegen/modern.py``), no longer from Airflow's connection. The
runtime and the gates give the Dagster side that variable from the connection they already define, so one
environment still configures both sides while Airflow runs; a deployment sets it as its own setting.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from converters.codegen.modern import database_variable
from converters.codegen.support.templates import parse_connection

PREFIX = "AIRFLOW_CONN_"


def _connections(env: Mapping[str, str]) -> Iterator[tuple[str, Any]]:
    """(connection id, lower-cased as Airflow looks ids up; the connection) for every one ``env`` defines whose
    value can be read (one that cannot keeps its tasks on the resource that reads it when they run)."""
    for name, value in sorted(env.items()):
        if name.startswith(PREFIX):
            conn_id = name.removeprefix(PREFIX).lower()
            try:
                yield conn_id, parse_connection(conn_id, value)
            except Exception:  # noqa: BLE001 - any unreadable value: nothing is known of it
                continue


def connection_types(env: Mapping[str, str]) -> dict[str, str]:
    """Connection id -> its type (``duckdb``, ``postgres``...), for every connection ``env`` defines."""
    return {conn_id: str(conn.conn_type).lower() for conn_id, conn in _connections(env) if conn.conn_type}


def native_settings(env: Mapping[str, str]) -> dict[str, str]:
    """The variables the integration resources of modernized modules read, from the connections ``env``
    defines: ``<ID>_DATABASE``, the file of each DuckDB connection (its host, else its extra's ``path``, as
    ``SqlConnection`` opens it). A variable ``env`` sets already is not given again."""
    settings = {}
    for conn_id, conn in _connections(env):
        database = conn.host or conn.extra_dejson.get("path")
        if str(conn.conn_type).lower() == "duckdb" and database and database_variable(conn_id) not in env:
            settings[database_variable(conn_id)] = str(database)
    return settings
