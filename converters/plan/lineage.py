"""Data lineage: the tables a task writes, joined to the dbt sources and the tasks that read them.

Task asset keys stay what airlift maps (one asset per task, ``<dag>/<task>``); the data shows in the graph as
dependencies between those assets and as metadata on them:

- a task *writes* a table when its literal SQL says so (``insert into``, ``insert overwrite``, ``create [or
  replace] table … [as]``, ``merge into``, ``copy into``: the statement starts with it), in its ``sql`` argument,
  in a BigQuery job's ``configuration.query.query``, or in a string its Python callable passes to a call
  (``con.execute("create or replace table raw.customers …")``); or when one of its ``outlets`` is a Dataset /
  Asset whose URI names a table of a database (``postgres://host/db/schema/table``, ``bigquery://project/dataset/
  table``, ``duckdb://warehouse/mart/daily_revenue``: the last two parts of the path);
- templated names (``insert into {{ params.table }}``, an f-string) are never guessed: nothing is recorded;
- a task of a modernized DAG also writes the tables its gate-5 evidence saw it write (`modernize` records them:
  a helper such as ``replace_partition("ref.ecb_rates", ...)`` writes what no literal SQL shows);
- a dbt source whose ``schema.table`` exactly one task of the estate writes gets that task's asset key (the
  generated ``dbt_translator`` maps it), so the dbt models that read the source depend on the loader's asset;
- a task whose literal SQL reads (``from``/``join``) a schema-qualified table that exactly one task of another
  DAG writes depends on that task's asset (``inlets`` likewise, in ``plan/__init__.py``).

``may_follow`` decides every such dependency: never a cycle, and inside one DAG never an order Airflow's edges
do not have (a dbt source may name a loader that already runs before its group). An eager asset (it follows a
Dataset schedule) gets none: it would run whenever a table it reads changed.

Nothing here changes a task's disposition or what its asset runs. Its key changes once only: a task of a DAG
Airflow no longer runs (decommissioned) and `modernize` rewrote, that is the one writer of one table, is keyed by
that table (``name_by_data``: ``ref.ecb_rates`` -> ``["ref", "ecb_rates"]``); before that airlift maps Airflow's
tasks to the task keys.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from converters.inventory import ir
from converters.rules.base import NONE

if TYPE_CHECKING:
    from converters.plan import Plan, PlannedTask

# URI schemes of Datasets/Assets that name a table of a database (OpenLineage's and Airflow's URI shapes).
TABLE_SCHEMES = frozenset(
    {"postgres", "postgresql", "mysql", "mariadb", "mssql", "sqlserver", "oracle", "redshift", "snowflake"}
    | {"bigquery", "trino", "presto", "duckdb", "databricks", "hive", "clickhouse", "athena", "sqlite"}
)
_NAME = r'(?:"[^"\s{}%]+"|`[^`\s{}%]+`|\[[^\]\s{}%]+\]|[A-Za-z_][A-Za-z0-9_$]*)'  # never a Jinja name
_TABLE = rf"(?P<table>{_NAME}(?:\.{_NAME}){{0,2}})"
# A statement that writes a table, from its first word; the name must end the match (no template after it).
_WRITE = re.compile(
    r"(?:insert\s+(?:overwrite\s+(?:table\s+)?|into\s+(?:table\s+)?)"
    r"|create\s+(?:or\s+replace\s+)?(?:(?:transient|unlogged)\s+)?table\s+(?:if\s+not\s+exists\s+)?"
    r"|merge\s+into\s+|copy\s+into\s+)"
    rf"{_TABLE}(?=\s|\(|;|$)",
    re.IGNORECASE,
)
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
# A schema-qualified table a statement reads (an unqualified name may be a CTE's, so it is never taken).
_READ = re.compile(rf"\b(?P<verb>from|join)\s+(?P<table>{_NAME}(?:\.{_NAME}){{1,2}})(?=\s|\)|;|,|$)", re.IGNORECASE)


def sql_tables_written(sql: str) -> list[str]:
    """The tables the statements of ``sql`` write, lower-cased, quotes dropped, in order (each once)."""
    found: list[str] = []
    for statement in _COMMENTS.sub(" ", sql).split(";"):
        match = _WRITE.match(statement.strip())
        if match is None:
            continue
        table = _table_name(match["table"])
        if table not in found:
            found.append(table)
    return found


def sql_tables_read(sql: str) -> list[str]:
    """The schema-qualified tables the statements of ``sql`` read (``from``/``join``; ``delete from`` writes)."""
    found: list[str] = []
    text = _COMMENTS.sub(" ", sql)
    for match in _READ.finditer(text):
        if match["verb"].lower() == "from" and re.search(
            r"\bdelete\s+$", text[max(0, match.start() - 20) : match.start()], re.I
        ):
            continue
        table = _table_name(match["table"])
        if table not in found:
            found.append(table)
    return found


def _table_name(name: str) -> str:
    """``schema.table`` as written in SQL, quotes dropped, lower-cased."""
    return ".".join(part.strip('"`[]') for part in re.findall(_NAME, name)).lower()


def dataset_table(uri: str) -> str | None:
    """``schema.table`` of a Dataset/Asset URI that names a database table; None for anything else (files,
    buckets, a URI with fewer than two path parts)."""
    parts = urlsplit(uri.strip())
    if parts.scheme.lower() not in TABLE_SCHEMES or parts.query or parts.fragment:
        return None
    path = [p for segment in parts.path.split("/") for p in segment.split(".") if p]
    if len(path) < 2 or not all(re.fullmatch(r"[A-Za-z0-9_$]+", p) for p in path):
        return None
    return ".".join(path[-2:]).lower()


def match_key(table: str) -> str | None:
    """The ``schema.table`` a dbt source is matched on; None for a table named without its schema (its schema is
    the connection's default, which the plan does not know)."""
    parts = table.split(".")
    return ".".join(parts[-2:]) if len(parts) >= 2 else None


def data_key(table: str) -> tuple[str, ...] | None:
    """The asset key naming a table (``ref.ecb_rates`` -> ``("ref", "ecb_rates")``); None for a name Dagster's
    keys would not show as written (a quoted name with other characters, a name without its schema)."""
    parts = tuple(table.split("."))
    if len(parts) < 2 or not all(re.fullmatch(r"[a-z0-9_]+", part) for part in parts):
        return None
    return parts


def _dataset_tables(task: ir.Task) -> list[str]:
    return list(dict.fromkeys(t for t in (dataset_table(uri) for uri in task.outlets) if t))


def sql_texts(task: ir.Task, functions: dict[str, ast.AST]) -> list[str]:
    """The literal SQL a task runs: its ``sql``, a BigQuery job's query, the strings its callable passes to calls.
    ``functions``: the file's copied functions by name (``callable_functions``)."""
    texts = list(_strings(task.arguments.get("sql")))
    configuration = task.arguments.get("configuration")
    if isinstance(configuration, dict) and isinstance(configuration.get("query"), dict):
        texts += _strings(configuration["query"].get("query"))
    callable_value = task.arguments.get("python_callable")
    if isinstance(callable_value, ir.CallableValue) and callable_value.name in functions:
        texts += _call_strings(functions[callable_value.name])
    return texts


def tables_written(task: ir.Task, functions: dict[str, ast.AST]) -> list[str]:
    """What ``task`` writes: its outlets that name tables, then the tables its literal SQL writes."""
    found = _dataset_tables(task)
    for text in sql_texts(task, functions):
        found += [t for t in sql_tables_written(text) if t not in found]
    return found


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def _call_strings(function: ast.AST) -> list[str]:
    """String literals a function passes as the first argument of a call (``con.execute("…")``)."""
    return [
        node.args[0].value
        for node in ast.walk(function)
        if isinstance(node, ast.Call)
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]


def callable_functions(file: ir.DagFile) -> dict[str, ast.AST]:
    """The functions of a file's copied logic by name (the first definition of each name); none when the logic
    does not parse."""
    if not file.logic:
        return {}
    try:
        tree = ast.parse(file.logic)
    except SyntaxError:
        return {}
    found: dict[str, ast.AST] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.setdefault(node.name, node)
    return found


def link_tables(plan: Plan) -> list[tuple[PlannedTask, tuple[str, ...]]]:
    """Record what each task writes (``PlannedTask.tables``), give each dbt group the loaders of its sources
    (``translation.dbt["sources"]``: ``schema.table`` -> the writing task's asset key), and return the data
    dependencies to add: (reader, the asset key of the one task of another DAG that writes a table it reads)."""
    writers: dict[str, list[PlannedTask]] = {}
    reads: dict[int, list[str]] = {}
    parsed: dict[str, dict[str, ast.AST]] = {}  # a file of several DAGs is parsed once
    for planned in plan.dags:
        if planned.file.path not in parsed:
            parsed[planned.file.path] = callable_functions(planned.file)
        functions = parsed[planned.file.path]
        for task in planned.tasks:
            if task.passthrough or task.translation.dbt:
                continue  # no asset of its own (pass-through), or assets named by dbt's models
            task.tables = tables_written(task.task, functions)
            # What a modernized DAG's gate evidence saw it write (through a helper the SQL scan cannot read).
            seen = [t.lower() for t in planned.written.get(task.task.task_id, ())]
            task.tables += [t for t in dict.fromkeys(seen) if t not in task.tables]
            texts = sql_texts(task.task, functions)
            reads[id(task)] = [t for text in texts for t in sql_tables_read(text) if t not in task.tables]
            for table in task.tables:
                key = match_key(table)
                if key is not None:
                    writers.setdefault(key, []).append(task)
    # One writer only: a table two tasks write has no single asset to stand for it.
    loaders = {table: found[0] for table, found in sorted(writers.items()) if len(found) == 1}
    graph = asset_graph(plan)
    links: list[tuple[PlannedTask, tuple[str, ...]]] = []
    for planned in plan.dags:
        for task in planned.tasks:
            # An eager asset (it follows a Dataset schedule) would run whenever a table it reads changed.
            if task.passthrough or task.automation == "eager":
                continue
            # A dbt group kept in Airflow is one observed asset: no translator to give its sources to.
            if task.translation.dbt and task.disposition == NONE:
                continue
            if task.translation.dbt:
                sources = {
                    table: list(loader.key)
                    for table, loader in loaders.items()
                    if may_follow(graph, loader.key, task.key, same_dag_known=True)
                }
                if sources:
                    task.translation.dbt["sources"] = sources
                continue
            for table in dict.fromkeys(reads.get(id(task), [])):
                loader = loaders.get(match_key(table) or "")
                if loader is not None and may_follow(graph, loader.key, task.key, same_dag_known=False):
                    links.append((task, loader.key))
    return links


def may_follow(
    graph: dict[tuple[str, ...], set[tuple[str, ...]]],
    producer: tuple[str, ...],
    consumer: tuple[str, ...],
    same_dag_known: bool,
) -> bool:
    """Whether ``consumer`` may depend on ``producer`` for data (and, when it may, record it in ``graph``).

    Within one DAG the order is Airflow's: a producer already upstream is allowed when ``same_dag_known`` (a dbt
    source naming its loader), never otherwise (a dependency Airflow's edges do not have would change the
    order, and the structure gate compares the two). Across DAGs any producer is allowed unless the dependency
    would close a cycle."""
    if producer == consumer:
        return False
    if producer[0] == consumer[0]:
        return same_dag_known and consumer in descendants(graph, producer)
    if producer in descendants(graph, consumer):
        return False
    graph.setdefault(producer, set()).add(consumer)
    return True


def asset_graph(plan: Plan) -> dict[tuple[str, ...], set[tuple[str, ...]]]:
    """Each task asset key -> the keys that depend on it (a dbt group stands for all its models)."""
    children: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for planned in plan.dags:
        by_function = {t.function: t.key for t in planned.tasks}
        for task in planned.tasks:
            for dep in task.deps:
                parent = by_function.get(dep.value[0]) if dep.kind == "dbt" else dep.value
                if parent is not None:
                    children.setdefault(tuple(parent), set()).add(task.key)
    return children


def descendants(graph: dict[tuple[str, ...], set[tuple[str, ...]]], key: tuple[str, ...]) -> set[tuple[str, ...]]:
    seen: set[tuple[str, ...]] = set()
    todo = list(graph.get(key, ()))
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(graph.get(current, ()))
    return seen


def name_by_data(plan: Plan) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Key by its data the asset of every task of a decommissioned, modernized DAG that writes exactly one table,
    which no other task of the estate writes, whose name makes a key no other asset has; then point every
    dependency, input and dbt source at the new key. The task key -> data key of each renamed asset.

    ``PlannedTask.key`` stays the one place a task's asset key lives: the generated modules, their ``TASKS``
    (what the gates read), the smoke tests and `status` all read it."""
    writers: dict[str, int] = {}
    for planned in plan.dags:
        for task in planned.tasks:
            for table in task.tables:
                writers[table] = writers.get(table, 0) + 1
    taken = {task.key for planned in plan.dags for task in planned.tasks}
    renamed: dict[tuple[str, ...], tuple[str, ...]] = {}
    for planned in plan.dags:
        if not (planned.modernized and planned.decommissioned):
            continue  # airlift maps Airflow's tasks to the task keys while Airflow runs the DAG
        for task in planned.tasks:
            if not task.has_asset or task.translation.dbt or task.task.task_id in planned.quality_checks:
                continue
            if len(task.tables) != 1 or writers[task.tables[0]] != 1:
                continue
            key = data_key(task.tables[0])
            if key is None or key in taken:
                continue
            taken.add(key)
            renamed[task.key] = key
            task.key = key
    if not renamed:
        return renamed
    for planned in plan.dags:
        for task in planned.tasks:
            task.deps = [
                replace(d, value=renamed[d.value]) if d.kind == "key" and d.value in renamed else d for d in task.deps
            ]
            task.inputs = [(tid, param, renamed.get(key, key)) for tid, param, key in task.inputs]
            sources = (task.translation.dbt or {}).get("sources")
            if sources:
                task.translation.dbt["sources"] = {
                    table: list(renamed.get(tuple(key), tuple(key))) for table, key in sources.items()
                }
    return renamed
