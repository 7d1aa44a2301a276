"""The intermediate representation: plain frozen dataclasses with a JSON round trip, and no behaviour.

``Project → [DagFile] → [Dag] → [Task]``, plus ``Edge``, ``Schedule``, ``RetrySpec``, ``SourceRef`` and
``Diagnostic``. Task arguments, DAG params and default_args are JSON values (None, bool, int, float, str, list,
dict) or one of the typed ``Value``s below for what is not a plain literal: source text the scan could not
evaluate (``SourceValue``), a task or its XCom, an imported name, a callable of the file's copied logic, a path
under the DAGs folder, a call kept as a record (``timedelta(...)``, cosmos configs), a dataset, a secret.
``to_json`` writes each as a one-key ``{"$tag": ...}`` dict (``CallValue``: ``{"$call", "args", "kwargs"}``), the
JSON that ``scan --json`` has always had; ``from_json`` turns those dicts back into the typed values.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar

JSONValue = Any  # None | bool | int | float | str | list | dict of JSON values, or a Value


# --- typed argument values ---------------------------------------------------------------------------------


class Value:
    """A task argument (or param / default_args entry) that is not a plain literal; JSON: ``{"$<tag>": ...}``.

    A value equals only a value of its own type and fields; it is not a dict (it neither equals its JSON form nor
    iterates): code that meets one decides what it means, and ``to_json`` gives the dict when that is wanted.
    A string field may hold a ``SecretValue`` once ``secrets.scrub_file`` took a secret out of it.
    """

    tag: ClassVar[str] = ""

    def to_json(self) -> dict[str, Any]:
        (first, *_) = dataclasses.fields(self)  # type: ignore[arg-type]
        return {self.tag: to_json(getattr(self, first.name))}

    def _values(self) -> tuple:
        return tuple(getattr(self, f.name) for f in dataclasses.fields(self))  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Value):
            return type(self) is type(other) and self._values() == other._values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash((type(self), self._values()))


@dataclass(frozen=True, eq=False)
class SourceValue(Value):
    """Code the scan could not evaluate, as written (at most 200 characters); ``needs``: why it could not be carried
    as code either, when the scan tried (JSON ``{"$source": ..., "needs": ...}`` then)."""

    tag: ClassVar[str] = "$source"
    source: str
    needs: str = ""

    def to_json(self) -> dict[str, Any]:
        found = {self.tag: to_json(self.source)}
        return {**found, "needs": self.needs} if self.needs else found


@dataclass(frozen=True, eq=False)
class TaskValue(Value):
    """A task object passed as an argument."""

    tag: ClassVar[str] = "$task"
    task_id: str


@dataclass(frozen=True, eq=False)
class XComValue(Value):
    """The XCom (return value) of a task: ``task.output``, a TaskFlow call's result."""

    tag: ClassVar[str] = "$xcom"
    task_id: str


@dataclass(frozen=True, eq=False)
class RefValue(Value):
    """A module, class or function by its qualified import name (``mypackage.alerts.notify``)."""

    tag: ClassVar[str] = "$ref"
    name: str


@dataclass(frozen=True, eq=False)
class CallableValue(Value):
    """A function of the DAG file, by its name in the file's copied logic (``DagFile.callables``)."""

    tag: ClassVar[str] = "$callable"
    name: str


@dataclass(frozen=True, eq=False)
class CodeValue(Value):
    """An argument written as code over the file's own names (a lambda, an f-string over constants, a helper call,
    ``Variable.get``...): evaluated at run time by the function of that name in the file's copied logic, which
    returns the value Airflow computed when it parsed the file (``DagFile.callables`` holds its record)."""

    tag: ClassVar[str] = "$code"
    name: str


@dataclass(frozen=True, eq=False)
class PathValue(Value):
    """A path computed from ``__file__``, relative to the scanned folder (``dbt/shop``, ``../sql``)."""

    tag: ClassVar[str] = "$path"
    path: str


@dataclass(frozen=True, eq=False, repr=False)
class CallValue(Value):
    """A call kept as a record: ``timedelta(...)``, ``datetime(...)``, cosmos ``ProjectConfig(...)``...

    JSON ``{"$call": name, "args": [...], "kwargs": {...}}``. The scan computes with it as it did with that dict,
    so its repr is the dict's.
    """

    tag: ClassVar[str] = "$call"
    name: str
    args: tuple[JSONValue, ...] = ()
    kwargs: dict[str, JSONValue] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {self.tag: to_json(self.name), "args": to_json(self.args), "kwargs": to_json(self.kwargs)}

    def __repr__(self) -> str:
        return repr({self.tag: self.name, "args": list(self.args), "kwargs": self.kwargs})


@dataclass(frozen=True, eq=False, repr=False)
class DatasetValue(Value):
    """A Dataset / Asset by URI, or a condition over several (``(a & b)``); its repr is its old dict's."""

    tag: ClassVar[str] = "$dataset"
    uri: JSONValue

    def __repr__(self) -> str:
        return repr({self.tag: self.uri})


@dataclass(frozen=True)
class SecretEnv:
    """The part of a secret string the generated code reads from the environment; JSON ``{"env": name}``."""

    env: str


@dataclass(frozen=True, eq=False)
class SecretValue(Value):
    """A string that held a secret: plain parts and ``SecretEnv`` lookups, concatenated (secrets.py, A2D300)."""

    tag: ClassVar[str] = "$secret"
    parts: tuple[str | SecretEnv, ...]

    def to_json(self) -> dict[str, Any]:
        return {self.tag: [p if isinstance(p, str) else {"env": p.env} for p in self.parts]}


VALUE_TYPES: dict[str, type[Value]] = {
    cls.tag: cls
    for cls in (
        SourceValue,
        TaskValue,
        XComValue,
        RefValue,
        CallableValue,
        CodeValue,
        PathValue,
        CallValue,
        DatasetValue,
    )
}


def value_from_json(data: Any) -> Any:
    """A JSON value with each ``{"$tag": ...}`` dict turned back into its typed ``Value`` (nested ones too)."""
    if isinstance(data, list):
        return [value_from_json(item) for item in data]
    if not isinstance(data, dict):
        return data
    keys = list(data)
    if keys == ["$secret"] and isinstance(data["$secret"], list):
        parts = [value_from_json(p) for p in data["$secret"]]
        return SecretValue(
            tuple(SecretEnv(p["env"]) if isinstance(p, dict) and list(p) == ["env"] else p for p in parts)
        )
    if keys == ["$source", "needs"] and isinstance(data["$source"], str) and isinstance(data["needs"], str):
        return SourceValue(data["$source"], data["needs"])
    if keys == ["$call", "args", "kwargs"]:
        return CallValue(
            value_from_json(data["$call"]), tuple(value_from_json(data["args"])), value_from_json(data["kwargs"])
        )
    if len(keys) == 1 and keys[0] in VALUE_TYPES and keys[0] != "$call":
        return VALUE_TYPES[keys[0]](value_from_json(data[keys[0]]))
    return {key: value_from_json(item) for key, item in data.items()}


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
    arguments: dict[str, JSONValue] = field(default_factory=dict)  # literals, or Values (SourceValue...)
    origin: str = "static"  # static | dagbag
    role: str = ""  # "setup" | "teardown" (Airflow's setup/teardown tasks) | "" for ordinary work
    base_operator: str = ""  # an estate class's task: the known Airflow operator its class resolves to ("" none)
    # An estate class's task: what its call passes that the scan cannot read (`**options`, positional arguments).
    unread_arguments: tuple[str, ...] = ()


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
    # `template_searchpath` as written (literal strings) and the same folders found in the scanned tree (relative
    # to its root; `project._with_template_folders`): where Airflow looks for template files after the DAG's folder.
    template_searchpath: tuple[str, ...] = ()
    template_folders: tuple[str, ...] = ()
    # `user_defined_macros` / `user_defined_filters`: name -> value (a literal, or a Value for code); a "*" key
    # holding a SourceValue when the argument is not a dict the scan can read.
    user_defined_macros: dict[str, JSONValue] = field(default_factory=dict)
    user_defined_filters: dict[str, JSONValue] = field(default_factory=dict)


@dataclass(frozen=True)
class BranchGuard:
    """An ``if`` of an estate class's method whose condition reads only the instance's attributes and literals
    (``if self.batch_ind:``): the code under it runs only when the condition is ``taken`` (False: its ``else``)."""

    line: int  # of the ``if``, in the class's module
    test: str  # the condition, as `ast.unparse` writes it
    taken: bool


@dataclass(frozen=True)
class GuardedName:
    """An Airflow name a copied estate class reads only inside branches decided by its attributes: for each read,
    the conditions around it (outermost first)."""

    name: str  # qualified Airflow name
    uses: tuple[tuple[BranchGuard, ...], ...]


@dataclass(frozen=True)
class Callable:
    """A function a task runs (``python_callable=`` or a TaskFlow function), as copied into the file's logic.

    An argument carried as code (``CodeValue``) is one too: a function without parameters returning the
    expression (``expression`` holds it as written), its loop-bound names given as default arguments.
    """

    name: str  # its name in the logic (tasks refer to it as CallableValue(name))
    source: SourceRef
    params: tuple[str, ...] = ()
    var_keyword: bool = False  # takes **kwargs (Airflow then passes the whole context)
    is_async: bool = False
    airflow_names: tuple[str, ...] = ()  # qualified Airflow names its code uses (Variable, hooks...)
    unresolved: tuple[str, ...] = ()  # names no statement of the file binds for it
    xcom_pulls: tuple[str, ...] = ()  # task ids its code pulls XComs from ("?" when not a literal)
    xcom_keys: tuple[str, ...] = ()  # "<task id>:<key>" of its pulls under a key other than the return value's
    reads_conf: bool = False  # reads dag_run.conf
    expression: str = ""  # an argument's code (``CodeValue``): the expression as written; "" for a function
    environment: tuple[str, ...] = ()  # what that expression reads from its machine (os.environ, open, now...)
    calls: tuple[str, ...] = ()  # qualified names of the imports that expression (or code it copies) uses
    guarded: tuple[GuardedName, ...] = ()  # a copied class: Airflow names read only under its attribute branches
    # The function's name as the file writes it, when its name in the logic is another: a factory's closure or a
    # functools.partial, bound per task ("" otherwise). Reasons name it so.
    written: str = ""


@dataclass(frozen=True)
class EstateClass:
    """An operator class the estate defines (in the DAG file or an estate module), resolved through its bases.

    ``kind``: ``subclass`` (of a known Airflow operator, ``base_operator``), ``base_operator`` (a ``BaseOperator``
    subclass with its own ``execute``), ``sensor`` (a ``BaseSensorOperator`` subclass), ``runtime`` (a name whose
    class is chosen at run time: ``notes`` holds the expression) or ``unresolved`` (a base the scan cannot see).
    """

    qualified: str  # <module>.<Class>, the operator name its tasks carry
    source: SourceRef  # where the class is defined
    bases: tuple[str, ...] = ()  # the resolved chain, nearest first: estate classes, then the Airflow class
    base_operator: str = ""  # the known Airflow operator at the end of the chain ("" when none)
    family: str = ""
    kind: str = "subclass"
    overrides: tuple[str, ...] = ()  # methods the estate chain defines besides __init__ ("execute", "poke"...)
    calls_super: tuple[str, ...] = ()  # of those, the ones whose body calls the base's method of that name
    attributes: tuple[str, ...] = ()  # class attributes it sets (template_fields, ui_color...)
    notes: tuple[str, ...] = ()  # what the scan found it uses (hooks, estate modules), or could not follow


@dataclass(frozen=True)
class EstateLogic:
    """An estate operator class of another module than the DAG file, copied on its own for its tasks: the class,
    its bases and what they need from their modules (as a callable's code is copied), in a logic module of its own,
    so a class no task runs (its rule says NONE) leaves no code anywhere."""

    qualified: str  # <module>.<Class>, as in EstateClass
    path: str  # the estate module it is copied from, relative to the scanned root
    copied: Callable  # its record: names nothing binds, Airflow names, XCom pulls
    imports: str = ""
    code: str = ""
    airflow_imports: dict[str, str] = field(default_factory=dict)  # name in its code -> qualified Airflow name


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
    task_functions: tuple[str, ...] = ()  # module-level functions Airflow makes tasks/groups/DAGs of (@task...)
    data_files: tuple[tuple[str, str], ...] = ()  # (path, sha256) of the YAML/JSON files the scan read for it
    estate_classes: tuple[EstateClass, ...] = ()  # the estate operator classes this file's tasks use
    estate_modules: tuple[tuple[str, str], ...] = ()  # (path, sha256) of the estate modules the scan read for it
    code_modules: dict[str, str] = field(
        default_factory=dict
    )  # path -> sha256 of the modules callables' code was copied from
    estate_logic: tuple[EstateLogic, ...] = ()  # the other modules' operator classes its tasks run, each copied


@dataclass(frozen=True)
class Project:
    root: str
    files: tuple[DagFile, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()  # project-level (unreadable folders, duplicate dag ids ...)
    task_functions: tuple[str, ...] = ()  # "<module>.<name>": functions of helper modules Airflow makes tasks of
    airflow_modules: tuple[str, ...] = ()  # helper modules (of those carried code calls) that import Airflow


# --- JSON round trip ---------------------------------------------------------------------------------------


def to_json(obj: Any) -> Any:
    """A JSON-compatible structure for any IR object (tuples become lists, Values their ``$`` dicts)."""
    if isinstance(obj, Value):
        return obj.to_json()
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
    if tp is Any:  # a JSONValue
        return value_from_json(data)
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp(**{f.name: _build(hints[f.name], data[f.name]) for f in dataclasses.fields(tp) if f.name in data})
    if origin is tuple:
        (item_type, *_) = typing.get_args(tp)
        return tuple(_build(item_type, item) for item in data)
    if origin is dict:
        (_, item_type) = typing.get_args(tp)
        return {key: _build(item_type, item) for key, item in data.items()}
    if origin in (typing.Union, types.UnionType):
        concrete = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        return _build(concrete[0], data) if len(concrete) == 1 else data
    return data
