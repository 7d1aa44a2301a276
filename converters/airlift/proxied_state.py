"""``<DAGs folder>/proxied_state/<dag_id>.yaml``: which tasks of a DAG run in Dagster, in airlift's own format.

Task level::

    tasks:
    - id: load_orders
      proxied: true

DAG level (the whole DAG is one Dagster run; used for DAGs with mapped tasks)::

    proxied: true

Only the CLI writes these files: under the folder's lock, atomically, and each write is checked by loading
the whole folder with airlift's own loader (``load_proxied_state_from_yaml``); a write it rejects is undone.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import ModuleType

import yaml

from converters.files import locked, write_atomic

FOLDER = "proxied_state"
LOCK = ".lock"


class ProxiedStateError(RuntimeError):
    """A proxied-state file is not what airlift accepts; the message names the file."""


def folder(dags_folder: Path) -> Path:
    return dags_folder / FOLDER


def path(dags_folder: Path, dag_id: str) -> Path:
    return folder(dags_folder) / f"{dag_id}.yaml"


@contextmanager
def lock(dags_folder: Path) -> Iterator[None]:
    """One proxy/rollback/decommission at a time per DAGs folder (state file and DAG file change together)."""
    with locked(folder(dags_folder) / LOCK):
        yield


@cache
def _airlift_loader() -> ModuleType:
    """airlift's ``proxied_state`` module, loaded from its file: the package's ``in_airflow/__init__`` needs
    Airflow, this module only needs yaml (and the toolkit runs in the Dagster venv)."""
    spec = importlib.util.find_spec("dagster_airlift")
    if spec is None or not spec.submodule_search_locations:
        raise ProxiedStateError("dagster-airlift is not installed in this environment")
    source = Path(next(iter(spec.submodule_search_locations))) / "in_airflow" / "proxied_state.py"
    module_spec = importlib.util.spec_from_file_location("_a2d_airlift_proxied_state", source)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def validate(dags_folder: Path) -> None:
    """Load the whole folder with airlift's loader, as the DAG files will; raise when it refuses."""
    if not folder(dags_folder).is_dir():
        return
    loader = _airlift_loader()
    try:
        loader.load_proxied_state_from_yaml(folder(dags_folder))
    except loader.ProxiedStateParsingError as exc:
        raise ProxiedStateError(f"airlift rejects {folder(dags_folder)}: {exc.__cause__ or exc}") from exc


def read(dags_folder: Path, dag_id: str) -> dict | None:
    """The DAG's state as airlift reads it (``{"tasks": [...]}`` or ``{"proxied": bool}``), None without a file."""
    file = path(dags_folder, dag_id)
    if not file.exists():
        return None
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ProxiedStateError(f"{file}: expected a mapping, found {type(data).__name__}")
    return data


def proxied_tasks(state: dict | None) -> set[str]:
    if not state:
        return set()
    return {task["id"] for task in state.get("tasks", []) if task.get("proxied")}


def dag_level(state: dict | None) -> bool:
    return bool(state) and state.get("proxied") is True


def write(dags_folder: Path, dag_id: str, state: dict | None) -> None:
    """Replace the DAG's state (None removes the file); undone when airlift's loader rejects the result.

    Call under `lock`.
    """
    file = path(dags_folder, dag_id)
    previous = file.read_bytes() if file.exists() else None
    if state is None:
        file.unlink(missing_ok=True)
    else:
        write_atomic(file, yaml.safe_dump(state, sort_keys=False))
    try:
        validate(dags_folder)
    except ProxiedStateError:
        if previous is None:
            file.unlink(missing_ok=True)
        else:
            write_atomic(file, previous)
        raise


def task_state(tasks: dict[str, bool]) -> dict | None:
    """The task-level file for these flags, in task order; None when no task is proxied any more."""
    if not any(tasks.values()):
        return None
    return {"tasks": [{"id": task_id, "proxied": flag} for task_id, flag in tasks.items()]}
