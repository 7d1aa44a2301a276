"""Gates 4 and 6 for one DAG module, in a subprocess: each asset materialized on its own, in dependency
order, for one date, then once more; the warehouse's table fingerprints are taken after every step.

A table whose fingerprint changes when an asset runs is attributed to that asset (what gate 5 compares with
Airflow); a table that changes again on the second run makes gate 6 fail. Inputs between assets go through
Dagster's IO manager in ``DAGSTER_HOME``, as in a whole-DAG run.

Run as ``python -m converters.gates.runner '<json request>'``; prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from converters.json_module import JsonModuleError, run_json_module
from converters.runtime.dagster_materialize import package_environment


def run_dag(
    package_dir: Path,
    module: str,
    *,
    dagster_home: Path,
    env: dict[str, str],
    date: str,
    keys: list[list[str]],
    warehouse: Path,
    paths: list[str],
    date_column: str = "ds",
    tags: dict[str, str] | None = None,
    timeout: float = 900,
    sensors: list[str] | None = None,
) -> dict:
    """``{"assets": [{"key", "success", "materialized", "error", "seconds", "run_id", "partition",
    "tables", "second": {...}}], "sensors": {task_id: {the same}}, "error": str}``. ``sensors``: the task ids
    a modernized module wrote as ``@dg.sensor``s, each poked for the date's partition (twice)."""
    request = {
        "package": package_dir.name,
        "module": module,
        "date": date,
        "keys": keys,
        "warehouse": str(warehouse),
        "paths": paths,
        "date_column": date_column,
        "tags": tags or {},
        "sensors": sensors or [],
    }
    process_env = package_environment(package_dir, env, dagster_home)
    try:
        return run_json_module(
            "converters.gates.runner",
            request,
            cwd=package_dir.parent,
            env=process_env,
            timeout=timeout,
            answer_prefix='{"assets"',
        )
    except JsonModuleError as exc:
        error = f"{module}: gates runner timed out after {timeout:.0f}s" if exc.timed_out else str(exc)
        return {"assets": [], "error": error}


def _main(request: dict) -> dict:
    import importlib

    import dagster as dg

    from converters.gates.tables import Warehouse

    package, module_name = request["package"], request["module"]
    module = importlib.import_module(f"{package}.dags.{module_name}")
    warehouse = Warehouse(Path(request["warehouse"]), request["date"], request["date_column"], request["paths"])
    partitions = getattr(module, "PARTITIONS", None)
    partition = None
    if partitions is not None:
        partition = next((k for k in partitions.get_partition_keys() if k.startswith(request["date"])), None)
        if partition is None:
            return {"assets": [], "error": f"no partition of {module_name} for {request['date']}"}
    tags = {"airflow/logical_date": f"{request['date']}T00:00:00+00:00", **request["tags"]}
    instance = dg.DagsterInstance.get()

    job = dg.reconstructable(_gate_job)

    def materialize(key: list[str]) -> dict:
        started = time.monotonic()
        run_tags = {**tags, **({"dagster/partition": partition} if partition else {})}
        # In-process, step retries disabled: a gate fails at the first failure instead of waiting out the
        # task's retry delays (dagster.materialize always retries).
        with dg.execute_job(
            job,
            instance=instance,
            run_config={"execution": {"config": {"retries": {"disabled": {}}}}},
            tags=run_tags,
            asset_selection=[dg.AssetKey(key)],
            raise_on_error=False,
        ) as result:
            done = {tuple(e.asset_key.path) for e in result.get_asset_materialization_events() if e.asset_key}
            error = ""
            if not result.success:
                failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
                error = "\n".join(str(e.event_specific_data.error.to_string())[:3000] for e in failures)  # type: ignore[union-attr]
            checks = [
                {"asset": list(e.asset_key.path), "name": e.check_name, "passed": e.passed}
                for e in result.get_asset_check_evaluations()
            ]
            return {
                "success": result.success,
                "materialized": tuple(key) in done,
                "checks": checks,  # the asset checks that ran with it (a modernized module's quality tasks)
                "error": error,
                "seconds": round(time.monotonic() - started, 2),
                "run_id": result.run_id,
                "partition": partition,
            }

    # A sensor task poked first, as it ran first in Airflow: it starts the run the other tasks run in.
    sensors = {task_id: _poke_twice(module, task_id, partition) for task_id in request.get("sensors", [])}
    before = {t: f.to_json() for t, f in warehouse.fingerprints().items()}
    assets = []
    for key in request["keys"]:
        outcome = {"key": key, **materialize(key)}
        after = {t: f.to_json() for t, f in warehouse.fingerprints().items()}
        outcome["tables"] = sorted(t for t in after if after[t] != before.get(t))
        outcome["fingerprints"] = {t: after[t] for t in outcome["tables"]}
        before = after
        assets.append(outcome)
    for outcome in assets:  # gate 6: the same asset, same partition, once more
        if not outcome["success"]:
            continue
        again = materialize(outcome["key"])
        after = {t: f.to_json() for t, f in warehouse.fingerprints().items()}
        again["changed"] = sorted(t for t in after if after[t] != before.get(t))
        before = after
        outcome["second"] = again
    return {"assets": assets, "sensors": sensors, "error": ""}


def _poke_twice(module, task_id: str, partition: str | None) -> dict:
    """A modernized module's sensor for ``task_id``: its poke (``<sensor>_ready``) for the partition, given the
    resources the location binds, as gate 4 judges an asset run ("materialized": the sensor would request the
    partition's run) and, for gate 6, once more. It writes no table."""
    import importlib
    import inspect

    import dagster as dg

    request = json.loads(os.environ["A2D_GATE_REQUEST"])
    definitions = importlib.import_module(f"{request['package']}.definitions")
    (sensor,) = module.TASKS[task_id]
    name = next(n for n, value in vars(module).items() if value is sensor)
    ready = getattr(module, f"{name}_ready")
    params = list(inspect.signature(ready).parameters)[1:]
    resources = {**definitions.RESOURCES, **(module.defs.resources or {})}

    def poke() -> dict:
        started = time.monotonic()
        try:
            with dg.build_resources({p: resources[p] for p in params}) as built:
                ok = bool(ready(partition, **{p: getattr(built, p) for p in params}))
            error = "" if ok else f"the sensor's poke for {partition} did not succeed: it would request no run"
        except Exception as exc:  # noqa: BLE001 - the gate reports what the poke raised
            ok, error = False, f"{type(exc).__name__}: {exc}"
        seconds = round(time.monotonic() - started, 2)
        return {"success": ok, "materialized": ok, "error": error, "seconds": seconds, "run_id": None}

    first = {"key": ["sensor", sensor.name], **poke(), "partition": partition, "tables": []}
    first["second"] = {**poke(), "changed": []}
    return first


def _gate_job():
    """The DAG module's assets as one in-process job (rebuilt by name in this process: ``reconstructable``)."""
    import importlib

    import dagster as dg

    request = json.loads(os.environ["A2D_GATE_REQUEST"])
    definitions = importlib.import_module(f"{request['package']}.definitions")
    module = importlib.import_module(f"{request['package']}.dags.{request['module']}")
    job = dg.define_asset_job(
        "airflow_to_dagster_gate",
        selection=dg.AssetSelection.assets(*module.ASSETS),
        executor_def=dg.in_process_executor,
        partitions_def=getattr(module, "PARTITIONS", None),
    )
    resources = {**definitions.RESOURCES, **(module.defs.resources or {})}
    checks = list(getattr(module, "CHECKS", []))  # a modernized module's asset checks run with their assets
    defs = dg.Definitions(assets=list(module.ASSETS), asset_checks=checks, resources=resources, jobs=[job])
    return defs.get_job_def("airflow_to_dagster_gate")


if __name__ == "__main__":
    os.environ["A2D_GATE_REQUEST"] = sys.argv[1]
    print(json.dumps(_main(json.loads(sys.argv[1])), default=str))
