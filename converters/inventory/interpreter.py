"""The scan's interpreter: Python statements and expressions over symbolic values, bounded, never executed.

``Interpreter`` runs a module body (imports, assignments, ``with``, ``for`` over literals, ``if``, ``try``,
``def``/``class``), evaluates expressions (names, attributes, containers, f-strings, operators, comprehensions,
subscripts, calls) and same-file helper functions, counting steps against the file's limits. What a call
*means* to Airflow (a DAG, an operator, ``>>``...) is ``AirflowSemantics``' (semantics.py): the two are
mixed into ``FileScanner`` (scan.py), so each calls the other through ``self``.
"""

from __future__ import annotations

import ast
import dataclasses
import sys
from typing import Any

from converters.inventory import ir
from converters.inventory.callables import BUILTIN_NAMES, LogicExtractor, _all_names, is_plain_literal
from converters.inventory.data_files import OpenFile
from converters.inventory.estate import NOT_HANDLED
from converters.inventory.literals import (
    LITERAL_METHODS,
    MAX_CALL_DEPTH,
    MAX_LOOP_ITERATIONS,
    MAX_STEPS_PER_FILE,
    MAX_VALUE_LENGTH,
    MUTATING_METHODS,
    PATH_FUNCTIONS,
    PURE_BUILTINS,
    STR_ENUMS,
    _call_builtin,
    _call_literal_method,
    _join,
    _path_attribute,
    _would_grow_too_much,
    formattable,
)
from converters.inventory.operators import named_like_operator
from converters.inventory.values import (
    BoundFunction,
    BoundMethod,
    CustomOperator,
    DagFactory,
    DagState,
    EstateCode,
    Formatted,
    GroupFactory,
    GroupRef,
    Helper,
    LabelRef,
    LiteralMethod,
    Loose,
    MethodRef,
    Partial,
    Passed,
    PathMethod,
    PathValue,
    Qual,
    SelfRef,
    Stringified,
    SuperRef,
    TaskFlow,
    TaskRef,
    Unknown,
    XComArg,
    _ConditionalReturn,
    _dags_in,
    _flat,
    _has_node,
    _hashable,
    _is_dataset,
    _is_node,
    _LimitReached,
    _Return,
    _size,
)
from converters.inventory.yaml_dags import YamlFactory


class Interpreter:
    """Statements and expressions; the Airflow meaning of calls is ``AirflowSemantics``' (mixed in by FileScanner)."""

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
        self.current_stmt: ast.stmt | None = None  # the statement being run (its scopes resolve carried code)
        self.call_env: dict[str, Any] = {}  # the names seen by the call being dispatched (an operator's)
        self.assigned: dict[tuple[int, str], tuple[Any, ast.expr]] = {}  # (id(env), name) -> (value, expression)
        self.passed: list[tuple] = []  # arguments passed to estate functions as code (semantics.mark_passed)
        self.realized: dict[int, Any] = {}  # Passed.key -> the argument carried as code (or refused)
        self.root = None  # the scanned folder (a Path), when the scan may read the data files a DAG file reads
        self.data_files: dict[str, str] = {}  # data files read (path under the folder -> sha256): the cache key
        self.last_not_followed: ast.Call | None = None  # the last call given up on that said so (A2D233)
        self.lost_edge_lines: set[int] = set()  # lines already said to hold an edge between unresolved values

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
        self.logic = LogicExtractor(tree, self.text, self.module, getattr(self, "code_sources", None))
        self.file_logic = self.logic  # the DAG file's, also while an estate module's code runs (logic is None then)
        self.exec_block(tree.body, self.module_env)

    def exec_block(self, body: list[ast.stmt], env: dict[str, Any]) -> None:
        for index, stmt in enumerate(body):
            self.step()
            outer, self.current_stmt = self.current_stmt, stmt
            try:
                self.exec_stmt(stmt, env)
            except _ConditionalReturn as returned:
                self.current_stmt = outer
                self.exec_after_conditional_return(returned, body[index + 1 :], env)
            finally:
                self.current_stmt = outer

    def exec_after_conditional_return(self, returned: _ConditionalReturn, rest: list[ast.stmt], env) -> None:
        """A ``return`` taken under a runtime condition: the rest of the block runs in the other case, so it is
        followed too, and what it builds exists only under that condition (A2D210). The function's value is the
        one both paths return, else unknown. Raises the merged return (still conditional if the rest falls
        through, so that enclosing blocks go on)."""
        before = self._structure()
        try:
            self.exec_block(rest, env)
        except _ConditionalReturn as other:
            raise _ConditionalReturn(_merge_returns(returned.value, other.value, returned.why), other.why) from None
        except _Return as other:
            raise _Return(_merge_returns(returned.value, other.value, returned.why)) from None
        finally:
            changed = [dag for dag in self.dags if before.get(id(dag)) != _size(dag)]
            if changed and rest:
                self.diag(rest[0], "A2D210", f"structure built unless a runtime condition returns: {returned.why}")
                for dag in changed:
                    dag.incomplete.append("A2D210")
        raise _ConditionalReturn(_merge_returns(returned.value, None, returned.why), returned.why)

    def step(self) -> None:
        """Count one unit of work; a file whose loops multiply past the budget is stopped, not followed."""
        self.steps += 1
        if self.steps > MAX_STEPS_PER_FILE:
            raise _LimitReached(
                "A2D007", f"analysis stopped after {MAX_STEPS_PER_FILE:,} steps (loops too large to unroll)"
            )

    def exec_stmt(self, stmt: ast.stmt, env: dict[str, Any]) -> None:
        match stmt:
            case ast.Import() | ast.ImportFrom():
                self.exec_import(stmt, env)
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
                if (
                    isinstance(value, ast.IfExp)
                    and isinstance(result, Unknown)  # else the condition is known: the interpreter already chose
                    and len(targets) == 1
                    and isinstance(targets[0], ast.Name)
                ):
                    result = self.operator_choice(value, targets[0].id, env) or result  # `Op = A if env else B`
                for target in targets:
                    self.bind(target, result, env, stmt)
                if len(targets) == 1 and isinstance(targets[0], ast.Name) and _holds_unknown(result):
                    # `sql = f"..."` then `sql=sql`; `env = db.envvars()` (a dict of Variables) then `env=env`. A
                    # container is kept as a copy: changed in place after (`env["X"] = ...`), it is not this code.
                    self.assigned[(id(env), targets[0].id)] = (_shape_copy(result), value)
            case ast.AnnAssign(target=target, value=value) if value is not None:
                self.bind(target, self.eval(value, env), env, stmt)
            case ast.AugAssign(target=target, op=op, value=value):
                self.exec_augmented(stmt, target, op, value, env)
            case ast.Expr(value=value):
                result = self.eval(value, env)
                said = self.last_not_followed is value  # the call already said it was not followed
                if isinstance(value, ast.Call) and isinstance(result, Unknown) and self.dag_stack and not said:
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
                    returns = self.exec_branches(test, body, orelse, env)
                    changed = [dag for dag in self.dags if before.get(id(dag)) != _size(dag)]
                    if changed:
                        self.diag(stmt, "A2D210", f"structure built under a runtime condition: {self.src(test)}")
                        for dag in changed:
                            dag.incomplete.append("A2D210")
                    self.raise_branch_returns(returns, self.src(test))
                else:
                    self.exec_block(body if decided else orelse, env)
            case ast.While():
                if _creates_tasks(stmt):
                    self.mark_incomplete(stmt, "A2D211", "tasks created in a while loop")
            case ast.Return(value=value):
                raise _Return(self.eval(value, env) if value is not None else None)
            case _:
                pass

    def exec_branches(self, test: ast.expr, body: list[ast.stmt], orelse: list[ast.stmt], env) -> list[_Return | None]:
        """Both branches of an ``if`` decided only at run time. What they build is kept (structure under a runtime
        condition is flagged by the caller); a plain value (a string, a number, a dict...) the branches leave
        different is unknown afterwards, never one branch's value taken for the other's."""
        missing = object()
        before = dict(env)
        # A dict of plain values changed in place by a branch (`env["PROD"] = "1"`): the entries it changed are
        # unknown afterwards (every name for the dict sees them so, as in Python).
        filled = {
            id(v): (v, dict(v))
            for v in before.values()
            if isinstance(v, dict) and not any(str(k).startswith("$") for k in v)
            if not any(_is_node(x) for x in _flat(list(v.values())))
        }
        # A list of plain values (or values the scan could not evaluate) grown or changed by a branch
        # (`args.append(...)` under `if flag not in args:`): unknown afterwards, under every name bound to it.
        grown = {
            id(v): (v, list(v))
            for v in before.values()
            if isinstance(v, list) and not any(_is_node(x) for x in _flat(list(v)))
        }
        returns: list[_Return | None] = [None, None]
        try:
            self.exec_block(body, env)
        except _Return as returned:
            returns[0] = returned
        after_body = dict(env)
        for name, value in after_body.items():  # the else branch starts from the values before the if
            if is_plain_literal(value) and before.get(name, missing) is not value:
                if name in before:
                    env[name] = before[name]
                else:
                    del env[name]
        try:
            self.exec_block(orelse, env)
        except _Return as returned:
            returns[1] = returned
        for name in set(after_body) | set(env):
            taken, other = after_body.get(name, missing), env.get(name, missing)
            if taken is other:
                continue
            chosen = None
            if isinstance(taken, (CustomOperator, Qual)) and isinstance(other, (CustomOperator, Qual)):
                # `if env == "dev": Op = A else: Op = B`: a class chosen when the module runs (estate.py).
                chosen = self.class_choice(name, self.current_stmt or test, test, [taken, other], env)
            if chosen is not None:
                env[name] = chosen
            elif not (is_plain_literal(taken) or is_plain_literal(other)):  # structure: the last branch's, as before
                env.setdefault(name, taken)
            elif type(taken) is not type(other) or taken != other:
                env[name] = Unknown(f"{name}, set under a runtime condition ({self.src(test)})")
        for mapping, was in filled.values():
            for key in [
                k
                for k in [*was, *(k for k in mapping if k not in was)]
                if mapping.get(k, missing) is not was.get(k, missing)
            ]:
                if not any(_is_node(x) for x in _flat([mapping.get(key)])):
                    mapping[key] = Unknown(f"{key}, set under a runtime condition ({self.src(test)})")
        for items, was in grown.values():
            if len(items) == len(was) and all(a is b for a, b in zip(items, was, strict=True)):
                continue
            if any(_is_node(x) for x in _flat(list(items))):
                continue  # tasks collected under the condition: structure, flagged by the caller
            for name in [n for n, v in env.items() if v is items]:
                env[name] = Unknown(f"{name}, changed under a runtime condition ({self.src(test)})")
        return returns

    @staticmethod
    def raise_branch_returns(returns: list[_Return | None], why: str) -> None:
        """After both branches of a runtime ``if``: a ``return`` in both is the function's (one value when
        both agree, else unknown); in one only, the code after the ``if`` still runs in the other case."""
        taken = [returned for returned in returns if returned is not None]
        if not taken:
            return
        if len(taken) == 2:
            value = _merge_returns(taken[0].value, taken[1].value, why)
            conditional = any(isinstance(returned, _ConditionalReturn) for returned in taken)
            raise (_ConditionalReturn(value, taken[0].why) if conditional else _Return(value))
        raise _ConditionalReturn(taken[0].value, why)

    def exec_augmented(self, stmt: ast.AugAssign, target: ast.expr, op: ast.operator, value: ast.expr, env) -> None:
        """``tasks += [op]`` extends the list in place (as Python does: other names for it see the task too)."""
        current, right = self.eval(target, env), self.eval(value, env)
        if isinstance(current, list) and isinstance(op, ast.Add) and isinstance(right, (list, tuple)):
            if len(current) + len(right) <= MAX_VALUE_LENGTH:
                current.extend(right)
                return
        if isinstance(current, dict) and isinstance(op, ast.BitOr) and isinstance(right, dict):
            current.update(right)
            return
        self.bind(target, self.eval_binop(stmt, current, op, right), env, stmt)

    def exec_import(self, stmt: ast.Import | ast.ImportFrom, env: dict[str, Any]) -> None:
        """Imported names become ``Qual``s (relative imports resolved against the file's module name)."""
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
                        # The functions an estate module defines are followed (as `from <base> import f` is).
                        functions = self.logic.star_names(base) if self.logic is not None else []
                        for name in functions:
                            env[name] = self.estate_value(f"{base}.{name}", stmt) or Qual(f"{base}.{name}")
                        functions = functions or self.star_helpers(base, stmt, env)
                        if not functions:
                            message = f"star import from {base}: names it brings are not followed"
                            self.diag(stmt, "A2D101", message, "info")
                        continue
                    estate = self.estate_value(f"{base}.{alias.name}", stmt)  # the estate's own code (estate.py)
                    env[alias.asname or alias.name] = Qual(f"{base}.{alias.name}") if estate is None else estate
                self.check_missing_estate_module(stmt, base, [alias.name for alias in names])

    def star_helpers(self, base: str, stmt: ast.ImportFrom, env: dict[str, Any]) -> list[str]:
        """Bind in ``env`` the functions ``from <base> import *`` brings when ``base`` is an estate module read by
        the scan (an estate module's own star import); their names."""
        home = self.load_home(base, stmt) if getattr(self, "estate", None) is not None else None
        if home is None:
            return []
        exported = _all_names(ast.parse(home.text))
        bound = []
        for name, value in home.env.items():
            public = name in exported if exported is not None else not name.startswith("_")
            if public and isinstance(value, Helper):
                env[name] = self.estate_value(f"{base}.{name}", stmt) or value
                bound.append(name)
        return bound

    def check_missing_estate_module(self, stmt: ast.ImportFrom, base: str, names: list[str]) -> None:
        """``from pkg.sub import f`` where the estate holds the package ``pkg`` but not ``pkg.sub``: the module is
        missing from the scanned folder (generated, kept elsewhere, or installed), so what its functions build is
        unknown. Said once at the import (A2D107), not only at each dependency it later loses."""
        estate, origin = getattr(self, "estate", None), getattr(self, "origin", self.path)
        top = base.split(".")[0]
        if estate is None or "." not in base or estate.find(top, origin) is None:
            return
        if estate.find(base, origin) is not None:
            return
        if any(estate.find(f"{base}.{name}", origin) is not None for name in names if name != "*"):
            return
        shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        message = (
            f"estate module {base} is not in the scanned folder (its package {top} is): what {shown} build is "
            "unknown (run `verify --dagbag` to see what Airflow builds)"
        )
        self.diag(stmt, "A2D107", message)

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
            case ast.Subscript(value=ast.Call(func=ast.Name(id="globals"))) if not isinstance(value, DagState):
                # (a DAG the scan built is registered whatever the key: Airflow collects the module's DAG objects)
                self.diag(stmt, "A2D220", "DAG registered through globals()[...]: its id is only known at runtime")
            case ast.Subscript(value=ast.Call(func=ast.Name(id="globals"))):
                pass
            case ast.Attribute(value=owner, attr=attr) if isinstance(self.eval(owner, env), SelfRef):
                self.eval(owner, env).attributes[attr] = value  # `self.x = ...` in an estate operator's __init__
            case ast.Subscript(value=base, slice=index):
                self.bind_item(target, self.eval(base, env), self.eval(index, env), value, stmt)
            case _:
                pass

    def bind_item(self, target: ast.Subscript, container: Any, key: Any, value: Any, stmt: ast.stmt) -> None:
        """``tasks[name] = Op(...)``: the container holds the task (a dict or list the scan built), or the task
        goes where the scan cannot follow it, and its DAG is incomplete (later edges through it would be lost)."""
        if isinstance(container, dict) and not isinstance(key, (Unknown, slice)):
            container[_hashable(key)] = value
            return
        if isinstance(container, list) and isinstance(key, int) and -len(container) <= key < len(container):
            container[key] = value
            return
        for dag in _dags_in([value]):
            self.diag(stmt, "A2D233", f"tasks stored where the scan cannot follow them: {self.src(target)}")
            dag.incomplete.append("A2D233")

    def exec_with(self, items: list[ast.withitem], body: list[ast.stmt], env: dict[str, Any]) -> None:
        pushed_dags = pushed_groups = pushed_setup_teardown = 0
        for item in items:
            value = self.eval(item.context_expr, env)
            if isinstance(value, DagState):
                self.dag_stack.append(value)
                pushed_dags += 1
            elif isinstance(value, GroupRef):
                self.group_stack.append(value.group_id)
                pushed_groups += 1
            elif _has_node(value):  # `with setup >> teardown:` collects the work created inside
                pushed_setup_teardown += self.enter_setup_teardown(item.context_expr, value)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, value, env, item.context_expr)  # type: ignore[arg-type]
        try:
            self.exec_block(body, env)
        finally:
            del self.dag_stack[len(self.dag_stack) - pushed_dags :]
            del self.group_stack[len(self.group_stack) - pushed_groups :]
            for _ in range(pushed_setup_teardown):
                self.setup_teardown.exit()

    def exec_for(self, stmt, target, iterable, body, env) -> None:
        values = self.eval(iterable, env)
        if isinstance(values, dict):
            values = list(values)
        if not isinstance(values, (list, tuple)) or any(isinstance(v, Unknown) for v in _flat(values)):
            if _creates_tasks(stmt) or self.calls_builders(stmt, env):
                self.mark_incomplete(stmt, "A2D201", f"tasks created in a loop over runtime data: {self.src(iterable)}")
            return
        for value in list(values)[:MAX_LOOP_ITERATIONS]:
            self.bind(target, value, env, stmt)
            self.exec_block(body, env)

    def calls_builders(self, stmt: ast.AST, env: dict[str, Any]) -> bool:
        """Does this block call what builds tasks: a ``@task`` or task-group function, an estate operator class,
        or a helper function that itself creates tasks (a factory in a sibling module: ``make_step(name)``)?"""
        for inner in ast.walk(stmt):
            if not (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name)):
                continue
            value = env.get(inner.func.id, self.module_env.get(inner.func.id))
            if isinstance(value, (TaskFlow, GroupFactory, DagFactory, CustomOperator, Partial)):
                return True
            if isinstance(value, Helper) and _creates_tasks(value.node):
                return True
            if isinstance(value, Qual) and named_like_operator(value.name):
                return True
        return False

    def define_function(self, node, env) -> Any:
        made = self._define_function(node, env)
        if env is not self.module_env and isinstance(made, (Helper, TaskFlow)) and made.closure is None:
            # Defined while a function runs (a task factory): the names it closes over hold that call's values.
            return dataclasses.replace(made, closure=env)
        return made

    def _define_function(self, node, env) -> Any:
        role = ""  # @setup / @teardown mark the TaskFlow task that the other decorator (or plain @task) makes
        for decorator in node.decorator_list:
            func, kwargs = decorator, ()
            if isinstance(decorator, ast.Call):
                func = decorator.func
                kwargs = tuple((k.arg, self.eval(k.value, env)) for k in decorator.keywords if k.arg)
            resolved = self.eval(func, env)
            if not isinstance(resolved, Qual):
                continue
            name = resolved.name
            if name.startswith("airflow") and name.endswith((".setup", ".teardown")):
                role = name.rsplit(".", 1)[1]
                continue
            if role and name.startswith("airflow") and (".task" in name or name.endswith("task")):
                variant = name.split(".task", 1)[1].lstrip(".") if ".task." in name else ""
                return TaskFlow(node, variant, kwargs, role)
            if name.startswith("airflow") and (name.endswith(".asset") or ".asset." in name):
                self.diag(
                    node,
                    "A2D280",
                    f"@asset function {node.name!r} is a DAG of its own (one task) that the scan does not "
                    "model (run `verify --dagbag` to see it)",
                    "info",
                )
                return Helper(node)
            if name.endswith((".dag",)) and name.startswith("airflow"):
                return DagFactory(node, kwargs)
            if name.startswith("airflow") and name.endswith(".task_group"):
                return GroupFactory(node, kwargs)
            if name.startswith("airflow") and (".task" in name or name.endswith("task")):
                variant = name.split(".task", 1)[1].lstrip(".") if ".task." in name else ""
                return TaskFlow(node, variant, kwargs)
        return TaskFlow(node, "", (), role) if role else Helper(node)

    def define_class(self, node: ast.ClassDef, env: dict[str, Any]) -> None:
        resolved = self.resolve_class(node, env)  # an operator class of the estate (estate.py), else nothing
        if resolved is not None:
            env[node.name] = resolved

    # -- expressions --------------------------------------------------------------------------------------
    def eval(self, node: ast.expr, env: dict[str, Any]) -> Any:
        value = self.eval_node(node, env)
        # An unknown computed by the DAG file's own code remembers that code (a name only refers to a value).
        if isinstance(value, Unknown) and value.origin is None and self.logic is not None:
            if self.current_stmt is not None and not isinstance(node, ast.Name):
                names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
                origin = (node, self.current_stmt, {n: env[n] for n in names if n in env})
                if isinstance(value, (EstateCode, BoundFunction)):
                    return dataclasses.replace(value, origin=origin)
                value = Unknown(value.source, origin)
        elif type(value) is Unknown and self.logic is None and value.source == self.src(node):
            # An estate module's expression over the standard library alone: its code runs anywhere.
            imports = _stdlib_imports(node, env)
            if imports is not None:
                return EstateCode(value.source, code=ast.unparse(node), imports=imports)
            literals = _module_scoped(node, env, self.module_env)
            if literals is not None:  # over its module's names: copied from that module when carried
                module = self.module.removesuffix(".__init__")
                return EstateCode(value.source, code=ast.unparse(node), module=module, literals=literals)
        return value

    def eval_node(self, node: ast.expr, env: dict[str, Any]) -> Any:
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
                return self.eval_attribute(node, self.eval(base, env), attr)
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
                        if not isinstance(merged, dict):  # `{**runtime_value, ...}`: its keys are not known here
                            return Unknown(self.src(node))
                        result.update(merged)
                        continue
                    result[_hashable(self.eval(key, env))] = self.eval(value, env)
                return result
            case ast.JoinedStr(values=parts):
                return self.eval_fstring(node, parts, env)
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
            case ast.UnaryOp(op=ast.USub(), operand=operand):  # tasks[-1]
                value = self.eval(operand, env)
                numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
                return -value if numeric else Unknown(self.src(node))
            case (
                ast.ListComp(elt=elt, generators=generators)
                | ast.SetComp(elt=elt, generators=generators)
                | ast.GeneratorExp(elt=elt, generators=generators)
            ):
                made = self.eval_comprehension(node, generators, env, lambda frame: self.eval(elt, frame))
                return made if isinstance(node, ast.ListComp) or not isinstance(made, list) else Loose(made)
            case ast.DictComp(key=key, value=value, generators=generators):
                pairs = self.eval_comprehension(
                    node, generators, env, lambda frame: (self.eval(key, frame), self.eval(value, frame))
                )
                return dict((_hashable(k), v) for k, v in pairs) if isinstance(pairs, list) else pairs
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                return self.eval_compare(node, [self.eval(left, env)] + [self.eval(c, env) for c in comparators], ops)
            case ast.BoolOp(op=op, values=operands):
                return self.eval_boolop(node, op, operands, env)
            case ast.IfExp(test=test, body=body, orelse=orelse):
                return self.eval_choice(node, test, body, orelse, env)
            case _:
                return Unknown(self.src(node))

    def eval_choice(self, node: ast.IfExp, test: ast.expr, body: ast.expr, orelse: ast.expr, env) -> Any:
        """``a if test else b``: the branch Python takes when the test is known; when it is not, the value both
        branches agree on (``p if isinstance(p, Path) else Path(p)``), computed only from branches that build
        nothing (a branch that creates a task must not run because the other one might)."""
        with_effects = [branch for branch in (body, orelse) if not self.builds_nothing(branch, env)]
        decided = self.eval(test, env) if self.builds_nothing(test, env) else Unknown(self.src(test))
        if not isinstance(decided, (Unknown, TaskRef, Qual, BoundMethod)):
            return self.eval(body if decided else orelse, env)
        if with_effects:
            if any(_creates_tasks(branch) or self.calls_builders(branch, env) for branch in with_effects):
                self.mark_incomplete(node, "A2D210", f"a task chosen under a runtime condition: {self.src(test)}")
            return Unknown(self.src(node))
        first, second = self.eval(body, env), self.eval(orelse, env)
        same = first == second and not any(isinstance(v, Unknown) for v in _flat([first]))
        return first if same and type(first) is type(second) else Unknown(self.src(node))

    def builds_nothing(self, node: ast.expr, env: dict[str, Any]) -> bool:
        """An expression whose evaluation changes nothing: names, literals, attributes and calls of pure path
        functions, builtins and literal methods only."""
        for inner in ast.walk(node):
            if isinstance(inner, (ast.NamedExpr, ast.Lambda, ast.Await, ast.Yield, ast.YieldFrom)):
                return False
            if isinstance(inner, (ast.BinOp)) and isinstance(inner.op, (ast.RShift, ast.LShift)):
                return False
            if not isinstance(inner, ast.Call):
                continue
            if isinstance(inner.func, ast.Name) and inner.func.id not in env and inner.func.id not in self.module_env:
                if inner.func.id in PURE_BUILTINS or inner.func.id in HARMLESS_BUILTINS:
                    continue
            func = self.eval(inner.func, env) if isinstance(inner.func, (ast.Name, ast.Attribute)) else None
            if isinstance(func, Qual) and func.name in PATH_FUNCTIONS:
                continue
            if isinstance(func, (LiteralMethod, PathMethod)) and func.attr not in MUTATING_METHODS:
                continue
            return False
        return True

    def eval_attribute(self, node: ast.Attribute, owner: Any, attr: str) -> Any:
        """``owner.attr``: a longer qualified name, a str enum's value, or a method awaiting its call."""
        if isinstance(owner, Qual):
            if owner.name.startswith("airflow") and owner.name.endswith(STR_ENUMS):
                return attr.lower()  # TriggerRule.ALL_DONE == "all_done": Airflow's enums are str enums
            estate = self.estate_value(f"{owner.name}.{attr}", node)  # `module.name` of an estate module
            return Qual(f"{owner.name}.{attr}") if estate is None else estate
        if isinstance(owner, (str, dict, list, tuple)) and attr in LITERAL_METHODS:
            return LiteralMethod(owner, attr)
        if isinstance(owner, TaskRef) and attr == "output":
            return XComArg(owner)
        if isinstance(owner, TaskRef) and attr == "task_id":  # the full id, group prefix included, as Airflow's
            return owner.task_id
        if isinstance(owner, DagState) and attr == "dag_id":  # always the literal id the DAG was made with
            return owner.dag_id
        if isinstance(owner, PathValue):
            return _path_attribute(owner, attr) or Unknown(self.src(node))
        if isinstance(owner, SelfRef) and attr in owner.attributes:
            return owner.attributes[attr]
        if isinstance(owner, (TaskRef, XComArg, TaskFlow, Partial, DagState, GroupRef, CustomOperator, GroupFactory)):
            return MethodRef(owner, attr)
        if isinstance(owner, (YamlFactory, SuperRef)):  # generate_dags(globals()); super().__init__
            return MethodRef(owner, attr)
        return Unknown(self.src(node))

    def eval_fstring(self, node: ast.JoinedStr, parts: list[ast.expr], env: dict[str, Any]) -> Any:
        """An f-string of literal strings and numbers (no format specs); anything else is unknown (``Formatted``
        when it is an estate module's f-string over names holding the DAG file's code and literals)."""
        pieces = []
        for part in parts:
            if isinstance(part, ast.Constant):
                pieces.append(str(part.value))
            elif isinstance(part, ast.FormattedValue):
                value = self.eval(part.value, env)
                if isinstance(value, XComArg) and part.conversion in (-1, ord("s")) and part.format_spec is None:
                    value = _xcom_template(value)  # str(XComArg) in Airflow: the template pulling its value
                if not formattable(value):
                    return self.formatted(node, parts, env)
                if part.format_spec is not None:
                    return Unknown(self.src(node))
                convert = {ord("r"): repr, ord("a"): ascii}.get(part.conversion, str)
                pieces.append(convert(value))  # `f"{k}={v}"` of a list of strings: Python's text of it
        return "".join(pieces)

    def formatted(self, node: ast.JoinedStr, parts: list[ast.expr], env: dict[str, Any]) -> Unknown:
        """``f"{k}={v}"`` in an estate module's code, each part a name holding a literal or a value the DAG file's code
        computed (or such a value built from it): that f-string, to carry with its names bound (``Formatted``)."""
        unknown = Unknown(self.src(node))
        if self.logic is not None:
            return unknown  # the DAG file's own code: carried as written, with the names it saw (eval's origin)
        values = [p.value for p in parts if isinstance(p, ast.FormattedValue)]
        specs = [p.format_spec for p in parts if isinstance(p, ast.FormattedValue) and p.format_spec is not None]
        if not all(isinstance(v, ast.Name) for v in values) or specs:
            return unknown
        bound = {v.id: env.get(v.id) for v in values}  # type: ignore[attr-defined]
        for value in bound.values():
            carried = isinstance(value, (Passed, Formatted, Stringified)) or (
                type(value) is Unknown and value.origin is not None
            )
            if not carried and not (is_plain_literal(value) and not isinstance(value, (list, dict, tuple))):
                return unknown
        if all(is_plain_literal(v) for v in bound.values()):
            return unknown
        prefix = []  # the text before its first part the scan does not know
        for part in parts:
            value = part.value if isinstance(part, ast.Constant) else bound[part.value.id]  # type: ignore[attr-defined]
            if not isinstance(part, ast.Constant) and (not formattable(value) or part.conversion != -1):
                break
            prefix.append(str(value))
        code, items = ast.unparse(node), tuple(sorted(bound.items()))
        return Formatted(self.src(node), code=code, parts=items, prefix="".join(prefix))

    def eval_comprehension(self, node, generators, env, produce) -> Any:
        frames = [dict(env)]
        for generator in generators:
            next_frames = []
            for frame in frames:
                values = self.eval(generator.iter, frame)
                if isinstance(values, dict):
                    values = list(values)
                # A known sequence with unknown parts yields elements with those parts unknown (each stays code);
                # only a comprehension that builds tasks needs every element known (else tasks would be missed).
                unknown_parts = (
                    any(isinstance(v, Unknown) for v in _flat(list(values)))
                    if isinstance(values, (list, tuple))
                    else True
                )
                if not isinstance(values, (list, tuple)) or (unknown_parts and _creates_tasks(node)):
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

    def eval_boolop(self, node: ast.BoolOp, op: ast.boolop, operands: list[ast.expr], env) -> Any:
        """``a and b`` / ``a or b`` as Python evaluates them, over plain values; an unknown operand is unknown."""
        value: Any = None
        for position, operand in enumerate(operands):
            value = self.eval(operand, env)
            if position == len(operands) - 1:  # `x or default` with x known falsy is the last operand's value
                return value
            if not is_plain_literal(value):
                return Unknown(self.src(node))
            if (not value) if isinstance(op, ast.And) else bool(value):
                return value
        return value

    def eval_compare(self, node: ast.Compare, operands: list[Any], ops: list[ast.cmpop]) -> Any:
        """``x is None``, ``env == "prod"``, ``k in {...}`` over plain values; anything else is unknown."""
        if len(ops) == 1 and isinstance(ops[0], (ast.Is, ast.IsNot)) and None in operands:
            # A list or dict, even holding values the scan could not evaluate, is not None (`if env is None:`).
            other = operands[0] if operands[1] is None else operands[1]
            if isinstance(other, (list, tuple, dict)):
                return isinstance(ops[0], ast.IsNot)
        if len(ops) == 1 and isinstance(ops[0], (ast.In, ast.NotIn)) and isinstance(operands[0], str):
            member = _member(operands[0], operands[1])  # `flag not in args`, some args f-strings of unknown parts
            if member is not None:
                return member if isinstance(ops[0], ast.In) else not member
        if not all(is_plain_literal(o) for o in operands):
            return Unknown(self.src(node))
        compare = {
            ast.Eq: lambda a, b: a == b,
            ast.NotEq: lambda a, b: a != b,
            ast.Lt: lambda a, b: a < b,
            ast.LtE: lambda a, b: a <= b,
            ast.Gt: lambda a, b: a > b,
            ast.GtE: lambda a, b: a >= b,
            ast.In: lambda a, b: a in b,
            ast.NotIn: lambda a, b: a not in b,
        }
        for op, a, b in zip(ops, operands, operands[1:], strict=False):
            if isinstance(op, (ast.Is, ast.IsNot)):  # identity is only meaningful for None and the booleans here
                if not (a is None or b is None or isinstance(a, bool) or isinstance(b, bool)):
                    return Unknown(self.src(node))
                same = a is b
                result = same if isinstance(op, ast.Is) else not same
            else:
                try:
                    result = compare[type(op)](a, b)
                except Exception:  # noqa: BLE001 - e.g. '<' between a str and an int: not statically known
                    return Unknown(self.src(node))
            if not result:
                return False
        return True

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
        if isinstance(op, (ast.RShift, ast.LShift)) and _unresolved_dependency(left, right) and self.dags:
            # `stage[a] >> stage[b]` over a container the scan lost: an edge between tasks it cannot name
            if getattr(node, "lineno", 0) in self.lost_edge_lines:  # `a() >> b() >> c()`: said once per line
                for dag in self.dag_stack[-1:] or self.dags:
                    dag.incomplete.append("A2D231")
                return right
            self.lost_edge_lines.add(getattr(node, "lineno", 0))
            message = f"a dependency between values the scan cannot resolve: {self.src(node)}"
            self.mark_incomplete(node, "A2D231", message)
            return right
        if isinstance(op, ast.Div) and isinstance(left, PathValue) and isinstance(right, str):
            return _join(left, right)
        if isinstance(op, (ast.BitAnd, ast.BitOr)) and _is_dataset(left) and _is_dataset(right):
            joiner = " & " if isinstance(op, ast.BitAnd) else " | "  # Dataset/Asset condition expressions
            return ir.DatasetValue(f"({left.uri}{joiner}{right.uri})")
        if isinstance(left, Unknown) or isinstance(right, Unknown) or _would_grow_too_much(left, op, right):
            return Unknown(self.src(node))
        if isinstance(op, ast.Mod) and isinstance(left, str) and not _percent_arguments_known(right):
            return Unknown(self.src(node))
        try:
            return {
                ast.Add: lambda a, b: a + b,
                ast.Sub: lambda a, b: a - b,
                ast.Mult: lambda a, b: a * b,
                ast.Mod: lambda a, b: a % b,
                ast.Div: lambda a, b: a / b,
                ast.FloorDiv: lambda a, b: a // b,
                ast.BitOr: lambda a, b: a | b,  # dict union (3.9+), set union
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

        self.call_env = env
        estate = self.estate_call(node, func, args, kwargs)  # super(), Base.__init__(...), EstateOp(...)
        if estate is not NOT_HANDLED:
            return estate
        if isinstance(func, PathMethod):
            return func.owner if not args else Unknown(self.src(node))  # resolve(), absolute()
        if isinstance(func, Unknown) and isinstance(node.func, ast.Name) and node.func.id == "str" and args:
            if isinstance(args[0], PathValue):
                return args[0]
        if isinstance(func, Unknown) and isinstance(node.func, ast.Name) and node.func.id == "open" and args:
            if isinstance(args[0], PathValue) and "open" not in env:
                return OpenFile(args[0].path)  # read only by yaml/json loaders (data_files.load_literal_data)
        if isinstance(func, LiteralMethod):
            return _call_literal_method(func.owner, func.attr, args, kwargs, self.src(node))
        if isinstance(func, Unknown) and isinstance(node.func, ast.Name) and node.func.id in PURE_BUILTINS:
            if node.func.id == "str" and len(args) == 1 and not kwargs and type(args[0]) in (Unknown, Passed):
                return Stringified(self.src(node), inner=args[0])  # its code may be carried (FileScanner.carry)
            return _call_builtin(node.func.id, args, kwargs, self.src(node))
        if isinstance(func, MethodRef):
            return self.call_method(node, func.owner, func.attr, args, kwargs)
        if isinstance(func, Qual):
            return self.call_qualified(node, func.name, args, kwargs)
        if isinstance(func, TaskFlow):
            return self.call_taskflow(node, func, args, kwargs)
        if isinstance(func, DagFactory):
            return self.call_dag_factory(node, func, args, kwargs)
        if isinstance(func, GroupFactory):
            return self.call_group_factory(node, func, args, kwargs, env)
        if isinstance(func, Helper):
            return self.call_helper(node, func, args, kwargs, env)
        if isinstance(func, Unknown):
            given_up = self.call_not_followed(node, self.src(node.func), args, kwargs)
            if not given_up and _returns_tasks_hint(node):
                self.mark_incomplete(node, "A2D230", f"tasks built by code defined elsewhere: {self.src(node.func)}")
        return Unknown(self.src(node))

    def call_not_followed(self, node: ast.Call, name: str, args: list, kwargs: dict) -> bool:
        """A call the scan gives up on. If it receives a DAG, a task, a TaskGroup or a container of them, or is a
        structure method (``set_upstream``...) of a receiver the scan lost, what it builds is unknown: the DAGs
        involved are incomplete, with a diagnostic naming the call. True when it said so."""
        callee = node.func
        if isinstance(callee, ast.Name) and callee.id in HARMLESS_BUILTINS and callee.id not in self.call_env:
            return False
        if name.startswith(tuple(f"{m}." for m in NOT_TASK_BUILDERS if m != "airflow")):
            return False
        dags = _dags_in([list(args), dict(kwargs)])
        if dags:
            self.diag(
                node,
                "A2D233",
                f"{name}(...) is not followed but is given a DAG, task or group: what it adds is unknown "
                "(run `verify --dagbag` to see what Airflow builds)",
            )
            for dag in dags:
                dag.incomplete.append("A2D233")
        elif isinstance(callee, ast.Attribute) and callee.attr in STRUCTURE_METHODS:
            self.mark_incomplete(node, "A2D233", f"{name}(...) on a value the scan cannot resolve may change the DAG")
        else:
            return False
        self.last_not_followed = node
        return True

    def call_helper(self, node, helper: Helper, args, kwargs, env) -> Any:
        if self.depth >= MAX_CALL_DEPTH:
            self.mark_incomplete(node, "A2D232", f"helper calls nested deeper than {MAX_CALL_DEPTH}")
            return Unknown(self.src(node))
        if helper.home is not None:  # a function of an estate module: run with that module's names
            args, kwargs = self.mark_passed(node, helper.node, args, kwargs, env)
            with self.in_home(helper.home):
                return self.run_function(helper.node, args, kwargs, {})
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
        named = {*params, *(kw.arg for kw in fn.args.kwonlyargs)}
        if fn.args.vararg is not None:  # `*args` / `**kwargs`: what the call gave beyond the named parameters
            frame[fn.args.vararg.arg] = tuple(args[len(params) :])
        if fn.args.kwarg is not None:
            frame[fn.args.kwarg.arg] = {k: v for k, v in kwargs.items() if k not in named and not k.startswith("$")}
        self.depth += 1
        try:
            self.exec_block(fn.body, frame)
        except _Return as returned:
            return returned.value
        finally:
            self.depth -= 1
        return None

    def _note_style(self, module: str) -> None:
        if module.startswith("airflow.sdk") or module.startswith("airflow.providers.standard"):
            self.styles.add("3.x")
        elif module.startswith("airflow.contrib") or (module.startswith("airflow.") and module.endswith("_operator")):
            self.styles.add("1.10")
        elif module.startswith("airflow"):
            self.styles.add("2.x")


# Calls to these never build tasks (stdlib, Airflow's own helpers, common libraries).
NOT_TASK_BUILDERS = ("airflow", "logging", "os", "sys", "json", "time", "datetime", "pendulum", "warnings", "pathlib")


# Builtins that only look at what they are given: a task passed to them changes no DAG.
HARMLESS_BUILTINS = frozenset(
    {"print", "len", "isinstance", "issubclass", "hasattr", "getattr", "id", "repr", "hash", "type", "bool", "any"}
    | {"all", "callable", "format", "min", "max", "iter", "next", "map", "filter", "sum", "abs", "round", "vars"}
)
# Methods that change a DAG's structure: called on a value the scan lost, the DAG may differ from the scan's.
STRUCTURE_METHODS = frozenset(
    {"set_upstream", "set_downstream", "update_relative", "add_task", "add_tasks", "as_setup", "as_teardown"}
    | {"expand", "expand_kwargs"}
)


def _xcom_template(value: XComArg) -> str:
    """What ``str()`` of an XComArg is in Airflow 2 and 3: a template pulling the task's return value."""
    task = value.task
    return (
        f"{{{{ task_instance.xcom_pull(task_ids='{task.task_id}', dag_id='{task.dag.dag_id}', key='return_value') }}}}"
    )


def _member(text: str, items: Any) -> bool | None:
    """``text in items`` for a list or tuple holding strings and ``Formatted`` values (a string of known beginning):
    True when an item equals it, False when none can (each other item another string, or a Formatted one whose
    known beginning it does not start with); None when the scan cannot tell."""
    if not isinstance(items, (list, tuple)) or not any(isinstance(i, Formatted) for i in items):
        return None
    if text in [i for i in items if is_plain_literal(i)]:
        return True
    for item in items:
        if isinstance(item, Formatted):
            if text.startswith(item.prefix):
                return None
        elif not is_plain_literal(item):
            return None
    return False


def _percent_arguments_known(right: Any) -> bool:
    """``"%s_%s" % (a, b)``: every value formatted is one whose text the scan gives as Python does."""
    if type(right) is tuple:
        return all(formattable(item) for item in right)
    return formattable(right)


def _creates_tasks(stmt: ast.AST) -> bool:
    """Does this block (probably) build tasks? Calls with task_id=, or calls of anything at all we can't see."""
    return any(
        isinstance(n, ast.Call) and any(k.arg in {"task_id", "group_id"} for k in n.keywords) for n in ast.walk(stmt)
    ) or any(
        (isinstance(n, ast.BinOp) and isinstance(n.op, (ast.RShift, ast.LShift)))
        or (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in STRUCTURE_METHODS)
        or (isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in {"chain", "cross_downstream"})
        for n in ast.walk(stmt)
    )


def _unresolved_dependency(left: Any, right: Any) -> bool:
    """``a >> b`` where one side is unknown and neither is a number (``1 << 20`` is arithmetic, not an edge)."""
    numbers = (int, float)
    if isinstance(left, numbers) or isinstance(right, numbers):
        return False
    return isinstance(left, Unknown) or isinstance(right, Unknown)


def _returns_tasks_hint(node: ast.Call) -> bool:
    return any(k.arg in {"task_id", "dag", "group_id"} for k in node.keywords)


def _merge_returns(first: Any, second: Any, why: str) -> Any:
    """What a function returns when two paths, chosen at run time, return ``first`` and ``second``: the value
    when they agree, else unknown (never one path's value taken for the other's)."""
    if first is second or (is_plain_literal(first) and type(first) is type(second) and first == second):
        return first
    return Unknown(f"a value returned under a runtime condition ({why})")


def _holds_unknown(value: Any) -> bool:
    """A value the scan could not evaluate, or a list, tuple or dict with such a value inside."""
    if isinstance(value, (list, tuple)):
        return any(_holds_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_unknown(v) for v in value.values())
    return isinstance(value, Unknown)


def _shape_copy(value: Any) -> Any:
    """A copy of ``value``'s lists and dicts (their leaves shared), to tell later whether it was changed in place."""
    if isinstance(value, list):
        return [_shape_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _shape_copy(v) for k, v in value.items()}
    return value


def _module_scoped(node: ast.expr, env: dict[str, Any], module_env: dict[str, Any]) -> tuple | None:
    """The plain values ``node``'s local names hold (name, value), when every other name it reads is bound by its
    module (the value the module's own binding holds) or a builtin; None when it reads anything else (a local
    holding what the scan does not know, a local shadowing a module name, a name nothing binds)."""
    if isinstance(node, ast.Name):
        return None  # a name only refers to a value computed elsewhere
    literals: dict[str, Any] = {}
    for inner in ast.walk(node):
        if isinstance(inner, (ast.Lambda, ast.comprehension, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
            return None
        if not isinstance(inner, ast.Name):
            continue
        name = inner.id
        if name in env and name in module_env and env[name] is module_env[name]:
            continue
        if name in env and name not in module_env and is_plain_literal(env[name]):
            literals[name] = env[name]
            continue
        if name not in env and name in BUILTIN_NAMES:
            continue
        return None
    return tuple(sorted(literals.items()))


def _stdlib_imports(node: ast.expr, env: dict[str, Any]) -> tuple[tuple[str, str], ...] | None:
    """The imports ``node`` needs, when every name it reads is a module (or a name of one) of the standard library
    imported as such; None when it reads anything else (a variable, a parameter, an estate module...)."""
    if isinstance(node, ast.Name):
        return None  # a name only refers to a value computed elsewhere
    imports: dict[str, str] = {}
    for inner in ast.walk(node):
        if isinstance(inner, (ast.Lambda, ast.comprehension, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
            return None
        if not isinstance(inner, ast.Name):
            continue
        bound = env.get(inner.id)
        if not isinstance(bound, Qual) or bound.name.split(".")[0] not in sys.stdlib_module_names:
            return None
        module, _, attr = bound.name.rpartition(".")
        line = f"from {module} import {attr}" if module else f"import {attr}"
        imports[inner.id] = line + (f" as {inner.id}" if attr != inner.id else "")
    return tuple(sorted(imports.items())) if imports else None
