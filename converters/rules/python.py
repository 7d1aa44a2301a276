"""Python callables: PythonOperator, ``@task``, virtualenv/external Python, branching and short circuits.

The callable's code is copied out of the DAG file into ``<package>/logic/<file>.py`` by the scan; the asset
calls it with Airflow's context rebuilt for the run (``call_python`` passes context keys by parameter name,
as PythonOperator does), and returns its value: the asset value replaces the XCom.
"""

from __future__ import annotations

from converters.inventory import ir
from converters.inventory.operators import canonical, decorated
from converters.rules import hooks
from converters.rules.base import JUDG, MECH, NONE, REDESIGN, Code, Rule, TaskInput, Translation, Untranslatable, worse
from converters.rules.hooks import AIRFLOW_NAMES_SUPPORTED

# Airflow hooks (BaseHook included) are bound to support/hooks.py: their paths are in rules/hooks.py's HOOKS.
CALLABLE_ARGS = {
    "python_callable",
    "op_args",
    "op_kwargs",
    "templates_dict",
    "templates_exts",
    "show_return_value_in_logs",
    "expand",
}


def translate_callable(task: TaskInput, disposition: str, reason: str) -> Translation:
    """The shared part of every Python rule: find the callable, judge what its code needs, call it."""
    t = Translation(disposition, reason, kinds=("python",), consumed=set(CALLABLE_ARGS))
    code = Code(t)
    value = task.args.get("python_callable")
    found = task.callable(value)
    # If the callable is neither a function of this file nor an import, we cannot run it.
    if found is None and not isinstance(value, ir.RefValue):
        source = ir.to_json(value.source if isinstance(value, ir.SourceValue) else value)
        needs = f" (as code it needs {value.needs})" if isinstance(value, ir.SourceValue) and value.needs else ""
        return Translation(NONE, f"python_callable is not a function the scan can copy: {source!s:.100}{needs}")
    if found is not None:
        shown = found.written or found.name  # a closure or partial bound per task: the function as written
        # Names the copied code needs but the file does not bind would fail at run time.
        if found.unresolved:
            return Translation(NONE, f"{shown} uses names its file does not define: {', '.join(found.unresolved)}")
        unsupported = [n for n in found.airflow_names if n not in AIRFLOW_NAMES_SUPPORTED and not hooks.bound(n)]
        # Airflow APIs we do not reproduce keep the task in Airflow.
        if unsupported:
            return Translation(
                NONE,
                f"{shown} calls Airflow APIs with no Dagster-side equivalent here: "
                + hooks.describe_unsupported(unsupported),
            )
        bound = {**AIRFLOW_NAMES_SUPPORTED, **hooks.HOOKS}
        classes = {local: bound[q] for local, q in task.file.logic_airflow_imports.items() if q in bound}
        modules = hooks.module_imports(task.file.logic_airflow_imports)
        missing = hooks.unsupported_uses(task.file.logic, found.name, classes, modules)
        # Methods of a supported Airflow class that support/ does not have (Variable.set, a hook's other methods).
        if missing:
            return Translation(
                NONE, f"{shown} calls Airflow methods with no Dagster-side equivalent here: " + ", ".join(missing)
            )
        if any(hooks.HOOKS.get(n) == "Connection" for n in found.airflow_names):
            t.disposition = worse(t.disposition, JUDG)
            t.notes.append("reads Airflow Connections: Dagster reads them from AIRFLOW_CONN_<ID> environment variables")
        used = sorted(hooks.classes_used(found.airflow_names) - {"BaseHook", "Connection"})
        if used:
            t.disposition = worse(t.disposition, JUDG)
            t.notes.append(hooks.uses_note(used, "the database or service driver installed in the Dagster environment"))
        if any(n.endswith("Variable") for n in found.airflow_names):
            t.disposition = worse(t.disposition, JUDG)
            t.notes.append("reads Airflow Variables: Dagster reads them from AIRFLOW_VAR_<KEY> environment variables")
        if found.xcom_pulls:
            # Pulls from tasks known only at run time can't become asset inputs.
            if "?" in found.xcom_pulls:
                return Translation(NONE, f"{shown} pulls XComs from tasks only known at run time")
            t.disposition = worse(t.disposition, JUDG)
            t.notes.append("xcom_pull reads the upstream assets' values (" + ", ".join(found.xcom_pulls) + ")")
            for pulled in found.xcom_pulls:
                if pulled not in t.inputs:
                    t.inputs.append(pulled)
        if found.reads_conf:
            t.disposition = worse(t.disposition, JUDG)
            t.notes.append("reads dag_run.conf: pass it as JSON in the run tag airflow/conf")
    try:
        fn = code.value(value)
        parts = [fn, "airflow"]
        for key in ("op_args", "op_kwargs", "templates_dict"):
            if task.args.get(key) not in (None, [], {}):
                parts.append(f"{key}={code.value(task.args[key])}")
        if task.task.mapped:
            parts.append(f"expand={code.value(task.args.get('expand', {}))}")
            parts.append(f"taskflow={task.task.taskflow!r}")
    except Untranslatable as exc:
        # If an argument of the callable can't be written as code, the asset can't call it the same way.
        return Translation(NONE, f"an argument of the callable {exc}")
    parts.append("dag=DAG")
    call = "call_mapped" if task.task.mapped else "call_python"
    t.support.add(call)
    if task.task.mapped:
        t.disposition = worse(t.disposition, JUDG)
        t.notes.append("mapped: one asset runs every mapped instance in turn (Airflow ran them as separate tasks)")
    t.body.append(f"return {call}({', '.join(parts)})")
    return t


class PythonCallable(Rule):
    """What it does: runs a PythonOperator's (or a ``@task`` function's) callable in an asset.

    Why: the callable is the task. Its code is copied out of the DAG file with what it needs, called with
    Airflow's context rebuilt from the partition (``ds``, ``params``…), and its return value becomes the
    asset value, so downstream TaskFlow arguments become asset inputs.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.operators.python import PythonOperator


    def extract(source, ds, **kwargs):
        return f"{source}:{ds}"


    with DAG("shop", schedule="@daily", start_date=datetime(2024, 1, 1)):
        PythonOperator(task_id="extract", python_callable=extract, op_kwargs={"source": "api"})
    ```

    Becomes:
    ```python
    # shop.py:12 · task extract · rule python.callable · MECH
    @task_asset(
        DAG,
        "extract",
        key=["shop", "extract"],
        group_name="shop",
        kinds={"python"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "shop.py:12",
            "airflow/task_id": "extract",
            "airflow/operator": "airflow.operators.python.PythonOperator",
            "airflow/rule": "python.callable",
            "airflow/disposition": "MECH",
            "airflow/reason": "the callable runs as the asset body",
        },
    )
    def extract(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "extract")
        logic = load_logic("shop")
        return call_python(logic.extract, airflow, op_kwargs={"source": "api"}, dag=DAG)
    ```
    """

    name = "python.callable"
    operators = (*canonical("PythonOperator"), *decorated("", "python"))
    families = ("python",)
    emits = "an asset calling the copied callable with Airflow's context; its return value is the asset value"

    def translate(self, task: TaskInput) -> Translation:
        return translate_callable(task, MECH, "the callable runs as the asset body")


class PythonIsolated(Rule):
    """What it does: runs a PythonVirtualenvOperator/ExternalPythonOperator (or ``@task.virtualenv``) callable.

    Why: Airflow builds or reuses a separate interpreter; the asset runs the callable in the code
    location's own environment instead. That is a decision to make per task (the requirements must be
    installed there), so the disposition is JUDG.

    Example:
    ```python
    from datetime import datetime

    from airflow.decorators import dag, task


    @dag(schedule=None, start_date=datetime(2024, 1, 1))
    def reports():
        @task.virtualenv(requirements=["tabulate"])
        def render():
            return "done"

        render()


    reports()
    ```

    Becomes:
    ```python
    # reports.py:12 · task render · rule python.isolated · JUDG
    # not consumed: requirements
    @task_asset(
        DAG,
        "render",
        key=["reports", "render"],
        group_name="reports",
        kinds={"python"},
        metadata={
            "airflow/source": "reports.py:12",
            "airflow/task_id": "render",
            "airflow/operator": "airflow.decorators.task.virtualenv",
            "airflow/rule": "python.isolated",
            "airflow/disposition": "JUDG",
            "airflow/reason": "runs in the code location's environment, not a separate virtualenv",
            "airflow/unconsumed": ["requirements"],
        },
    )
    def render_asset(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "render")
        logic = load_logic("reports")
        return call_python(logic.render, airflow, dag=DAG)
    ```
    """

    name = "python.isolated"
    operators = (
        *canonical("PythonVirtualenvOperator", "ExternalPythonOperator"),
        *decorated("virtualenv", "external_python"),
    )
    families = ("python_venv",)
    disposition = JUDG
    emits = "an asset calling the callable in the code location's environment (requirements to install there)"

    def translate(self, task: TaskInput) -> Translation:
        return translate_callable(task, JUDG, "runs in the code location's environment, not a separate virtualenv")


class Branch(Rule):
    """What it does: runs a branch callable and lets only the chosen downstream assets materialize.

    Why: Airflow skips the tasks a branch did not choose. Dagster has no skipped state inside a run; the
    asset's value is the branch's choice, and each direct downstream asset reads it and yields no output
    when it was not chosen (``output_required=False``), so its own downstream is skipped too. Trigger rules
    that join branches are not reproduced beyond that, hence REDESIGN.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.operators.python import BranchPythonOperator


    def choose(ds, **kwargs):
        return "full" if ds.endswith("1") else "light"


    with DAG("checks", schedule=None, start_date=datetime(2024, 1, 1)):
        BranchPythonOperator(task_id="choose", python_callable=choose)
    ```

    Becomes:
    ```python
    # checks.py:12 · task choose · rule python.branch · REDESIGN
    @task_asset(
        DAG,
        "choose",
        key=["checks", "choose"],
        group_name="checks",
        kinds={"python"},
        metadata={
            "airflow/source": "checks.py:12",
            "airflow/task_id": "choose",
            "airflow/operator": "airflow.operators.python.BranchPythonOperator",
            "airflow/rule": "python.branch",
            "airflow/disposition": "REDESIGN",
            "airflow/reason": "the branch's choice is the asset value; unchosen downstream assets yield no output",
        },
    )
    def choose(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "choose")
        logic = load_logic("checks")
        return call_python(logic.choose, airflow, dag=DAG)
    ```
    """

    name = "python.branch"
    operators = (
        *canonical("BranchPythonOperator"),
        *decorated("branch"),
        *canonical("BranchPythonVirtualenvOperator", "BranchExternalPythonOperator"),
    )
    disposition = REDESIGN
    emits = "an asset returning the chosen task ids; direct downstream assets check it (output_required=False)"

    def translate(self, task: TaskInput) -> Translation:
        t = translate_callable(
            task,
            REDESIGN,
            "the branch's choice is the asset value; unchosen downstream assets yield no output",
        )
        if t.disposition != NONE:
            t.gate = "branch"
        return t


class ShortCircuit(Rule):
    """What it does: runs a short-circuit callable; a falsy result stops the assets downstream of it.

    Why: Airflow skips everything downstream when the callable returns a falsy value. Here the value is
    the asset value and the direct downstream assets yield no output when it is falsy, which skips their
    own downstream in the same run (REDESIGN: across runs nothing is skipped).

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.operators.python import ShortCircuitOperator


    def is_weekday(ds, **kwargs):
        return True


    with DAG("gate", schedule=None, start_date=datetime(2024, 1, 1)):
        ShortCircuitOperator(task_id="weekday", python_callable=is_weekday)
    ```

    Becomes:
    ```python
    # gate.py:12 · task weekday · rule python.short_circuit · REDESIGN
    @task_asset(
        DAG,
        "weekday",
        key=["gate", "weekday"],
        group_name="gate",
        kinds={"python"},
        metadata={
            "airflow/source": "gate.py:12",
            "airflow/task_id": "weekday",
            "airflow/operator": "airflow.operators.python.ShortCircuitOperator",
            "airflow/rule": "python.short_circuit",
            "airflow/disposition": "REDESIGN",
            "airflow/reason": "a falsy value stops the direct downstream assets (they yield no output)",
        },
    )
    def weekday(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "weekday")
        logic = load_logic("gate")
        return call_python(logic.is_weekday, airflow, dag=DAG)
    ```
    """

    name = "python.short_circuit"
    operators = (*canonical("ShortCircuitOperator"), *decorated("short_circuit"))
    families = ("short_circuit",)
    disposition = REDESIGN
    emits = "an asset returning the condition; direct downstream assets check it (output_required=False)"

    def translate(self, task: TaskInput) -> Translation:
        t = translate_callable(
            task, REDESIGN, "a falsy value stops the direct downstream assets (they yield no output)"
        )
        t.consumed.add("ignore_downstream_trigger_rules")
        if t.disposition != NONE:
            t.gate = "short_circuit"
        return t


ORDER = 10
RULES = [PythonCallable, PythonIsolated, Branch, ShortCircuit]
