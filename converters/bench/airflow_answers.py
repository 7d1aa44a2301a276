"""Airflow's answers to what a generated location asks at load, for the bench's peered load (``measure_load``).

Dagster's daemon, webserver and code servers load the location beside an Airflow (``AIRFLOW_URL`` set): that is
the load the estate pays on every code-server start, and the runtime replays Airflow's load-time answers from
``AIRLIFT_SNAPSHOT`` (support/airlift.py). The bench has no Airflow holding its 1,000 DAGs, so this writes that
snapshot from the generated location itself: the generated package's own loader records it while an Airflow
stand-in answers from the DAG modules it has just imported (each DAG, its tasks and their downstream tasks, the
DAG file's source). The timed load then reads the file and asks nothing.

Run in the Dagster venv: ``python -m converters.bench.airflow_answers PACKAGE_DIR ESTATE URL SNAPSHOT``; prints
``{"dags": N, "tasks": N}``.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any


def record(package_dir: Path, estate: Path, url: str, snapshot: Path) -> dict[str, int]:
    os.environ.update({"AIRFLOW_URL": url, "AIRLIFT_SNAPSHOT": str(snapshot), "AIRFLOW_MAJOR_VERSION": "2"})
    os.environ["AIRFLOW_DAGS_FOLDER"] = str(estate)
    sys.path.insert(0, str(package_dir.parent))
    package = package_dir.name
    support = importlib.import_module(f"{package}.support.airlift")
    from dagster_airlift.core.serialization.serialized_data import DagInfo, TaskInfo

    def dag_modules() -> list[Any]:
        prefix = f"{package}.dags."
        return [m for name, m in sorted(sys.modules.items()) if name.startswith(prefix) and hasattr(m, "TASKS")]

    class EstateAirflow(support.Airflow2Instance):
        """Answers as an Airflow 2 holding the estate would, from the DAG modules imported by then."""

        def list_dags(self, retrieval_filter: Any = None) -> list[DagInfo]:
            return [
                DagInfo(
                    webserver_url=url,
                    dag_id=m.DAG.dag_id,
                    metadata={
                        "dag_id": m.DAG.dag_id,
                        "fileloc": str(estate / m.DAG.source),
                        "file_token": m.DAG.source,
                        "is_paused": False,
                        "is_active": True,
                        "owners": [m.DAG.owner or "airflow"],
                        "tags": [],
                    },
                )
                for m in dag_modules()
            ]

        def get_task_infos(self, *, dag_id: str) -> list[TaskInfo]:
            module = next(m for m in dag_modules() if m.DAG.dag_id == dag_id)
            task_of = {
                spec.key: task for task, assets in module.TASKS.items() for a in assets for spec in support._specs(a)
            }
            downstream: dict[str, set[str]] = {task: set() for task in module.TASKS}
            for task, assets in module.TASKS.items():
                for asset in assets:
                    for spec in support._specs(asset):
                        for dep in spec.deps:
                            upstream = task_of.get(dep.asset_key)
                            if upstream is not None and upstream != task:
                                downstream[upstream].add(task)
            return [
                TaskInfo(
                    webserver_url=url,
                    dag_id=dag_id,
                    task_id=task,
                    metadata={"task_id": task, "downstream_task_ids": sorted(downstream[task])},
                )
                for task in module.TASKS
            ]

        def get_all_datasets(self, *args: Any, **kwargs: Any) -> list[Any]:
            return []

        def get_dag_source_code(self, file_token: str) -> str:
            return (estate / file_token).read_text(encoding="utf-8")

    class Recording(support._AnswersFromSnapshot, EstateAirflow):
        pass

    backend = support._BasicAuthBackend(webserver_url=url, username="admin", password="")
    support.airflow_instance_from_env = lambda: Recording(auth_backend=backend, name="airflow", snapshot=str(snapshot))
    importlib.import_module(f"{package}.definitions")  # peer() records the answers and writes the snapshot
    if not snapshot.is_file():
        raise SystemExit(f"no snapshot written at {snapshot}")
    modules = dag_modules()
    return {"dags": len(modules), "tasks": sum(len(m.TASKS) for m in modules)}


if __name__ == "__main__":
    package_dir, estate, url, snapshot = sys.argv[1:5]
    print(json.dumps(record(Path(package_dir).resolve(), Path(estate).resolve(), url, Path(snapshot).resolve())))
