"""A modernized DAG's SQL on a DuckDB connection takes dagster-duckdb's ``DuckDBResource`` (codegen/modern.py,
run for real in test_modernize_sql_checks.py). Here: how the connection's type is known (``modernize`` records
it from the environment the gates run the Dagster side in), the setting the resource reads (``<ID>_DATABASE``,
given by the runtime and the gates from the connection they define) and the generated README naming it."""

from __future__ import annotations

import json
from pathlib import Path

from converters.convert import convert_project
from converters.flow import load_plan
from converters.ledger import state as migration_state
from converters.migrate import _connections_used
from converters.plan import find_dag
from converters.runtime.connections import connection_types, native_settings

DAG = """
from datetime import datetime

from airflow import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator

with DAG("totals", schedule="@daily", start_date=datetime(2024, 1, 1)):
    SQLExecuteQueryOperator(
        task_id="rebuild", conn_id="warehouse", sql="create or replace table totals as select 1 as n"
    )
"""

ENV = {
    "AIRFLOW_CONN_WAREHOUSE": json.dumps({"conn_type": "duckdb", "host": "/data/warehouse.duckdb"}),
    "AIRFLOW_CONN_LAKE": json.dumps({"conn_type": "duckdb", "extra": {"path": "/data/lake.duckdb"}}),
    "AIRFLOW_CONN_ORDERS_DB": "postgres://user:secret@db.internal:5432/orders",
    "AIRFLOW_CONN_BROKEN": "{not json",
    "WAREHOUSE_PATH": "/data/warehouse.duckdb",
}


def test_each_connection_the_environment_defines_has_its_type():
    assert connection_types(ENV) == {"lake": "duckdb", "orders_db": "postgres", "warehouse": "duckdb"}


def test_a_duckdb_connection_gives_its_file_as_the_resources_setting():
    assert native_settings(ENV) == {
        "LAKE_DATABASE": "/data/lake.duckdb",
        "WAREHOUSE_DATABASE": "/data/warehouse.duckdb",
    }
    # a deployment that sets the variable itself keeps its value
    assert "WAREHOUSE_DATABASE" not in native_settings({**ENV, "WAREHOUSE_DATABASE": "/elsewhere.duckdb"})


def test_modernize_records_the_types_of_the_connections_the_dag_uses(tmp_path: Path):
    dags = tmp_path / "airflow_dags"
    dags.mkdir()
    (dags / "totals.py").write_text(DAG)
    planned = find_dag(load_plan(dags), "totals")
    assert _connections_used(planned, connection_types(ENV)) == {"warehouse": "duckdb"}


def test_the_readme_names_the_setting_and_the_location_builds_the_resource_from_it(tmp_path: Path):
    dags = tmp_path / "airflow_dags"
    dags.mkdir()
    (dags / "totals.py").write_text(DAG)
    migration_state.record_decommissioned(dags, "totals", {"file": "totals.py"})
    migration_state.record_modernized(dags, "totals", {"checks": [], "connections": {"warehouse": "duckdb"}})
    assert convert_project(dags, tmp_path / "defs", use_cache=False).generated.problems == []
    readme = (tmp_path / "defs" / "README.md").read_text()
    assert "- `WAREHOUSE_DATABASE`: the DuckDB file of Airflow's connection `warehouse`" in readme
    definitions = (tmp_path / "defs" / "definitions.py").read_text()
    assert '"duckdb_warehouse": DuckDBResource(database=dg.EnvVar("WAREHOUSE_DATABASE")),' in definitions
    assert "SqlConnection" not in definitions  # no task takes the Airflow connection's resource any more
    pyproject = (tmp_path / "defs" / "pyproject.toml").read_text()
    assert '"dagster-duckdb==' in pyproject
