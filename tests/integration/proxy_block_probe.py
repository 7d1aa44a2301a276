"""Run in an Airflow venv by tests/integration/test_proxy_block_in_airflow.py: the proxy block's operators asking a
stand-in for Dagster's GraphQL API for the asset nodes of a task, with and without the index on the DAG's asset.

Prints one JSON object: per case, the queries the operator sent (by name) and the keys of the nodes it kept.
Usage: python proxy_block_probe.py <the block's text, as `proxy` appends it>
"""

from __future__ import annotations

import json as jsonlib
import sys
import types
from pathlib import Path

NODES = {  # every asset node of the location, as airlift's query returns them
    ("orders", "load"): {"task": "load"},
    ("orders", "clean"): {"task": "clean"},
    ("other", "x"): {"task": "x", "dag_id": "other"},
}


def node(path: tuple[str, ...]) -> dict:
    mapping = NODES[path]
    handle = {"dag_id": mapping.get("dag_id", "orders"), "task_id": mapping["task"]}
    return {
        "assetKey": {"path": list(path)},
        "metadataEntries": [
            {
                "label": "dagster-airlift/task-mapping",
                "jsonString": jsonlib.dumps([handle]),
                "__typename": "JsonMetadataEntry",
            },
            {
                "label": "dagster-airlift/dag-mapping",
                "jsonString": jsonlib.dumps([{"dag_id": handle["dag_id"]}]),
                "__typename": "JsonMetadataEntry",
            },
        ],
        "jobs": [
            {
                "id": "j",
                "name": "__ASSET_JOB",
                "repository": {"id": "r", "name": "__repository__", "location": {"id": "l", "name": "loc"}},
            }
        ],
        "isPartitioned": False,
        "partitionDefinition": None,
        "partitionKeys": [],
    }


class Answer:
    def __init__(self, data: dict) -> None:
        self.status_code = 200
        self._data = data

    def json(self) -> dict:
        return {"data": self._data}


class Dagster:
    """Answers the three queries; ``index`` is what the DAG's asset carries (None: no such metadata)."""

    def __init__(self, index: dict | None) -> None:
        self.index = index
        self.sent: list[str] = []

    def post(self, url: str, json: dict, timeout: float) -> Answer:
        query, variables = json["query"], json.get("variables") or {}
        if "A2dIndex" in query:
            self.sent.append("index")
            assert variables["keys"] == [{"path": ["airflow", "dag", "orders"]}], variables
            entries = [{"label": "dagster-airlift/peered-dag-mapping", "jsonString": "[]"}]
            if self.index is not None:
                entries.append({"label": "airflow-to-dagster/task-assets", "jsonString": jsonlib.dumps(self.index)})
            return Answer({"assetNodes": [{"metadataEntries": entries}]})
        assert "AssetNodeQuery" in query, query
        if "assetKeys: $keys" in query:
            self.sent.append("keyed")
            return Answer({"assetNodes": [node(tuple(key["path"])) for key in variables["keys"]]})
        self.sent.append("every node")
        return Answer({"assetNodes": [node(path) for path in NODES]})


def main() -> None:
    text = Path(sys.argv[1]).read_text(encoding="utf-8")
    block = text[: text.index("\nproxying_to_dagster(")]  # the classes, not the call that swaps a file's tasks
    namespace: dict = {"__name__": "proxy_block_probe"}
    exec(compile(block, "proxy_block_code.py", "exec"), namespace)  # noqa: S102 - the block under test
    context = {
        "dag_run": types.SimpleNamespace(dag_id="orders"),
        "task": types.SimpleNamespace(task_id="load"),
    }
    index = {
        "tasks": {"load": [["orders", "load"]], "clean": [["orders", "clean"]]},
        "dag": [["orders", "clean"], ["orders", "load"]],
    }
    cases = {
        "task, indexed": (namespace["_A2dTaskProxy"](task_id="load"), index),
        "task, no index": (namespace["_A2dTaskProxy"](task_id="load"), None),
        "task, not in the index": (namespace["_A2dTaskProxy"](task_id="load"), {"tasks": {}, "dag": []}),
        "dag, indexed": (namespace["_A2dDagProxy"](task_id="DAGSTER_OVERRIDE_DAG_orders"), index),
        "dag, no index": (namespace["_A2dDagProxy"](task_id="DAGSTER_OVERRIDE_DAG_orders"), None),
    }
    out = {}
    for name, (operator, case_index) in cases.items():
        dagster = Dagster(case_index)
        nodes = operator.get_all_asset_nodes(dagster, "http://dagster", context)
        kept = [n["assetKey"]["path"] for n in operator.filter_asset_nodes(context, nodes)]
        out[name] = {"sent": dagster.sent, "kept": kept}
    print(jsonlib.dumps(out))


if __name__ == "__main__":
    main()
