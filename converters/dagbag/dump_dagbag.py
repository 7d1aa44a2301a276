"""Dump what Airflow's DagBag loads from a folder, as JSON. Runs INSIDE an Airflow venv (2.x or 3.x).

Usage: python dump_dagbag.py DAG_FOLDER OUTPUT_JSON

This file is executed by path with the Airflow venv's interpreter: it imports nothing from the toolkit
and nothing from Dagster. It executes the DAG files (that is what DagBag does), which is why the toolkit
only runs it on request (`verify --dagbag`).
"""

import json
import os
import sys
import time


def class_path(task):
    cls = getattr(task, "operator_class", None) or type(task)  # MappedOperator keeps the real class here
    if isinstance(cls, dict):  # serialized form
        return cls.get("_task_module", "") + "." + cls.get("task_type", "")
    return f"{cls.__module__}.{cls.__qualname__}"


def is_mapped(task):
    """Runs once per mapped index: a mapped operator, or any task inside a mapped task group."""
    if any(c.__name__ == "MappedOperator" for c in type(task).__mro__):
        return True
    closest = getattr(task, "get_closest_mapped_task_group", None)
    return bool(closest and closest() is not None)


def schedule_of(dag):
    """The schedule as a kind and a value, read the same way on Airflow 2 and 3 (by timetable class)."""
    timetable = type(getattr(dag, "timetable", None)).__name__
    raw = dag.schedule_interval if hasattr(dag, "schedule_interval") else getattr(dag, "schedule", None)
    if timetable == "NullTimetable":
        kind, value = "none", None
    elif timetable == "OnceTimetable":
        kind, value = "preset", "@once"
    elif timetable.startswith("Cron") and "Partition" not in timetable and isinstance(raw, str):
        kind, value = ("preset" if raw.startswith("@") else "cron"), raw
    elif timetable.startswith("Delta") and hasattr(raw, "total_seconds"):
        kind, value = "timedelta", str(float(raw.total_seconds()))
    elif timetable in {"DatasetTriggeredTimetable", "AssetTriggeredTimetable"}:
        kind, value = "dataset", None
    else:
        kind, value = "timetable", timetable
    return {"kind": kind, "value": value, "timetable": timetable}


def main(folder, output):
    started = time.time()
    try:
        from airflow.dag_processing.dagbag import DagBag  # Airflow 3

        # Airflow 3's dag-processor puts the bundle folder on sys.path before parsing; do the same.
        if folder not in sys.path:
            sys.path.insert(0, folder)
        bag = DagBag(folder)
    except ImportError:
        from airflow.models.dagbag import DagBag  # Airflow 2

        bag = DagBag(folder, include_examples=False)
    import airflow

    dags = []
    for dag_id, dag in sorted(bag.dags.items()):
        tasks = []
        for task in dag.tasks:
            group = getattr(task, "task_group", None)
            group_id = getattr(group, "group_id", None) if group is not None else None
            tasks.append(
                {
                    "task_id": task.task_id,
                    "class": class_path(task),
                    "mapped": is_mapped(task),
                    "task_group": group_id,
                    "upstream": sorted(task.upstream_task_ids),
                }
            )
        fileloc = getattr(dag, "fileloc", "") or ""
        dags.append(
            {
                "dag_id": dag_id,
                "fileloc": os.path.relpath(fileloc, folder) if fileloc.startswith(folder) else fileloc,
                "schedule": schedule_of(dag),
                "tasks": sorted(tasks, key=lambda t: t["task_id"]),
            }
        )
    errors = {
        os.path.relpath(k, folder) if k.startswith(folder) else k: str(v)[-4000:] for k, v in bag.import_errors.items()
    }
    result = {
        "airflow_version": airflow.__version__,
        "folder": folder,
        "seconds": round(time.time() - started, 3),
        "dags": dags,
        "import_errors": errors,
    }
    with open(output + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=1, sort_keys=True)
    os.replace(output + ".tmp", output)


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1]), sys.argv[2])
