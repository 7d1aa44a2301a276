"""The generated asset graph, read from the generated package itself (in a subprocess, Dagster venv).

For every DAG module: which assets each Airflow task became (``module_tasks``), each asset's dependencies, and an
order that runs every executable asset after its upstream ones; in a modernized module, the asset check each
quality task became (``checks``: it runs with the asset it checks) and the sensor each sensor task became
(``sensors``: it starts the runs of the tasks that followed it, ``downstream``). Gate 3 compares it with
Airflow's DagBag; gates 4 and 6 run the assets in that order.

Run as ``python -m converters.gates.graph <package>``; prints one JSON object.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from converters.runtime.dagster_materialize import package_environment


def read_graph(package_dir: Path, env: dict[str, str] | None = None) -> dict:
    process_env = package_environment(package_dir, env or {})
    done = subprocess.run(
        [sys.executable, "-m", "converters.gates.graph", package_dir.name],
        cwd=package_dir.parent,
        env=process_env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"could not read the generated asset graph:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def _key(key) -> list[str]:
    return list(key.path)


def module_tasks(module) -> dict[str, list]:
    """What each Airflow task of a DAG module became: its ``TASKS``; a modernized module whose every definition
    is named as its task writes none (codegen/modern.py): then each asset, asset check, spec and sensor the
    module binds at its top level, by that name (not its constants, upper case, nor a name the module binds
    itself, as the failure callback's sensor: no task's function takes one of ``RESERVED_NAMES``)."""
    import dagster as dg

    from converters.plan import RESERVED_NAMES

    if hasattr(module, "TASKS"):
        return module.TASKS
    kinds = (dg.AssetsDefinition, dg.AssetChecksDefinition, dg.AssetSpec, dg.SensorDefinition)
    return {
        name: [value]
        for name, value in vars(module).items()
        if isinstance(value, kinds) and not name.isupper() and name not in RESERVED_NAMES
    }


def _module_graph(module) -> dict:
    import dagster as dg

    tasks: dict[str, list[list[str]]] = {}
    deps: dict[str, list[list[str]]] = {}
    checks: dict[str, dict] = {}  # a modernized module's quality tasks: the check each became
    sensors: dict[str, dict] = {}  # a modernized module's sensor tasks: the sensor each became
    for task_id, assets in module_tasks(module).items():
        tasks.setdefault(task_id, [])
        for asset in assets:
            if isinstance(asset, dg.SensorDefinition):
                downstream = asset.metadata["airflow/downstream"].value
                sensors[task_id] = {"name": asset.name, "downstream": list(downstream)}  # type: ignore[arg-type]
                continue
            if isinstance(asset, dg.AssetChecksDefinition):
                for check in asset.check_specs:
                    checks[task_id] = {"asset": _key(check.asset_key), "name": check.name, "blocking": check.blocking}
                continue
            specs = asset.specs if isinstance(asset, dg.AssetsDefinition) else [asset]
            for spec in specs:
                tasks.setdefault(task_id, []).append(_key(spec.key))
                deps[json.dumps(_key(spec.key))] = [_key(d.asset_key) for d in spec.deps]
    executable = {json.dumps(_key(spec.key)) for asset in module.ASSETS for spec in asset.specs if asset.is_executable}
    order: list[list[str]] = []
    placed: set[str] = set()
    pending = sorted(executable)
    while pending:  # Kahn's algorithm, ties by key: a stable order
        ready = [k for k in pending if all(json.dumps(d) in placed or json.dumps(d) not in executable for d in deps[k])]
        if not ready:  # a cycle cannot load in Dagster; keep going rather than hang
            ready = pending[:1]
        for k in ready:
            order.append(json.loads(k))
            placed.add(k)
        pending = [k for k in pending if k not in placed]
    return {"tasks": tasks, "deps": deps, "order": order, "checks": checks, "sensors": sensors}


def _main(package: str) -> dict:
    import importlib
    import pkgutil

    dags = importlib.import_module(f"{package}.dags")
    graphs = {}
    for info in pkgutil.iter_modules(dags.__path__):
        module = importlib.import_module(f"{package}.dags.{info.name}")
        dag_id = module.DAG.dag_id if hasattr(module, "DAG") else module.DAG_ID  # DAG_ID: a modernized module
        graphs[dag_id] = {"module": info.name, **_module_graph(module)}
    return graphs


if __name__ == "__main__":
    print(json.dumps(_main(sys.argv[1])))
