"""Data lineage (plan/lineage.py): the tables tasks write, joined to the dbt sources and Datasets that read them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from converters.codegen.render import render_dag_module
from converters.inventory.project import scan_project
from converters.plan import Plan, plan_project
from converters.plan.lineage import dataset_table, sql_tables_read, sql_tables_written

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ("insert into mart.daily select 1", ["mart.daily"]),
        ("INSERT INTO Raw.Orders (a, b) VALUES (?, ?)", ["raw.orders"]),
        ("create or replace table raw.customers (id integer)", ["raw.customers"]),
        ("create table if not exists mart.t as select 1", ["mart.t"]),
        ("create transient table db.s.t as select 1", ["db.s.t"]),
        ("merge into dw.dim using stage on 1 = 1 when matched then delete", ["dw.dim"]),
        ("copy into raw.events from @stage", ["raw.events"]),
        ("insert overwrite table hive_db.facts select 1", ["hive_db.facts"]),
        ('insert into "Sales"."Orders" select 1', ["sales.orders"]),
        ("-- insert into commented.out\ndelete from a.b; insert into a.b select 1", ["a.b"]),
        ("insert into {{ params.table }} select 1", []),  # templated: never guessed
        ("insert into mart.{{ params.table }} select 1", []),
        ('insert into "{{params.table}}" select 1', []),
        ("create temporary table scratch as select 1", []),  # a temporary table is nobody's data
        ("select * from raw.orders", []),
        ("copy into @unload from raw.orders", []),
    ],
)
def test_sql_tables_written(sql, tables):
    assert sql_tables_written(sql) == tables


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ("select * from raw.orders o join ref.fx_rates fx on fx.ds = o.ds", ["raw.orders", "ref.fx_rates"]),
        ("with recent as (select 1) select * from recent", []),  # unqualified: maybe a CTE, never taken
        ("delete from mart.t where ds = '{{ ds }}'", []),  # delete writes
        ("insert into mart.t select * from (select * from raw.a) x", ["raw.a"]),
        ("select * from raw.{{ params.t }}", []),
    ],
)
def test_sql_tables_read(sql, tables):
    assert sql_tables_read(sql) == tables


@pytest.mark.parametrize(
    ("uri", "table"),
    [
        ("postgres://db:5432/shop/public/orders", "public.orders"),
        ("bigquery://project/dataset/table", "dataset.table"),
        ("duckdb://warehouse/mart/daily_revenue", "mart.daily_revenue"),
        ("snowflake://account/db.schema.table", "schema.table"),
        ("s3://bucket/raw/orders.csv", None),  # a file, not a table
        ("postgres://db/orders", None),  # no schema: not matched
        ("postgres://db/{{ ds }}/orders", None),
    ],
)
def test_dataset_table(uri, table):
    assert dataset_table(uri) == table


LOADERS = """
from datetime import datetime

from airflow import DAG
from airflow.datasets import Dataset
from airflow.operators.python import PythonOperator
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator


def load_customers(con):
    con.execute("create or replace table raw.customers as select 1 as id")


def load_named(con, table):
    con.execute(f"insert into {table} select 1")


with DAG("loaders", schedule="@daily", start_date=datetime(2024, 1, 1)):
    SQLExecuteQueryOperator(
        task_id="load_orders", conn_id="wh", sql=["delete from raw.orders", "insert into raw.orders select 1"]
    )
    PythonOperator(task_id="load_customers", python_callable=load_customers)
    PythonOperator(task_id="load_named", python_callable=load_named, op_kwargs={"table": "raw.named"})
    PythonOperator(task_id="publish_fx", python_callable=print, outlets=[Dataset("postgres://wh/db/ref/fx")])
    SQLExecuteQueryOperator(task_id="shared_a", conn_id="wh", sql="insert into raw.shared select 1")
    SQLExecuteQueryOperator(task_id="shared_b", conn_id="wh", sql="insert into raw.shared select 2")
    SQLExecuteQueryOperator(
        task_id="templated", conn_id="wh", sql="insert into raw.{{ params.t }} select 1", params={"t": "x"}
    )
"""

DBT = """
from datetime import datetime
from pathlib import Path

from airflow import DAG
from airflow.datasets import Dataset
from airflow.operators.python import PythonOperator
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from cosmos import DbtTaskGroup, ProfileConfig, ProjectConfig

PROJECT = Path(__file__).parent / "dbt" / "shop"

with DAG("models", schedule="@daily", start_date=datetime(2024, 1, 1)):
    transform = DbtTaskGroup(
        group_id="transform",
        project_config=ProjectConfig(PROJECT),
        profile_config=ProfileConfig(
            profile_name="shop", target_name="dev", profiles_yml_filepath=PROJECT / "profiles.yml"
        ),
    )
    # Runs after the models: taking it as a source's loader would make the asset graph a cycle.
    export = SQLExecuteQueryOperator(task_id="export", conn_id="wh", sql="insert into raw.late select 1")
    reader = PythonOperator(task_id="reader", python_callable=print, inlets=[Dataset("postgres://wh/db/ref/fx")])
    report = SQLExecuteQueryOperator(
        task_id="report", conn_id="wh", sql="insert into mart.report select * from raw.orders join raw.late using (id)"
    )
    transform >> export
    transform >> [report, reader]
"""


def _plan(tmp_path: Path) -> Plan:
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "loaders.py").write_text(LOADERS)
    (dags / "models.py").write_text(DBT)
    return plan_project(scan_project(dags, use_cache=False))


def _task(plan: Plan, dag_id: str, task_id: str):
    dag = next(d for d in plan.dags if d.dag.dag_id == dag_id)
    return next(t for t in dag.tasks if t.task.task_id == task_id)


def test_tasks_record_the_tables_they_write(tmp_path):
    plan = _plan(tmp_path)
    written = {t.task.task_id: t.tables for d in plan.dags for t in d.tasks}
    assert written["load_orders"] == ["raw.orders"]  # from the operator's literal SQL
    assert written["load_customers"] == ["raw.customers"]  # from the callable's literal SQL
    assert written["publish_fx"] == ["ref.fx"]  # from a table-shaped Dataset outlet
    assert written["load_named"] == [] and written["templated"] == []  # names known only at run time


def test_dbt_sources_resolve_to_the_one_task_that_writes_them(tmp_path):
    plan = _plan(tmp_path)
    sources = _task(plan, "models", "transform").translation.dbt["sources"]
    assert sources["raw.orders"] == ["loaders", "load_orders"]
    assert sources["raw.customers"] == ["loaders", "load_customers"]
    assert sources["ref.fx"] == ["loaders", "publish_fx"]
    assert "raw.shared" not in sources  # two writers: no single asset stands for the table
    assert "raw.late" not in sources  # written after the group: a cycle
    module = render_dag_module(next(d for d in plan.dags if d.dag.dag_id == "models"))
    assert "sources={" in module and '"raw.orders": ["loaders", "load_orders"]' in module


def test_inlets_depend_on_the_producing_asset(tmp_path):
    plan = _plan(tmp_path)
    reader = _task(plan, "models", "reader")
    assert reader.automation is None and ("loaders", "publish_fx") in [d.value for d in reader.deps]


def test_a_written_table_is_the_assets_table_name(tmp_path):
    plan = _plan(tmp_path)
    module = render_dag_module(next(d for d in plan.dags if d.dag.dag_id == "loaders"))
    assert '"dagster/table_name": "raw.orders"' in module


def test_example_estate_asset_graph_joins_dbt_sources_and_datasets_to_their_producers(tmp_path):
    """The committed dagster_defs/ loaded in-process: the dbt models depend on the assets of the tasks that load
    their sources, and the Dataset-scheduled DAG on the asset that publishes its Dataset."""
    script = (
        "import json, dagster_defs.definitions as d\n"
        "graph = d.defs.resolve_asset_graph()\n"
        "print(json.dumps({k.to_user_string(): sorted(p.to_user_string() for p in graph.get(k).parent_keys)"
        " for k in graph.get_all_asset_keys()}))\n"
    )
    env = {**os.environ, "WAREHOUSE_PATH": str(tmp_path / "w.duckdb"), "DBT_TARGET_ROOT": str(tmp_path / "dbt")}
    env.pop("AIRFLOW_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    parents = json.loads(done.stdout.strip().splitlines()[-1])
    assert "orders_daily/load_orders" in parents["staging/stg_orders"]
    assert "shop_dbt/load_customers" in parents["staging/stg_customers"]
    assert "orders_daily/load_fx_rates" in parents["marts/fct_orders"]
    assert "orders_daily/build_daily_revenue" in parents["revenue_dashboard/refresh_revenue_by_store"]
    assert not {"raw/orders", "raw/customers", "ref/fx_rates"} & set(parents)  # no source stands alone


def test_a_task_depends_on_the_other_dags_task_that_writes_a_table_it_reads(tmp_path):
    plan = _plan(tmp_path)
    deps = [d.value for d in _task(plan, "models", "report").deps]
    assert ("loaders", "load_orders") in deps  # raw.orders: written by one task of another DAG
    assert ("models", "export") not in deps  # raw.late: the same DAG orders its tasks (Airflow's edges)


def test_a_dataset_scheduled_asset_follows_its_dataset_and_no_table_it_reads(tmp_path):
    """A Dataset-scheduled DAG's first assets depend on the producing asset and are eager: a dependency on a
    table's loader would run them whenever that table changed, which Airflow does not do."""
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "loaders.py").write_text(LOADERS)
    (dags / "follower.py").write_text(
        "from datetime import datetime\n"
        "from airflow import DAG\n"
        "from airflow.datasets import Dataset\n"
        "from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator\n"
        'with DAG("follower", schedule=[Dataset("postgres://wh/db/ref/fx")], start_date=datetime(2024, 1, 1)):\n'
        '    SQLExecuteQueryOperator(task_id="first", conn_id="wh", sql="select * from raw.orders")\n'
    )
    plan = plan_project(scan_project(dags, use_cache=False))
    first = _task(plan, "follower", "first")
    assert first.automation == "eager"
    assert [d.value for d in first.deps] == [("loaders", "publish_fx")]  # its Dataset, not raw.orders' loader
