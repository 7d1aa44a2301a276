"""Gate 3, structure: the task's upstream tasks in the generated asset graph equal its upstream tasks in
Airflow's own DagBag (loaded in the Airflow venv: this executes the DAG files), pass-through tasks bridged, a
cosmos group's tasks folded into the group, other DAGs' assets left out."""

from __future__ import annotations

import json
from collections.abc import Iterator

from converters.gates.context import Context, GatesError
from converters.gates.gate import Gate, Outcome
from converters.plan import PlannedDag


def check(ctx: Context) -> Iterator[Outcome]:
    from converters.dagbag.reconcile import DagBagError, load_dagbag

    graph = ctx.graph
    parse_env = {k: ctx.expand(v) for k, v in ctx.config.get("airflow_parse_env", {}).items()}
    try:
        bag = load_dagbag(ctx.dags_folder, ctx.airflow.version, extra_env=parse_env)
    except DagBagError as exc:
        raise GatesError(f"Airflow's DagBag could not be loaded for gate 3: {exc}") from exc
    bag_dags = {d["dag_id"]: d for d in bag["dags"]}
    for planned in ctx.selected:
        dag_id = planned.dag.dag_id
        airflow_up = airflow_upstream(planned, bag_dags.get(dag_id))
        dagster_up = dagster_upstream(graph.get(dag_id))
        for task in ctx.tasks_of(planned):
            tid = task.task.task_id
            if airflow_up is None:
                missing = {"airflow": f"{dag_id} is not in Airflow {ctx.airflow.version}'s DagBag"}
                yield Outcome(dag_id, tid, "fail", missing)
                continue
            a, d = sorted(airflow_up.get(tid, set())), sorted(dagster_up.get(tid, set()))
            evidence = {"airflow_upstream": a, "dagster_upstream": d, "airflow_version": bag["airflow_version"]}
            yield Outcome(dag_id, tid, "pass" if a == d else "fail", evidence)


def failure_lines(evidence: dict) -> list[str]:
    return [f"Airflow upstream {evidence.get('airflow_upstream')}, Dagster upstream {evidence.get('dagster_upstream')}"]


def airflow_upstream(planned: PlannedDag, bag_dag: dict | None) -> dict[str, set[str]] | None:
    """Each planned task's upstream tasks in Airflow's DagBag, pass-through tasks bridged and a dbt group's
    tasks folded into the group (the generated code has one multi-asset for it)."""
    if bag_dag is None:
        return None
    planned_ids = {t.task.task_id for t in planned.tasks}
    groups = {t.task.task_id for t in planned.tasks if t.translation.dbt}
    passthrough = {t.task.task_id for t in planned.tasks if t.passthrough}

    def node(task: dict) -> str:
        if task["task_id"] in planned_ids:
            return task["task_id"]
        for group in groups:
            if task["task_id"].startswith(group + ".") or task.get("task_group") == group:
                return group
        return task["task_id"]

    nodes = {t["task_id"]: node(t) for t in bag_dag["tasks"]}
    upstream: dict[str, set[str]] = {}
    for task in bag_dag["tasks"]:
        me = nodes[task["task_id"]]
        upstream.setdefault(me, set())
        for up in task["upstream"]:
            if nodes.get(up, up) != me:
                upstream[me].add(nodes.get(up, up))
    for gone in passthrough:  # bridge: a -> pass -> b becomes a -> b
        ups = upstream.pop(gone, set())
        for ups_of in upstream.values():
            if gone in ups_of:
                ups_of.discard(gone)
                ups_of |= ups
    return upstream


def dagster_upstream(graph: dict | None) -> dict[str, set[str]]:
    if graph is None:
        return {}
    task_of = {json.dumps(k): tid for tid, keys in graph["tasks"].items() for k in keys}
    upstream: dict[str, set[str]] = {tid: set() for tid in graph["tasks"]}
    # A quality task that became an asset check follows the asset it checks; a blocking check stands between
    # that asset and the assets after it, as the task stood between them in Airflow.
    checks = graph.get("checks") or {}
    blocking: dict[str, set[str]] = {}
    for tid, check in checks.items():
        asset = json.dumps(check["asset"])
        if asset in task_of:
            upstream[tid].add(task_of[asset])
        if check["blocking"]:
            blocking.setdefault(asset, set()).add(tid)
    # A sensor task that became a Dagster sensor starts the runs the tasks after it run in: it stands before them.
    for tid, sensor in (graph.get("sensors") or {}).items():
        for after in sensor["downstream"]:
            upstream.setdefault(after, set()).add(tid)
    for key, deps in graph["deps"].items():
        me = task_of[key]
        for dep in deps:
            other = task_of.get(json.dumps(dep))
            if other is not None and other != me:  # other DAGs and dbt's own lineage are not Airflow edges
                upstream[me].add(other)
                upstream[me] |= blocking.get(json.dumps(dep), set())
    return upstream


GATE = Gate(3, "structure", check, proves="validated", failure_lines=failure_lines)
