"""The Dagster side of a lifted task (disposition LIFT): the task's own Airflow operator, run through Pipes.

Copied into a generated package that has LIFT tasks. ``run_lifted`` decides the run's Airflow values with the
rules every generated asset uses (``runtime.task_context``: partition window, airlift tags, run tags), then
launches ``lift_runner.py`` (beside this file) with the Python of an Airflow environment through
``PipesSubprocessClient``. The runner builds the task from its DAG file with Airflow's own code, renders its
templates and calls ``execute``; no Airflow server or metadata database is involved. Its log records arrive in
this run's event log; its return value becomes the asset's value; an operator's exception fails the step
with that exception's text.

Which Python: ``AIRFLOW_LIFT_PYTHON`` (an Airflow environment holding the estate's Airflow line, its
providers and ``dagster-pipes``), else the runtime's venv of the line, ``.venv-airflow-<AIRFLOW_MAJOR_VERSION>``
in the project holding this package (Airflow 2 when the variable is unset). The subprocess inherits this
process's environment: connections and variables come from ``AIRFLOW_CONN_<ID>`` / ``AIRFLOW_VAR_<KEY>``.
Without ``AIRFLOW_HOME``, it gets a scratch one for the run (Airflow writes its configuration there).
Each lifted task is a fresh Airflow process: an environment without compiled bytecode (and where Python may not
write it, ``PYTHONDONTWRITEBYTECODE``) compiles Airflow from source every time, several times the task's start;
the step's log then says how to compile it once.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg

from .runtime import DagInfo, dags_folder, dags_path, task_context

PYTHON_VARIABLE = "AIRFLOW_LIFT_PYTHON"
RUNNER = Path(__file__).with_name("lift_runner.py")


def airflow_python() -> str:
    """The interpreter of the Airflow environment that runs lifted tasks (see the module docstring)."""
    configured = os.environ.get(PYTHON_VARIABLE)
    if configured:
        return configured
    line = os.environ.get("AIRFLOW_MAJOR_VERSION", "2")
    project = Path(__file__).resolve().parents[2]  # <project>/<package>/support/lift.py
    candidate = project / f".venv-airflow-{line}" / "bin" / "python"
    if not candidate.exists():
        raise dg.Failure(
            f"no Airflow environment to run this lifted task: {candidate} does not exist; set {PYTHON_VARIABLE} to "
            "the python of a virtualenv with the estate's Airflow line, its providers and dagster-pipes"
        )
    return str(candidate)


def uncompiled_airflow(python: str) -> Path | None:
    """Airflow's package folder in the environment of ``python`` when it holds no compiled bytecode; None when
    it does, or when the folder is not where the interpreter's path says (``<prefix>/lib/python3.*/site-packages``)."""
    prefix = Path(python).parent.parent  # <venv>/bin/python, not resolved: a venv's python links elsewhere
    for package in sorted(prefix.glob("lib/python3*/site-packages/airflow")):
        if not any((package / "__pycache__").glob("__init__.*.pyc")):
            return package
    return None


def run_lifted(
    context: dg.AssetExecutionContext,
    dag: DagInfo,
    task_id: str,
    airflow: Mapping[str, Any] | None = None,
    *,
    xcom_values: Mapping[str, Any] | None = None,
) -> dg.Output:
    """Run the Airflow task ``task_id`` of ``dag`` with Airflow's own operator: its return value as the Output.

    ``airflow``: the run's context from ``task_context`` (built here when not given); ``xcom_values``: the
    upstream return values its ``xcom_pull`` may ask for, by task id."""
    if airflow is None:
        airflow = task_context(context, dag, task_id, xcom_values=xcom_values)
    request = {
        "dag_file": dags_path(dag.source),
        "dags_folder": str(dags_folder()),
        "dag_id": dag.dag_id,
        "task_id": task_id,
        # A run without a logical date fails here, saying why (task_context's rules), before Airflow starts.
        "logical_date": airflow["logical_date"].isoformat(),
        "data_interval_start": airflow["data_interval_start"].isoformat(),
        "data_interval_end": airflow["data_interval_end"].isoformat(),
        "run_id": str(airflow["run_id"]),
        "conf": dict(airflow["dag_run"].conf or {}),
        "xcom": _json_values(xcom_values or {}),
    }
    env = {
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": os.environ.get("AIRFLOW__CORE__DAGS_FOLDER", str(dags_folder())),
    }
    python = airflow_python()
    uncompiled = uncompiled_airflow(python)
    if uncompiled is not None:
        context.log.warning(
            f"the Airflow environment of {python} has no compiled bytecode ({uncompiled}): each lifted task compiles "
            f"Airflow anew unless Python may write it; compile it once: {python} -m compileall -q {uncompiled.parent}"
        )
    with tempfile.TemporaryDirectory(prefix="a2d-lift-") as scratch:
        if not os.environ.get("AIRFLOW_HOME"):
            env["AIRFLOW_HOME"] = scratch
        invocation = dg.PipesSubprocessClient(env=env).run(
            command=[python, str(RUNNER)], context=context, extras=request
        )
    outcomes = [m for m in invocation.get_custom_messages() if isinstance(m, dict) and "status" in m]
    if not outcomes:
        raise dg.Failure(f"the Airflow task {dag.dag_id}.{task_id} ended without reporting an outcome")
    return outcome_value(outcomes[-1], f"{dag.dag_id}.{task_id}")


def outcome_value(outcome: Mapping[str, Any], task: str) -> dg.Output:
    """The asset's value from the runner's report; the operator's failure as the step's failure."""
    if outcome["status"] != "succeeded":
        kind = outcome.get("kind", "failed")
        text = f"{outcome.get('error_type', 'error').rsplit('.', 1)[-1]}: {outcome.get('error', '')}"
        metadata = {"traceback": dg.MetadataValue.text(str(outcome.get("traceback", "")))}
        if kind == "skipped":  # Airflow marks the task skipped; an asset cannot be half-run
            raise dg.Failure(f"{task} raised {text}: Airflow would have skipped this task", metadata=metadata)
        if kind == "deferred":
            raise dg.Failure(f"{task} deferred ({text}): no triggerer resumes it under Dagster", metadata=metadata)
        raise dg.Failure(f"{task} failed: {text}", metadata=metadata, allow_retries=kind != "failed_without_retry")
    metadata: dict[str, Any] = {}
    if outcome.get("xcom"):
        metadata["airflow/xcom"] = dg.MetadataValue.json(outcome["xcom"])
    if outcome.get("rendered"):
        metadata["airflow/rendered"] = dg.MetadataValue.json(outcome["rendered"])
    # A Pipes session makes the step's events typed: the value goes out as an Output, never as a bare return.
    return dg.Output(outcome.get("value"), metadata=metadata)


def _json_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Upstream values for the runner's ``xcom_pull``: they travel as JSON, as Airflow's XComs are stored."""
    for task_id, value in values.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError) as error:
            raise dg.Failure(
                f"the value of {task_id!r} ({type(value).__name__}) cannot reach the Airflow task as JSON: {error}"
            ) from None
    return dict(values)
