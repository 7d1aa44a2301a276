"""``<project>/migration/state.json``: the DAGs whose Airflow side is retired, read by `convert`.

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
