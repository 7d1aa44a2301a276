"""Airflow's semantics for the scan: what DAGs, TaskGroups, operators, TaskFlow calls and dependencies build.

``AirflowSemantics`` is the half of ``FileScanner`` that turns calls the interpreter resolved into Airflow
structure: ``DAG(...)``/``@dag`` factories, ``TaskGroup``/``@task_group`` (ids suffixed as Airflow does),
operators and custom operators, ``@task`` calls, ``.partial().expand()`` mapping, cosmos dbt groups,
``>>``/``<<``/``chain``/``cross_downstream``/``set_*stream`` edges, and the bookkeeping of ids and constructs.
"""

from __future__ import annotations

import ast
import dataclasses
from typing import Any

from converters.inventory import gusty_dags, ir, yaml_dags
from converters.inventory.callables import is_plain_literal
from converters.inventory.data_files import LITERAL_DATA_LOADERS, load_literal_data
from converters.inventory.estate import mapped_family
from converters.inventory.literals import MAX_TASKS_PER_FILE, PATH_FUNCTIONS, _path_call
from converters.inventory.operators import (
    OperatorInfo,
    is_dag_class,
    is_task_group_class,
    named_like_operator,
    resolve_operator,
)
from converters.inventory.setup_teardown import SetupTeardownContext, group_leaves
from converters.inventory.to_ir import _literal_dict, _make_task
from converters.inventory.values import (
    BoundFunction,
    CallableRef,
    CustomOperator,
    DagFactory,
    DagState,
    EstateCode,
    Formatted,
    GroupFactory,
    GroupRef,
    Helper,
    LabelRef,
    Partial,
    Passed,
    PathValue,
    Qual,
    Refused,
    Stringified,
    TaskFlow,
    TaskRef,
    Unknown,
    XComArg,
    _as_list,
    _dags_in,
    _flat,
    _is_node,
    _LimitReached,
)

MAX_CARRY_DEPTH = 4  # carried code binding names to carried code binding names...: how deep it follows
# Airflow hooks built in a DAG file and passed to an operator (``ssh_hook=SSHHook(remote_host=...)``): recorded as
# their arguments, each part that is code carried as code, so the operator's rule can build the hook at run time.
HOOK_RECORDS = frozenset({"SSHHook"})


class AirflowSemantics:
    """The Airflow half of ``FileScanner``: it uses the interpreter's ``eval``, ``run_function``, ``diag``..."""

    def call_qualified(self, node, name: str, args: list, kwargs: dict) -> Any:
        flow = self.estate_taskflow(name)
        if flow is not None:  # an estate function Airflow makes a task of (@task): calling it adds that task
            return self.call_taskflow(node, flow, args, kwargs)
        short = name.rsplit(".", 1)[-1]
        if name in PATH_FUNCTIONS and args and isinstance(args[0], (PathValue, str)):
            return _path_call(name, args)
        if name.split(".", 1)[0] in {"dagfactory", "gusty"}:  # DAGs built from YAML: read as data (yaml_dags.py)
            build = yaml_dags.dag_factory_call if name.startswith("dagfactory") else gusty_dags.gusty_call
            return build(self, node, name, args, kwargs)
        if name in LITERAL_DATA_LOADERS:  # yaml.safe_load(open(...)) of a file next to the DAG file
            return load_literal_data(self, node, name, args)
        if name.startswith("airflow.configuration.conf.get") and [*args, None, None][:2] == ["core", "dags_folder"]:
            return PathValue(".")  # Airflow's DAGs folder: the folder being scanned
        if name.startswith("cosmos") and short.endswith("Config"):  # cosmos's config objects are plain records
            return ir.CallValue(name, tuple(args), kwargs)
        if name.startswith("airflow") and ".kubernetes." in name and short == "Secret":
            return ir.CallValue(name, tuple(args), kwargs)  # names a secret the cluster holds (rules/pods.py)
        if name.startswith("kubernetes.client") and short.startswith("V1"):
            return ir.CallValue(name, tuple(args), kwargs)  # a Kubernetes object: a record of its fields
        if name.startswith("airflow") and short in HOOK_RECORDS:
            return ir.CallValue(name, tuple(args), kwargs)  # a hook a rule rebuilds from its arguments (remote.py)
        if name == "functools.partial" and args and isinstance(args[0], Helper) and args[0].home is None:
            # A function of the file with arguments bound: a task's callable (bind_partial), else unknown.
            return BoundFunction(self.src(node), helper=args[0], args=tuple(args[1:]), kwargs=tuple(kwargs.items()))
        if short == "partial" and "." in name and name != "functools.partial":  # SomeOperator.partial(...)
            return Partial(Qual(name.rsplit(".", 1)[0]), tuple(kwargs.items()))
        if is_dag_class(name):
            return self.create_dag(node, args, kwargs)
        if is_task_group_class(name):
            return self.create_group(node, args[0] if args else kwargs.get("group_id"), kwargs)
        if name.startswith("airflow") and short == "chain":
            self.check_linkable(node, name, args)
            self.chain(args)
            return None
        if name.startswith("airflow") and short == "chain_linear":  # every task of each item >> the next item
            self.check_linkable(node, name, args)
            for left, right in zip(args, args[1:], strict=False):
                self.link(left, right)
            return None
        if name.startswith("airflow") and short == "cross_downstream":
            self.check_linkable(node, name, args)
            if len(args) == 2:
                for upstream in _as_list(args[0]):
                    self.link(upstream, args[1])
            return None
        if name.startswith("airflow") and short == "XComArg" and args and isinstance(args[0], TaskRef):
            return XComArg(args[0])
        if name.startswith("airflow") and short in {"Dataset", "Asset"}:
            return ir.DatasetValue(args[0] if args else kwargs.get("uri") or kwargs.get("name"))
        if name.startswith("airflow") and short == "Label":
            return LabelRef()
        if name in {"datetime.datetime", "datetime.timedelta", "pendulum.datetime", "pendulum.duration"} or short in {
            "days_ago",
            "timedelta",
            "datetime",
        }:
            return ir.CallValue(name, tuple(args), kwargs)
        info = resolve_operator(name)
        if info.family or named_like_operator(name):
            if short in {"DbtTaskGroup", "DbtDag"}:
                return self.create_dbt_group(node, name, kwargs)
            return self.create_task(node, name, kwargs, canonical=None)
        self.call_not_followed(node, name, args, kwargs)
        return Unknown(self.src(node))

    def direct_relatives(self, task: TaskRef, upstream: Any) -> Any:
        """``task.get_direct_relatives(upstream=...)``: the tasks linked to it so far, as the scan has the edges
        (a factory that links the first and last tasks of a chain to a cluster's create and delete tasks)."""
        if not isinstance(upstream, bool):
            return Unknown("get_direct_relatives(...)")
        edges = task.dag.upstream
        if upstream:
            ids = edges.get(task.task_id, [])
        else:
            ids = [down for down, ups in edges.items() if task.task_id in ups]
        return [TaskRef(task.dag, task_id) for task_id in dict.fromkeys(ids)]

    def call_method(self, node, owner, attr: str, args: list, kwargs: dict) -> Any:
        if attr in {"set_downstream", "set_upstream"} and _is_node(owner) and args:
            self.check_linkable(node, f"{attr}", args)
            if attr == "set_downstream":
                self.link(owner, args[0])
            else:
                self.link(args[0], owner)
            return None
        if attr == "partial":
            return Partial(owner, tuple(kwargs.items()))
        if attr == "get_direct_relatives" and isinstance(owner, TaskRef):
            return self.direct_relatives(owner, [*args, kwargs.get("upstream", False)][0])
        if attr in {"expand", "expand_kwargs"}:
            if isinstance(owner, GroupFactory) or (
                isinstance(owner, Partial) and isinstance(owner.target, GroupFactory)
            ):
                factory = owner if isinstance(owner, GroupFactory) else owner.target
                self.mapped_groups += 1
                try:
                    given = {**dict(owner.kwargs), **kwargs} if isinstance(owner, Partial) else dict(kwargs)
                    return self.call_group_factory(node, factory, [], _mapped_arguments(given), {})
                finally:
                    self.mapped_groups -= 1
            if isinstance(owner, Partial):
                return self.create_mapped(node, owner.target, dict(owner.kwargs), args, kwargs)
            if isinstance(owner, TaskFlow):
                return self.create_mapped(node, owner, {}, args, kwargs)
        if attr in {"as_setup", "as_teardown"} and isinstance(owner, (TaskRef, XComArg)):
            return self.mark_setup_teardown(node, owner, attr, kwargs)
        if attr in {"as_setup", "as_teardown"} and _is_node(owner):
            self.mark_incomplete(node, "A2D270", f"{attr}() of a group or list: not modelled")
            return owner
        if isinstance(owner, yaml_dags.YamlFactory):
            return yaml_dags.dag_factory_method(self, node, owner, attr)
        if attr == "partial" and isinstance(owner, (CustomOperator, GroupFactory)):
            return Partial(owner, tuple(kwargs.items()))
        if attr == "override" and isinstance(owner, TaskFlow):
            options = tuple({**dict(owner.kwargs), **kwargs}.items())
            return dataclasses.replace(owner, kwargs=options)
        if isinstance(owner, Qual) and attr in {"partial"}:
            return Partial(owner, tuple(kwargs.items()))
        if not isinstance(owner, (TaskFlow, CustomOperator, GroupFactory, Partial, yaml_dags.YamlFactory)):
            self.call_not_followed(node, self.src(node.func), args, kwargs)
        return Unknown(self.src(node))

    # -- DAGs, groups, tasks ------------------------------------------------------------------------------
    def create_dag(self, node, args, kwargs) -> Any:
        dag_id = args[0] if args else kwargs.get("dag_id")
        if not isinstance(dag_id, str):
            self.diag(node, "A2D221", f"DAG id is not a literal: {self.src(node)[:120]}")
            return Unknown(self.src(node))
        kwargs = self.carry_default_args(node, dag_id, kwargs)
        dag = DagState(dag_id, ir.SourceRef(self.path, node.lineno, node.col_offset), kwargs)
        self.dags.append(dag)
        return dag

    def carry_default_args(self, node, dag_id: str, kwargs: dict) -> dict:
        """``default_args`` values written as code over the file's names are carried as code, each on its own
        (``(<the mapping's code>)["cwd"]``), so every task given them gets a ``CodeValue`` as for its own
        arguments. The mapping is the ``default_args=`` keyword, or the one ``**mapping`` the call spreads."""
        defaults = kwargs.get("default_args")
        if not isinstance(node, ast.Call) or self.logic is None or not isinstance(defaults, dict):
            return kwargs
        if not any(self.unknown_here(v) for v in _flat(list(defaults.values()))):
            return kwargs
        expr = next((k.value for k in node.keywords if k.arg == "default_args"), None)
        if expr is None:
            spread = [k.value for k in node.keywords if k.arg is None]
            if len(spread) != 1:
                return kwargs  # which mapping gave them is not known
            expr = _item(spread[0], "default_args", self.text)
        root = expr
        while isinstance(root, ast.Subscript):
            root = root.value
        if isinstance(root, ast.Name) and self.assigned_code(root.id) is None:
            return kwargs  # a mapping filled after its code ran (`ARGS["cwd"] = ...`): its code gives another value
        written = {}  # `default_args={"cwd": ...}`: the value as written
        if isinstance(expr, ast.Dict):
            written = {k.value: v for k, v in zip(expr.keys, expr.values, strict=True) if isinstance(k, ast.Constant)}
        carried = dict(defaults)
        for key, value in defaults.items():
            if isinstance(key, str) and any(self.unknown_here(v) for v in _flat([value])):
                item = written.get(key) or _item(expr, key, self.text)
                carried[key] = self.carry(item, value, f"{dag_id}_{key}", getattr(item, "segment", None))
        return {**kwargs, "default_args": carried}

    def estate_taskflow(self, name: str) -> TaskFlow | None:
        """``name`` as a TaskFlow when it is a function of an estate module decorated with Airflow's ``@task``:
        its decorator is read in that module's imports (never run), as the file's own would be."""
        found = self.logic.estate_function(name) if self.logic is not None else None
        if found is None:
            return None
        function, module = found
        env: dict[str, Any] = {}
        styles, call_env = set(self.styles), self.call_env
        for stmt in module.tree.body:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)) and not any(a.name == "*" for a in stmt.names):
                self.exec_import(stmt, env)
        self.styles = styles  # the helper module's import style is not the DAG file's
        flow = self.define_function(function, env)
        self.call_env = call_env  # its decorator's call is not the call being dispatched (its names carry its code)
        return flow if isinstance(flow, TaskFlow) else None

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
        callable_keys = {"python_callable": full_id}  # a factory's closure is bound per task (bind_closure)
        kwargs = {
            key: self.callable_ref(value, imported=key in callable_keys, hint=callable_keys.get(key, ""))
            for key, value in kwargs.items()
        }
        kwargs = self.carry_arguments(node, full_id, kwargs, taskflow)
        kwargs = {key: self.realize_passed(value) for key, value in kwargs.items()}
        merged = {**_literal_dict(dag.kwargs.get("default_args")), **kwargs}
        task = _make_task(self.path, node, full_id, operator, family, written, merged, group, taskflow, mapped)
        dag.tasks[full_id] = task
        dag.upstream.setdefault(full_id, [])
        for parent in _group_chain(group):
            dag.groups.setdefault(parent, []).append(full_id)
        ref = TaskRef(dag, full_id)
        self.setup_teardown.task_created(ref)
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

    def callable_ref(self, value: Any, imported: bool = False, hint: str = "") -> Any:
        """Functions of this file passed to a task become references into the file's copied logic; so does an
        ``imported`` callable from an estate module that imports Airflow (the Dagster side cannot import it). A
        function a task factory defined (``hint``: the task's id) is bound to that call's values (``bind_closure``)."""
        if isinstance(value, BoundFunction) and hint and self.logic is not None:
            bound = self.bind_partial(value, hint)
            return CallableRef(bound) if bound else value
        if isinstance(value, Helper) and value.home is not None:  # an estate module's function, by its import path
            value, imported = Qual(f"{value.home.module}.{value.node.name}"), True
        if imported and isinstance(value, Qual) and self.logic is not None:
            value = self.logic.foreign_function(value.name) or value  # copied when its module imports Airflow
        node = value.node if isinstance(value, (Helper, TaskFlow)) else value
        if isinstance(value, (Helper, TaskFlow)) and value.closure is not None and self.logic is None:
            # A function an estate module's factory defines: no import reaches it (it is not the module's name).
            bound = self.bind_estate_closure(value.node, value.closure, hint) if hint else None
            where = f"{value.node.name}, defined inside a function of {self.module}"
            return CallableRef(bound) if bound else Unknown(where)
        if isinstance(value, (Helper, TaskFlow)) and self.logic is None:
            return Qual(f"{self.module}.{value.node.name}")  # running an estate module's code (estate.in_home)
        file_logic = getattr(self, "file_logic", None)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and self.logic is None and file_logic is not None:
            # A TaskFlow function of an estate module, called by that module's code (a DAG or group factory): the
            # DAG file's logic copies it, as for one the file calls itself (its module imports Airflow).
            found = file_logic.foreign_function(f"{self.module}.{node.name}")
            if found is not None and (found.lineno, found.col_offset) == (node.lineno, node.col_offset):
                return CallableRef(file_logic.add(found))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and self.logic is not None:
            closure = value.closure if isinstance(value, (Helper, TaskFlow)) else None
            bound = self.bind_closure(node, closure, hint) if closure is not None and hint else None
            return CallableRef(bound or self.logic.add(node))
        return value

    def bind_closure(self, node: ast.FunctionDef, frame: dict, hint: str) -> str | None:
        """``node``'s name in the logic, bound to the values the names it closes over held in the call of the factory
        that defined it (``frame``): literals as written, values the scan could not evaluate as their carried code.
        None when it closes over nothing, or over a value known only at run time (the plain copy names it)."""
        assert self.logic is not None
        names = self.logic.closure_names(node)
        if not names:
            return None
        saved, refusal = self.logic.checkpoint(), self.logic.refusal
        sources = {}
        for name in names:
            source = self.closure_source(frame[name], f"{hint}_{name}") if name in frame else None
            if source is None:
                self.logic.restore(saved)
                self.logic.refusal = refusal
                return None
            sources[name] = source
        bound = self.logic.add_closure(node, sources, hint)
        if bound is None:
            self.logic.restore(saved)
            self.logic.refusal = refusal
        return bound

    def bind_estate_closure(self, node: ast.FunctionDef, frame: dict, hint: str) -> str | None:
        """``bind_closure`` for a function an estate module's factory defines, copied into the DAG file's logic (the
        estate module's code is read again there: the function at the same place)."""
        file_logic = getattr(self, "file_logic", None)
        target = file_logic.function_at(self.module, node) if file_logic is not None else None
        if target is None:
            return None
        self.logic = file_logic
        try:
            return self.bind_closure(target, frame, hint)
        finally:
            self.logic = None

    def bind_partial(self, value: BoundFunction, hint: str) -> str | None:
        """``functools.partial(fn, ...)`` given as a task's callable: ``fn`` copied (bound to its closure when a
        factory defined it), then a function of the logic calling it with the bound arguments first. None when an
        argument has no source (a value known only at run time)."""
        assert self.logic is not None
        helper = value.helper
        saved, refusal = self.logic.checkpoint(), self.logic.refusal
        closure = helper.closure
        function = (self.bind_closure(helper.node, closure, hint) if closure is not None else None) or self.logic.add(
            helper.node
        )
        args = [self.closure_source(a, f"{hint}_{i}") for i, a in enumerate(value.args)]
        keywords = {k: self.closure_source(v, f"{hint}_{k}") for k, v in value.kwargs}
        if any(a is None for a in args) or any(v is None for v in keywords.values()):
            self.logic.restore(saved)
            self.logic.refusal = refusal
            return None
        return self.logic.add_partial(function, helper.node, args, keywords, hint)  # type: ignore[arg-type]

    def closure_source(self, value: Any, hint: str) -> str | None:
        """Python source giving ``value``: a plain literal as itself, a value the file's code computed as the call of
        that code carried (``_arg_<hint>()``), lists and dicts part by part; None for anything else."""
        if isinstance(value, Passed):
            value = self.realize_passed(value)
        elif isinstance(value, Unknown) and not isinstance(value, Refused):
            value = self.carry_origins(value, hint)
        if isinstance(value, ir.CodeValue):
            return f"{value.name}()"
        if is_plain_literal(value):
            return repr(value)
        if isinstance(value, (list, tuple)):
            items = [self.closure_source(v, f"{hint}_{i}") for i, v in enumerate(value)]
            if any(item is None for item in items):
                return None
            joined = ", ".join(items)  # type: ignore[arg-type]
            return f"[{joined}]" if isinstance(value, list) else f"({joined}{',' if len(items) == 1 else ''})"
        if isinstance(value, dict) and all(isinstance(k, (str, int)) for k in value):
            pairs = [(k, self.closure_source(v, f"{hint}_{k}")) for k, v in value.items()]
            if any(source is None for _, source in pairs):
                return None
            return "{" + ", ".join(f"{k!r}: {source}" for k, source in pairs) + "}"
        return None

    def carry_arguments(self, node, task_id: str, kwargs: dict, taskflow: bool) -> dict:
        """Arguments written as code over the file's names become ``ir.CodeValue``s (run at run time)."""
        file_logic = getattr(self, "file_logic", None)
        if isinstance(node, ast.Call) and self.logic is None and file_logic is not None:
            # A task an estate module's code creates (a factory of the DAGs folder): its own code is not copied, but
            # a value the DAG file computed and passed to it is carried as the file's code that computed it.
            self.logic = file_logic
            try:
                return {
                    k: v if k in {"task_id", "dag"} else self.carry_origins(v, f"{task_id}_{k}")
                    for k, v in kwargs.items()
                }
            finally:
                self.logic = None
        if not isinstance(node, ast.Call) or self.logic is None:
            return kwargs
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        result = dict(kwargs)
        for key, value in kwargs.items():
            hint = f"{task_id}_{key}"
            if taskflow and key == "op_kwargs" and isinstance(value, dict):
                result[key] = {k: self.carry(keywords.get(str(k)), v, f"{task_id}_{k}") for k, v in value.items()}
            elif taskflow and key == "op_args" and isinstance(value, list):
                plain = len(node.args) == len(value) and not any(isinstance(a, ast.Starred) for a in node.args)
                if plain:
                    pairs = enumerate(zip(node.args, value, strict=True))
                    result[key] = [self.carry(a, v, f"{task_id}_{i}") for i, (a, v) in pairs]
            elif not taskflow and key in keywords and key not in {"task_id", "dag"} and self.may_carry(key):
                result[key] = self.carry(keywords[key], value, hint)
            elif not taskflow and key not in {"task_id", "dag"} and not self.may_carry(key):
                # Rebuilt by an estate class's __init__: the parts the DAG file computed reach it as they were.
                result[key] = self.carry_origins(value, hint)
        return result

    def carry_origins(self, value: Any, hint: str) -> Any:
        """``value`` with each part the DAG file's code computed (an unknown remembering that code) carried as it;
        ``str()`` of such a part (``Stringified``) as ``str()`` of its carried code."""
        if isinstance(value, Stringified):
            inner = self.realize_passed(value.inner) if isinstance(value.inner, Passed) else None
            if not isinstance(inner, ir.CodeValue) and value.inner is not None:
                inner = self.carry_origins(value.inner, hint)
            if not isinstance(inner, ir.CodeValue) or self.logic is None:
                return value
            call = f"{inner.name}()"

            def known(name: str) -> tuple[str | None, str | None]:
                return ("code", call) if name == "value" else (None, None)

            name = self.logic.add_expression(hint, ast.parse("str(value)", mode="eval").body, None, known, "str(value)")
            return ir.CodeValue(name) if name else value
        if isinstance(value, Formatted) and self.logic is not None:
            return self.carry_formatted(value, hint)
        if isinstance(value, Unknown):
            name = None
            if value.origin is not None:
                origin, stmt, names = value.origin
                name = self.carry_code(hint, origin, stmt, names)
            name = name or self.carry_estate_code(value, hint)
            if name is None and isinstance(value, EstateCode) and value.module and self.logic.refusal:
                return Refused(value.source, value.origin, needs=self.logic.refusal)  # the plan's reason names it
            return ir.CodeValue(name) if name else value
        if isinstance(value, Qual) and self.unknown_here(value):
            # A constant of an estate module an estate class's __init__ passes on (`image=config.pipeline_image`).
            module, _, attr = value.name.rpartition(".")
            code = EstateCode(value.name, code=attr, module=module)
            name = self.carry_estate_code(code, hint)
            return ir.CodeValue(name) if name else value
        if isinstance(value, (list, tuple)) and any(self.unknown_here(v) for v in _flat(list(value))):
            items = [self.carry_origins(v, f"{hint}_{i}") for i, v in enumerate(value)]
            return items if isinstance(value, list) else tuple(items)
        if isinstance(value, dict) and not any(str(k).startswith("$") for k in value):
            if any(self.unknown_here(v) for v in _flat(list(value.values()))):
                return {k: self.carry_origins(v, f"{hint}_{k}") for k, v in value.items()}
        return value

    def carry_formatted(self, value: Formatted, hint: str) -> Any:
        """An estate module's f-string over the DAG file's values (``Formatted``): carried as itself, each name bound
        to its literal or to the call of the DAG file's code it holds, carried in turn."""
        assert self.logic is not None
        saved, refusal = self.logic.checkpoint(), self.logic.refusal
        known: dict[str, tuple[str, Any]] = {}
        for name, part in value.parts:
            if is_plain_literal(part):
                known[name] = ("literal", part)
                continue
            part_hint = f"{hint}_{name}"
            inner = self.realize_passed(part) if isinstance(part, Passed) else self.carry_origins(part, part_hint)
            if not isinstance(inner, ir.CodeValue):
                self.logic.restore(saved)
                self.logic.refusal = refusal
                return value
            known[name] = ("code", f"{inner.name}()")

        def lookup(name: str) -> tuple[str | None, Any]:
            return known.get(name, (None, None))

        code = ast.parse(value.code, mode="eval").body
        carried = self.logic.add_expression(hint, code, None, lookup, value.code)
        if carried is None:
            self.logic.restore(saved)
            self.logic.refusal = refusal
            return value
        return ir.CodeValue(carried)

    def mark_passed(self, node, fn: ast.FunctionDef, args: list, kwargs: dict, env: dict) -> tuple[list, dict]:
        """Arguments the DAG file passes to an estate module's function that the scan could not evaluate become
        ``Passed``: still unknown in that function, but a task argument they reach unchanged (``op_kwargs={"path":
        path}`` in a task factory) is carried as the DAG file's code, as if the file had written it there."""
        if self.logic is None or self.home is not None or not isinstance(node, ast.Call):
            return args, kwargs
        passed = self.passed
        params = [a.arg for a in fn.args.posonlyargs + fn.args.args]

        def mark(expr: ast.expr, value: Any, param: str) -> Any:
            if type(value) is not Unknown:
                return value
            passed.append((expr, self.current_stmt, env, self.logic, f"{fn.name}_{param}"))
            return Passed(value.source, value.origin, key=len(passed) - 1)

        if len(args) == len(node.args) <= len(params) and not any(isinstance(a, ast.Starred) for a in node.args):
            args = [mark(e, v, p) for e, v, p in zip(node.args, args, params, strict=False)]
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        kwargs = {k: mark(keywords[k], v, k) if k in keywords else v for k, v in kwargs.items()}
        return args, kwargs

    def realize_passed(self, value: Any) -> Any:
        """``value`` with each ``Passed`` argument it holds (in lists and dicts) carried as the DAG file's code."""
        if isinstance(value, list):
            return [self.realize_passed(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.realize_passed(v) for v in value)
        if isinstance(value, dict) and not any(str(k).startswith("$") for k in value):
            return {k: self.realize_passed(v) for k, v in value.items()}
        if not isinstance(value, Passed):
            return value
        realized = self.realized
        if value.key not in realized:
            expr, stmt, env, logic, hint = self.passed[value.key]
            saved = (self.logic, self.call_env, self.current_stmt)
            self.logic, self.call_env, self.current_stmt = logic, env, stmt
            try:
                carried = self.carry(expr, Unknown(value.source), hint)
            finally:
                self.logic, self.call_env, self.current_stmt = saved
            realized[value.key] = carried if isinstance(carried, (ir.CodeValue, Refused)) else value
        return realized[value.key]

    def may_carry(self, key: str) -> bool:
        """An estate class's argument is carried as the call's code only if its base receives it as written."""
        only = getattr(self, "carry_only", None)
        return only is None or key in only

    def carry(self, expr: ast.expr | None, value: Any, hint: str, segment: str | None = None) -> Any:
        """``value`` with each part the scan could not evaluate carried as code (literal parts are kept); a constant
        imported from an estate module (``image=IMAGE``) is such a part too."""
        if expr is None or self.logic is None or not any(self.unknown_here(v) for v in _flat([value])):
            return value
        if isinstance(value, ir.CallValue) and value.name.rsplit(".", 1)[-1] in HOOK_RECORDS:
            return self.carry_record(expr, value, hint)
        if isinstance(value, ir.CallValue):  # a record the rules read (cosmos configs, timedelta): kept as it is
            return value
        if isinstance(expr, (ast.List, ast.Tuple)) and isinstance(value, (list, tuple)):
            if len(expr.elts) == len(value) and not any(isinstance(e, ast.Starred) for e in expr.elts):
                items = [self.carry(e, v, f"{hint}_{i}") for i, (e, v) in enumerate(zip(expr.elts, value, strict=True))]
                return items if isinstance(value, list) else tuple(items)
        if isinstance(expr, ast.Dict) and isinstance(value, dict) and None not in expr.keys:
            if len(expr.keys) == len(value):
                return {
                    k: self.carry(e, v, f"{hint}_{k}") for e, (k, v) in zip(expr.values, value.items(), strict=True)
                }
        env = self.call_env
        for _ in range(3):  # `sql = f"..."` then `sql=sql`: the assigned expression, with the names it saw
            assigned = self.assigned_code(expr.id) if isinstance(expr, ast.Name) else None
            if assigned is None:
                break
            expr = assigned
        if isinstance(expr, ast.Name) and isinstance(value, (list, dict)):
            # A list or dict known by a name whose assigned code is not what it holds now (filled in place after,
            # `env["B"] = ...`, or in a loop): the name's code would give another value. Not carried.
            return _refused(value, f"{expr.id} as it is once filled in place, which its code alone does not give")
        if not isinstance(expr, ast.expr):
            return value
        name = self.carry_code(hint, expr, self.current_stmt, env, segment=segment)
        if name is None and isinstance(value, Unknown) and value.origin is not None and value.origin[0] is not expr:
            # `image=cfg["image"]` in a helper whose `cfg` holds a DAG: the code that computed the value
            # (`Variable.get("image")` where `cfg` was filled) is what Airflow ran, with the names it saw then.
            origin, stmt, names = value.origin
            name = self.carry_code(hint, origin, stmt, names)
        if name is None:
            name = self.carry_estate_code(value, hint)
        if name is None and isinstance(value, (list, tuple, dict)):
            # Each part on its own, when each is code the file or an estate module computed (carry_origins).
            refusal, saved = self.logic.refusal, self.logic.checkpoint()
            parts = self.carry_origins(value, hint)
            if not any(isinstance(v, Unknown) for v in _flat([parts])):
                return parts
            self.logic.restore(saved)
            self.logic.refusal = refusal
        if name:
            return ir.CodeValue(name)
        if type(value) in (Unknown, Passed, EstateCode) and self.logic.refusal:
            return Refused(
                value.source, value.origin, needs=self.logic.refusal
            )  # the plan's reason says what the code needs
        return value

    def carry_record(self, expr: ast.expr, value: ir.CallValue, hint: str) -> ir.CallValue:
        """A hook built by the file (``SSHHook(key_file=Variable.get("key"), remote_host=HOST)``), kept as the record of
        its arguments with each part the scan could not evaluate carried as the code that computed it: the keyword's
        own code where the call is seen (written in place, or the code last assigned to the name passed), else the
        code its value remembers. A part no code gives is ``Refused``, saying what its code needs."""
        call = expr
        for _ in range(3):  # `ssh_hook=hook` where `hook = SSHHook(...)`: the call assigned
            assigned = self.assigned_code(call.id) if isinstance(call, ast.Name) else None
            if assigned is None:
                break
            call = assigned
        written: dict[str | int, ast.expr] = {}
        if isinstance(call, ast.Call) and not any(isinstance(a, ast.Starred) for a in call.args):
            written = {**dict(enumerate(call.args)), **{k.arg: k.value for k in call.keywords if k.arg}}

        def part(key: str | int, item: Any) -> Any:
            if not any(self.unknown_here(v) for v in _flat([item])):
                return item
            code = written.get(key)
            carried = (
                self.carry(code, item, f"{hint}_{key}")
                if code is not None
                else self.carry_origins(item, f"{hint}_{key}")
            )
            if code is None and type(carried) in (Unknown, Passed) and self.logic is not None and self.logic.refusal:
                return Refused(carried.source, carried.origin, needs=self.logic.refusal)
            return carried

        args = tuple(part(i, item) for i, item in enumerate(value.args))
        return ir.CallValue(value.name, args, {k: part(k, v) for k, v in value.kwargs.items()})

    def carry_estate_code(self, value: Any, hint: str) -> str | None:
        """An estate module's expression (``EstateCode``) carried as itself: over the standard library alone, with
        its imports; over its module's names, with what it uses of that module copied (the estate class copier's
        way: Airflow names bound to the support package's equivalents, the rules judge the rest)."""
        if not isinstance(value, EstateCode) or self.logic is None:
            return None
        refusal, imports, literals = self.logic.refusal, dict(value.imports), dict(value.literals)
        stmt = self.logic.module_statement(value.module) if value.module else None
        if value.module and stmt is None:
            return None  # its module is not one the copier finds

        def known(name: str) -> tuple[str | None, Any]:
            if name in literals:
                return "literal", literals[name]
            return ("import", imports[name]) if name in imports else (None, None)

        name = self.logic.add_expression(hint, ast.parse(value.code, mode="eval").body, stmt, known, value.code)
        # Why the file's own code was not carried, unless this code's own refusal says more.
        self.logic.refusal = refusal if name is None and not value.module else self.logic.refusal
        return name

    def assigned_code(self, name: str) -> ast.expr | None:
        """The code last assigned to ``name`` (holding what the scan could not evaluate) in the names of the call
        being dispatched, if ``name`` still holds its value: not bound again since, nor a container changed in
        place (``env["B"] = ...``, ``env.update(...)``)."""
        env = self.call_env
        if (id(env), name) not in self.assigned:
            return None
        seen, assigned = self.assigned[(id(env), name)]
        current = env.get(name)
        if current is not seen and not (isinstance(seen, (list, dict)) and current == seen):
            return None
        return assigned

    def carry_code(
        self, hint: str, expr: ast.expr, stmt: ast.stmt | None, env: dict, depth: int = 0, segment: str | None = None
    ) -> str | None:
        """``expr`` carried as code (``LogicExtractor.add_expression``); a name it reads that holds neither a literal
        nor something the logic can bind (a helper's ``cfg`` holding the DAG and values read at parse time) is bound
        in the carried function to the code that computed what ``expr`` reads of it (``cfg["host"]``: the
        ``conn.host`` that filled it, itself carried). None when some part has no such code."""
        assert self.logic is not None
        name = self.logic.add_expression(hint, expr, stmt, _known_in(env), segment)
        if name is not None or depth >= MAX_CARRY_DEPTH:
            return name
        saved = self.logic.checkpoint()
        computed: dict[str, str] = {}
        for var in sorted({n.id for n in ast.walk(expr) if isinstance(n, ast.Name) and n.id in env}):
            if _known_in(env)(var)[0] is not None:
                continue
            code = self.computed_source(expr, var, env[var], f"{hint}_{var}", depth)
            if code is None:
                self.logic.restore(saved)
                return None
            computed[var] = code
        base = _known_in(env)
        name = None
        if computed:
            name = self.logic.add_expression(
                hint, expr, stmt, lambda n: ("code", computed[n]) if n in computed else base(n)
            )
        if name is None:
            self.logic.restore(saved)
        return name

    def computed_source(self, expr: ast.expr, var: str, value: Any, hint: str, depth: int) -> str | None:
        """Source binding ``var`` to what ``expr`` reads of ``value``: the call of the code that computed it, or a dict
        of the keys ``expr`` reads (``var["key"]`` only), each a literal or such a call."""
        if isinstance(value, Unknown):
            if value.origin is None or value.origin[0] is expr:
                return None
            origin, stmt, names = value.origin
            inner = self.carry_code(hint, origin, stmt, names, depth + 1)
            return f"{inner}()" if inner else None
        if not isinstance(value, dict):
            return None
        uses = [n for n in ast.walk(expr) if isinstance(n, ast.Name) and n.id == var]
        reads = [
            n.slice.value
            for n in ast.walk(expr)
            if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id == var
            if isinstance(n.slice, ast.Constant) and isinstance(n.slice.value, (str, int))
        ]
        if len(reads) != len(uses):  # `var` is used as a whole (passed on, iterated...): not only read by key
            return None
        items = []
        for key in sorted(set(reads), key=repr):
            item = value.get(key, Unknown("")) if all(isinstance(k, (str, int)) for k in value) else Unknown("")
            if is_plain_literal(item):
                items.append(f"{key!r}: {item!r}")
                continue
            code = self.computed_source(expr, var, item, f"{hint}_{key}", depth) if isinstance(item, Unknown) else None
            if code is None:
                return None
            items.append(f"{key!r}: {code}")
        return "{" + ", ".join(items) + "}"

    def unknown_here(self, value: Any) -> bool:
        """A value the scan does not know: runtime data, or a constant of an estate module (read, not run)."""
        if isinstance(value, Qual) and self.logic is not None:
            return self.logic.estate_constant(value.name)
        return isinstance(value, Unknown)

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
        task_id = options.get("task_id", flow.node.name)
        variant = flow.variant
        operator = f"airflow.decorators.task{('.' + variant) if variant else ''}"
        family = _taskflow_family(variant)
        ref = self.add_task(
            node,
            dag,
            task_id,
            operator,
            family,
            operator,
            {**options, "python_callable": _defined(flow), "op_args": args, "op_kwargs": kwargs},
            taskflow=True,
            mapped=False,
            dedupe=True,
        )
        if flow.role and isinstance(ref, TaskRef):
            self.set_role(ref, flow.role)
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
                    "python_callable": _defined(target),
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
            if isinstance(target, CustomOperator) and target.record is not None:  # the plan names the estate class
                self.estate_classes[target.record.qualified] = target.record
                info = OperatorInfo(target.qualified, mapped_family(target))  # estate.py: its __init__ can't run
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
        if not isinstance(dag_id, str):  # as DAG(...): a DAG the scan cannot name is a diagnostic, not a DAG
            self.diag(node, "A2D221", f"DAG id is not a literal: {self.src(node)[:120]}")
            return Unknown(self.src(node))
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
            returned = self.run_function(factory.node, args, kwargs, env)
        finally:
            self.group_stack.pop()
        return group if returned is None else returned  # Airflow forwards what the function returns

    # -- setup / teardown (setup_teardown.py) -------------------------------------------------------------
    @property
    def setup_teardown(self) -> SetupTeardownContext:
        if getattr(self, "_setup_teardown", None) is None:
            self._setup_teardown = SetupTeardownContext(self.link)
        return self._setup_teardown

    def set_role(self, ref: TaskRef, role: str) -> None:
        task = ref.dag.tasks[ref.task_id]
        changes: dict[str, Any] = {"role": role}
        if role == "teardown":
            changes["trigger_rule"] = "all_done_setup_success"  # as Airflow sets it
        ref.dag.tasks[ref.task_id] = dataclasses.replace(task, **changes)
        ref.dag.constructs.add("setup_teardown")

    def mark_setup_teardown(self, node, owner, attr: str, kwargs: dict) -> Any:
        """``t.as_setup()``; ``t.as_teardown(setups=s)`` marks ``s`` setup and adds ``s >> t``."""
        ref = owner.task if isinstance(owner, XComArg) else owner
        if attr == "as_setup":
            self.set_role(ref, "setup")
            return owner
        self.set_role(ref, "teardown")
        setups = kwargs.get("setups")
        if setups is None:
            return owner
        self.check_linkable(node, "as_teardown(setups=...)", [setups])
        for setup in _as_list(setups):
            if isinstance(setup, (TaskRef, XComArg)):
                self.set_role(setup.task if isinstance(setup, XComArg) else setup, "setup")
                self.link(setup, ref)
        return owner

    def enter_setup_teardown(self, node, value) -> int:
        """``with s >> t:`` / ``with my_teardown(my_setup()):``: 1 when a context was opened."""
        ref = value.task if isinstance(value, XComArg) else value
        if not isinstance(ref, TaskRef):
            self.mark_incomplete(node, "A2D270", f"a list of setup/teardown tasks as a context: {self.src(node)}")
            return 0
        if not ref.dag.tasks[ref.task_id].role:
            message = f"a task that is neither setup nor teardown used as a context (Airflow refuses it): {ref.task_id}"
            self.mark_incomplete(node, "A2D270", message)
            return 0
        self.setup_teardown.enter((ref,))
        return 1

    # -- dependencies -------------------------------------------------------------------------------------
    def check_linkable(self, node, name: str, items: list) -> None:
        """Edges to or from something the scan cannot resolve (a task held where it lost track) are lost edges."""
        lost = [v for v in _flat(list(items)) if isinstance(v, Unknown)]
        if lost and _dags_in(items):
            self.diag(node, "A2D231", f"{name}: a dependency on something the scan cannot resolve: {lost[0].source}")
            for dag in _dags_in(items):
                dag.incomplete.append("A2D231")
        elif lost and self.dags:
            self.mark_incomplete(node, "A2D231", f"{name}: a dependency on something the scan cannot resolve")

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
            return group_leaves(node.dag, node.group_id)
        if isinstance(node, (list, tuple)):
            return [ref for item in node for ref in self.leaves(item)]
        return self._members(node)


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


def _known_in(env: dict[str, Any]):
    """What a name held when carried code was evaluated (``LogicExtractor.add_expression``'s ``known``)."""

    def known(name: str) -> tuple[str | None, Any]:
        if name not in env:
            return None, None
        bound = env[name]
        if isinstance(bound, (TaskRef, XComArg, GroupRef, DagState, TaskFlow, DagFactory, GroupFactory, Partial)):
            return "airflow", None
        if isinstance(bound, (LabelRef, CustomOperator)):
            return "airflow", None
        return ("literal", bound) if is_plain_literal(bound) else (None, None)

    return known


class _Item(ast.Subscript):
    """``(<mapping>)[<key>]``: code the file does not write as such, with its text."""

    segment: str


def _item(mapping: ast.expr, key: str, text: str) -> ast.expr:
    """The item ``key`` of the mapping ``mapping`` evaluates to, as code (placed where ``mapping`` is written)."""
    item = _Item(value=mapping, slice=ast.Constant(key), ctx=ast.Load())
    ast.copy_location(item, mapping)
    ast.fix_missing_locations(item)
    inner = getattr(mapping, "segment", None) or ast.get_source_segment(text, mapping) or ""
    item.segment = f"({inner})[{key!r}]"
    return item


def _refused(value: Any, needs: str) -> Any:
    """``value`` with each part the scan could not evaluate marked with what its code would need."""
    if isinstance(value, list):
        return [_refused(v, needs) for v in value]
    if isinstance(value, dict):
        return {k: _refused(v, needs) for k, v in value.items()}
    return Refused(value.source, value.origin, needs=needs) if type(value) in (Unknown, Passed) else value


def _mapped_arguments(given: dict[str, Any]) -> dict[str, Any]:
    """What a mapped task group's function receives for ``expand(name=...)``/``partial(name=...)``: Airflow passes a
    ``MappedArgument`` (one element, known at run time). An upstream output keeps its task (the edges it makes);
    any other value is unknown (never the whole list taken for one element)."""
    return {
        name: value if isinstance(value, XComArg) else Unknown(f"{name}, a mapped task group's argument")
        for name, value in given.items()
        if not name.startswith("$")
    }


def _defined(flow: TaskFlow) -> Any:
    """A TaskFlow function's code for its task: its ``def``, with the values it closes over when a factory of the
    file made it (the logic copies it bound to them)."""
    return flow.node if flow.closure is None else Helper(flow.node, closure=flow.closure)
