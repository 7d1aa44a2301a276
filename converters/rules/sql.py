"""SQL execution: SQLExecuteQueryOperator and the vendor SQL operators."""

from __future__ import annotations

from converters.inventory import ir
from converters.inventory.operators import canonical
from converters.rules.base import (
    JUDG,
    MECH,
    NONE,
    Rule,
    TaskInput,
    Translation,
    Untranslatable,
    template_xcoms,
)
from converters.rules.connections import connect, connect_at_run_time, literal_conn_id

# operator class -> (connection argument, Airflow's default connection id)
SQL_CONNECTIONS = {
    "SQLExecuteQueryOperator": ("conn_id", None),
    "PostgresOperator": ("postgres_conn_id", "postgres_default"),
    "MySqlOperator": ("mysql_conn_id", "mysql_default"),
    "SqliteOperator": ("sqlite_conn_id", "sqlite_default"),
    "MsSqlOperator": ("mssql_conn_id", "mssql_default"),
    "OracleOperator": ("oracle_conn_id", "oracle_default"),
    "SnowflakeOperator": ("snowflake_conn_id", "snowflake_default"),
    "SnowflakeSqlApiOperator": ("snowflake_conn_id", "snowflake_default"),
    "RedshiftSQLOperator": ("redshift_conn_id", "redshift_default"),
    "TrinoOperator": ("trino_conn_id", "trino_default"),
    "TeradataOperator": ("teradata_conn_id", "teradata_default"),
    "VerticaOperator": ("vertica_conn_id", "vertica_default"),
}
# canonical operator -> (connection argument, Airflow's default connection id)
SQL_OPERATORS = dict(zip(canonical(*SQL_CONNECTIONS), SQL_CONNECTIONS.values(), strict=True))


class Sql(Rule):
    """What it does: runs the operator's SQL through a connection resource, rendered like Airflow renders it.

    Why: the statements are the task. They run in order in one session through ``SqlConnection``, which picks
    the driver from the connection type of ``AIRFLOW_CONN_<CONN_ID>`` (the variable Airflow reads too), so
    no credential is written in code. ``.sql`` file names are read from the DAG's folder, as Airflow does.
    A connection id computed by code (``conn_id=Variable.get("db_conn")``) is that code's value when the asset
    runs, and its ``AIRFLOW_CONN_<CONN_ID>`` is read then (JUDG: the resource is not declared ahead).

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator

    with DAG("marts", schedule="@daily", start_date=datetime(2024, 1, 1)):
        SQLExecuteQueryOperator(
            task_id="daily_totals",
            conn_id="warehouse",
            sql=["delete from totals where ds = '{{ ds }}'", "insert into totals select '{{ ds }}', 1"],
        )
    ```

    Becomes:
    ```python
    # marts.py:7 · task daily_totals · rule sql.execute · MECH
    @task_asset(
        DAG,
        "daily_totals",
        key=["marts", "daily_totals"],
        group_name="marts",
        kinds={"sql"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "marts.py:7",
            "airflow/task_id": "daily_totals",
            "airflow/operator": "airflow.providers.common.sql.operators.sql.SQLExecuteQueryOperator",
            "airflow/rule": "sql.execute",
            "airflow/disposition": "MECH",
            "airflow/reason": "the statements run through the connection's driver",
            "dagster/table_name": "totals",
            "airflow/tables_written": ["totals"],
        },
    )
    def daily_totals(context: dg.AssetExecutionContext, sql_warehouse: SqlConnection):
        airflow = task_context(context, DAG, "daily_totals")
        sql_warehouse.run(
            render(["delete from totals where ds = '{{ ds }}'", "insert into totals select '{{ ds }}', 1"], airflow, DAG),
            log=context.log,
        )
    ```
    """

    name = "sql.execute"
    operators = tuple(SQL_OPERATORS)
    families = ("sql",)
    emits = "an asset running the rendered statements through SqlConnection (driver by connection type)"

    def translate(self, task: TaskInput) -> Translation:
        argument, default = SQL_OPERATORS.get(task.task.operator, ("conn_id", None))
        conn_id = literal_conn_id(task, argument, default=default)
        computed = task.args.get(argument) if isinstance(task.args.get(argument), ir.CodeValue) else None
        if conn_id is None and computed is None:
            # Custom SQL operators name their connection argument differently: take any *conn_id.
            found = [v for k, v in task.args.items() if k.endswith("conn_id") and isinstance(v, str)]
            conn_id, argument = (found[0], next(k for k in task.args if k.endswith("conn_id"))) if found else (None, "")
        # Without a connection (a literal id, or code giving it when the asset runs) we cannot know where the SQL runs.
        if not isinstance(conn_id, str) and computed is None:
            return Translation(NONE, "the connection id is not a literal")
        sql = task.args.get("sql")
        # Without SQL there is nothing to run.
        if sql is None:
            return Translation(NONE, "no literal SQL to run")
        t = Translation(MECH, "the statements run through the connection's driver", kinds=("sql",))
        pulled = template_xcoms(sql)
        # Pulls from tasks known only at run time can't become asset inputs.
        if pulled is None:
            return Translation(NONE, "the SQL template pulls XComs from tasks known only at run time")
        if pulled:
            t.disposition = JUDG
            t.notes.append("ti.xcom_pull in the SQL reads the upstream assets' values (" + ", ".join(pulled) + ")")
            t.inputs.extend(pulled)
        if computed is not None:
            target, code = connect_at_run_time(t, computed, "SqlConnection")
            t.disposition = JUDG
            t.reason = "the statements run through the driver of the connection whose id its code gives at run time"
        else:
            resource, code = connect(t, conn_id, "SqlConnection", "sql")
            target = resource.name
        try:
            statements = code.value(sql)
            parameters = code.value(task.args["parameters"]) if "parameters" in task.args else None
        except Untranslatable as exc:
            # If the SQL can't be written as code, we can't know what it runs.
            return Translation(NONE, f"the SQL {exc}")
        t.consumed |= {argument, "sql", "parameters", "autocommit", "split_statements"}
        t.consumed |= {"return_last", "show_return_value_in_logs"}
        call = f"{target}.run(render({statements}, airflow, DAG)"
        if parameters:
            call += f", parameters={parameters}"
        t.body.append(call + ", log=context.log)")
        return t


ORDER = 40
RULES = [Sql]
