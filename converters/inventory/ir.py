"""The intermediate representation: plain frozen dataclasses with a JSON round trip, and no behaviour.

``Project → [DagFile] → [Dag] → [Task]``, plus ``Edge``, ``Schedule``, ``RetrySpec``, ``SourceRef`` and
``Diagnostic``. Values that could not be resolved statically are kept as source text (``Unresolved``).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from typing import Any

JSONValue = Any  # None | bool | int | float | str | list | dict, or an Unresolved marker dict


@dataclass(frozen=True)
class SourceRef:
    file: str
    line: int
    col: int = 0


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int
    code: str
    severity: str  # "error" | "warning" | "info"
    message: str


@dataclass(frozen=True)
class Schedule:
    kind: str  # cron | preset | timedelta | none | dataset | timetable | unresolved | default
    value: str | None = None  # the cron/preset text, timedelta seconds, dataset URIs/expression, or source text


@dataclass(frozen=True)
class RetrySpec:
    retries: int | None = None
    retry_delay_seconds: float | None = None
    exponential_backoff: bool = False
    max_retry_delay_seconds: float | None = None


@dataclass(frozen=True)
class Edge:
    upstream: str
    downstream: str
    label: str | None = None


@dataclass(frozen=True)
class Task:
    task_id: str
    operator: str  # canonical qualified name when known, else the name as written
    source: SourceRef
    operator_as_written: str = ""
    family: str = ""  # python, bash, sql, empty, sensor, ... ('' when unknown)
    taskflow: bool = False
    task_group: str | None = None
    mapped: bool = False
    trigger_rule: str = "all_success"
    pool: str | None = None
    retry: RetrySpec = field(default_factory=RetrySpec)
    callbacks: tuple[str, ...] = ()  # argument names: on_failure_callback, ...
    sla: str | None = None
    depends_on_past: bool = False
    conn_ids: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    inlets: tuple[str, ...] = ()
    templated: tuple[str, ...] = ()  # argument names whose value holds Jinja
    arguments: dict[str, JSONValue] = field(default_factory=dict)  # literal arguments; others as {"$source": ...}
    origin: str = "static"  # static | dagbag


@dataclass(frozen=True)
class Dag:
    dag_id: str
    source: SourceRef
    schedule: Schedule = field(default_factory=lambda: Schedule("default"))
    start_date: str | None = None
    catchup: bool | None = None
    max_active_runs: int | None = None
    tags: tuple[str, ...] = ()
    params: dict[str, JSONValue] = field(default_factory=dict)
    default_args: dict[str, JSONValue] = field(default_factory=dict)
    tasks: tuple[Task, ...] = ()
    edges: tuple[Edge, ...] = ()
    constructs: tuple[str, ...] = ()  # e.g. taskflow, task_group, mapping, branching, sensor, dataset_schedule
    complete: bool = True  # False when part of the structure depends on runtime (diagnostics say where)
    origin: str = "static"


@dataclass(frozen=True)
class Callable:
    """A function a task runs (``python_callable=`` or a TaskFlow function), as copied into the file's logic."""

    name: str  # its name in the logic (tasks refer to it as {"$callable": name})
    source: SourceRef
    params: tuple[str, ...] = ()
    var_keyword: bool = False  # takes **kwargs (Airflow then passes the whole context)
    is_async: bool = False
    airflow_names: tuple[str, ...] = ()  # qualified Airflow names its code uses (Variable, hooks...)
    unresolved: tuple[str, ...] = ()  # names no statement of the file binds for it
    xcom_pulls: tuple[str, ...] = ()  # task ids its code pulls XComs from ("?" when not a literal)
    reads_conf: bool = False  # reads dag_run.conf


@dataclass(frozen=True)
class DagFile:
    path: str  # relative to the scanned root
    sha256: str
    styles: tuple[str, ...] = ()  # "1.10", "2.x", "3.x" import styles seen
    dags: tuple[Dag, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    callables: tuple[Callable, ...] = ()
    logic_imports: str = ""  # the imports the callables need (Airflow imports left out)
    logic: str = ""  # the other statements the callables need, copied in source order
    logic_airflow_imports: dict[str, str] = field(default_factory=dict)  # name in the logic -> qualified name


@dataclass(frozen=True)
class Project:
    root: str
    files: tuple[DagFile, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()  # project-level (unreadable folders, duplicate dag ids ...)


# --- JSON round trip ---------------------------------------------------------------------------------------


def to_json(obj: Any) -> Any:
    """A JSON-compatible structure for any IR object (tuples become lists)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_json(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_json(item) for item in obj]
    if isinstance(obj, dict):
        return {str(key): to_json(value) for key, value in obj.items()}
    return obj


def from_json(cls: type, data: Any) -> Any:
    """Rebuild an IR object of type ``cls`` from ``to_json`` output."""
    return _build(cls, data)


def dumps(obj: Any) -> str:
    return json.dumps(to_json(obj), indent=2, sort_keys=False)


def _build(tp: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp(**{f.name: _build(hints[f.name], data[f.name]) for f in dataclasses.fields(tp) if f.name in data})
    if origin is tuple:
        (item_type, *_) = typing.get_args(tp)
        return tuple(_build(item_type, item) for item in data)
    if origin in (typing.Union, types.UnionType):
        concrete = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        return _build(concrete[0], data) if len(concrete) == 1 else data
    return data
