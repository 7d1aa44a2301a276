"""The estate's own operator classes: subclasses of known operators, and the classes no rule can follow yet."""

from __future__ import annotations

import ast
import dataclasses
import functools
import json

from converters.inventory import ir
from converters.inventory.callables import NEVER_BOUND_NOTE
from converters.inventory.estate import LOCAL_AIRFLOW_IMPORT, RUN_TIME_METHODS
from converters.inventory.operators import resolve_operator
from converters.rules import hooks
from converters.rules.base import (
    BASE_OPERATOR_ARGS,
    JUDG,
    NONE,
    Code,
    Rule,
    TaskInput,
    Translation,
    Untranslatable,
    estate_logic_module,
    worse,
)
from converters.rules.python import AIRFLOW_NAMES_SUPPORTED


def estate_class(task: TaskInput) -> ir.EstateClass | None:
    """The record of the estate class a task is an instance of (its file lists the classes its tasks use)."""
    return next((c for c in task.file.estate_classes if c.qualified == task.task.operator), None)


def _where(record: ir.EstateClass) -> str:
    return f"{record.qualified} ({record.source.file}:{record.source.line})"


class EstateOperator(Rule):
    """What it does: runs a ``BaseOperator`` subclass of the estate (the DAG file's, or another module's) as the
    asset body (JUDG), or keeps a task of an estate operator class no rule can follow in Airflow, naming why.

    Why: the estate's own classes (``plugins/``, ``operators/``, a shared ``common`` module) are resolved through
    their bases. A subclass of a known operator is translated by that operator's rule (its defaults and
    ``__init__`` applied; ``translate_subclass``). A ``BaseOperator`` subclass whose ``execute(self, context)`` uses
    its own attributes, the context, hooks that ``support/hooks.py`` reproduces and its module's own code runs on
    support's ``BaseOperator`` (built with the task's arguments, its ``template_fields`` rendered as Airflow renders
    them, ``self.log``, ``execute``'s return value the asset's value): JUDG, since the class is the estate's code.
    A class of the DAG file is copied into the DAG's logic module. A class of another module is copied alone into a
    logic module of its own (``logic/estate_class__<module>__<class>.py``, shared by the DAGs that run it): the
    class, its estate bases (``class B(A)`` with ``A`` in another module), and the helpers, constants and imports
    they need from their modules; only when a task runs it, so a class this rule refuses leaves no code, and a copy
    that does not import keeps its tasks in Airflow with the error. Airflow's plain values (``XCOM_RETURN_KEY``,
    ``settings.TIMEZONE``, ``www.utils.get_attr_renderer``) are support's. A name the class's own module never binds
    (``except botocore.exceptions.ClientError`` with no ``import botocore``) is bound to a stand-in raising the
    NameError Airflow raises when that line is reached (JUDG, noted). BaseOperator's scheduling arguments
    (``default_args``' ``start_date``, ``retries``...) that the class's ``__init__`` neither names nor reads from
    ``**kwargs`` are not written into its call: they reach only the stand-in, which ignores them (the planner maps
    them onto the asset); nor is one only ``default_args`` gave that no ``__init__`` names (Airflow passes those
    to BaseOperator alone). A subclass of another module replacing the ``execute()`` of a base support stands in
    for (``SlackAPIPostOperator``), with no ``__init__`` of its own, runs its ``execute()`` on that base the same
    way. A name bound when its module is imported to one of two classes (``Op = A if ENV == "dev" else B``, or an
    ``if``/``else`` binding it) runs the condition, carried as code (its own logic module), and then the class it
    picks: JUDG at best, the weakest of the two, each translated as a task of that class would be; NONE naming
    the alternative (or the condition) that does not translate. Anything else stays in Airflow, saying which
    construct: a sensor's ``poke``, a base the scan cannot read, names the copy could not take from its module,
    an estate module importing Airflow imported whole inside a method (``from m import x`` there is copied as a
    module-level import would be), Airflow APIs (Airflow's metadata database: ``DagRun``, ``Session``) or
    ``BaseOperator`` members with no Dagster-side equivalent, XCom pulls. Airflow APIs read only inside ``if``
    branches whose conditions read only attributes the class's ``__init__`` sets once from a parameter
    (``if self.batch_ind:``) do not stop a task whose literal value of that parameter (its argument, or the
    literal default) never takes them: the note names the branch and the value, and the copy binds those names
    to stand-ins raising, naming what they need, if the branch is reached.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.models import BaseOperator


    class CountRowsOperator(BaseOperator):
        def execute(self, context):
            return 1


    with DAG("acme", schedule=None, start_date=datetime(2024, 1, 1)):
        CountRowsOperator(task_id="count")
    ```

    Becomes:
    ```python
    # acme.py:13 · task count · rule estate_operator · JUDG
    @task_asset(
        DAG,
        "count",
        key=["acme", "count"],
        group_name="acme",
        kinds={"python"},
        metadata={
            "airflow/source": "acme.py:13",
            "airflow/task_id": "count",
            "airflow/operator": "acme.CountRowsOperator",
            "airflow/rule": "estate_operator",
            "airflow/disposition": "JUDG",
            "airflow/reason": (
                "the estate operator CountRowsOperator runs as the asset body on a Dagster-side "
                "BaseOperator (arguments, rendered template_fields, self.log, execute's return value)"
            ),
        },
    )
    def count(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "count")
        logic = load_logic("acme")
        return run_operator(logic.CountRowsOperator, {"task_id": "count"}, airflow, dag=DAG)
    ```
    """

    name = "estate_operator"
    operators = ()
    families = ("estate",)
    disposition = NONE
    emits = "the copied class run by support's BaseOperator (JUDG), or an observation-only AssetSpec naming why"

    def translate(self, task: TaskInput) -> Translation:
        unrecorded = ir.EstateClass(task.task.operator, task.task.source, (task.task.operator,), kind="unresolved")
        record = estate_class(task) or unrecorded
        uses = f" ({'; '.join(record.notes)})" if record.notes and record.kind != "runtime" else ""
        # Which class runs is decided when its module is imported (an environment switch): the asset decides the
        # same way when it runs, if each class translates and the condition is code the Dagster side can run.
        if record.kind == "runtime":
            return _run_chosen_class(task, record)
        # Its base is neither Airflow's nor estate code the scan reads: what it does is unknown.
        if record.kind == "unresolved":
            return Translation(
                NONE,
                f"an estate class derives from a class whose code the scan cannot see: {_where(record)} "
                f"derives from {record.bases[-1]}",
            )
        # A sensor's poke() is the estate's own code; the sensor rules only know Airflow's sensors.
        if record.kind == "sensor":
            return Translation(NONE, f"the poke() of an estate sensor is its own code: {_where(record)}{uses}")
        # Mapped instances of the estate's own class (.partial().expand()) have no translation yet:
        # its __init__ cannot be run over arguments known only when the task is expanded.
        if task.task.mapped:
            return Translation(NONE, f"a mapped task of an estate operator class is not translated: {_where(record)}")
        # A BaseOperator subclass without execute() fails in Airflow too (or inherits one the scan cannot see).
        if "execute" not in record.overrides:
            return Translation(NONE, f"an estate BaseOperator subclass defines no execute(): {_where(record)}")
        copied = _copied_class(task, record)
        # Another module's class the scan could not copy (defined in a block, a module it cannot read).
        if copied is None:
            return Translation(
                NONE,
                f"the execute() of an estate operator class could not be copied out of its module: {_where(record)}",
            )
        return _run_copied_class(task, record, *copied)


# What a translation may hold for its body to be one branch of a choice made when the asset runs.
_NOT_CHOSEN = ("passthrough", "gate", "triggers", "dbt", "checks", "extra_deps", "inputs")


def _run_chosen_class(task: TaskInput, record: ir.EstateClass) -> Translation:
    """A class chosen when its module is imported (``Op = A if condition else B``): the asset runs the condition,
    carried as code, and then the alternative it picks, each translated as a task of that class would be; the
    weakest of their dispositions (JUDG at best), or NONE naming the alternative or the condition that is not."""
    from converters.rules import default_registry  # the registry imports this module

    written = record.notes[0] if record.notes else "an expression"
    condition = record.notes[1] if len(record.notes) > 1 else written
    chosen = f"the operator class is chosen when its module is imported: {record.qualified} = {written}"
    refusal, translations = _choice_refusal(task, record), []
    registry = default_registry()
    for alternative in record.bases if not refusal else ():
        short = alternative.rsplit(".", 1)[-1]
        own = estate_class(dataclasses.replace(task, task=dataclasses.replace(task.task, operator=alternative)))
        if own is not None and own.kind == "runtime":
            refusal = f"{_where(own)} is itself chosen when its module is imported"
            break
        if own is not None:
            operator, family, base = alternative, own.family, own.base_operator if own.kind == "subclass" else ""
        else:
            info = resolve_operator(alternative)
            operator, family, base = info.canonical, info.family, ""
        as_it = dataclasses.replace(task.task, operator=operator, family=family, base_operator=base)
        rule, translation = registry.translate(dataclasses.replace(task, task=as_it))
        if translation.disposition == NONE:
            # That alternative's own rule kept it in Airflow: its reason, after the choice's.
            translation.reason = f"{chosen}; {short} does not translate: {translation.reason}"
            return translation
        held = [f for f in _NOT_CHOSEN if getattr(translation, f)]
        lines = translation.body
        returns = [i for i, line in enumerate(lines) if line.startswith("return ") or "yield" in line]
        if held or returns != [len(lines) - 1]:
            what = ", ".join(held) or "a body that does not end in its value"
            refusal = f"{short} translates ({rule.name}) to {what}, not one branch of a choice"
            break
        translations.append((short, translation))
    # The condition cannot run on the Dagster side, or an alternative cannot be one branch of the asset's choice.
    if refusal:
        return Translation(NONE, f"{chosen}; {refusal}")
    carried = next(c for c in task.file.estate_logic if c.qualified == record.qualified)
    disposition = JUDG
    for _, translation in translations:
        disposition = worse(disposition, translation.disposition)
    (first, a), (second, b) = translations
    home = record.qualified.rsplit(".", 1)[0]
    t = Translation(
        disposition,
        f"{record.qualified.rsplit('.', 1)[-1]} is {first} or {second}, chosen when the asset runs by {condition}: "
        f"{first}: {a.reason}; {second}: {b.reason}",
        kinds=tuple(dict.fromkeys([*a.kinds, *b.kinds])),
        consumed=a.consumed | b.consumed,
        resources=[*a.resources, *(r for r in b.resources if r not in a.resources)],
        imports=a.imports | b.imports,
        support=a.support | b.support,
        uses_logic=a.uses_logic or b.uses_logic,
        code=list(dict.fromkeys([*a.code, *b.code])),
    )
    t.notes.append(
        f"the class is chosen from the Dagster side's environment when the asset runs ({condition}), where Airflow "
        f"chose it from its own when it imported {home}: give both the same environment"
    )
    if carried.copied.environment:
        t.notes.append(f"the choice reads {', '.join(carried.copied.environment)} when the asset runs")
    t.notes += [f"{short}: {note}" for short, translation in translations for note in translation.notes]
    classes = [c for _, tr in translations for c in (tr.logic_class, *tr.logic_classes) if c]
    if carried.path == task.file.path:
        t.uses_logic = True
        test = f"logic.{carried.copied.name}()"
    else:
        classes.insert(0, record.qualified)
        t.support.add("load_logic")
        test = f"load_logic({json.dumps(estate_logic_module(record.qualified))}).{carried.copied.name}()"
    t.logic_classes = tuple(dict.fromkeys(classes))
    t.body.append(f"if {test}:")
    for index, (_, translation) in enumerate(translations):
        if index:
            t.body.append("else:")
        *before, last = translation.body
        t.body += [f"    {line}" for line in before] + [f"    chosen = {last.removeprefix('return ')}"]
    t.body.append("return chosen")
    return t


def _choice_refusal(task: TaskInput, record: ir.EstateClass) -> str:
    """Why a class chosen when its module is imported cannot be chosen by the asset ("" when it can): its condition
    not carried as code (or reading Airflow), an alternative rebuilding its arguments in its ``__init__``."""
    carried = next((c for c in task.file.estate_logic if c.qualified == record.qualified), None)
    if len(record.bases) != 2 or carried is None:
        return "its condition was not carried as code"
    if not carried.copied.name:
        return f"its condition cannot run on the Dagster side: {carried.copied.unresolved[0]}"
    needs_airflow = [c for c in carried.copied.calls if c in task.estate.airflow_modules]
    if carried.copied.airflow_names or needs_airflow:
        return f"its condition reads Airflow ({', '.join([*carried.copied.airflow_names, *needs_airflow])})"
    rebuilt = next((n.split(": ", 1)[1] for n in record.notes if n.startswith("rebuilds its arguments: ")), "")
    if rebuilt:
        return f"{rebuilt} rebuilds its arguments in __init__, which is not followed under a choice"
    return ""


def _copied_class(task: TaskInput, record: ir.EstateClass) -> tuple[ir.Callable, str, dict, str] | None:
    """The class as copied for its tasks: its record, its code, the Airflow names that code binds, and the class of
    another module it is (its own logic module; "" for a class of the DAG file, in the file's logic); or None."""
    if record.source.file != task.file.path:
        alone = next((c for c in task.file.estate_logic if c.qualified == record.qualified), None)
        if alone is None:
            return None
        return alone.copied, alone.code, alone.airflow_imports, alone.qualified
    name = record.qualified.rsplit(".", 1)[-1]
    found = next((c for c in task.file.callables if c.name == name and not c.expression), None)
    return (found, task.file.logic, task.file.logic_airflow_imports, "") if found is not None else None


def _run_copied_class(
    task: TaskInput,
    record: ir.EstateClass,
    copied: ir.Callable,
    logic: str,
    airflow_imports: dict,
    alone: str,
    base_members: frozenset[str] = frozenset(),
) -> Translation:
    """The copied class runs as the asset body on support's BaseOperator; JUDG, or NONE naming what it lacks."""
    t = Translation(
        JUDG,
        f"the estate operator {record.qualified.rsplit('.', 1)[-1]} runs as the asset body on a Dagster-side "
        "BaseOperator (arguments, rendered template_fields, self.log, execute's return value)",
        kinds=("python",),
        consumed=set(task.args),
    )
    local = [u.removesuffix(LOCAL_AIRFLOW_IMPORT) for u in copied.unresolved if u.endswith(LOCAL_AIRFLOW_IMPORT)]
    # A method imports an estate module that imports Airflow (against an import cycle): the copy would fail there.
    if local:
        return Translation(
            NONE,
            f"an estate operator imports {', '.join(local)} inside a method, and that module imports Airflow "
            f"(absent in Dagster): {_where(record)}",
        )
    dropped = [u for u in copied.unresolved if not u.endswith(NEVER_BOUND_NOTE)]
    # Names the copy dropped (its module binds them, the copy could not) would fail only on the Dagster side.
    if dropped:
        return Translation(
            NONE,
            f"an estate operator uses names its {'module' if alone else 'file'} does not define: {_where(record)}: "
            + ", ".join(dropped),
        )
    # Names the original module never binds: the copy fails where Airflow fails (a NameError), no earlier.
    never = [u.removesuffix(NEVER_BOUND_NOTE) for u in copied.unresolved if u.endswith(NEVER_BOUND_NOTE)]
    if never:
        t.notes.append(
            f"uses {', '.join(never)}, which {record.source.file} never binds: the copy raises the NameError Airflow "
            "raises when that code is reached (fix the estate module to make either work)"
        )
    unsupported = [n for n in copied.airflow_names if n not in AIRFLOW_NAMES_SUPPORTED and not hooks.bound(n)]
    unreached = _unreached_branches(task, record, copied, logic, unsupported) if unsupported else None
    if unreached is not None:
        t.notes.append(unreached)  # only in branches this task's literal arguments never take
    # Airflow APIs with no Dagster-side equivalent keep the task in Airflow.
    if unsupported and unreached is None:
        return Translation(
            NONE,
            f"an estate operator calls Airflow APIs with no Dagster-side equivalent here: {_where(record)}: "
            + hooks.describe_unsupported(unsupported),
        )
    bound = {**AIRFLOW_NAMES_SUPPORTED, **hooks.HOOKS}
    classes = {local: bound[q] for local, q in airflow_imports.items() if q in bound}
    modules = hooks.module_imports(airflow_imports)
    missing = hooks.unsupported_uses(logic, copied.name, classes, modules)
    # Methods of a supported Airflow class that support/ does not have (a hook's other methods).
    if missing:
        return Translation(
            NONE,
            f"an estate operator calls Airflow methods with no Dagster-side equivalent here: {_where(record)}: "
            + ", ".join(missing),
        )
    inherited = [m for m in _base_operator_uses(logic, copied.name) if m not in base_members]
    # BaseOperator's own API beyond the stand-in's (xcom_push, self.dag, render_template...) is Airflow's.
    if inherited:
        return Translation(
            NONE,
            f"an estate operator uses BaseOperator members the Dagster-side base does not have: {_where(record)}: "
            + ", ".join(inherited),
        )
    # XComs pulled by the operator's own code have no asset input to come from here.
    if copied.xcom_pulls:
        return Translation(NONE, f"an estate operator pulls XComs in its own code: {_where(record)}")
    used = sorted(hooks.classes_used(copied.airflow_names) - {"BaseHook"})
    if used:
        t.notes.append(hooks.uses_note(used, "the driver installed in the Dagster environment"))
    if copied.reads_conf:
        t.notes.append("reads dag_run.conf: pass it as JSON in the run tag airflow/conf")
    code = Code(t)
    # BaseOperator's scheduling arguments the class neither names nor reads reach only the stand-in, which ignores
    # them (the planner maps retries, timeouts... onto the asset): they are not written into the call.
    # Nor one default_args gave (``catchup``, ``start_date``): Airflow fills from default_args only the parameters
    # an ``__init__`` names, and passes the rest as ``default_args`` to BaseOperator; ``**kwargs`` never holds them.
    named, explicit = _init_names(logic, copied.name), _init_names(logic, copied.name, whole=False)
    defaults = task.dag.default_args
    skipped = {
        k
        for k, v in task.args.items()
        if (k in BASE_OPERATOR_ARGS and k not in named) or (k not in explicit and k in defaults and defaults[k] == v)
    }
    arguments = {
        "task_id": task.task.task_id,
        **{k: v for k, v in task.args.items() if k not in {"dag", "expand"} and k not in skipped},
    }
    try:
        written = code.value(arguments)
    except Untranslatable as exc:
        # An argument the asset cannot write as code: the class cannot be built the same way.
        return Translation(NONE, f"an argument of the estate operator {exc}: {_where(record)}")
    t.support.add("run_operator")
    if alone:
        # Its own logic module; the file's (``logic``) only when an argument is the file's code (a callable).
        t.logic_class = alone
        t.support.add("load_logic")
        operator = f"load_logic({json.dumps(estate_logic_module(alone))}).{copied.name}"
        t.body.append(f"return run_operator({operator}, {written}, airflow, dag=DAG)")
        return t
    t.uses_logic = True
    t.body.append(f"return run_operator(logic.{copied.name}, {written}, airflow, dag=DAG)")
    return t


def _unreached_branches(
    task: TaskInput, record: ir.EstateClass, copied: ir.Callable, logic: str, names: list[str]
) -> str | None:
    """The note of a task that cannot reach the Airflow APIs ``names`` of its class: each read of them lies under an
    ``if`` whose condition, over attributes the class's ``__init__`` sets once from a parameter whose value for this
    task is a literal (its argument, or the parameter's literal default), is decided against it. None otherwise."""
    guarded = {g.name: g for g in copied.guarded}
    if any(name not in guarded for name in names):
        return None  # read outside such branches (or by code copied with the class): reachable
    attributes = _literal_attributes(task, logic, copied.name)
    decided: dict[tuple[int, str, bool], str] = {}
    for name in names:
        for guards in guarded[name].uses:
            found = next((g for g in guards if _decide(g.test, attributes) is (not g.taken)), None)
            if found is None:
                return None  # unknown is reachable
            decided[(found.line, found.test, found.taken)] = _why(found.test, attributes)
    branches = "; ".join(
        f"{'' if taken else 'the else of '}`if {test}:` ({record.source.file}:{line}), since {why}"
        for (line, test, taken), why in sorted(decided.items())
    )
    return (
        f"{hooks.describe_unsupported(names)} used only in a branch this task never runs: {branches}; the copied "
        "class binds them to stand-ins that raise if that branch is ever reached"
    )


_UNKNOWN = object()


def _literal_attributes(task: TaskInput, logic: str, name: str) -> dict[str, tuple[object, str]]:
    """``self.<attribute>`` -> (its value for this task, where it comes from), for the attributes the class chain's
    ``__init__`` sets once, unconditionally, from a parameter, and nothing else in the logic sets (no other method,
    no ``for self.x in``, no ``setattr``), when the task's value of that parameter is a literal."""
    chain = _class_chain(logic, name)
    if not chain or any(len(c.bases) > 1 for c in chain) or task.task.unread_arguments:
        return {}
    tree = ast.parse(logic)
    if any(isinstance(n, ast.Name) and n.id in {"setattr", "vars", "__dict__"} for n in ast.walk(tree)):
        return {}
    if any(isinstance(n, ast.Attribute) and n.attr == "__dict__" for n in ast.walk(tree)):
        return {}
    init = next(
        (i for c in chain for i in c.body if isinstance(i, ast.FunctionDef) and i.name == "__init__"),
        None,
    )
    if init is None or not init.args.args or init.args.posonlyargs:
        return {}
    receiver = init.args.args[0].arg
    parameters = [a.arg for a in init.args.args[1:]] + [a.arg for a in init.args.kwonlyargs]
    positional = [a.arg for a in init.args.args]
    defaults = dict(zip(positional[len(positional) - len(init.args.defaults) :], init.args.defaults, strict=True))
    defaults.update({a.arg: d for a, d in zip(init.args.kwonlyargs, init.args.kw_defaults, strict=True) if d})
    members = {i.name for c in chain for i in c.body if isinstance(i, (ast.FunctionDef, ast.AsyncFunctionDef))}
    stores: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load):
            stores[node.attr] = stores.get(node.attr, 0) + 1
    rebound = {n.id for n in ast.walk(init) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    found: dict[str, tuple[object, str]] = {}
    for stmt in init.body:
        if isinstance(stmt, (ast.Return, ast.Raise)):
            break  # what follows may not run
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.value, ast.Name)):
            continue
        target, parameter = stmt.targets[0], stmt.value.id
        if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)):
            continue
        if target.value.id != receiver or parameter not in parameters or parameter in rebound:
            continue
        if stores.get(target.attr) != 1 or target.attr in members:
            continue  # set elsewhere too (another method, a loop target), or a property
        value = _parameter_value(task, parameter, defaults.get(parameter))
        if value is not None:
            found[target.attr] = value
    return found


def _parameter_value(task: TaskInput, parameter: str, default: ast.expr | None) -> tuple[object, str] | None:
    """(value, where from) of ``parameter`` for this task when it is a literal scalar, else None."""
    if parameter in task.args:
        value = task.args[parameter]
        scalar = value is None or isinstance(value, (bool, int, float, str))
        if not scalar or (isinstance(value, str) and ("{{" in value or "{%" in value)):
            return None  # code, or a template rendered at run time
        return value, f"the task passes {parameter}={value!r}"
    if isinstance(default, ast.Constant):
        return default.value, f"the task leaves {parameter} at its default {default.value!r}"
    return None


def _decide(test: str, attributes: dict[str, tuple[object, str]]) -> object:
    """The truth of an attribute condition (``self.a and not self.b``, ``self.mode == "x"``) for known attribute
    values: True, False, or ``_UNKNOWN`` (``and``/``or`` decided by one known side, as Python short-circuits)."""
    try:
        node = ast.parse(test, mode="eval").body
    except SyntaxError:
        return _UNKNOWN
    value = _value(node, attributes)
    return _UNKNOWN if value is _UNKNOWN else bool(value)


def _value(node: ast.expr, attributes: dict[str, tuple[object, str]]) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Attribute):
        return attributes[node.attr][0] if node.attr in attributes else _UNKNOWN
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [_value(e, attributes) for e in node.elts]
        return _UNKNOWN if _UNKNOWN in items else tuple(items)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _value(node.operand, attributes)
        return _UNKNOWN if inner is _UNKNOWN else not inner
    if isinstance(node, ast.BoolOp):
        # `a and b` is false once one side is known false (true for `or`), whatever the other holds.
        deciding = isinstance(node.op, ast.Or)
        values = [_value(v, attributes) for v in node.values]
        truths = [v if v is _UNKNOWN else bool(v) for v in values]
        if deciding in truths:
            return deciding
        return _UNKNOWN if _UNKNOWN in truths else (not deciding)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, right = _value(node.left, attributes), _value(node.comparators[0], attributes)
        if left is _UNKNOWN or right is _UNKNOWN:
            return _UNKNOWN
        compare = {
            ast.Eq: lambda a, b: a == b,
            ast.NotEq: lambda a, b: a != b,
            ast.Is: lambda a, b: a is b,
            ast.IsNot: lambda a, b: a is not b,
            ast.In: lambda a, b: a in b,
            ast.NotIn: lambda a, b: a not in b,
        }.get(type(node.ops[0]))
        try:
            return compare(left, right) if compare is not None else _UNKNOWN
        except TypeError:
            return _UNKNOWN
    return _UNKNOWN


def _why(test: str, attributes: dict[str, tuple[object, str]]) -> str:
    """The attributes a condition reads, with the literal each holds for this task and where it comes from."""
    read = sorted({n.attr for n in ast.walk(ast.parse(test, mode="eval")) if isinstance(n, ast.Attribute)})
    known = [f"{a} is {attributes[a][0]!r} ({attributes[a][1]})" for a in read if a in attributes]
    return ", ".join(known) or "its condition is constant"


# Support classes that also stand as the base of an estate subclass replacing execute(): the provider's
# template_fields (rendered before execute, as Airflow does), its attributes, ``log``.
SUPPORT_BASES = frozenset({"SlackAPIPostOperator"})

# What support's BaseOperator stand-in provides to a copied class (besides what the class defines itself).
STAND_IN_MEMBERS = frozenset({"log", "task_id", "template_fields", "template_ext", "execute", "__class__"})


def _class_chain(logic: str, name: str) -> list[ast.ClassDef]:
    """The copied class and its copied bases (those defined in the same logic), the class first."""
    tree = _parsed(logic)
    if tree is None:
        return []
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    chain, todo = [], [name]
    while todo:
        node = classes.pop(todo.pop(), None)
        if node is not None:
            chain.append(node)
            todo += [b.id for b in node.bases if isinstance(b, ast.Name)]
    return chain


@functools.lru_cache(maxsize=64)
def _parsed(logic: str) -> ast.Module | None:
    """A copied logic's tree, parsed once for the several questions asked of each of its classes (read only)."""
    try:
        return ast.parse(logic)
    except SyntaxError:
        return None


def _init_names(logic: str, name: str, whole: bool = True) -> set[str]:
    """The parameters of the ``__init__``s of the class chain, and the strings they hold (``kwargs["retries"]``,
    ``kwargs.get("owner")``): the arguments the class itself may read; with ``whole``, BaseOperator's arguments
    too when an ``__init__`` uses its ``**kwargs`` otherwise than passing it on (it may read any of them)."""
    found: set[str] = set()
    for node in _class_chain(logic, name):
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                arguments = item.args
                found |= {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}
                found |= {c.value for c in ast.walk(item) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
                rest = arguments.kwarg.arg if arguments.kwarg is not None else None
                passed = {id(k.value) for k in ast.walk(item) if isinstance(k, ast.keyword) and k.arg is None}
                # ``kwargs["owner"]``, ``kwargs.get("retries")``: one argument read by its name (found above)
                passed |= {
                    id(n.value)
                    for n in ast.walk(item)
                    if (isinstance(n, ast.Attribute) and n.attr in {"get", "pop"})
                    or (isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Constant))
                }
                # ``**kwargs`` used otherwise than passed on (kept, iterated): the class may read any of them.
                if whole and any(
                    isinstance(n, ast.Name) and n.id == rest and id(n) not in passed for n in ast.walk(item)
                ):
                    found |= BASE_OPERATOR_ARGS
    return found


def _base_operator_uses(logic: str, name: str) -> list[str]:
    """``self.<member>`` reads of the copied class (and its copied bases) that neither it nor the stand-in has."""
    chain = _class_chain(logic, name)
    defined = set(STAND_IN_MEMBERS)
    read: set[str] = set()
    for node in chain:
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defined.add(item.name)
            for target in item.targets if isinstance(item, ast.Assign) else [getattr(item, "target", None)]:
                if isinstance(target, ast.Name):
                    defined.add(target.id)
        for inner in ast.walk(node):
            if isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name) and inner.value.id == "self":
                (defined.add if isinstance(inner.ctx, ast.Store) else read.add)(inner.attr)
    return sorted(read - defined)


def translate_subclass(registry, task: TaskInput) -> tuple[Rule, Translation] | None:
    """A task of an estate subclass of a known operator: that operator's rule, then what the subclass changes.

    None when the task is not one (the registry then looks it up as usual).
    """
    record = estate_class(task)
    if record is None or record.kind != "subclass" or not task.task.base_operator:
        return None
    as_base = dataclasses.replace(task, task=dataclasses.replace(task.task, operator=task.task.base_operator))
    rule = registry.rule_for(as_base)
    translation = rule.translate(as_base)
    if translation.disposition == NONE:
        return rule, translation
    base = record.base_operator.rsplit(".", 1)[-1]
    changed = [m for m in record.overrides if m in RUN_TIME_METHODS]
    own = registry.by_family["estate"][0]
    if "execute" in changed and "execute" not in record.calls_super:
        return own, _run_replaced_execute(task, record, base, changed)
    followed = "; ".join(
        [f"overrides {', '.join(m + '()' for m in changed)}" for _ in [0] if changed]
        + ["sets its own template_fields" for _ in [0] if "template_fields" in record.attributes]
    )
    if followed:
        translation.disposition = worse(translation.disposition, JUDG)
        translation.reason = (
            f"{translation.reason}; estate class {_where(record)} {followed}: translated as {base}, "
            "review what it changes"
        )
    translation.notes.append(f"estate class {_where(record)}: translated as {base} with its defaults applied")
    return rule, translation


def _run_replaced_execute(task: TaskInput, record: ir.EstateClass, base: str, changed: list[str]) -> Translation:
    """A subclass of a known operator replacing its ``execute()``: its own ``execute()`` runs, on the Dagster-side
    equivalent of its base that support/hooks.py declares (a class copied alone, with no ``__init__`` of its own, so
    the task's arguments are its base's), as a ``BaseOperator`` subclass runs; else NONE, as before."""
    alone = next((c for c in task.file.estate_logic if c.qualified == record.qualified), None)
    if alone is None or changed != ["execute"] or hooks.HOOKS.get(record.base_operator) not in SUPPORT_BASES:
        return _replaced_execute(record, base)
    members = hooks.support_members().get(hooks.HOOKS[record.base_operator], frozenset())
    t = _run_copied_class(task, record, alone.copied, alone.code, alone.airflow_imports, alone.qualified, members)
    if t.disposition != NONE:
        t.reason = (
            f"the estate subclass {record.qualified.rsplit('.', 1)[-1]} replaces the execute() of {base}: its own "
            f"execute() runs as the asset body on support's {base} (arguments, rendered template_fields, "
            "execute's return value)"
        )
    return t


def _replaced_execute(record: ir.EstateClass, base: str) -> Translation:
    # The subclass replaces its base's execute(): the base's translation would run something else.
    return Translation(
        NONE, f"an estate subclass replaces the execute() of its base: {_where(record)} does not call {base}.execute()"
    )


ORDER = 990  # before the fallback
RULES = [EstateOperator]
