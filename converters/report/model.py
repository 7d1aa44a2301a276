"""What the report says, as plain data: read from the inventory, the plan and the ledger, never recomputed.

``build(dags_folder)`` returns one JSON-compatible dict with the six sections (inventory, dispositions,
go/no-go, waves, progress, graphs). The renderers (``render.py``) only lay it out; the numbers are decided here.

The recommendation, the wave order and the effort weights are documented in docs/playbook.md.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

from converters.airlift import proxied_state
from converters.flow import scan_and_plan
from converters.gates import registry
from converters.inventory import ir
from converters.inventory.project import inventory_json
from converters.ledger import ledger
from converters.ledger.tasks import task_state, where_it_runs
from converters.plan import Dep, Plan, PlannedDag, PlannedTask
from converters.rules.base import DISPOSITIONS, JUDG, LIFT, MECH, NONE, REDESIGN

from . import equivalences

# Effort per task to move, in person-days, by disposition (docs/playbook.md, "Estimating waves"): a MECH task is
# reviewed and gated, a JUDG task needs a decision written down, a LIFT task's Airflow environment (line,
# providers, connections) is checked and gated, a REDESIGN task is rebuilt. Each DAG in a wave adds the gates, the
# parity check and a rollback drill.
EFFORT_DAYS = {MECH: 0.25, JUDG: 1.0, LIFT: 0.5, REDESIGN: 3.0}
EFFORT_PER_DAG = 0.5
# LIFT ranks after JUDG and before REDESIGN: it runs the same operator, but on Airflow's library under Dagster.
RISK = {MECH: 1, JUDG: 2, LIFT: 3, REDESIGN: 4}
# How the report names LIFT wherever it counts it.
LIFT_MEANING = "runs in Dagster, depends on Airflow's library"

# The recommendation (docs/playbook.md, "Go / no-go"): the share of tasks without an equivalent (NONE) and of
# tasks to rebuild (REDESIGN) decide between migrate, migrate with conditions and stay.
STAY_ABOVE = 0.5  # NONE + REDESIGN above half of the tasks: the estate is not a conversion, it is a rewrite
CLEAN_NONE = 0.0
CLEAN_REDESIGN = 0.05


def build(dags_folder: Path, *, defs_folder: Path | None = None, project: ir.Project | None = None) -> dict:
    """The report's data for the DAG folder (its project folder holds ``migration/``)."""
    dags_folder = dags_folder.resolve()
    defs_folder = defs_folder or dags_folder.parent / "dagster_defs"
    scanned = scan_and_plan(dags_folder, project=project)
    project, plan = scanned.project, scanned.plan
    entries = ledger.read(dags_folder)
    tasks = _task_rows(dags_folder, defs_folder, plan, entries)
    waves = _waves(plan, tasks)
    return {
        "title": f"Airflow → Dagster migration report: {dags_folder.parent.name}/{dags_folder.name}",
        "dags_folder": str(dags_folder),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "inventory": _inventory(project, plan),
        "dispositions": _dispositions(project, plan, tasks),
        "go_no_go": _go_no_go(project, plan, tasks),
        "waves": waves,
        "progress": _progress(plan, tasks, entries),
        "graphs": _graphs(plan, tasks),
    }


# --- 1. Inventory --------------------------------------------------------------------------------------------


def _inventory(project: ir.Project, plan: Plan) -> dict:
    data = inventory_json(project)
    all_tasks = [t for d in data["dags"] for t in d["tasks"]]
    styles: Counter[str] = Counter()
    for file in project.files:
        styles.update(file.styles or ("none",))
    constructs: Counter[str] = Counter(c for d in data["dags"] for c in d["constructs"])
    classes: Counter[str] = Counter(operator_name(t) for f in project.files for d in f.dags for t in d.tasks)
    severities = Counter(d["severity"] for d in data["diagnostics"])
    return {
        "files": len(project.files),
        "files_with_dags": sum(1 for f in project.files if f.dags),
        "dags": len(data["dags"]),
        "dags_complete": sum(1 for d in data["dags"] if d["complete"]),
        "tasks": len(all_tasks),
        "families": dict(sorted(Counter(t["family"] or "other" for t in all_tasks).items(), key=_by_count)),
        "operators": dict(sorted(classes.items(), key=_by_count)),
        "styles": dict(sorted(styles.items())),
        "constructs": dict(sorted(constructs.items(), key=_by_count)),
        "diagnostics": data["diagnostics"],
        "diagnostics_by_severity": dict(severities),
        "attention": _attention(project),
        "dag_list": [
            {
                "dag_id": d["dag_id"],
                "file": d["file"],
                "line": d["line"],
                "schedule": d["schedule"],
                "tasks": len(d["tasks"]),
                "complete": d["complete"],
            }
            for d in data["dags"]
        ],
    }


def operator_name(task: ir.Task) -> str:
    """The class name, or the decorator for TaskFlow tasks (``@task``, ``@task.branch``)."""
    if task.taskflow:
        return "@" + task.operator.split("decorators.", 1)[-1].split("sdk.", 1)[-1]
    return task.operator.rsplit(".", 1)[-1]


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def _attention(project: ir.Project) -> list[dict]:
    """Files that need the DagBag (structure known only at runtime) or a person (errors, unparsable)."""
    why: dict[str, list[str]] = defaultdict(list)
    for file in project.files:
        for dag in file.dags:
            if not dag.complete:
                why[file.path].append(f"{dag.dag_id}: structure depends on runtime — `verify --dagbag`")
    for diagnostic in [d for f in project.files for d in f.diagnostics] + list(project.diagnostics):
        if diagnostic.severity in {"error", "warning"}:
            why[diagnostic.file].append(f"line {diagnostic.line}: {diagnostic.code} {diagnostic.message}")
    return [{"file": file, "why": reasons} for file, reasons in sorted(why.items())]


# --- 2. Dispositions -----------------------------------------------------------------------------------------


def _task_rows(dags_folder: Path, defs_folder: Path, plan: Plan, entries: list[dict]) -> list[dict]:
    """One row per task: what the plan decided and where the ledger and the proxied state say it is now."""
    gates = ledger.latest_gates(entries)
    rows = []
    for planned in plan.dags:
        current = proxied_state.read(dags_folder, planned.dag.dag_id)
        dag_proxied, proxied = proxied_state.dag_level(current), proxied_state.proxied_tasks(current)
        generated = (defs_folder / "dags" / f"{planned.module}.py").exists()
        for task in planned.tasks:
            results = gates.get((planned.dag.dag_id, task.task.task_id), {})
            runs_in = where_it_runs(planned, task, dag_proxied, proxied)
            rows.append(
                {
                    "dag_id": planned.dag.dag_id,
                    "task_id": task.task.task_id,
                    "file": task.task.source.file,
                    "line": task.task.source.line,
                    "operator": operator_name(task.task),
                    "family": task.task.family or "other",
                    "disposition": task.disposition,
                    "rule": task.rule,
                    "reason": task.reason,
                    "notes": list(task.translation.notes),
                    "passthrough": task.passthrough,
                    "asset_key": None if task.passthrough else "/".join(task.key),
                    "runs_in": runs_in,
                    "state": task_state(planned, task, runs_in, registry.gate_state(results, generated)),
                    "gates": {
                        str(n): {"status": r["status"], "at": r.get("at"), "evidence": registry.summary(r)}
                        for n, r in sorted(results.items())
                    },
                }
            )
    return rows


def _dispositions(project: ir.Project, plan: Plan, tasks: list[dict]) -> dict:
    counts = dict.fromkeys(DISPOSITIONS, 0)
    counts.update(Counter(t["disposition"] for t in tasks))
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)
    for task in tasks:
        by_rule[task["rule"]][task["disposition"]] += 1
    rows = equivalences.occurrences(d for f in project.files for d in f.dags)
    return {
        "counts": counts,
        "by_rule": {rule: dict(c) for rule, c in sorted(by_rule.items())},
        "tasks": tasks,
        "equivalences": [
            {
                "kind": row.kind,
                "airflow": row.airflow,
                "dagster": row.dagster,
                "difference": row.difference,
                "count": count,
                "unit": row.unit,
                "loss": row.loss,
            }
            for row, count in rows
        ],
    }


# --- 3. Go / no-go -------------------------------------------------------------------------------------------


def _go_no_go(project: ir.Project, plan: Plan, tasks: list[dict]) -> dict:
    total = len(tasks)
    counts = Counter(t["disposition"] for t in tasks)
    losses = []
    none_reasons: dict[str, list[str]] = defaultdict(list)
    for task in tasks:
        if task["disposition"] == NONE:
            none_reasons[f"{task['rule']}: {_reason_kind(task['reason'])}"].append(
                f"{task['dag_id']}.{task['task_id']}"
            )
    for what, where in sorted(none_reasons.items(), key=lambda item: (-len(item[1]), item[0])):
        losses.append(
            {
                "what": what,
                "count": len(where),
                "where": where,
                "answer": "stays in Airflow, observed by Dagster through airlift; its DAG is decommissioned only "
                "once it is redesigned or retired",
            }
        )
    for row, count in equivalences.occurrences(d for f in project.files for d in f.dags):
        if row.loss:
            losses.append({"what": f"{row.kind} ({row.airflow})", "count": count, "where": [], "answer": row.answer})
    incomplete = sum(1 for f in project.files for d in f.dags if not d.complete)
    errors = sum(
        1
        for d in [d for f in project.files for d in f.diagnostics] + list(project.diagnostics)
        if d.severity == "error"
    )
    share_none = counts[NONE] / total if total else 0.0
    share_redesign = counts[REDESIGN] / total if total else 0.0
    conditions = []
    if counts[NONE]:
        conditions.append(
            f"{counts[NONE]} tasks with no Dagster equivalent stay in Airflow (observed): Airflow runs until they are "
            "redesigned or retired"
        )
    if counts[REDESIGN]:
        conditions.append(f"{counts[REDESIGN]} tasks are rebuilt by hand (REDESIGN), in the last wave")
    if counts[JUDG]:
        conditions.append(f"{counts[JUDG]} tasks need a reviewed decision each (JUDG) before they are proxied")
    if counts[LIFT]:
        conditions.append(
            f"{counts[LIFT]} tasks run their own Airflow operator (LIFT: {LIFT_MEANING}): Dagster's side keeps an "
            "Airflow environment of the estate's line and providers until each is translated"
        )
    if incomplete:
        conditions.append(f"{incomplete} DAGs are only fully known from Airflow's DagBag: run `verify --dagbag` first")
    if errors:
        conditions.append(f"{errors} error diagnostics (files that do not parse or DAG ids reused) are fixed first")
    if not total:
        recommendation, why = "stay", "no tasks were found: there is nothing to migrate"
    elif share_none + share_redesign > STAY_ABOVE:
        recommendation = "stay"
        why = (
            f"{share_none + share_redesign:.0%} of the tasks have no equivalent or must be rebuilt "
            f"(more than {STAY_ABOVE:.0%}): a rewrite, not a migration"
        )
    elif (
        share_none <= CLEAN_NONE
        and share_redesign <= CLEAN_REDESIGN
        and not counts[LIFT]
        and not incomplete
        and not errors
    ):
        recommendation = "migrate"
        why = f"every task has an equivalent and at most {CLEAN_REDESIGN:.0%} need rebuilding"
    else:
        recommendation = "migrate with conditions"
        lifted = f", {counts[LIFT] / total:.0%} run in Dagster on Airflow's library (LIFT)" if counts[LIFT] else ""
        why = (
            f"{(counts[MECH] + counts[JUDG]) / total:.0%} of the tasks convert (MECH or JUDG){lifted}; "
            f"{share_none:.0%} stay in Airflow and {share_redesign:.0%} are rebuilt"
        )
    return {
        "recommendation": recommendation,
        "why": why,
        "conditions": conditions if recommendation != "migrate" else [],
        "losses": losses,
        "numbers": {
            "tasks": total,
            "none_share": round(share_none, 4),
            "redesign_share": round(share_redesign, 4),
            "lift_share": round(counts[LIFT] / total, 4) if total else 0.0,
            "incomplete_dags": incomplete,
            "error_diagnostics": errors,
        },
    }


def _reason_kind(reason: str) -> str:
    """The reason without its task-specific tail (what follows the first colon), to group alike losses."""
    return reason.split(":", 1)[0].strip()


# --- 4. Waves ------------------------------------------------------------------------------------------------


def _waves(plan: Plan, tasks: list[dict]) -> dict:
    """Wave of a task = max(its risk, the waves of every task it depends on, across DAGs too), with risk
    MECH 1, JUDG 2, LIFT 3, REDESIGN 4; a DAG proxied as a whole moves in the wave of its riskiest task. NONE tasks
    are in no wave: they stay in Airflow. Within a wave, tasks are listed upstream first."""
    row = {(t["dag_id"], t["task_id"]): t for t in tasks}
    by_key: dict[tuple[str, ...], tuple[str, str]] = {}
    for planned in plan.dags:
        for task in planned.tasks:
            if not task.passthrough:
                by_key[task.key] = (planned.dag.dag_id, task.task.task_id)
    movable = {
        (p.dag.dag_id, t.task.task_id): (p, t)
        for p in plan.dags
        for t in p.tasks
        if t.has_asset and not p.decommissioned
    }
    upstream: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for ident, (planned, task) in movable.items():
        parents = [by_key[key] for _, _, key in task.inputs if by_key.get(key) in movable]
        for dep in task.deps:
            if dep.kind == "key" and by_key.get(dep.value) in movable:
                parents.append(by_key[dep.value])
            elif dep.kind == "dbt":
                parents.extend(
                    (planned.dag.dag_id, t.task.task_id)
                    for t in planned.tasks
                    if t.function == dep.value[0] and (planned.dag.dag_id, t.task.task_id) in movable
                )
        upstream[ident] = [p for p in parents if p != ident]
    wave: dict[tuple[str, str], int] = {}
    order: list[tuple[str, str]] = []

    def visit(ident: tuple[str, str], path: frozenset) -> int:
        if ident in wave:
            return wave[ident]
        planned, task = movable[ident]
        level = RISK[task.disposition]
        if planned.proxy_level == "dag":
            level = max(RISK.get(t.disposition, 1) for t in planned.tasks if t.disposition != NONE)
        for parent in upstream[ident]:
            if parent not in path:  # a cycle in the estate is reported by the scan; the wave ignores it
                level = max(level, visit(parent, path | {ident}))
        wave[ident] = level
        order.append(ident)
        return level

    for ident in movable:
        visit(ident, frozenset())
    waves = []
    for number in sorted(set(wave.values())):
        members = [i for i in order if wave[i] == number]
        dags = sorted({d for d, _ in members})
        effort = sum(EFFORT_DAYS[movable[i][1].disposition] for i in members) + EFFORT_PER_DAG * len(dags)
        waves.append(
            {
                "wave": number,
                "tasks": [
                    {
                        "dag_id": d,
                        "task_id": t,
                        "disposition": row[(d, t)]["disposition"],
                        "state": row[(d, t)]["state"],
                    }
                    for d, t in members
                ],
                "dags": dags,
                "dispositions": dict(Counter(movable[i][1].disposition for i in members)),
                "effort_days": round(effort, 2),
            }
        )
    staying = [
        {"dag_id": t["dag_id"], "task_id": t["task_id"], "reason": t["reason"]}
        for t in tasks
        if t["disposition"] == NONE
    ]
    return {
        "waves": waves,
        "staying": staying,
        "effort_days": round(sum(w["effort_days"] for w in waves), 2),
        "weights": {"per_task": EFFORT_DAYS, "per_dag": EFFORT_PER_DAG},
    }


def wave_of(report: dict, number: int) -> list[tuple[str, str]]:
    """(dag_id, task_id) of the tasks in one wave (empty when there is no such wave)."""
    for wave in report["waves"]["waves"]:
        if wave["wave"] == number:
            return [(t["dag_id"], t["task_id"]) for t in wave["tasks"]]
    return []


# --- 5. Progress ---------------------------------------------------------------------------------------------


def _progress(plan: Plan, tasks: list[dict], entries: list[dict]) -> dict:
    movable = {(p.dag.dag_id, t.task.task_id) for p in plan.dags for t in p.tasks if t.has_asset}
    states = Counter(t["state"] if not t["state"].startswith("deferred") else "deferred (NONE)" for t in tasks)
    in_dagster: set[tuple[str, str]] = set()
    burndown = [{"at": entries[0]["at"] if entries else None, "remaining": len(movable), "event": "start"}]
    for entry in entries:
        if entry.get("kind") != "state":
            continue
        ident = (entry["dag_id"], entry.get("task_id"))
        if ident not in movable:
            continue
        if entry["state"] in {"proxied", "decommissioned", "modernized"}:
            in_dagster.add(ident)
        elif entry["state"] == "rolled back":
            in_dagster.discard(ident)
        burndown.append(
            {
                "at": entry["at"],
                "remaining": len(movable - in_dagster),
                "event": f"{entry['state']} {entry['dag_id']}.{entry['task_id']}",
            }
        )
    gate_results = Counter(e["status"] for e in ledger.latest_gates(entries).values() for e in e.values())
    forced = [e for e in entries if e.get("kind") == "state" and e.get("forced")]
    return {
        "states": dict(states),
        "movable": len(movable),
        "proxied": sum(1 for t in tasks if t["runs_in"] == "Dagster (proxied)"),
        "decommissioned_dags": sum(1 for d in plan.dags if d.decommissioned),
        "modernized_dags": sorted(d.dag.dag_id for d in plan.dags if d.modernized),
        "modernize": _modernize_evidence(entries),
        "in_airflow": len(movable)
        - sum(1 for t in tasks if t["runs_in"].startswith("Dagster") and not t["passthrough"]),
        "gate_results": dict(gate_results),
        "gated_tasks": sum(1 for t in tasks if t["gates"]),
        "forced": [
            {
                "dag_id": e["dag_id"],
                "task_id": e.get("task_id"),
                "by": e.get("by"),
                "at": e["at"],
                "reason": e.get("reason"),
            }
            for e in forced
        ],
        "burndown": burndown,
        "ledger_entries": len(entries),
    }


def _modernize_evidence(entries: list[dict]) -> list[dict]:
    """The latest `modernize` of each DAG: its date, quality tasks now asset checks, tasks kept faithful, and
    whether every table held the same rows and checksum after the rewrite."""
    latest = {e["dag_id"]: e for e in entries if e.get("kind") == "modernize"}
    return [
        {
            "dag_id": dag_id,
            "at": e["at"],
            "date": e.get("date"),
            "checks": e.get("checks", []),
            "faithful": e.get("faithful", {}),
            "same": e.get("same", False),
            "reverted": e.get("reverted", False),
            "tables": e.get("tables", {}),
        }
        for dag_id, e in sorted(latest.items())
    ]


# --- 6. Graphs -----------------------------------------------------------------------------------------------


def _graphs(plan: Plan, tasks: list[dict]) -> list[dict]:
    """Per DAG: Airflow's task graph (by disposition) and the asset graph it became (by state)."""
    row = {(t["dag_id"], t["task_id"]): t for t in tasks}
    key_owner = {t.key: (p, t) for p in plan.dags for t in p.tasks if not t.passthrough}
    graphs = []
    for planned in plan.dags:
        dag_id = planned.dag.dag_id
        airflow_nodes = [
            {"id": t.task.task_id, "label": t.task.task_id, "kind": row[(dag_id, t.task.task_id)]["disposition"]}
            for t in planned.tasks
        ]
        ids = {n["id"] for n in airflow_nodes}
        airflow_edges = sorted(
            {(e.upstream, e.downstream) for e in planned.dag.edges if {e.upstream, e.downstream} <= ids}
        )
        asset_nodes, asset_edges = _asset_graph(planned, row, key_owner)
        graphs.append(
            {
                "dag_id": dag_id,
                "module": planned.module,  # unique even when a DAG id is reused across files
                "airflow": {"nodes": airflow_nodes, "edges": [list(e) for e in airflow_edges]},
                "dagster": {"nodes": asset_nodes, "edges": [list(e) for e in asset_edges]},
            }
        )
    return graphs


def _asset_graph(
    planned: PlannedDag, row: dict, key_owner: dict[tuple[str, ...], tuple[PlannedDag, PlannedTask]]
) -> tuple[list[dict], set[tuple[str, str]]]:
    dag_id = planned.dag.dag_id
    nodes: dict[str, dict] = {}
    edges: set[tuple[str, str]] = set()
    for task in planned.tasks:
        if task.passthrough:
            continue
        name = "/".join(task.key)
        if task.translation.dbt:
            label = f"{task.task.task_id} (dbt models)"
        elif task.disposition == NONE:
            label = f"{task.task.task_id} (observed only)"
        else:
            label = task.key[-1]
        nodes[name] = {"id": name, "label": label, "kind": row[(dag_id, task.task.task_id)]["state"], "external": False}
        for dep in [*task.deps, *(Dep("key", key) for _, _, key in task.inputs)]:
            if dep.kind == "key":
                parent = "/".join(dep.value)
                if dep.value not in {t.key for t in planned.tasks} and parent not in nodes:
                    owner = key_owner.get(dep.value)
                    nodes[parent] = {
                        "id": parent,
                        "label": parent,
                        "kind": row[(owner[0].dag.dag_id, owner[1].task.task_id)]["state"] if owner else "external",
                        "external": True,
                    }
                edges.add((parent, name))
            elif dep.kind == "dbt":
                for other in planned.tasks:
                    if other.function == dep.value[0]:
                        edges.add(("/".join(other.key), name))
    return list(nodes.values()), edges
