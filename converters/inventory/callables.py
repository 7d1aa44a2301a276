"""The code a task's Python callable needs, cut out of its DAG file without running it.

A ``python_callable`` (or a TaskFlow function) usually leans on the rest of its file: imports, constants,
helper functions. The generated Dagster code must run that same code without importing the DAG file
(which imports Airflow). So for every callable the scan meets, this module collects the statements that
bind the names it uses — in the innermost scope first (a ``with DAG`` block or a ``@dag`` function), then
the module — and copies them, in source order, into one piece of code per file: the file's *logic*.

- Imports of ``airflow…`` modules are not copied; they are returned by name so the generator can bind
  them to its Airflow-free support code (``Variable``, ``get_current_context``…) or to a placeholder that
  refuses to run.
- Names nothing binds (a task object, a loop variable, a star import) are reported as unresolved; the
  rule that plans the task decides what that means (never a guess).
- Decorators that belong to Airflow (``@task``…) are dropped; the function body is copied byte for byte.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from converters.inventory import ir

BUILTIN_NAMES = frozenset(dir(builtins)) | {"__file__", "__name__"}
# Airflow names another Airflow module re-exports: one object, recorded under the name of the module defining it
# (a file importing it from one module and an estate module importing it from the other bind the same thing).
AIRFLOW_REEXPORTS = {
    "airflow.AirflowException": "airflow.exceptions.AirflowException",
    "airflow.models.taskinstance.Context": "airflow.utils.context.Context",
    # Airflow 1.10's `airflow.hooks` package re-exported the classes of its `*_hook` modules (`from airflow.hooks
    # import BaseHook`); those the support package reproduces:
    **{
        f"airflow.hooks.{name}": f"airflow.hooks.{module}.{name}"
        for module, name in [
            ("base_hook", "BaseHook"),
            ("dbapi_hook", "DbApiHook"),
            ("http_hook", "HttpHook"),
            ("mysql_hook", "MySqlHook"),
            ("postgres_hook", "PostgresHook"),
            ("sqlite_hook", "SqliteHook"),
            ("S3_hook", "S3Hook"),
        ]
    },
}


@dataclass
class _Binding:
    stmt: ast.stmt
    scope_index: int  # position of the statement in source order (line, col)
    airflow: dict[str, str] = field(default_factory=dict)  # local name -> qualified Airflow name


@dataclass
class EstateModule:
    """A module of the estate, read with ``ast`` (never imported): where its code comes from when it is copied."""

    name: str
    path: str  # relative to the scanned folder
    sha256: str
    tree: ast.Module
    lines: list[str]
    imports_airflow: bool = False  # it, or an estate module it imports, imports Airflow when imported


# Airflow names the DAG file's own argument code may use: the support package reads them from the environment
# (AIRFLOW_VAR_/CONN_). Code copied for it out of an estate module may use any Airflow name: the rules keep the task
# in Airflow, naming it, when the support package has no equivalent (rules/base.py, ``judge_code``).
CARRIED_AIRFLOW_NAMES = (".Variable", ".Connection")


class CodeSources:
    """The estate modules a callable's code is copied from (read, never imported), looked up below the scanned
    folder as the DAG file's imports name them. (``estate.py`` interprets estate modules for the scan's semantics;
    this reads them for the code copier.)

    Each module is searched in the DAG file's folder and each folder above it up to the scanned root (one of them is
    the DAGs folder on ``sys.path``), innermost first, or in the ``folders`` given, and read once. ``read`` lists
    what was read, with digests, so a cached scan of the file is dropped when one of them changes.
    """

    MAX_BYTES = 1_000_000

    def __init__(self, root: Path, relative_path: str, folders: list[Path] | None = None) -> None:
        self.root = root
        parent = (root / relative_path).parent
        self.folders = folders or [parent, *[p for p in parent.parents if p == root or root in p.parents]]
        self._found: dict[str, EstateModule | None] = {}
        self.read: dict[str, str] = {}  # relative path -> sha256 of every module read

    def find(self, module: str) -> EstateModule | None:
        if not module or module.split(".")[0] == "airflow":
            return None
        if module not in self._found:
            self._found[module] = None  # an import cycle reads as "no Airflow" until the module is read
            self._found[module] = self._load(module)
        return self._found[module]

    def _load(self, module: str) -> EstateModule | None:
        relative = Path(*module.split("."))
        for folder in self.folders:
            for candidate in (folder / relative.with_suffix(".py"), folder / relative / "__init__.py"):
                try:
                    if not candidate.is_file() or candidate.stat().st_size > self.MAX_BYTES:
                        continue
                    raw = candidate.read_bytes()
                    tree = ast.parse(raw)
                except (OSError, SyntaxError, ValueError, RecursionError):
                    continue
                path = candidate.relative_to(self.root).as_posix()
                digest = hashlib.sha256(raw).hexdigest()
                self.read[path] = digest
                name = module if candidate.name != "__init__.py" else module + ".__init__"
                found = EstateModule(name, path, digest, tree, raw.decode("utf-8", "replace").splitlines(True))
                found.imports_airflow = any(self._imports_airflow(s, name) for s in tree.body)
                return found
        return None

    def _imports_airflow(self, stmt: ast.stmt, module: str) -> bool:
        if _imports_airflow(stmt):
            return True
        if isinstance(stmt, ast.Import):
            return any((found := self.find(a.name)) is not None and found.imports_airflow for a in stmt.names)
        if isinstance(stmt, ast.ImportFrom):
            base = _absolute_module(stmt, module)
            found = self.find(base)
            if found is not None and found.imports_airflow:
                return True
            return any((sub := self.find(f"{base}.{a.name}")) is not None and sub.imports_airflow for a in stmt.names)
        return False


class LogicExtractor:
    """Collects the statements the file's callables need. One instance per scanned file."""

    def __init__(self, tree: ast.Module, text: str, module: str, modules: CodeSources | None = None) -> None:
        self.refusal = ""  # why the last argument code offered was not carried ("" when it was)
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.module = module
        self.modules = modules  # the estate's modules, to copy a function from one that imports Airflow
        self._foreign: dict[int, EstateModule] = {}  # id(stmt) -> the estate module a statement was read from
        self._loaded: list[str] = []  # estate modules indexed, in the order their code was first needed
        self._ranks: dict[str, int] | None = None  # of the modules in _loaded (see _module_ranks)
        self._copy_foreign = True  # copy from estate modules that import Airflow (off: keep their imports)
        # Copy from every estate module, Airflow-free ones too: for a class copied alone from plugins/ (or another
        # folder the Dagster side does not put on sys.path), where an import of a sibling module would not resolve.
        self.copy_every_module = False
        self._namespaces: dict[str, tuple[EstateModule, set[str]]] = {}  # name -> the module part it is bound to
        self._imports_by_name: dict[str, tuple[str, ast.stmt]] = {}  # name -> (what it imports, first import)
        self.scope_of: dict[int, list[list[ast.stmt]]] = {}  # id(stmt) -> enclosing scopes, innermost first
        self._scope_owner: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = {}  # id(function body) -> function
        self._index_scopes(tree.body, [tree.body])
        self._lazy_annotations = _lazy_annotations(tree)  # the file's `from __future__ import annotations`
        self.chosen: dict[int, ast.stmt] = {}  # id(stmt) -> stmt copied into the logic
        self.airflow_imports: dict[str, str] = {}
        self.bound_names: dict[str, object] = {}  # name -> id(stmt) binding it in the logic (clash detection)
        # name -> id(import) bound only for annotations written as strings (never evaluated): another binding of the
        # name that code does evaluate replaces it.
        self._annotation_only: dict[str, int] = {}
        self.callables: list[ir.Callable] = []
        self._by_node: dict[int, str] = {}
        self.expressions: list[str] = []  # the functions returning arguments carried as code, in scan order
        # each expression's (name, {parameter: default's code}, the code after its parameters), one per expression,
        # and two indexes of them (``_index_shapes``): by the whole code, and the first by the code but the defaults
        self._shapes: list[tuple[str, dict[str, str], str]] = []
        self._by_code: dict[tuple, str] = {}
        self._by_shape: dict[tuple, tuple[str, dict[str, str]]] = {}
        self._imports_used: list[str] = []  # qualified names of the imports copied since add_expression began
        self._in_expression = False
        self._import_keys: dict[int, set[str]] = {}  # id(import stmt) -> who needs it: "callable" / "expression"
        self._estate_airflow: set[str] = set()  # Airflow names the estate modules' copied code reads
        # Closures of task factories (``add_closure``): the copied factory of each nested function, by id(function);
        # the function bound to one call's values, by (id(function), values); their code, in scan order.
        self._closure_factories: dict[int, tuple[str, tuple[str, ...]]] = {}
        self._closure_bindings: dict[tuple, str] = {}
        self.closures: list[str] = []
        self._closure_skip: tuple[int, frozenset[str]] | None = None  # names _require leaves to the factory's call

    # -- scopes ---------------------------------------------------------------------------------------------
    def _index_scopes(self, body: list[ast.stmt], chain: list[list[ast.stmt]]) -> None:
        """Record for every statement the scopes its names are looked up in (innermost first).

        Only functions make a scope; with/try/if/for blocks belong to the scope around them.
        """
        for stmt in body:
            self.scope_of[id(stmt)] = chain
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._scope_owner[id(stmt.body)] = stmt
                self._index_scopes(stmt.body, [stmt.body, *chain])
            elif isinstance(stmt, (ast.With, ast.AsyncWith, ast.If, ast.For, ast.While, ast.Try)):
                for block in _blocks(stmt):
                    self._index_scopes(block, chain)

    # -- public ---------------------------------------------------------------------------------------------
    def add(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
        """Register ``node`` as a task callable; returns the name it has in the logic."""
        if id(node) in self._by_node:
            return self._by_node[id(node)]
        name = node.name
        unresolved: list[str] = []
        airflow: dict[str, str] = {}
        clash = self._claim(name, node)
        if clash:
            unresolved.append(f"{name} (another function of that name is already copied)")
        else:
            copied_before = id(node) in self.chosen
            self._require(node, self._scopes_for(node), unresolved, airflow, set())
            if unresolved and not copied_before:
                # Its task stays in Airflow (a name nothing binds: a closure's variable...): the function is not
                # copied, so the logic holds no undefined name.
                self.chosen.pop(id(node), None)
        params = tuple(a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs)
        pulls, reads_conf = _context_uses(node)
        keys = keyed_pulls(node)
        self.callables.append(
            ir.Callable(
                name=name,
                source=ir.SourceRef("", node.lineno, node.col_offset),
                params=params,
                var_keyword=node.args.kwarg is not None,
                is_async=isinstance(node, ast.AsyncFunctionDef),
                airflow_names=tuple(sorted(set(airflow.values()))),
                unresolved=tuple(sorted(set(unresolved))),
                xcom_pulls=pulls,
                xcom_keys=keys,
                reads_conf=reads_conf,
            )
        )
        self._by_node[id(node)] = name
        return name

    # -- closures of task factories ----------------------------------------------------------------------------
    def closure_names(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str] | None:
        """The names ``node`` (defined inside another function: a task factory) reads of the functions around it —
        their parameters, and their variables assigned once — when one of them is such a parameter or an
        assignment reading one: the copy must bind them to the values of the factory's call. ``[]`` when it reads
        none (the copy needs no closure); None when one cannot be bound to a value (assigned again, in a loop, a
        function Airflow calls itself: ``@dag``'s parameters are DAG params, not the values the scan saw).
        """
        scopes = self._scopes_for(node)
        owners = [self._scope_owner.get(id(body)) for body in scopes[:-1]]
        if not any(owners):
            return []
        names: list[str] = []
        reads_parameter = False
        for name in sorted(_free_names(node)):
            for owner in owners:
                if owner is None:
                    continue
                parameter = name in _parameters(owner)
                stores = _stores_in(owner, name)
                if not parameter and not stores:
                    continue
                if any(self._is_airflow_decorator(d, self._scopes_for(owner)) for d in owner.decorator_list):
                    return None  # @dag / @task_group: Airflow calls it with its own values
                if stores and not parameter and self._is_definition_in(owner, name):
                    break  # a function, class or import of the factory: copied as it is written
                if (parameter and stores) or len(stores) > 1 or any(_in_loop(owner, s) for s in stores):
                    return None  # its value when the task runs is not the one value the scan saw
                names.append(name)
                if parameter:
                    reads_parameter = True
                else:
                    assigned = _free_names(stores[0]) if isinstance(stores[0], ast.stmt) else set()
                    reads_parameter = reads_parameter or bool(assigned & _parameters(owner))
                break
        return names if reads_parameter else []

    def _is_definition_in(self, owner: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> bool:
        return any(_is_definition(s) and name in _bound_by(s) for s in ast.walk(owner) if isinstance(s, ast.stmt))

    def add_closure(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, values: dict[str, str], hint: str
    ) -> str | None:
        """``node``, defined in a task factory, bound to the values one call of the factory gave the names it closes
        over (``values``: name -> Python source, a literal or a call of carried code). The logic gets the factory's
        part that makes it (``def _closure_<name>(<names>): <the function as written>; return <name>``) and, per
        distinct set of values, a function calling what that part returns: the values are computed when the task
        runs (carried code reads Variables then), the signature is the function's own (context keys by name).
        None when the function needs a name the logic cannot bind (the caller falls back to the plain copy).
        """
        key = (id(node), tuple(sorted(values.items())))
        if key in self._closure_bindings:
            return self._closure_bindings[key]
        literal = all(_is_literal_source(v) for v in values.values())
        if not literal and _reads_at_definition(node, set(values)):
            return None  # a default or decorator reading the closure would run with placeholders
        if id(node) not in self._closure_factories:
            unresolved: list[str] = []
            airflow: dict[str, str] = {}
            factory = self._fresh("_closure_" + node.name, ("closure", id(node)))
            copied_before = id(node) in self.chosen
            self._closure_skip = (id(node), frozenset(values))
            try:
                self._require(node, self._scopes_for(node), unresolved, airflow, set())
            finally:
                self._closure_skip = None
            if not copied_before:
                self.chosen.pop(id(node), None)
            if unresolved:
                return None
            self._closure_factories[id(node)] = (factory, tuple(sorted(set(airflow.values()))))
            self.closures.append(self._closure_factory(node, factory, sorted(values)))
        factory, read = self._closure_factories[id(node)]
        binding = self._fresh(f"{node.name}_" + "".join(ch if ch.isalnum() else "_" for ch in hint), id(node))
        self._closure_bindings[key] = binding
        given = ", ".join(f"{name}={source}" for name, source in sorted(values.items()))
        placeholders = given if literal else ", ".join(f"{name}=None" for name in sorted(values))
        prefix, wait = ("async ", "await ") if isinstance(node, ast.AsyncFunctionDef) else ("", "")
        self.closures.append(
            f"{prefix}def {binding}(*args, **kwargs):\n    return {wait}{factory}({given})(*args, **kwargs)\n\n\n"
            f"{binding}.__signature__ = _closure_signature({factory}({placeholders}))"
        )
        called = {
            n.func.id
            for v in values.values()
            for n in ast.walk(ast.parse(v, mode="eval"))
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        airflow_names = set(read)
        for inner in self.callables:  # what the carried values read is what the task reads
            if inner.name in called:
                airflow_names |= set(inner.airflow_names)
        params = tuple(a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs)
        pulls, reads_conf = _context_uses(node)
        self.callables.append(
            ir.Callable(
                name=binding,
                source=ir.SourceRef("", node.lineno, node.col_offset),
                params=params,
                var_keyword=node.args.kwarg is not None,
                is_async=isinstance(node, ast.AsyncFunctionDef),
                airflow_names=tuple(sorted(airflow_names)),
                xcom_pulls=pulls,
                reads_conf=reads_conf,
                written=node.name,
            )
        )
        return binding

    def add_partial(
        self,
        function: str,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        args: list[str],
        keywords: dict[str, str],
        hint: str,
    ) -> str:
        """``functools.partial(<function>, *args, **keywords)`` as a task's callable: a function of the logic calling
        the copied ``function`` with those arguments first (keywords the caller gives win, as with ``partial``), its
        signature ``partial``'s. ``args``/``keywords``: Python source of each value (a literal, or a call of carried
        code, computed when the task runs). ``function`` itself when its copy is refused (its record says why)."""
        record = next(c for c in reversed(self.callables) if c.name == function)
        if record.unresolved:
            return function
        key = ("partial", function, tuple(args), tuple(sorted(keywords.items())))
        if key in self._closure_bindings:
            return self._closure_bindings[key]
        binding = self._fresh(f"{function}_" + "".join(ch if ch.isalnum() else "_" for ch in hint), key)
        self._closure_bindings[key] = binding
        literal = all(_is_literal_source(v) for v in [*args, *keywords.values()])
        given = [*args, *(f"{k}={v}" for k, v in sorted(keywords.items()))]
        placeholders = given if literal else [*("None" for _ in args), *(f"{k}=None" for k in sorted(keywords))]
        spread = "**kwargs"
        if keywords:
            spread = "**{" + ", ".join(f"{k!r}: {v}" for k, v in sorted(keywords.items())) + ", **kwargs}"
        prefix, wait = ("async ", "await ") if record.is_async else ("", "")
        self.closures.append(
            f"{prefix}def {binding}(*args, **kwargs):\n"
            f"    return {wait}{function}({', '.join([*args, '*args', spread])})\n\n\n"
            f"{binding}.__signature__ = _closure_signature(_closure_partial({', '.join([function, *placeholders])}))"
        )
        called = {
            n.func.id
            for v in [*args, *keywords.values()]
            for n in ast.walk(ast.parse(v, mode="eval"))
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        airflow_names = set(record.airflow_names)
        for inner in self.callables:
            if inner.name in called:
                airflow_names |= set(inner.airflow_names)
        positional = [a.arg for a in node.args.posonlyargs + node.args.args][len(args) :]
        self.callables.append(
            dataclasses.replace(
                record,
                name=binding,
                params=tuple(positional + [a.arg for a in node.args.kwonlyargs]),
                airflow_names=tuple(sorted(airflow_names)),
                written=record.written or node.name,
            )
        )
        return binding

    def _fresh(self, base: str, holder: object) -> str:
        """A name no statement of the logic binds yet, claimed for ``holder``."""
        name, n = base, 1
        while name in self.bound_names:
            n += 1
            name = f"{base}_{n}"
        self.bound_names[name] = holder
        return name

    def _closure_factory(self, node: ast.FunctionDef | ast.AsyncFunctionDef, factory: str, names: list[str]) -> str:
        """``def <factory>(<names>):`` around the function's lines as written (indented as in its own factory, at
        most four columns in: a multi-line string's lines are the string's, they keep their bytes)."""
        scopes = self._scopes_for(node)
        kept = [d for d in node.decorator_list if not self._is_airflow_decorator(d, scopes)]
        start = min([d.lineno for d in kept] + [node.lineno])
        foreign = self._foreign.get(id(node))
        lines = (foreign.lines if foreign is not None else self.lines)[start - 1 : node.end_lineno or node.lineno]
        column = node.col_offset
        indent = lines[0][:column]
        if indent.strip() or not indent:
            raise ValueError(f"{node.name} is not indented in its factory")  # nested defs always are
        if indent == " " * column and column > 4:
            lines = [line[column - 4 :] if line.startswith(indent) else line for line in lines]
            indent = "    "
        body = "".join(lines).rstrip("\n")
        where = f"# from {foreign.path}\n" if foreign is not None else ""
        return f"{where}def {factory}({', '.join(names)}):\n{body}\n{indent}return {node.name}"

    def add_expression(
        self, hint: str, expr: ast.expr, stmt: ast.stmt | None, known, segment: str | None = None
    ) -> str | None:
        """Carry an argument's expression as code: ``def <name>(<loop names>=<values>): return (<expr>)``.

        ``stmt`` is the statement being run when Airflow evaluated it (its scopes resolve the names);
        ``known(name)`` is ``("literal", value)`` for a name holding a plain literal at that moment (a loop
        variable, a helper's parameter), ``("airflow", None)`` for a task, DAG or TaskFlow object, ``("code",
        source)`` for a name the function binds to ``source`` (calls of code carried before), ``("import", line)``
        for a name the function imports with ``line``, else
        ``(None, None)``. Names bound outside the module scope that hold literals become default arguments, so each
        loop iteration keeps its own value. Returns the function's name, or None (nothing is kept) when the code
        needs a name nothing binds, an Airflow object, or (in the file's own code) an Airflow API other than
        ``Variable`` and ``Connection``.
        ``segment`` is the code's text when ``expr`` is not written as such in the file (a part of a mapping:
        ``(args)["cwd"]``).
        """
        scopes = self._scopes_for(stmt) if stmt is not None else []
        module_scope = scopes[-1] if scopes else []
        segment = segment or ast.get_source_segment(self.text, expr)
        self.refusal = ""  # why the code was not carried, when it is not
        if segment is None:
            return None
        self._in_expression = True
        try:
            self._imports_used = []
            name = self._add_expression(hint, expr, segment, scopes, module_scope, known)
            if name is None and self.modules is not None:
                # Copying from the estate's modules did not give runnable code (their constant is computed by
                # third-party code at import...): carried with the imports, the plan names the module (NONE).
                first = self.refusal
                self._imports_used, self._copy_foreign = [], False
                name = self._add_expression(hint, expr, segment, scopes, module_scope, known)
                self.refusal = first or self.refusal
            return name
        finally:
            self._in_expression, self._copy_foreign = False, True

    def checkpoint(self) -> tuple:
        """The state carrying code changes, to undo carried code that turned out not to be needed."""
        parts = ({k: (m, set(a)) for k, (m, a) in self._namespaces.items()}, dict(self._imports_by_name))
        keys = {key: set(users) for key, users in self._import_keys.items()}
        sizes = (len(self.expressions), len(self.callables), len(self.closures))
        closures = (dict(self._closure_factories), dict(self._closure_bindings))
        return dict(self.chosen), dict(self.airflow_imports), dict(self.bound_names), keys, parts, sizes, closures

    def restore(self, saved: tuple) -> None:
        self.chosen, self.airflow_imports, self.bound_names, self._import_keys, parts, sizes, closures = saved
        self._namespaces, self._imports_by_name = parts
        self._closure_factories, self._closure_bindings = dict(closures[0]), dict(closures[1])
        del self.expressions[sizes[0] :], self._shapes[sizes[0] :]
        del self.callables[sizes[1] :], self.closures[sizes[2] :]
        self._by_code, self._by_shape = {}, {}
        for shape in self._shapes:
            self._index_shape(*shape)

    def _index_shape(self, name: str, literals: dict[str, str], rest: str) -> None:
        self._by_code.setdefault((rest, tuple(literals.items())), name)
        self._by_shape.setdefault((rest, tuple(literals)), (name, literals))

    def _add_expression(self, hint, expr, segment, scopes, module_scope, known) -> str | None:
        wrapper = ast.FunctionDef(
            name="_", args=ast.arguments([], [], None, [], [], None, []), body=[ast.Return(expr)], decorator_list=[]
        )
        saved = (dict(self.chosen), dict(self.airflow_imports), dict(self.bound_names))
        saved_keys = {key: set(users) for key, users in self._import_keys.items()}
        saved_parts = ({k: (m, set(a)) for k, (m, a) in self._namespaces.items()}, dict(self._imports_by_name))
        unresolved: list[str] = []
        airflow: dict[str, str] = {}
        defaults: dict[str, object] = {}
        seen: set[int] = set()
        imported: dict[str, str] = {}
        local_imports: list[str] = []
        namespaces: list[str] = []  # `db = _module_part(...)`: the copied functions of an estate module
        computed: dict[str, str] = {}  # names bound in the function to carried code: `cfg = {"k": _arg_x()}`
        for name in sorted(_free_names(wrapper)):  # type: ignore[arg-type]
            kind, value = known(name)
            if kind == "airflow":
                unresolved.append(name)
                continue
            if kind == "code":
                computed[name] = value
                continue
            if kind == "import":  # code of an estate module: the import its module binds the name with
                local_imports.append(value)
                continue
            binding = self._find(name, scopes)
            if isinstance(binding, (ast.Import, ast.ImportFrom)):
                # From an estate module that imports Airflow: its definition is copied, not the import.
                binding = self._copied_instead(binding, name) or binding
            in_module = binding is None or any(binding is s for s in _flatten(module_scope))
            if kind == "literal" and (binding is None or not in_module):
                defaults[name] = value
                continue
            if binding is None:
                unresolved.append(name)
            elif isinstance(binding, str):
                if module_scope and id(module_scope[0]) in self._foreign:
                    self._estate_airflow.add(binding)  # the code is an estate module's own (EstateCode)
                if self.airflow_imports.setdefault(name, binding) != binding:
                    unresolved.append(f"{name} (bound to two Airflow names by the file and an estate module)")
                airflow[name] = binding
            elif self._copy_foreign and (module := self._module_imported(binding, name)) and module.imports_airflow:
                # `db.connection_envvars()` of an estate module importing Airflow: the functions used, copied.
                used = self._module_part(expr, name, module, unresolved, airflow, seen)
                local_imports.append("from types import SimpleNamespace as _module_part")
                namespaces.append(f"{name} = _module_part({', '.join(f'{a}={a}' for a in used)})")
            elif isinstance(binding, (ast.Import, ast.ImportFrom)):  # imported when the argument is computed
                local_imports.append(_import_line(binding, name, self._module_of(binding)))
                imported[name] = _imported_name(binding, name, self._module_of(binding))
                self._imports_used.append(imported[name])
            elif self._claim(name, binding) or (
                isinstance(binding, (ast.FunctionDef, ast.AsyncFunctionDef))
                and any(self._is_airflow_decorator(d, self._scopes_for(binding)) for d in binding.decorator_list)
            ):
                unresolved.append(name)
            else:
                self._require(binding, self._scopes_for(binding), unresolved, airflow, seen)
        runs_at_import = [s for key, s in self.chosen.items() if key not in saved[0] and not _is_definition(s)]
        # An assignment into a container (`checks[name] = ...`) binds no name: what it fills is not followed.
        odd = [s for s in runs_at_import if not _assigns_names(s)]
        lazy = self._run_when_called(runs_at_import, saved[0])
        local_parts = {line.split(" = ", 1)[0] for line in namespaces}
        grown = any(attrs != saved_parts[0].get(k, (None, set()))[1] for k, (_, attrs) in self._namespaces.items())
        if lazy is not None and (grown or any(local_parts & _free_names(s) for s in lazy)):
            # A module-level namespace now holds what would move, or a moved statement reads the function's own
            # namespace (`variables = gsheet.x(...)`): no order of the function's lines gives the same values.
            lazy = None
        if (
            unresolved
            or any(not q.endswith(CARRIED_AIRFLOW_NAMES) and q not in self._estate_airflow for q in airflow.values())
            or (any(self._uses_outside_stdlib(s) for s in runs_at_import) and lazy is None)
            # An Airflow API other than Variable and Connection run when the logic is imported: the whole logic's
            # import would depend on it (a stand-in with no equivalent fails there); only inside the function.
            or (lazy is None and any(self._reads_airflow(s, CARRIED_AIRFLOW_NAMES) for s in runs_at_import))
            or odd
        ):
            third_party = [self._source(s) for s in runs_at_import if self._uses_outside_stdlib(s)]
            self.refusal = _refusal(unresolved, airflow, third_party, [self._source(s) for s in odd])
            self.chosen, self.airflow_imports, self.bound_names = saved
            self._import_keys = saved_keys
            self._namespaces, self._imports_by_name = saved_parts
            return None
        literals = {key: _literal_source(val) for key, val in sorted(defaults.items())}
        params = ", ".join(f"{key}={code}" for key, code in literals.items())
        moved: list[str] = []
        environment = set(_environment(expr))
        if lazy is not None and any(self._uses_outside_stdlib(s) or self._reads_airflow(s) for s in runs_at_import):
            # Statements reading third-party code run when the argument is computed, not when the logic is imported;
            # so do Variable and Connection reads (`conn = Connection.get(...)` in a helper): a missing one fails
            # the asset that needs it, not the import of every asset of the file.
            for stmt in lazy:
                self.chosen.pop(id(stmt))
                moved += self._source(stmt).splitlines()
                environment |= set(_environment(stmt)) | self._third_party_calls(stmt)
        bound_here = [f"{key} = {code}" for key, code in sorted(computed.items())]
        lines = [*sorted(set(local_imports)), *moved, *namespaces, *bound_here]
        body = "".join(f"    {line}\n" if line.strip() else "\n" for line in lines)
        rest = f"):\n{body}    return ({segment})"
        # The same code for another task (a DAG built in a loop): that function; with other values of the loop's
        # names (its parameters' defaults), a function calling it with them.
        exact = self._by_code.get((rest, tuple(literals.items())))
        if exact is not None:
            return exact
        same = self._by_shape.get((rest, tuple(literals)))
        base = "_arg_" + "".join(ch if ch.isalnum() else "_" for ch in hint)
        if len(base) > 48:  # a deep path of keys: its start and its end say enough, and it stays in a line
            base = f"{base[:24]}_{base[-23:].lstrip('_')}"
        name, n = base, 1
        while name in self.bound_names:
            n += 1
            name = f"{base}_{n}"
        self.bound_names[name] = id(expr)
        if same is not None:
            shared, defaults = same
            differ = ", ".join(f"{key}={code}" for key, code in literals.items() if defaults[key] != code)
            self.expressions.append(f"def {name}():\n    return {shared}({differ})")
        else:
            self.expressions.append(f"def {name}({params}{rest}")
        self._shapes.append((name, literals, rest))
        self._index_shape(name, literals, rest)
        airflow_names = set(airflow.values())
        calls = set(self._imports_used) | _attribute_calls(expr, imported)
        called = {
            n.func.id
            for code in computed.values()
            for n in ast.walk(ast.parse(code, mode="eval"))
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        for inner in self.callables:  # what the carried code it calls reads is what this one reads
            if inner.name in called:
                airflow_names |= set(inner.airflow_names)
                environment |= set(inner.environment)
                calls |= set(inner.calls)
        self.callables.append(
            ir.Callable(
                name=name,
                source=ir.SourceRef("", expr.lineno, expr.col_offset),
                airflow_names=tuple(sorted(airflow_names)),
                expression=segment,
                environment=tuple(sorted(environment)),
                calls=tuple(sorted(calls)),
            )
        )
        return name

    def _run_when_called(self, runs_at_import: list[ast.stmt], before: dict) -> list[ast.stmt] | None:
        """The statements an argument's code needs that would run when the logic is imported, in the order they run,
        when they can run inside its function instead: assignments, with the definitions copied for this code that
        read what they bind (``env = Variable.get("environment")`` and the ``def env_url()`` of an estate module
        reading it), moved along so that the function defines them after what they read; None when one of them
        cannot (another statement, or code whose multi-line strings would change once indented)."""
        if any(not _assigns_names(s) or not _indentable(s) for s in runs_at_import):
            return None
        moved = list(runs_at_import)
        bound = {n for s in moved for n in _bound_by(s) | _branch_names(s)}
        definitions = [
            s
            for key, s in self.chosen.items()
            if key not in before and _is_definition(s) and not isinstance(s, (ast.Import, ast.ImportFrom))
        ]
        readers = [d for d in definitions if bound & _free_names(d)]
        while readers:  # a definition reading a moved one moves too: no module-level code reads the function's names
            if not all(_indentable(d) for d in readers):
                return None
            moved += readers
            bound |= {n for d in readers for n in _bound_by(d)}
            readers = [d for d in definitions if d not in moved and bound & _free_names(d)]
        return sorted(moved, key=lambda s: (self._rank(s), s.lineno, s.col_offset))

    def _third_party_calls(self, stmt: ast.stmt) -> set[str]:
        """``Env() (environs)``: calls in ``stmt`` of names imported from outside the standard library."""
        found = set()
        scopes = self._scopes_for(stmt)
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                binding = self._find(node.func.id, scopes)
                if isinstance(binding, (ast.Import, ast.ImportFrom)):
                    top = _imported_name(binding, node.func.id, self._module_of(binding)).split(".")[0]
                    if top not in sys.stdlib_module_names:
                        found.add(f"{node.func.id}() ({top})")
        return found

    def _module_imported(self, stmt: ast.stmt, name: str) -> EstateModule | None:
        """The estate module ``name`` is, when ``stmt`` imports a module under that name (``from pkg import db``)."""
        if isinstance(stmt, ast.ImportFrom):
            alias = next((a for a in stmt.names if (a.asname or a.name) == name), None)
            base = _absolute_module(stmt, self._module_of(stmt))
            return self._estate_module(f"{base}.{alias.name}") if alias is not None else None
        if isinstance(stmt, ast.Import):
            alias = next((a for a in stmt.names if a.asname == name), None)
            return self._estate_module(alias.name) if alias is not None else None
        return None

    def _require_namespace(self, stmt, name, module, unresolved, airflow, seen) -> None:
        """``name`` is an estate module importing Airflow, read as ``name.<attr>`` by ``stmt``: its functions and
        constants used are copied, and ``name`` is bound to a namespace of them after that module's code."""
        holder = self._namespaces.setdefault(name, (module, set()))
        if holder[0] is not module or self.bound_names.get(name, ("namespace", module.name)) != (
            "namespace",
            module.name,
        ):
            unresolved.append(f"{name} (bound differently by two scopes of the file)")
            return
        self.bound_names[name] = ("namespace", module.name)
        attrs = self._module_attrs(stmt, name, module, unresolved)
        for attr in sorted(attrs - holder[1]):
            target = self._find(attr, [module.tree.body])
            if isinstance(target, (ast.Import, ast.ImportFrom)):
                target = self._copied_instead(target, attr) or target
            if not isinstance(target, ast.stmt) or isinstance(target, (ast.Import, ast.ImportFrom)):
                unresolved.append(f"{name}.{attr} (not a definition of {module.name})")
            elif self._claim(attr, target):
                unresolved.append(f"{attr} (of {module.name}: the file binds that name too)")
            else:
                holder[1].add(attr)
                self._require(target, self._scopes_for(target), unresolved, airflow, seen)

    def _module_attrs(self, node, name, module, unresolved) -> set[str]:
        """The attributes ``node`` reads of ``name``; a use of ``name`` itself (not an attribute) is unresolved."""
        uses = [n for n in ast.walk(node) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)]
        attrs = {n.attr for n in uses if n.value.id == name}
        loads = sum(1 for n in ast.walk(node) if isinstance(n, ast.Name) and n.id == name)
        if loads != sum(1 for n in uses if n.value.id == name):
            unresolved.append(f"{name} (the module {module.name}, which imports Airflow, used as a whole)")
        return attrs

    def _module_part(self, expr, name, module, unresolved, airflow, seen) -> list[str]:
        """The functions of ``module`` that ``expr`` reads as ``name.<attr>``, copied (with what they need)."""
        attrs = sorted(self._module_attrs(expr, name, module, unresolved))
        for attr in attrs:
            target = self._find(attr, [module.tree.body])
            if isinstance(target, (ast.Import, ast.ImportFrom)):
                target = self._copied_instead(target, attr) or target
            if target is None or isinstance(target, str):
                unresolved.append(f"{name}.{attr} (not a definition of {module.name})")
            elif not isinstance(
                target, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)
            ):
                unresolved.append(f"{name}.{attr} (not a definition of {module.name})")
            elif any(
                self._is_airflow_decorator(d, self._scopes_for(target)) for d in getattr(target, "decorator_list", [])
            ):
                unresolved.append(f"{name}.{attr} (Airflow makes a task of it: its value is an XCom)")
            elif self._claim(attr, target):
                unresolved.append(f"{attr} (of {module.name}: the file binds that name too)")
            else:
                self._require(target, self._scopes_for(target), unresolved, airflow, seen)
        return attrs

    def _closure_variable(self, name: str, scopes: list[list[ast.stmt]]) -> str | None:
        """``namespace (a parameter of make_cleanup_task, the function defining it)``: a closure's variable has its
        value only when that function is called."""
        for body in scopes:
            owner = self._scope_owner.get(id(body))
            if owner is None:
                continue
            arguments = owner.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
            if any(a is not None and a.arg == name for a in every):
                return f"{name} (a parameter of {owner.name}, the function defining it: known when it is called)"
        return None

    def _same_assignment(self, held: ast.stmt | None, other: ast.stmt) -> bool:
        """Two assignments written alike whose names are the same imports bind the same value: one is enough."""
        if not isinstance(held, (ast.Assign, ast.AnnAssign)) or not isinstance(other, (ast.Assign, ast.AnnAssign)):
            return False
        if ast.dump(held) != ast.dump(other):
            return False
        for name in _free_names(other):
            first, second = (
                self._find(name, self._scopes_for(held), held),
                self._find(name, self._scopes_for(other), other),
            )
            if isinstance(first, str) or isinstance(second, str):
                if first != second:
                    return False
                continue
            if not (
                isinstance(first, (ast.Import, ast.ImportFrom)) and isinstance(second, (ast.Import, ast.ImportFrom))
            ):
                return False
            if _imported_name(first, name, self._module_of(first)) != _imported_name(
                second, name, self._module_of(second)
            ):
                return False
        return True

    def _foreign_statements(self) -> list[ast.stmt]:
        return [s for s in self.chosen.values() if id(s) in self._foreign]

    def _rank(self, stmt: ast.stmt) -> int:
        """Code copied from estate modules comes first: a module's after the modules it imports (its statements may
        read their names when the logic is imported), else the module read last (imported by the others) first."""
        foreign = self._foreign.get(id(stmt))
        return 0 if foreign is None else self._rank_of(foreign.name)

    def _rank_of(self, module: str) -> int:
        ranks = self._module_ranks()
        return ranks.get(module, -1 - self._loaded.index(module))

    def _module_ranks(self) -> dict[str, int]:
        """Each copied-from module's rank (the lowest first): imported modules before their importers."""
        if self._ranks is not None and len(self._ranks) == len(self._loaded):
            return self._ranks
        imports: dict[str, set[str]] = {}
        for name in self._loaded:
            module = self.modules.find(name.removesuffix(".__init__")) if self.modules is not None else None
            imports[name] = self._imported_estate_modules(module) - {name} if module is not None else set()
        # Depth-first from the module read last (the previous order where imports say nothing), dependencies first.
        order: list[str] = []
        visiting: set[str] = set()

        def visit(name: str) -> None:
            if name in order or name in visiting:  # done, or an import cycle: the read order decides
                return
            visiting.add(name)
            for dependency in sorted(imports[name], key=self._loaded.index, reverse=True):
                visit(dependency)
            visiting.discard(name)
            order.append(name)

        for name in reversed(self._loaded):
            visit(name)
        self._ranks = {name: index - len(order) for index, name in enumerate(order)}
        return self._ranks

    def _imported_estate_modules(self, module: EstateModule) -> set[str]:
        """The names of the modules read so far that ``module`` imports when it is imported (``from pkg import mod``
        included; not an import inside a function or under ``if TYPE_CHECKING:``, which runs later or never)."""
        loaded = set(self._loaded)
        found: set[str] = set()
        for node in _import_time_statements(module.tree.body):
            if isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute_module(node, module.name)
                candidates = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            else:
                continue
            for candidate in candidates:
                for name in (candidate, candidate + ".__init__"):
                    if name in loaded:
                        found.add(name)
        return found

    def _import_source(self, key: int, stmt: ast.Import | ast.ImportFrom) -> str:
        """An import; one only arguments carried as code need, from outside the standard library, is guarded: if
        the Dagster side cannot import it (an estate module importing Airflow), only those arguments' assets fail.
        """
        text = ast.unparse(stmt)
        module = stmt.module if isinstance(stmt, ast.ImportFrom) else stmt.names[0].name
        if self._import_keys.get(key) != {"expression"} or (module or "").split(".")[0] in sys.stdlib_module_names:
            return text
        return f"try:\n    {text}\nexcept ImportError:  # used by arguments carried as code only\n    pass"

    def _uses_outside_stdlib(self, stmt: ast.stmt) -> bool:
        """Does a statement run at the logic's import read a name imported from outside the standard library?

        ``env = get_env_vars_task(...)`` or ``tmp = f"{SHARED_DIR}/x"`` copied for an argument would import and
        run the estate's code (maybe an Airflow task builder, maybe a module importing Airflow) whenever the logic
        is imported, for every task of the file: such code is not carried.
        """
        scopes = self._scopes_for(stmt)
        for node in ast.walk(stmt):
            if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)):
                continue
            binding = self._find(node.id, scopes)
            if isinstance(binding, (ast.Import, ast.ImportFrom)):
                top = _imported_name(binding, node.id, self._module_of(binding)).split(".")[0]
                if top not in sys.stdlib_module_names:
                    return True
        return False

    def _reads_airflow(self, stmt: ast.stmt, but: tuple[str, ...] = ()) -> bool:
        """Does a statement read a name bound to an Airflow import (``Variable``, ``Connection``), other than those
        whose qualified name ends with one of ``but``?"""
        scopes = self._scopes_for(stmt)
        names = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        found = [self._find(name, scopes) for name in names]
        return any(isinstance(q, str) and not (but and q.endswith(but)) for q in found)

    def logic(self) -> tuple[str, str]:
        """The copied imports, then the other copied statements in source order, dedented to module level.

        The functions of the arguments carried as code come last: they read the rest when they are called.
        """
        ordered = sorted(
            self.chosen.items(), key=lambda item: (self._rank(item[1]), item[1].lineno, item[1].col_offset)
        )
        imports = [self._import_source(key, s) for key, s in ordered if isinstance(s, (ast.Import, ast.ImportFrom))]
        statements = [s for _, s in ordered if not isinstance(s, (ast.Import, ast.ImportFrom))]
        if any(self._reads_annotations_lazily(s) for s in statements):
            # Its annotations are never evaluated where it was written (a method returning its own class names
            # the class before it exists): copied without the import, the module would not even import.
            imports.insert(0, "from __future__ import annotations")
        namespaces = {name: part for name, part in sorted(self._namespaces.items()) if part[1]}
        if namespaces:
            imports.append("from types import SimpleNamespace as _module_part")
        code = []
        for index, stmt in enumerate(statements):
            code.append(self._source(stmt))
            rank = self._rank(stmt)
            if index + 1 < len(statements) and self._rank(statements[index + 1]) == rank:
                continue
            # After an estate module's code: the names bound to it (`general = _module_part(config=config)`).
            for name, (module, attrs) in namespaces.items():
                if rank != 0 and self._rank_of(module.name) == rank:
                    code.append(f"{name} = _module_part({', '.join(f'{a}={a}' for a in sorted(attrs))})")
        if self.closures:
            imports.append("from inspect import signature as _closure_signature")
        if any("_closure_partial(" in code for code in self.closures):  # a functools.partial callable (add_partial)
            imports.append("from functools import partial as _closure_partial")
        code += self.closures
        code += self.expressions
        return "\n".join(imports) + ("\n" if imports else ""), "\n\n\n".join(code) + ("\n" if code else "")

    # -- code of the estate's modules ----------------------------------------------------------------------------
    def _reads_annotations_lazily(self, stmt: ast.stmt) -> bool:
        found = self._foreign.get(id(stmt))
        return _lazy_annotations(found.tree) if found is not None else self._lazy_annotations

    def _module_of(self, stmt: ast.stmt) -> str:
        found = self._foreign.get(id(stmt))
        return found.name if found is not None else self.module

    def _estate_module(self, module: str) -> EstateModule | None:
        """An estate module by name, its statements indexed like the file's own (their scopes, their module)."""
        found = self.modules.find(module) if self.modules is not None else None
        if found is not None and found.name not in self._loaded:
            self._loaded.append(found.name)
            self._index_scopes(found.tree.body, [found.tree.body])
            for node in ast.walk(found.tree):
                if isinstance(node, ast.stmt):
                    self._foreign[id(node)] = found
        return found

    def _copied_instead(self, stmt: ast.Import | ast.ImportFrom, name: str, depth: int = 0):
        """What to copy instead of ``from <module> import name`` when the module imports Airflow (the Dagster side
        cannot import it), or is any estate module (``copy_every_module``): the statement binding the name there (a
        function, a class, a constant, its own import of it, or the qualified Airflow name), else None (the import
        is kept). A renamed import is kept too: the copied definition would bind another name."""
        if not isinstance(stmt, ast.ImportFrom) or depth > 8 or not self._copy_foreign:
            return None
        module = self._estate_module(_absolute_module(stmt, self._module_of(stmt)))
        alias = next((a for a in stmt.names if (a.asname or a.name) == name), None)
        copied = module is not None and (module.imports_airflow or self.copy_every_module)
        if not copied or alias is None or alias.asname not in (None, alias.name):
            return None
        found = self._find(alias.name, [module.tree.body])
        if isinstance(found, ast.ImportFrom):
            return self._copied_instead(found, alias.name, depth + 1) or found
        if isinstance(found, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            self._is_airflow_decorator(d, self._scopes_for(found)) for d in found.decorator_list
        ):
            return None  # a function Airflow makes a task of (@task): calling it builds a task, it is not copied
        return found

    def module_statement(self, module: str) -> ast.stmt | None:
        """A module-level statement of the estate module ``module``: code carried from that module is resolved in
        its names (``add_expression``'s ``stmt``); None when the copier does not find the module."""
        found = self._estate_module(module)
        return found.tree.body[0] if found is not None and found.tree.body else None

    def foreign_function(self, qualified: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The function ``module.name`` of an estate module that imports Airflow, to copy as a task's callable."""
        module_name, _, name = qualified.rpartition(".")
        module = self._estate_module(module_name)
        if module is None or not module.imports_airflow:
            return None
        found = self._find(name, [module.tree.body])
        if isinstance(found, ast.ImportFrom):
            found = self._copied_instead(found, name)
        return found if isinstance(found, (ast.FunctionDef, ast.AsyncFunctionDef)) else None

    def function_at(self, module_name: str, node: ast.FunctionDef | ast.AsyncFunctionDef):
        """The function of an estate module written where ``node`` (read by the scan's interpreter) is: the same code,
        read here so that its names resolve in that module's scopes."""
        module = self._estate_module(module_name)
        if module is None:
            return None
        place = (node.name, node.lineno, node.col_offset)
        for found in ast.walk(module.tree):
            if isinstance(found, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if (found.name, found.lineno, found.col_offset) == place:
                    return found
        return None

    def estate_constant(self, qualified: str) -> bool:
        """Is ``module.name`` a value an estate module assigns (``IMAGE = "acme/etl:1"``), not a function or class?"""
        module_name, _, name = qualified.rpartition(".")
        module = self._estate_module(module_name) if module_name else None
        found = self._find(name, [module.tree.body]) if module is not None else None
        if isinstance(found, ast.ImportFrom):
            found = self._copied_instead(found, name)
        return isinstance(found, (ast.Assign, ast.AnnAssign, ast.If))

    def estate_function(self, qualified: str) -> tuple[ast.FunctionDef, EstateModule] | None:
        """The function ``module.name`` of an estate module with Airflow decorators (``@task``), and its module."""
        module_name, _, name = qualified.rpartition(".")
        module = self._estate_module(module_name) if module_name else None
        found = self._find(name, [module.tree.body]) if module is not None and module.imports_airflow else None
        if not isinstance(found, ast.FunctionDef) or not found.decorator_list:
            return None
        if not any(self._is_airflow_decorator(d, self._scopes_for(found)) for d in found.decorator_list):
            return None
        return found, module

    def star_names(self, module: str) -> list[str]:
        """The functions ``from <module> import *`` binds, when the module is the estate's own."""
        found = self._estate_module(module)
        if found is None:
            return []
        exported = _all_names(found.tree)
        return [
            s.name
            for s in found.tree.body
            if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
            and (s.name in exported if exported is not None else not s.name.startswith("_"))
        ]

    def _star_binding(self, name: str, scope: list[ast.stmt], limit, depth: int = 0):
        """``name`` bound by a star import of an estate module in ``scope`` (the last such import that binds it)."""
        found = None
        for stmt in _flatten(scope):
            if not (isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names)) or depth > 8:
                continue
            if limit is not None and (stmt.lineno, stmt.col_offset) >= limit and id(stmt) not in self._foreign:
                continue
            module = self._estate_module(_absolute_module(stmt, self._module_of(stmt)))
            if module is None or name.startswith("_"):
                continue
            exported = _all_names(module.tree)
            if exported is not None and name not in exported:
                continue
            binding = self._find(name, [module.tree.body], depth=depth + 1)
            if binding is not None:
                found = binding
        return found

    # -- closure ----------------------------------------------------------------------------------------------
    def _scopes_for(self, node: ast.stmt) -> list[list[ast.stmt]]:
        return self.scope_of.get(id(node), [])

    def _claim(self, name: str, stmt: ast.stmt) -> bool:
        """Bind ``name`` in the logic to ``stmt``; True when another statement already holds that name."""
        holder = self.bound_names.get(name)
        if holder is not None and holder != id(stmt):
            return True
        self.bound_names[name] = id(stmt)
        return False

    def _require(self, stmt, scopes, unresolved, airflow, seen: set[int]) -> None:
        if id(stmt) in seen:
            return
        seen.add(id(stmt))
        if not isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self.chosen[id(stmt)] = stmt
        names = _free_names(stmt)
        # Names only annotations written as strings read (`-> "Engine"`): Python never evaluates them, so any binding
        # of the name serves (ruff's F821 wants one), and one the rest of the logic already has is as good.
        annotation_only = names - _free_names(stmt, strings=False)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for decorator in stmt.decorator_list:
                if not self._is_airflow_decorator(decorator, scopes):
                    names |= {n.id for n in ast.walk(decorator) if isinstance(n, ast.Name)} - BUILTIN_NAMES
        # A statement that is not a function reads its names when it runs: the bindings before it count
        # (`x = f(x)` reads the previous `x`); a function reads them when called, after the module ran, and so do
        # a class's methods (a function defined below the class is found).
        before = None if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else stmt
        skip = self._closure_skip[1] if self._closure_skip and self._closure_skip[0] == id(stmt) else frozenset()
        for name in sorted(names - skip):
            binding = self._find(name, scopes, before)
            if isinstance(binding, (ast.Import, ast.ImportFrom)):
                # From an estate module that imports Airflow: its definition is copied, not the import.
                binding = self._copied_instead(binding, name) or binding
            if binding is None:
                closure = self._closure_variable(name, scopes)
                if closure is None and not name.startswith("__") and not _binds_anywhere(scopes[-1], name):
                    # Its module never binds it: Airflow fails with a NameError too when that code is reached.
                    self.airflow_imports.setdefault(name, NEVER_BOUND + name)
                    unresolved.append(f"{name}{NEVER_BOUND_NOTE}")
                    continue
                unresolved.append(closure or name)
                continue
            if isinstance(binding, str):  # an Airflow import
                if id(stmt) in self._foreign:
                    self._estate_airflow.add(binding)
                if self.airflow_imports.setdefault(name, binding) != binding:
                    unresolved.append(f"{name} (bound to two Airflow names by the file and an estate module)")
                    continue
                airflow[name] = binding
                continue
            if isinstance(binding, (ast.Import, ast.ImportFrom)):
                module = self._module_imported(binding, name)
                if module is not None and (module.imports_airflow or self.copy_every_module):
                    # `general.config` of an estate module importing Airflow: what is used of it, copied.
                    self._require_namespace(stmt, name, module, unresolved, airflow, seen)
                    continue
                # An imported name is bound in the logic too: a function of the same name copied for another
                # callable (two DAGs of one file, each with its own `load_data`) would replace it. The same import
                # written in the file and in an estate module it copies from binds the same thing.
                qualified = _imported_name(binding, name, self._module_of(binding))
                first = self._imports_by_name.setdefault(name, (qualified, binding))
                if first[0] == qualified and first[1] is not binding:
                    if name not in annotation_only:
                        self._annotation_only.pop(name, None)
                    self._copy_import(first[1], name)
                    continue
                unbound = name not in self.bound_names
                if self._claim(name, binding) and not self._replaces_annotation_only(name, binding, annotation_only):
                    if name in annotation_only:
                        continue  # a string annotation: the name's other binding serves it
                    unresolved.append(f"{name} (bound differently by two scopes of the file)")
                    continue
                if name not in annotation_only:
                    self._annotation_only.pop(name, None)
                elif unbound:
                    self._annotation_only[name] = id(binding)
                self._copy_import(binding, name)
                continue
            rebound = before is not None and self._scopes_for(binding) is self._scopes_for(stmt)  # x = f(x)
            if not rebound and name in annotation_only and self.bound_names.get(name) not in (None, id(binding)):
                continue  # a string annotation: the name's other binding serves it
            if not rebound and self._claim(name, binding):
                holder = self.bound_names.get(name)
                if self._same_assignment(self.chosen.get(holder) if isinstance(holder, int) else None, binding):
                    continue  # `logger = logging.getLogger(__name__)` in the file and in a module it copies from
                foreign = id(binding) in self._foreign or any(id(s) == holder for s in self._foreign_statements())
                where = "the file and by an estate module it copies from" if foreign else "two scopes of the file"
                unresolved.append(f"{name} (bound {'by' if foreign else 'differently by'} {where})")
                continue
            self._require(binding, self._scopes_for(binding), unresolved, airflow, seen)

    def _replaces_annotation_only(self, name: str, binding: ast.stmt, annotation_only: set[str]) -> bool:
        """Code that evaluates ``name`` needs ``binding``, and the logic binds the name with an import only string
        annotations read: that import gives the name up (those annotations are never evaluated) to ``binding``."""
        holder = self.bound_names.get(name)
        if name in annotation_only or not isinstance(holder, int) or self._annotation_only.get(name) != holder:
            return False
        previous = self.chosen.get(holder)
        if isinstance(previous, (ast.Import, ast.ImportFrom)):
            kept = [a for a in previous.names if (a.asname or a.name.split(".")[0]) != name]
            if kept:
                replaced = type(previous)(**{**vars(previous), "names": kept})
                self.chosen[holder] = ast.copy_location(replaced, previous)
            else:
                self.chosen.pop(holder, None)
        del self._annotation_only[name]
        self._imports_by_name.pop(name, None)
        self.bound_names[name] = id(binding)
        return True

    def _find(self, name: str, scopes: list[list[ast.stmt]], before: ast.stmt | None = None, depth: int = 0):
        """The statement that binds ``name``: innermost scope first, the last binding in that scope (the last one
        before ``before``, when given); at module level, a star import of an estate module that defines it."""
        limit = (before.lineno, before.col_offset) if before is not None else None
        for body in scopes:
            found = None
            for stmt in _flatten(body):
                if limit is not None and (stmt.lineno, stmt.col_offset) >= limit:
                    continue
                if name in _bound_by(stmt):
                    found = stmt
            if body is scopes[-1]:
                # `if env == "prod": IMAGE = ... else: raise ...` at module level: the chain binds the name.
                found = _chain_binding(body, name, found, limit) or found
            if found is None and body is scopes[-1] and self.modules is not None:
                found = self._star_binding(name, body, limit, depth)
            if found is not None:
                if isinstance(found, (ast.Import, ast.ImportFrom)):
                    qualified = _imported_name(found, name, self._module_of(found))
                    if qualified.split(".")[0] == "airflow":
                        return AIRFLOW_REEXPORTS.get(qualified, qualified)
                return found
        return None

    def _copy_import(self, stmt: ast.Import | ast.ImportFrom, name: str) -> None:
        self._imports_used.append(_imported_name(stmt, name, self._module_of(stmt)))
        key = id(stmt)
        self._import_keys.setdefault(key, set()).add("expression" if self._in_expression else "callable")
        holder = self.chosen.get(key)
        if isinstance(stmt, ast.ImportFrom):
            base = _absolute_module(stmt, self._module_of(stmt))
            aliases = [a for a in stmt.names if (a.asname or a.name) == name]
            merged = list(holder.names) if isinstance(holder, ast.ImportFrom) else []
            for alias in aliases:
                if all((a.name, a.asname) != (alias.name, alias.asname) for a in merged):
                    merged.append(alias)
            new = ast.ImportFrom(module=base, names=merged, level=0)
        else:
            aliases = [a for a in stmt.names if (a.asname or a.name.split(".")[0]) == name]
            merged = list(holder.names) if isinstance(holder, ast.Import) else []
            merged += [a for a in aliases if a not in merged]
            new = ast.Import(names=merged)
        ast.copy_location(new, stmt)
        self.chosen[key] = new

    def _source(self, stmt: ast.stmt) -> str:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            return ast.unparse(stmt)
        start = stmt.lineno
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            scopes = self._scopes_for(stmt)
            kept = [d for d in stmt.decorator_list if not self._is_airflow_decorator(d, scopes)]
            start = min([d.lineno for d in kept] + [stmt.lineno])
        end = stmt.end_lineno or stmt.lineno
        foreign = self._foreign.get(id(stmt))
        lines = foreign.lines if foreign is not None else self.lines
        copied = _dedent(lines[start - 1 : end], stmt.col_offset).rstrip("\n")
        return f"# from {foreign.path}\n{copied}" if foreign is not None else copied

    def _is_airflow_decorator(self, decorator: ast.expr, scopes: list[list[ast.stmt]]) -> bool:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        while isinstance(target, ast.Attribute):
            target = target.value
        return isinstance(target, ast.Name) and isinstance(self._find(target.id, scopes), str)


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    a = function.args
    return {x.arg for x in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if x is not None}


def _own_nodes(function: ast.AST):
    """The nodes of a function's body that run in its own scope (nested functions, classes, lambdas and
    comprehensions make scopes of their own)."""
    todo = list(getattr(function, "body", []))
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        todo += list(ast.iter_child_nodes(node))


def _stores_in(function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> list[ast.AST]:
    """What binds ``name`` in the function's own scope: assignments (the statement), other targets (the node)."""
    found: list[ast.AST] = []
    for node in _own_nodes(function):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and name in _bound_by(node):
            found.append(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            found.append(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)) and name in _bound_by(node):
            found.append(node)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            found += [node, node]  # reads and binds again
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.ExceptHandler, ast.NamedExpr)):
            targets = [node.target] if isinstance(node, (ast.For, ast.AsyncFor, ast.NamedExpr)) else []
            targets += [i.optional_vars for i in getattr(node, "items", []) if i.optional_vars is not None]
            if isinstance(node, ast.ExceptHandler) and node.name == name:
                found += [node, node]
            if any(isinstance(n, ast.Name) and n.id == name for t in targets for n in ast.walk(t)):
                found += [node, node]  # bound by a loop, a context manager...: not one value the scan knows
        elif isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            found += [node, node]
    return found


def _in_loop(function: ast.AST, target: ast.AST) -> bool:
    """Is ``target`` inside a loop of the function's own body?"""
    for node in _own_nodes(function):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and any(n is target for n in ast.walk(node)):
            return True
    return False


def _reads_at_definition(node: ast.FunctionDef | ast.AsyncFunctionDef, names: set[str]) -> bool:
    """Does the ``def`` itself (decorators, defaults, annotations) read one of ``names``?"""
    a = node.args
    parts = [*node.decorator_list, *a.defaults, *[d for d in a.kw_defaults if d is not None]]
    parts += [x.annotation for x in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if x and x.annotation]
    parts += [node.returns] if node.returns is not None else []
    return any(isinstance(n, ast.Name) and n.id in names for part in parts for n in ast.walk(part))


def _is_literal_source(source: str) -> bool:
    try:
        ast.literal_eval(source)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True


def _dedent(lines: list[str], column: int) -> str:
    """The statement's lines moved to module level: its own indentation (``column`` characters) comes off each
    line that starts with it. Unlike ``textwrap.dedent``, a line holding only whitespace (inside a multi-line
    string, it is part of the string) is left as it is."""
    indent = lines[0][:column] if lines else ""
    if not indent or indent.strip():
        return "".join(lines)
    return "".join(line[column:] if line.startswith(indent) else line for line in lines)


# -- name analysis ------------------------------------------------------------------------------------------


ENVIRONMENT_READS = frozenset(
    {"environ", "getenv", "open", "read_text", "read_bytes", "now", "today", "utcnow", "time", "gethostname", "getcwd"}
)


def _environment(expr: ast.expr) -> tuple[str, ...]:
    """The names in ``expr`` that read the machine it runs on (environment, files, clock, host)."""
    found = set()
    for node in ast.walk(expr):
        name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
        if name in ENVIRONMENT_READS:
            found.add(ast.unparse(node))
    return tuple(sorted(found))


def _attribute_calls(expr: ast.expr, imported: dict[str, str]) -> set[str]:
    """``mod.helper`` in ``expr`` with ``mod`` an import: ``<mod's qualified name>.helper``."""
    return {
        f"{imported[node.value.id]}.{node.attr}"
        for node in ast.walk(expr)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in imported
    }


def _import_line(stmt: ast.Import | ast.ImportFrom, name: str, module: str) -> str:
    """The import of ``name`` alone, absolute: an argument's code imports what it uses when it runs, so a module
    the Dagster side cannot import fails that argument's asset only, not the file's whole logic."""
    if isinstance(stmt, ast.ImportFrom):
        aliases = [a for a in stmt.names if (a.asname or a.name) == name]
        return ast.unparse(ast.ImportFrom(module=_absolute_module(stmt, module), names=aliases, level=0))
    return ast.unparse(ast.Import(names=[a for a in stmt.names if (a.asname or a.name.split(".")[0]) == name]))


def _chain_binding(body: list[ast.stmt], name: str, found: ast.stmt | None, limit) -> ast.If | None:
    """A module-level ``if``/``elif``/``else`` chain after ``found`` (before ``limit``) that binds ``name`` on each of
    its paths (or raises there) with plain assignments only: copied whole, it binds what Airflow's import bound."""
    start = (found.lineno, found.col_offset) if found is not None else (0, 0)
    chains = [
        stmt
        for stmt in body
        if isinstance(stmt, ast.If)
        and (stmt.lineno, stmt.col_offset) > start
        and (limit is None or (stmt.lineno, stmt.col_offset) < limit)
        and name in _branch_names(stmt)
    ]
    last = chains[-1] if chains else None
    return last if last is not None and _assigns_names(last) and _binds_on_every_path([last], name) else None


def _binds_on_every_path(block: list[ast.stmt], name: str) -> bool:
    """Does every way through ``block`` bind ``name`` (or raise before going on)?"""
    for stmt in block:
        if name in _bound_by(stmt) or isinstance(stmt, ast.Raise):
            return True
        if isinstance(stmt, ast.If) and all(_binds_on_every_path(b, name) for b in (stmt.body, stmt.orelse)):
            return True
    return False


def _branch_names(stmt: ast.stmt) -> set[str]:
    """The names the branches of an ``if`` statement bind (any of them)."""
    if not isinstance(stmt, ast.If):
        return set()
    return {n for block in (stmt.body, stmt.orelse) for inner in block for n in _bound_by(inner) | _branch_names(inner)}


def _assigns_names(stmt: ast.stmt) -> bool:
    """An assignment to names only, or an ``if`` chain of those (and of ``raise``, ``pass``, docstrings)."""
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        return _binds_names_only(stmt)
    if isinstance(stmt, ast.If):
        plain = (ast.Raise, ast.Pass)
        return all(
            isinstance(inner, plain)
            or (isinstance(inner, ast.Expr) and isinstance(inner.value, ast.Constant))
            or _assigns_names(inner)
            for block in (stmt.body, stmt.orelse)
            for inner in block
        )
    return False


def _binds_names_only(stmt: ast.Assign | ast.AnnAssign) -> bool:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    return all(
        isinstance(node, (ast.Name, ast.Tuple, ast.List, ast.Starred, ast.Store))
        for target in targets
        for node in ast.walk(target)
    )


def _is_definition(stmt: ast.stmt) -> bool:
    return isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom))


def _indentable(stmt: ast.stmt) -> bool:
    """Can ``stmt`` be copied into a function's body (each line indented) unchanged: no multi-line string but a
    docstring (whose indentation changes nothing the code does)?"""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(stmt)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    for node in ast.walk(stmt):
        text = isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))
        if text and node.end_lineno != node.lineno and id(node) not in docstrings:
            return False
    return True


def _literal_source(value: object) -> str:
    """Python source for a plain literal value (str, number, bool, None, and lists/tuples/dicts of them)."""
    return repr(value)


def is_plain_literal(value: object) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return not isinstance(value, float) or value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, (list, tuple)):
        return all(is_plain_literal(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, (str, int)) and is_plain_literal(v) for k, v in value.items())
    return False


def _blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    blocks = [getattr(stmt, name) for name in ("body", "orelse", "finalbody") if getattr(stmt, name, None)]
    for handler in getattr(stmt, "handlers", []) or []:
        blocks.append(handler.body)
    return blocks


def _flatten(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements of one scope, with-blocks and try-blocks opened (they do not make a scope)."""
    result = []
    for stmt in body:
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            result.extend(_flatten(stmt.body))
        elif isinstance(stmt, ast.Try):
            result.extend(_flatten(stmt.body))  # the import the try body makes is the one that runs first
        elif isinstance(stmt, ast.If):
            # `if is_venv_installed(): from airflow.decorators import task`: Airflow imports are never copied (their
            # names are bound to the support code), so knowing them is safe; other statements of a branch are not
            # taken out of their condition.
            result.extend(s for block in (stmt.body, stmt.orelse) for s in _flatten(block) if _imports_airflow(s))
            if _type_checking(stmt.test):
                # `if TYPE_CHECKING: from sqlalchemy.engine import Engine` for a `-> "Engine"` annotation: copied as a
                # plain import (the annotation needs the name bound; importing it changes nothing the code does).
                result.extend(s for s in stmt.body if isinstance(s, (ast.Import, ast.ImportFrom)))
        else:
            result.append(stmt)
    return result


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _lazy_annotations(tree: ast.Module) -> bool:
    """Does the module start with ``from __future__ import annotations``?"""
    return any(
        isinstance(stmt, ast.ImportFrom)
        and stmt.module == "__future__"
        and any(a.name == "annotations" for a in stmt.names)
        for stmt in tree.body
    )


def _imports_airflow(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.ImportFrom):
        return not stmt.level and (stmt.module or "").split(".")[0] == "airflow"
    return isinstance(stmt, ast.Import) and all(a.name.split(".")[0] == "airflow" for a in stmt.names)


def _bound_by(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    if isinstance(stmt, ast.Import):
        return {a.asname or a.name.split(".")[0] for a in stmt.names}
    if isinstance(stmt, ast.ImportFrom):
        return {a.asname or a.name for a in stmt.names if a.name != "*"}
    if isinstance(stmt, ast.Assign):  # `os.environ["X"] = ...` stores into os, it does not bind it
        return {
            n.id for t in stmt.targets for n in ast.walk(t) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
    if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) and isinstance(stmt.target, ast.Name):
        return {stmt.target.id}
    return set()


# A name the module the code comes from never binds (no import, assignment, definition, star import): the copy
# binds it to a stand-in raising the NameError Airflow raises (support/runtime.py's never_bound).
NEVER_BOUND = "<never bound>:"
NEVER_BOUND_NOTE = " (its module never binds it: Airflow fails with a NameError too when that code is reached)"


def _binds_anywhere(body: list[ast.stmt], name: str) -> bool:
    """Whether any statement of a module (at any depth) binds ``name``, or a star import might."""
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)) and node.id == name:
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
        if isinstance(node, ast.alias) and (node.name == "*" or (node.asname or node.name.split(".")[0]) == name):
            return True
        if isinstance(node, ast.arg) and node.arg == name:
            return True
        if isinstance(node, ast.ExceptHandler) and node.name == name:
            return True
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return True
        if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name == name:
            return True
        if isinstance(node, ast.MatchMapping) and node.rest == name:
            return True
    return False


def _free_names(stmt: ast.stmt, *, strings: bool = True) -> set[str]:
    """Names a statement reads that it does not bind itself (an over-approximation of Python's scoping); with
    ``strings``, the names of its annotations written as strings too."""
    loaded: set[str] = set()
    stored: set[str] = set()
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        args = stmt.args
        for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
            if a is not None:
                stored.add(a.arg)
        outside = [*args.defaults, *[d for d in args.kw_defaults if d is not None]]
        # Annotations are evaluated when the function is defined (`x: Optional[int]`, `-> Any`): they need names too.
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        outside += [a.annotation for a in every if a is not None and a.annotation is not None]
        if stmt.returns is not None:
            outside.append(stmt.returns)
        inside: list[ast.AST] = list(stmt.body)
    elif isinstance(stmt, ast.ClassDef):
        outside = [*stmt.bases, *[k.value for k in stmt.keywords]]
        inside = list(stmt.body)
    else:
        outside, inside = [stmt], []
    for root in inside:
        for node in ast.walk(root):
            if isinstance(node, ast.Name):
                (stored if isinstance(node.ctx, (ast.Store, ast.Del)) else loaded).add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                stored.add(node.name)
                if not isinstance(node, ast.ClassDef):
                    a = node.args
                    stored.update(x.arg for x in a.posonlyargs + a.args + a.kwonlyargs if x is not None)
                    stored.update(x.arg for x in (a.vararg, a.kwarg) if x is not None)
            elif isinstance(node, ast.Lambda):
                a = node.args
                stored.update(x.arg for x in a.posonlyargs + a.args + a.kwonlyargs)
                stored.update(x.arg for x in (a.vararg, a.kwarg) if x is not None)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                stored.update(al.asname or al.name.split(".")[0] for al in node.names)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                stored.add(node.name)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                stored.difference_update(node.names)
    for root in outside:
        for node in ast.walk(root):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                loaded.add(node.id)
    if strings:
        loaded |= _string_annotation_names(stmt)
    return (loaded - stored) - BUILTIN_NAMES


def _string_annotation_names(stmt: ast.stmt) -> set[str]:
    """Names of the annotations written as strings (``-> "Engine"``, a name imported under ``TYPE_CHECKING``):
    the copied code must bind them too, or the copy holds an undefined name (ruff's F821)."""
    annotations: list[ast.expr] = []
    for node in ast.walk(stmt):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = node.args
            every = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
            annotations += [x.annotation for x in every if x is not None and x.annotation is not None]
            annotations += [node.returns] if node.returns is not None else []
        elif isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
    names: set[str] = set()
    for annotation in annotations:
        for node in ast.walk(annotation):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                try:
                    parsed = ast.parse(node.value.strip(), mode="eval")
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    continue
                names |= {n.id for n in ast.walk(parsed) if isinstance(n, ast.Name)}
    return names


def _xcom_pulls(node: ast.AST):
    """The ``….xcom_pull(...)`` calls inside ``node``."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and inner.func.attr == "xcom_pull":
            yield inner


def _pulled_task_ids(call: ast.Call) -> list[str]:
    """The task ids one ``xcom_pull`` names (``task_ids=`` or its first argument); "?" when not a literal."""
    target = next((k.value for k in call.keywords if k.arg == "task_ids"), call.args[0] if call.args else None)
    try:
        value = ast.literal_eval(target) if target is not None else None
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        value = None
    return [item if isinstance(item, str) else "?" for item in (value if isinstance(value, (list, tuple)) else [value])]


def _context_uses(node: ast.AST) -> tuple[tuple[str, ...], bool]:
    """Task ids pulled with ``xcom_pull`` ("?" when not literal) and whether ``dag_run.conf`` is read."""
    reads_conf = any(isinstance(inner, ast.Attribute) and inner.attr == "conf" for inner in ast.walk(node))
    pulls = {task_id for call in _xcom_pulls(node) for task_id in _pulled_task_ids(call)}
    return tuple(sorted(pulls)), reads_conf


def keyed_pulls(node: ast.AST) -> tuple[str, ...]:
    """``<task id>:<key>`` for each ``xcom_pull`` under a key other than the return value's ("?" for a task id or
    a key that is not a literal). An asset's value is its task's return value: nothing else reaches a downstream
    asset, so such a pull would fail where Airflow's succeeds."""
    found: set[str] = set()
    for call in _xcom_pulls(node):
        key = next((k.value for k in call.keywords if k.arg == "key"), call.args[2] if len(call.args) > 2 else None)
        if key is None or (isinstance(key, (ast.Name, ast.Attribute)) and _last_name(key) == "XCOM_RETURN_KEY"):
            continue
        written = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else "?"
        if written != "return_value":
            found.update(f"{task_id}:{written}" for task_id in _pulled_task_ids(call))
    return tuple(sorted(found))


def _last_name(node: ast.Name | ast.Attribute) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr


def _import_time_statements(body: list[ast.stmt]):
    """The statements of a module body that run when it is imported: into ``if``/``try``/``with`` blocks, not into
    functions or classes, nor under ``if TYPE_CHECKING:``."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If):
            test = stmt.test
            if not (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") and not (
                isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
            ):
                yield from _import_time_statements(stmt.body)
            yield from _import_time_statements(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            for block in (stmt.body, *(h.body for h in stmt.handlers), stmt.orelse, stmt.finalbody):
                yield from _import_time_statements(block)
        elif isinstance(stmt, ast.With):
            yield from _import_time_statements(stmt.body)


def _absolute_module(stmt: ast.ImportFrom, module: str) -> str:
    if not stmt.level:
        return stmt.module or ""
    parts = module.split(".")[: -stmt.level]
    return ".".join(parts + ([stmt.module] if stmt.module else []))


def _imported_name(stmt: ast.Import | ast.ImportFrom, name: str, module: str) -> str:
    if isinstance(stmt, ast.ImportFrom):
        base = _absolute_module(stmt, module)
        for alias in stmt.names:
            if (alias.asname or alias.name) == name:
                return f"{base}.{alias.name}"
        return base
    for alias in stmt.names:
        if alias.asname == name:
            return alias.name
        if alias.name.split(".")[0] == name:
            return name
    return name


def _all_names(tree: ast.Module) -> set[str] | None:
    """The literal ``__all__`` of a module (what its star import binds), None when it has none."""
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in stmt.targets):
            try:
                return {str(n) for n in ast.literal_eval(stmt.value)}
            except (ValueError, TypeError, SyntaxError):
                return set()
    return None


def _refusal(unresolved: list[str], airflow: dict[str, str], third_party: list[str], odd: list[str]) -> str:
    """What an argument's code needs that the logic cannot give it, in a few words (the plan's reason names it)."""
    needs = []
    apis = sorted({q for q in airflow.values() if not q.endswith(".Variable")})
    if apis:
        needs.append("Airflow's " + ", ".join(apis[:3]) + (" ..." if len(apis) > 3 else ""))
    if unresolved:
        names = sorted(set(unresolved))
        needs.append("names the file does not bind: " + ", ".join(names[:3]) + (" ..." if len(names) > 3 else ""))
    if third_party:
        needs.append(f"third-party code run at import that cannot move into it: {_first_line(third_party[0])}")
    if odd:
        needs.append(f"a value filled in place: {_first_line(odd[0])}")
    return "; ".join(needs)


def _first_line(source: str) -> str:
    """The first code line of copied source (after its ``# from <file>`` comment), at most 60 characters."""
    lines = [line for line in source.splitlines() if line.strip() and not line.startswith("#")]
    return f"{lines[0][:60]!r}" if lines else "?"
