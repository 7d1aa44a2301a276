"""The modern form of a DAG's module (`modernize`): idiomatic Dagster where the plan proves it equal, the
faithful form (``render.py``) with a note naming why everywhere else.

Only a decommissioned DAG is modernized (Airflow no longer runs it, so nothing needs Airflow's context any
more). Written from the Plan only, like the faithful form:

- ``partitions``: ``dg.DailyPartitionsDefinition(start_date=…, hour_offset=…, minute_offset=…)`` (or hourly)
  when its windows are the cron's; any other cron keeps ``TimeWindowPartitionsDefinition``.
- ``direct_call``: a PythonOperator's callable imported from the copied logic and called with its arguments:
  ``op_args``/``op_kwargs`` literals, ``{{ ds }}``/``{{ ds_nodash }}`` (alone or in a string) and the parameters
  ``ds``/``ds_nodash`` from the partition. A callable that reads Airflow (its context through ``**kwargs``, XComs,
  ``dag_run.conf``, Airflow names) stays faithful.
- ``with_params``: ``{{ params.NAME }}`` of a DAG param that is a plain literal is that literal as Jinja renders
  it (text), in arguments, commands and SQL alike.
- ``bash_call``: a BashOperator whose command's templates are that simple (and ``ti.xcom_pull`` of an input):
  an f-string run with bash in a scratch folder, its output logged, its last line the asset's value.
- ``check_target``: a quality task (it reads one upstream asset, no task reads its value, every task after it
  also follows that asset; `modernize` adds the gate evidence that it wrote no table) becomes an
  ``@dg.asset_check`` on that asset, ``blocking=True`` when tasks followed it in Airflow.
- ``sensor_poke``: a sensor task that starts a partitioned DAG (file, Python callable, S3 key, HTTP) becomes
  ``<task>_ready(partition_key, …)`` (one poke) and a ``@dg.sensor`` on the DAG's job that requests one run per
  partition whose poke succeeds within the sensor's timeout (``run_key``: never twice), in place of the
  schedule; the assets after it no longer follow it (``sensor_tasks`` tells the gates and smoke tests).
- ``sql_check``: a common.sql check operator with that evidence becomes an ``@dg.asset_check`` on its one upstream
  asset running the same SQL through the same ``SqlConnection`` and judging the rows with the same
  ``support.providers`` function as the faithful asset (Airflow's pass/fail rules); checks on one asset are
  chosen together (``checks_on``): a blocking one stops every asset after that asset, each must have followed it.
- ``sql_write``: a SQL operator (``sql.execute``: ``SQLExecuteQueryOperator``, ``PostgresOperator``…) with a
  literal connection id and literal statements becomes an asset calling its connection resource's ``run`` on
  them, ``{{ ds }}``/``{{ ds_nodash }}`` the partition key (the faithful asset's call without Jinja).
- ``_gated``: a branch or short-circuit task (its callable called directly, its value the choice) and each task
  it may skip written modern: that task's work runs only when the gate's value lets it (``branch_allows``, or
  the short-circuit's truthy value), else it yields no output (``output_required=False``) and what follows it
  in the run is skipped, as the faithful asset does.
- a cosmos dbt group of a daily-partitioned DAG: the same ``@dbt_assets`` (``render.render_dbt(modern=True)``),
  its ``--vars`` from the partition (``partition_vars``) instead of Airflow's context.
- ``full_refresh``: a modern asset whose work reads no date is written without the DAG's partitions (a
  ``create or replace`` of a whole table among them).
- what every asset of the DAG shares (group, partitions, retries, owners, tags, the key prefix of the assets
  named by their task) is written once (``SHARED``); an asset after another of the module names it (``deps=[load]``,
  ``dg.AssetIn(load.key)``), a function takes ``context`` only when it uses it, a task a branch may skip runs under
  ``if branch_allows(...)``.

Tersely, as a Dagster engineer writes it (issue 19's size note, ``render_modern_module``): no provenance comment
or metadata dict per asset (each definition is named as its task, so no ``TASKS`` unless some name differs or a
dbt group has several assets: ``gates/graph.module_tasks``; a data-named key, ``plan/lineage.name_by_data``, says
its table), the callables through one ``from ..logic import <file> as logic``, the job's partitions its assets'.
"""

from __future__ import annotations

import ast
import dataclasses
import re

from converters.codegen import render
from converters.codegen.render import q
from converters.codegen.wrap import LINE_LENGTH, prose
from converters.inventory import ir, to_ir
from converters.plan import Dep, PlannedDag, PlannedTask, task_logic_modules
from converters.plan.lineage import data_key
from converters.rules.base import MECH, NONE, Resource, python_name

MODERN_RULES = {"python.callable", "bash.command"}
# The context keys a callable may ask for that the partition gives: the Airflow name -> the expression.
FROM_PARTITION = {
    "ds": "context.partition_key",
    "ds_nodash": "context.partition_key.replace('-', '')",
}
# Names Airflow passes a callable from its context (a parameter so named, even with a default, gets Airflow's).
AIRFLOW_CONTEXT = frozenset(
    "conf dag dag_run data_interval_end data_interval_start ds ds_nodash execution_date exception expanded_ti_count "
    "inlets inlet_events logical_date macros map_index_template next_ds next_ds_nodash next_execution_date outlets "
    "outlet_events params prev_data_interval_end_success prev_data_interval_start_success prev_ds prev_ds_nodash "
    "prev_end_date_success prev_execution_date prev_execution_date_success prev_start_date_success run_id task "
    "task_instance task_instance_key_str templates_dict test_mode ti tomorrow_ds tomorrow_ds_nodash "
    "triggering_asset_events triggering_dataset_events ts ts_nodash ts_nodash_with_tz var conn yesterday_ds "
    "yesterday_ds_nodash".split()
)
# The parameters of BaseOperator (Airflow 2.11 and 3.3) and of the operators the modern form writes: a
# ``default_args`` key that is none of its operator's parameters is not passed to the task (``_extra_arguments``).
BASE_OPERATOR_PARAMETERS = frozenset(
    {"allow_nested_operators", "dag", "default_args", "depends_on_past", "do_xcom_push", "doc", "doc_json", "doc_md"}
    | {"doc_rst", "doc_yaml", "email", "email_on_failure", "email_on_retry", "end_date", "execution_timeout"}
    | {"executor", "executor_config", "ignore_first_depends_on_past", "inlets", "logger_name", "map_index_template"}
    | {"max_active_tis_per_dag", "max_active_tis_per_dagrun", "max_retry_delay", "multiple_outputs"}
    | {"on_execute_callback", "on_failure_callback", "on_retry_callback", "on_skipped_callback"}
    | {"on_success_callback", "outlets", "owner", "params", "pool", "pool_slots", "post_execute", "pre_execute"}
    | {"priority_weight", "queue", "render_template_as_native_obj", "resources", "retries", "retry_delay"}
    | {"retry_exponential_backoff", "retry_policy", "run_as_user", "sla", "start_date", "task_concurrency"}
    | {"task_display_name", "task_group", "task_id", "trigger_rule", "wait_for_downstream"}
    | {"wait_for_past_depends_before_skipping", "weight_rule"}
)
_PYTHON_OPERATOR = frozenset(
    {"python_callable", "op_args", "op_kwargs", "templates_dict", "templates_exts", "show_return_value_in_logs"}
)
OPERATOR_PARAMETERS = {
    "python.callable": _PYTHON_OPERATOR,
    "python.branch": _PYTHON_OPERATOR,
    "python.short_circuit": _PYTHON_OPERATOR | {"ignore_downstream_trigger_rules"},
    "bash.command": frozenset(
        {"bash_command", "env", "append_env", "output_encoding", "skip_exit_code", "skip_on_exit_code", "cwd"}
        | {"output_processor"}
    ),
}
# ``provide_context``: Airflow 1.10's way to pass the context as keyword arguments; the call passes what the
# callable's parameters take from it (``FROM_PARTITION``), and a callable reading ``**kwargs`` stays faithful.
PYTHON_ARGUMENTS = {"python_callable", "op_args", "op_kwargs", "provide_context"}
BASH_ARGUMENTS = {"bash_command", "env", "append_env"}
# What a task's arguments may hold besides its operator's own: Airflow's scheduling and ownership arguments,
# which the shared decorator arguments (retries, pool, owner) or the job carry, and its datasets.
COMMON_ARGUMENTS = {
    "owner",
    "retries",
    "retry_delay",
    "retry_exponential_backoff",
    "max_retry_delay",
    "pool",
    "pool_slots",
    "priority_weight",
    "weight_rule",
    "queue",
    "email",
    "email_on_failure",
    "email_on_retry",
    "depends_on_past",
    "wait_for_downstream",
    "start_date",
    "end_date",
    "trigger_rule",
    "doc",
    "doc_md",
    "doc_rst",
    "do_xcom_push",
    "execution_timeout",
    "on_failure_callback",
    "sla",  # its freshness policy (``_modern_asset``)
    "task_id",
    "dag",
    # Datasets: the plan already made them the dependencies of the assets that follow them (plan/lineage.py).
    "outlets",
    "inlets",
}
SIMPLE = re.compile(r"\{\{\s*(ds|ds_nodash)\s*\}\}")
XCOM = re.compile(
    r"""\{\{\s*(?:ti|task_instance)\.xcom_pull\(\s*task_ids\s*=\s*(?P<quote>['"])(?P<task>[\w.\-]+)(?P=quote)\s*\)\s*\}\}"""
)
JINJA = re.compile(r"\{\{|\{%|\{#")
DAILY = re.compile(r"^(\d{1,2}) (\d{1,2}) \* \* \*$")


@dataclasses.dataclass(frozen=True)
class Choice:
    """How one task is written in the modern module: ``asset`` (body lines), ``check`` or ``faithful`` (why)."""

    kind: str
    body: tuple[str, ...] = ()
    why: str = ""
    target: tuple[str, ...] = ()  # a check: the asset key it checks
    blocking: bool = False
    imports: frozenset[str] = frozenset()  # logic names it calls, as ``logic.<name>`` (the module imports the file's)
    modules: frozenset[str] = frozenset()  # standard-library modules it imports (or whole ``from`` import lines)
    providers: frozenset[str] = frozenset()  # ``support.providers`` functions it calls (a SQL check)
    resources: tuple[tuple[str, str], ...] = ()  # (parameter, resource class) it takes (a SQL check's connection)
    support: frozenset[str] = frozenset()  # ``support.runtime`` names it calls (``branch_allows``)


# -- partitions ----------------------------------------------------------------------------------------------


def partitions(planned: PlannedDag) -> tuple[str, str]:
    """The DAG's partitions definition and, when it stays a raw cron window, why."""
    start = planned.dag.start_date
    cron = planned.cron or ""
    daily = DAILY.match(cron)
    if daily and planned.partition_fmt == "%Y-%m-%d" and start:
        minute, hour = int(daily.group(1)), int(daily.group(2))
        offsets = (f", hour_offset={hour}" if hour else "") + (f", minute_offset={minute}" if minute else "")
        return f"dg.DailyPartitionsDefinition(start_date={q(start)}{offsets})", ""
    hourly = re.match(r"^(\d{1,2}) \* \* \* \*$", cron)
    if hourly and planned.partition_fmt == "%Y-%m-%d-%H:%M" and start:
        minute = int(hourly.group(1))
        offset = f", minute_offset={minute}" if minute else ""
        return f"dg.HourlyPartitionsDefinition(start_date={q(start + '-00:00')}{offset})", ""
    return render.cron_partitions(planned), f"the cron {cron!r} is no daily or hourly window: kept as a cron window"


# -- templates and calls ---------------------------------------------------------------------------------------


def template_expression(text: str, inputs: dict[str, str] | None = None) -> str | None:
    """A Python expression for a templated string whose only templates are ``{{ ds }}``, ``{{ ds_nodash }}`` and
    ``{{ ti.xcom_pull(task_ids='X') }}`` of an input (``inputs``: task id -> parameter); None otherwise."""
    inputs = inputs or {}
    literals: list[str] = []
    values: list[str] = []
    position = 0
    for match in re.finditer(f"{SIMPLE.pattern}|{XCOM.pattern}", text):
        literals.append(text[position : match.start()])
        if match.group(1):
            values.append(FROM_PARTITION[match.group(1)])
        elif match.group("task") in inputs:
            values.append(inputs[match.group("task")])
        else:
            return None
        position = match.end()
    literals.append(text[position:])
    if any(JINJA.search(literal) for literal in literals):
        return None  # another template, a filter, a block: Jinja only can render it
    if not values:
        return string_literal(text)
    if len(values) == 1 and literals == ["", ""]:
        return values[0] if values[0] in FROM_PARTITION.values() else f"str({values[0]})"
    body = literals[0].replace("{", "{{").replace("}", "}}")
    for value, literal in zip(values, literals[1:], strict=True):
        body += "{" + value + "}" + literal.replace("{", "{{").replace("}", "}}")
    return string_literal(body, "f")


def string_literal(body: str, prefix: str = "") -> str:
    """``body`` as a literal: triple-quoted when it spans lines (a SQL statement keeps its own lines, as in the
    DAG file) and that spells the same value — no backslash, quote run, tab or trailing space to escape, every
    line short enough for the lint; otherwise one escaped line (``wrap`` cuts it when it is long)."""
    lines = body.split("\n")
    if (
        len(lines) > 1
        and not re.search(r'[\\\x00-\x09\x0b-\x1f\x7f]|""|"$', body)
        and len(lines[0]) <= LINE_LENGTH // 2
        and all(len(line) <= LINE_LENGTH - 20 and line == line.rstrip() for line in lines)
    ):
        return f'{prefix}"""{body}"""'
    return prefix + q(body)


PARAM = re.compile(r"""\{\{\s*params(?:\.(\w+)|\[\s*(['"])(\w+)\2\s*\])\s*\}\}""")


def with_params(planned: PlannedDag, value):
    """``value`` (a literal argument, JSON from the IR) with each ``{{ params.NAME }}`` whose DAG param is a plain
    literal written as Jinja renders it (``str``): the DAG's params are fixed once Airflow no longer runs it (no
    run conf overrides them), as the faithful asset's ``DagInfo(params=...)`` holds them. A param that is code
    or an Airflow ``Param`` stays a template (the caller keeps the task faithful)."""
    params = planned.dag.params
    if isinstance(value, str):

        def literal(match: re.Match) -> str:
            name = match.group(1) or match.group(3)
            known = params.get(name, ...)
            plain = known is None or isinstance(known, (str, bool, int, float))
            return str(known) if plain and name in params else match.group(0)

        return PARAM.sub(literal, value)
    if isinstance(value, list):
        return [with_params(planned, v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) and not k.startswith("$") for k in value):
        return {k: with_params(planned, v) for k, v in value.items()}
    return value


def argument_expression(value, inputs: dict[str, str] | None = None) -> str | None:
    """A literal argument (JSON from the IR) as Python, its strings' simple templates rendered and an upstream
    task's value (``XComValue``, a TaskFlow argument) the asset's input of it (``inputs``: task id -> parameter);
    None otherwise."""
    inputs = inputs or {}
    if isinstance(value, ir.XComValue):
        return inputs.get(value.task_id)
    if isinstance(value, str):
        return template_expression(value, inputs) if JINJA.search(value) else q(value)
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        items = [argument_expression(v, inputs) for v in value]
        return None if any(i is None for i in items) else "[" + ", ".join(items) + "]"  # type: ignore[arg-type]
    if isinstance(value, dict) and all(isinstance(k, str) and not k.startswith("$") for k in value):
        items = [argument_expression(v, inputs) for v in value.values()]
        if any(i is None for i in items):
            return None
        return "{" + ", ".join(f"{q(k)}: {v}" for k, v in zip(value, items, strict=True)) + "}"
    return None


def _kwargs_used(planned: PlannedDag, fn: ir.Callable) -> bool:
    """Whether the callable's ``**kwargs`` (Airflow's context) is read in its body (the copied logic's text)."""
    try:
        tree = ast.parse(planned.file.logic)
    except SyntaxError:
        return True
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == fn.name:
            kwarg = node.args.kwarg
            if kwarg is None:
                return False
            return any(isinstance(n, ast.Name) and n.id == kwarg.arg for n in ast.walk(node))
    return True  # not found in the logic: cannot be shown unused


def _extra_arguments(planned: PlannedDag, task: PlannedTask, own: set[str]) -> list[str]:
    """The task's arguments the modern form does not write (it stays faithful when there is one), but for a
    ``default_args`` key of its DAG that is no parameter of its operator (``OPERATOR_PARAMETERS``): Airflow
    passes a default only to a parameter, so that key never reached the task (``catchup`` put there)."""
    unused = {k for k in task.task.arguments if k not in own | COMMON_ARGUMENTS} | set(task.unconsumed)
    signature = OPERATOR_PARAMETERS.get(task.rule)
    if signature is not None:
        unused -= {k for k in planned.dag.default_args if k not in signature | BASE_OPERATOR_PARAMETERS}
    return sorted(unused)


def dated(planned: PlannedDag) -> bool:
    """Its partition keys are Airflow's ``ds`` (``YYYY-MM-DD``): ``FROM_PARTITION`` holds."""
    return planned.partitioned and planned.partition_fmt == "%Y-%m-%d"


def direct_call(planned: PlannedDag, task: PlannedTask) -> Choice:
    """The callable imported and called with its arguments, or why it stays faithful."""
    t = task.task
    if t.mapped:
        return Choice("faithful", why="it is mapped (one asset per mapped task in Airflow's runs)")
    inputs = {tid: param for tid, param, _ in task.inputs}
    extra = _extra_arguments(planned, task, PYTHON_ARGUMENTS)
    if extra:
        return Choice("faithful", why=f"arguments with no direct equivalent: {', '.join(extra)}")
    value = t.arguments.get("python_callable")
    fn = next((c for c in planned.file.callables if isinstance(value, ir.CallableValue) and c.name == value.name), None)
    if fn is None or fn.expression or fn.written:
        return Choice("faithful", why="the callable is not a plain function of the DAG file")
    if fn.is_async or fn.airflow_names or fn.unresolved or fn.xcom_pulls or fn.reads_conf:
        return Choice("faithful", why=f"{fn.name} reads Airflow (XComs, dag_run.conf or Airflow names)")
    if fn.var_keyword and _kwargs_used(planned, fn):
        return Choice("faithful", why=f"{fn.name} reads Airflow's context through **kwargs")
    op_args = with_params(planned, t.arguments.get("op_args") or [])
    op_kwargs = with_params(planned, t.arguments.get("op_kwargs") or {})
    if not isinstance(op_args, list) or not isinstance(op_kwargs, dict):
        return Choice("faithful", why="op_args/op_kwargs are not literals")
    call: list[str] = []
    for item in op_args:
        code = argument_expression(item, inputs)
        if code is None:
            return Choice("faithful", why="an op_args value is not a literal with simple templates")
        call.append(code)
    positional = set(fn.params[: len(op_args)])
    for name in fn.params[len(op_args) :]:
        if name in op_kwargs:
            code = argument_expression(op_kwargs[name], inputs)
            if code is None:
                return Choice("faithful", why=f"op_kwargs[{name!r}] is not a literal with simple templates")
            call.append(f"{name}={code}")
        elif name in FROM_PARTITION:
            call.append(f"{name}={FROM_PARTITION[name]}")
        elif name in AIRFLOW_CONTEXT:
            return Choice("faithful", why=f"{fn.name} takes {name} from Airflow's context")
    unknown = sorted(set(op_kwargs) - set(fn.params) - positional)
    if unknown and not fn.var_keyword:
        return Choice("faithful", why=f"op_kwargs {', '.join(unknown)} match no parameter")
    for name in unknown:  # taken by its **kwargs
        code = argument_expression(op_kwargs[name], inputs)
        if code is None:
            return Choice("faithful", why=f"op_kwargs[{name!r}] is not a literal with simple templates")
        call.append(f"{name}={code}")
    if not dated(planned) and any("context.partition_key" in c for c in call):
        return Choice("faithful", why="the DAG has no daily partition keys to give ds from")
    return Choice("asset", body=(f"return logic.{fn.name}({', '.join(call)})",), imports=frozenset({fn.name}))


def bash_call(planned: PlannedDag, task: PlannedTask) -> Choice:
    """The command as an f-string run with bash, or why it stays faithful."""
    command = with_params(planned, task.task.arguments.get("bash_command"))
    if task.task.mapped:
        return Choice("faithful", why="it is mapped (one asset per mapped task in Airflow's runs)")
    extra = _extra_arguments(planned, task, BASH_ARGUMENTS)
    if extra:
        return Choice("faithful", why=f"arguments with no direct equivalent: {', '.join(extra)}")
    if not isinstance(command, str) or command.rstrip().endswith((".sh", ".bash")) or "AIRFLOW_CTX" in command:
        return Choice("faithful", why="the command is a template file or reads Airflow's context variables")
    inputs = {tid: param for tid, param, _ in task.inputs}
    expression = template_expression(command, inputs)
    if expression is None:
        return Choice("faithful", why="its command has templates other than ds, ds_nodash and an input's XCom")
    if not dated(planned) and "context.partition_key" in expression:
        return Choice("faithful", why="the DAG has no daily partition keys to give ds from")
    environment = _bash_env(planned, task)
    if environment is None:
        return Choice("faithful", why="its env is not a literal mapping (with simple templates or DAG-folder paths)")
    env_lines, env_arg, support, modules = environment
    body = (
        f"command = {expression}",
        *env_lines,
        'with tempfile.TemporaryDirectory(prefix="airflowtmp") as cwd:  # as BashOperator: in a scratch folder',
        f'    out = subprocess.run(["bash", "-c", command], cwd=cwd{env_arg}, stdout=PIPE, stderr=STDOUT, text=True, '
        "check=True)",
        "context.log.info(out.stdout)",
        'return out.stdout.splitlines()[-1] if out.stdout else ""  # the last line, as Airflow\'s XCom',
    )
    modules |= {"subprocess", "tempfile", "from subprocess import PIPE, STDOUT"}
    return Choice("asset", body=body, modules=frozenset(modules), support=frozenset(support))


def _bash_env(planned: PlannedDag, task: PlannedTask) -> tuple[list[str], str, set[str], set[str]] | None:
    """A BashOperator's ``env``/``append_env`` as the modern body writes them: (lines before the run, the run's
    ``env=`` argument, the support names and the modules they use); None when they are not literals. As Airflow:
    no ``env``, the worker's environment; ``env`` alone, only it; with ``append_env``, the worker's environment
    updated by it."""
    arguments = task.task.arguments
    env, append = with_params(planned, arguments.get("env")), arguments.get("append_env", False)
    if env is None:
        return [], "", set(), set()
    if not isinstance(append, bool) or not isinstance(env, dict) or not all(isinstance(k, str) for k in env):
        return None
    items, support = [], set()
    for key, value in env.items():
        if isinstance(value, ir.PathValue):  # a path under the DAGs folder, as the faithful asset computes it
            code, support = f"dags_path({q(value.path)})", support | {"dags_path"}
        else:
            code = argument_expression(value, {tid: param for tid, param, _ in task.inputs})
        if code is None:
            return None
        items.append(f"{q(key)}: {code}")
    spread = "**os.environ, " if append else ""
    return [f"env = {{{spread}{', '.join(items)}}}"], ", env=env", support, {"os"} if append else set()


def check_target(planned: PlannedDag, task: PlannedTask, siblings: frozenset[str] | None = None) -> Choice:
    """The asset a quality task checks (its one upstream), or why it cannot be an asset check. The caller adds
    what only a run shows: the task wrote no table (gate 5's evidence). ``siblings``: see ``check_placement``."""
    if task.rule in SQL_CHECK_RULES:
        return sql_check(planned, task, siblings)
    if task.rule != "python.callable" or task.disposition == NONE:
        return Choice("faithful", why="not a Python task")
    if task.gated_by:
        return Choice("faithful", why="it may be skipped by a branch: a check always runs after its asset")
    call = direct_call(planned, task)
    if call.kind != "asset":
        return call
    placed = check_placement(planned, task, siblings)
    return dataclasses.replace(placed, body=call.body, imports=call.imports) if placed.kind == "check" else placed


def check_placement(planned: PlannedDag, task: PlannedTask, siblings: frozenset[str] | None = None) -> Choice:
    """Where a check stands in for ``task``: on its one upstream asset of the DAG, blocking when tasks followed it
    (each of them also following that asset), or why it cannot. A failed blocking check stops every asset after
    its asset, so each task after that asset must have followed this one in Airflow, but for the other quality
    tasks that become checks on the same asset (``siblings``; by default those of ``checks_on``)."""
    own = {t.key for t in planned.tasks}  # its DAG's asset keys (a data-named one has no DAG prefix)
    upstream = [d for d in task.deps if d.kind == "key" and d.value in own]
    if len(upstream) != 1 or len(task.deps) != 1:
        what = "none" if not task.deps else "several"
        return Choice("faithful", why=f"a check reads one upstream asset of its DAG; this task follows {what}")
    if task.xcom_readers:
        return Choice("faithful", why=f"its value is read by {', '.join(task.xcom_readers)}")
    target = upstream[0].value
    after = [t for t in planned.tasks if Dep("key", task.key) in t.deps]
    for downstream in after:
        follows = {d.value for d in downstream.deps} | {key for _, _, key in downstream.inputs}
        if target not in follows:
            return Choice(
                "faithful",
                why=f"{downstream.task.task_id} follows it without following {'/'.join(target)}: a blocking "
                "check on that asset would not stand where the task stood",
            )
    if after:  # a failed blocking check stops every asset after its asset in the run: each must have followed it
        if siblings is None:
            siblings = frozenset(checks_on(planned, target) - {task.task.task_id})
        following = _downstream(planned, task) | siblings
        for other in planned.tasks:
            follows = {d.value for d in other.deps} | {key for _, _, key in other.inputs}
            if other is not task and target in follows and other.task.task_id not in following:
                return Choice(
                    "faithful",
                    why=f"{other.task.task_id} follows {'/'.join(target)} but not this task: a failed blocking check "
                    "would stop it, where Airflow ran it",
                )
    return Choice("check", target=target, blocking=bool(after))


def checks_on(planned: PlannedDag, target: tuple[str, ...]) -> set[str]:
    """The quality tasks that become checks on ``target``: of those following it alone, the largest set in which
    each one is a check when the others are (a blocking one then stops only tasks that followed it, or checks)."""
    group = {
        t.task.task_id: t
        for t in planned.tasks
        if t.task.task_id in planned.quality_checks and t.deps == [Dep("key", tuple(target))]
    }
    kept = set(group)
    while True:
        still = {tid for tid in kept if check_target(planned, group[tid], frozenset(kept - {tid})).kind == "check"}
        if still == kept:
            return kept
        kept = still


def _downstream(planned: PlannedDag, task: PlannedTask) -> set[str]:
    """The ids of the tasks after ``task`` in the DAG, directly or not."""
    found: set[str] = set()
    keys = [tuple(task.key)]
    while keys:
        key = keys.pop()
        for other in planned.tasks:
            upstream = {tuple(d.value) for d in other.deps if d.kind == "key"} | {tuple(k) for _, _, k in other.inputs}
            if key in upstream and other.task.task_id not in found:
                found.add(other.task.task_id)
                keys.append(tuple(other.key))
    return found


def check_tasks(planned: PlannedDag) -> dict[tuple[str, ...], tuple[str, ...]]:
    """The asset key of each task the modern module writes as an asset check -> the key it checks."""
    if not planned.modernized:
        return {}
    found = {}
    for task in planned.tasks:
        if task.task.task_id in planned.quality_checks:
            choice = check_target(planned, task)
            if choice.kind == "check":
                found[task.key] = choice.target
    return found


# -- SQL check operators as asset checks ------------------------------------------------------------------------

# The SQL check rules (rules/sql_checks.py) -> the ``support.providers`` function judging the rows, as the
# faithful asset's check does: the same pass/fail semantics as the Airflow operator.
SQL_CHECK_RULES = {
    "sql_checks.check": "first_row_check",
    "sql_checks.value": "value_check",
    "sql_checks.column": "column_check",
    "sql_checks.table": "table_check",
}
SQL_CHECK_ARGUMENTS = {
    "conn_id",
    "sql",
    "pass_value",
    "tolerance",
    "table",
    "column_mapping",
    "checks",
    "partition_clause",
    "accept_none",
}
TEMPLATE_FILES = (".sql", ".json")  # the SQL operators' template_ext: a ``sql`` so ending is a file Airflow reads


def _plain(value) -> bool:
    """A literal (JSON from the IR) with no template anywhere in it: rendering leaves it as written."""
    if isinstance(value, str):
        return not JINJA.search(value)
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and not k.startswith("$") and _plain(k) and _plain(v) for k, v in value.items())
    return value is None or isinstance(value, (bool, int, float))


def _rendered(text, whole: bool = True) -> str | None:
    """A templated string as Python, as the faithful ``render`` gives it (rendered ``whole``, Jinja drops one
    trailing newline; a part of a query rendered later keeps it); None unless its only templates are
    ``{{ ds }}``/``{{ ds_nodash }}``."""
    if not isinstance(text, str):
        return None
    return template_expression(text[:-1] if whole and text.endswith("\n") else text)


# Dagster's integration resource for a connection of this type (``modernize`` records each connection's type
# from the environment its gates ran in); ``render.INTEGRATION_RESOURCES`` says which library has it.
NATIVE_RESOURCES = {"duckdb": "DuckDBResource"}


def database_variable(conn_id: str) -> str:
    """The environment variable a modern DuckDB resource takes its database file from (``WAREHOUSE_DATABASE``
    for Airflow's ``warehouse``): the Dagster side's own setting once Airflow no longer runs the DAG."""
    return f"{conn_id.upper()}_DATABASE"


def native_resource(planned: PlannedDag, resource: Resource) -> Resource | None:
    """The integration library's resource standing for a SQL connection (``DuckDBResource`` for a DuckDB one),
    or None where there is none (the task then runs through ``SqlConnection``, as the faithful asset does)."""
    kind = planned.connection_types.get(resource.conn_id, "")
    if resource.cls != "SqlConnection" or kind not in NATIVE_RESOURCES:
        return None
    cls, name = NATIVE_RESOURCES[kind], f"{kind}_{python_name(resource.conn_id).lower()}"
    return Resource(name, cls, f'{cls}(database=dg.EnvVar("{database_variable(resource.conn_id)}"))', resource.conn_id)


def native_resources(planned: PlannedDag) -> list[tuple[PlannedTask, Resource]]:
    """Each task of the modern module of ``planned`` that takes an integration resource in place of its
    connection's, with that resource (definitions.py builds it)."""
    if not planned.modernized:
        return []
    found = []
    for task in planned.tasks:
        native = native_resource(planned, task.translation.resources[0]) if task.translation.resources else None
        if native is not None and not task.passthrough and (native.name, native.cls) in choose(planned, task).resources:
            found.append((task, native))
    return found


def _connection(planned: PlannedDag, resource: Resource) -> Resource:
    return native_resource(planned, resource) or resource


def _run_lines(resource: Resource, code: str, parameters: str | None = None, rows: str | None = None) -> list[str]:
    """Run ``code`` (one statement, or a list of them in order) through ``resource``; ``rows``: the variable taking
    the last statement's rows. A DuckDB resource runs them on one of its connections, as ``SqlConnection`` did."""
    if resource.cls != "DuckDBResource":
        call = (
            f"{resource.name}.run({code}" + (f", parameters={parameters}" if parameters else "") + ", log=context.log)"
        )
        return [f"{rows} = {call}[-1]" if rows else call]
    args = ", " + parameters if parameters else ""
    if rows:
        return [
            f"with {resource.name}.get_connection() as conn:",
            f"    {rows} = conn.execute({code}{args}).fetchall()",
        ]
    if code.startswith("["):
        return [
            f"with {resource.name}.get_connection() as conn:",
            f"    for statement in {code}:",
            f"        conn.execute(statement{args})",
        ]
    # bound to a name first: a long statement is cut into adjacent literals in parentheses, which would double
    # the call's as its only argument
    return [f"sql = {code}", f"with {resource.name}.get_connection() as conn:", f"    conn.execute(sql{args})"]


def _sql_check_body(task: PlannedTask, connection: Resource) -> tuple[list[str], str] | str:
    """The check's body (without its connection's run) and the provider it calls, or why there is none."""
    args, name = task.task.arguments, q(task.function)
    judge = SQL_CHECK_RULES[task.rule]
    run = _run_lines(connection, "sql", rows="rows")
    if task.rule in ("sql_checks.check", "sql_checks.value"):
        sql = args.get("sql")
        expression = None if isinstance(sql, str) and sql.endswith(TEMPLATE_FILES) else _rendered(sql)
        if expression is None:
            return "its SQL is a template file or has templates other than ds and ds_nodash"
        if task.rule == "sql_checks.check":
            return [f"sql = {expression}", *run, f"return {judge}({name}, sql, rows)"], judge
        expected, tolerance = args.get("pass_value"), args.get("tolerance")
        expected_code = _rendered(expected) if isinstance(expected, str) else argument_expression(expected)
        if expected_code is None or not isinstance(expected, (str, bool, int, float)):
            return "its pass_value is not a literal with simple templates"
        if not (tolerance is None or isinstance(tolerance, (int, float)) and not isinstance(tolerance, bool)):
            return "its tolerance is not a literal number"
        return [
            f"sql = {expression}",
            *run,
            f"return {judge}({name}, sql, rows, {expected_code}, {tolerance!r})",
        ], judge
    spec_name = "mapping" if task.rule == "sql_checks.column" else "checks"
    spec = args.get("column_mapping" if task.rule == "sql_checks.column" else "checks")
    table, partition = _rendered(args.get("table"), whole=False), args.get("partition_clause")
    partition_code = "None" if partition is None else _rendered(partition, whole=False)
    accept = args.get("accept_none", task.rule == "sql_checks.column")
    if table is None or partition_code is None:
        return "its table or partition_clause has templates other than ds and ds_nodash"
    if not isinstance(spec, dict) or not _plain(spec) or not isinstance(accept, bool):
        return f"its {spec_name} or accept_none is not a literal without templates"
    built = f"{judge}_sql({table}, {spec_name}, {partition_code})"
    return [
        f"{spec_name} = {argument_expression(spec)}",
        f"sql = {built}",
        *run,
        f"return {judge}({name}, sql, rows, {spec_name}, accept_none={accept!r})",
    ], judge


def sql_check(planned: PlannedDag, task: PlannedTask, siblings: frozenset[str] | None = None) -> Choice:
    """A SQL check operator as an ``@dg.asset_check`` on the asset it checks (its one upstream, as for a quality
    task), running the same SQL through the same connection resource as the faithful asset and judging the rows
    with the same ``support.providers`` function; or why it stays faithful."""
    if task.disposition == NONE:
        return Choice("faithful", why="no asset of its own")
    if task.gated_by or task.task.mapped:
        return Choice("faithful", why="it may be skipped by a branch (or is mapped)")
    if task.task.base_operator:
        return Choice("faithful", why=f"{task.task.operator} is an estate subclass: it may judge the rows otherwise")
    extra = _extra_arguments(planned, task, SQL_CHECK_ARGUMENTS)
    if extra:
        return Choice("faithful", why=f"arguments with no direct equivalent: {', '.join(extra)}")
    resources = task.translation.resources
    if task.translation.inputs or len(resources) != 1 or resources[0].cls != "SqlConnection":
        return Choice("faithful", why="its SQL reads upstream values or its connection is not one literal id")
    connection = _connection(planned, resources[0])
    body = _sql_check_body(task, connection)
    if isinstance(body, str):
        return Choice("faithful", why=body)
    lines, judge = body
    if not dated(planned) and any("context.partition_key" in line for line in lines):
        return Choice("faithful", why="the DAG has no daily partition keys to give ds from")
    placed = check_placement(planned, task, siblings)
    if placed.kind != "check":
        return placed
    providers = {judge, f"{judge}_sql"} if judge in ("column_check", "table_check") else {judge}
    return dataclasses.replace(
        placed,
        body=tuple(lines),
        providers=frozenset(providers),
        resources=((connection.name, connection.cls),),
    )


# -- SQL operators that write ----------------------------------------------------------------------------------

# What a SQL operator's arguments may hold for the modern form: the faithful asset runs the same statements with
# the same ``SqlConnection.run`` and ignores the rest of these as well (rules/sql.py consumes them).
SQL_WRITE_ARGUMENTS = {
    "sql",
    "parameters",
    "autocommit",
    "split_statements",
    "return_last",
    "show_return_value_in_logs",
}


def sql_write(planned: PlannedDag, task: PlannedTask) -> Choice:
    """A SQL operator (rule ``sql.execute``) as an asset running its statements through its connection
    resource, the templates ``{{ ds }}``/``{{ ds_nodash }}`` the partition key: the faithful asset's
    ``SqlConnection.run`` on the same statements, without Airflow's template context; or why it stays
    faithful. A statement that reads no date makes it a full refresh (``full_refresh``)."""
    if task.disposition != MECH:  # JUDG: XComs in the SQL, or a connection id its code gives at run time
        return Choice("faithful", why="its SQL reads upstream values or its connection id is computed")
    if task.task.mapped:
        return Choice("faithful", why="it is mapped (one asset per mapped task in Airflow's runs)")
    if task.task.base_operator:
        return Choice("faithful", why=f"{task.task.operator} is an estate subclass: it may run the SQL otherwise")
    if task.xcom_readers:
        return Choice("faithful", why=f"its result is read by {', '.join(task.xcom_readers)}")
    resources = task.translation.resources
    if len(resources) != 1 or resources[0].cls != "SqlConnection":
        return Choice("faithful", why="its connection is not one literal id")
    connection = task.translation.consumed - SQL_WRITE_ARGUMENTS  # the operator's own connection argument
    extra = _extra_arguments(planned, task, SQL_WRITE_ARGUMENTS | connection)
    if extra:
        return Choice("faithful", why=f"arguments with no direct equivalent: {', '.join(extra)}")
    sql = with_params(planned, task.task.arguments.get("sql"))
    statements = sql if isinstance(sql, list) else [sql]
    rendered = [None if not isinstance(s, str) or s.endswith(TEMPLATE_FILES) else _rendered(s) for s in statements]
    if any(r is None for r in rendered):
        return Choice("faithful", why="its SQL is a template file or has templates other than ds and ds_nodash")
    parameters = task.task.arguments.get("parameters")
    if parameters is not None and not _plain(parameters):
        return Choice("faithful", why="its parameters are not literals without templates")
    if not dated(planned) and any("context.partition_key" in r for r in rendered):  # type: ignore[operator]
        return Choice("faithful", why="the DAG has no daily partition keys to give ds from")
    code = rendered[0] if isinstance(sql, str) else "[" + ", ".join(rendered) + "]"  # type: ignore[arg-type]
    connection = _connection(planned, resources[0])
    arguments = None if parameters is None else argument_expression(parameters)
    body = tuple(_run_lines(connection, code, arguments))  # type: ignore[arg-type]
    return Choice("asset", body=body, resources=((connection.name, connection.cls),))


def choose(planned: PlannedDag, task: PlannedTask) -> Choice:
    """How ``task`` is written in the modern module."""
    choice = _choose(planned, task)
    return _gated(planned, task, choice) if choice.kind == "asset" and task.gated_by else choice


def _gated(planned: PlannedDag, task: PlannedTask, choice: Choice) -> Choice:
    """A modern asset a branch (or short-circuit) may skip: its work runs only when the gate's value lets it, as
    the faithful asset's does; otherwise it yields no output (``output_required=False``), so the assets after it
    in the run are skipped, as Airflow skipped the tasks after a skipped task."""
    branch = render.gate_kind(planned, task) == "branch"
    condition = render.gate_condition(planned, task)
    last = choice.body[-1]
    if last.startswith("return "):
        value, commented, comment = last.removeprefix("return ").partition("  # ")
        last = [f"yield dg.Output({value})" + (f"  # {comment}" if commented else "")]
    else:
        last = [last, "yield dg.Output(None)"]
    if len(choice.body) == 1:  # one call: it runs under the condition
        body = [f"if {condition}:", *(f"    {line}" for line in last)]
    else:
        body = [f"if not {condition}:", "    return", *choice.body[:-1], *last]
    return dataclasses.replace(
        choice, body=tuple(body), support=choice.support | ({"branch_allows"} if branch else set())
    )


def _choose(planned: PlannedDag, task: PlannedTask) -> Choice:
    if task.task.task_id in planned.quality_checks:
        check = check_target(planned, task)
        if check.kind == "check" or task.rule in SQL_CHECK_RULES:  # a SQL check has no other modern form
            return check
    if task.disposition == NONE or task.passthrough:
        return Choice("faithful", why="it stays in Airflow" if task.disposition == NONE else "no asset of its own")
    if "native_templates" in planned.dag.constructs and _templated(task.task.arguments):
        return Choice("faithful", why="the DAG renders its templates as Python objects (render_template_as_native_obj)")
    if task.translation.dbt:  # its dbt --vars are the run's dates: the partition's in a daily-partitioned DAG
        if not dated(planned):
            return Choice("faithful", why="the DAG has no daily partition keys to give dbt its dates from")
        return Choice("dbt", support=frozenset(render.DBT_SUPPORT | {"partition_vars"}))
    if task.rule in SENSOR_RULES:
        sensor = sensor_poke(planned, task)
        if isinstance(sensor, str):
            return Choice("faithful", why=sensor)
        return Choice("sensor", imports=sensor.imports)
    if task.rule in SQL_CHECK_RULES:
        return Choice("faithful", why="no gate evidence that it ran and wrote no table (gates 4 and 5)")
    if task.rule in ("python.callable", "python.branch", "python.short_circuit"):  # a gate: its value decides
        return direct_call(planned, task)
    if task.rule == "bash.command":
        return bash_call(planned, task)
    if task.rule == "sql.execute":
        return sql_write(planned, task)
    return Choice("faithful", why=f"rule {task.rule} has no modern form yet")


def _templated(value) -> bool:
    """Whether a literal argument (JSON from the IR) holds a Jinja template anywhere."""
    if isinstance(value, str):
        return bool(JINJA.search(value))
    if isinstance(value, dict):
        return any(_templated(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_templated(v) for v in value)
    return False


# -- sensors ---------------------------------------------------------------------------------------------------

# The sensor rules whose poke the modern form can write as a function of the partition key alone.
SENSOR_RULES = {"sensors.file", "sensors.python", "sensors.s3_key", "sensors.http"}
# A sensor's own arguments: the Dagster sensor's interval and window (mode, reschedule and backoff do not apply).
SENSOR_ARGUMENTS = {"mode", "poke_interval", "timeout", "soft_fail", "exponential_backoff", "max_wait", "deferrable"}
SENSOR_OWN = {
    "sensors.file": {"fs_conn_id", "filepath", "recursive"},
    "sensors.s3_key": {"bucket_key", "bucket_name", "wildcard_match", "aws_conn_id", "verify"},
    "sensors.http": {"http_conn_id", "endpoint", "method", "request_params", "headers"},
    "sensors.python": PYTHON_ARGUMENTS,
}
DEFAULT_POKE_INTERVAL = 60  # BaseSensorOperator's defaults
DEFAULT_TIMEOUT = 60 * 60 * 24 * 7


@dataclasses.dataclass(frozen=True)
class Sensor:
    """A sensor task written as a ``@dg.sensor``: its poke for one partition key, and what it starts."""

    poke: tuple[str, ...]  # the body of ``<function>_ready(partition_key, <resources>)``
    downstream: tuple[str, ...]  # the task ids right after it in Airflow (gate 3 puts it before them)
    interval: int
    timeout: float
    soft_fail: bool
    resources: tuple[tuple[str, str], ...] = ()  # (parameter, class from support.resources)
    support: frozenset[str] = frozenset()  # names from support.runtime the poke calls
    imports: frozenset[str] = frozenset()  # logic names it calls


def _number(value, default: float) -> float | None:
    """Seconds from a literal number or ``timedelta(...)`` (as the scan reads retry delays); ``default`` if unset."""
    return default if value is None else to_ir._seconds(value)


def _by_partition(code: str) -> str:
    return code.replace("context.partition_key", "partition_key")


def sensor_poke(planned: PlannedDag, task: PlannedTask) -> Sensor | str:
    """The sensor task as a ``@dg.sensor`` that starts the DAG's runs (its poke, one per partition key), or why
    it stays a faithful asset polling inside its step."""
    t = task.task
    if task.rule not in SENSOR_RULES or task.disposition == NONE:
        return f"rule {task.rule} has no modern form yet"
    if not planned.decommissioned:
        return "Airflow still runs the DAG: airlift maps its tasks to assets, never to sensors"
    if not planned.partitioned:
        return "the DAG has no time partitions: a sensor requests one run per partition key"
    if t.mapped or task.gated_by or task.xcom_readers:
        return "it is mapped, may be skipped by a branch, or its value is read"
    if t.pool:
        return f"its pokes hold a slot of pool {t.pool!r} in Airflow; a Dagster sensor's evaluation holds none"
    upstream = sorted({e.upstream for e in planned.dag.edges if e.downstream == t.task_id})
    if upstream:
        return f"it waits after {', '.join(upstream)}: a Dagster sensor starts runs, it cannot wait inside one"
    followers = {e.downstream for e in planned.dag.edges}
    others = [x for x in planned.tasks if x is not task and x.task.task_id not in followers]
    if others:
        return (
            f"{', '.join(x.task.task_id for x in others)} start(s) without it: its sensor would start the whole "
            "DAG's run"
        )
    downstream = tuple(sorted({e.downstream for e in planned.dag.edges if e.upstream == t.task_id}))
    if not downstream:
        return "nothing follows it: there is no run for a sensor to start"
    for after in planned.tasks:
        if after is not task and (not after.has_asset or after.translation.dbt):
            return f"{after.task.task_id} is no asset of this module a sensor's run can materialize"
        if after.task.task_id in downstream and after.task.trigger_rule not in ("all_success", ""):
            return f"{after.task.task_id} follows it with trigger rule {after.task.trigger_rule}"
    interval = _number(t.arguments.get("poke_interval"), DEFAULT_POKE_INTERVAL)
    timeout = _number(t.arguments.get("timeout"), DEFAULT_TIMEOUT)
    soft_fail = t.arguments.get("soft_fail", False)
    if interval is None or timeout is None or not isinstance(soft_fail, bool):
        return "poke_interval, timeout or soft_fail is not a literal"
    if planned.failure_callback is not None and not soft_fail:
        return "its timeout calls the DAG's on_failure_callback in Airflow; a Dagster sensor fails no run"
    extra = _extra_arguments(planned, task, SENSOR_OWN[task.rule] | SENSOR_ARGUMENTS)
    if extra:
        return f"arguments with no direct equivalent: {', '.join(extra)}"
    poke = _poke(planned, task)
    if isinstance(poke, str):
        return poke
    body, resources, support, imports = poke
    if not dated(planned) and any("partition_key" in line for line in body):
        return "the DAG has no daily partition keys to give ds from"
    return Sensor(
        poke=body,
        downstream=downstream,
        interval=max(1, int(interval)),
        timeout=timeout,
        soft_fail=soft_fail,
        resources=resources,
        support=support,
        imports=imports,
    )


def _poke(planned: PlannedDag, task: PlannedTask):
    """(body, resources, support names, logic names) of one poke for ``partition_key``, or why not."""
    args = task.task.arguments
    resources = tuple((r.name, r.cls) for r in task.translation.resources)
    if task.rule == "sensors.python":
        plain = dataclasses.replace(
            task,
            task=dataclasses.replace(task.task, arguments={k: v for k, v in args.items() if k not in SENSOR_ARGUMENTS}),
            unconsumed=[k for k in task.unconsumed if k not in SENSOR_ARGUMENTS],
        )
        call = direct_call(planned, plain)
        if call.kind != "asset":
            return call.why
        value = _by_partition(call.body[-1].removeprefix("return "))
        return (f"return bool({value})",), (), frozenset(), call.imports
    if task.rule == "sensors.file":
        path = template_expression(args["filepath"]) if isinstance(args.get("filepath"), str) else None
        if path is None or len(resources) != 1:
            return "its file path has templates other than ds and ds_nodash"
        line = f"return bool(files_matching({resources[0][0]}.connection(), {_by_partition(path)}))"
        return (line,), resources, frozenset({"files_matching"}), frozenset()
    if task.rule == "sensors.s3_key":
        keys = args.get("bucket_key")
        keys = [keys] if isinstance(keys, str) else keys
        written = [template_expression(k) if isinstance(k, str) else None for k in keys or [None]]
        bucket = argument_expression(args.get("bucket_name"))
        if any(k is None for k in written) or bucket is None:
            return "its bucket or key has templates other than ds and ds_nodash"
        code = written[0] if isinstance(args["bucket_key"], str) else "[" + ", ".join(written) + "]"  # type: ignore[arg-type]
        wildcard = args.get("wildcard_match") is True
        line = f"return s3_keys_exist({bucket}, {_by_partition(code)}, wildcard={wildcard!r})"  # type: ignore[arg-type]
        return (line,), (), frozenset({"s3_keys_exist"}), frozenset()
    # sensors.http
    if args.get("response_check") is not None:
        return "its response_check is code the endpoint's answer is given to (kept with the faithful form)"
    endpoint = argument_expression(args.get("endpoint", ""))
    method = argument_expression(args.get("method", "GET"))
    if endpoint is None or method is None or len(resources) != 1:
        return "its request has templates other than ds and ds_nodash"
    request = [resources[0][0], method, _by_partition(endpoint)]
    for name, keyword in (("request_params", "data"), ("headers", "headers")):
        if args.get(name):
            code = argument_expression(args[name])
            if code is None:
                return f"its {name} are not literals with simple templates"
            request.append(f"{keyword}={_by_partition(code)}")
    return (f"return http_ready({', '.join(request)})",), resources, frozenset({"http_ready"}), frozenset()


def sensor_tasks(planned: PlannedDag) -> dict[tuple[str, ...], tuple[str, ...]]:
    """The asset key each sensor task of a modernized DAG would have had -> the task ids right after it: the
    module writes them as ``@dg.sensor`` (no asset: the assets after it no longer follow it)."""
    if not planned.modernized:
        return {}
    found = {}
    for task in planned.tasks:
        sensor = sensor_poke(planned, task) if task.rule in SENSOR_RULES else None
        if isinstance(sensor, Sensor):
            found[task.key] = sensor.downstream
    return found


def _comment(text: str) -> list[str]:
    return ["# " + line for line in prose(text, LINE_LENGTH - 2)]


def _modern_sensor(planned: PlannedDag, task: PlannedTask, sensor: Sensor) -> str:
    """``<function>_ready`` (one poke for a partition key) and the ``@dg.sensor`` that requests a run of the
    DAG's job for each partition whose poke succeeds, within the Airflow sensor's timeout. Its metadata names the
    tasks right after it (the gates put the sensor task before them)."""
    ready = f"{task.function}_ready"
    params = "".join(f", {name}: {cls}" for name, cls in sensor.resources)
    passed = "".join(f", {name}" for name, _ in sensor.resources)
    timeout = int(sensor.timeout) if float(sensor.timeout).is_integer() else sensor.timeout
    gone = "Airflow, with soft_fail, skipped the tasks after it" if sensor.soft_fail else "Airflow failed its run"
    notes = [n for n in task.translation.notes if "inside a running step" not in n]  # what the poke still differs in
    arguments = [
        f"name={q(planned.prefix + '__' + task.function)}",
        f"job_name={q(planned.prefix)}",
        f"minimum_interval_seconds={sensor.interval}",
        "default_status=dg.DefaultSensorStatus.RUNNING",
        f"metadata={{{q('airflow/downstream')}: {q(list(sensor.downstream))}}}",
    ]
    lines = [
        *(f"# note: {note}" for note in notes),
        f"def {ready}(partition_key: str{params}) -> bool:",
        *(f"    {line}" for line in sensor.poke),
        "",
        "",
        *_comment(
            f"In place of the schedule: pokes each partition whose window ended less than {timeout} s (timeout) ago "
            "and requests its run once (run_key). It never fails: past the timeout a partition is no longer poked "
            f"and stays unmaterialized ({gone})."
        ),
        f"@dg.sensor({', '.join(arguments)})",
        f"def {task.function}(context: dg.SensorEvaluationContext{params}):",
        f"    for partition_key in partitions_waiting(PARTITIONS, timeout={timeout}):",
        f"        if {ready}(partition_key{passed}):",
        f'            yield dg.RunRequest(partition_key=partition_key, run_key=f"{task.function}:{{partition_key}}")',
    ]
    return "\n".join(lines)


# -- full refreshes: modern assets without the DAG's partitions ------------------------------------------------

# What in a callable's own text may read the run's date other than its arguments: Airflow's context variables
# (``AIRFLOW_CTX_EXECUTION_DATE``...) or the environment they are in, Airflow's context by name.
DATE_READS = re.compile(r"AIRFLOW_CTX|environ|getenv|get_current_context|logical_date|execution_date|data_interval")


def _callable_text(planned: PlannedDag, name: str) -> str | None:
    """The source of the function ``name`` of the copied logic; None when it is not found there."""
    try:
        tree = ast.parse(planned.file.logic)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return ast.get_source_segment(planned.file.logic, node)
    return None


def full_refresh(planned: PlannedDag, task: PlannedTask) -> bool:
    """A modern asset whose work reads no date: written without the DAG's ``partitions_def``, so a backfill of
    many days materializes it once, not once a day. Proven from what it runs: its body reads no partition key
    (no ``{{ ds }}`` in its arguments or command, no ``ds`` parameter), its callable's text reads neither
    Airflow's context nor the environment, it takes no upstream value and no task reads its value (a value
    passed between partitioned and unpartitioned assets is loaded by partition mappings), it is not
    ``depends_on_past``, and it follows no dataset (its automation) and has no SLA."""
    if not planned.partitioned or task.passthrough or task.disposition == NONE:
        return False
    t = task.task
    if task.inputs or task.xcom_readers or task.gated_by or task.automation or t.sla or t.mapped:
        return False
    if t.depends_on_past or t.arguments.get("wait_for_downstream"):
        return False
    choice = choose(planned, task)
    if choice.kind != "asset" or any("context.partition" in line for line in choice.body):
        return False
    if task.rule == "sql.execute" and not _replaces(task.task.arguments.get("sql")):
        return False
    for name in choice.imports:
        text = _callable_text(planned, name)
        if text is None or DATE_READS.search(text):
            return False
    for other in planned.tasks:  # a check on it has its partitions: one reading the partition key keeps them
        if other.task.task_id in planned.quality_checks and Dep("key", task.key) in other.deps:
            check = check_target(planned, other)
            if check.kind == "check" and any("context.partition" in line for line in check.body):
                return False
    return True


# Statements whose effect is the same however often they run: one run stands for a backfill's many.
REPLACING = re.compile(
    r"^(create\s+or\s+replace\b|create\s+(schema|table|view)\s+if\s+not\s+exists\b|drop\b|truncate\b|select\b)"
)


def _replaces(sql) -> bool:
    """Whether every statement of ``sql`` (a string or a list of them, ``;``-separated) replaces what it writes:
    an ``insert``, ``update``, ``merge``, ``delete`` or ``copy`` run once a day adds to or changes the day's
    table, so its task keeps the DAG's partitions."""
    statements = sql if isinstance(sql, list) else [sql]
    parts = [part.strip().lower() for s in statements if isinstance(s, str) for part in s.split(";")]
    return all(isinstance(s, str) for s in statements) and all(REPLACING.match(p) for p in parts if p)


LOGIC_PACKAGE = '''"""Code copied out of the Airflow DAG files for the tasks' callables.

A modernized DAG's module imports its callables from here when it loads: the Airflow DAGs folder goes on
``sys.path`` first, so the copied code imports the estate's own modules as Airflow imported them.
"""

import sys

from ..support.runtime import dags_folder

if str(dags_folder()) not in sys.path:
    sys.path.insert(0, str(dags_folder()))
'''


# -- the module ---------------------------------------------------------------------------------------------


def _shared(planned: PlannedDag, tasks: list[PlannedTask]) -> dict[str, str]:
    """The decorator arguments every modern asset of the DAG writes alike (written once as ``SHARED``)."""
    if len(tasks) < 2:  # written once for one asset is longer than written in place
        return {}
    candidates = [_asset_arguments(planned, t) for t in tasks]
    first = candidates[0]
    return {k: v for k, v in first.items() if all(c.get(k) == v for c in candidates[1:])}


def _asset_arguments(planned: PlannedDag, task: PlannedTask) -> dict[str, str]:
    args = {"group_name": q(task.group_name)}
    if tuple(task.key) == (planned.prefix, task.function):  # named by its task: shared, the prefix makes its key
        args["key_prefix"] = q(planned.prefix)
    if planned.partitioned and not full_refresh(planned, task):
        args["partitions_def"] = "PARTITIONS"
    for item in render.retry_and_pool(task.task):
        name, _, value = item.partition("=")
        args[name] = value
    if task.owners:
        args["owners"] = q(task.owners)
    if task.tags:
        args["tags"] = q(task.tags)
    return args


def _constants(shared: dict[str, str], checks: list[tuple[PlannedTask, Choice]]) -> tuple[list[str], dict[str, str]]:
    """``RETRY`` when the shared retry policy is also a check's (written once for both), and ``SHARED``."""
    lines: list[str] = []
    retry = shared.get("retry_policy")
    if retry and any(f"retry_policy={retry}" in render.retry_and_pool(t.task) for t, _ in checks):
        lines.append(f"RETRY = {retry}")
        shared = {**shared, "retry_policy": "RETRY"}
    if shared:
        lines.append("SHARED = dict(" + ", ".join(f"{k}={v}" for k, v in shared.items()) + ")")
    return lines, shared


def render_modern_module(planned: PlannedDag) -> str:
    """The text of ``dags/<module>.py`` for a modernized DAG (formatting is left to ruff, as for every module).

    Terse, as a Dagster engineer writes it: the module's docstring names the DAG, each definition's name its
    task (``TASKS`` only where a name differs: what the gates and status read); a modern asset carries only its
    own decorator arguments."""
    dag = planned.dag
    tasks = [t for t in planned.tasks if not t.passthrough]
    choices = {t.task.task_id: choose(planned, t) for t in tasks}
    checks = [t for t in tasks if choices[t.task.task_id].kind == "check"]
    check_keys = {t.key: choices[t.task.task_id].target for t in checks}
    sensors = {t.task.task_id: sensor_poke(planned, t) for t in tasks if choices[t.task.task_id].kind == "sensor"}
    gone = set(check_keys) | {t.key for t in tasks if t.task.task_id in sensors}
    # A task after a check follows the checked asset (check_target made sure it did already): drop the check's key.
    # A sensor starts the run the tasks after it run in: they follow nothing in its place.
    tasks = [dataclasses.replace(t, deps=[d for d in t.deps if d.kind != "key" or d.value not in gone]) for t in tasks]
    modern = [t for t in tasks if choices[t.task.task_id].kind == "asset"]
    faithful = [t for t in tasks if choices[t.task.task_id].kind == "faithful"]
    faithful_assets = [t for t in faithful if t.disposition != NONE]
    # Faithful assets share SHARED too (the same arguments, written by render_task); not specs or dbt groups.
    alike = [t for t in faithful_assets if not t.translation.dbt]
    shared = _shared(planned, modern + alike)
    faithful_shared = dict(shared)  # as each asset writes them (before RETRY names the retry policy)
    policy = shared.get("retry_policy", "")
    constants, shared = _constants(shared, [(t, choices[t.task.task_id]) for t in checks])
    retry = policy if shared.get("retry_policy") == "RETRY" else ""  # written once as RETRY
    uses_logic = any(c.imports for c in choices.values())
    logic_imported = uses_logic and bool(planned.logic_module)  # ``from ..logic import <file> as logic``
    modules = sorted({m for c in choices.values() for m in c.modules})
    timedelta = any(t.task.sla for t in modern + faithful_assets)  # a freshness window, modern or faithful
    partitions_code, partitions_note = partitions(planned)

    kept = f"; kept faithful (each says why): {', '.join(t.task.task_id for t in faithful)}" if faithful else ""
    passthrough = [t for t in planned.tasks if t.passthrough]
    if passthrough:
        names = ", ".join(t.task.task_id for t in passthrough)
        kept += f"; no asset of their own (their dependencies pass through): {names}"
    docstring = f"The Airflow DAG {q(dag.dag_id)} ({dag.source.file}:{dag.source.line}), modernized{kept}."
    wrapped = prose(docstring, LINE_LENGTH - 6)
    lines = ['"""' + "\n".join(wrapped) + '"""', ""]
    lines += [m if m.startswith("from ") else f"import {m}" for m in modules]
    lines += ["from datetime import timedelta"] if timedelta else []
    lines += ["", "import dagster as dg", ""]
    support: set[str] = set()
    imports: set[str] = set()
    resource_classes: set[str] = set()
    if faithful_assets:
        support, imports, resource_classes = render.task_needs(planned, faithful_assets)
        support |= set(render.RUNTIME_BASE)
        # the faithful assets use the module's ``logic`` import (a callback adds it below), but for an estate
        # class's own logic module, which they still load (``load_logic("estate_class__...")``)
        estate_classes = any(
            m != planned.logic_module for t in faithful_assets for m in task_logic_modules(planned, t.translation)
        )
        if logic_imported and not estate_classes:
            support.discard("load_logic")
    if not planned.decommissioned:  # airlift's mapping names the DAG (DAG.dag_id)
        support |= set(render.RUNTIME_BASE)
    info, info_support = render.render_dag_info(planned) if support else ("", set())
    support |= info_support
    if planned.failure_callback is not None and (modern or checks or faithful_assets):
        callback_support = "load_logic" if isinstance(planned.failure_callback, ir.CallableValue) else "import_callable"
        support |= {"failure_context", callback_support} | set(render.RUNTIME_BASE) | info_support
        if not info:
            info, _ = render.render_dag_info(planned)
    for sensor in sensors.values():  # after DAG's info: a sensor's poke needs no DagInfo
        support |= set(sensor.support) | {"partitions_waiting"}  # type: ignore[union-attr]
        resource_classes |= {cls for _, cls in sensor.resources}  # type: ignore[union-attr]
    support |= {name for choice in choices.values() for name in choice.support}  # nor a branch's check, nor dbt
    if any(choice.kind == "dbt" for choice in choices.values()):
        imports.add("from dagster_dbt import DbtCliResource, dbt_assets")
    imports, resource_classes = _choice_imports(choices.values(), imports, resource_classes)
    lines += sorted(imports)
    if resource_classes:
        lines.append(f"from ..support.resources import {', '.join(sorted(resource_classes))}")
    lines += render.dbt_projects_import(tasks)
    if not planned.decommissioned:  # modernized with --force while Airflow runs it: airlift still maps its tasks
        lines.append("from ..support.airlift import mapped_to_airflow")
    if logic_imported:
        lines.append(f"from ..logic import {planned.logic_module} as logic")
    if support:
        lines.append(f"from ..support.runtime import {', '.join(sorted(support))}")
    lines.append("")
    lines.append(info or f"DAG_ID = {q(dag.dag_id)}")
    if planned.partitioned:
        if partitions_note:
            lines.append(f"# {partitions_note}")
        lines.append(f"PARTITIONS = {partitions_code}")
    lines += constants
    written: list[PlannedTask] = []  # the modern assets written so far
    defined: dict[tuple, str] = {}  # key -> function of every asset written so far (its deps and inputs name them)
    for task in tasks:
        choice = choices[task.task.task_id]
        if choice.kind == "faithful":
            if task.disposition == NONE or not task.passthrough:
                own_shared = faithful_shared if task in alike else None
                # why in its comment, not the faithful form's metadata dict (``metadata(terse)``)
                faithful_code = render.render_task(
                    planned, task, own_shared, logic_imported, modern=True, defined=defined, kept=choice.why
                )
                lines += ["", "", faithful_code]
                if task.disposition != NONE and not task.translation.dbt:
                    defined[tuple(task.key)] = task.function
            continue
        if choice.kind == "sensor":
            lines += ["", "", _modern_sensor(planned, task, sensors[task.task.task_id])]  # type: ignore[arg-type]
            continue
        if choice.kind == "dbt":
            lines += ["", "", render.render_dbt(planned, task, modern=True)]
            continue
        if choice.kind == "asset":
            written.append(task)
            lines += ["", "", _modern_asset(planned, task, choice, shared, defined)]
            defined[tuple(task.key)] = task.function
        else:
            # Its target by name when the module defines it above (written modern), else by key.
            target = next((t for t in written if t.key == choice.target), None)
            lines += ["", "", _modern_check(planned, task, list(choice.body), choice, target, retry)]
    started = [t for t in tasks if t.task.task_id in sensors]
    lines += ["", ""] + _modern_defs(planned, tasks, [t for t in tasks if t.key in check_keys], started)
    return render.without_trailing_whitespace("\n".join(lines)) + "\n"


def _choice_imports(choices, imports: set[str], resource_classes: set[str]) -> tuple[set[str], set[str]]:
    """The module's imports with what its modern choices take: the connection classes (from
    ``support.resources``, or an integration library's resource from that library) and the SQL checks'
    providers, one ``support.providers`` import for them and the faithful assets' (a name imported twice is a
    lint error)."""
    providers = {name for c in choices for name in c.providers}
    resource_classes = resource_classes | {cls for c in choices for _, cls in c.resources}
    for cls, library in render.INTEGRATION_RESOURCES.items():  # an integration library's resource comes from it
        if cls in resource_classes:
            resource_classes = resource_classes - {cls}
            imports = imports | {f"from {library} import {cls}"}
    if not providers:
        return imports, resource_classes
    prefix = "from ..support.providers import "
    for line in [i for i in imports if i.startswith(prefix)]:
        providers |= {name.strip() for name in line.removeprefix(prefix).split(",")}
        imports = imports - {line}
    imports = imports | {prefix + ", ".join(sorted(providers))}
    return imports, resource_classes


def _modern_asset(
    planned: PlannedDag, task: PlannedTask, choice: Choice, shared: dict[str, str], defined: dict[tuple, str]
) -> str:
    """``defined``: the assets the module wrote above (key -> function): its deps and inputs name them."""
    own = {k: v for k, v in _asset_arguments(planned, task).items() if k not in shared}
    args = [] if "key_prefix" in shared else [f"key={q(list(task.key))}"]
    own.pop("key_prefix", None)  # not shared: its key says it
    if task.deps:
        args.append(f"deps={render.deps_code(task.deps, defined)}")
    if task.inputs:
        ins = ", ".join(f"{q(param)}: dg.AssetIn({render.key_code(key, defined)})" for _, param, key in task.inputs)
        args.append("ins={" + ins + "}")
    kinds = [k for k in task.translation.kinds if k != "python"]  # Python is what every asset is
    if kinds:
        args.append(f"kinds={{{', '.join(q(k) for k in kinds)}}}")
    args += [f"{k}={v}" for k, v in own.items()]
    if task.automation == "eager":  # it follows datasets or a triggering DAG (the module's automation sensor)
        args.append("automation_condition=dg.AutomationCondition.eager()")
    if task.task.sla:
        window = max(60.0, float(task.task.sla))  # Dagster's smallest freshness window is one minute
        args.append(f"freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(seconds={window!r}))")
    if task.gated_by:  # a branch may skip it (``_gated``)
        args.append("output_required=False")
    if len(task.tables) == 1 and task.key != data_key(task.tables[0]):  # a data-named key says it already
        args.append(f"metadata={{{q('dagster/table_name')}: {q(task.tables[0])}}}")
    if shared:
        args.append("**SHARED")
    params = _context("dg.AssetExecutionContext", choice.body) + [param for _, param, _ in task.inputs]
    params += [f"{name}: {cls}" for name, cls in choice.resources]  # a SQL operator's connection
    lines = []
    if planned.partitioned and full_refresh(planned, task):
        lines.append("# unpartitioned: its work reads no date (a full refresh), so a backfill runs it once")
    lines += [f"@dg.asset({', '.join(args)})", f"def {task.function}({', '.join(params)}):"]
    lines += [f"    {line}" for line in choice.body]
    return "\n".join(lines)


def _context(annotation: str, body) -> list[str]:
    """The ``context`` parameter, when the body uses it (Dagster passes it only to a function that takes it)."""
    return [f"context: {annotation}"] if re.search(r"\bcontext\b", "\n".join(body)) else []


def _modern_check(
    planned: PlannedDag, task: PlannedTask, body: list[str], choice: Choice, target: PlannedTask | None, retry: str
) -> str:
    """An ``@dg.asset_check`` on ``target`` (its function when the module writes it modern, else its key): a
    quality task's callable, which raises on bad data, or a SQL check operator's query, whose rows the same
    ``support.providers`` function judges as Airflow's operator did (its result returned)."""
    args = _check_arguments(planned, task, choice, target, retry)
    params = _context("dg.AssetCheckExecutionContext", body) + [f"{name}: {cls}" for name, cls in choice.resources]
    lines = [f"@dg.asset_check({', '.join(args)})", f"def {task.function}({', '.join(params)}):"]
    if choice.resources:  # a SQL check operator: its body returns the check's result
        return "\n".join([*lines, *(f"    {line}" for line in body)])
    call = body[-1].removeprefix("return ")
    lines += [f"    {line}" for line in body[:-1]]
    lines += [
        f"    {call}  # raises on bad data, as the Airflow task failed the run",
        "    return dg.AssetCheckResult(passed=True)",
    ]
    return "\n".join(lines)


def _check_arguments(
    planned: PlannedDag, task: PlannedTask, choice: Choice, target: PlannedTask | None, retry: str
) -> list[str]:
    """The check's decorator arguments; ``retry``: the policy written once as ``RETRY`` (empty when none is)."""
    args = [f"asset={target.function if target is not None else f'dg.AssetKey({q(list(choice.target))})'}"]
    if choice.blocking:  # tasks followed it in Airflow
        args.append("blocking=True")
    if _target_partitioned(planned, choice):
        args.append("partitions_def=PARTITIONS")
    for item in render.retry_and_pool(task.task):
        args.append("retry_policy=RETRY" if retry and item == f"retry_policy={retry}" else item)
    return args


def _target_partitioned(planned: PlannedDag, choice: Choice) -> bool:
    """A check has the partitions of the asset it checks (none when that asset is a full refresh)."""
    target = next((t for t in planned.tasks if tuple(t.key) == tuple(choice.target)), None)
    return planned.partitioned and not (target is not None and full_refresh(planned, target))


def _modern_defs(
    planned: PlannedDag, tasks: list[PlannedTask], checks: list[PlannedTask], started_by: list[PlannedTask]
) -> list[str]:
    """``ASSETS``, ``TASKS`` (where a definition's name is not its task's), the job, its schedule (none when
    sensors start its runs), the failure callback's sensor and ``defs``, tersely; a DAG Airflow still runs
    (``--force``) takes the faithful form's tail whole, for airlift's mapping."""
    if not planned.decommissioned:
        return render.render_module_defs(planned, tasks, checks, started_by=started_by)
    assets = [t for t in tasks if t.disposition != NONE and t not in checks and t not in started_by]
    specs = [t for t in tasks if t.disposition == NONE]
    dbts = [t for t in assets if t.translation.dbt]  # each a group of assets, or an observed spec (render_dbt)
    executable = [f"*{t.function.upper()}_ASSETS" if t in dbts else t.function for t in assets]
    observed = [t.function for t in specs] + [f"*{t.function.upper()}_SPECS" for t in dbts]
    lines = [f"ASSETS = [{', '.join(executable)}]"]
    if observed:
        lines.append(f"SPECS = [{', '.join(observed)}]")
    group = "*{0}_ASSETS, *{0}_SPECS"
    mapped = [f"{q(t.task.task_id)}: [{group.format(t.function.upper()) if t in dbts else t.function}]" for t in tasks]
    if dbts or any(t.function != t.task.task_id for t in tasks):  # else each definition's name is its task's
        lines.append("TASKS = {" + ", ".join(mapped) + "}")
    if checks:  # the gates run them with their assets (gates/runner.py)
        lines.append(f"CHECKS = [{', '.join(t.function for t in checks)}]")
    every = "[*ASSETS, *SPECS]" if observed else "ASSETS"
    extra = ", asset_checks=CHECKS" if checks else ""
    if dbts:
        extra += ", resources={" + ", ".join(f"**{t.function.upper()}_RESOURCES" for t in dbts) + "}"
    if not assets:
        return [*lines, f"defs = dg.Definitions(assets={every}{extra})"]
    sensors = [t.function for t in started_by]
    automated = [t.function for t in assets if t.automation == "eager"]
    if automated:
        lines.append(
            f"AUTOMATION = dg.AutomationConditionSensorDefinition({q(planned.prefix + '_automation')}, "
            f"target=[{', '.join(automated)}], default_status=dg.DefaultSensorStatus.RUNNING)"
        )
        sensors.append("AUTOMATION")
    job = [q(planned.prefix), "selection=ASSETS"]  # its partitions are its assets' (PARTITIONS)...
    if planned.partitioned and any(full_refresh(planned, t) for t in assets):
        job.append("partitions_def=PARTITIONS")  # ...but for its full refreshes' (none)
    if planned.dag.max_active_runs:
        job.append(f"tags={{{q('airflow/max_active_runs')}: {q(str(planned.dag.max_active_runs))}}}")
    lines.append(f"JOB = dg.define_asset_job({', '.join(job)})")
    schedules = ""
    if started_by:
        lines.append("# No schedule: the sensors above start the DAG's runs.")
    elif planned.partitioned:  # named <job>_schedule, as the faithful form names it
        lines.append(
            "SCHEDULE = dg.build_schedule_from_partitioned_job(JOB, default_status=dg.DefaultScheduleStatus.RUNNING)"
        )
        schedules = ", schedules=[SCHEDULE]"
    elif planned.cron:
        lines.append(
            f'SCHEDULE = dg.ScheduleDefinition(job=JOB, cron_schedule={q(planned.cron)}, execution_timezone="UTC", '
            "default_status=dg.DefaultScheduleStatus.RUNNING)"
        )
        schedules = ", schedules=[SCHEDULE]"
    if planned.failure_callback is not None:
        lines += render.failure_sensor(planned)
        sensors.append("on_failure_callback")
    sensors_arg = f", sensors=[{', '.join(sensors)}]" if sensors else ""
    lines.append(f"defs = dg.Definitions(assets={every}{extra}, jobs=[JOB]{schedules}{sensors_arg})")
    return lines
