"""Failure alerting used as ``on_failure_callback`` across the team's DAGs.

Production posts to the on-call channel; this estate appends a JSON line to ``ALERTS_FILE``
(default ``.data/alerts.jsonl`` beside the warehouse), which is what the tests read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from include.warehouse import warehouse_path


def alerts_file() -> Path:
    return Path(os.environ.get("ALERTS_FILE") or warehouse_path().parent / "alerts.jsonl")


def notify_on_call(context) -> None:
    ti = context["task_instance"]
    record = {
        "dag_id": ti.dag_id,
        "task_id": ti.task_id,
        "run_id": context.get("run_id") or ti.run_id,
        "try_number": ti.try_number,
        "exception": str(context.get("exception") or ""),
    }
    path = alerts_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, sort_keys=True) + "\n")
