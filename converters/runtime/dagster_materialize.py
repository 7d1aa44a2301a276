"""Materialize a generated DAG module's assets in a real Dagster instance, in a subprocess.

The generated package is imported in a fresh interpreter (its own ``sys.path`` and environment: the
warehouse, connections and DAGs folder Dagster should see), then ``dagster.materialize`` runs the
selected assets for one partition, or for one logical date (run tag ``airflow/logical_date``) when the
DAG is not partitioned, against the instance in ``DAGSTER_HOME``.

Several modules run one after the other in one process (``materialize_modules``): the location is imported once.
Run as ``python -m converters.runtime.dagster_materialize '<json request>'``; prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from converters.json_module import JsonModuleError, each_answer, run_json_module


@dataclass
class Materialization:
    module: str
    success: bool
    run_id: str | None = None
    materialized: list[list[str]] = field(default_factory=list)
    partition: str | None = None
    error: str = ""


def package_environment(package_dir: Path, env: dict[str, str], dagster_home: Path | None = None) -> dict[str, str]:
    """The environment of a subprocess that imports the generated package: the package importable, this venv
    first on ``PATH`` (commands the tasks run, `python script.py`, `dbt`, resolve here as Airflow's do in its
    own), ``env`` on top, no peering (``AIRFLOW_URL`` dropped: these runs are the toolkit's, not Airflow's)."""
    process_env = {**os.environ, **env}
    process_env.pop("AIRFLOW_URL", None)
    if dagster_home is not None:
        dagster_home.mkdir(parents=True, exist_ok=True)
        process_env["DAGSTER_HOME"] = str(dagster_home)
    process_env["PYTHONPATH"] = os.pathsep.join([str(package_dir.parent), process_env.get("PYTHONPATH", "")])
    process_env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), process_env.get("PATH", "")])
    return process_env


def materialize_module(
    package_dir: Path,
    module: str,
    *,
    dagster_home: Path,
    env: dict[str, str],
    date: str,
    tags: dict[str, str] | None = None,
    keys: list[list[str]] | None = None,
    timeout: float = 900,
) -> Materialization:
    """Materialize ``keys`` (default: every executable asset) of ``dags/<module>.py`` for ``date`` (YYYY-MM-DD)."""
    (outcome,) = materialize_modules(
        package_dir,
        [{"module": module, "date": date, "tags": tags or {}, "keys": keys}],
        dagster_home=dagster_home,
        env=env,
        timeout=timeout,
    )
    return outcome


def materialize_modules(
    package_dir: Path, requests: list[dict], *, dagster_home: Path, env: dict[str, str], timeout: float = 900
) -> list[Materialization]:
    """``materialize_module`` for each request (``{"module", "date", "tags", "keys"}``), one after the other in
    one process: the code location is imported once. ``timeout`` is per module; a module that raises is its own
    failure and the next one runs."""
    request = {"package": package_dir.name, "modules": requests}
    process_env = package_environment(package_dir, env, dagster_home)
    total = timeout * len(requests)
    try:
        answer = run_json_module(
            "converters.runtime.dagster_materialize",
            request,
            cwd=package_dir.parent,
            env=process_env,
            timeout=total,
            answer_prefix='{"modules"',
        )
    except JsonModuleError as exc:
        error = f"timed out after {total:.0f} s" if exc.timed_out else str(exc)
        return [
            Materialization(r["module"], False, error=f"materialization of {r['module']}: {error}") for r in requests
        ]
    return [Materialization(**outcome) for outcome in answer["modules"]]


def _run_all(request: dict) -> dict:
    outcomes = each_answer(
        request["modules"],
        lambda each: _run({"package": request["package"], **each}).__dict__,
        lambda each, error: Materialization(each["module"], False, error=error).__dict__,
    )
    return {"modules": outcomes}


def _run(request: dict) -> Materialization:
    import importlib

    import dagster as dg

    package, module_name = request["package"], request["module"]
    definitions = importlib.import_module(f"{package}.definitions")
    module = importlib.import_module(f"{package}.dags.{module_name}")
    assets = list(module.ASSETS)
    partitions = getattr(module, "PARTITIONS", None)
    partition = None
    if partitions is not None:
        partition = next(
            (k for k in partitions.get_partition_keys() if k.startswith(request["date"])),
            None,
        )
        if partition is None:
            return Materialization(module_name, False, error=f"no partition of {module_name} for {request['date']}")
    tags = {"airflow/logical_date": f"{request['date']}T00:00:00+00:00", **request["tags"]}
    selection = [dg.AssetKey(k) for k in request["keys"]] if request["keys"] else None
    resources = {**definitions.RESOURCES, **(module.defs.resources or {})}
    result = dg.materialize(
        assets,
        instance=dg.DagsterInstance.get(),
        resources=resources,
        partition_key=partition,
        selection=selection,
        tags=tags,
        raise_on_error=False,
    )
    materialized = sorted(
        {tuple(event.asset_key.path) for event in result.get_asset_materialization_events() if event.asset_key}
    )
    error = ""
    if not result.success:
        failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        error = "\n".join(str(e.event_specific_data.error.to_string())[:2000] for e in failures)  # type: ignore[union-attr]
    keys = [list(k) for k in materialized]
    return Materialization(module_name, result.success, result.run_id, keys, partition, error)


if __name__ == "__main__":
    print(json.dumps(_run_all(json.loads(sys.argv[1]))))
