"""What a generated asset needs at run time to behave like the Airflow task it came from.

Copied verbatim into every generated package (``<package>/support/``) so the code runs without
airflow-to-dagster installed. It depends on dagster and the standard library only; the Airflow
template context comes from ``templates`` next to it.

- ``task_context`` rebuilds Airflow's context for one asset run. A run launched by a proxied Airflow task
  (airlift's ``dagster-airlift/airflow-dag-*`` tags) takes logical date, data interval and conf from that
  Airflow run (read over ``AIRFLOW_URL``). Otherwise the logical date is the start of the partition's time
  window (the data interval is the window), else the ``airflow/logical_date`` run tag; without any of them
  the run has no logical date, and each date value (``ds``, ``ts``, ``logical_date``…) fails the step with
  that explanation when it is used (never the wall clock). ``dag_run.conf`` comes from the ``airflow/conf``
  run tag (JSON).
- ``call_python`` calls a task's callable the way PythonOperator does: templated ``op_args``/``op_kwargs``/
  ``templates_dict`` rendered first, context keys passed by parameter name (all of them for ``**kwargs``).
- ``run_bash`` runs a command the way BashOperator does (rendered, ``env``/``append_env``); the exit code
  Airflow reads as "skip" (99) fails the step with that message.
- ``BaseOperator`` / ``run_operator``: an estate operator class copied out of a DAG file runs on this stand-in
  base as Airflow runs it: built with the task's arguments, its ``template_fields`` rendered, ``execute(context)``
  called, its return value the asset's value.
- ``load_logic`` imports the code copied out of a DAG file, with the Airflow DAGs folder on ``sys.path``
  (Airflow puts it there too, so ``include.*`` helpers import the same way).
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg

from . import settings, templates
from .hooks import BaseHook  # noqa: F401 - Airflow's BaseHook for copied code; its one home is hooks.py

LOGICAL_DATE_TAG = "airflow/logical_date"
CONF_TAG = "airflow/conf"
AIRLIFT_RUN_ID_TAG = "dagster-airlift/airflow-dag-run-id"
AIRLIFT_DAG_ID_TAG = "dagster-airlift/airflow-dag-id"


@dataclass(frozen=True)
class DagInfo:
    """What the generated module knows about the Airflow DAG its assets came from."""

    dag_id: str
    source: str  # the DAG file, relative to the DAGs folder
    owner: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    native: bool = False  # the DAG's render_template_as_native_obj: templates render to Python objects
    # The DAG's template_searchpath as written, and the same folders in the converted tree (relative to it).
    template_searchpath: tuple[str, ...] = ()
    template_folders: tuple[str, ...] = ()
    user_defined_macros: Mapping[str, Any] = field(default_factory=dict)  # its macros that are literals


def dags_folder() -> Path:
    """The Airflow DAGs folder: ``AIRFLOW_DAGS_FOLDER``, else where it was when the code was generated."""
    configured = os.environ.get("AIRFLOW_DAGS_FOLDER")
    if configured:
        return Path(configured).resolve()
    return (Path(__file__).resolve().parents[1] / settings.DAGS_FOLDER).resolve()


def dags_path(relative: str) -> str:
    """A path the DAG file computed from ``__file__`` (relative to the converted folder), resolved."""
    return str((dags_folder() / getattr(settings, "SCANNED_ROOT", ".") / relative).resolve())


def load_logic(module: str) -> Any:
    """The code copied out of one DAG file (``<package>.logic.<module>``), importable like Airflow imports it."""
    folder = str(dags_folder())
    if folder not in sys.path:
        sys.path.insert(0, folder)
    package = __name__.rsplit(".", 2)[0]
    return importlib.import_module(f"{package}.logic.{module}")


def import_callable(qualified: str) -> Callable[..., Any]:
    """A callable the DAG file imported (``include.alerts.notify_on_call``), from the DAGs folder."""
    folder = str(dags_folder())
    if folder not in sys.path:
        sys.path.insert(0, folder)
    module, _, name = qualified.rpartition(".")
    return getattr(importlib.import_module(module), name)


def task_context(
    context: dg.AssetExecutionContext,
    dag: DagInfo,
    task_id: str,
    *,
    xcom_values: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Airflow's template context for this asset run (see the module docstring for where values come from)."""
    tags = context.run.tags if context.run else {}
    start = end = None
    if context.has_partition_key:
        try:
            window = context.partition_time_window
            start, end = window.start, window.end
        except Exception:  # noqa: BLE001 - not a time-window partition: fall back to tags/now
            start = end = None
    conf = json.loads(tags[CONF_TAG]) if tags.get(CONF_TAG) else {}
    launched_by = _launching_airflow_run(tags)
    if launched_by is not None:  # a proxied task: the Airflow run it stands in for decides date and conf
        start = _timestamp(launched_by.get("data_interval_start") or launched_by["logical_date"])
        end = _timestamp(launched_by.get("data_interval_end") or launched_by["logical_date"])
        logical = _timestamp(launched_by["logical_date"])
        conf = launched_by.get("conf") or {}
    if start is None and tags.get(LOGICAL_DATE_TAG):
        start = end = datetime.fromisoformat(tags[LOGICAL_DATE_TAG])
    missing = start is None  # no date Airflow would have used: the date values fail when used (never "now")
    if missing:
        start = end = datetime(1970, 1, 1, tzinfo=UTC)
    if launched_by is None:
        logical = start
    run_id = tags.get(AIRLIFT_RUN_ID_TAG) or f"dagster__{context.run.run_id}"
    airflow = templates.build_context(
        dag_id=dag.dag_id,
        task_id=task_id,
        logical_date=logical,
        data_interval_start=start,
        data_interval_end=end,
        params=dict(dag.params),
        run_id=run_id,
        conf=conf,
        airflow_major=int(os.environ.get("AIRFLOW_MAJOR_VERSION", "2")),
        xcom_values=dict(xcom_values or {}),
        owner=dag.owner,
    )
    if missing:
        unread = " (airlift tags, but AIRFLOW_URL is not set to read that run)" if tags.get(AIRLIFT_RUN_ID_TAG) else ""
        why = (
            f"this run of {dag.dag_id}.{task_id} has no logical date: it is not partitioned, not launched by an "
            f"Airflow run{unread}, and has no run tag {LOGICAL_DATE_TAG}. Airflow would use the run's logical date; "
            f"launch the run with the tag {LOGICAL_DATE_TAG}=<ISO date, e.g. 2024-01-15T00:00:00+00:00>"
        )
        _without_logical_date(airflow, why)
    return airflow


# Context values made from the logical date (or the data interval): without one, each fails when used.
DATE_KEYS = (
    "logical_date",
    "ds",
    "ds_nodash",
    "ts",
    "ts_nodash",
    "ts_nodash_with_tz",
    "data_interval_start",
    "data_interval_end",
    "task_instance_key_str",
    "execution_date",
    "prev_execution_date",
    "prev_ds",
    "prev_ds_nodash",
    "next_execution_date",
    "next_ds",
    "next_ds_nodash",
    "yesterday_ds",
    "yesterday_ds_nodash",
    "tomorrow_ds",
    "tomorrow_ds_nodash",
)


class MissingLogicalDate:
    """Stands in for a date value of a run that has no logical date: rendering, formatting, comparing or
    reading it fails the step with ``why`` (an asset that never uses the date runs as usual)."""

    def __init__(self, key: str, why: str) -> None:
        self._key, self._why = key, why

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise dg.Failure(f"{{{{ {self._key} }}}} is used, but {self._why}")

    __str__ = __format__ = __bool__ = __iter__ = __len__ = _fail
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __add__ = __sub__ = __radd__ = __rsub__ = _fail  # type: ignore[assignment]
    __hash__ = object.__hash__

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._fail()

    def __repr__(self) -> str:
        return f"<no logical date: {self._key}>"


def _without_logical_date(airflow: dict[str, Any], why: str) -> None:
    for key in DATE_KEYS:
        if key in airflow:
            airflow[key] = MissingLogicalDate(key, why)
    for record, names in (
        (airflow.get("dag_run"), ("logical_date", "execution_date", "data_interval_start", "data_interval_end")),
        (airflow.get("ti"), ("execution_date",)),
    ):
        for name in names:
            if record is not None and name in vars(record):
                setattr(record, name, MissingLogicalDate(f"{type(record).__name__}.{name}", why))


def _launching_airflow_run(tags: Mapping[str, str]) -> dict[str, Any] | None:
    """The Airflow DAG run a proxied task launched this run from (airlift's tags), read from Airflow's API."""
    if not (tags.get(AIRLIFT_RUN_ID_TAG) and tags.get(AIRLIFT_DAG_ID_TAG) and os.environ.get("AIRFLOW_URL")):
        return None
    from .airlift import airflow_dag_run

    return airflow_dag_run(tags[AIRLIFT_DAG_ID_TAG], tags[AIRLIFT_RUN_ID_TAG])


def _timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


SQL_TEMPLATE_EXT = (".sql", ".json")  # the SQL operators' template_ext


def render(
    value: Any,
    airflow: Mapping[str, Any],
    dag: DagInfo | None = None,
    template_ext: Iterable[str] = SQL_TEMPLATE_EXT,
) -> Any:
    """Render templated values; a string ending in one of the operator's ``template_ext`` is a file to read
    from the DAG's folder, then its ``template_searchpath`` (as written, then where the scan found those folders
    in the converted tree), then the DAGs folder, as Airflow reads it. A DAG with ``render_template_as_native_obj``
    gets Python objects (``{{ params.n }}`` an int, a list as a list), as its Airflow tasks did; the DAG's literal
    ``user_defined_macros`` are names of the templates, as in Airflow."""
    search = [str(dags_folder())]
    if dag is not None:
        search[:0] = [
            str((dags_folder() / dag.source).parent),
            *dag.template_searchpath,
            *(dags_path(folder) for folder in dag.template_folders),
        ]
    native = dag is not None and dag.native
    macros = dag.user_defined_macros if dag is not None else None
    return templates.render(
        value,
        dict(airflow),
        search_path=search,
        template_ext=tuple(template_ext),
        native=native,
        user_defined_macros=macros,
    )


def call_python(
    fn: Callable[..., Any],
    airflow: Mapping[str, Any],
    *,
    op_args: Iterable[Any] = (),
    op_kwargs: Mapping[str, Any] | None = None,
    templates_dict: Mapping[str, Any] | None = None,
    dag: DagInfo | None = None,
) -> Any:
    """Call ``fn`` as PythonOperator would: rendered arguments, context keys matched to its parameters."""
    args = list(render(list(op_args), airflow, dag, template_ext=()))
    kwargs = dict(render(dict(op_kwargs or {}), airflow, dag, template_ext=()))
    full = dict(airflow)
    if templates_dict is not None:
        full["templates_dict"] = render(dict(templates_dict), airflow, dag, template_ext=())
    full.update(kwargs)
    signature = inspect.signature(fn)
    takes_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values())
    if not takes_all:
        positional = list(signature.parameters)[: len(args)]
        full = {k: v for k, v in full.items() if k in signature.parameters and k not in positional}
    with templates.use_context(dict(airflow)):
        return fn(*args, **full)


def run_bash(
    context: dg.AssetExecutionContext,
    airflow: Mapping[str, Any],
    command: str,
    *,
    env: Mapping[str, str] | None = None,
    append_env: bool = False,
    cwd: str | None = None,
    skip_on_exit_code: Iterable[int] = (99,),
    dag: DagInfo | None = None,
) -> str:
    """Run ``command`` with bash like BashOperator: returns the last line of output (Airflow's XCom value)."""
    rendered = render(command, airflow, dag, template_ext=(".sh", ".bash"))
    base = dict(os.environ) if env is None or append_env else {}
    rendered_env = render(dict(env or {}), airflow, dag, template_ext=())
    process_env = {**base, **{k: str(v) for k, v in rendered_env.items()}}
    process_env.update(_airflow_ctx_env(airflow))
    with tempfile.TemporaryDirectory(prefix="airflowtmp") as tmp:
        process = subprocess.Popen(
            ["bash", "-c", rendered],
            cwd=cwd or tmp,
            env=process_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        last = ""
        assert process.stdout is not None
        for line in process.stdout:
            last = line.rstrip("\n")
            context.log.info(last)
        code = process.wait()
    if code in set(skip_on_exit_code):
        # Airflow marks the task skipped; an asset cannot be half-run, so the step fails and says why.
        raise dg.Failure(f"bash command exited with {code}: Airflow would have skipped this task")
    if code != 0:
        raise dg.Failure(f"bash command failed with exit code {code}", metadata={"command": rendered})
    return last


def _airflow_ctx_env(airflow: Mapping[str, Any]) -> dict[str, str]:
    dag, task = airflow.get("dag"), airflow.get("task")
    values = {
        "AIRFLOW_CTX_DAG_ID": getattr(dag, "dag_id", ""),
        "AIRFLOW_CTX_TASK_ID": getattr(task, "task_id", ""),
        "AIRFLOW_CTX_RUN_ID": str(airflow.get("run_id", "")),
        "AIRFLOW_CTX_LOGICAL_DATE": ""
        if isinstance(airflow.get("ts"), MissingLogicalDate)
        else str(airflow.get("ts", "")),
    }
    return {k: v for k, v in values.items() if v}


def wait_until(check: Callable[[], Any], *, poke_interval: float, timeout: float, what: str) -> Any:
    """Poll ``check`` like a sensor in poke mode until it returns a truthy value or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() + poke_interval > deadline:
            raise dg.Failure(f"sensor timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(poke_interval)


def partitions_waiting(partitions_def: Any, *, timeout: float, now: datetime | None = None) -> list[str]:
    """The keys of the partitions whose time window ended less than ``timeout`` seconds ago, oldest first: the
    runs an Airflow sensor with that timeout would still be poking in (a modernized DAG's ``@dg.sensor``)."""
    now = now or datetime.now(UTC)
    window = partitions_def.get_prev_partition_window(now)  # the last window that ended by now
    keys: list[str] = []
    while window is not None and (now - window.end).total_seconds() < timeout:
        keys.append(partitions_def.get_partition_key_for_timestamp(window.start.timestamp()))
        window = partitions_def.get_prev_partition_window(window.start)
    return keys[::-1]


def branch_allows(decision: Any, task_id: str) -> bool:
    """Did a branch callable choose ``task_id`` (a task id or a list of them)?"""
    if decision is None:
        return False
    chosen = [decision] if isinstance(decision, str) else list(decision)
    return task_id in chosen or any(task_id.startswith(f"{c}.") for c in chosen)


def failure_context(run: dg.DagsterRun, dag: DagInfo, error: str) -> dict[str, Any]:
    """The context an Airflow ``on_failure_callback`` receives, for a failed Dagster run."""
    task_id = run.tags.get("dagster-airlift/airflow-task-id", "")
    airflow = templates.build_context(
        dag_id=dag.dag_id,
        task_id=task_id,
        logical_date=datetime.now(UTC),
        run_id=run.tags.get(AIRLIFT_RUN_ID_TAG) or f"dagster__{run.run_id}",
        params=dict(dag.params),
        owner=dag.owner,
    )
    return {**airflow, "exception": error, "reason": "task_failure"}


def files_matching(connection: Any, path: str) -> list[str]:
    """Files matching ``path`` (a glob) under the connection's base path (``extra.path``), like FileSensor."""
    import glob

    base = connection.extra_dejson.get("path", "") if connection is not None else ""
    return sorted(glob.glob(os.path.join(base, path), recursive=True))


def call_mapped(
    fn: Callable[..., Any],
    airflow: Mapping[str, Any],
    *,
    expand: Any,
    taskflow: bool,
    op_args: Iterable[Any] = (),
    op_kwargs: Mapping[str, Any] | None = None,
    dag: DagInfo | None = None,
) -> list[Any]:
    """Run every instance of a mapped task in turn and return their values in map-index order.

    ``expand`` is what ``.expand(...)`` received: keyword → list (the cross product is taken, as Airflow
    does), or for ``expand_kwargs`` a list of keyword dicts. For PythonOperator the keywords are operator
    arguments (``op_kwargs``/``op_args``); for TaskFlow they are the function's own arguments.
    """
    import itertools

    if isinstance(expand, list):
        combos = [dict(item) for item in expand]
    else:
        keys = list(expand)
        combos = [dict(zip(keys, values, strict=True)) for values in itertools.product(*(expand[k] for k in keys))]
    results = []
    for combo in combos:
        if taskflow:
            results.append(
                call_python(fn, airflow, op_args=op_args, op_kwargs={**dict(op_kwargs or {}), **combo}, dag=dag)
            )
        else:
            results.append(
                call_python(
                    fn,
                    airflow,
                    op_args=combo.get("op_args", op_args),
                    op_kwargs={**dict(op_kwargs or {}), **dict(combo.get("op_kwargs", {}))},
                    dag=dag,
                )
            )
    return results


def dbt_executable() -> str:
    """dbt from PATH, else the one installed beside this interpreter (a virtualenv that is not activated)."""
    import shutil

    return shutil.which("dbt") or str(Path(sys.executable).with_name("dbt"))


def dbt_project(project_dir: str, profiles_dir: str, target: str | None = None) -> Any:
    """The cosmos group's dbt project, or None when its folder is not there (the group then stays observed)."""
    from dagster_dbt import DbtProject

    if not Path(project_dir, "dbt_project.yml").exists():
        return None
    return DbtProject(
        project_dir=project_dir, profiles_dir=profiles_dir, target=target, target_path=dbt_target_root(project_dir)
    )


def dbt_target_root(project_dir: str) -> Path:
    """Where dbt writes for this location: outside the Airflow DAGs folder, which Airflow keeps reading
    (``DBT_TARGET_ROOT`` overrides the temporary directory)."""
    import hashlib
    import tempfile

    base = Path(os.environ.get("DBT_TARGET_ROOT") or Path(tempfile.gettempdir()) / "airflow-to-dagster-dbt")
    digest = hashlib.sha256(str(Path(project_dir).resolve()).encode()).hexdigest()[:12]
    return base / f"{Path(project_dir).name}-{digest}" / "target"


def dbt_run_target(project: Any) -> Path:
    """A fresh target folder for one dbt invocation, beside the project's manifest."""
    import uuid

    return Path(project.manifest_path).parent / "runs" / uuid.uuid4().hex


def dbt_manifest(project: Any) -> Path | None:
    """The dbt project's manifest, built with ``dbt parse`` when it is missing; None when it cannot be built."""
    if project is None:
        return None
    import shutil
    import uuid

    path = Path(project.manifest_path)
    if not path.exists():
        # Parsed in a folder of its own, then renamed into place: the webserver's and the daemon's code servers
        # load the location at the same time, and one must never read the manifest the other is still writing.
        scratch = path.parent / "parse" / uuid.uuid4().hex
        try:
            from dagster_dbt import DbtCliResource

            dbt = DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
            dbt.cli(["parse"], target_path=scratch).wait()
            os.replace(scratch / "manifest.json", path)
        except Exception:  # noqa: BLE001 - the location must load; the group becomes an observed spec
            return None
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return path if path.exists() else None


def dbt_translator(
    upstream: Iterable[Iterable[str]] = (),
    key_prefix: Iterable[str] = (),
    sources: Mapping[str, Iterable[str]] | None = None,
) -> Any:
    """dagster-dbt's default translator, with the Airflow tasks that ran before the cosmos group as upstream
    of every model (Airflow ordered the whole group after them). ``key_prefix``: the keys of what the group
    builds start with it (a dbt project that several cosmos groups build: each keys its own models).
    ``sources``: ``schema.table`` -> the asset key of the task that writes that table: a dbt source of that
    table is that asset, so the models reading it depend on the task that loads it."""
    from dagster_dbt import DagsterDbtTranslator

    keys = [dg.AssetKey(list(key)) for key in upstream]
    prefix = list(key_prefix)
    loaders = {table.lower(): dg.AssetKey(list(key)) for table, key in (sources or {}).items()}

    class AfterUpstreamTasks(DagsterDbtTranslator):
        def get_asset_spec(self, manifest: Any, unique_id: str, project: Any) -> dg.AssetSpec:
            spec = super().get_asset_spec(manifest, unique_id, project)
            if unique_id.startswith("source.") and loaders:
                source = manifest["sources"][unique_id]
                table = f"{source.get('schema')}.{source.get('identifier') or source.get('name')}".lower()
                if table in loaders:
                    spec = spec.replace_attributes(key=loaders[table])
            if unique_id.startswith(("model.", "seed.", "snapshot.")):
                if prefix:
                    spec = spec.replace_attributes(key=spec.key.with_prefix(prefix))
                known = {dep.asset_key for dep in spec.deps}  # a loader of its source may already be one
                if any(key not in known for key in keys):
                    spec = spec.merge_attributes(deps=[key for key in keys if key not in known])
            return spec

    return AfterUpstreamTasks()


def dbt_vars(airflow: Mapping[str, Any]) -> str:
    """The run's dates as dbt ``--vars`` (cosmos templates them into dbt commands the same way)."""
    dates = {key: airflow[key] for key in ("ds", "ds_nodash", "ts") if key in airflow}
    return json.dumps({key: str(v) for key, v in dates.items() if not isinstance(v, MissingLogicalDate)})


def partition_vars(context: dg.AssetExecutionContext) -> str:
    """``dbt_vars`` of a daily-partitioned run from its partition alone (a modernized DAG: no Airflow context):
    the key is ``ds``, the window's start Airflow's logical date (``ts``)."""
    key = context.partition_key
    start = context.partition_time_window.start
    return json.dumps({"ds": key, "ds_nodash": key.replace("-", ""), "ts": start.isoformat()})


# -- Airflow names the copied code may use ------------------------------------------------------------------

Variable = templates.Variable
get_current_context = templates.get_current_context


# Airflow's template context type (``def execute(self, context: Context)``): the context ``task_context`` builds and
# ``call_python`` / ``run_operator`` pass is a plain dict.
Context = dict


def apply_defaults(function: Callable[..., Any]) -> Callable[..., Any]:
    """Airflow's ``apply_defaults`` on an operator's ``__init__`` (a no-op since Airflow 2): the arguments an asset
    builds the operator with already hold the DAG's ``default_args`` under the task's own."""
    return function


class AirflowException(Exception):
    """Airflow's base exception, for copied code that raises or catches it."""


class AirflowFailException(AirflowException):
    """Fail without retrying (Dagster retries per the asset's policy either way)."""


class AirflowConfigException(AirflowException):
    """Airflow's error for a configuration an estate module refuses (``raise AirflowConfigException(...)``)."""


class AirflowSkipException(AirflowException):
    """Airflow would mark the task skipped; in Dagster the step fails with this message."""


class BaseOperator:
    """Airflow's ``BaseOperator`` for an estate operator class copied into the logic: the constructor keeps the
    task id and accepts (and ignores) Airflow's scheduling arguments, ``log`` is a logger, and ``template_fields``
    are rendered by ``run_operator`` before ``execute`` runs, as Airflow renders them."""

    template_fields: Iterable[str] = ()
    template_ext: Iterable[str] = ()

    def __init__(self, *, task_id: str | None = None, **airflow_arguments: Any) -> None:
        self.task_id = task_id
        self.log = logging.getLogger(f"airflow.task.operators.{type(self).__name__}")

    def execute(self, context: Mapping[str, Any]) -> Any:
        raise NotImplementedError(f"{type(self).__name__} defines no execute()")


def run_operator(
    operator_class: type, arguments: Mapping[str, Any], airflow: Mapping[str, Any], *, dag: DagInfo | None = None
) -> Any:
    """Build the operator, render its ``template_fields`` like Airflow, run ``execute`` with the context."""
    operator = operator_class(**arguments)
    extensions = tuple(getattr(operator, "template_ext", ()) or ())
    for name in getattr(operator, "template_fields", ()) or ():
        value = getattr(operator, name, None)
        if value is not None:
            setattr(operator, name, render(value, airflow, dag, template_ext=extensions))
    with templates.use_context(dict(airflow)):
        return operator.execute(dict(airflow))


class _AirflowOnly:
    """An Airflow name (or what copied code built from it): calling it, indexing it or taking an attribute gives
    another stand-in, so a module-level constant (``DEFAULTS = {"start": some_airflow_call(1)}``) does not stop
    the module from importing; using the value (``str``, ``bool``, iterating, arithmetic...) raises."""

    def __init__(self, name: str, *class_definition: Any) -> None:
        if class_definition:  # `class X(SimpleHttpOperator)`: Python builds the class with its base's type
            bases = class_definition[0]
            base = next((b for b in bases if isinstance(b, _AirflowOnly)), None)
            raise TypeError(
                f"class {name} derives from {base._name if base is not None else 'an Airflow class'}, which is "
                "Airflow's and has no equivalent in this code location; the tasks that use it stay in Airflow"
            )
        self._name = name

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            f"{self._name} is Airflow's and has no equivalent in this code location; "
            "the tasks that use it stay in Airflow (disposition NONE)"
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _AirflowOnly(f"{self._name}(...)")

    def __getitem__(self, key: Any) -> Any:
        return _AirflowOnly(f"{self._name}[...]")

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return _AirflowOnly(f"{self._name}.{attribute}")

    def __repr__(self) -> str:
        return f"<Airflow-only {self._name}>"

    __str__ = __bool__ = __iter__ = __len__ = __int__ = __float__ = __index__ = __fspath__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __mod__ = _refuse
    __lt__ = __le__ = __gt__ = __ge__ = __contains__ = __enter__ = _refuse


def days_ago(n: int, hour: int = 0, minute: int = 0, second: int = 0, microsecond: int = 0) -> datetime:
    """Airflow's ``days_ago``: midnight UTC today (or the given time of day), ``n`` days back."""
    from datetime import timedelta

    today = datetime.now(UTC).replace(hour=hour, minute=minute, second=second, microsecond=microsecond)
    return today - timedelta(days=n)


@dataclass(frozen=True)
class Dataset:
    """Airflow's Dataset / Asset as a value: its URI (and name, extra, group as given), ``&`` and ``|`` of them."""

    uri: str = ""
    name: str | None = None
    extra: Any = None
    group: str | None = None

    def __and__(self, other: Any) -> Any:
        return ("and", self, other)

    def __or__(self, other: Any) -> Any:
        return ("or", self, other)

    def __hash__(self) -> int:
        return hash((self.uri, self.name))


@dataclass(frozen=True)
class Asset(Dataset):
    """Airflow 3's Asset: ``Asset(name, uri, ...)``, a value like ``Dataset``."""

    name: str | None = None  # type: ignore[assignment]
    uri: str = ""

    def __init__(self, name: str | None = None, uri: str | None = None, **options: Any) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "uri", uri or name or "")
        object.__setattr__(self, "extra", options.get("extra"))
        object.__setattr__(self, "group", options.get("group"))


class _NeverBound:
    """A name the estate's module reads but never binds: using it raises the NameError Airflow raises there."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise self._error()

    def _error(self) -> Exception:
        return NameError(f"name {self._name!r} is not defined", name=self._name)

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return self._fail()

    __call__ = __getitem__ = __iter__ = __bool__ = __len__ = __str__ = __int__ = __float__ = _fail
    __add__ = __radd__ = __sub__ = __mul__ = __truediv__ = __mod__ = __contains__ = _fail
    __setattr__ = __setitem__ = _fail


class _Unreached(_NeverBound):
    """An Airflow name the copied class reads only in a branch judged unreachable for the tasks translated from it
    (``if self.batch_ind:`` with ``batch_ind`` left False): any use raises, naming what it needs."""

    def __init__(self, name: str, needs: str) -> None:
        super().__init__(name)
        object.__setattr__(self, "_needs", needs)

    def _error(self) -> Exception:
        return RuntimeError(
            f"{self._name} needs {self._needs}, which this code location does not have: the branch reading it was "
            "judged unreachable for this task (see the asset's airflow/notes), yet it ran; keep the task in Airflow"
        )


def airflow_unreached(name: str, needs: str) -> Any:
    """A stand-in for an Airflow name read only in a branch this task's arguments never take: using it raises."""
    return _Unreached(name, needs)


def never_bound(name: str) -> Any:
    """A stand-in for a name the copied code uses that its module never binds (Airflow fails there too)."""
    return _NeverBound(name)


def airflow_only(name: str) -> Any:
    """A stand-in for an Airflow name the copied code imports: using it raises a clear error."""
    return _AirflowOnly(name)


def http_ready(connection: Any, method: str, endpoint: str, *, check: Any = None, **request: Any) -> bool:
    """One poke of an HttpSensor: an error status means not yet; ``check`` (if any) decides on a response."""
    try:
        response = connection.request(method, endpoint, **request)
    except Exception:  # noqa: BLE001 - connection errors and HTTP errors both mean "not ready yet"
        return False
    return bool(check(response)) if check is not None else True


def s3_keys_exist(bucket: str | None, keys: Any, *, wildcard: bool = False) -> bool:
    """One poke of an S3KeySensor: every key exists (``s3://bucket/key`` or bucket + key; globs when wildcard)."""
    import fnmatch

    import boto3

    client = boto3.client("s3")
    for key in [keys] if isinstance(keys, str) else list(keys):
        name, path = key[5:].split("/", 1) if key.startswith("s3://") else (bucket, key)
        if wildcard:
            prefix = path.split("*", 1)[0].split("?", 1)[0]
            listed = client.list_objects_v2(Bucket=name, Prefix=prefix).get("Contents", [])
            if not any(fnmatch.fnmatch(item["Key"], path) for item in listed):
                return False
        else:
            try:
                client.head_object(Bucket=name, Key=path)
            except Exception:  # noqa: BLE001 - a missing key is "not yet"
                return False
    return True
