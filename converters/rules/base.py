"""What a rule is, what it sees and what it returns.

A rule turns one Airflow task into the body of one Dagster asset (or says why it cannot). It sees the
task, its DAG, its file (with the callables' copied code) and the estate (other DAGs, dataset producers).
It returns a ``Translation``: the disposition with its reason, the body lines, the resources and inputs
the body uses, and the operator arguments it consumed. The planner adds what every task shares (keys,
dependencies, partitions, retries, pools, tags); the generator writes the code.

Body lines may use these names: ``context`` (the asset execution context), ``airflow`` (Airflow's template
context for the run), ``DAG`` (the module's ``DagInfo``), ``logic`` (the DAG file's copied code, when
``uses_logic``), resource parameters named in ``resources``, and upstream values returned by ``Code.value``.
"""

from __future__ import annotations

import ast
import json
import keyword
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from converters.inventory import ir
from converters.inventory.secrets import secret_expression
from converters.rules.hooks import (
    AIRFLOW_NAMES_SUPPORTED,
    HOOKS,
    bound,
    classes_used,
    describe_unsupported,
    module_imports,
    unsupported_uses,
    uses_note,
)

MECH, JUDG, LIFT, REDESIGN, NONE = "MECH", "JUDG", "LIFT", "REDESIGN", "NONE"
# LIFT (the task's own Airflow operator runs under Dagster, Airflow kept as a library: `convert --lift`) ranks
# after JUDG and before REDESIGN; no rule returns it, the planner gives it to tasks that would be NONE.
DISPOSITIONS = (MECH, JUDG, LIFT, REDESIGN, NONE)
SEVERITY = {d: i for i, d in enumerate(DISPOSITIONS)}


def worse(a: str, b: str) -> str:
    """The less mechanical of two dispositions (MECH < JUDG < LIFT < REDESIGN < NONE)."""
    return a if SEVERITY[a] >= SEVERITY[b] else b


# Arguments every BaseOperator takes; the planner maps or reports them, so rules never need to.
BASE_OPERATOR_ARGS = frozenset(
    {
        "owner",
        "email",
        "email_on_failure",
        "email_on_retry",
        "retries",
        "retry_delay",
        "retry_exponential_backoff",
        "max_retry_delay",
        "start_date",
        "end_date",
        "depends_on_past",
        "wait_for_downstream",
        "pool",
        "pool_slots",
        "queue",
        "priority_weight",
        "weight_rule",
        "sla",
        "execution_timeout",
        "on_failure_callback",
        "on_success_callback",
        "on_retry_callback",
        "on_execute_callback",
        "on_skipped_callback",
        "trigger_rule",
        "doc_md",
        "doc",
        "doc_rst",
        "doc_json",
        "doc_yaml",
        "outlets",
        "inlets",
        "max_active_tis_per_dag",
        "max_active_tis_per_dagrun",
        "executor_config",
        "do_xcom_push",
        "multiple_outputs",
        "task_display_name",
        "params",
        "provide_context",
        "run_as_user",
        "resources",
        "executor",
        "task_concurrency",
        "retry_delay_seconds",
        "group_id",
    }
)


class Untranslatable(Exception):
    """A value the rule needs cannot be written as code (source text the scan could not evaluate)."""


@dataclass(frozen=True)
class Resource:
    """A resource the body uses: parameter name, class (from the support package) and connection id."""

    name: str
    cls: str  # SqlConnection | HttpConnection | SshConnection | PipesK8sClient ...
    constructor: str  # code building it in definitions.py
    conn_id: str = ""  # the Airflow connection it is configured from, when it is one


@dataclass
class Translation:
    disposition: str
    reason: str
    body: list[str] = field(default_factory=list)
    kinds: tuple[str, ...] = ()
    consumed: set[str] = field(default_factory=set)
    resources: list[Resource] = field(default_factory=list)
    imports: set[str] = field(default_factory=set)  # import lines the module needs
    support: set[str] = field(default_factory=set)  # names from support.runtime the body uses
    uses_logic: bool = False
    logic_class: str = ""  # an estate class copied alone (ir.EstateLogic) the body loads from its own logic module
    logic_classes: tuple[str, ...] = ()  # more of them (a class chosen at run time: its condition, the alternatives)
    passthrough: bool = False  # no asset: upstream and downstream are joined (Empty, LatestOnly)
    extra_deps: list[tuple[str, str | None]] = field(default_factory=list)  # other DAGs' (dag_id, task_id|None)
    triggers: str | None = None  # TriggerDagRunOperator: the DAG whose first assets now follow this one
    inputs: list[str] = field(default_factory=list)  # upstream task ids whose values the body reads
    notes: list[str] = field(default_factory=list)  # behaviour differences worth a line in the report
    gate: str | None = None  # "branch" | "short_circuit": the children of this asset may be skipped
    dbt: dict[str, Any] | None = None  # cosmos groups: the dbt project the planner turns into dbt assets
    code: list[str] = field(default_factory=list)  # arguments carried as code: their functions in the logic
    checks: list[str] = field(default_factory=list)  # blocking asset checks on the task's own asset (SQL checks)


@dataclass(frozen=True)
class Estate:
    """Lookups across the whole scanned project."""

    dags: dict[str, ir.Dag]
    dataset_producers: dict[str, list[tuple[str, str]]]  # dataset URI -> (dag_id, task_id)
    task_functions: frozenset[str] = frozenset()  # estate functions Airflow makes tasks of: "<file module>.<name>"
    airflow_modules: frozenset[str] = frozenset()  # helper modules that import Airflow when imported


@dataclass(frozen=True)
class TaskInput:
    task: ir.Task
    dag: ir.Dag
    file: ir.DagFile
    estate: Estate

    @property
    def args(self) -> dict[str, Any]:
        return self.task.arguments

    def callable(self, value: Any) -> ir.Callable | None:
        if isinstance(value, (ir.CallableValue, ir.CodeValue)):
            for candidate in self.file.callables:
                if candidate.name == value.name:
                    return candidate
        return None


class Code:
    """Writes argument values (JSON from the IR) as Python code, recording what that code needs."""

    def __init__(self, translation: Translation) -> None:
        self.t = translation

    def value(self, value: Any) -> str:
        if isinstance(value, ir.Value) or (isinstance(value, dict) and any(k.startswith("$") for k in value)):
            return self._special(value)
        if isinstance(value, dict):
            return "{" + ", ".join(f"{json.dumps(str(k))}: {self.value(v)}" for k, v in value.items()) + "}"
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(self.value(v) for v in value) + "]"
        if isinstance(value, str):
            return _string(value)
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return f"float({str(value)!r})"
        return repr(value)

    def _special(self, value: ir.Value | dict) -> str:
        # A dict with "$" keys that is not a Value would read as one once written as JSON: it is not translated.
        if isinstance(value, ir.XComValue):
            if value.task_id not in self.t.inputs:
                self.t.inputs.append(value.task_id)
            return input_name(value.task_id)
        if isinstance(value, ir.SecretValue):
            # A secret written in the DAG source: the generated code reads it from the environment (A2D300).
            self.t.imports.add("import os")
            return secret_expression(value.parts)
        if isinstance(value, ir.PathValue):
            self.t.support.add("dags_path")
            return f"dags_path({_string(value.path)})"
        if isinstance(value, ir.CallableValue):
            self.t.uses_logic = True
            return f"logic.{value.name}"
        if isinstance(value, ir.CodeValue):
            # Code Airflow ran when it parsed the file: the same expression, run when the asset starts.
            self.t.uses_logic = True
            if value.name not in self.t.code:
                self.t.code.append(value.name)
            return f"logic.{value.name}()"
        if isinstance(value, ir.RefValue):
            if value.name.startswith("airflow"):
                raise Untranslatable(f"refers to Airflow's {value.name}")
            self.t.support.add("import_callable")
            return f"import_callable({_string(value.name)})"
        if isinstance(value, ir.DatasetValue):
            return _string(str(ir.to_json(value.uri)))
        if isinstance(value, ir.CallValue) and value.name.endswith(("timedelta", "duration")):
            self.t.imports.add("from datetime import timedelta")
            kwargs = ", ".join(f"{k}={self.value(v)}" for k, v in value.kwargs.items())
            args = ", ".join(self.value(v) for v in value.args)
            return f"timedelta({', '.join(p for p in (args, kwargs) if p)})"
        if isinstance(value, ir.TaskValue):
            raise Untranslatable(f"passes the task object {value.task_id!r}")
        if isinstance(value, ir.CallValue) and value.name.startswith("airflow") and value.name.endswith("Hook"):
            raise Untranslatable(f"passes Airflow's {value.name.rsplit('.', 1)[-1]} object")
        source = ir.to_json(value.source if isinstance(value, ir.SourceValue) else value)
        needs = value.needs if isinstance(value, ir.SourceValue) else ""
        # Carried as code unless it needs what the Dagster side lacks: the reason says what (an Airflow API...).
        why = f" (as code it needs {needs})" if needs else ""
        raise Untranslatable(f"holds code the scan could not evaluate: {source!s:.120}{why}")


XCOM_PULL = re.compile(r"xcom_pull\(\s*(?:task_ids\s*=\s*)?(?P<arg>[^,)]*)")


def template_xcoms(value: Any) -> list[str] | None:
    """Task ids that templates in ``value`` pull XComs from; None when one of them is not a literal."""
    found: list[str] = []
    for text in strings_in(value):
        for match in XCOM_PULL.finditer(text):
            literal = re.fullmatch(r"\s*['\"]([^'\"]+)['\"]\s*", match.group("arg"))
            if literal is None:
                return None
            if literal.group(1) not in found:
                found.append(literal.group(1))
    return found


# The key of an ``xcom_pull(..., key=...)`` in a template.
XCOM_KEY = re.compile(r"xcom_pull\([^)]*?\bkey\s*=\s*([^,)]+?)\s*[,)]")
RETURN_KEYS = {"return_value", "'return_value'", '"return_value"'}


def template_xcom_keys(value: Any) -> list[str]:
    """The keys other than the return value's that templates in ``value`` pull XComs under, as written."""
    return sorted({key for text in strings_in(value) for key in XCOM_KEY.findall(text)} - RETURN_KEYS)


def strings_in(value: Any) -> list[str]:
    """Every string of an argument's value (in lists, tuples and dicts; not inside the IR's ``$``-tagged values)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and not any(str(k).startswith("$") for k in value):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in strings_in(v)]
    return []


def input_name(task_id: str) -> str:
    """The parameter name an upstream task's value gets in an asset function."""
    return python_name(task_id) + "_value"


def estate_logic_module(qualified: str) -> str:
    """The logic module of an estate class copied alone (``ir.EstateLogic``): one per class, shared by its DAGs."""
    return "estate_class__" + python_name(qualified.replace(".", "__")).lower()


def python_name(text: str) -> str:
    """An ASCII identifier (Dagster op and asset names allow ``[A-Za-z0-9_]`` only), never a keyword."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", text)
    if not name or name[0].isdigit():
        name = f"t_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name += "_"
    return name


def _string(text: str) -> str:
    """A Python literal for ``text``; multi-line text stays readable as a triple-quoted string."""
    plain = all(ch in "\n\t" or ord(ch) >= 32 for ch in text) and "\r" not in text
    if "\n" in text and plain:
        escaped = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
        if escaped.endswith('"'):
            escaped = escaped[:-1] + '\\"'
        return f'"""{escaped}"""'
    return json.dumps(text, ensure_ascii=False)


class Rule:
    """A rule: the operators it matches, what it emits, and ``translate``.

    Subclasses set ``operators`` (canonical qualified names), optionally ``families`` (custom operators
    whose base class belongs to one of those families fall back to this rule), ``priority`` (higher wins
    when two rules match the same operator), ``disposition`` (the usual outcome, for the reference) and
    ``emits`` (one line for the reference). The class docstring is the rule's documentation: *What it
    does*, *Why*, an Airflow ``Example`` and the Dagster code it ``Becomes`` (the golden test).
    """

    name: ClassVar[str] = ""
    operators: ClassVar[tuple[str, ...]] = ()
    families: ClassVar[tuple[str, ...]] = ()
    priority: ClassVar[int] = 0
    disposition: ClassVar[str] = MECH
    emits: ClassVar[str] = ""

    def translate(self, task: TaskInput) -> Translation:  # pragma: no cover - abstract
        raise NotImplementedError


def judge_code(task: TaskInput, t: Translation) -> None:
    """Arguments carried as code: what their code needs from the Dagster side decides the disposition.

    The code is the file's own (constants, helpers, imports), run when the asset starts instead of when Airflow
    parsed the file; evaluated the same way, it gives the same value (MECH). Reading Variables makes it JUDG:
    they must be set on the Dagster side (``AIRFLOW_VAR_<KEY>``), and are read at run time, not parse time; so
    does reading the machine (environment variables, files, the clock).
    """
    if t.disposition == NONE or not t.code:
        return
    for name in t.code:
        found = task.callable(ir.CodeValue(name))
        # The scan carries only code whose names it found; a missing record means the logic was not copied.
        if found is None or found.unresolved:
            missing = ", ".join(found.unresolved) if found else "its code could not be copied"
            t.disposition, t.reason = NONE, f"an argument's code needs what its file does not define: {missing}"
            return
        builders = [c for c in found.calls if _is_task_function(c, task.estate.task_functions)]
        # An estate function Airflow turns into a task gives an XCom known only at run time, not a value.
        if builders:
            t.disposition = NONE
            t.reason = (
                f"an argument's code calls {builders[0]}, which Airflow makes a task of (@task): its value is an XCom"
            )
            return
        modules = task.estate.airflow_modules
        needs_airflow = sorted(
            (c for c in found.calls if c in modules or c.rsplit(".", 1)[0] in modules), key=len, reverse=True
        )
        # The Dagster side has no Airflow to import: code from a module that imports it cannot run there.
        if needs_airflow:
            t.disposition = NONE
            t.reason = f"an argument's code calls {needs_airflow[0]}, whose module imports Airflow (absent in Dagster)"
            return
        unsupported = [n for n in found.airflow_names if n not in AIRFLOW_NAMES_SUPPORTED and not bound(n)]
        # Code copied out of an estate module using an Airflow API support/ does not reproduce stays in Airflow.
        if unsupported:
            t.disposition = NONE
            t.reason = (
                "an argument's code uses Airflow APIs with no Dagster-side equivalent here: "
                + describe_unsupported(unsupported)
            )
            return
        imports = task.file.logic_airflow_imports
        supported = {**AIRFLOW_NAMES_SUPPORTED, **HOOKS}
        classes = {local: supported[q] for local, q in imports.items() if q in supported}
        missing = unsupported_uses(task.file.logic, name, classes, module_imports(imports))
        # A method of Airflow's Connection the support package does not have would fail when the asset runs.
        if missing:
            t.disposition = NONE
            t.reason = f"an argument's code calls Airflow methods with no Dagster-side equivalent: {', '.join(missing)}"
            return
        if any(n.endswith("Variable") for n in found.airflow_names):
            t.disposition = worse(t.disposition, JUDG)
            note = f"{found.expression[:80]!r} reads Airflow Variables: set AIRFLOW_VAR_<KEY> on the Dagster side"
            keys = _variables_read(task.file.logic, name)
            if keys:
                note += f" ({', '.join('AIRFLOW_VAR_' + k.upper() for k in keys)})"
            t.notes.append(note + " (read when the asset runs, not when the file is parsed)")
            if "# from " in _function_source(task.file.logic, name):
                # An estate module's module-level Variable.get, copied into the argument's function.
                t.notes.append(
                    "the estate module code it copies reads its Variables when the asset runs: the same source "
                    "Airflow's tasks read when Variables come from the environment (AIRFLOW_VAR_<KEY>) or a secrets "
                    "backend; Variables kept in Airflow's metadata database must be exported to the Dagster side"
                )
        if any(n.endswith("Connection") for n in found.airflow_names):
            t.disposition = worse(t.disposition, JUDG)
            note = f"{found.expression[:80]!r} reads Airflow Connections: set AIRFLOW_CONN_<ID> on the Dagster side"
            t.notes.append(note + " (read when the asset runs, not when the file is parsed)")
        used = sorted(classes_used(found.airflow_names) - {"Connection"})
        # Hooks, Airflow's configuration...: reproduced by support/hooks.py from the Dagster side's environment.
        if used:
            t.disposition = worse(t.disposition, JUDG)
            t.notes.append(
                f"{found.expression[:80]!r} " + uses_note(used, "the driver installed in the Dagster environment")
            )
        if found.environment:
            t.disposition = worse(t.disposition, JUDG)
            reads = ", ".join(found.environment)
            note = (
                f"{found.expression[:80]!r} reads {reads} when the asset runs (Airflow read it when it parsed the file)"
            )
            t.notes.append(note + ": the Dagster host must give the same values")


def _function_source(logic: str, name: str) -> str:
    """The source of the top-level function ``name`` of a logic module ("" when it has none)."""
    try:
        tree = ast.parse(logic)
    except SyntaxError:
        return ""
    node = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name), None)
    return ast.get_source_segment(logic, node) or "" if node is not None else ""


def _variables_read(logic: str, name: str) -> list[str]:
    """The literal keys of the ``Variable.get("key")`` calls of the logic's function ``name`` (nested code too)."""
    source = _function_source(logic, name)
    calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)] if source else []
    return sorted(
        {
            c.args[0].value
            for c in calls
            if isinstance(c.func, ast.Attribute)
            and c.func.attr == "get"
            and ast.unparse(c.func.value).endswith("Variable")
            and c.args
            and isinstance(c.args[0], ast.Constant)
            and isinstance(c.args[0].value, str)
        }
    )


def _is_task_function(qualified: str, task_functions: frozenset[str]) -> bool:
    """``utils.knack.get_date_filter_arg`` is the task function ``dags.utils.knack.get_date_filter_arg`` (the
    scan names modules from the scanned root; the DAGs folder on ``sys.path`` may be below it)."""
    return any(f == qualified or f.endswith("." + qualified) for f in task_functions)


def none(reason: str, consumed: set[str] | None = None) -> Translation:
    """The task stays in Airflow: an observation-only asset spec carrying the reason."""
    return Translation(NONE, reason, consumed=set(consumed or ()))
