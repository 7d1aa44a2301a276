"""A generated location imported in this process, and one task's asset materialized from it: what the unit tests
that run generated code share, so the way a task's asset is found and run is written once.

``imported_package(root, package)`` puts ``root`` on ``sys.path`` for the ``with`` block and drops every module of
``package`` afterwards (only that package: a prefix such as ``lib`` would also drop ``libcst``).
``materialize_task(module, task_id)`` runs the asset of ``task_id`` from a generated DAG module for one logical
date, as the proxied Airflow task would ask for it. ``run_beside(package, script)`` runs a script in a fresh
process of this interpreter with the location importable, as Dagster's code servers import it (``answer_of``: the
JSON its last line printed).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import dagster as dg

from converters.convert import convert_project
from converters.ledger import state as migration_state
from converters.runtime.dagster_materialize import package_environment

LOGICAL_DATE = "2024-01-15T00:00:00+00:00"


def drop_modules(*packages: str) -> None:
    """Forget ``packages`` and their submodules, so the next import reads them again."""
    for name in [m for m in sys.modules if m in packages or m.startswith(tuple(f"{p}." for p in packages))]:
        del sys.modules[name]


@contextlib.contextmanager
def imported_package(root: Path, package: str, *others: str) -> Iterator[None]:
    """``root`` importable for the block; ``package`` (and the estate's ``others``) forgotten after it."""
    sys.path.insert(0, str(root))
    try:
        yield
    finally:
        sys.path.remove(str(root))
        drop_modules(package, *others)


def task_asset(module: ModuleType, task_id: str) -> Any:
    """The asset a generated DAG module defines for ``task_id``."""
    return next(a for a in module.defs.assets if a.key.path[-1] == task_id)


def materialize_task(module: ModuleType | str, task_id: str, raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
    """One Dagster run of ``task_id``'s asset for the logical date the tests use (``module`` or its dotted name)."""
    if isinstance(module, str):
        module = importlib.import_module(module)
    asset = task_asset(module, task_id)
    return dg.materialize([asset], tags={"airflow/logical_date": LOGICAL_DATE}, raise_on_error=raise_on_error)


def task_value(module: ModuleType | str, task_id: str) -> Any:
    """What ``task_id``'s asset returned in one successful run."""
    if isinstance(module, str):
        module = importlib.import_module(module)
    return materialize_task(module, task_id).output_for_node(task_asset(module, task_id).op.name)


def run_beside(package: Path, script: str, *args: str, env: dict[str, str] | None = None) -> str:
    """What ``script`` printed, run with ``args`` in a new process beside the generated ``package`` (its parent the
    working folder, ``DAGSTER_HOME`` a ``home`` folder there, ``env`` added); a failure fails the test with its
    stderr."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=package.parent,
        env=package_environment(package, env or {}, package.parent / "home"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def answer_of(package: Path, script: str, *args: str, env: dict[str, str] | None = None) -> Any:
    """The JSON value the last line of ``script``'s output holds (``run_beside``)."""
    return json.loads(run_beside(package, script, *args, env=env).splitlines()[-1])


def convert_modernized(dags: Path, file: str, *dag_ids: str) -> Path:
    """``dags`` converted (into ``dagster_defs/`` beside it) with the DAGs ``dag_ids`` of ``file`` recorded
    decommissioned and modernized, as `decommission` and `modernize` leave them (no gate evidence: no asset
    checks); the generation is asserted ruff-clean. Returns the generated location."""
    for dag_id in dag_ids:
        migration_state.record_decommissioned(dags, dag_id, {"file": file})
        migration_state.record_modernized(dags, dag_id, {"checks": []})
    out = dags.parent / "dagster_defs"
    assert convert_project(dags, out, use_cache=False).generated.problems == []
    return out
