"""``<project>/migration/state.json``: the DAGs whose Airflow side is retired, and the tasks lifted, read by `convert`.

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
