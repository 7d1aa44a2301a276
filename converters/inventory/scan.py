"""Static scan of one DAG file: an interpreter over its AST that never imports or executes it.

It follows what Airflow would build — DAG contexts, operators, TaskFlow calls, TaskGroups, mapping,
``>>``/``<<``/``chain``/``set_*stream`` — through imports, literal loops and same-file helper functions.
Whatever depends on runtime data becomes a diagnostic and marks the DAG incomplete; nothing is guessed.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from converters.inventory import ir, secrets
from converters.inventory.callables import LogicExtractor
from converters.inventory.operators import is_dag_class, is_task_group_class, resolve_operator

MAX_CALL_DEPTH = 8
MAX_LOOP_ITERATIONS = 10_000
# Input limits (docs/reliability.md): beyond them the file's analysis stops with a diagnostic, never a hang.
MAX_STEPS_PER_FILE = 1_000_000  # statements run and loop/comprehension iterations, all loops together
MAX_TASKS_PER_FILE = 10_000
MAX_VALUE_LENGTH = 1_000_000  # a literal computed by the scan ("x" * n, "{:>n}".format) longer than this is unknown

# -- symbolic values --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unknown:
    source: str


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


@dataclass(frozen=True)
class Helper:
    node: ast.FunctionDef


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
    """An operator class defined in the estate: it keeps its own name and takes its base's family."""

    qualified: str
    family: str

    @property
    def canonical(self) -> str:  # read like OperatorInfo.canonical
        return self.qualified


class _LimitReached(BaseException):
    """Stops the analysis of a file (a BaseException, so no "not statically known" handler swallows it)."""

    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


# -- the interpreter --------------------------------------------------------------------------------------


class FileScanner:
    def __init__(self, path: str, text: str, module: str) -> None:
        self.path = path
        self.text = text
        self.module = module
        self.dags: list[DagState] = []
        self.diagnostics: list[ir.Diagnostic] = []
        self.styles: set[str] = set()
        self.dag_stack: list[DagState] = []
        self.group_stack: list[str] = []
        self.depth = 0
        self._lines: list[bytes] | None = None
        self.mapped_groups = 0  # > 0 while expanding a mapped task group: every task in it is mapped
        self.logic: LogicExtractor | None = None
        self.steps = 0
        self.task_count = 0

    # -- helpers ------------------------------------------------------------------------------------------
    def diag(self, node: ast.AST | None, code: str, message: str, severity: str = "warning") -> None:
        self.diagnostics.append(ir.Diagnostic(self.path, getattr(node, "lineno", 0), code, severity, message))

    def src(self, node: ast.AST) -> str:
        """The source text of ``node`` (at most 200 characters), from lines split once per file."""
        if self._lines is None:
            self._lines = [line.encode("utf-8", "surrogateescape") for line in self.text.splitlines(keepends=True)]
        start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        if start is None or end is None or end > len(self._lines):
            return type(node).__name__
        first, last = node.col_offset, node.end_col_offset  # byte offsets, as ast reports them
        if start == end:
            chunk = self._lines[start - 1][first:last]
        else:
            chunk = b"".join(
                [self._lines[start - 1][first:], *self._lines[start : end - 1], self._lines[end - 1][:last]]
            )
        return chunk.decode("utf-8", "replace")[:200]

    def _structure(self) -> dict[int, tuple[int, int]]:
        return {id(dag): _size(dag) for dag in self.dags}

    def mark_incomplete(self, node: ast.AST, code: str, message: str) -> None:
        self.diag(node, code, message + " (run `verify --dagbag` to see what Airflow builds)")
        # Outside a DAG context (tasks attached with dag=...), any DAG of the file may be affected.
        for dag in self.dag_stack[-1:] or self.dags:
            dag.incomplete.append(code)

    # -- statements ---------------------------------------------------------------------------------------
    def run(self, tree: ast.Module) -> None:
        self.module_env: dict[str, Any] = {}
        self.logic = LogicExtractor(tree, self.text, self.module)
        self.exec_block(tree.body, self.module_env)

    def exec_block(self, body: list[ast.stmt], env: dict[str, Any]) -> None:
        for stmt in body:
            self.step()
            self.exec_stmt(stmt, env)

    def step(self) -> None:
        """Count one unit of work; a file whose loops multiply past the budget is stopped, not followed."""
        self.steps += 1
        if self.steps > MAX_STEPS_PER_FILE:
            raise _LimitReached(
                "A2D007", f"analysis stopped after {MAX_STEPS_PER_FILE:,} steps (loops too large to unroll)"
            )

    def exec_stmt(self, stmt: ast.stmt, env: dict[str, Any]) -> None:
        match stmt:
            case ast.Import(names=names):
                for alias in names:
                    self._note_style(alias.name)
                    if alias.asname:
                        env[alias.asname] = Qual(alias.name)
                    else:
                        top = alias.name.split(".")[0]
                        env[top] = Qual(top)
            case ast.ImportFrom(module=module, names=names, level=level):
                base = module or ""
                if level:
                    base = ".".join(self.module.split(".")[:-level] + ([module] if module else []))
                self._note_style(base)
                for alias in names:
                    if alias.name == "*":
                        self.diag(stmt, "A2D101", f"star import from {base}: names it brings are not followed", "info")
                        continue
                    env[alias.asname or alias.name] = Qual(f"{base}.{alias.name}")
            case ast.Try(body=body, handlers=handlers, orelse=orelse, finalbody=final):
                before = dict(env)
                self.exec_block(body, env)
                for handler in handlers:  # ImportError fallbacks: only names the try body did not bind
                    scratch = dict(before)
                    self.exec_block(handler.body, scratch)
                    for key, value in scratch.items():
                        env.setdefault(key, value)
                self.exec_block(orelse, env)
                self.exec_block(final, env)
            case ast.Assign(targets=targets, value=value):
                result = self.eval(value, env)
                for target in targets:
                    self.bind(target, result, env, stmt)
            case ast.AnnAssign(target=target, value=value) if value is not None:
                self.bind(target, self.eval(value, env), env, stmt)
            case ast.Expr(value=value):
                result = self.eval(value, env)
                if isinstance(value, ast.Call) and isinstance(result, Unknown) and self.dag_stack:
                    callee = self.eval(value.func, env)
                    if isinstance(callee, Qual) and not callee.name.startswith(NOT_TASK_BUILDERS):
                        self.mark_incomplete(
                            value, "A2D230", f"{callee.name} may build tasks; its code is not in this file"
                        )
            case ast.With(items=items, body=body):
                self.exec_with(items, body, env)
            case ast.FunctionDef() | ast.AsyncFunctionDef():
                env[stmt.name] = self.define_function(stmt, env)
            case ast.ClassDef():
                self.define_class(stmt, env)
            case ast.For(target=target, iter=iterable, body=body, orelse=orelse):
                self.exec_for(stmt, target, iterable, body, env)
                self.exec_block(orelse, env)
            case ast.If(test=test, body=body, orelse=orelse):
                decided = self.eval(test, env)
                if isinstance(decided, Unknown) or isinstance(decided, (TaskRef, Qual)):
                    # Both branches are followed; whatever they build exists only under a runtime condition.
                    before = self._structure()
                    self.exec_block(body, env)
                    self.exec_block(orelse, env)
                    changed = [dag for dag in self.dags if before.get(id(dag)) != _size(dag)]
                    if changed:
                        self.diag(stmt, "A2D210", f"structure built under a runtime condition: {self.src(test)}")
                        for dag in changed:
                            dag.incomplete.append("A2D210")
                else:
                    self.exec_block(body if decided else orelse, env)
            case ast.While():
                if _creates_tasks(stmt):
                    self.mark_incomplete(stmt, "A2D211", "tasks created in a while loop")
            case ast.Return(value=value):
                raise _Return(self.eval(value, env) if value is not None else None)
            case _:
                pass

    def bind(self, target: ast.expr, value: Any, env: dict[str, Any], stmt: ast.stmt) -> None:
        match target:
            case ast.Name(id=name):
                env[name] = value
            case ast.Tuple(elts=elts) | ast.List(elts=elts):
                items = (
                    value
                    if isinstance(value, (list, tuple)) and len(value) == len(elts)
                    else [Unknown("?")] * len(elts)
                )
                for element, item in zip(elts, items, strict=False):
                    self.bind(element, item, env, stmt)
            case ast.Subscript(value=ast.Call(func=ast.Name(id="globals"))):
                self.diag(stmt, "A2D220", "DAG registered through globals()[...]: its id is only known at runtime")
            case _:
                pass

    def exec_with(self, items: list[ast.withitem], body: list[ast.stmt], env: dict[str, Any]) -> None:
        pushed_dags = pushed_groups = 0
        for item in items:
            value = self.eval(item.context_expr, env)
            if isinstance(value, DagState):
                self.dag_stack.append(value)
                pushed_dags += 1
            elif isinstance(value, GroupRef):
                self.group_stack.append(value.group_id)
                pushed_groups += 1
            if item.optional_vars is not None:
                self.bind(item.optional_vars, value, env, item.context_expr)  # type: ignore[arg-type]
        try:
            self.exec_block(body, env)
        finally:
            del self.dag_stack[len(self.dag_stack) - pushed_dags :]
            del self.group_stack[len(self.group_stack) - pushed_groups :]

    def exec_for(self, stmt, target, iterable, body, env) -> None:
        values = self.eval(iterable, env)
        if isinstance(values, dict):
            values = list(values)
        if not isinstance(values, (list, tuple)) or any(isinstance(v, Unknown) for v in _flat(values)):
            if _creates_tasks(stmt):
                self.mark_incomplete(stmt, "A2D201", f"tasks created in a loop over runtime data: {self.src(iterable)}")
            return
        for value in list(values)[:MAX_LOOP_ITERATIONS]:
            self.bind(target, value, env, stmt)
            self.exec_block(body, env)

    def define_function(self, node, env) -> Any:
        for decorator in node.decorator_list:
            func, kwargs = decorator, ()
            if isinstance(decorator, ast.Call):
                func = decorator.func
                kwargs = tuple((k.arg, self.eval(k.value, env)) for k in decorator.keywords if k.arg)
            resolved = self.eval(func, env)
            if not isinstance(resolved, Qual):
                continue
            name = resolved.name
            if name.startswith("airflow") and (name.endswith(".asset") or ".asset." in name):
                self.diag(
                    node,
                    "A2D280",
                    f"@asset function {node.name!r} is a DAG of its own (one task) that the scan does not "
                    "model (run `verify --dagbag` to see it)",
                    "info",
                )
                return Helper(node)
            if name.startswith("airflow") and name.endswith((".setup", ".teardown")):
                self.diag(node, "A2D270", "setup/teardown tasks add implicit edges the scan does not model")
                return TaskFlow(node, "setup_teardown", kwargs)
            if name.endswith((".dag",)) and name.startswith("airflow"):
                return DagFactory(node, kwargs)
            if name.startswith("airflow") and name.endswith(".task_group"):
                return GroupFactory(node, kwargs)
            if name.startswith("airflow") and (".task" in name or name.endswith("task")):
                variant = name.split(".task", 1)[1].lstrip(".") if ".task." in name else ""
                return TaskFlow(node, variant, kwargs)
        return Helper(node)

    def define_class(self, node: ast.ClassDef, env: dict[str, Any]) -> None:
        for base in node.bases:
            value = self.eval(base, env)
            info = None
            if isinstance(value, Qual):
                info = resolve_operator(value.name)
                if not (info.family or value.name.endswith(("Operator", "Sensor"))):
                    continue
            elif isinstance(value, CustomOperator):
                info = value
            if info is not None:
                qualified = f"{self.module}.{node.name}"
                env[node.name] = CustomOperator(qualified, info.family)
                return

    # -- expressions --------------------------------------------------------------------------------------
    def eval(self, node: ast.expr, env: dict[str, Any]) -> Any:
        match node:
            case ast.Constant(value=value):
                return value
            case ast.Name(id=name):
                if name in env:
                    return env[name]
                if name == "__file__":
                    return PathValue(self.path)
                return {"True": True, "False": False, "None": None}.get(name, Unknown(name))
            case ast.Attribute(value=base, attr=attr):
                owner = self.eval(base, env)
                if isinstance(owner, Qual):
                    if owner.name.startswith("airflow") and owner.name.endswith(STR_ENUMS):
                        return attr.lower()  # TriggerRule.ALL_DONE == "all_done": Airflow's enums are str enums
                    return Qual(f"{owner.name}.{attr}")
                if isinstance(owner, (str, dict, list, tuple)) and attr in LITERAL_METHODS:
                    return ("literal_method", owner, attr)
                if isinstance(owner, TaskRef) and attr == "output":
                    return XComArg(owner)
                if isinstance(owner, PathValue):
                    return _path_attribute(owner, attr) or Unknown(self.src(node))
                if isinstance(
                    owner, (TaskRef, XComArg, TaskFlow, Partial, DagState, GroupRef, CustomOperator, GroupFactory)
                ):
                    return ("method", owner, attr)
                return Unknown(self.src(node))
            case ast.List(elts=elts) | ast.Tuple(elts=elts) | ast.Set(elts=elts):
                values = []
                for element in elts:
                    if isinstance(element, ast.Starred):
                        inner = self.eval(element.value, env)
                        values.extend(inner if isinstance(inner, (list, tuple)) else [Unknown(self.src(element))])
                    else:
                        values.append(self.eval(element, env))
                return values if isinstance(node, ast.List) else tuple(values)
            case ast.Dict(keys=keys, values=values):
                result = {}
                for key, value in zip(keys, values, strict=True):
                    if key is None:
                        merged = self.eval(value, env)
                        if isinstance(merged, dict):
                            result.update(merged)
                        continue
                    result[_hashable(self.eval(key, env))] = self.eval(value, env)
                return result
            case ast.JoinedStr(values=parts):
                pieces = []
                for part in parts:
                    if isinstance(part, ast.Constant):
                        pieces.append(str(part.value))
                    elif isinstance(part, ast.FormattedValue):
                        value = self.eval(part.value, env)
                        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                            return Unknown(self.src(node))
                        if part.format_spec is not None:
                            return Unknown(self.src(node))
                        pieces.append(str(value))
                return "".join(pieces)
            case ast.BinOp(left=left, op=op, right=right):
                return self.eval_binop(node, self.eval(left, env), op, self.eval(right, env))
            case ast.Subscript(value=base, slice=index):
                container, key = self.eval(base, env), self.eval(index, env)
                if isinstance(container, XComArg):
                    return container
                try:
                    return container[key]  # type: ignore[index]
                except Exception:  # noqa: BLE001 - any failure means "not statically known"
                    return Unknown(self.src(node))
            case ast.Call():
                return self.eval_call(node, env)
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                value = self.eval(operand, env)
                return Unknown(self.src(node)) if isinstance(value, Unknown) else not value
            case (
                ast.ListComp(elt=elt, generators=generators)
                | ast.SetComp(elt=elt, generators=generators)
                | ast.GeneratorExp(elt=elt, generators=generators)
            ):
                return self.eval_comprehension(node, generators, env, lambda frame: self.eval(elt, frame))
            case ast.DictComp(key=key, value=value, generators=generators):
                pairs = self.eval_comprehension(
                    node, generators, env, lambda frame: (self.eval(key, frame), self.eval(value, frame))
                )
                return dict((_hashable(k), v) for k, v in pairs) if isinstance(pairs, list) else pairs
            case ast.Compare() | ast.BoolOp() | ast.IfExp():
                try:
                    return ast.literal_eval(node)
                except Exception:  # noqa: BLE001
                    return Unknown(self.src(node))
            case _:
                return Unknown(self.src(node))

    def eval_comprehension(self, node, generators, env, produce) -> Any:
        frames = [dict(env)]
        for generator in generators:
            next_frames = []
            for frame in frames:
                values = self.eval(generator.iter, frame)
                if isinstance(values, dict):
                    values = list(values)
                if not isinstance(values, (list, tuple)) or any(isinstance(v, Unknown) for v in _flat(list(values))):
                    if _creates_tasks(node):
                        self.mark_incomplete(
                            node, "A2D202", f"tasks created over runtime data: {self.src(generator.iter)}"
                        )
                    return Unknown(self.src(node))
                for value in list(values)[:MAX_LOOP_ITERATIONS]:
                    self.step()
                    inner = dict(frame)
                    self.bind(generator.target, value, inner, node)
                    conditions = [self.eval(condition, inner) for condition in generator.ifs]
                    if any(isinstance(c, Unknown) for c in conditions):
                        return Unknown(self.src(node))
                    if all(conditions):
                        next_frames.append(inner)
            frames = next_frames
        return [produce(frame) for frame in frames]

    def eval_binop(self, node, left, op, right) -> Any:
        if isinstance(op, (ast.RShift, ast.LShift)) and (isinstance(left, LabelRef) or isinstance(right, LabelRef)):
            upstream, downstream = (left, right) if isinstance(op, ast.RShift) else (right, left)
            if isinstance(downstream, LabelRef):
                downstream.upstream.append(upstream)
            else:
                for item in upstream.upstream:
                    self.link(item, downstream)
            return right
        if isinstance(op, (ast.RShift, ast.LShift)) and _is_node(left) and _is_node(right):
            upstream, downstream = (left, right) if isinstance(op, ast.RShift) else (right, left)
            self.link(upstream, downstream)
            return right
        if isinstance(op, (ast.RShift, ast.LShift)) and (_is_node(left) or _is_node(right) or _has_node(left, right)):
            self.mark_incomplete(node, "A2D231", f"a dependency on something the scan cannot resolve: {self.src(node)}")
            return right
        if isinstance(op, ast.Div) and isinstance(left, PathValue) and isinstance(right, str):
            return _join(left, right)
        if isinstance(op, (ast.BitAnd, ast.BitOr)) and _is_dataset(left) and _is_dataset(right):
            joiner = " & " if isinstance(op, ast.BitAnd) else " | "  # Dataset/Asset condition expressions
            return {"$dataset": f"({left['$dataset']}{joiner}{right['$dataset']})"}
        if isinstance(left, Unknown) or isinstance(right, Unknown) or _would_grow_too_much(left, op, right):
            return Unknown(self.src(node))
        try:
            return {
                ast.Add: lambda a, b: a + b,
                ast.Sub: lambda a, b: a - b,
                ast.Mult: lambda a, b: a * b,
                ast.Mod: lambda a, b: a % b,
                ast.Div: lambda a, b: a / b,
                ast.FloorDiv: lambda a, b: a // b,
            }[type(op)](left, right)
        except Exception:  # noqa: BLE001
            return Unknown(self.src(node))

    # -- calls --------------------------------------------------------------------------------------------
    def eval_call(self, node: ast.Call, env: dict[str, Any]) -> Any:
        func = self.eval(node.func, env)
        args: list[Any] = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                inner = self.eval(arg.value, env)
                args.extend(inner if isinstance(inner, (list, tuple)) else [Unknown(self.src(arg))])
            else:
                args.append(self.eval(arg, env))
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            value = self.eval(keyword.value, env)
            if keyword.arg is None:
                if isinstance(value, dict):
                    kwargs.update(value)
                continue
            kwargs[keyword.arg] = value

        if isinstance(func, tuple) and func and func[0] == "path_method":
            return func[1] if not args else Unknown(self.src(node))  # resolve(), absolute()
        if isinstance(func, Unknown) and isinstance(node.func, ast.Name) and node.func.id == "str" and args:
            if isinstance(args[0], PathValue):
                return args[0]
        if isinstance(func, tuple) and func and func[0] == "literal_method":
            return _call_literal_method(func[1], func[2], args, kwargs, self.src(node))
        if isinstance(func, Unknown) and isinstance(node.func, ast.Name) and node.func.id in PURE_BUILTINS:
            return _call_builtin(node.func.id, args, kwargs, self.src(node))
        if isinstance(func, tuple) and func and func[0] == "method":
            return self.call_method(node, func[1], func[2], args, kwargs)
        if isinstance(func, Qual):
            return self.call_qualified(node, func.name, args, kwargs)
        if isinstance(func, CustomOperator):
            return self.create_task(node, func.qualified, kwargs, canonical=(func.canonical, func.family))
        if isinstance(func, TaskFlow):
            return self.call_taskflow(node, func, args, kwargs)
        if isinstance(func, DagFactory):
            return self.call_dag_factory(node, func, args, kwargs)
        if isinstance(func, GroupFactory):
            return self.call_group_factory(node, func, args, kwargs, env)
        if isinstance(func, Helper):
            return self.call_helper(node, func, args, kwargs, env)
        if isinstance(func, Unknown) and _returns_tasks_hint(node):
            self.mark_incomplete(node, "A2D230", f"tasks built by code defined elsewhere: {self.src(node.func)}")
        return Unknown(self.src(node))

    def call_qualified(self, node, name: str, args: list, kwargs: dict) -> Any:
        short = name.rsplit(".", 1)[-1]
        if name in PATH_FUNCTIONS and args and isinstance(args[0], (PathValue, str)):
            return _path_call(name, args)
        if name.startswith("cosmos") and short.endswith("Config"):  # cosmos's config objects are plain records
            return {"$call": name, "args": args, "kwargs": kwargs}
        if short == "partial" and "." in name:  # SomeOperator.partial(...): the class is the owner
            return Partial(Qual(name.rsplit(".", 1)[0]), tuple(kwargs.items()))
        if is_dag_class(name):
            return self.create_dag(node, args, kwargs)
        if is_task_group_class(name):
            return self.create_group(node, args[0] if args else kwargs.get("group_id"), kwargs)
        if name.startswith("airflow") and short == "chain":
            self.chain(args)
            return None
        if name.startswith("airflow") and short == "cross_downstream":
            if len(args) == 2:
                for upstream in _as_list(args[0]):
                    self.link(upstream, args[1])
            return None
        if name.startswith("airflow") and short in {"Dataset", "Asset"}:
            return {"$dataset": args[0] if args else kwargs.get("uri") or kwargs.get("name")}
        if name.startswith("airflow") and short == "Label":
            return LabelRef()
        if name in {"datetime.datetime", "datetime.timedelta", "pendulum.datetime", "pendulum.duration"} or short in {
            "days_ago",
            "timedelta",
            "datetime",
        }:
            return {"$call": name, "args": args, "kwargs": kwargs}
        info = resolve_operator(name)
        if info.family or short.endswith(("Operator", "Sensor")):
            if short in {"DbtTaskGroup", "DbtDag"}:
                return self.create_dbt_group(node, name, kwargs)
            return self.create_task(node, name, kwargs, canonical=None)
        return Unknown(self.src(node))

    def call_method(self, node, owner, attr: str, args: list, kwargs: dict) -> Any:
        if attr in {"set_downstream", "set_upstream"} and _is_node(owner) and args:
            if attr == "set_downstream":
                self.link(owner, args[0])
            else:
                self.link(args[0], owner)
            return None
        if attr == "partial":
            return Partial(owner, tuple(kwargs.items()))
        if attr in {"expand", "expand_kwargs"}:
            if isinstance(owner, GroupFactory) or (
                isinstance(owner, Partial) and isinstance(owner.target, GroupFactory)
            ):
                factory = owner if isinstance(owner, GroupFactory) else owner.target
                self.mapped_groups += 1
                try:
                    return self.call_group_factory(node, factory, [], {}, {})
                finally:
                    self.mapped_groups -= 1
            if isinstance(owner, Partial):
                return self.create_mapped(node, owner.target, dict(owner.kwargs), args, kwargs)
            if isinstance(owner, TaskFlow):
                return self.create_mapped(node, owner, {}, args, kwargs)
        if attr in {"as_setup", "as_teardown"} and _is_node(owner):
            self.mark_incomplete(node, "A2D270", "setup/teardown tasks add implicit edges the scan does not model")
            return owner
        if attr == "partial" and isinstance(owner, (CustomOperator, GroupFactory)):
            return Partial(owner, tuple(kwargs.items()))
        if attr == "override" and isinstance(owner, TaskFlow):
            return TaskFlow(owner.node, owner.variant, tuple({**dict(owner.kwargs), **kwargs}.items()))
        if isinstance(owner, Qual) and attr in {"partial"}:
            return Partial(owner, tuple(kwargs.items()))
        return Unknown(self.src(node))

    # -- DAGs, groups, tasks ------------------------------------------------------------------------------
    def create_dag(self, node, args, kwargs) -> Any:
        dag_id = args[0] if args else kwargs.get("dag_id")
        if not isinstance(dag_id, str):
            self.diag(node, "A2D221", f"DAG id is not a literal: {self.src(node)[:120]}")
            return Unknown(self.src(node))
        dag = DagState(dag_id, ir.SourceRef(self.path, node.lineno, node.col_offset), kwargs)
        self.dags.append(dag)
        return dag

    def current_dag(self, kwargs: dict) -> DagState | None:
        explicit = kwargs.get("dag")
        if isinstance(explicit, DagState):
            return explicit
        return self.dag_stack[-1] if self.dag_stack else None

    def create_group(self, node, group_id, kwargs) -> Any:
        dag = self.current_dag(kwargs)
        if dag is None or not isinstance(group_id, str):
            return Unknown(self.src(node))
        parent = self.group_stack[-1] if self.group_stack else None
        full = f"{parent}.{group_id}" if parent and kwargs.get("prefix_group_id", True) is not False else group_id
        dag.groups.setdefault(full, [])
        dag.constructs.add("task_group")
        return GroupRef(dag, full)

    def create_task(self, node, written: str, kwargs: dict, canonical: tuple[str, str] | None) -> Any:
        dag = self.current_dag(kwargs)
        task_id = kwargs.get("task_id")
        if dag is None:
            self.diag(node, "A2D240", f"operator outside any DAG context: {self.src(node)[:100]}", "info")
            return Unknown(self.src(node))
        if not isinstance(task_id, str):
            self.mark_incomplete(node, "A2D241", f"task_id is not statically known: {self.src(node)[:120]}")
            return Unknown(self.src(node))
        info = resolve_operator(written) if canonical is None else None
        operator, family = (info.canonical, info.family) if info else canonical
        return self.add_task(node, dag, task_id, operator, family, written, kwargs, taskflow=False, mapped=False)

    def add_task(self, node, dag, task_id, operator, family, written, kwargs, *, taskflow, mapped, dedupe=False):
        group = self.group_stack[-1] if self.group_stack else None
        full_id = f"{group}.{task_id}" if group else task_id
        if full_id in dag.tasks:
            if not dedupe:
                self.diag(node, "A2D242", f"duplicate task id {full_id!r} in DAG {dag.dag_id!r}", "error")
                dag.incomplete.append("A2D242")
                return TaskRef(dag, full_id)
            n = 1
            while f"{full_id}__{n}" in dag.tasks:
                n += 1
            full_id = f"{full_id}__{n}"
        self.task_count += 1
        if self.task_count > MAX_TASKS_PER_FILE:
            raise _LimitReached("A2D008", f"more than {MAX_TASKS_PER_FILE:,} tasks in one file: analysis stopped")
        mapped = mapped or self.mapped_groups > 0
        kwargs = {key: self.callable_ref(value) for key, value in kwargs.items()}
        merged = {**_literal_dict(dag.kwargs.get("default_args")), **kwargs}
        task = _make_task(self.path, node, full_id, operator, family, written, merged, group, taskflow, mapped)
        dag.tasks[full_id] = task
        dag.upstream.setdefault(full_id, [])
        for parent in _group_chain(group):
            dag.groups.setdefault(parent, []).append(full_id)
        ref = TaskRef(dag, full_id)
        for value in _flat(list(kwargs.values())):  # XComArgs in arguments are dependencies
            if isinstance(value, XComArg) and value.task.dag is dag:
                self.link(value.task, ref)
        if taskflow:
            dag.constructs.add("taskflow")
        if mapped:
            dag.constructs.add("mapping")
        if family in {"branch", "short_circuit"}:
            dag.constructs.add("branching")
        if family == "sensor":
            dag.constructs.add("sensor")
        return ref

    def callable_ref(self, value: Any) -> Any:
        """Functions of this file passed to a task become references into the file's copied logic."""
        node = value.node if isinstance(value, (Helper, TaskFlow)) else value
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and self.logic is not None:
            return CallableRef(self.logic.add(node))
        return value

    def create_dbt_group(self, node, written: str, kwargs: dict) -> Any:
        """A cosmos group: one task per dbt node, rendered from the dbt project when Airflow parses the file."""
        if written.endswith("DbtDag"):
            dag_id = kwargs.get("dag_id")
            if not isinstance(dag_id, str):
                self.diag(node, "A2D221", "DbtDag id is not a literal")
                return Unknown(self.src(node))
            dag = DagState(dag_id, ir.SourceRef(self.path, node.lineno, node.col_offset), kwargs)
            self.dags.append(dag)
            self.dag_stack.append(dag)
            try:
                ref = self.create_task(node, written, {**kwargs, "task_id": "dbt_project"}, canonical=None)
            finally:
                self.dag_stack.pop()
        else:
            ref = self.create_task(node, written, {**kwargs, "task_id": kwargs.get("group_id")}, canonical=None)
        if isinstance(ref, TaskRef):
            ref.dag.constructs.add("cosmos")
            self.diag(
                node,
                "A2D260",
                "cosmos renders this group's tasks from the dbt project at parse time: the static "
                "inventory holds it as one dbt task; `verify --dagbag` lists the rendered tasks",
                "info",
            )
            ref.dag.incomplete.append("A2D260")
        return ref

    def call_taskflow(self, node, flow: TaskFlow, args, kwargs) -> Any:
        dag = self.current_dag({})
        options = dict(flow.kwargs)
        if dag is None:
            return Unknown(self.src(node))
        if flow.variant == "setup_teardown":
            dag.incomplete.append("A2D270")
        task_id = options.get("task_id", flow.node.name)
        variant = "" if flow.variant == "setup_teardown" else flow.variant
        operator = f"airflow.decorators.task{('.' + variant) if variant else ''}"
        family = _taskflow_family(variant)
        ref = self.add_task(
            node,
            dag,
            task_id,
            operator,
            family,
            operator,
            {**options, "python_callable": flow.node, "op_args": args, "op_kwargs": kwargs},
            taskflow=True,
            mapped=False,
            dedupe=True,
        )
        return XComArg(ref)

    def create_mapped(self, node, target, partial_kwargs, args, kwargs) -> Any:
        dag = self.current_dag(partial_kwargs)
        if dag is None:
            return Unknown(self.src(node))
        if isinstance(target, TaskFlow):
            options = dict(target.kwargs)
            operator = f"airflow.decorators.task{('.' + target.variant) if target.variant else ''}"
            ref = self.add_task(
                node,
                dag,
                options.get("task_id", target.node.name),
                operator,
                _taskflow_family(target.variant),
                operator,
                {
                    **options,
                    "python_callable": target.node,
                    "op_args": [],
                    "op_kwargs": partial_kwargs,
                    "expand": dict(kwargs) if kwargs else (args[0] if args else {}),
                },
                taskflow=True,
                mapped=True,
                dedupe=True,
            )
            return XComArg(ref)
        if isinstance(target, (Qual, CustomOperator)):
            written = target.name if isinstance(target, Qual) else target.qualified
            info = resolve_operator(written) if isinstance(target, Qual) else target
            task_id = partial_kwargs.get("task_id")
            if not isinstance(task_id, str):
                self.mark_incomplete(node, "A2D241", "mapped task without a literal task_id")
                return Unknown(self.src(node))
            return self.add_task(
                node,
                dag,
                task_id,
                info.canonical,
                info.family,
                written,
                {**partial_kwargs, "expand": dict(kwargs) if kwargs else (args[0] if args else {})},
                taskflow=False,
                mapped=True,
            )
        return Unknown(self.src(node))

    def call_dag_factory(self, node, factory: DagFactory, args, kwargs) -> Any:
        options = dict(factory.kwargs)
        dag_id = options.get("dag_id", factory.node.name)
        dag = DagState(dag_id, ir.SourceRef(self.path, factory.node.lineno, factory.node.col_offset), options)
        dag.constructs.add("dag_decorator")
        self.dags.append(dag)
        self.dag_stack.append(dag)
        try:
            self.run_function(factory.node, args, kwargs, {})
        finally:
            self.dag_stack.pop()
        return dag

    def call_group_factory(self, node, factory: GroupFactory, args, kwargs, env) -> Any:
        options = dict(factory.kwargs)
        group_id = options.get("group_id", factory.node.name)
        dag = self.current_dag({})
        if dag is not None and isinstance(group_id, str):  # called again: Airflow suffixes __1, __2, ...
            parent = self.group_stack[-1] if self.group_stack else None
            prefix = f"{parent}." if parent else ""
            if f"{prefix}{group_id}" in dag.groups:
                n = 1
                while f"{prefix}{group_id}__{n}" in dag.groups:
                    n += 1
                group_id = f"{group_id}__{n}"
        group = self.create_group(node, group_id, options)
        if not isinstance(group, GroupRef):
            return group
        self.group_stack.append(group.group_id)
        try:
            self.run_function(factory.node, args, kwargs, env)
        finally:
            self.group_stack.pop()
        return group

    def call_helper(self, node, helper: Helper, args, kwargs, env) -> Any:
        if self.depth >= MAX_CALL_DEPTH:
            self.mark_incomplete(node, "A2D232", f"helper calls nested deeper than {MAX_CALL_DEPTH}")
            return Unknown(self.src(node))
        return self.run_function(helper.node, args, kwargs, env)

    def run_function(self, fn: ast.FunctionDef, args, kwargs, env) -> Any:
        frame = {**self.module_env, **env}
        params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        defaults = fn.args.defaults
        for name, default in zip(params[len(params) - len(defaults) :], defaults, strict=True):
            frame[name] = self.eval(default, frame)
        for name, value in zip(params, args, strict=False):
            frame[name] = value
        for kw in fn.args.kwonlyargs:
            frame[kw.arg] = Unknown(kw.arg)
        for kw, default in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True):
            if default is not None:
                frame[kw.arg] = self.eval(default, frame)
        frame.update({k: v for k, v in kwargs.items() if not k.startswith("$")})
        self.depth += 1
        try:
            self.exec_block(fn.body, frame)
        except _Return as returned:
            return returned.value
        finally:
            self.depth -= 1
        return None

    # -- dependencies -------------------------------------------------------------------------------------
    def chain(self, items: list) -> None:
        for left, right in zip(items, items[1:], strict=False):
            if isinstance(left, list) and isinstance(right, list):
                if len(left) != len(right):
                    self.diag(None, "A2D250", "chain() of lists with different lengths", "error")
                    continue
                for a, b in zip(left, right, strict=True):
                    self.link(a, b)
            else:
                self.link(left, right)

    def link(self, upstream: Any, downstream: Any) -> None:
        for up in self.leaves(upstream):
            for down in self.roots(downstream):
                if up.dag is down.dag and up.task_id not in down.dag.upstream.setdefault(down.task_id, []):
                    down.dag.upstream[down.task_id].append(up.task_id)

    def _members(self, node: Any) -> list[TaskRef]:
        if isinstance(node, TaskRef):
            return [node]
        if isinstance(node, XComArg):
            return [node.task]
        if isinstance(node, GroupRef):
            return [TaskRef(node.dag, t) for t in node.dag.groups.get(node.group_id, [])]
        if isinstance(node, (list, tuple)):
            return [ref for item in node for ref in self._members(item)]
        return []

    def roots(self, node: Any) -> list[TaskRef]:
        if isinstance(node, GroupRef):
            inside = set(node.dag.groups.get(node.group_id, []))
            return [r for r in self._members(node) if not inside & set(node.dag.upstream.get(r.task_id, []))]
        if isinstance(node, (list, tuple)):
            return [ref for item in node for ref in self.roots(item)]
        return self._members(node)

    def leaves(self, node: Any) -> list[TaskRef]:
        if isinstance(node, GroupRef):
            inside = set(node.dag.groups.get(node.group_id, []))
            has_child = {u for t in inside for u in node.dag.upstream.get(t, []) if u in inside}
            return [r for r in self._members(node) if r.task_id not in has_child]
        if isinstance(node, (list, tuple)):
            return [ref for item in node for ref in self.leaves(item)]
        return self._members(node)

    def _note_style(self, module: str) -> None:
        if module.startswith("airflow.sdk") or module.startswith("airflow.providers.standard"):
            self.styles.add("3.x")
        elif module.startswith("airflow.contrib") or (module.startswith("airflow.") and module.endswith("_operator")):
            self.styles.add("1.10")
        elif module.startswith("airflow"):
            self.styles.add("2.x")


# -- module helpers -----------------------------------------------------------------------------------------

PATH_FUNCTIONS = {
    "pathlib.Path",
    "pathlib.PurePath",
    "pathlib.PosixPath",
    "os.path.dirname",
    "os.path.realpath",
    "os.path.abspath",
    "os.path.normpath",
    "os.path.join",
}


def _normalise(path: str) -> str:
    """``a/b/../c`` -> ``a/c``; leading ``..`` kept (a path above the scanned folder)."""
    parts: list[str] = []
    for part in path.split("/"):
        if part in {"", "."}:
            continue
        if part == ".." and parts and parts[-1] != "..":
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts) or "."


def _join(base: PathValue, *more: str) -> Any:
    if any(m.startswith("/") for m in more):
        return Unknown("absolute path")
    return PathValue(_normalise("/".join([base.path, *more])))


def _path_attribute(owner: PathValue, attr: str) -> Any:
    if attr == "parent":
        return PathValue(_normalise(owner.path + "/.."))
    if attr in {"resolve", "absolute"}:
        return ("path_method", owner, attr)
    return None


def _path_call(name: str, args: list) -> Any:
    first = args[0]
    if not isinstance(first, PathValue):
        return Unknown(f"{name}(...)")  # a literal path stays what it was written as: not followed
    if name == "os.path.dirname":
        return PathValue(_normalise(first.path + "/.."))
    if name == "os.path.join" or name.startswith("pathlib."):
        rest = args[1:]
        if not all(isinstance(r, str) for r in rest):
            return Unknown(f"{name}(...)")
        return _join(first, *rest)
    return first  # realpath, abspath, normpath


# Calls to these never build tasks (stdlib, Airflow's own helpers, common libraries).
NOT_TASK_BUILDERS = ("airflow", "logging", "os", "sys", "json", "time", "datetime", "pendulum", "warnings", "pathlib")


def _is_dataset(value: Any) -> bool:
    return isinstance(value, dict) and "$dataset" in value


def _size(dag: DagState) -> tuple[int, int]:
    return len(dag.tasks), sum(len(up) for up in dag.upstream.values())


def _has_node(*values: Any) -> bool:
    return any(isinstance(v, (TaskRef, XComArg, GroupRef)) for v in _flat(list(values)))


STR_ENUMS = (".TriggerRule", ".WeightRule", ".DagRunState", ".TaskInstanceState", ".State")
MUTATING_METHODS = {"append", "extend", "insert", "update", "setdefault"}
LITERAL_METHODS = {"items", "keys", "values", "format", "upper", "lower", "join", "split", "replace", "strip", "get"}
LITERAL_METHODS |= MUTATING_METHODS
PURE_BUILTINS = {"range", "enumerate", "zip", "len", "list", "tuple", "sorted", "reversed", "str", "int", "dict", "set"}


def _call_literal_method(owner, attr, args, kwargs, source) -> Any:
    if attr in MUTATING_METHODS and isinstance(owner, (list, dict)):
        try:  # tasks collected in a list (tasks.append(op)) are followed, unknown items included
            return getattr(owner, attr)(*args, **kwargs)
        except Exception:  # noqa: BLE001
            return Unknown(source)
    if any(isinstance(a, Unknown) for a in _flat(list(args) + list(kwargs.values()))):
        return Unknown(source)
    if _method_would_grow_too_much(owner, attr, args, kwargs):
        return Unknown(source)
    try:
        result = getattr(owner, attr)(*args, **kwargs)
    except Exception:  # noqa: BLE001
        return Unknown(source)
    return list(result) if attr in {"items", "keys", "values"} else result


def _length(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple, dict)) else 1


def _would_grow_too_much(left: Any, op: ast.operator, right: Any) -> bool:
    """A hostile file must not make the scan build a gigabyte string ("x" * 10**10, s = s + s in a loop)."""
    if isinstance(op, ast.Mult):
        count = right if isinstance(right, int) else left if isinstance(left, int) else 1
        return isinstance(count, int) and max(_length(left), _length(right)) * abs(count) > MAX_VALUE_LENGTH
    if isinstance(op, ast.Add):
        return _length(left) + _length(right) > MAX_VALUE_LENGTH
    if isinstance(op, ast.Mod) and isinstance(left, str):
        return _huge_format(left)
    return False


WIDTH_METHODS = {"ljust", "rjust", "center", "zfill", "expandtabs"}


def _method_would_grow_too_much(owner: Any, attr: str, args: list, kwargs: dict) -> bool:
    values = list(args) + list(kwargs.values())
    if attr in WIDTH_METHODS:
        return any(isinstance(v, int) and v > MAX_VALUE_LENGTH for v in values)
    if attr in {"format", "format_map"} and isinstance(owner, str):
        return _huge_format(owner) or sum(_length(v) for v in values) > MAX_VALUE_LENGTH
    if attr in {"replace", "join"}:
        return _length(owner) * max([1, *(_length(v) for v in values)]) > MAX_VALUE_LENGTH
    return False


def _huge_format(template: str) -> bool:
    """A width or precision of seven digits or more in a format string ("{:>1000000000}", "%1000000000d")."""
    return re.search(r"[{%][^{}%]{0,20}?\d{7,}", template) is not None


def _call_builtin(name, args, kwargs, source) -> Any:
    if any(isinstance(a, Unknown) for a in _flat(list(args) + list(kwargs.values()))):
        return Unknown(source)
    if name in {"enumerate", "zip", "sorted", "reversed", "list", "tuple", "set", "dict"} and not all(
        isinstance(a, (list, tuple, dict, str, int)) for a in args
    ):
        return Unknown(source)
    try:
        result = {
            "range": range,
            "enumerate": enumerate,
            "zip": zip,
            "len": len,
            "list": list,
            "tuple": tuple,
            "sorted": sorted,
            "reversed": reversed,
            "str": str,
            "int": int,
            "dict": dict,
            "set": sorted,
        }[name](*args, **kwargs)
    except Exception:  # noqa: BLE001
        return Unknown(source)
    if name == "range" and len(result) > MAX_LOOP_ITERATIONS:
        return Unknown(source)
    return (
        [list(x) if isinstance(x, tuple) else x for x in result]
        if name in {"enumerate", "zip"}
        else (list(result) if name in {"range", "reversed"} else result)
    )


def _flat(values: Any) -> list:
    if isinstance(values, (list, tuple)):
        return [leaf for value in values for leaf in _flat(value)]
    if isinstance(values, dict):
        return [leaf for value in values.values() for leaf in _flat(value)]
    return [values]


def _hashable(value: Any) -> Any:
    try:
        hash(value)
        return value
    except TypeError:
        return repr(value)


def _is_node(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_is_node(v) for v in value)
    return isinstance(value, (TaskRef, XComArg, GroupRef))


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _group_chain(group: str | None) -> list[str]:
    if not group:
        return []
    parts = group.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _taskflow_family(variant: str) -> str:
    return {
        "": "python",
        "python": "python",
        "bash": "bash",
        "branch": "branch",
        "short_circuit": "short_circuit",
        "virtualenv": "python_venv",
        "external_python": "python_venv",
        "sensor": "sensor",
        "kubernetes": "pod",
        "docker": "pod",
    }.get(variant, "")


def _creates_tasks(stmt: ast.AST) -> bool:
    """Does this block (probably) build tasks? Calls with task_id=, or calls of anything at all we can't see."""
    return any(
        isinstance(n, ast.Call) and any(k.arg in {"task_id", "group_id"} for k in n.keywords) for n in ast.walk(stmt)
    ) or any(isinstance(n, (ast.BinOp)) and isinstance(n.op, (ast.RShift, ast.LShift)) for n in ast.walk(stmt))


def _returns_tasks_hint(node: ast.Call) -> bool:
    return any(k.arg in {"task_id", "dag", "group_id"} for k in node.keywords)


def _literal_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _to_json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _to_json_value(v) for k, v in value.items()}
    if isinstance(value, Unknown):
        return {"$source": value.source}
    if isinstance(value, (TaskRef,)):
        return {"$task": value.task_id}
    if isinstance(value, XComArg):
        return {"$xcom": value.task.task_id}
    if isinstance(value, Qual):
        return {"$ref": value.name}
    if isinstance(value, CallableRef):
        return {"$callable": value.name}
    if isinstance(value, PathValue):
        return {"$path": value.path}
    return {"$source": type(value).__name__}


def _seconds(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dict) and value.get("$call", "").endswith(("timedelta", "duration")):
        units = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1, "milliseconds": 0.001}
        total = 0.0
        positional = value.get("args", [])
        for unit, amount in zip(["days", "seconds"], positional, strict=False):
            if not isinstance(amount, (int, float)):
                return None
            total += units[unit] * amount
        for unit, amount in value.get("kwargs", {}).items():
            if unit not in units or not isinstance(amount, (int, float)):
                return None
            total += units[unit] * amount
        return total
    return None


CALLBACK_ARGS = (
    "on_failure_callback",
    "on_success_callback",
    "on_retry_callback",
    "on_execute_callback",
    "sla_miss_callback",
)


def _make_task(path, node, task_id, operator, family, written, kwargs, group, taskflow, mapped) -> ir.Task:
    arguments = {
        k: _to_json_value(v) for k, v in kwargs.items() if not k.startswith("$") and k not in {"dag", "task_id"}
    }
    conn_ids = tuple(sorted({str(v) for k, v in kwargs.items() if k.endswith("conn_id") and isinstance(v, str)}))
    templated = tuple(sorted(k for k, v in kwargs.items() if isinstance(v, str) and "{{" in v))

    def datasets(key: str) -> tuple[str, ...]:
        value = kwargs.get(key) or []
        items = value if isinstance(value, (list, tuple)) else [value]
        return tuple(str(i["$dataset"]) for i in items if isinstance(i, dict) and "$dataset" in i)

    retries = kwargs.get("retries")
    return ir.Task(
        task_id=task_id,
        operator=operator,
        source=ir.SourceRef(path, node.lineno, node.col_offset),
        operator_as_written=written,
        family=family,
        taskflow=taskflow,
        task_group=group,
        mapped=mapped,
        trigger_rule=str(kwargs.get("trigger_rule", "all_success"))
        if isinstance(kwargs.get("trigger_rule", ""), str)
        else "unresolved",
        pool=kwargs.get("pool") if isinstance(kwargs.get("pool"), str) else None,
        retry=ir.RetrySpec(
            retries=retries if isinstance(retries, int) and not isinstance(retries, bool) else None,
            retry_delay_seconds=_seconds(kwargs.get("retry_delay")),
            exponential_backoff=kwargs.get("retry_exponential_backoff") is True,
            max_retry_delay_seconds=_seconds(kwargs.get("max_retry_delay")),
        ),
        callbacks=tuple(name for name in CALLBACK_ARGS if kwargs.get(name) is not None),
        sla=str(_seconds(kwargs["sla"])) if kwargs.get("sla") is not None else None,
        depends_on_past=kwargs.get("depends_on_past") is True,
        conn_ids=conn_ids,
        outlets=datasets("outlets"),
        inlets=datasets("inlets"),
        templated=templated,
        arguments=arguments,
    )


# -- from interpreter state to the IR -----------------------------------------------------------------------


def _schedule(kwargs: dict) -> ir.Schedule:
    for key in ("schedule", "schedule_interval", "timetable"):
        if key not in kwargs:
            continue
        value = kwargs[key]
        if value is None:
            return ir.Schedule("none")
        if isinstance(value, str):
            return ir.Schedule("preset" if value.startswith("@") else "cron", value)
        if (seconds := _seconds(value)) is not None:
            return ir.Schedule("timedelta", str(seconds))
        if isinstance(value, (list, tuple)) and value and all(_is_dataset(v) for v in value):
            return ir.Schedule("dataset", " & ".join(str(v["$dataset"]) for v in value))  # a list means all of them
        if _is_dataset(value):
            return ir.Schedule("dataset", str(value["$dataset"]))
        if key == "timetable":
            return ir.Schedule("timetable", _describe(value))
        return ir.Schedule("unresolved", _describe(value))
    return ir.Schedule("default")


def _describe(value: Any) -> str:
    if isinstance(value, Unknown):
        return value.source
    if isinstance(value, dict) and "$call" in value:
        return f"{value['$call']}(...)"
    return repr(_to_json_value(value))


def _date(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict) and "$call" in value:
        args = value.get("args", [])
        if value["$call"].endswith("datetime") and args and all(isinstance(a, int) for a in args):
            parts = [*args, 1, 1][:3]
            return f"{parts[0]:04d}-{parts[1]:02d}-{parts[2]:02d}"
        return _describe(value)
    return _describe(value)


def to_dag_ir(state: DagState) -> ir.Dag:
    kwargs = state.kwargs
    default_args = _literal_dict(kwargs.get("default_args"))
    schedule = _schedule(kwargs)
    constructs = set(state.constructs)
    if schedule.kind == "dataset":
        constructs.add("dataset_schedule")
    if any(t.outlets for t in state.tasks.values()):
        constructs.add("dataset_outlet")
    edges = tuple(
        ir.Edge(upstream, task_id) for task_id in state.tasks for upstream in sorted(state.upstream.get(task_id, []))
    )
    tags = kwargs.get("tags")
    catchup = kwargs.get("catchup")
    max_active_runs = kwargs.get("max_active_runs")
    params = kwargs.get("params")
    return ir.Dag(
        dag_id=state.dag_id,
        source=state.source,
        schedule=schedule,
        start_date=_date(kwargs.get("start_date", default_args.get("start_date"))),
        catchup=catchup if isinstance(catchup, bool) else None,
        max_active_runs=max_active_runs if isinstance(max_active_runs, int) else None,
        tags=tuple(str(t) for t in tags) if isinstance(tags, (list, tuple)) else (),
        params=_to_json_value(params) if isinstance(params, dict) else {},
        default_args=_to_json_value(default_args),
        tasks=tuple(state.tasks.values()),
        edges=edges,
        constructs=tuple(sorted(constructs)),
        complete=not state.incomplete,
    )


def module_name(relative_path: str) -> str:
    return relative_path.removesuffix(".py").replace("/", ".")


def scan_source(text: str, relative_path: str) -> ir.DagFile:
    """Scan one file's text. Never raises: every problem becomes a diagnostic on the returned DagFile.

    Secrets in the source are reported (A2D300, redacted) and scrubbed from everything the result carries.
    """
    file, tree = _scan_structure(text, relative_path)
    try:
        found = secrets.find_secrets(text, tree, relative_path)
        file = dataclasses.replace(
            file, diagnostics=file.diagnostics + tuple(secrets.diagnostics_for(found, relative_path))
        )
        return secrets.scrub_file(file, found)
    except (RecursionError, MemoryError) as exc:
        # Nothing of the file may leave the scan unchecked: keep only the diagnostics, which hold no source text.
        message = f"secrets could not be checked ({type(exc).__name__}); the file's content is left out"
        keep = (*(d for d in file.diagnostics if d.code in {"A2D001", "A2D002"}),)
        return ir.DagFile(
            relative_path, file.sha256, (), (), (*keep, ir.Diagnostic(relative_path, 0, "A2D003", "error", message))
        )


def _scan_structure(text: str, relative_path: str) -> tuple[ir.DagFile, ast.Module | None]:
    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
    try:
        with warnings.catch_warnings():  # Python's warnings about the user's code ("invalid escape") are not ours
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=relative_path)
            # What the parser accepts but Python refuses to run ('return' outside a function...), Airflow refuses.
            compile(tree, relative_path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        message = f"does not parse on Python 3.11: {exc.msg}"
        diagnostic = ir.Diagnostic(relative_path, exc.lineno or 0, "A2D001", "error", message)
        return ir.DagFile(relative_path, digest, (), (), (diagnostic,)), None
    except (ValueError, RecursionError, MemoryError) as exc:
        message = f"cannot be parsed: {type(exc).__name__}: {str(exc)[:200]}"
        return ir.DagFile(
            relative_path, digest, (), (), (ir.Diagnostic(relative_path, 0, "A2D002", "error", message),)
        ), None
    scanner = FileScanner(relative_path, text, module_name(relative_path))
    try:
        scanner.run(tree)
    except RecursionError:
        scanner.diag(None, "A2D003", "nesting too deep to analyse", "error")
        for dag in scanner.dags:
            dag.incomplete.append("A2D003")
    except _LimitReached as limit:
        scanner.diag(None, limit.code, limit.message + "; the DAGs of this file are incomplete", "error")
        for dag in scanner.dags:
            dag.incomplete.append(limit.code)
    except Exception as exc:  # noqa: BLE001 - an analyser bug must not stop the scan of the estate
        scanner.diag(None, "A2D999", f"internal analyser error ({type(exc).__name__}: {exc}); please report", "error")
        for dag in scanner.dags:
            dag.incomplete.append("A2D999")
    dags = tuple(to_dag_ir(state) for state in scanner.dags)
    if not dags and not any(d.severity == "error" for d in scanner.diagnostics):
        scanner.diag(None, "A2D030", "no DAG found in this file (a helper module, or DAGs built elsewhere)", "info")
    callables, (logic_imports, logic), airflow_imports = _logic_of(scanner, relative_path)
    file = ir.DagFile(
        relative_path,
        digest,
        tuple(sorted(scanner.styles)),
        dags,
        tuple(scanner.diagnostics),
        callables,
        logic_imports,
        logic,
        airflow_imports,
    )
    return file, tree


def _logic_of(scanner: FileScanner, relative_path: str) -> tuple[tuple[ir.Callable, ...], tuple[str, str], dict]:
    """The file's callables and the code they need; code that does not compile again is not offered."""
    extractor = scanner.logic
    if extractor is None or not extractor.callables:
        return (), ("", ""), {}
    callables = tuple(
        dataclasses.replace(c, source=ir.SourceRef(relative_path, c.source.line, c.source.col))
        for c in extractor.callables
    )
    try:
        logic = extractor.logic()
        compile(logic[0] + logic[1], relative_path, "exec", dont_inherit=True)
    except Exception as exc:  # noqa: BLE001 - odd layouts (dedent across multi-line strings...) must not stop a scan
        scanner.diag(None, "A2D290", f"the code of this file's callables could not be copied out: {exc}", "warning")
        reason = "its code could not be copied out of the file"
        return tuple(dataclasses.replace(c, unresolved=(*c.unresolved, reason)) for c in callables), ("", ""), {}
    return callables, logic, dict(sorted(extractor.airflow_imports.items()))
