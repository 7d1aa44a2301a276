"""The estate's own code for the scan: its modules found on Airflow's ``sys.path``, read with ``ast``, never run.

A DAG file imports the estate's modules (``from common import MessageOperator``, ``from plugins.ops import
X``, Airflow 1.x plugin operators as ``from airflow.operators import X``). ``EstateModules`` finds them under the
folders Airflow would put on ``sys.path`` — the scanned file's folder and its parents up to the scanned root
(one of them is the DAGs folder), the ``plugins/`` folders — and never in installed packages. Each module is
read once per process (by path and content hash) and interpreted by the same scanner as a DAG file
(``EstateSemantics.load_home``); its functions then run as same-file helpers do, in their own module's names.

``EstateSemantics`` is the part of ``FileScanner`` that does this, and resolves an operator class the estate
defines to its bases: a subclass of a known operator (its ``__init__`` run to find the arguments the base
receives), a ``BaseOperator`` / ``BaseSensorOperator`` subclass, or a class the scan cannot see the base of. Each
class becomes an ``ir.EstateClass`` record; the rules decide what it means (``rules/estate.py``).
"""

from __future__ import annotations

import ast
import contextlib
import copy
import dataclasses
import hashlib
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from converters.inventory import ir
from converters.inventory.callables import (
    NEVER_BOUND,
    NEVER_BOUND_NOTE,
    CodeSources,
    LogicExtractor,
    _absolute_module,
    _bound_by,
    _context_uses,
    is_plain_literal,
)
from converters.inventory.literals import MAX_CALL_DEPTH
from converters.inventory.operators import named_like_operator, resolve_operator
from converters.inventory.values import (
    CustomOperator,
    EstateHome,
    Helper,
    MethodRef,
    Qual,
    SelfRef,
    SuperRef,
    TaskRef,
    Unknown,
    _LimitReached,
    _Return,
)

MAX_MODULE_DEPTH = 6  # estate modules importing estate modules: deeper chains are left as imports
MAX_MODULE_BYTES = 2 * 1024 * 1024
MAX_PLUGIN_FILES = 500
NOT_HANDLED = object()

BASE_OPERATOR = "airflow.models.baseoperator.BaseOperator"
BASE_SENSOR = "airflow.sensors.base.BaseSensorOperator"
# Methods through which a subclass changes what its base operator does at run time.
RUN_TIME_METHODS = (
    "execute",
    "pre_execute",
    "post_execute",
    "poke",
    "on_kill",
    "render_template",
    "render_template_fields",
    "get_template_env",
    "prepare_template",
    "resolve_template_files",
    "get_hook",
    "get_db_hook",
    "hook",
    "execute_complete",
)
_SKIPPED_TOPS = frozenset(sys.stdlib_module_names) | {"airflow", "__future__"}
# The mark, in a copied class's ``unresolved``, of an estate module imported inside a method that imports Airflow.
LOCAL_AIRFLOW_IMPORT = " (imported inside a method; it imports Airflow)"


class EstateModules:
    """The estate's modules under one scanned root: found, read and interpreted once per process."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.homes: dict[tuple[str, str], EstateHome | None] = {}  # (relative path, sha256) -> interpreted module
        # (relative path, sha256, line, class) -> the class copied on its own, and the modules its copy read
        self.copied_classes: dict[tuple[str, str, int, str], tuple[ir.EstateLogic | None, dict[str, str]]] = {}
        self.loading: set[str] = set()  # relative paths being interpreted (an import cycle stops there)
        self._found: dict[tuple[str, str], tuple[Path, str] | None] = {}
        self._plugins: dict[str, tuple[Path, str]] | None = None
        self._plugin_folders: list[Path] | None = None
        self._shallow: list[Path] | None = None

    def search_folders(self, importer: str) -> list[Path]:
        """Where ``import x`` looks from the scanned file ``importer``: its folder and parents, then plugins/,
        then the folders one or two levels below the root (a repository's ``airflow/`` or ``src/`` folder is
        often the DAGs folder of its deployment, with the DAG files kept elsewhere)."""
        folder = (self.root / importer).parent
        chain = [folder, *folder.parents]
        inside = [f for f in chain if f == self.root or self.root in f.parents]
        rest = [p for p in [*self.plugin_folders(), *self.shallow_folders()] if p not in inside]
        return inside + list(dict.fromkeys(rest))

    def plugin_folders(self) -> list[Path]:
        if self._plugin_folders is None:
            found = []
            for depth in ("plugins", "*/plugins", "*/*/plugins"):
                found.extend(sorted(p for p in self.root.glob(depth) if p.is_dir()))
            self._plugin_folders = found
        return self._plugin_folders

    def shallow_folders(self) -> list[Path]:
        if self._shallow is None:
            found = []
            for depth in ("*", "*/*"):
                found.extend(sorted(p for p in self.root.glob(depth) if p.is_dir() and _may_be_on_path(p, self.root)))
            self._shallow = found
        return self._shallow

    def find(self, module: str, importer: str) -> tuple[Path, str] | None:
        """The file of ``module`` in the estate (and the module name it has there), or None."""
        if not module or module.split(".")[0] in _SKIPPED_TOPS:
            return None
        key = (module, str((self.root / importer).parent))
        if key not in self._found:
            self._found[key] = self._search(module, importer)
        return self._found[key]

    def _search(self, module: str, importer: str) -> tuple[Path, str] | None:
        relative = Path(*module.split("."))
        for folder in self.search_folders(importer):
            for candidate in (folder / relative.with_suffix(".py"), folder / relative / "__init__.py"):
                with contextlib.suppress(OSError):
                    if candidate.is_file() and candidate.stat().st_size <= MAX_MODULE_BYTES:
                        return candidate, module
        return None

    def plugin_class(self, name: str) -> tuple[Path, str] | None:
        """An Airflow 1.x plugin's operator or sensor: ``AirflowPlugin.operators`` lists put it in ``airflow.*``."""
        if self._plugins is None:
            self._plugins = {}
            files = [f for folder in self.plugin_folders() for f in sorted(folder.rglob("*.py"))]
            for path in files[:MAX_PLUGIN_FILES]:
                for listed, plugin_name in _plugin_listing(path):
                    self._plugins.setdefault(listed, (path, plugin_name))
        return self._plugins.get(name)

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


_NOT_ON_PATH = frozenset({"__pycache__", "node_modules", "venv", "site-packages", "tests", "test", "docs"})


def _may_be_on_path(folder: Path, root: Path) -> bool:
    parts = folder.relative_to(root).parts
    return not any(p.startswith(".") or p in _NOT_ON_PATH for p in parts)


def _plugin_listing(path: Path) -> list[tuple[str, str]]:
    """The classes an ``AirflowPlugin`` subclass in ``path`` lists in ``operators``/``sensors`` (and its name)."""
    try:
        raw = path.read_bytes()
        if b"AirflowPlugin" not in raw or len(raw) > MAX_MODULE_BYTES:
            return []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(raw)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    for stmt in tree.body:
        if not isinstance(stmt, ast.ClassDef):
            continue
        if not any(ast.unparse(b).endswith("AirflowPlugin") for b in stmt.bases):
            continue
        plugin_name, listed = "", []
        for item in stmt.body:
            if isinstance(item, ast.Assign) and len(item.targets) == 1 and isinstance(item.targets[0], ast.Name):
                target = item.targets[0].id
                if target == "name" and isinstance(item.value, ast.Constant) and isinstance(item.value.value, str):
                    plugin_name = item.value.value
                if target in {"operators", "sensors"} and isinstance(item.value, (ast.List, ast.Tuple)):
                    listed.extend(e.id for e in item.value.elts if isinstance(e, ast.Name))
        return [(name, plugin_name) for name in listed]
    return []


class EstateSemantics:
    """The estate half of ``FileScanner``: imports resolved into estate modules, and the estate's operator classes.

    It uses the interpreter's ``eval``, ``exec_block``, ``diag``... through ``self``; ``estate`` is None when a
    text is scanned alone (``scan_source`` without a root): then only same-file classes are resolved.
    """

    estate: EstateModules | None = None
    home: EstateHome | None = None  # the estate module this scanner interprets (None: a DAG file)
    origin: str = ""  # the DAG file whose scan this is (its folder decides where imports are looked up)
    module_depth: int = 0
    constructing: SuperRef | None = None
    cut_short = False  # an import cycle (or too deep a chain) was cut while this scanner ran

    def estate_init(self) -> None:
        self.origin = self.origin or self.path
        self.homes_used: dict[str, str] = {}
        self.estate_classes: dict[str, ir.EstateClass] = {}
        self.estate_logic: dict[str, ir.EstateLogic] = {}  # another module's BaseOperator subclass, copied alone

    # -- modules --------------------------------------------------------------------------------------------
    def estate_value(self, qualified: str, node: ast.AST | None = None) -> Any:
        """What ``qualified`` (an imported name) is in the estate's own code, or None (it stays a ``Qual``)."""
        if self.estate is None or "." not in qualified:
            return None
        module, _, attr = qualified.rpartition(".")
        if module in {"airflow.operators", "airflow.sensors"} or (
            module.startswith(("airflow.operators.", "airflow.sensors.")) and module.count(".") == 2
        ):
            return self._plugin_value(module, attr, node)
        home = self.load_home(module, node)
        if home is None or attr not in home.env:
            return None
        return self._importable(home.env[attr], home, qualified)

    def _plugin_value(self, module: str, attr: str, node: ast.AST | None) -> Any:
        found = self.estate.plugin_class(attr) if self.estate else None
        if found is None:
            return None
        path, plugin_name = found
        if module.count(".") == 2 and module.rsplit(".", 1)[1] != plugin_name:
            return None  # airflow.operators.<plugin name>.X: another plugin's
        home = self._load_path(path, _module_for(self.estate, path), node)  # type: ignore[arg-type]
        value = home.env.get(attr) if home else None
        return self._importable(value, home, f"{module}.{attr}") if home and value is not None else None

    def _importable(self, value: Any, home: EstateHome, qualified: str) -> Any:
        if isinstance(value, CustomOperator):
            return value
        if isinstance(value, Helper):
            return value if value.home is not None else Helper(value.node, home)
        if isinstance(value, Qual):
            return value
        if is_plain_literal(value):
            return copy.deepcopy(value)  # the importer may append to it: the module's own value stays
        if (
            isinstance(value, ir.CallValue)
            and value.name.endswith(".Secret")
            and is_plain_literal([value.args, value.kwargs])
        ):
            return value  # a Kubernetes Secret record naming literal names (rules/pods.py reads it)
        if _data_with_unknowns(value):
            # Settings shared by DAG files (`shared_dag_kwargs = {"schedule": "@once", "start_date":
            # pendulum.now(), "user_defined_filters": {"h": h}}`) keep their known parts; the rest stays unknown.
            return _copy_containers(value, home, qualified)
        if isinstance(value, Unknown) and qualified.rsplit(".", 1)[-1].endswith(("Operator", "Sensor")):
            # A name bound to an operator class chosen when the module is imported (`X = A if env else B`).
            record = ir.EstateClass(qualified, ir.SourceRef(home.path, 0), kind="runtime", notes=(value.source,))
            return CustomOperator(qualified, "estate", "", record, None, home)
        return None

    def load_home(self, module: str, node: ast.AST | None = None) -> EstateHome | None:
        if self.estate is None:
            return None
        found = self.estate.find(module, self.origin)
        if found is None:
            return None
        path, name = found
        return self._load_path(path, name, node)

    def _load_path(self, path: Path, module: str, node: ast.AST | None) -> EstateHome | None:
        estate = self.estate
        assert estate is not None
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            self.diag(node, "A2D105", f"estate module {module} ({path.name}) cannot be read: {exc}", "warning")
            return None
        relative = estate.relative(path)
        sha = hashlib.sha256(raw).hexdigest()
        self.homes_used[relative] = sha
        key = (relative, sha)
        if key in estate.homes:
            home = estate.homes[key]
            if home is not None:
                self.homes_used.update(home.uses)
            return home
        if relative in estate.loading or self.module_depth >= MAX_MODULE_DEPTH:
            self.cut_short = True  # what this scan reads now depends on the order of loading: not cached
            return None  # an import cycle, or a chain too deep: the names stay imports
        scanner_module = module + (".__init__" if path.name == "__init__.py" else "")
        home = EstateHome(relative, text, module, {}, sha)
        sub = type(self)(relative, text, scanner_module)  # type: ignore[call-arg]
        sub.estate, sub.home, sub.origin, sub.module_depth = estate, home, self.origin, self.module_depth + 1
        sub.root = self.root  # an estate loader may read the estate's YAML/JSON like a DAG file
        sub.estate_init()
        estate.loading.add(relative)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(text, filename=relative)
            sub.run(tree)
        except SyntaxError as exc:
            self.diag(node, "A2D105", f"estate module {relative} does not parse: {exc.msg} (line {exc.lineno})")
            estate.homes[key] = None
            return None
        except (_LimitReached, RecursionError, MemoryError, ValueError) as exc:
            self.diag(node, "A2D105", f"estate module {relative} could not be read to the end ({type(exc).__name__})")
        except Exception as exc:  # noqa: BLE001 - an analyser bug in one estate module must not stop the scan
            self.diag(node, "A2D999", f"internal analyser error in estate module {relative} ({exc}); please report")
        finally:
            estate.loading.discard(relative)
        home.env = getattr(sub, "module_env", {})
        home.uses = dict(sub.homes_used)
        self.homes_used.update(sub.homes_used)
        if sub.cut_short:
            self.cut_short = True
        else:
            estate.homes[key] = home
        return home

    @contextlib.contextmanager
    def in_home(self, home: EstateHome | None) -> Iterator[None]:
        """Run code of ``home`` (an estate module) with its names, its path in diagnostics, and no copied logic."""
        if home is None:
            yield
            return
        saved = (self.path, self.text, self._lines, self.module, self.module_env, self.logic)
        self.path, self.text, self._lines, self.module = home.path, home.text, None, home.module
        self.module_env, self.logic = home.env, None
        try:
            yield
        finally:
            self.path, self.text, self._lines, self.module, self.module_env, self.logic = saved

    # -- classes --------------------------------------------------------------------------------------------
    def resolve_class(self, node: ast.ClassDef, env: dict[str, Any]) -> CustomOperator | None:
        """An operator class of the estate, resolved to its Airflow base; None for any other class."""
        module = self.module.removesuffix(".__init__")
        qualified = f"{module}.{node.name}"
        for base in node.bases:
            value = self.eval(base, env)
            if isinstance(value, Qual):
                value = self.estate_value(value.name, node) or value
            parent, chain = None, ()
            if isinstance(value, CustomOperator):
                kind = value.record.kind if value.record else "subclass"
                parent, airflow, family = value, value.base, value.family
                chain = (value.qualified, *(value.record.bases if value.record else ()))
            elif isinstance(value, Qual):
                kind, airflow, family = _airflow_base(value.name)
                if not kind:
                    continue  # a mixin, or a class that is no operator
                chain = (airflow,)
            else:
                continue
            record = ir.EstateClass(
                qualified=qualified,
                source=ir.SourceRef(self.path, node.lineno, node.col_offset),
                bases=chain,
                base_operator=airflow if kind == "subclass" else "",
                family=family,
                kind=kind,
                overrides=_methods(node, parent),
                calls_super=_calls_super(node, parent),
                attributes=_class_attributes(node, parent),
                notes=tuple(
                    dict.fromkeys(self._uses(node, env) + (parent.record.notes if parent and parent.record else ()))
                ),
            )
            return CustomOperator(qualified, family, airflow, record, node, self.home, parent)
        return None

    def operator_choice(self, node: ast.IfExp, name: str, env: dict[str, Any]) -> CustomOperator | None:
        """``Op = A if condition else B`` over operator classes: a class chosen when the module is imported."""
        if not (self.builds_nothing(node.body, env) and self.builds_nothing(node.orelse, env)):
            return None  # a branch that creates a task is not run because the other one might be
        branches = [self.eval(branch, env) for branch in (node.body, node.orelse)]
        return self.class_choice(name, node, node.test, branches, env)

    def class_choice(
        self, name: str, node: ast.AST, test: ast.expr, branches: list, env: dict[str, Any]
    ) -> CustomOperator | None:
        """``name`` bound to one of two operator classes by ``test`` (``A if test else B``, or ``if test:`` binding
        it in both branches), which the scan cannot decide: a ``runtime`` record naming both, the class taken when
        ``test`` holds first, ``notes`` the choice as written and its condition."""
        if not all(isinstance(b, (CustomOperator, Qual)) for b in branches):
            return None
        names = [b.qualified if isinstance(b, CustomOperator) else b.name for b in branches]
        if not all(n.rsplit(".", 1)[-1].endswith(("Operator", "Sensor")) for n in names) or names[0] == names[1]:
            return None
        qualified = f"{self.module.removesuffix('.__init__')}.{name}"
        source = ir.SourceRef(self.path, node.lineno, node.col_offset)  # type: ignore[attr-defined]
        written = self.src(node) if isinstance(node, ast.IfExp) else f"{names[0]} if {self.src(test)} else {names[1]}"
        record = ir.EstateClass(qualified, source, tuple(names), kind="runtime", notes=(written, self.src(test)))
        condition = (test, self.current_stmt, env)
        return CustomOperator(qualified, "estate", "", record, None, self.home, None, tuple(branches), condition)

    def _uses(self, node: ast.ClassDef, env: dict[str, Any]) -> tuple[str, ...]:
        """The imported names (hooks, Airflow APIs, estate modules) the class's methods read."""
        names = sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)})
        bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
        uses = []
        for name in names:
            value = env.get(name)
            if isinstance(value, Qual) and value.name.rsplit(".", 1)[-1].endswith(("Hook", "Variable", "Connection")):
                uses.append(f"uses {value.name}")
            elif isinstance(value, CustomOperator) and name not in bases:
                uses.append(f"uses {value.qualified}")
        return tuple(uses)

    # -- tasks of estate classes ----------------------------------------------------------------------------
    def estate_call(self, node: ast.Call, func: Any, args: list, kwargs: dict) -> Any:
        """Calls that mean something for estate classes: ``super()``, ``Base.__init__(...)``, ``EstateOp(...)``."""
        if isinstance(func, SuperRef):
            return func
        if self.constructing is not None and (
            (isinstance(func, MethodRef) and func.attr == "__init__")
            or (isinstance(func, Qual) and func.name.endswith(".__init__"))
        ):
            self.constructing.calls.append(dict(kwargs))
            return None
        if isinstance(func, CustomOperator):
            return self.create_estate_task(node, func, kwargs)
        return NOT_HANDLED

    def create_estate_task(self, node: ast.Call, cls: CustomOperator, kwargs: dict) -> Any:
        record = cls.record or ir.EstateClass(cls.qualified, ir.SourceRef(self.path, 0), family=cls.family)
        arguments = kwargs
        if record.kind == "subclass":
            env = self.call_env  # the names the call saw (carried code is built over them), not the __init__'s
            arguments = self.construct(node, cls, kwargs)
            self.call_env = env
            if "task_id" not in arguments and "task_id" in kwargs:
                arguments = {**arguments, "task_id": kwargs["task_id"]}
        # Only an argument the base receives as the call wrote it may be carried as the call's code.
        as_written = {k for k, v in arguments.items() if kwargs.get(k) is v}
        outer, self.carry_only = getattr(self, "carry_only", None), as_written
        try:
            ref = self.create_task(node, cls.qualified, arguments, canonical=(cls.qualified, cls.family))
        finally:
            self.carry_only = outer
        if record.kind == "runtime" and cls.alternatives:
            record = self.choose_class(cls, record)
        self.estate_classes[record.qualified] = record
        self.copy_runnable(cls)
        if isinstance(ref, TaskRef) and record.base_operator:
            task = ref.dag.tasks[ref.task_id]
            ref.dag.tasks[ref.task_id] = dataclasses.replace(task, base_operator=record.base_operator)
        unread = self._unread_arguments(node)
        if isinstance(ref, TaskRef) and unread:
            task = ref.dag.tasks[ref.task_id]
            ref.dag.tasks[ref.task_id] = dataclasses.replace(task, unread_arguments=unread)
        return ref

    def _unread_arguments(self, node: ast.Call) -> tuple[str, ...]:
        """What a call passes that its recorded arguments do not hold: positional arguments, ``**`` of a value the
        scan cannot read as a mapping (a name or attribute is looked up again; anything else is not evaluated)."""
        unread = [self.src(a) for a in node.args]
        for keyword in node.keywords:
            if keyword.arg is not None:
                continue
            if isinstance(keyword.value, ast.Dict) and None not in keyword.value.keys:
                continue  # its keys are written in the call
            readable = isinstance(keyword.value, (ast.Name, ast.Attribute))
            value = self.eval(keyword.value, self.call_env) if readable else None
            if not isinstance(value, dict):
                unread.append(f"**{self.src(keyword.value)}")
        return tuple(unread)

    def copy_runnable(self, cls: CustomOperator) -> None:
        """Copy a class whose own ``execute()`` may run on the Dagster side (rules/estate.py decides): a
        ``BaseOperator`` subclass, or a subclass of a known operator replacing its ``execute()`` without an
        ``__init__`` of its own, of another module (its base may have a Dagster-side equivalent to build it on; in
        the DAG file's logic a base without one would stop that logic from importing). A class of the DAG file goes
        into the file's logic; another module's is copied alone, rendered only for a task the rules translate."""
        record, node = cls.record, cls.node
        if record is None or node is None:
            return
        replaces = record.kind == "subclass" and "execute" in record.overrides and "execute" not in record.calls_super
        if not (record.kind == "base_operator" or (replaces and cls.home is not None and not _has_init(cls))):
            return
        if cls.home is None and self.logic is not None:
            copy_class(self.logic, node)
        elif cls.home is not None and self.home is None:
            self.copy_estate_class(cls, record)

    def choose_class(self, cls: CustomOperator, record: ir.EstateClass) -> ir.EstateClass:
        """A task of a class chosen when its module is imported: each alternative recorded (and copied) as its own
        task would have it, and the condition carried as code the asset runs to choose (``ir.EstateLogic`` under
        the chosen name: its own logic module, or the file's carried code for a choice the DAG file makes). The
        record notes the alternatives whose ``__init__`` rebuilds the arguments their Airflow base receives."""
        rebuilt = []
        for alternative in cls.alternatives:
            if not isinstance(alternative, CustomOperator) or alternative.record is None:
                continue
            self.estate_classes[alternative.record.qualified] = alternative.record
            self.copy_runnable(alternative)
            if alternative.record.kind == "subclass" and _has_init(alternative):
                rebuilt.append(alternative.qualified)
        if rebuilt:
            record = dataclasses.replace(record, notes=(*record.notes, "rebuilds its arguments: " + ", ".join(rebuilt)))
        if record.qualified in self.estate_logic or len(cls.condition) != 3:
            return record
        test, stmt, env = cls.condition
        source = ir.SourceRef(record.source.file, test.lineno, test.col_offset)
        if cls.home is None and self.logic is not None and self.home is None:
            short = record.qualified.rsplit(".", 1)[-1]
            name = self.carry_code(f"{short}_choice", test, stmt, env)
            missing = () if name else (self.logic.refusal or "code the scan could not carry",)
            copied = ir.Callable(name=name or "", source=source, unresolved=missing)
            self.estate_logic[record.qualified] = ir.EstateLogic(record.qualified, self.path, copied)
        elif cls.home is not None and self.home is None and self.estate is not None and stmt is not None:
            home, estate = cls.home, self.estate
            key = (home.path, home.sha256, test.lineno, f"{record.qualified} choice")
            if key not in estate.copied_classes:
                estate.copied_classes[key] = _copy_condition(estate, home, test, stmt, record.qualified)
            copied_choice, read = estate.copied_classes[key]
            if copied_choice is not None:
                self.estate_logic[record.qualified] = copied_choice
                sources = getattr(self, "code_sources", None)
                if sources is not None:
                    sources.read.update(read)
        return record

    def copy_estate_class(self, cls: CustomOperator, record: ir.EstateClass) -> None:
        """Copy a class of an estate module, with its bases and what they need, apart from the file's logic: only
        the tasks the rules then run put it into the generated code (a logic module of its own)."""
        home, node, estate = cls.home, cls.node, self.estate
        if record.qualified in self.estate_logic or home is None or node is None or estate is None:
            return
        key = (home.path, home.sha256, node.lineno, node.name)
        if key not in estate.copied_classes:
            estate.copied_classes[key] = _copy_alone(estate, home, node, record.qualified)
        copied, read = estate.copied_classes[key]
        if copied is not None:
            self.estate_logic[record.qualified] = copied
            sources = getattr(self, "code_sources", None)
            if sources is not None:
                sources.read.update(read)

    def construct(self, node: ast.Call, cls: CustomOperator | None, kwargs: dict) -> dict:
        """The arguments the Airflow base receives: each estate ``__init__`` of the chain run over ``kwargs``."""
        if cls is None or cls.node is None:
            return kwargs
        init = next((s for s in cls.node.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None)
        if init is None:
            return self.construct(node, cls.parent, kwargs)
        if self.depth >= MAX_CALL_DEPTH:
            self.mark_incomplete(node, "A2D232", f"{cls.qualified}.__init__ nested deeper than {MAX_CALL_DEPTH}")
            return kwargs
        receiver = SuperRef()
        with self.in_home(cls.home):
            frame = {**self.module_env, "super": receiver}
            _bind_parameters(self, init, frame, SelfRef(), kwargs)
            outer, self.constructing = self.constructing, receiver
            self.depth += 1
            try:
                self.exec_block(init.body, frame)
            except _Return:
                pass
            finally:
                self.depth -= 1
                self.constructing = outer
        if not receiver.calls:
            # The base's __init__ is never reached (or only under a condition the scan cannot decide).
            self.diag(node, "A2D106", f"{cls.qualified}.__init__ does not call its base's __init__ statically")
            return {"task_id": kwargs.get("task_id"), "$estate_init": Unknown(f"{cls.qualified}.__init__")}
        return self.construct(node, cls.parent, receiver.calls[-1])


def _bind_parameters(scanner: Any, fn: ast.FunctionDef, frame: dict, receiver: SelfRef, kwargs: dict) -> None:
    """``__init__``'s parameters from the call's keywords: defaults, ``**kwargs`` gets the rest, ``*args`` none."""
    positional = [a.arg for a in fn.args.posonlyargs + fn.args.args]
    if positional:
        frame[positional[0]] = receiver
    named = positional[1:] + [a.arg for a in fn.args.kwonlyargs]
    for name, default in zip(positional[len(positional) - len(fn.args.defaults) :], fn.args.defaults, strict=True):
        frame[name] = scanner.eval(default, frame)
    for arg, default in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True):
        frame[arg.arg] = scanner.eval(default, frame) if default is not None else Unknown(arg.arg)
    for name in named:
        if name in kwargs:
            frame[name] = kwargs[name]
        else:
            frame.setdefault(name, Unknown(name))
    if fn.args.vararg is not None:
        frame[fn.args.vararg.arg] = []
    if fn.args.kwarg is not None:
        frame[fn.args.kwarg.arg] = {k: v for k, v in kwargs.items() if k not in named and not k.startswith("$")}


def copy_class(extractor: LogicExtractor, node: ast.ClassDef) -> str:
    """Copy a class of the scanned file into its logic, with what it needs, as ``LogicExtractor.add`` copies a
    callable; its ``ir.Callable`` record (by class name) lists the names nothing binds and the Airflow names."""
    if id(node) in extractor._by_node:
        return extractor._by_node[id(node)]
    unresolved: list[str] = []
    airflow: dict[str, str] = {}
    if extractor._claim(node.name, node):
        unresolved.append(f"{node.name} (another definition of that name is already copied)")
    else:
        copied_before = id(node) in extractor.chosen
        extractor._require(node, extractor._scopes_for(node), unresolved, airflow, set())
        # A name its module never binds is bound to a stand-in raising Airflow's NameError: the copy is faithful.
        if any(not u.endswith(NEVER_BOUND_NOTE) for u in unresolved) and not copied_before:
            extractor.chosen.pop(id(node), None)  # not copied: the logic holds no undefined name
    pulls, reads_conf = _context_uses(node)
    extractor.callables.append(
        ir.Callable(
            name=node.name,
            source=ir.SourceRef("", node.lineno, node.col_offset),
            airflow_names=tuple(sorted(set(airflow.values()))),
            unresolved=tuple(sorted(set(unresolved))),
            xcom_pulls=pulls,
            reads_conf=reads_conf,
            guarded=_guarded_airflow(extractor, node, airflow),
        )
    )
    extractor._by_node[id(node)] = node.name
    return node.name


def _guarded_airflow(extractor: LogicExtractor, node: ast.ClassDef, airflow: dict[str, str]) -> tuple:
    """The Airflow names the class ``node`` reads only inside ``if`` branches of its methods whose conditions read
    only its own attributes and literals (``if self.batch_ind:``), and that nothing else copied with it reads: for
    each, the conditions around each read. Whether a branch runs is the rules' to decide for each task."""
    others = [s for s in extractor.chosen.values() if s is not node and not isinstance(s, (ast.Import, ast.ImportFrom))]
    guarded: dict[str, list[tuple[ir.BranchGuard, ...]]] = {}
    reachable: set[str] = set()
    for local, qualified in sorted(airflow.items()):
        if qualified.startswith(NEVER_BOUND) or qualified in reachable:
            continue
        read_elsewhere = any(isinstance(n, ast.Name) and n.id == local for s in others for n in ast.walk(s))
        uses = _branch_uses(node, local)
        # Read by a helper copied with it, or once outside such a branch: reachable whatever the attributes hold.
        if read_elsewhere or not uses or not all(uses):
            reachable.add(qualified)
            continue
        guarded.setdefault(qualified, []).extend(uses)
    return tuple(ir.GuardedName(name, tuple(uses)) for name, uses in sorted(guarded.items()) if name not in reachable)


_DECIDABLE = (
    ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.Compare, ast.Eq, ast.NotEq, ast.Is, ast.IsNot, ast.In,
    ast.NotIn, ast.Constant, ast.Attribute, ast.Name, ast.Load, ast.Tuple, ast.List,
)  # fmt: skip


def _attribute_test(test: ast.expr, receiver: str) -> bool:
    """Does ``test`` read nothing but ``<receiver>.<attribute>`` values and literals (``not``, ``and``, ``==``...)?"""
    nodes = list(ast.walk(test))
    attributes = [n for n in nodes if isinstance(n, ast.Attribute)]
    names = [n for n in nodes if isinstance(n, ast.Name)]
    if not attributes or not all(isinstance(n, _DECIDABLE) for n in nodes):
        return False
    if not all(isinstance(a.value, ast.Name) and a.value.id == receiver for a in attributes):
        return False
    return len(names) == len(attributes)  # each name is an attribute's receiver


def _branch_uses(cls: ast.ClassDef, name: str) -> list[tuple[ir.BranchGuard, ...]]:
    """Each read of ``name`` in the class, with the attribute conditions of the ``if`` branches around it."""
    uses: list[tuple[ir.BranchGuard, ...]] = []

    def visit(node: ast.AST, guards: tuple[ir.BranchGuard, ...], receiver: str | None) -> None:
        if isinstance(node, ast.Name) and node.id == name:
            uses.append(guards)
            return
        if isinstance(node, ast.If) and receiver is not None and _attribute_test(node.test, receiver):
            test = ast.unparse(node.test)
            for stmt in node.body:
                visit(stmt, (*guards, ir.BranchGuard(node.lineno, test, True)), receiver)
            for stmt in node.orelse:
                visit(stmt, (*guards, ir.BranchGuard(node.lineno, test, False)), receiver)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and receiver in _parameters(node):
            receiver = None  # a nested function's own `self`: another object's attributes
        for child in ast.iter_child_nodes(node):
            visit(child, guards, receiver)

    for item in cls.body:
        if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) or (receiver := _receiver(item)) is None:
            visit(item, (), None)
            continue
        for part in [item.args, *item.decorator_list, *([item.returns] if item.returns else [])]:
            visit(part, (), None)
        for stmt in item.body:
            visit(stmt, (), receiver)
    return uses


def _receiver(method: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The name of the instance in a plain method (``self``), or None: a decorated function (a static method, a
    property...), one without parameters, or one that rebinds that name."""
    positional = [a.arg for a in method.args.posonlyargs + method.args.args]
    if method.decorator_list or not positional:
        return None
    rebinds = any(
        isinstance(n, ast.Name) and n.id == positional[0] and not isinstance(n.ctx, ast.Load) for n in ast.walk(method)
    )
    return None if rebinds else positional[0]


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    arguments = node.args
    names = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
    return {a.arg for a in names if a is not None}


def _copy_alone(
    estate: EstateModules, home: EstateHome, node: ast.ClassDef, qualified: str
) -> tuple[ir.EstateLogic | None, dict[str, str]]:
    """The class ``node`` of the estate module ``home`` copied by an extractor of that module's own: its code (and
    its bases', from their modules) with what it needs, the modules it imports looked up where the scan finds them
    (plugins/ included); None when that module's text no longer holds it at module level."""
    try:
        tree = ast.parse(home.text)
    except (SyntaxError, ValueError, RecursionError):
        return None, {}
    found = next(
        (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == node.name and n.lineno == node.lineno),
        None,
    )
    if found is None:
        return None, {}  # defined in a block (an if, a function): not copied
    module = home.module + (".__init__" if home.path.endswith("__init__.py") else "")
    sources = CodeSources(estate.root, home.path, estate.search_folders(home.path))
    text = _hoist_local_imports(home.text, tree, found, module, sources)
    if text != home.text:  # the same lines, its local imports of Airflow-importing modules made module-level
        tree = ast.parse(text)
        found = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.lineno == found.lineno)
    extractor = LogicExtractor(tree, text, module, sources)
    extractor.copy_every_module = True  # its sibling modules (plugins/...) are not on the Dagster side's sys.path
    copy_class(extractor, found)
    copied = extractor.callables[-1]
    copied = dataclasses.replace(copied, source=ir.SourceRef(home.path, copied.source.line, copied.source.col))
    local = [m for m in _local_imports(found, module) if (e := sources.find(m)) is not None and e.imports_airflow]
    if local:  # the copy keeps the import; it would import Airflow when the method runs
        marked = tuple(m + LOCAL_AIRFLOW_IMPORT for m in local)
        copied = dataclasses.replace(copied, unresolved=(*copied.unresolved, *marked))
    try:
        imports, code = extractor.logic()
        compile(imports + code, home.path, "exec", dont_inherit=True)
    except Exception:  # noqa: BLE001 - odd layouts (dedent across multi-line strings...) must not stop a scan
        reason = "its code could not be copied out of its module"
        copied = dataclasses.replace(copied, unresolved=(*copied.unresolved, reason))
        imports, code = "", ""
    airflow = dict(sorted(extractor.airflow_imports.items()))
    return ir.EstateLogic(qualified, home.path, copied, imports, code, airflow), dict(sources.read)


def _copy_condition(
    estate: EstateModules, home: EstateHome, test: ast.expr, stmt: ast.stmt, qualified: str
) -> tuple[ir.EstateLogic | None, dict[str, str]]:
    """The condition choosing an operator class in the estate module ``home`` carried as code in a logic module of
    its own (``def _arg_choice(): return (<condition>)`` with what it needs from its module, as an argument's code is
    carried); a record whose callable has no name, and the reason in ``unresolved``, when it cannot be."""
    try:
        tree = ast.parse(home.text)
    except (SyntaxError, ValueError, RecursionError):
        return None, {}

    def same(node: ast.AST) -> tuple:
        return type(node), node.lineno, node.col_offset, node.end_lineno, node.end_col_offset  # type: ignore[attr-defined]

    found_test = next((n for n in ast.walk(tree) if isinstance(n, ast.expr) and same(n) == same(test)), None)
    found_stmt = next((n for n in ast.walk(tree) if isinstance(n, ast.stmt) and same(n) == same(stmt)), None)
    if found_test is None or found_stmt is None:
        return None, {}
    module = home.module + (".__init__" if home.path.endswith("__init__.py") else "")
    sources = CodeSources(estate.root, home.path, estate.search_folders(home.path))
    extractor = LogicExtractor(tree, home.text, module, sources)
    extractor.copy_every_module = True  # its sibling modules (plugins/...) are not on the Dagster side's sys.path
    name = extractor.add_expression("choice", found_test, found_stmt, lambda _: (None, None))
    source = ir.SourceRef(home.path, test.lineno, test.col_offset)
    if name is None:
        refused = ir.Callable(name="", source=source, unresolved=(extractor.refusal or "code the scan cannot carry",))
        return ir.EstateLogic(qualified, home.path, refused), dict(sources.read)
    copied = dataclasses.replace(extractor.callables[-1], source=source)
    try:
        imports, code = extractor.logic()
        compile(imports + code, home.path, "exec", dont_inherit=True)
    except Exception:  # noqa: BLE001 - odd layouts (dedent across multi-line strings...) must not stop a scan
        refused = dataclasses.replace(copied, name="", unresolved=("its code could not be copied out of its module",))
        return ir.EstateLogic(qualified, home.path, refused), dict(sources.read)
    airflow = dict(sorted(extractor.airflow_imports.items()))
    return ir.EstateLogic(qualified, home.path, copied, imports, code, airflow), dict(sources.read)


def _hoist_local_imports(text: str, tree: ast.Module, node: ast.ClassDef, module: str, sources: CodeSources) -> str:
    """``text`` with each one-line ``from m import x`` inside a method of ``node`` whose module ``m`` is an estate
    module importing Airflow (imported there against an import cycle) made a ``pass``, and the import added at the
    end of the module: the copy then takes ``x``'s definition from ``m`` as for a module-level import (a constant of
    ``m`` is the same value either way). Left as it is when the module binds one of its names itself."""
    lines = text.splitlines(keepends=True)
    bound = {name for stmt in tree.body for name in _bound_by(stmt)}
    hoisted = []
    for inner in ast.walk(node):
        if not isinstance(inner, ast.ImportFrom) or inner.lineno != inner.end_lineno or inner.col_offset == 0:
            continue
        names = [a.asname or a.name for a in inner.names]
        found = sources.find(_absolute_module(inner, module))
        if found is None or not found.imports_airflow or "*" in names or bound & set(names):
            continue
        line = lines[inner.lineno - 1]
        before, statement, after = (
            line[: inner.col_offset],
            line[inner.col_offset : inner.end_col_offset],
            line[inner.end_col_offset :],
        )
        if before.strip() or (after.strip() and not after.strip().startswith("#")):
            continue  # not alone on its line
        lines[inner.lineno - 1] = f"{before}pass  # {statement}: copied at module level\n"
        hoisted.append(statement)
    if not hoisted:
        return text
    return "".join(lines).rstrip("\n") + "\n\n" + "".join(f"{h}\n" for h in dict.fromkeys(hoisted))


def _local_imports(node: ast.ClassDef, module: str) -> list[str]:
    """The modules a class's methods import inside their bodies (relative imports made absolute from ``module``)."""
    found = []
    for inner in ast.walk(node):
        if isinstance(inner, ast.ImportFrom):
            found.append(_absolute_module(inner, module))
        elif isinstance(inner, ast.Import):
            found += [alias.name for alias in inner.names]
    return list(dict.fromkeys(found))


def _has_init(cls: CustomOperator) -> bool:
    """Whether an estate class or one of its estate bases defines ``__init__`` (it may rebuild its arguments)."""
    node: CustomOperator | None = cls
    while node is not None and node.node is not None:
        if any(isinstance(s, ast.FunctionDef) and s.name == "__init__" for s in node.node.body):
            return True
        node = node.parent
    return False


def mapped_family(cls: CustomOperator) -> str:
    """The family a mapped task of ``cls`` is planned under: its base's only when the class changes nothing the
    base's rule would have to follow (no ``__init__``, no run-time method, its own ``template_fields``)."""
    record = cls.record
    if record is None or record.kind != "subclass":
        return cls.family
    chain, node = [], cls
    while node is not None and node.node is not None:
        chain.append(node.node)
        node = node.parent
    has_init = any(isinstance(s, ast.FunctionDef) and s.name == "__init__" for n in chain for s in n.body)
    changes = [m for m in record.overrides if m in RUN_TIME_METHODS] or "template_fields" in record.attributes
    return "estate" if has_init or changes else cls.family


def _airflow_base(name: str) -> tuple[str, str, str]:
    """(kind, Airflow class, family) of an Airflow base class; kind "" for a class that is no operator."""
    short = name.rsplit(".", 1)[-1]
    if short == "BaseOperator":
        return "base_operator", BASE_OPERATOR, "estate"
    if short == "BaseSensorOperator":
        return "sensor", BASE_SENSOR, "estate"
    info = resolve_operator(name)
    if info.family or (name.startswith("airflow.") and named_like_operator(name)):
        return "subclass", info.canonical, info.family
    if named_like_operator(name):
        return "unresolved", name, "estate"  # a third-party package's operator, or estate code the scan cannot see
    return "", "", ""


def _methods(node: ast.ClassDef, parent: CustomOperator | None) -> tuple[str, ...]:
    own = [s.name for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name != "__init__"]
    inherited = parent.record.overrides if parent and parent.record else ()
    return tuple(dict.fromkeys([*own, *inherited]))


def _calls_super(node: ast.ClassDef, parent: CustomOperator | None) -> tuple[str, ...]:
    """The methods whose body calls the base's method of the same name (``super().execute(context)``)."""
    found = []
    bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
    for method in node.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) or method.name == "__init__":
            continue
        for call in ast.walk(method):
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == method.name:
                owner = call.func.value
                named_base = isinstance(owner, ast.Name) and owner.id in bases
                if named_base or (isinstance(owner, ast.Call) and ast.unparse(owner.func) == "super"):
                    found.append(method.name)
                    break
    own = {s.name for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
    inherited = [m for m in (parent.record.calls_super if parent and parent.record else ()) if m not in own]
    return tuple(dict.fromkeys([*found, *inherited]))


def _class_attributes(node: ast.ClassDef, parent: CustomOperator | None) -> tuple[str, ...]:
    own = [
        t.id
        for s in node.body
        if isinstance(s, (ast.Assign, ast.AnnAssign))
        for t in (s.targets if isinstance(s, ast.Assign) else [s.target])
        if isinstance(t, ast.Name)
    ]
    inherited = parent.record.attributes if parent and parent.record else ()
    return tuple(dict.fromkeys([*own, *inherited]))


def _data_with_unknowns(value: Any) -> bool:
    """A list, tuple or dict of literals where some leaves are not literals (runtime values, functions)."""
    if isinstance(value, dict):
        return all(isinstance(key, (str, int)) for key in value)
    return isinstance(value, (list, tuple))


def _copy_containers(value: Any, home: EstateHome, qualified: str) -> Any:
    """The containers copied (the importer may change them), their leaves as an import gives them: a literal, a
    function or class of the estate, an imported name, else what the scan cannot know (``Unknown``)."""
    if isinstance(value, dict):
        return {key: _copy_containers(item, home, f"{qualified}[{key!r}]") for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_copy_containers(item, home, qualified) for item in value]
        return items if isinstance(value, list) else tuple(items)
    if is_plain_literal(value) or isinstance(value, (Unknown, Qual, Helper, CustomOperator)):
        return value if not isinstance(value, Helper) or value.home else Helper(value.node, home)
    return Unknown(qualified)


def _module_for(estate: EstateModules, path: Path) -> str:
    """The module name of a plugin file: its path under the plugins folder holding it."""
    for folder in estate.plugin_folders():
        if folder in path.parents:
            return ".".join(path.relative_to(folder).with_suffix("").parts).removesuffix(".__init__")
    return path.stem
