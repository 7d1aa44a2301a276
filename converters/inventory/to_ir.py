"""From the interpreter's values to the IR: task arguments as JSON values, ``ir.Task`` and ``ir.Dag``.

Symbolic values become the IR's typed values (``Unknown`` → ``ir.SourceValue``, ``Qual`` → ``ir.RefValue``...);
retries, SLAs and schedules given as ``timedelta``/``duration`` become seconds; dataset schedules and
outlets/inlets become URIs; default_args are merged under each task's own arguments by the caller.
"""

from __future__ import annotations

from typing import Any

from converters.inventory import ir
from converters.inventory.values import (
    CallableRef,
    DagState,
    Helper,
    PathValue,
    Qual,
    Refused,
    TaskRef,
    Unknown,
    XComArg,
    _is_dataset,
)


def _literal_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _to_json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _to_json_value(v) for k, v in value.items()}
    if isinstance(value, ir.CallValue):
        arguments = tuple(_to_json_value(v) for v in value.args)
        return ir.CallValue(value.name, arguments, {str(k): _to_json_value(v) for k, v in value.kwargs.items()})
    if isinstance(value, ir.DatasetValue):
        return ir.DatasetValue(_to_json_value(value.uri))
    if isinstance(value, ir.CodeValue):
        return value
    if isinstance(value, Refused):
        return ir.SourceValue(value.source, value.needs)
    if isinstance(value, Unknown):
        return ir.SourceValue(value.source)
    if isinstance(value, (TaskRef,)):
        return ir.TaskValue(value.task_id)
    if isinstance(value, XComArg):
        return ir.XComValue(value.task.task_id)
    if isinstance(value, Qual):
        return ir.RefValue(value.name)
    if isinstance(value, CallableRef):
        return ir.CallableValue(value.name)
    if isinstance(value, Helper) and value.home is not None:  # an estate module's function: by its import name
        return ir.RefValue(f"{value.home.module}.{value.node.name}")
    if isinstance(value, PathValue):
        return ir.PathValue(value.path)
    return ir.SourceValue(type(value).__name__)


def _seconds(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, ir.CallValue) and value.name.endswith(("timedelta", "duration")):
        units = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1, "milliseconds": 0.001}
        total = 0.0
        positional = value.args
        for unit, amount in zip(["days", "seconds"], positional, strict=False):
            if not isinstance(amount, (int, float)):
                return None
            total += units[unit] * amount
        for unit, amount in value.kwargs.items():
            if unit not in units or not isinstance(amount, (int, float)):
                return None
            total += units[unit] * amount
        return total
    return None


CALLBACK_ARGS = (
    "on_failure_callback",
    "on_success_callback",
    "on_retry_callback",
    "on_execute_callback",
    "sla_miss_callback",
)


def _make_task(path, node, task_id, operator, family, written, kwargs, group, taskflow, mapped) -> ir.Task:
    arguments = {
        k: _to_json_value(v) for k, v in kwargs.items() if not k.startswith("$") and k not in {"dag", "task_id"}
    }
    conn_ids = tuple(sorted({str(v) for k, v in kwargs.items() if k.endswith("conn_id") and isinstance(v, str)}))
    templated = tuple(sorted(k for k, v in kwargs.items() if isinstance(v, str) and "{{" in v))

    def datasets(key: str) -> tuple[str, ...]:
        value = kwargs.get(key) or []
        items = value if isinstance(value, (list, tuple)) else [value]
        return tuple(str(i.uri) for i in items if _is_dataset(i))

    retries = kwargs.get("retries")
    return ir.Task(
        task_id=task_id,
        operator=operator,
        source=ir.SourceRef(path, node.lineno, node.col_offset),
        operator_as_written=written,
        family=family,
        taskflow=taskflow,
        task_group=group,
        mapped=mapped,
        trigger_rule=str(kwargs.get("trigger_rule", "all_success"))
        if isinstance(kwargs.get("trigger_rule", ""), str)
        else "unresolved",
        pool=kwargs.get("pool") if isinstance(kwargs.get("pool"), str) else None,
        retry=ir.RetrySpec(
            retries=retries if isinstance(retries, int) and not isinstance(retries, bool) else None,
            retry_delay_seconds=_seconds(kwargs.get("retry_delay")),
            exponential_backoff=kwargs.get("retry_exponential_backoff") is True,
            max_retry_delay_seconds=_seconds(kwargs.get("max_retry_delay")),
        ),
        callbacks=tuple(name for name in CALLBACK_ARGS if kwargs.get(name) is not None),
        sla=str(_seconds(kwargs["sla"])) if kwargs.get("sla") is not None else None,
        depends_on_past=kwargs.get("depends_on_past") is True,
        conn_ids=conn_ids,
        outlets=datasets("outlets"),
        inlets=datasets("inlets"),
        templated=templated,
        arguments=arguments,
    )


# -- from interpreter state to the IR -----------------------------------------------------------------------


def _schedule(kwargs: dict) -> ir.Schedule:
    for key in ("schedule", "schedule_interval", "timetable"):
        if key not in kwargs:
            continue
        value = kwargs[key]
        if value is None:
            return ir.Schedule("none")
        if isinstance(value, str):
            return ir.Schedule("preset" if value.startswith("@") else "cron", value)
        if (seconds := _seconds(value)) is not None:
            return ir.Schedule("timedelta", str(seconds))
        if isinstance(value, (list, tuple)) and value and all(_is_dataset(v) for v in value):
            return ir.Schedule("dataset", " & ".join(str(v.uri) for v in value))  # a list means all of them
        if _is_dataset(value):
            return ir.Schedule("dataset", str(value.uri))
        if key == "timetable":
            return ir.Schedule("timetable", _describe(value))
        return ir.Schedule("unresolved", _describe(value))
    return ir.Schedule("default")


def _named_values(kwargs: dict[str, Any], name: str) -> dict[str, Any]:
    """A DAG argument mapping names to values (``user_defined_macros``): each value as the IR writes values; a
    value the scan cannot read as a dict is ``{"*": its source}``."""
    if name not in kwargs or kwargs[name] is None:
        return {}
    value = kwargs[name]
    if not isinstance(value, dict):
        return {"*": _to_json_value(value if isinstance(value, Unknown) else Unknown(name))}
    return {str(key): _to_json_value(item) for key, item in value.items()}


def _strings(value: Any) -> tuple[str, ...]:
    """A string or a list of strings (``template_searchpath``), else nothing."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return ()


def _describe(value: Any) -> str:
    if isinstance(value, Unknown):
        return value.source
    if isinstance(value, ir.CallValue):
        return f"{value.name}(...)"
    return repr(ir.to_json(_to_json_value(value)))


def _date(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, ir.CallValue):
        args = value.args
        if value.name.endswith("datetime") and args and all(isinstance(a, int) for a in args):
            parts = [*args, 1, 1][:3]
            return f"{parts[0]:04d}-{parts[1]:02d}-{parts[2]:02d}"
        return _describe(value)
    return _describe(value)


def to_dag_ir(state: DagState) -> ir.Dag:
    kwargs = state.kwargs
    default_args = _literal_dict(kwargs.get("default_args"))
    schedule = _schedule(kwargs)
    constructs = set(state.constructs)
    if schedule.kind == "dataset":
        constructs.add("dataset_schedule")
    if any(t.outlets for t in state.tasks.values()):
        constructs.add("dataset_outlet")
    if kwargs.get("render_template_as_native_obj") is True:  # templates render to Python objects, not text
        constructs.add("native_templates")
    edges = tuple(
        ir.Edge(upstream, task_id) for task_id in state.tasks for upstream in sorted(state.upstream.get(task_id, []))
    )
    tags = kwargs.get("tags")
    catchup = kwargs.get("catchup")
    max_active_runs = kwargs.get("max_active_runs")
    params = kwargs.get("params")
    return ir.Dag(
        dag_id=state.dag_id,
        source=state.source,
        schedule=schedule,
        start_date=_date(kwargs.get("start_date", default_args.get("start_date"))),
        catchup=catchup if isinstance(catchup, bool) else None,
        max_active_runs=max_active_runs if isinstance(max_active_runs, int) else None,
        tags=tuple(str(t) for t in tags) if isinstance(tags, (list, tuple)) else (),
        params=_to_json_value(params) if isinstance(params, dict) else {},
        default_args=_to_json_value(default_args),
        tasks=tuple(state.tasks.values()),
        edges=edges,
        constructs=tuple(sorted(constructs)),
        complete=not state.incomplete,
        template_searchpath=_strings(kwargs.get("template_searchpath")),
        user_defined_macros=_named_values(kwargs, "user_defined_macros"),
        user_defined_filters=_named_values(kwargs, "user_defined_filters"),
    )
