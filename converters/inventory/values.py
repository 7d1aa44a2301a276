"""The scan's symbolic values: what a DAG file's names stand for while the interpreter runs, never imported.

Literals (str, int, list, dict...) are themselves; everything else is one of these: ``Unknown`` (runtime data,
kept as source text), ``Qual`` (an imported module, class or function by qualified name), the Airflow objects
being built (``DagState``, ``TaskRef``, ``GroupRef``, ``XComArg``, ``LabelRef``), what a ``def`` made
(``TaskFlow``, ``DagFactory``, ``GroupFactory``, ``Helper``), ``Partial``, ``CustomOperator``, and the bound
methods ``owner.attr`` awaiting their call (``MethodRef``, ``LiteralMethod``, ``PathMethod``), ``__file__`` paths
(``PathValue``) and the file's functions given to tasks (``CallableRef``). Calls kept as records and datasets are
the IR's own ``ir.CallValue`` / ``ir.DatasetValue`` already; to_ir.py turns the rest into IR values. Also the
small predicates over values (``_flat``, ``_is_node``...).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, ClassVar

from converters.inventory import ir


@dataclass(frozen=True)
class Unknown:
    source: str
    # Where the DAG file computed it: (expression, statement, the values its names held), so that an argument
    # the scan could not evaluate can be carried as the code that computed it (``FileScanner.carry``).
    origin: tuple[ast.expr, ast.stmt, dict[str, Any]] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Passed(Unknown):
    """An argument the DAG file passes to an estate module's function, which the scan could not evaluate: unknown
    there as any other, but a task argument it reaches unchanged is the DAG file's code (``key`` finds that code in
    the scanner's ``passed`` table)."""

    key: int = 0


@dataclass(frozen=True)
class Stringified(Unknown):
    """``str(x)`` of an ``x`` the scan could not evaluate, in an estate module's code (an operator subclass's
    ``__init__`` rebuilding ``env_vars`` as ``{k: str(v) ...}``): carried as ``str(...)`` of ``inner``'s carried code
    when ``inner`` is the DAG file's code, so the value is what Airflow computed (never the text of its repr)."""

    inner: Unknown | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Formatted(Unknown):
    """An f-string of an estate module's code over values the DAG file computed and literals (``f"{k}={v}"`` in a
    helper building a job's arguments from the file's ``params``): carried as that f-string (``code``) with each name
    it reads (``parts``: name, value) bound to its literal or to the DAG file's carried code."""

    code: str = field(default="", compare=False, repr=False)
    parts: tuple[tuple[str, Any], ...] = field(default=(), compare=False, repr=False)
    prefix: str = field(default="", compare=False, repr=False)  # the text it starts with, whatever the values


@dataclass(frozen=True)
class EstateCode(Unknown):
    """What an estate module's expression computed that the scan could not evaluate, when that expression reads
    only modules of the standard library (``os.getenv("BASE_DIR")`` in a helper giving ``default_args``): carried
    as that expression (``code``) with its ``imports`` (name, import line) when the DAG file's own code for it cannot
    be (it would run the rest of the helper's module); or when it reads the names of its module and plain values
    (``module``, ``literals``): carried as that expression with what it uses of its module copied."""

    code: str = field(default="", compare=False, repr=False)
    imports: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)
    # Or code over the names of its estate module ``module`` (``"db" + env_url("_")`` in a task factory), resolved
    # there by the copier (``LogicExtractor``), with ``literals`` the plain values its other names held (parameters).
    module: str = field(default="", compare=False, repr=False)
    literals: tuple[tuple[str, Any], ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Refused(Unknown):
    """Code of the file the scan could not evaluate and could not carry either: ``needs`` says what it needs that
    the copied logic cannot give it (an Airflow API, a name nothing binds...)."""

    needs: str = ""


class Loose(list):
    """A list the scan holds for what Python gives as another type (a dict view, a set, a generator, a ``zip`` or
    ``range`` object, a tuple of ``zip``): iterated, indexed and compared as the scan always did, but never written
    as text (``f"{keys}"`` prints ``dict_keys([...])`` in Python, not a list)."""


@dataclass(frozen=True)
class BoundFunction(Unknown):
    """``functools.partial(fn, *args, **kwargs)`` of a function of the scanned file: unknown as any call the scan
    does not follow, but a task given it as its callable runs ``fn`` with those arguments bound (the logic binds
    them: ``LogicExtractor.add_partial``)."""

    helper: Any = field(default=None, compare=False, repr=False)  # the Helper of ``fn``
    args: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    kwargs: tuple[tuple[str, Any], ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Qual:
    """A module, class or function known by its qualified import name."""

    name: str


@dataclass
class DagState:
    dag_id: str
    source: ir.SourceRef
    kwargs: dict[str, Any]
    tasks: dict[str, ir.Task] = field(default_factory=dict)
    upstream: dict[str, list[str]] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)  # group id -> task ids inside (nested included)
    incomplete: list[str] = field(default_factory=list)
    constructs: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class TaskRef:
    dag: DagState
    task_id: str


@dataclass(frozen=True)
class GroupRef:
    dag: DagState
    group_id: str


@dataclass(frozen=True)
class XComArg:
    task: TaskRef


@dataclass(eq=False)  # identity, not value: two labels with no upstream yet are different labels
class LabelRef:
    """``a >> Label("why") >> b``: the label remembers its upstreams until it meets its downstream."""

    upstream: list = field(default_factory=list)


@dataclass(frozen=True)
class TaskFlow:
    node: ast.FunctionDef
    variant: str  # "" for @task, else bash/branch/...
    kwargs: tuple[tuple[str, Any], ...] = ()
    role: str = ""  # "setup" / "teardown" under @setup / @teardown
    # The names of the function defining it, when it is defined inside one (a task factory): its closure's values.
    closure: dict[str, Any] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Partial:
    target: Any  # Qual (operator class) or TaskFlow
    kwargs: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class DagFactory:
    node: ast.FunctionDef
    kwargs: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class GroupFactory:
    node: ast.FunctionDef
    kwargs: tuple[tuple[str, Any], ...]


@dataclass(eq=False)
class EstateHome:
    """An estate module the scan read (never imported): its path, text, module name and interpreted names."""

    path: str
    text: str
    module: str
    env: dict[str, Any]
    sha256: str = ""
    uses: dict[str, str] = field(default_factory=dict)  # the estate modules it read in turn: path -> sha256


@dataclass(frozen=True)
class Helper:
    node: ast.FunctionDef
    home: EstateHome | None = field(default=None, compare=False, repr=False)  # None: defined in the scanned file
    # The names of the function defining it, when it is defined inside one (a task factory): its closure's values.
    closure: dict[str, Any] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class PathValue:
    """A path computed from ``__file__``: kept relative to the scanned folder (``dbt/shop``, ``../sql``)."""

    path: str


@dataclass(frozen=True)
class CallableRef:
    """A function the file defines, used as a task's callable: its name in the copied logic."""

    name: str


@dataclass(frozen=True)
class CustomOperator:
    """An operator class defined in the estate: it keeps its own name and takes its base's family.

    ``base`` is the Airflow class at the end of its chain of bases; ``parent`` the estate class it derives from
    (None when its base is Airflow's); ``node`` its ``class`` statement, in ``home`` (None: the scanned file).
    A name bound to a class chosen when its module is imported (``Op = A if env == "dev" else B``) has the
    ``alternatives`` (the class taken when the condition holds first) and the ``condition``: its expression, the
    statement it is in and the names it saw.
    """

    qualified: str
    family: str
    base: str = ""
    record: ir.EstateClass | None = field(default=None, compare=False, repr=False)
    node: ast.ClassDef | None = field(default=None, compare=False, repr=False)
    home: EstateHome | None = field(default=None, compare=False, repr=False)
    parent: CustomOperator | None = field(default=None, compare=False, repr=False)
    alternatives: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    condition: tuple[Any, ...] = field(default=(), compare=False, repr=False)

    @property
    def canonical(self) -> str:  # read like OperatorInfo.canonical
        return self.qualified


@dataclass(eq=False)
class SelfRef:
    """``self`` while an estate operator's ``__init__`` runs: the attributes it assigns."""

    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class SuperRef:
    """``super()`` in an estate operator's ``__init__``: its ``__init__(...)`` call gives the base's arguments."""

    calls: list[dict[str, Any]] = field(default_factory=list)


class BoundMethod(tuple):
    """``owner.attr`` before its call: the tuple ``(kind, owner, attr)``.

    It stays a tuple (as the scan always had it) so that a method used without being called behaves as it did
    everywhere values are looked into: unpacked, iterated, flattened, or written into a task argument's JSON.
    """

    kind: ClassVar[str] = ""

    def __new__(cls, owner: Any, attr: str) -> BoundMethod:
        return super().__new__(cls, (cls.kind, owner, attr))

    @property
    def owner(self) -> Any:
        return self[1]

    @property
    def attr(self) -> str:
        return self[2]


class MethodRef(BoundMethod):
    """A method of an Airflow object (``task.set_downstream``, ``Op.partial``, ``flow.expand``...)."""

    kind = "method"


class LiteralMethod(BoundMethod):
    """A method of a literal (``"{}".format``, ``d.items``, ``tasks.append``), run by literals.py."""

    kind = "literal_method"


class PathMethod(BoundMethod):
    """``path.resolve`` / ``path.absolute`` of a ``__file__`` path: the same path once called."""

    kind = "path_method"


class _LimitReached(BaseException):
    """Stops the analysis of a file (a BaseException, so no "not statically known" handler swallows it)."""

    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _ConditionalReturn(_Return):
    """A ``return`` taken only under a runtime condition (``why``): the code after it runs in the other case."""

    def __init__(self, value: Any, why: str) -> None:
        super().__init__(value)
        self.why = why


def _is_dataset(value: Any) -> bool:
    return isinstance(value, ir.DatasetValue)


def _size(dag: DagState) -> tuple[int, int]:
    return len(dag.tasks), sum(len(up) for up in dag.upstream.values())


def _has_node(*values: Any) -> bool:
    return any(isinstance(v, (TaskRef, XComArg, GroupRef)) for v in _flat(list(values)))


def _flat(values: Any) -> list:
    """The leaves of a value (into containers and kept calls), to look for unknowns and task references."""
    if isinstance(values, ir.CallValue):
        return [values.name, *_flat(list(values.args)), *_flat(values.kwargs)]
    if isinstance(values, ir.DatasetValue):
        return _flat(values.uri)
    if isinstance(values, (list, tuple)):
        return [leaf for value in values for leaf in _flat(value)]
    if isinstance(values, dict):
        return [leaf for value in values.values() for leaf in _flat(value)]
    return [values]


def _hashable(value: Any) -> Any:
    if isinstance(value, (ir.CallValue, ir.DatasetValue)):  # as unhashable as the dicts they once were
        return repr(value)
    try:
        hash(value)
        return value
    except TypeError:
        return repr(value)


def _is_node(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_is_node(v) for v in value)
    return isinstance(value, (TaskRef, XComArg, GroupRef))


def _dags_in(value: Any, depth: int = 0) -> list[DagState]:
    """The DAGs a value holds: itself, its tasks, groups and XComs, inside lists, tuples and dicts (keys too).

    A bound method (``dag.dag_id`` before a call) is not the object: passing it hands over no structure.
    """
    found: list[DagState] = []
    if depth > 20 or isinstance(value, BoundMethod):
        return found
    if isinstance(value, DagState):
        found.append(value)
    elif isinstance(value, (TaskRef, GroupRef)):
        found.append(value.dag)
    elif isinstance(value, XComArg):
        found.append(value.task.dag)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            found.extend(d for d in _dags_in(item, depth + 1) if not any(d is f for f in found))
    elif isinstance(value, dict):
        for item in [*value.keys(), *value.values()]:
            found.extend(d for d in _dags_in(item, depth + 1) if not any(d is f for f in found))
    return found


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]
