"""Run one Airflow task's own operator object, for Dagster, through Pipes (the LIFT disposition).

Executed by path with the Python of an Airflow environment (``support/lift.py`` launches it with
``PipesSubprocessClient``); it imports Airflow, ``dagster_pipes`` and the standard library, never Dagster.
No Airflow server and no metadata database are used:

1. Airflow's ``DagBag`` loads only the task's DAG file (the DAGs folder on ``sys.path``, as Airflow puts it)
   and the task is found in its DAG: the object Airflow itself would run, built by Airflow's code (a proxied
   file's airlift block does nothing here: the task is its own operator, not the proxy calling Dagster).
2. A task instance of a DAG run is made in memory from what Dagster decided (logical date, data interval,
   conf, run id: the same rules as the generated assets), and Airflow builds the template context from it and
   renders the task's template fields with its own renderer.
3. ``execute(context)`` is called as Airflow's task runner calls it (pre/post-execute hooks, timeout).
   ``ti.xcom_pull`` answers with the values of upstream assets Dagster passed in; ``ti.xcom_push`` keeps its
   keys, which go back to Dagster. Connections and Variables come from ``AIRFLOW_CONN_*`` / ``AIRFLOW_VAR_*``
   (Airflow 3's Task SDK, outside a supervisor, reads the environment's secrets backend, no API server).
4. The outcome goes back as one Pipes message: the return value (the asset's value), the extra XCom keys and
   the rendered fields; or the operator's exception (type, message, traceback). Log records reach Dagster's
   event log through Pipes, masked by Airflow's secrets masker.

A sensor in ``reschedule`` mode pokes in this process instead (``poke`` mode, its own ``poke_interval`` and
``timeout``): nothing can reschedule it. An operator that defers ends with its ``TaskDeferred``: there is no
triggerer. The process exits 0 when it reported an outcome (the operator's failure included) and non-zero
only when it could not run at all.

Once the outcome is reported, the process ends the way Airflow's own task processes end (Airflow 2's forked
task runner and Airflow 3's supervised task both call ``os._exit``): exit handlers run (``logging.shutdown``
among them), standard streams are flushed, and the interpreter's teardown of every imported module is skipped.
With Airflow imported that teardown alone took 0.35 s (Airflow 2.11) to 0.7 s (Airflow 3.3) of every lifted task.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import sys
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any

from dagster_pipes import PipesContext, open_dagster_pipes

RETURN_KEY = "return_value"


def main() -> None:
    with open_dagster_pipes() as pipes:
        request = pipes.extras
        airflow_major = _airflow_major()
        forward_logs(pipes, airflow_major)
        try:
            outcome = run_task(request, airflow_major)
        except BaseException as error:  # noqa: BLE001 - the operator's own failure is the outcome to report
            outcome = {"status": "failed", **describe(error)}
        pipes.report_custom_message(outcome)
    end_like_an_airflow_task()


def end_like_an_airflow_task() -> None:
    """Exit 0 without the interpreter's teardown, after exit handlers and flushed streams (see the docstring)."""
    atexit._run_exitfuncs()  # noqa: SLF001 - the handlers a normal exit runs, before os._exit skips them
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken stream has nothing left to lose
            pass
    os._exit(0)


def _airflow_major() -> int:
    import airflow

    return int(airflow.__version__.split(".", 1)[0])


def run_task(request: dict[str, Any], airflow_major: int) -> dict[str, Any]:
    """Load the DAG file, run the task's operator and say what it returned (the Pipes message)."""
    task = load_task(request["dag_file"], request["dags_folder"], request["dag_id"], request["task_id"])
    pushed: dict[str, Any] = {}
    upstream = dict(request.get("xcom") or {})
    logical = _instant(request["logical_date"])
    start, end = _instant(request["data_interval_start"]), _instant(request["data_interval_end"])
    run = (task, request["run_id"], logical, (start, end), dict(request.get("conf") or {}), upstream, pushed)
    if _is_reschedule_sensor(task):
        task.mode = "poke"  # nothing reschedules it here: it pokes in this process (poke_interval, timeout)
    if airflow_major >= 3:
        value, rendered = _execute_airflow_3(*run)
    else:
        value, rendered = _execute_airflow_2(*run)
    if not getattr(task, "do_xcom_push", True):
        value = None
    elif getattr(task, "multiple_outputs", False) and isinstance(value, dict):
        pushed.update({str(k): v for k, v in value.items()})  # Airflow pushes each key beside the whole value
    return {
        "status": "succeeded",
        "value": _json_value(value, "its return value"),
        "xcom": {k: _json_value(v, f"the XCom {k!r} it pushed") for k, v in pushed.items() if k != RETURN_KEY},
        "rendered": {name: _shown(getattr(task, name, None)) for name in getattr(task, "template_fields", ())},
    }


def load_task(dag_file: str, dags_folder: str, dag_id: str, task_id: str) -> Any:
    """The task as Airflow builds it: a DagBag over this one file (no database), its DAG, the task."""
    for folder in (dags_folder, os.path.dirname(dag_file)):
        if folder and folder not in sys.path:
            sys.path.insert(0, folder)  # Airflow puts the DAGs folder on sys.path before parsing
    _without_proxying()
    try:
        from airflow.dag_processing.dagbag import DagBag  # Airflow 3

        bag = DagBag(dag_folder=dag_file, safe_mode=False)
    except ImportError:
        from airflow.models.dagbag import DagBag  # Airflow 2

        bag = DagBag(dag_folder=dag_file, include_examples=False, safe_mode=False)
    if dag_id not in bag.dags:
        errors = "; ".join(f"{path}: {error}" for path, error in bag.import_errors.items())
        found = f"Airflow's DagBag found no DAG {dag_id!r} in {dag_file}"
        raise LookupError(found + (f" ({errors})" if errors else ""))
    dag = bag.dags[dag_id]
    if task_id not in dag.task_dict:
        raise LookupError(f"the DAG {dag_id!r} Airflow built from {dag_file} has no task {task_id!r}")
    return dag.task_dict[task_id]


def _without_proxying() -> None:
    """A proxied DAG file ends with dagster-airlift's ``proxying_to_dagster`` block, which swaps each proxied task
    for an operator that launches a Dagster run: here that run is the caller, so the block is made a no-op and
    the DagBag builds the task's own operator."""
    try:
        import dagster_airlift.in_airflow as in_airflow
    except ImportError:  # no airlift here: a DAG file with the block fails to import, and says so
        return
    in_airflow.proxying_to_dagster = lambda *args, **kwargs: None


def _execute_airflow_2(task, run_id, logical, interval, conf, upstream, pushed) -> tuple[Any, Any]:
    from airflow.models.baseoperator import ExecutorSafeguard
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance, set_current_context
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunType

    dag_run = DagRun(
        dag_id=task.dag_id,
        run_id=run_id,
        execution_date=logical,
        data_interval=interval,
        conf=conf,
        run_type=DagRunType.MANUAL,
        state=DagRunState.RUNNING,
        start_date=datetime.now(UTC),
    )
    dag_run.dag = task.dag
    ti = TaskInstance(task, run_id=run_id)
    ti.dag_run = dag_run
    # Nothing is read from or written to a metadata database: XComs come from Dagster, no earlier run is known.
    ti.xcom_pull = _xcom_pull(task.task_id, upstream, pushed)
    ti.xcom_push = lambda key, value, *args, **kwargs: pushed.__setitem__(key, value)
    ti.get_previous_dagrun = lambda *args, **kwargs: None
    ti.get_previous_ti = lambda *args, **kwargs: None
    ti.get_previous_start_date = lambda *args, **kwargs: None
    context = ti.get_template_context()
    ti.render_templates(context)
    os.environ.update(_context_variables(context))
    ExecutorSafeguard.test_mode = True  # the same check TaskInstance passes when it calls execute
    with set_current_context(context):  # get_current_context() in a callable answers, as under a TaskInstance
        task.pre_execute(context=context)
        value = _with_timeout(task, lambda: task.execute(context=context))
        task.post_execute(context=context, result=value)
    return value, None


def _execute_airflow_3(task, run_id, logical, interval, conf, upstream, pushed) -> tuple[Any, Any]:
    import structlog
    from airflow.sdk.api.datamodels._generated import DagRun, DagRunState, DagRunType, TaskInstanceState, TIRunContext
    from airflow.sdk.execution_time.context import set_current_context
    from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance, _execute_task

    pull = _xcom_pull(task.task_id, upstream, pushed)

    class LiftedTaskInstance(RuntimeTaskInstance):
        """Airflow's runtime task instance with XComs kept in this process (no supervisor, no API server)."""

        def xcom_pull(self, task_ids=None, dag_id=None, key=RETURN_KEY, include_prior_dates=False, **kwargs):
            return pull(task_ids, dag_id, key, include_prior_dates, **kwargs)

        def xcom_push(self, key, value):
            pushed[key] = value

    now = datetime.now(UTC)
    dag_run = DagRun(
        dag_id=task.dag_id,
        run_id=run_id,
        logical_date=logical,
        data_interval_start=interval[0],
        data_interval_end=interval[1],
        run_after=interval[1],
        start_date=now,
        end_date=None,
        run_type=DagRunType.MANUAL,
        state=DagRunState.RUNNING,
        conf=conf,
        consumed_asset_events=[],
        partition_key=None,
    )
    ti = LiftedTaskInstance.model_construct(
        id=uuid.uuid4(),
        task_id=task.task_id,
        dag_id=task.dag_id,
        run_id=run_id,
        try_number=1,
        map_index=-1,
        dag_version_id=uuid.uuid4(),
        task=task,
        _ti_context_from_server=TIRunContext(dag_run=dag_run, max_tries=0),
        max_tries=0,
        start_date=now,
        state=TaskInstanceState.RUNNING,
    )
    context = ti.get_template_context()
    with set_current_context(context):  # as Airflow's task runner does around the task
        ti.render_templates(context)
        return _execute_task(context, ti, structlog.get_logger("airflow.task")), None


def _xcom_pull(own_task_id: str, upstream: dict[str, Any], pushed: dict[str, Any]):
    """``ti.xcom_pull`` over the upstream values Dagster passed (return values only) and this run's pushes."""

    def pull(task_ids=None, dag_id=None, key=RETURN_KEY, include_prior_dates=False, *args, **kwargs):
        default = kwargs.get("default")
        many = task_ids is not None and not isinstance(task_ids, str)
        ids = list(task_ids) if many else [task_ids or own_task_id]
        found = []
        for task_id in ids:
            if task_id == own_task_id:
                found.append(pushed.get(key, default))
            elif key != RETURN_KEY:
                raise LookupError(
                    f"pulls the XCom {key!r} of {task_id!r}: only upstream return values reach a lifted task"
                )
            elif task_id in upstream:
                found.append(upstream[task_id])
            else:
                raise LookupError(
                    f"pulls the XCom of {task_id!r}, whose value Dagster did not pass (not an upstream asset with a "
                    f"value: passed {sorted(upstream) or 'none'})"
                )
        return found if many else found[0]

    return pull


def _with_timeout(task: Any, call):
    timeout = getattr(task, "execution_timeout", None)
    if not timeout:
        return call()
    from airflow.utils.timeout import timeout as airflow_timeout

    with airflow_timeout(int(timeout.total_seconds())):
        return call()


def _context_variables(context: Any) -> dict[str, str]:
    from airflow.utils.operator_helpers import context_to_airflow_vars

    return context_to_airflow_vars(context, in_env_var_format=True)


def _is_reschedule_sensor(task: Any) -> bool:
    return getattr(task, "mode", None) == "reschedule" and hasattr(task, "poke")


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    try:
        import pendulum

        return pendulum.instance(moment)
    except ImportError:  # pragma: no cover - Airflow installs pendulum
        return moment


def _json_value(value: Any, what: str) -> Any:
    """``value`` when JSON carries it unchanged (Airflow's default XCom backend stores JSON too)."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{what} is a {type(value).__name__}, which JSON cannot carry to Dagster: {error}") from None
    if json.loads(text) != value:
        raise TypeError(f"{what} ({type(value).__name__}) would not come back from JSON unchanged")
    return value


def _shown(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


def describe(error: BaseException) -> dict[str, Any]:
    """The operator's exception for Dagster: its class (the Airflow ones it decides on by name) and message."""
    names = [cls.__name__ for cls in type(error).__mro__]
    kind = "failed"
    if "AirflowSkipException" in names:
        kind = "skipped"
    elif "AirflowFailException" in names:
        kind = "failed_without_retry"
    elif "TaskDeferred" in names:
        kind = "deferred"
    return {
        "kind": kind,
        "error_type": f"{type(error).__module__}.{type(error).__qualname__}",
        "error": str(error),
        "traceback": "".join(traceback.format_exception(error)),
    }


def forward_logs(pipes: PipesContext, airflow_major: int) -> None:
    """Send the task's log records to Dagster (masked the way Airflow masks its task logs)."""
    redact = _redactor(airflow_major)
    handler = _PipesHandler(pipes, redact)
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    if airflow_major >= 3:
        import structlog

        processors = list(structlog.get_config()["processors"])
        # Before the renderer: the message is formatted and Airflow's own redaction (JWTs) has run.
        processors.insert(max(len(processors) - 1, 0), _structlog_forwarder(pipes, redact))
        structlog.configure(processors=processors)


class _PipesHandler(logging.Handler):
    def __init__(self, pipes: PipesContext, redact) -> None:
        super().__init__(logging.INFO)
        self.pipes, self.redact = pipes, redact

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = str(self.redact(record.getMessage()))
            _send(self.pipes, record.levelno, f"{record.name}: {message}")
        except Exception:  # noqa: BLE001 - a log line that cannot be sent must not fail the task
            self.handleError(record)


def _structlog_forwarder(pipes: PipesContext, redact):
    def forward(logger, method_name, event_dict):
        level = logging.getLevelNamesMapping().get(str(event_dict.get("level", method_name)).upper(), logging.INFO)
        if level >= logging.INFO:
            name = event_dict.get("logger") or event_dict.get("logger_name") or "airflow"
            _send(pipes, level, f"{name}: {redact(str(event_dict.get('event', '')))}")
        return event_dict

    return forward


def _send(pipes: PipesContext, level: int, message: str) -> None:
    if level >= logging.ERROR:
        pipes.log.error(message)
    elif level >= logging.WARNING:
        pipes.log.warning(message)
    else:
        pipes.log.info(message)


def _redactor(airflow_major: int):
    try:
        if airflow_major >= 3:
            from airflow.sdk.execution_time.secrets_masker import redact
        else:
            from airflow.utils.log.secrets_masker import redact
    except ImportError:  # pragma: no cover - both lines have one
        return lambda value: value
    return redact


if __name__ == "__main__":
    main()
