"""Data lineage: the tables a task writes, joined to the dbt sources that read them.

Task asset keys stay what airlift maps (one asset per task, ``<dag>/<task>``); the data shows in the graph as
dependencies between those assets and as metadata on them:

- a task *writes* a table when its literal SQL says so (``insert into``, ``insert overwrite``, ``create [or
  replace] table … [as]``, ``merge into``, ``copy into``: the statement starts with it), in its ``sql`` argument,
  in a BigQuery job's ``configuration.query.query``, or in a string its Python callable passes to a call
  (``con.execute("create or replace table raw.customers …")``); or when one of its ``outlets`` is a Dataset /
  Asset whose URI names a table of a database (``postgres://host/db/schema/table``, ``bigquery://project/dataset/
  table``, ``duckdb://warehouse/mart/daily_revenue``: the last two parts of the path);
- templated names (``insert into {{ params.table }}``, an f-string) are never guessed: nothing is recorded;
- a dbt source whose ``schema.table`` exactly one task of the estate writes gets that task's asset key (the
  generated ``dbt_translator`` maps it), so the dbt models that read the source depend on the loader's asset —
  unless the loader runs after the dbt group, which would make the asset graph a cycle.

Nothing here changes a task's key, its disposition or what its asset runs.
"""

from __future__ import annotations

import ast
import re
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
_NAME = r'(?:"[^"\s]+"|`[^`\s]+`|\[[^\]\s]+\]|[A-Za-z_][A-Za-z0-9_$]*)'
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


def sql_tables_written(sql: str) -> list[str]:
    """The tables the statements of ``sql`` write, lower-cased, quotes dropped, in order (each once)."""
    found: list[str] = []
    for statement in _COMMENTS.sub(" ", sql).split(";"):
        match = _WRITE.match(statement.strip())
        if match is None:
            continue
        table = ".".join(part.strip('"`[]') for part in _split_name(match["table"])).lower()
        if table not in found:
            found.append(table)
    return found


def _split_name(name: str) -> list[str]:
    return re.findall(_NAME, name)


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


def tables_written(task: ir.Task, functions: dict[str, ast.AST]) -> list[str]:
    """What ``task`` writes: its outlets that name tables, then its literal SQL, then its callable's literal SQL.
    ``functions``: the file's copied functions by name (``callable_functions``)."""
    found: list[str] = []
    for uri in task.outlets:
        table = dataset_table(uri)
        if table and table not in found:
            found.append(table)
    texts = list(_strings(task.arguments.get("sql")))
    configuration = task.arguments.get("configuration")
    if isinstance(configuration, dict) and isinstance(configuration.get("query"), dict):
        texts += _strings(configuration["query"].get("query"))
    callable_value = task.arguments.get("python_callable")
    if isinstance(callable_value, ir.CallableValue) and callable_value.name in functions:
        texts += _call_strings(functions[callable_value.name])
    for text in texts:
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


def link_tables(plan: Plan) -> None:
    """Record what each task writes (``PlannedTask.tables``) and give each dbt group the loaders of its sources
    (``translation.dbt["sources"]``: ``schema.table`` -> the writing task's asset key)."""
    writers: dict[str, list[PlannedTask]] = {}
    for planned in plan.dags:
        functions = callable_functions(planned.file)
        for task in planned.tasks:
            if task.passthrough or task.translation.dbt:
                continue  # no asset of its own (pass-through), or assets named by dbt's models
            task.tables = tables_written(task.task, functions)
            for table in task.tables:
                key = match_key(table)
                if key is not None:
                    writers.setdefault(key, []).append(task)
    graph = asset_graph(plan)
    for planned in plan.dags:
        for task in planned.tasks:
            if not task.translation.dbt or task.disposition == NONE:
                continue
            after = descendants(graph, task.key)
            sources = {}
            for table, found in sorted(writers.items()):
                # One writer only: a source read from two loaders has no single asset to stand for it.
                if len(found) != 1:
                    continue
                # A loader that runs after the group would close a cycle in the asset graph.
                if found[0].key in after or found[0].key == task.key:
                    continue
                sources[table] = list(found[0].key)
                graph.setdefault(found[0].key, set()).add(task.key)
            if sources:
                task.translation.dbt["sources"] = sources


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
