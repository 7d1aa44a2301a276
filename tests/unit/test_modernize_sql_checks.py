"""`modernize` (codegen/modern.py): the common.sql check operators written as ``@dg.asset_check`` on the asset
they check, and full-refresh assets written without the DAG's partitions. The modern module is generated from a
small DAG and run for real (DuckDB in tmp_path): in one run the checks pass on good data and fail on bad data,
a failed blocking check stopping the assets after it; through the gates' own runner (``gates/runner.py``, a
partition-tagged run per asset) the unpartitioned asset materializes with the partitioned ones."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from converters.codegen import modern
from converters.codegen.project import expected_assets
from converters.convert import convert_project
from converters.flow import load_plan
from converters.gates.graph import read_graph
from converters.gates.runner import run_dag
from converters.ledger import state as migration_state
from converters.migrate import _quality_checks
from converters.plan import find_dag
from tests.unit.generated import answer_of

DAG_FILE = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator
from airflow.providers.common.sql.operators.sql import (
    SQLCheckOperator,
    SQLColumnCheckOperator,
    SQLExecuteQueryOperator,
    SQLTableCheckOperator,
    SQLValueCheckOperator,
)


def publish(ds):
    return f"published {ds}"


def rebuild(source):
    return f"rebuilt from {source}"


with DAG("orders", schedule="@daily", start_date=datetime(2024, 1, 1)):
    load = SQLExecuteQueryOperator(
        task_id="load",
        conn_id="wh",
        sql="delete from orders where ds = '{{ ds }}'; insert into orders select * from staging where ds = '{{ ds }}'",
    )
    landed = SQLCheckOperator(task_id="landed", conn_id="wh", sql="select count(*) from orders where ds = '{{ ds }}'")
    value = SQLValueCheckOperator(
        task_id="value",
        conn_id="wh",
        sql="select sum(amount) from orders where ds = '{{ ds }}'",
        pass_value=10,
        tolerance=0.5,
    )
    cols = SQLColumnCheckOperator(
        task_id="cols",
        conn_id="wh",
        table="orders",
        column_mapping={"amount": {"null_check": {"equal_to": 0}, "min": {"geq_to": 0}}},
        partition_clause="ds = '{{ ds }}'",
    )
    table = SQLTableCheckOperator(
        task_id="table", conn_id="wh", table="orders", checks={"positive": {"check_statement": "amount > 0"}}
    )
    published = PythonOperator(task_id="publish", python_callable=publish)
    rebuilt = PythonOperator(task_id="rebuild", python_callable=rebuild, op_kwargs={"source": "orders"})
    listed = BashOperator(task_id="list", bash_command="echo all orders")
    summary = SQLExecuteQueryOperator(
        task_id="summary", conn_id="wh", sql="create or replace table totals as select count(*) as n from orders"
    )
    load >> [landed, value, cols, table, published, rebuilt]
    landed >> [published, rebuilt]
    rebuilt >> [published, listed, summary]
"""
CHECKS = ("landed", "value", "cols", "table")


def generate(
    root: Path, text: str = DAG_FILE, checks: tuple[str, ...] = CHECKS, connections: dict[str, str] | None = None
) -> str:
    """The modern module of ``text``; ``connections``: the connection types `modernize` recorded."""
    dags = root / "airflow_dags"
    dags.mkdir(exist_ok=True)
    (dags / "orders.py").write_text(text)
    migration_state.record_decommissioned(dags, "orders", {"file": "orders.py"})
    migration_state.record_modernized(dags, "orders", {"checks": list(checks), "connections": connections or {}})
    result = convert_project(dags, root / "dagster_defs", use_cache=False)
    assert result.generated.problems == []  # ruff-clean
    return (root / "dagster_defs" / "dags" / "orders.py").read_text()


def above(text: str, function: str) -> str:
    """What the module writes for ``function`` up to its ``def``: its comment and decorator."""
    end = text.index(f"\ndef {function}(")
    return text[text.rindex("\n\n\n", 0, end) : end]


def planned(root: Path):
    return find_dag(load_plan(root / "airflow_dags"), "orders")


def choices(root: Path) -> dict[str, modern.Choice]:
    dag = planned(root)
    return {t.task.task_id: modern.choose(dag, t) for t in dag.tasks}


# -- what is written ----------------------------------------------------------------------------------------


def test_each_sql_check_operator_becomes_an_asset_check_on_the_asset_it_checks(tmp_path: Path):
    text = generate(tmp_path)
    found = choices(tmp_path)
    assert {tid: c.kind for tid, c in found.items() if tid in CHECKS} == dict.fromkeys(CHECKS, "check")
    assert {tid: found[tid].blocking for tid in CHECKS} == {
        "landed": True,
        "value": False,
        "cols": False,
        "table": False,
    }
    assert all(found[tid].target == ("orders", "load") for tid in CHECKS)
    # on load, written modern above them (its function), each named as its task
    assert "@dg.asset_check(asset=load, blocking=True, partitions_def=PARTITIONS)" in text
    assert "def landed(context: dg.AssetCheckExecutionContext, sql_wh: SqlConnection):" in text
    assert "sql = f\"select count(*) from orders where ds = '{context.partition_key}'\"" in text
    assert 'rows = sql_wh.run(sql, log=context.log)[-1]\n    return first_row_check("landed", sql, rows)' in text
    assert 'return value_check("value", sql, rows, 10, 0.5)' in text
    assert 'sql = column_check_sql("orders", mapping, f"ds = \'{context.partition_key}\'")' in text
    assert 'return column_check("cols", sql, rows, mapping, accept_none=True)' in text
    assert 'sql = table_check_sql("orders", checks, None)' in text
    assert 'return table_check("table", sql, rows, checks, accept_none=False)' in text
    # one import of the providers (the faithful load imports none), no Airflow context in the checks
    assert text.count("from ..support.providers import") == 1
    assert "CHECKS = [landed, value, cols, table]" in text
    assert 'dg.AssetKey(["orders", "landed"])' not in text  # nothing depends on a check


def test_the_gates_and_smoke_tests_see_sql_checks_as_checks(tmp_path: Path):
    generate(tmp_path)
    dag = planned(tmp_path)
    assert modern.check_tasks(dag) == {("orders", tid): ("orders", "load") for tid in CHECKS}
    assert ("orders", "landed") not in expected_assets(dag)
    assert expected_assets(dag)[("orders", "publish")] == [("orders", "load"), ("orders", "rebuild")]


def test_a_sql_check_with_gate_evidence_that_it_wrote_nothing_is_chosen_by_modernize(tmp_path: Path):
    generate(tmp_path, checks=())
    dag = planned(tmp_path)
    ran = {"status": "pass", "evidence": {}}
    nothing = {"status": "n/a", "evidence": {"tables": []}}
    wrote = {"status": "pass", "evidence": {"tables": [{"table": "orders"}]}}
    latest = {("orders", tid): {4: ran, 5: nothing} for tid in ("landed", "value", "cols", "table", "publish")}
    latest[("orders", "load")] = {4: ran, 5: wrote}
    assert _quality_checks(dag, latest) == ["landed", "value", "cols", "table"]
    found = choices(tmp_path)
    assert found["landed"].kind == "faithful" and "no gate evidence" in found["landed"].why


@pytest.mark.parametrize(
    "old, new, why",
    [
        (
            "sql=\"select count(*) from orders where ds = '{{ ds }}'\")",
            'sql="checks/landed.sql")',
            "template file",
        ),
        ("where ds = '{{ ds }}'\")", "where ds = '{{ macros.ds_add(ds, 1) }}'\")", "templates other than ds"),
        ('conn_id="wh", sql="select count(*)', 'conn_id="wh", parameters=[1], sql="select count(*)', "parameters"),
        ("landed >> [published, rebuilt]", "landed >> published", "rebuild follows orders/load but not this task"),
    ],
)
def test_what_is_not_provably_the_same_check_stays_faithful(tmp_path: Path, old: str, new: str, why: str):
    assert old in DAG_FILE
    text = generate(tmp_path, DAG_FILE.replace(old, new, 1))
    landed = choices(tmp_path)["landed"]
    assert landed.kind == "faithful" and why in landed.why, landed.why
    assert f"# kept faithful: {landed.why[:60]}" in text  # (a long note is wrapped)


def test_a_full_refresh_has_no_partitions_and_what_reads_the_date_keeps_them(tmp_path: Path):
    text = generate(tmp_path)
    dag = planned(tmp_path)
    by_id = {t.task.task_id: t for t in dag.tasks}
    assert modern.full_refresh(dag, by_id["rebuild"]) and modern.full_refresh(dag, by_id["list"])
    assert not modern.full_refresh(dag, by_id["publish"])  # its ds parameter is the partition
    assert not modern.full_refresh(dag, by_id["load"])  # its statements read the partition's ds
    assert modern.full_refresh(dag, by_id["summary"])  # create or replace, no date
    assert "partitions_def" not in above(text, "summary")
    rebuild = above(text, "rebuild")
    assert "# unpartitioned: its work reads no date (a full refresh), so a backfill runs it once" in rebuild
    assert "partitions_def" not in rebuild and '"partitions_def"' not in text  # nor in SHARED
    publish = above(text, "publish")
    assert "partitions_def=PARTITIONS" in publish


@pytest.mark.parametrize(
    "old, new",
    [
        ('return f"rebuilt from {source}"', 'import os\n    return os.environ["AIRFLOW_CTX_EXECUTION_DATE"]'),
        ('op_kwargs={"source": "orders"}', 'op_kwargs={"source": "{{ ds }}"}'),
        ('op_kwargs={"source": "orders"})', 'op_kwargs={"source": "orders"}, depends_on_past=True)'),
    ],
)
def test_a_task_that_may_read_the_date_stays_partitioned(tmp_path: Path, old: str, new: str):
    assert old in DAG_FILE
    text = generate(tmp_path, DAG_FILE.replace(old, new, 1))
    dag = planned(tmp_path)
    rebuild = next(t for t in dag.tasks if t.task.task_id == "rebuild")
    assert not modern.full_refresh(dag, rebuild)
    assert "unpartitioned" not in above(text, "rebuild")


def test_a_check_on_a_full_refresh_has_no_partitions(tmp_path: Path):
    text = DAG_FILE.replace(
        "landed >> [published, rebuilt]",
        "landed >> [published, rebuilt]\n"
        '    audit = SQLCheckOperator(task_id="audit", conn_id="wh", sql="select count(*) from orders")\n'
        "    rebuilt >> audit",
    )
    module = generate(tmp_path, text, checks=(*CHECKS, "audit"))
    audit = above(module, "audit")
    assert "asset=rebuild" in audit and "partitions_def" not in audit  # rebuild is written modern above it


# -- run for real ---------------------------------------------------------------------------------------------

RUN = """
import json, os, sys
import dagster as dg, duckdb
from dagster_defs import definitions
from dagster_defs.dags import orders

dg.Definitions.validate_loadable(definitions.defs)
def stage(rows):
    with duckdb.connect(os.environ["WAREHOUSE"]) as con:
        con.execute("delete from staging")
        con.executemany("insert into staging values (?, ?)", rows)
def run():
    result = dg.materialize(
        [*orders.ASSETS, *orders.CHECKS], partition_key="2024-03-05", resources=definitions.RESOURCES,
        raise_on_error=False,
    )
    return {
        "ok": result.success,
        "checks": dict(sorted((e.check_name, e.passed) for e in result.get_asset_check_evaluations())),
        "materialized": sorted("/".join(e.asset_key.path) for e in result.get_asset_materialization_events()),
    }
stage([("2024-03-05", 4), ("2024-03-05", 6)])
good = run()
with duckdb.connect(os.environ["WAREHOUSE"]) as con:
    totals = [list(row) for row in con.execute("select n from totals").fetchall()]
stage([("2024-03-04", 4)])
bad = run()
print(json.dumps({"good": good, "bad": bad, "totals": totals}))
"""


def warehouse(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table staging (ds varchar, amount int)")
        con.execute("create table orders (ds varchar, amount int)")
    return path, {"AIRFLOW_CONN_WH": json.dumps({"conn_type": "duckdb", "host": str(path)}), "WAREHOUSE": str(path)}


def test_the_checks_pass_on_good_data_and_a_failed_blocking_one_stops_what_follows(tmp_path: Path):
    generate(tmp_path)
    path, env = warehouse(tmp_path)
    package = tmp_path / "dagster_defs"
    answer = answer_of(package, RUN, env=env)
    everything = ["orders/list", "orders/load", "orders/publish", "orders/rebuild", "orders/summary"]
    assert answer["good"] == {"ok": True, "checks": dict.fromkeys(sorted(CHECKS), True), "materialized": everything}
    assert answer["totals"] == [[2]], "summary's create or replace ran on the day's two rows"
    # no row for the day: SQLCheckOperator's count is 0 (falsy), the sum is NULL, the table is empty; no NULL and
    # no negative amount in the day's (empty) column passes, as SQLColumnCheckOperator's accept_none does
    assert answer["bad"]["checks"] == {"cols": True, "landed": False, "table": False, "value": False}
    assert answer["bad"]["materialized"] == ["orders/load"], "the blocking check stopped what follows load"
    assert answer["bad"]["ok"] is False


def test_on_a_duckdb_connection_the_sql_runs_through_dagster_duckdbs_resource_alike(tmp_path: Path):
    """`modernize` saw `wh` is a DuckDB connection: every modern SQL task and check takes ``DuckDBResource``,
    configured from ``WH_DATABASE`` (no Airflow connection is read), and judges the same rows the same way."""
    text = generate(tmp_path, connections={"wh": "duckdb"})
    assert "from dagster_duckdb import DuckDBResource\n" in text and "SqlConnection" not in text
    assert "def load(context: dg.AssetExecutionContext, duckdb_wh: DuckDBResource):" in text
    assert "def landed(context: dg.AssetCheckExecutionContext, duckdb_wh: DuckDBResource):" in text
    assert "with duckdb_wh.get_connection() as conn:\n        rows = conn.execute(sql).fetchall()" in text
    definitions = (tmp_path / "dagster_defs" / "definitions.py").read_text()
    assert '"duckdb_wh": DuckDBResource(database=dg.EnvVar("WH_DATABASE")),' in definitions
    path, env = warehouse(tmp_path)
    env = {"WH_DATABASE": str(path), "WAREHOUSE": str(path)}  # no AIRFLOW_CONN_WH: nothing reads it
    answer = answer_of(tmp_path / "dagster_defs", RUN, env=env)
    everything = ["orders/list", "orders/load", "orders/publish", "orders/rebuild", "orders/summary"]
    assert answer["good"] == {"ok": True, "checks": dict.fromkeys(sorted(CHECKS), True), "materialized": everything}
    assert answer["totals"] == [[2]]
    assert answer["bad"]["checks"] == {"cols": True, "landed": False, "table": False, "value": False}
    assert answer["bad"]["materialized"] == ["orders/load"]


def test_a_connection_of_another_type_keeps_sqlconnection(tmp_path: Path):
    text = generate(tmp_path, connections={"wh": "postgres"})
    assert "def load(context: dg.AssetExecutionContext, sql_wh: SqlConnection):" in text
    assert "DuckDBResource" not in text + (tmp_path / "dagster_defs" / "definitions.py").read_text()


def test_the_gates_runner_materializes_the_unpartitioned_asset_in_its_partitioned_run(tmp_path: Path):
    generate(tmp_path)
    path, env = warehouse(tmp_path)
    with duckdb.connect(str(path)) as con:
        con.execute("insert into staging values ('2024-03-05', 4), ('2024-03-05', 6)")
    package = tmp_path / "dagster_defs"
    graph = read_graph(package, env)["orders"]
    assert graph["checks"]["landed"] == {"asset": ["orders", "load"], "name": "landed", "blocking": True}
    outcome = run_dag(
        package,
        graph["module"],
        dagster_home=tmp_path / "home",
        env=env,
        date="2024-03-05",
        keys=graph["order"],
        warehouse=path,
        paths=[],
    )
    assert outcome["error"] == ""
    runs = {"/".join(a["key"]): a for a in outcome["assets"]}
    assert sorted(runs) == ["orders/list", "orders/load", "orders/publish", "orders/rebuild", "orders/summary"]
    for key, run in runs.items():
        assert run["success"] and run["materialized"] and run["second"]["success"], (key, run["error"])
    assert sorted((c["name"], c["passed"]) for c in runs["orders/load"]["checks"]) == [
        (name, True) for name in sorted(CHECKS)
    ]
    assert runs["orders/load"]["tables"] == ["main.orders"]


def test_an_asset_whose_check_reads_the_partition_keeps_its_partitions(tmp_path: Path):
    text = DAG_FILE.replace(
        "def rebuild(source):",
        "def verify(ds):\n    assert ds\n\n\ndef rebuild(source):",
    ).replace(
        "landed >> [published, rebuilt]",
        "landed >> [published, rebuilt]\n"
        '    verified = PythonOperator(task_id="verify", python_callable=verify)\n'
        "    rebuilt >> verified",
    )
    module = generate(tmp_path, text, checks=(*CHECKS, "verify"))
    assert choices(tmp_path)["verify"].target == ("orders", "rebuild")
    dag = planned(tmp_path)
    assert not modern.full_refresh(dag, next(t for t in dag.tasks if t.task.task_id == "rebuild"))
    verify = above(module, "verify")
    assert "partitions_def=PARTITIONS" in verify


# -- SQL operators that write ---------------------------------------------------------------------------------


def test_a_sql_operator_that_writes_runs_its_statements_through_its_connection_without_airflow(tmp_path: Path):
    text = generate(tmp_path)
    found = choices(tmp_path)
    assert found["load"].kind == "asset" and found["summary"].kind == "asset"
    assert "def load(context: dg.AssetExecutionContext, sql_wh: SqlConnection):" in text
    assert "f\"delete from orders where ds = '{context.partition_key}'; insert into orders" in text
    assert (
        "def summary(context: dg.AssetExecutionContext, sql_wh: SqlConnection):\n"
        '    sql_wh.run("create or replace table totals as select count(*) as n from orders", log=context.log)'
    ) in text
    for airflow in ("render(", "task_context", "load_logic", "call_python", "kept faithful"):
        assert airflow not in text, airflow


@pytest.mark.parametrize(
    "old, new, why",
    [
        (
            'sql="create or replace table totals as select count(*) as n from orders"',
            'sql="sql/totals.sql"',
            "template file",
        ),
        (
            'select count(*) as n from orders"',
            "select count(*) as n from orders where ds <= '{{ macros.ds_add(ds, 1) }}'\"",
            "templates other than ds",
        ),
        ('conn_id="wh", sql="create', 'conn_id="wh", database="analytics", sql="create', "database"),
        ('conn_id="wh", sql="create', 'conn_id="wh", parameters={"d": "{{ ds }}"}, sql="create', "parameters"),
    ],
)
def test_a_sql_operator_not_provably_the_same_stays_faithful(tmp_path: Path, old: str, new: str, why: str):
    assert old in DAG_FILE
    (tmp_path / "airflow_dags" / "sql").mkdir(parents=True)  # what Airflow reads for sql="sql/totals.sql"
    (tmp_path / "airflow_dags" / "sql" / "totals.sql").write_text("create or replace table totals as select 1 as n")
    text = generate(tmp_path, DAG_FILE.replace(old, new, 1))
    summary = choices(tmp_path)["summary"]
    assert summary.kind == "faithful" and why in summary.why, summary.why
    assert f"# kept faithful: {summary.why[:60]}" in text


def test_a_sql_operator_that_adds_rows_keeps_the_partitions_though_it_reads_no_date(tmp_path: Path):
    """An insert run once a day adds a day's rows: one run for a backfill of many days would add them once."""
    old = '"create or replace table totals as select count(*) as n from orders"'
    text = generate(tmp_path, DAG_FILE.replace(old, '"insert into totals select count(*) from orders"', 1))
    dag = planned(tmp_path)
    summary = next(t for t in dag.tasks if t.task.task_id == "summary")
    assert choices(tmp_path)["summary"].kind == "asset" and not modern.full_refresh(dag, summary)
    assert "unpartitioned" not in above(text, "summary")
