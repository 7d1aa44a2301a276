"""Gates 4 and 6 for DAG modules, in a subprocess: each Airflow task's assets materialized in one run of their
own (`run_steps`: a cosmos group's dbt models together, every other asset alone), in dependency order, for one
date, then once more; the warehouse's table fingerprints are taken after every run.

A table whose fingerprint changes when a task's run runs is attributed to that task (what gate 5 compares with
Airflow); a table that changes again on the second run makes gate 6 fail. Inputs between assets go through
Dagster's IO manager in ``DAGSTER_HOME``, as in a whole-DAG run. Several DAGs run one after the other in one
process (``run_dags``), so the code location is imported once per ladder run, not once per DAG.

Run as ``python -m converters.gates.runner '<json request>'``; prints ``A2D-RUNNING <module>`` before each DAG
and its answer as one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from converters.json_module import JsonModuleError, each_answer, run_json_module
from converters.runtime.dagster_materialize import package_environment

RUNNING = "A2D-RUNNING "  # the line the runner prints before each DAG: the caller's progress


def dag_request(
    module: str,
    *,
    date: str,
    keys: list[list[str]],
    warehouse: Path,
    paths: list[str],
    date_column: str = "ds",
    tags: dict[str, str] | None = None,
    sensors: list[str] | None = None,
    tasks: dict[str, list[list[str]]] | None = None,
) -> dict:
    """What the runner needs for one DAG module. ``keys``: its assets in run order; ``tasks``: which keys each
    Airflow task became (consecutive keys of one task run together: `run_steps`). ``sensors``: the task ids a
    modernized module wrote as ``@dg.sensor``s, each poked for the date's partition (twice)."""
    return {
        "module": module,
        "date": date,
        "keys": keys,
        "tasks": tasks or {},
        "warehouse": str(warehouse),
        "paths": paths,
        "date_column": date_column,
        "tags": tags or {},
        "sensors": sensors or [],
    }


def run_steps(keys: list[list[str]], tasks: dict[str, list[list[str]]]) -> list[list[list[str]]]:
    """``keys`` in order, cut into Dagster runs: the keys of one Airflow task that follow each other run together,
    as Airflow ran the task once (a cosmos group's dbt models in one dbt invocation, not one per model); every
    other key alone."""
    owner = {tuple(key): task for task, owned in tasks.items() for key in owned}
    steps: list[list[list[str]]] = []
    for key in keys:
        task = owner.get(tuple(key))
        if steps and task is not None and owner.get(tuple(steps[-1][-1])) == task:
            steps[-1].append(key)
        else:
            steps.append([key])
    return steps


def run_dags(
    package_dir: Path,
    requests: list[dict],
    *,
    dagster_home: Path,
    env: dict[str, str],
    timeout: float = 900,
    on_running: Callable[[str], None] = lambda module: None,
    on_event: Callable[[str], None] = lambda message: None,
    reset: Callable[[], None] | None = None,
) -> list[dict]:
    """Each request's outcome, in order, all run in one subprocess (``timeout`` seconds per DAG):
    ``{"assets": [{"key", "success", "materialized", "error", "seconds", "run_id", "partition", "tables",
    "second": {...}}], "sensors": {task_id: {the same}}, "error": str}``; ``on_running(module)`` as each DAG
    starts. A DAG that raises gets its error and the next one runs. When the process itself dies (a task that
    ends the interpreter, a crash) and ``reset`` is given, ``reset()`` empties what the runs wrote and each DAG
    runs again in a process of its own, so the crash is one DAG's outcome only; without ``reset`` every DAG
    gets the process's error."""
    if not requests:
        return []

    def on_line(line: str) -> None:
        if line.startswith(RUNNING):
            on_running(line.removeprefix(RUNNING))

    def run(batch: list[dict]) -> list[dict] | JsonModuleError:
        try:
            answer = run_json_module(
                "converters.gates.runner",
                {"package": package_dir.name, "dags": batch},
                cwd=package_dir.parent,
                env=package_environment(package_dir, env, dagster_home),  # makes DAGSTER_HOME
                timeout=timeout * len(batch),
                answer_prefix='{"dags"',
                on_line=on_line,
            )
            return answer["dags"]
        except JsonModuleError as exc:
            return exc

    def failed(request: dict, error: JsonModuleError) -> dict:
        return {"assets": [], "sensors": {}, "error": f"{request['module']}: {error}"}

    outcomes = run(requests)
    if not isinstance(outcomes, JsonModuleError):
        return outcomes
    if reset is None or len(requests) == 1 or outcomes.timed_out:  # a DAG that hangs would hang again
        return [failed(request, outcomes) for request in requests]
    on_event("the gates runner's process died: each DAG runs again, in a process of its own")
    reset()
    apart = [(request, run([request])) for request in requests]
    return [failed(request, out) if isinstance(out, JsonModuleError) else out[0] for request, out in apart]


def run_dag(
    package_dir: Path, module: str, *, dagster_home: Path, env: dict[str, str], timeout: float = 900, **request
) -> dict:
    """One DAG module's outcome (``run_dags`` with one request; ``request``: ``dag_request``'s arguments)."""
    (outcome,) = run_dags(
        package_dir, [dag_request(module, **request)], dagster_home=dagster_home, env=env, timeout=timeout
    )
    return outcome


def _main(request: dict) -> dict:
    package = request["package"]

    def answer(dag: dict) -> dict:
        print(RUNNING + dag["module"], flush=True)
        os.environ["A2D_GATE_REQUEST"] = json.dumps({"package": package, "module": dag["module"]})
        return _run_one(package, dag)

    def failed(dag: dict, error: str) -> dict:
        return {"assets": [], "sensors": {}, "error": f"{dag['module']}: {error}"}

    return {"dags": each_answer(request["dags"], answer, failed)}


def _run_one(package: str, request: dict) -> dict:
    import importlib

    import dagster as dg

    from converters.gates.tables import Warehouse

    module_name = request["module"]
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

    def materialize(keys: list[list[str]]) -> tuple[dict, set[tuple[str, ...]]]:
        """One run of ``keys``: what it says of each, and the keys it materialized."""
        started = time.monotonic()
        run_tags = {**tags, **({"dagster/partition": partition} if partition else {})}
        # In-process, step retries disabled: a gate fails at the first failure instead of waiting out the
        # task's retry delays (dagster.materialize always retries).
        with dg.execute_job(
            job,
            instance=instance,
            run_config={"execution": {"config": {"retries": {"disabled": {}}}}},
            tags=run_tags,
            asset_selection=[dg.AssetKey(key) for key in keys],
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
                "checks": checks,  # the asset checks that ran with it (a modernized module's quality tasks)
                "error": error,
                "seconds": round(time.monotonic() - started, 2),  # of the run (the same for keys run together)
                "run_id": result.run_id,
                "partition": partition,
            }, done

    def changed_since(before: dict[str, str]) -> tuple[dict[str, str], list[str]]:
        after = {t: f.to_json() for t, f in warehouse.fingerprints().items()}
        return after, sorted(t for t in after if after[t] != before.get(t))

    # A sensor task poked first, as it ran first in Airflow: it starts the run the other tasks run in.
    sensors = {task_id: _poke_twice(module, task_id, partition) for task_id in request.get("sensors", [])}
    before = {t: f.to_json() for t, f in warehouse.fingerprints().items()}
    steps = run_steps(request["keys"], request["tasks"])
    outcomes: list[list[dict]] = []
    for step in steps:
        run, done = materialize(step)
        before, tables = changed_since(before)
        # the tables a run changed go to its first key: a task's keys are judged together (gates 5 and 6)
        owned = [(tables, {t: before[t] for t in tables}), *[([], {})] * (len(step) - 1)]
        outcomes.append(
            [
                {"key": key, **run, "materialized": tuple(key) in done, "tables": mine, "fingerprints": prints}
                for key, (mine, prints) in zip(step, owned, strict=True)
            ]
        )
    for step, outcome in zip(steps, outcomes, strict=True):  # gate 6: the same run, same partition, once more
        if not outcome[0]["success"]:
            continue
        run, done = materialize(step)
        before, changed = changed_since(before)
        for n, (key, first) in enumerate(zip(step, outcome, strict=True)):
            first["second"] = {**run, "materialized": tuple(key) in done, "changed": changed if n == 0 else []}
    assets = [outcome for step in outcomes for outcome in step]
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
    from converters.gates.graph import module_tasks

    (sensor,) = module_tasks(module)[task_id]
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
    print(json.dumps(_main(json.loads(sys.argv[1])), default=str))
