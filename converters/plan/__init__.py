"""Plan: the inventory with one rule applied to every task, and the DAG-level mapping decided.

``plan_project`` reads only the inventory (never Airflow code) and returns plain records the generator
writes out: per DAG its partitions, schedule, failure sensor and module name; per task its asset key,
dependencies (Empty and other pass-through tasks joined), inputs, retry policy, pool, tags, disposition,
reason, rule, and the arguments nobody consumed.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from converters.inventory import ir
from converters.plan.jinja import uncarried_user_code
from converters.plan.lift import NO_LIFTING, Lifting, lifted, lifted_body
from converters.plan.lineage import asset_graph, link_tables, may_follow, name_by_data
from converters.rules import Registry, default_registry, plugin_rules
from converters.rules.base import (
    BASE_OPERATOR_ARGS,
    DISPOSITIONS,
    JUDG,
    LIFT,
    NONE,
    Estate,
    Resource,
    TaskInput,
    Translation,
    estate_logic_module,
    input_name,
    python_name,
    template_xcom_keys,
    template_xcoms,
    worse,
)

PRESETS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
TRIGGER_RULES_KEPT = {"all_success"}
# Names a generated DAG module binds itself or imports: an asset function must not take one of them.
RESERVED_NAMES = frozenset(
    {"dg", "DAG", "PARTITIONS", "JOB", "SCHEDULE", "ASSETS", "SPECS", "defs", "timedelta", "context", "logic"}
    | {"airflow", "on_failure_callback", "dbt_assets", "DbtCliResource", "PipesK8sClient", "PipesECSClient"}
    | {"PipesDockerClient", "AirflowConnection", "SqlConnection", "HttpConnection", "SshConnection"}
    | {"SmtpConnection", "SlackWebhookConnection", "DagInfo", "task_context", "call_python", "call_mapped"}
    | {"load_logic", "import_callable", "render", "run_bash", "wait_until", "branch_allows", "failure_context"}
    | {"files_matching", "dags_path", "dbt_executable", "dbt_manifest", "dbt_project", "dbt_vars", "http_ready"}
    | {"s3_keys_exist", "dbt_run_target", "dbt_target_root", "dbt_translator", "pipes_ecs_client"}
    | {"task_asset", "mapped_to_airflow", "run_lifted"}
)


@dataclass(frozen=True)
class Dep:
    kind: str  # "key" (an asset key) | "dbt" (every asset of a dbt group in the same module)
    value: tuple[str, ...]


@dataclass
class PlannedTask:
    task: ir.Task
    rule: str
    translation: Translation
    key: tuple[str, ...]
    function: str
    group_name: str
    deps: list[Dep] = field(default_factory=list)
    inputs: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)  # (task_id, param, key)
    gated_by: str | None = None  # a branch/short-circuit upstream: this asset may yield no output
    automation: str | None = None  # "eager" for assets that follow datasets or triggering DAGs
    unconsumed: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    xcom_readers: list[str] = field(default_factory=list)  # tasks of this DAG that read its XCom (value)
    tables: list[str] = field(default_factory=list)  # the tables it writes (plan/lineage.py), lower-cased

    @property
    def disposition(self) -> str:
        return self.translation.disposition

    @property
    def reason(self) -> str:
        return self.translation.reason

    @property
    def passthrough(self) -> bool:
        return self.translation.passthrough and self.disposition != NONE

    @property
    def has_asset(self) -> bool:
        """A Dagster asset can run this task: it has an equivalent (not NONE) and is not a pass-through."""
        return self.disposition != NONE and not self.passthrough


@dataclass
class PlannedDag:
    dag: ir.Dag
    file: ir.DagFile
    module: str  # python module name of the generated file (dags/<module>.py)
    prefix: str  # the first part of every asset key of this DAG (its id, made valid and unique)
    logic_module: str | None  # logic/<module>.py holding the file's copied code
    tasks: list[PlannedTask]
    cron: str | None  # the schedule as cron, when it has one
    partitioned: bool  # time-window partitions from start_date on the cron
    partition_fmt: str = "%Y-%m-%d"
    schedule_note: str | None = None
    failure_callback: ir.RefValue | ir.CallableValue | None = None  # the on_failure_callback value
    notes: list[str] = field(default_factory=list)
    decommissioned: bool = False  # Airflow no longer runs it: Dagster's schedule/automation are on, no airlift mapping
    modernized: bool = False  # `modernize` rewrote it: its module is generated in the modern form (codegen/modern.py)
    quality_checks: tuple[str, ...] = ()  # modernized: task ids whose gate evidence made them asset checks
    # modernized: task id -> the tables its gate-5 evidence showed it write (lineage beyond the literal SQL)
    written: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # modernized: connection id -> its type, as the environment of its gates defined it (``duckdb``...)
    connection_types: dict[str, str] = field(default_factory=dict)

    @property
    def proxy_level(self) -> str:
        """How airlift maps (and proxies) this DAG: per task, or as a whole when some task ids are not stable
        (mapped tasks; dbt groups whose tasks cosmos creates at parse time)."""
        if any(t.task.mapped or t.translation.dbt for t in self.tasks if t.disposition != NONE):
            return "dag"
        return "task"


@dataclass
class Plan:
    root: str
    dags: list[PlannedDag]
    files: list[ir.DagFile]  # files whose callables were copied (logic modules)
    resources: dict[str, Resource]
    problems: list[str] = field(default_factory=list)  # rule plug-ins that failed to load
    # the distinct dbt projects of the cosmos groups: name (``SHOP_PROJECT``) -> (folder, profiles' folder, target)
    dbt_projects: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        totals = dict.fromkeys(DISPOSITIONS, 0)
        for dag in self.dags:
            for task in dag.tasks:
                totals[task.disposition] += 1
        return totals


class UnknownDag(LookupError):
    """A DAG id the plan does not hold (the message suggests close ids)."""


def find_dag(plan: Plan, dag_id: str) -> PlannedDag:
    """The planned DAG ``dag_id``; ``UnknownDag`` naming close matches when there is none."""
    for planned in plan.dags:
        if planned.dag.dag_id == dag_id:
            return planned
    close = difflib.get_close_matches(dag_id, [d.dag.dag_id for d in plan.dags], n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise UnknownDag(f"no DAG {dag_id!r} in the DAGs folder{hint}")


def plan_project(
    project: ir.Project,
    registry: Registry | None = None,
    decommissioned: frozenset[str] = frozenset(),
    modernized: Mapping[str, tuple[str, ...]] | None = None,
    broken_logic: dict[str, str] | None = None,
    lifting: Lifting = NO_LIFTING,
    written: Mapping[str, Mapping[str, tuple[str, ...]]] | None = None,
    connection_types: Mapping[str, Mapping[str, str]] | None = None,
) -> Plan:
    """One rule match per task. ``decommissioned``: DAG ids whose Airflow side is retired (see `decommission`).
    ``modernized``: the DAGs `modernize` rewrote, each with its tasks that became asset checks (decommissioned ones).
    ``broken_logic``: logic modules that do not import (``codegen.imports``), by name: the error.
    ``lifting``: the tasks that, with no translation, run their own Airflow operator (LIFT, ``plan/lift.py``).
    ``written``: per modernized DAG, the tables gate 5 saw each task write (``plan/lineage.py`` joins them).
    ``connection_types``: per modernized DAG, the type of each connection its tasks use (``codegen/modern.py``)."""
    problems: list[str] = []
    if registry is None:
        registry = default_registry()
        problems = plugin_rules()[1]  # a broken plug-in is reported with the plan, never fatal
    estate = _estate(project)
    modules = _module_names(project)
    plan = Plan(project.root, [], [], {}, problems)
    triggered_by: dict[str, list[PlannedTask]] = {}  # dag id -> the tasks that trigger it (ids may repeat)
    for file in project.files:
        for dag in file.dags:
            planned = _plan_dag(dag, file, estate, registry, modules, broken_logic or {}, lifting)
            planned.decommissioned = dag.dag_id in decommissioned
            if dag.dag_id in (modernized or {}):  # checks only once Airflow no longer maps tasks to assets
                planned.modernized = True
                planned.quality_checks = tuple((modernized or {})[dag.dag_id]) if planned.decommissioned else ()
                planned.written = dict((written or {}).get(dag.dag_id, {}))
                planned.connection_types = dict((connection_types or {}).get(dag.dag_id, {}))
            plan.dags.append(planned)
            for task in planned.tasks:
                if task.translation.triggers and task.disposition != NONE:
                    triggered_by.setdefault(task.translation.triggers, []).append(task)
                for resource in task.translation.resources:
                    plan.resources.setdefault(resource.name, resource)
        if file.callables and any(d.tasks for d in file.dags):
            plan.files.append(file)
    _link_across_dags(plan, estate, triggered_by)
    _separate_shared_dbt_projects(plan)
    _name_dbt_projects(plan)
    for reader, key in link_tables(plan):  # data lineage: a table another DAG's task writes
        if Dep("key", key) not in reader.deps:
            reader.deps.append(Dep("key", key))
    name_by_data(plan)  # a modernized DAG's assets named by the tables they write (after decommission only)
    plan.dags.sort(key=lambda d: d.module)
    return plan


def _separate_shared_dbt_projects(plan: Plan) -> None:
    """cosmos groups over one dbt project (two DAGs, or one DAG twice) may select the same models; dagster-dbt
    names a model's asset by the model alone, so the location would define a key twice and not load. Each such
    group keys its models under its DAG (and group, when its DAG has two): every DAG still builds what it built
    in Airflow, as its own assets."""
    groups: dict[str, list[tuple[PlannedDag, PlannedTask]]] = {}
    for planned in plan.dags:
        for task in planned.tasks:
            if task.translation.dbt and task.disposition != NONE:
                project = posixpath.normpath(task.translation.dbt["project_dir"])
                groups.setdefault(project, []).append((planned, task))
    for project, sharing in groups.items():
        if len(sharing) < 2:
            continue
        for planned, task in sharing:
            twice = sum(1 for other, _ in sharing if other is planned) > 1
            prefix = [planned.prefix, task.key[-1]] if twice else [planned.prefix]
            task.translation.dbt["key_prefix"] = prefix
            others = ", ".join(f"{o.dag.dag_id}.{t.task.task_id}" for o, t in sharing if t is not task)
            task.translation.notes.append(
                f"the dbt project {project} is also built by {others}: this group's models are keyed under "
                f"{'/'.join(prefix)}/ so that no model's key is defined twice"
            )


def dbt_project_of(dbt: Mapping[str, str | None]) -> tuple[str, str, str | None]:
    """What makes one dbt project of a cosmos group: its folder, its profiles' folder and the target."""
    return (
        posixpath.normpath(str(dbt["project_dir"])),
        posixpath.normpath(str(dbt["profiles_dir"])),
        dbt.get("target"),
    )


def _name_dbt_projects(plan: Plan) -> None:
    """Each distinct dbt project gets one name (``SHOP_PROJECT``), its ``DbtProject`` in the location's
    ``dbt_projects.py``: the groups that build it share it, and it is prepared once."""
    found = sorted(
        {
            dbt_project_of(task.translation.dbt)
            for planned in plan.dags
            for task in planned.tasks
            if task.translation.dbt and task.disposition != NONE
        },
        key=lambda project: tuple(str(part) for part in project),
    )
    taken = _Taken()
    names = {project: _unique(python_name(_folder_name(project[0])).upper() + "_PROJECT", taken) for project in found}
    plan.dbt_projects = {name: project for project, name in sorted(names.items(), key=lambda item: item[1])}
    for planned in plan.dags:
        for task in planned.tasks:
            if task.translation.dbt and task.disposition != NONE:
                task.translation.dbt["project"] = names[dbt_project_of(task.translation.dbt)]


def _folder_name(path: str) -> str:
    name = posixpath.basename(path)
    return "dbt" if name in {"", ".", ".."} else name


def _estate(project: ir.Project) -> Estate:
    dags: dict[str, ir.Dag] = {}
    producers: dict[str, list[tuple[str, str]]] = {}
    task_functions: set[str] = set(project.task_functions)
    for file in project.files:
        module = file.path.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        task_functions.update(f"{module}.{name}" for name in file.task_functions)
        for dag in file.dags:
            dags.setdefault(dag.dag_id, dag)
            for task in dag.tasks:
                for uri in task.outlets:
                    producers.setdefault(uri, []).append((dag.dag_id, task.task_id))
    return Estate(dags, producers, frozenset(task_functions), frozenset(project.airflow_modules))


def _module_names(project: ir.Project) -> dict[str, tuple[str, str]]:
    """Per DAG its generated module name and asset key prefix, both unique (a DAG id reused across files, or
    ids that only differ in characters Dagster does not allow, must not collide)."""
    names: dict[str, tuple[str, str]] = {}
    modules, prefixes = _Taken(), _Taken()
    for file in project.files:
        for dag in file.dags:
            module = _unique(python_name(dag.dag_id).lower(), modules)
            prefix = _unique(dag_key(dag.dag_id), prefixes)
            names[f"{file.path}\0{dag.dag_id}"] = (module, prefix)
    return names


class _Taken(set):
    """Names in use, which also knows them lower-cased: a DAG of 10,000 tasks is planned in linear time."""

    def __init__(self, names=()) -> None:
        super().__init__(names)
        self.lowered = {name.lower() for name in self}

    def add(self, name: str) -> None:
        super().add(name)
        self.lowered.add(name.lower())


def _unique(base: str, taken: _Taken) -> str:
    name, n = base, 2
    while name in taken or name.lower() in taken.lowered:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def logic_module_name(file: ir.DagFile) -> str:
    return python_name(file.path.removesuffix(".py").replace("/", "__")).lower()


def task_logic_modules(planned: PlannedDag, translation: Translation) -> list[str]:
    """The logic modules a task's asset loads code from: the file's (``uses_logic``), an estate class's own."""
    found = [planned.logic_module] if translation.uses_logic and planned.logic_module else []
    alone = [translation.logic_class] if translation.logic_class else []
    return found + [estate_logic_module(c) for c in dict.fromkeys([*alone, *translation.logic_classes])]


def dag_key(dag_id: str) -> str:
    return python_name(dag_id)


def task_key(task_id: str) -> str:
    return python_name(task_id.replace(".", "__"))


def _plan_dag(dag, file, estate, registry, modules, broken_logic: dict[str, str], lifting: Lifting) -> PlannedDag:
    cron, note = _cron(dag.schedule)
    partitioned = bool(cron) and bool(dag.start_date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", dag.start_date))
    module, prefix = modules[f"{file.path}\0{dag.dag_id}"]
    planned = PlannedDag(
        dag=dag,
        file=file,
        module=module,
        prefix=prefix,
        logic_module=logic_module_name(file) if file.callables else None,
        tasks=[],
        cron=cron,
        partitioned=partitioned,
        partition_fmt=_partition_fmt(cron) if cron else "%Y-%m-%d",
        schedule_note=note,
    )
    owner = dag.default_args.get("owner")
    reserved = _Taken(RESERVED_NAMES)
    keys = _Taken()
    for task in dag.tasks:
        rule, translation = registry.translate(TaskInput(task, dag, file, estate))
        if translation.disposition == NONE and lifting.wants(dag.dag_id, task.task_id):
            translation = lifted(task, dag, translation)  # LIFT, or NONE saying why it cannot be lifted
        used = next((m for m in task_logic_modules(planned, translation) if m in broken_logic), None)
        if used is not None and translation.disposition != NONE:
            # Code that does not import cannot run: the task stays in Airflow, the error says why.
            error = broken_logic[used]
            translation = Translation(NONE, f"its code, copied to logic/{used}.py, does not import: {error}")
        keyed = pulled_keys(task, file.callables)
        if keyed and translation.disposition != NONE:
            # Nothing but a task's return value reaches a downstream asset: the pull would fail where Airflow's works.
            source, key = keyed[0].split(":", 1)
            whose = "a task named only at run time" if source == "?" else repr(source)
            key = key if key[:1] in "'\"" else repr(key)
            translation = Translation(
                NONE, f"pulls the XCom {key} of {whose}, a value pushed under its own key, which no asset passes on"
            )
        user_code = uncarried_user_code(task, dag)
        if user_code and translation.disposition not in (NONE, LIFT):
            # The generated renderer has the DAG's literal macros only: the template would fail where Airflow's works.
            translation = Translation(
                NONE,
                "its templates use user-defined code of the DAG that the generated renderer does not carry: "
                + ", ".join(user_code),
            )
        _judge_settings(task, translation)
        function = python_name(task_key(task.task_id))
        if function in reserved or function.startswith("_") or function.isupper():
            function = f"{function}_asset"
        function = _unique(function, reserved)
        task_owner = task.arguments.get("owner", owner)
        planned.tasks.append(
            PlannedTask(
                task=task,
                rule=rule.name,
                translation=translation,
                key=(prefix, _unique(task_key(task.task_id), keys)),
                function=function,
                group_name=python_name(
                    dag.dag_id + (f"__{task.task_group.replace('.', '__')}" if task.task_group else "")
                ),
                unconsumed=sorted(
                    k for k in task.arguments if k not in translation.consumed and k not in BASE_OPERATOR_ARGS
                ),
                owners=[_owner(task_owner)] if isinstance(task_owner, str) and task_owner != "airflow" else [],
                tags={t: "" for t in dag.tags if _valid_tag(t)},
            )
        )
        callback = task.arguments.get("on_failure_callback")
        if planned.failure_callback is None and isinstance(callback, (ir.RefValue, ir.CallableValue)):
            planned.failure_callback = callback
    _lift_inputs(planned)
    _resolve_graph(planned)
    _mark_xcom_readers(planned)
    return planned


def _lift_inputs(planned: PlannedDag) -> None:
    """A LIFT task's ``xcom_pull`` is answered from its inputs: the values it is known to pull (arguments,
    templates, callables) and those of its direct upstream assets (an operator's own code may pull them)."""
    by_id = {t.task.task_id: t for t in planned.tasks}
    callables = {c.name: c for c in planned.file.callables}
    for task in planned.tasks:
        if task.disposition != LIFT:
            continue
        upstream = [e.upstream for e in planned.dag.edges if e.downstream == task.task.task_id]
        with_values = [u for u in upstream if u in by_id and by_id[u].has_asset and not by_id[u].translation.dbt]
        known = sorted(xcom_sources(task.task, callables) or ())
        values = list(dict.fromkeys([*known, *with_values]))
        task.translation.inputs = values
        task.translation.body = lifted_body(task.task.task_id, values)


def _mark_xcom_readers(planned: PlannedDag) -> None:
    """Which tasks read each task's XCom. A proxied task pushes no XCom in Airflow: a reader left there gets
    nothing. A reader that stays in Airflow for good (NONE) makes handing its producer over destructive, which
    the producer's notes say (and `proxy` refuses it)."""
    by_id = {t.task.task_id: t for t in planned.tasks}
    parents: dict[str, set[str]] = {t: set() for t in by_id}
    for edge in planned.dag.edges:
        if edge.downstream in parents and edge.upstream in by_id:
            parents[edge.downstream].add(edge.upstream)

    def ancestors(task_id: str) -> set[str]:
        seen: set[str] = set()
        todo = list(parents[task_id])
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(parents[current])
        return seen

    callables = {c.name: c for c in planned.file.callables}
    for reader in planned.tasks:
        read = xcom_sources(reader.task, callables)
        if read is None:  # pulls from task ids known only at run time: any task before it may be one
            read = ancestors(reader.task.task_id)
        elif reader.disposition == LIFT:  # its operator's own code may pull any value it is given (_lift_inputs)
            read = read | set(reader.translation.inputs)
        for producer_id in sorted(read):
            producer = by_id.get(producer_id)
            if producer is None or producer is reader or reader.task.task_id in producer.xcom_readers:
                continue
            producer.xcom_readers.append(reader.task.task_id)
            if reader.disposition == NONE and producer.has_asset:
                producer.translation.notes.append(
                    f"its XCom is read by {reader.task.task_id}, which stays in Airflow (NONE): a proxied task "
                    "pushes no XCom, so `proxy` refuses to hand this task over while that one runs in Airflow"
                )


def xcom_sources(task: ir.Task, callables: dict[str, ir.Callable]) -> set[str] | None:
    """Task ids whose XCom ``task`` reads (arguments, templates, its callable's code); None when some pull
    names its task at run time only."""
    found: set[str] = set()

    def walk(value: object) -> bool:
        if isinstance(value, ir.XComValue):
            found.add(value.task_id)
        elif isinstance(value, dict):
            if isinstance(value.get("$xcom"), str):
                found.add(value["$xcom"])
            return all(walk(v) for v in value.values())
        elif isinstance(value, (list, tuple)):
            return all(walk(v) for v in value)
        elif isinstance(value, ir.CallableValue) and value.name in callables:
            pulls = callables[value.name].xcom_pulls
            found.update(p for p in pulls if p != "?")
            return "?" not in pulls
        return True

    known = walk(dict(task.arguments))
    templated = template_xcoms(list(task.arguments.values()))
    if templated is None:
        return None
    found.update(templated)
    return found if known else None


def pulled_keys(task: ir.Task, callables: tuple[ir.Callable, ...]) -> list[str]:
    """``task:key`` of the XComs ``task`` pulls from other tasks under keys other than the return value's: in its
    templates (``task`` shown as ``?``) and in the code it runs (its callable, its arguments' code)."""
    by_name = {c.name: c for c in callables}
    found = {f"?:{key}" for key in template_xcom_keys(list(task.arguments.values()))}

    def walk(value: object) -> None:
        if isinstance(value, (ir.CallableValue, ir.CodeValue)) and value.name in by_name:
            found.update(k for k in by_name[value.name].xcom_keys if k.rpartition(":")[0] != task.task_id)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    walk(dict(task.arguments))
    return sorted(found)


def _judge_settings(task: ir.Task, t: Translation) -> None:
    """Settings every task has that change the disposition: each one is a note beside the asset."""
    if t.disposition == NONE:
        return
    if task.role == "teardown" and not t.passthrough:
        t.disposition = worse(t.disposition, JUDG)
        t.notes.append(
            "teardown task: Airflow runs it even when the work before it failed (all_done_setup_success) and "
            "clears it with its setups; Dagster has no teardown-on-failure: this asset runs only when its upstream "
            "succeeded"
        )
    elif task.trigger_rule not in TRIGGER_RULES_KEPT and not t.passthrough:
        t.disposition = worse(t.disposition, JUDG)
        t.notes.append(f"trigger_rule={task.trigger_rule}: Dagster runs an asset when its upstream succeeded")
    if task.role == "setup" and not t.passthrough:
        t.notes.append("setup task: an ordinary upstream asset in Dagster (Airflow clears it with the work it sets up)")
    if task.sla and not t.passthrough:
        t.notes.append(f"sla={float(task.sla):g} s becomes a freshness policy (at least one minute)")
    if task.depends_on_past and not t.passthrough:
        t.disposition = worse(t.disposition, JUDG)
        t.notes.append("depends_on_past: Dagster does not wait for the previous partition")


def _owner(owner: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", owner):
        return owner
    return "team:" + re.sub(r"[^A-Za-z0-9_-]", "_", owner)


def _valid_tag(tag: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9_.-]{1,63}", tag))


def _resolve_graph(planned: PlannedDag) -> None:
    """Dependencies through pass-through tasks, inputs for values, and gates after branches."""
    by_id = {t.task.task_id: t for t in planned.tasks}
    upstream: dict[str, list[str]] = {t.task.task_id: [] for t in planned.tasks}
    for edge in planned.dag.edges:
        if edge.downstream in upstream and edge.upstream in by_id:
            upstream[edge.downstream].append(edge.upstream)
    memo: dict[str, list[str]] = {}

    def effective(task_id: str, seen: frozenset[str] = frozenset()) -> list[str]:
        if task_id in memo:
            return memo[task_id]
        result: list[str] = []
        for parent in upstream[task_id]:
            if parent in seen:
                continue
            if by_id[parent].passthrough:
                result.extend(p for p in effective(parent, seen | {task_id}) if p not in result)
                for dag_id, ext_task in by_id[parent].translation.extra_deps:
                    marker = f"\0{dag_id}\0{ext_task or ''}"
                    if marker not in result:
                        result.append(marker)
            elif parent not in result:
                result.append(parent)
        memo[task_id] = result
        return result

    for task in planned.tasks:
        if task.passthrough:  # no asset, but other DAGs may follow it (TriggerDagRun) or wait on it (a sensor)
            for parent in effective(task.task.task_id):
                if not parent.startswith("\0") and Dep("key", by_id[parent].key) not in task.deps:
                    task.deps.append(Dep("key", by_id[parent].key))
            continue
        parents = effective(task.task.task_id)
        wanted = list(task.translation.inputs)
        for wanted_id in wanted:
            source = by_id.get(wanted_id)
            # A value can only come from an asset that Dagster materializes itself.
            if source is None or source.passthrough or source.disposition == NONE or source.translation.dbt:
                task.translation = Translation(
                    NONE, f"needs the value of {wanted_id!r}, which is not an asset with a value in Dagster"
                )
                break
            task.inputs.append((wanted_id, input_name(wanted_id), source.key))
        for parent in parents:
            if parent.startswith("\0"):
                _, dag_id, ext_task = parent.split("\0")
                task.deps.append(Dep("external", (dag_id, ext_task)))
                continue
            source = by_id[parent]
            if source.translation.gate and task.disposition != NONE and not task.translation.dbt:
                task.gated_by = parent
                if all(i[0] != parent for i in task.inputs):
                    task.inputs.append((parent, input_name(parent), source.key))
                continue
            if any(i[0] == parent for i in task.inputs):
                continue
            if source.translation.dbt:
                task.deps.append(Dep("dbt", (source.function,)))
            else:
                task.deps.append(Dep("key", source.key))
        for dag_id, ext_task in task.translation.extra_deps:
            task.deps.append(Dep("external", (dag_id, ext_task or "")))


def _link_across_dags(plan: Plan, estate: Estate, triggered_by: dict[str, list[PlannedTask]]) -> None:
    """Other DAGs' tasks become asset keys; dataset schedules and TriggerDagRun make the downstream DAG's
    first assets follow the upstream assets."""
    by_dag: dict[str, PlannedDag] = {}
    for planned in plan.dags:
        by_dag.setdefault(planned.dag.dag_id, planned)

    def keys_of(dag_id: str, task_id: str) -> list[tuple[str, ...]]:
        source = by_dag.get(dag_id)
        if source is None:  # a DAG outside the scanned folder: name its asset the way we would
            return [(dag_key(dag_id), task_key(task_id) if task_id else "dag")]
        assets = [t for t in source.tasks if not t.passthrough]
        if task_id:
            found = [t for t in source.tasks if t.task.task_id == task_id]
            if found and found[0].passthrough:
                return [d.value for d in found[0].deps if d.kind == "key"]
            return [found[0].key] if found else [(source.prefix, task_key(task_id))]
        downstream = {e.upstream for e in source.dag.edges}
        return [t.key for t in assets if t.task.task_id not in downstream]  # the whole DAG: its last assets

    for planned in plan.dags:
        for task in planned.tasks:
            resolved: list[Dep] = []
            for dep in task.deps:
                replacement = [Dep("key", k) for k in keys_of(*dep.value)] if dep.kind == "external" else [dep]
                resolved.extend(d for d in replacement if d not in resolved)
            task.deps = resolved
    for planned in plan.dags:
        upstream_keys: list[tuple[str, ...]] = []
        if planned.dag.schedule.kind == "dataset":
            for uri in re.split(r"\s*[&|()]\s*", planned.dag.schedule.value or ""):
                for dag_id, task_id in estate.dataset_producers.get(uri.strip(), []):
                    upstream_keys.extend(keys_of(dag_id, task_id))
        for trigger in triggered_by.get(planned.dag.dag_id, []):  # the task itself: a DAG id defined twice
            upstream_keys.extend(d.value for d in trigger.deps if d.kind == "key")
        if not upstream_keys:
            continue
        internal = {e.downstream for e in planned.dag.edges}
        for task in planned.tasks:
            if task.passthrough or task.task.task_id in internal or task.disposition == NONE:
                continue
            for key in upstream_keys:
                if Dep("key", key) not in task.deps:
                    task.deps.append(Dep("key", key))
            task.automation = "eager"
    _follow_inlets(plan, estate, keys_of)


def _follow_inlets(plan: Plan, estate: Estate, keys_of) -> None:
    """A task's ``inlets`` (Datasets/Assets it reads) make its asset depend on the assets of another DAG's tasks
    whose ``outlets`` produce them (``lineage.may_follow``: never a cycle, never an order Airflow's edges lack).
    An eager asset (Dataset-scheduled) is left as it is: it would run whenever its inlets change."""
    graph = None
    for planned in plan.dags:
        for task in planned.tasks:
            if task.passthrough or not task.task.inlets or task.automation == "eager":
                continue
            for uri in task.task.inlets:
                for dag_id, task_id in estate.dataset_producers.get(uri.strip(), []):
                    for key in keys_of(dag_id, task_id):
                        graph = asset_graph(plan) if graph is None else graph
                        if Dep("key", key) not in task.deps and may_follow(graph, key, task.key, False):
                            task.deps.append(Dep("key", key))


def _cron(schedule: ir.Schedule) -> tuple[str | None, str | None]:
    cron, note = _cron_text(schedule)
    if cron is not None and not _valid_cron(cron):
        return None, f"cron {cron!r} is not one Dagster accepts: add a schedule by hand"
    return cron, note


def _valid_cron(cron: str) -> bool:
    try:
        from dagster._utils.schedules import is_valid_cron_string
    except ImportError:  # pragma: no cover - the converter runs in the Dagster venv
        return len(cron.split()) == 5
    return is_valid_cron_string(cron)


def _cron_text(schedule: ir.Schedule) -> tuple[str | None, str | None]:
    if schedule.kind == "cron" and schedule.value:
        return schedule.value, None
    if schedule.kind == "preset" and schedule.value:
        if schedule.value in PRESETS:
            return PRESETS[schedule.value], None
        return None, f"schedule {schedule.value}: runs only when requested in Dagster"
    if schedule.kind == "timedelta" and schedule.value:
        seconds = float(schedule.value)
        for step, cron in ((3600, "0 * * * *"), (86400, "0 0 * * *")):
            if seconds == step:
                return cron, None
        return None, f"schedule every {seconds:g} s has no cron equivalent: add a schedule by hand"
    if schedule.kind == "default":
        return "0 0 * * *", None  # Airflow 2's default schedule is daily
    if schedule.kind in {"timetable", "unresolved"}:
        return None, f"schedule {schedule.value}: not converted, add a schedule by hand"
    return None, None


def _partition_fmt(cron: str) -> str:
    minute, hour, *_ = (cron.split() + ["*"] * 5)[:5]
    daily_or_coarser = minute.isdigit() and hour.isdigit()
    return "%Y-%m-%d" if daily_or_coarser else "%Y-%m-%d-%H:%M"
