"""The lift overhead: one task run as a LIFT asset against the same task as a MECH asset, in the same process.

The estate is one DAG file, ``bench_lift``: one ``PythonOperator`` (``produce``) whose callable returns a string
built from ``ds``. It is converted twice: as `convert` does (MECH: the callable runs in the asset's body, in
Dagster's process) and with `--lift` as if no rule translated ``PythonOperator`` (LIFT: the asset launches
``support/lift_runner.py`` with the Python of the line's Airflow venv through Pipes, and Airflow's DagBag builds
and runs that same ``PythonOperator``). Both are materialized for the same partition with ``dg.materialize``,
one warm-up each first (imports of the generated package, not counted), then ``runs`` times each, in turn. Both
must return the same value, or the measure fails: the work is the same, only the way it runs differs.

The figures are the medians of a materialization's wall time; the overhead is their difference. The Airflow
process's CPU time (user + system) is given beside: on a shared machine it moves less than wall time.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

DAG_ID = "bench_lift"
TASK_ID = "produce"
PARTITION = "2024-01-05"
BENCH_DAG = '''"""One PythonOperator: a MECH asset (its callable in Dagster), a LIFT asset (Airflow's own code)."""

from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator


def produce(ds):
    return f"produced {ds}"


with DAG(dag_id="bench_lift", schedule="@daily", start_date=datetime(2024, 1, 1), catchup=False):
    PythonOperator(task_id="produce", python_callable=produce, op_kwargs={"ds": "{{ ds }}"})
'''
MECH_PACKAGE = "bench_mech_defs"
LIFT_PACKAGE = "bench_lift_defs"


def write_estate(root: Path) -> Path:
    """``root/airflow_dags/bench_lift.py`` (a fresh folder): the DAGs folder both conversions read."""
    dags = root / "airflow_dags"
    shutil.rmtree(dags, ignore_errors=True)
    dags.mkdir(parents=True)
    (dags / f"{DAG_ID}.py").write_text(BENCH_DAG, encoding="utf-8")
    return dags


def convert_both(root: Path) -> None:
    """``root/bench_mech_defs`` as `convert` writes it, ``root/bench_lift_defs`` as `convert --lift` would if no
    rule translated PythonOperator. Each asset's disposition is checked: a rule change must not void the bench."""
    from converters import plan as planning
    from converters.convert import convert_project
    from converters.rules import Registry, native_rules

    dags = write_estate(root)
    mech = convert_project(dags, root / MECH_PACKAGE, force=True, use_cache=False, lift=False)
    without_python = Registry([rule for rule in native_rules() if rule.name != "python.callable"])
    with mock.patch.object(planning, "default_registry", lambda: without_python):
        lift = convert_project(dags, root / LIFT_PACKAGE, force=True, use_cache=False, lift=True)
    for result, wanted in ((mech, "MECH"), (lift, "LIFT")):
        dispositions = [task.disposition for dag in result.plan.dags for task in dag.tasks]
        if dispositions != [wanted] or result.generated.problems:
            raise RuntimeError(f"the {wanted} conversion of {DAG_ID} gave {dispositions}: {result.generated.problems}")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(root: Path, airflow_version: int, runs: int) -> dict:
    """Convert, then materialize each asset ``runs`` times (after a warm-up): wall times, values, Airflow CPU."""
    import importlib

    import dagster as dg

    from converters.runtime.envs import airflow_venv

    convert_both(root)
    os.environ["AIRFLOW_LIFT_PYTHON"] = str(airflow_venv(airflow_version) / "bin" / "python")
    os.environ["AIRFLOW_MAJOR_VERSION"] = str(airflow_version)
    sys.path.insert(0, str(root))
    assets = {
        kind: importlib.import_module(f"{package}.dags.{DAG_ID}").ASSETS
        for kind, package in (("mech", MECH_PACKAGE), ("lift", LIFT_PACKAGE))
    }
    instance = dg.DagsterInstance.ephemeral()
    key = dg.AssetKey([DAG_ID, TASK_ID])
    figures: dict = {"mech": [], "lift": [], "lift_cpu": [], "values": {}}
    for number in range(runs + 1):
        for kind in ("mech", "lift"):
            cpu, started = _children_cpu(), time.perf_counter()
            result = dg.materialize(assets[kind], partition_key=PARTITION, instance=instance, raise_on_error=False)
            seconds, airflow_cpu = time.perf_counter() - started, _children_cpu() - cpu
            if not result.success:
                failure = next((e for e in result.all_events if e.is_step_failure), None)
                error = failure.step_failure_data.error.message if failure else "no step failed"
                raise RuntimeError(f"the {kind.upper()} asset of {DAG_ID} failed: {error}")
            figures["values"][kind] = result.asset_value(key)
            if number:  # the first round is the warm-up
                figures[kind].append(seconds)
                if kind == "lift":
                    figures["lift_cpu"].append(airflow_cpu)
    if figures["values"]["mech"] != figures["values"]["lift"]:
        raise RuntimeError(f"MECH and LIFT returned different values: {figures['values']}")
    figures["mech_median"] = statistics.median(figures["mech"])
    figures["lift_median"] = statistics.median(figures["lift"])
    figures["lift_cpu_median"] = statistics.median(figures["lift_cpu"])
    figures["seconds"] = figures["lift_median"]
    return figures
