"""SQL checks: SQLCheckOperator, SQLValueCheckOperator, SQLColumnCheckOperator, SQLTableCheckOperator (and the
1.10 ``CheckOperator``/``ValueCheckOperator``), and BranchSQLOperator.

One asset per task holds for a check task too: the check keeps its own asset (so the DAG's dependencies, the
airlift task mapping and the gates see the same graph), and that asset carries a *blocking* asset check which
runs the operator's SQL through the same ``SqlConnection`` as the SQL rules. A failed check fails the step, so
nothing downstream runs, as a failed check task stops its DAG in Airflow; the check's result (pass or fail,
Airflow's failure message, the rows) is what Dagster shows for it. The check is not attached to the table the
SQL reads: which asset produces that table is not something a static scan can know.
"""

from __future__ import annotations

from typing import Any

from converters.inventory.operators import canonical
from converters.rules.base import (
    JUDG,
    NONE,
    REDESIGN,
    Code,
    Rule,
    TaskInput,
    Translation,
    Untranslatable,
    template_xcoms,
    worse,
)
from converters.rules.connections import connect, literal_conn_id

# Arguments of BaseSQLOperator the checks take; ``database`` and ``hook_params`` change the session, which
# SqlConnection opens from the connection alone: a task setting them is JUDG, naming them.
CHECK_ARGS = {"conn_id", "sql", "parameters", "retry_on_failure"}
UNCARRIED = ("database", "hook_params")
PROVIDERS = "from ..support.providers import "


def _open(task: TaskInput, t: Translation) -> tuple[str, Code] | None:
    """The connection's resource and the code writer; None when the connection id is not a literal."""
    conn_id = literal_conn_id(task, "conn_id")
    if conn_id is None:
        return None
    resource, code = connect(t, conn_id, "SqlConnection", "sql")
    for argument in UNCARRIED:
        if task.args.get(argument):
            t.disposition = worse(t.disposition, JUDG)
            t.notes.append(f"{argument} is not carried: point AIRFLOW_CONN_{conn_id.upper()} at that database")
    if task.args.get("retry_on_failure") is False:
        t.disposition = worse(t.disposition, JUDG)
        t.notes.append("retry_on_failure=False: Airflow does not retry a failed check; the asset's retry policy does")
    return resource.name, code


def _pulls(value: Any, t: Translation) -> bool:
    """The upstream values templates in ``value`` pull become inputs; False when a pull is not a literal."""
    pulled = template_xcoms(value)
    if pulled is None:
        return False
    if pulled:
        t.disposition = worse(t.disposition, JUDG)
        t.notes.append("ti.xcom_pull in the SQL reads the upstream assets' values (" + ", ".join(pulled) + ")")
        t.inputs.extend(p for p in pulled if p not in t.inputs)
    return True


def _run(t: Translation, resource: str, code: Code, sql_expression: str, task: TaskInput) -> None:
    """The body's opening: the rendered SQL, and the rows of its last statement through the connection."""
    t.body.append(f"sql = {sql_expression}")
    parameters = f", parameters={code.value(task.args['parameters'])}" if task.args.get("parameters") else ""
    t.body.append(f"rows = {resource}.run(sql{parameters}, log=context.log)[-1]")


class _SqlCheckRule:
    """The shared opening: a literal connection, the arguments the operator needs, XCom pulls as inputs."""

    disposition: str
    what: str = ""  # the operator's role, in the reasons
    check: str | None = None  # the asset check's name (None: no check, BranchSQLOperator)
    required: tuple[str, ...] = ()  # arguments without which there is no query
    templated: tuple[str, ...] = ()  # arguments rendered at run time (their XCom pulls become inputs)
    reason: str = ""
    consumes: frozenset[str] = frozenset()

    def translate(self, task: TaskInput) -> Translation:
        t = Translation(self.disposition, self.reason, kinds=("sql",), checks=[self.check] if self.check else [])
        opened = _open(task, t)
        # Without a literal connection id we can't know where the SQL runs.
        if opened is None:
            return Translation(NONE, f"the connection id of the {self.what} is not a literal")
        missing = [a for a in self.required if task.args.get(a) is None]
        # Without the arguments the operator builds its query from there is nothing to run.
        if missing:
            return Translation(NONE, f"the {self.what} has no literal {' or '.join(missing)}")
        # Pulls from tasks known only at run time can't become asset inputs.
        if not _pulls([task.args.get(a) for a in self.templated], t):
            return Translation(NONE, f"the {self.what}'s templates pull XComs from tasks known only at run time")
        resource, code = opened
        try:
            self.body(task, t, resource, code)
        except Untranslatable as exc:
            # If an argument can't be written as code, we can't know what the SQL checks.
            return Translation(NONE, f"the {self.what} {exc}")
        t.consumed |= CHECK_ARGS | self.consumes
        return t

    def body(self, task: TaskInput, t: Translation, resource: str, code: Code) -> None:  # pragma: no cover
        raise NotImplementedError


def _run(t: Translation, resource: str, code: Code, sql_expression: str, task: TaskInput) -> None:
    """The body's opening: the rendered SQL, and the rows of its last statement through the connection."""
    t.body.append(f"sql = {sql_expression}")
    parameters = f", parameters={code.value(task.args['parameters'])}" if task.args.get("parameters") else ""
    t.body.append(f"rows = {resource}.run(sql{parameters}, log=context.log)[-1]")


class SqlCheck(_SqlCheckRule, Rule):
    """What it does: runs the check's SQL in a blocking asset check on the task's asset; the check fails when the
    first row is missing or holds a falsy value.

    Why: that is SQLCheckOperator's test (``get_first``, then ``all(row)``). The SQL is rendered like Airflow renders
    it (a ``.sql`` name is read from the DAG's folder) and runs through ``SqlConnection``; a failed check fails the
    step with Airflow's message, so downstream assets do not run. The check sits on the task's own asset (one asset
    per task keeps the DAG's graph): which asset made the table the SQL reads is not known statically. Skipped by a
    branch, the check reports "not evaluated" as a warning.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.common.sql.operators.sql import SQLCheckOperator

    with DAG("quality", schedule="@daily", start_date=datetime(2024, 1, 1)):
        SQLCheckOperator(
            task_id="orders_landed", conn_id="warehouse", sql="select count(*) from orders where ds = '{{ ds }}'"
        )
    ```

    Becomes:
    ```python
    # quality.py:7 · task orders_landed · rule sql_checks.check · MECH
    @task_asset(
        DAG,
        "orders_landed",
        key=["quality", "orders_landed"],
        group_name="quality",
        kinds={"sql"},
        partitions_def=PARTITIONS,
        check_specs=[dg.AssetCheckSpec("sql_check", asset=dg.AssetKey(["quality", "orders_landed"]), blocking=True)],
        metadata={
            "airflow/source": "quality.py:7",
            "airflow/task_id": "orders_landed",
            "airflow/operator": "airflow.providers.common.sql.operators.sql.SQLCheckOperator",
            "airflow/rule": "sql_checks.check",
            "airflow/disposition": "MECH",
            "airflow/reason": "the check's SQL runs in a blocking asset check",
        },
    )
    def orders_landed(context: dg.AssetExecutionContext, sql_warehouse: SqlConnection):
        airflow = task_context(context, DAG, "orders_landed")
        sql = render("select count(*) from orders where ds = '{{ ds }}'", airflow, DAG)
        rows = sql_warehouse.run(sql, log=context.log)[-1]
        yield first_row_check("sql_check", sql, rows)
        yield dg.Output(None)
    ```
    """

    name = "sql_checks.check"
    operators = canonical("SQLCheckOperator")
    emits = "an asset with a blocking check: the first row of the rendered SQL must exist and be all truthy"

    what = "check"
    check = "sql_check"
    required = ("sql",)
    templated = ("sql",)
    reason = "the check's SQL runs in a blocking asset check"

    def body(self, task: TaskInput, t: Translation, resource: str, code: Code) -> None:
        t.imports.add(PROVIDERS + "first_row_check")
        _run(t, resource, code, f"render({code.value(task.args['sql'])}, airflow, DAG)", task)
        t.body += ['yield first_row_check("sql_check", sql, rows)', "return None"]


class SqlValueCheck(_SqlCheckRule, Rule):
    """What it does: runs the SQL in a blocking asset check on the task's asset; every value of the first row must
    equal ``pass_value`` (within ``tolerance`` when it is a number).

    Why: SQLValueCheckOperator's comparison, value for value: as text when ``pass_value`` is not a number, else as
    floats, within ``pass_value * tolerance`` either side. ``sql`` and ``pass_value`` are rendered as Airflow renders
    them; a failed check fails the step with Airflow's message.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.common.sql.operators.sql import SQLValueCheckOperator

    with DAG("quality", schedule="@daily", start_date=datetime(2024, 1, 1)):
        SQLValueCheckOperator(
            task_id="row_count", conn_id="warehouse", sql="select count(*) from orders", pass_value=1000, tolerance=0.1
        )
    ```

    Becomes:
    ```python
    # quality.py:7 · task row_count · rule sql_checks.value · MECH
    @task_asset(
        DAG,
        "row_count",
        key=["quality", "row_count"],
        group_name="quality",
        kinds={"sql"},
        partitions_def=PARTITIONS,
        check_specs=[dg.AssetCheckSpec("value_check", asset=dg.AssetKey(["quality", "row_count"]), blocking=True)],
        metadata={
            "airflow/source": "quality.py:7",
            "airflow/task_id": "row_count",
            "airflow/operator": "airflow.providers.common.sql.operators.sql.SQLValueCheckOperator",
            "airflow/rule": "sql_checks.value",
            "airflow/disposition": "MECH",
            "airflow/reason": "the value check runs in a blocking asset check",
        },
    )
    def row_count(context: dg.AssetExecutionContext, sql_warehouse: SqlConnection):
        airflow = task_context(context, DAG, "row_count")
        sql = render("select count(*) from orders", airflow, DAG)
        rows = sql_warehouse.run(sql, log=context.log)[-1]
        yield value_check("value_check", sql, rows, render(1000, airflow, DAG, template_ext=()), 0.1)
        yield dg.Output(None)
    ```
    """

    name = "sql_checks.value"
    operators = canonical("SQLValueCheckOperator")
    emits = "an asset with a blocking check: the first row equals pass_value (within tolerance)"

    what = "value check"
    check = "value_check"
    required = ("sql", "pass_value")
    templated = ("sql", "pass_value")
    reason = "the value check runs in a blocking asset check"
    consumes = frozenset({"pass_value", "tolerance"})

    def body(self, task: TaskInput, t: Translation, resource: str, code: Code) -> None:
        t.imports.add(PROVIDERS + "value_check")
        _run(t, resource, code, f"render({code.value(task.args['sql'])}, airflow, DAG)", task)
        expected = f"render({code.value(task.args['pass_value'])}, airflow, DAG, template_ext=())"
        tolerance = code.value(task.args.get("tolerance"))
        t.body += [f'yield value_check("value_check", sql, rows, {expected}, {tolerance})', "return None"]


class SqlColumnCheck(_SqlCheckRule, Rule):
    """What it does: builds SQLColumnCheckOperator's query (null, distinct, unique, min, max per column) and checks
    each result against its bounds in a blocking asset check on the task's asset.

    Why: the query is the one the operator builds, then rendered like its templated ``sql``; ``equal_to``,
    ``greater_than``, ``geq_to``, ``less_than``, ``leq_to`` with ``tolerance``, per-check ``partition_clause`` and
    ``accept_none`` (a NULL result counts as 0) are compared the same way. A failed check fails the step.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.common.sql.operators.sql import SQLColumnCheckOperator

    with DAG("quality", schedule="@daily", start_date=datetime(2024, 1, 1)):
        SQLColumnCheckOperator(
            task_id="order_columns",
            conn_id="warehouse",
            table="orders",
            column_mapping={"id": {"null_check": {"equal_to": 0}, "unique_check": {"equal_to": 0}}},
            partition_clause="ds = '{{ ds }}'",
        )
    ```

    Becomes:
    ```python
    # quality.py:7 · task order_columns · rule sql_checks.column · MECH
    @task_asset(
        DAG,
        "order_columns",
        key=["quality", "order_columns"],
        group_name="quality",
        kinds={"sql"},
        partitions_def=PARTITIONS,
        check_specs=[dg.AssetCheckSpec("column_check", asset=dg.AssetKey(["quality", "order_columns"]), blocking=True)],
        metadata={
            "airflow/source": "quality.py:7",
            "airflow/task_id": "order_columns",
            "airflow/operator": "airflow.providers.common.sql.operators.sql.SQLColumnCheckOperator",
            "airflow/rule": "sql_checks.column",
            "airflow/disposition": "MECH",
            "airflow/reason": "the column checks run in a blocking asset check",
        },
    )
    def order_columns(context: dg.AssetExecutionContext, sql_warehouse: SqlConnection):
        airflow = task_context(context, DAG, "order_columns")
        mapping = {"id": {"null_check": {"equal_to": 0}, "unique_check": {"equal_to": 0}}}
        sql = render(column_check_sql("orders", mapping, "ds = '{{ ds }}'"), airflow, DAG, template_ext=())
        rows = sql_warehouse.run(sql, log=context.log)[-1]
        yield column_check("column_check", sql, rows, mapping, accept_none=True)
        yield dg.Output(None)
    ```
    """

    name = "sql_checks.column"
    operators = canonical("SQLColumnCheckOperator")
    emits = "an asset with a blocking check: the operator's column checks on the rendered table"

    what = "column check"
    check = "column_check"
    required = ("table", "column_mapping")
    templated = ("table", "partition_clause")
    reason = "the column checks run in a blocking asset check"
    consumes = frozenset({"table", "column_mapping", "partition_clause", "accept_none"})

    def body(self, task: TaskInput, t: Translation, resource: str, code: Code) -> None:
        t.imports.add(PROVIDERS + "column_check, column_check_sql")
        t.body.append(f"mapping = {code.value(task.args['column_mapping'])}")
        table, partition = code.value(task.args["table"]), code.value(task.args.get("partition_clause"))
        built = f"column_check_sql({table}, mapping, {partition})"
        _run(t, resource, code, f"render({built}, airflow, DAG, template_ext=())", task)
        accept = code.value(task.args.get("accept_none", True))
        t.body += [f'yield column_check("column_check", sql, rows, mapping, accept_none={accept})', "return None"]


class SqlTableCheck(_SqlCheckRule, Rule):
    """What it does: builds SQLTableCheckOperator's query (each ``check_statement`` as a CASE over the table) and
    requires every check to hold in a blocking asset check on the task's asset.

    Why: the query is the one the operator builds, then rendered like its templated ``sql``; a check holds when
    its ``MIN`` is true-like, and an empty result passes only with ``accept_none``. A failed check fails the step.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.common.sql.operators.sql import SQLTableCheckOperator

    with DAG("quality", schedule="@daily", start_date=datetime(2024, 1, 1)):
        SQLTableCheckOperator(
            task_id="order_table",
            conn_id="warehouse",
            table="orders",
            checks={"row_count": {"check_statement": "COUNT(*) > 0"}, "positive": {"check_statement": "amount >= 0"}},
        )
    ```

    Becomes:
    ```python
    # quality.py:7 · task order_table · rule sql_checks.table · MECH
    @task_asset(
        DAG,
        "order_table",
        key=["quality", "order_table"],
        group_name="quality",
        kinds={"sql"},
        partitions_def=PARTITIONS,
        check_specs=[dg.AssetCheckSpec("table_check", asset=dg.AssetKey(["quality", "order_table"]), blocking=True)],
        metadata={
            "airflow/source": "quality.py:7",
            "airflow/task_id": "order_table",
            "airflow/operator": "airflow.providers.common.sql.operators.sql.SQLTableCheckOperator",
            "airflow/rule": "sql_checks.table",
            "airflow/disposition": "MECH",
            "airflow/reason": "the table checks run in a blocking asset check",
        },
    )
    def order_table(context: dg.AssetExecutionContext, sql_warehouse: SqlConnection):
        airflow = task_context(context, DAG, "order_table")
        checks = {"row_count": {"check_statement": "COUNT(*) > 0"}, "positive": {"check_statement": "amount >= 0"}}
        sql = render(table_check_sql("orders", checks, None), airflow, DAG, template_ext=())
        rows = sql_warehouse.run(sql, log=context.log)[-1]
        yield table_check("table_check", sql, rows, checks, accept_none=False)
        yield dg.Output(None)
    ```
    """

    name = "sql_checks.table"
    operators = canonical("SQLTableCheckOperator")
    emits = "an asset with a blocking check: every check statement of the operator holds on the rendered table"

    what = "table check"
    check = "table_check"
    required = ("table", "checks")
    templated = ("table", "partition_clause")
    reason = "the table checks run in a blocking asset check"
    consumes = frozenset({"table", "checks", "partition_clause", "accept_none"})

    def body(self, task: TaskInput, t: Translation, resource: str, code: Code) -> None:
        t.imports.add(PROVIDERS + "table_check, table_check_sql")
        t.body.append(f"checks = {code.value(task.args['checks'])}")
        table, partition = code.value(task.args["table"]), code.value(task.args.get("partition_clause"))
        built = f"table_check_sql({table}, checks, {partition})"
        _run(t, resource, code, f"render({built}, airflow, DAG, template_ext=())", task)
        accept = code.value(task.args.get("accept_none", False))
        t.body += [f'yield table_check("table_check", sql, rows, checks, accept_none={accept})', "return None"]


class BranchSql(_SqlCheckRule, Rule):
    """What it does: runs the SQL and returns the task ids to follow (``follow_task_ids_if_true`` when the first value
    of the first row is true-like, else ``follow_task_ids_if_false``); direct downstream assets check it.

    Why: BranchSQLOperator's choice, made the same way (bool, int, or a boolean-like string; anything else fails),
    becomes the asset value that branch gates read (``output_required=False``), like the Python branch rule.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.common.sql.operators.sql import BranchSQLOperator

    with DAG("route", schedule="@daily", start_date=datetime(2024, 1, 1)):
        BranchSQLOperator(
            task_id="has_orders",
            conn_id="warehouse",
            sql="select count(*) > 0 from orders where ds = '{{ ds }}'",
            follow_task_ids_if_true=["load"],
            follow_task_ids_if_false=["skip_day"],
        )
    ```

    Becomes:
    ```python
    # route.py:7 · task has_orders · rule sql_checks.branch · REDESIGN
    @task_asset(
        DAG,
        "has_orders",
        key=["route", "has_orders"],
        group_name="route",
        kinds={"sql"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "route.py:7",
            "airflow/task_id": "has_orders",
            "airflow/operator": "airflow.providers.common.sql.operators.sql.BranchSQLOperator",
            "airflow/rule": "sql_checks.branch",
            "airflow/disposition": "REDESIGN",
            "airflow/reason": "the SQL's answer chooses the branch; unchosen downstream assets yield no output",
        },
    )
    def has_orders(context: dg.AssetExecutionContext, sql_warehouse: SqlConnection):
        airflow = task_context(context, DAG, "has_orders")
        sql = render("select count(*) > 0 from orders where ds = '{{ ds }}'", airflow, DAG)
        rows = sql_warehouse.run(sql, log=context.log)[-1]
        return sql_branch(rows, ["load"], ["skip_day"])
    ```
    """

    name = "sql_checks.branch"
    operators = canonical("BranchSQLOperator")
    disposition = REDESIGN
    emits = "an asset returning the task ids the SQL's answer follows; direct downstream assets check it"

    what = "SQL branch"
    required = ("sql", "follow_task_ids_if_true", "follow_task_ids_if_false")
    templated = ("sql",)
    reason = "the SQL's answer chooses the branch; unchosen downstream assets yield no output"
    consumes = frozenset({"follow_task_ids_if_true", "follow_task_ids_if_false"})

    def body(self, task: TaskInput, t: Translation, resource: str, code: Code) -> None:
        t.imports.add(PROVIDERS + "sql_branch")
        _run(t, resource, code, f"render({code.value(task.args['sql'])}, airflow, DAG)", task)
        follow = [task.args["follow_task_ids_if_true"], task.args["follow_task_ids_if_false"]]
        t.body.append(f"return sql_branch(rows, {', '.join(code.value(f) for f in follow)})")
        t.gate = "branch"


ORDER = 45
RULES = [SqlCheck, SqlValueCheck, SqlColumnCheck, SqlTableCheck, BranchSql]
