"""``<project>/migration/state.json``: the DAGs whose Airflow side is retired, those modernized, and the tasks
lifted, read by `convert`.

``modernized`` records the DAGs `modernize` rewrote into idiomatic Dagster (their module is generated in the
modern form, ``codegen/modern.py``) and, per DAG, the quality tasks its gate evidence proved to be checks
(``checks``: task ids whose asset became an ``@dg.asset_check``).

``lift`` records which tasks with no translation run their own Airflow operator under Dagster (LIFT):
``{"all": true}`` from `convert --lift`, and ``tasks`` named one by one (``"<dag_id>.<task_id>"``).

The project is the folder holding the DAGs folder. The file is meant to be committed with the project: it
is the team's record of the migration, and the generated code depends on it (a decommissioned DAG's
schedule and automation are generated RUNNING, without airlift mapping).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from converters.files import locked, write_atomic

FOLDER = "migration"


def state_file(dags_folder: Path) -> Path:
    return dags_folder.resolve().parent / FOLDER / "state.json"


def load(dags_folder: Path) -> dict:
    file = state_file(dags_folder)
    if not file.exists():
        return {"decommissioned": {}}
    data = json.loads(file.read_text(encoding="utf-8"))
    data.setdefault("decommissioned", {})
    return data


def decommissioned(dags_folder: Path) -> frozenset[str]:
    return frozenset(load(dags_folder)["decommissioned"])


def modernized(dags_folder: Path) -> dict[str, tuple[str, ...]]:
    """The modernized DAGs (`modernize`): each with the task ids whose asset became an asset check."""
    return {dag_id: tuple(v.get("checks") or ()) for dag_id, v in (load(dags_folder).get("modernized") or {}).items()}


def modernized_tables(dags_folder: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """Per modernized DAG, the tables its gate-5 evidence showed each task write (`modernize` records them)."""
    recorded = load(dags_folder).get("modernized") or {}
    return {
        dag_id: {task: tuple(tables) for task, tables in (v.get("tables") or {}).items()}
        for dag_id, v in recorded.items()
    }


def modernized_connections(dags_folder: Path) -> dict[str, dict[str, str]]:
    """Per modernized DAG, the type of each connection its tasks use, as the environment its gates ran in
    defined it (`modernize` records them: a DuckDB connection becomes dagster-duckdb's resource)."""
    recorded = load(dags_folder).get("modernized") or {}
    return {dag_id: dict(v.get("connections") or {}) for dag_id, v in recorded.items()}


def record_modernized(dags_folder: Path, dag_id: str, details: dict) -> None:
    """Record `modernize DAG`: convert generates its module in the modern form from now on."""
    file = state_file(dags_folder)
    with locked(file.with_name(".lock")):
        data = load(dags_folder)
        recorded = data.setdefault("modernized", {})
        recorded[dag_id] = {"at": datetime.now(UTC).isoformat(timespec="seconds"), **details}
        data["modernized"] = dict(sorted(recorded.items()))
        write_atomic(file, json.dumps(data, indent=2) + "\n")


def forget_modernized(dags_folder: Path, dag_id: str) -> None:
    """`modernize` undone (its gates did not prove the modern form equal): the DAG is generated faithful again."""
    file = state_file(dags_folder)
    with locked(file.with_name(".lock")):
        data = load(dags_folder)
        if dag_id in (data.get("modernized") or {}):
            del data["modernized"][dag_id]
            write_atomic(file, json.dumps(data, indent=2) + "\n")


def record_decommissioned(dags_folder: Path, dag_id: str, details: dict) -> None:
    file = state_file(dags_folder)
    with locked(file.with_name(".lock")):
        data = load(dags_folder)
        data["decommissioned"][dag_id] = {"at": datetime.now(UTC).isoformat(timespec="seconds"), **details}
        data["decommissioned"] = dict(sorted(data["decommissioned"].items()))
        write_atomic(file, json.dumps(data, indent=2) + "\n")


def lifting(dags_folder: Path) -> tuple[bool, frozenset[tuple[str, str]]]:
    """Whether every liftable task is lifted, and the ``(dag_id, task_id)`` lifted one by one."""
    recorded = load(dags_folder).get("lift") or {}
    tasks = frozenset((v["dag_id"], v["task_id"]) for v in (recorded.get("tasks") or {}).values())
    return bool(recorded.get("all")), tasks


def record_lifting(dags_folder: Path, *, everything: bool) -> bool:
    """Record `convert --lift` (or `--no-lift`); False when the file already said so (nothing written)."""
    file = state_file(dags_folder)
    with locked(file.with_name(".lock")):
        data = load(dags_folder)
        recorded = data.get("lift") or {}
        if bool(recorded.get("all")) == everything:
            return False
        data["lift"] = {**recorded, "all": everything, "at": datetime.now(UTC).isoformat(timespec="seconds")}
        write_atomic(file, json.dumps(data, indent=2) + "\n")
        return True


def record_lifted_tasks(dags_folder: Path, dag_id: str, task_ids: list[str]) -> None:
    """Record `lift DAG TASK…`: these tasks run their own Airflow operator under Dagster (LIFT)."""
    if not task_ids:
        return
    file = state_file(dags_folder)
    with locked(file.with_name(".lock")):
        data = load(dags_folder)
        recorded = data.setdefault("lift", {})
        tasks = recorded.setdefault("tasks", {})
        at = datetime.now(UTC).isoformat(timespec="seconds")
        for task_id in task_ids:
            tasks[f"{dag_id}.{task_id}"] = {"dag_id": dag_id, "task_id": task_id, "at": at}
        recorded["tasks"] = dict(sorted(tasks.items()))
        write_atomic(file, json.dumps(data, indent=2) + "\n")
