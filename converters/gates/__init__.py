"""The gate ladder: per task, cheapest first, each gate with stored evidence (see docs/gates.md).

1. planned: the scan and the rules gave it a disposition other than NONE;
2. lint and load: its generated module passes ``ruff check`` and the code location loads
   (``dagster definitions validate``);
3. structure: its upstream tasks in the generated asset graph equal its upstream tasks in Airflow's own DagBag
   (pass-through tasks bridged, a cosmos group's tasks folded into the group);
4. materializes: its assets materialize in a real Dagster run for the date (or are skipped where Airflow
   skipped the task, a branch not taken);
5. data parity: every warehouse table it writes holds, for the date, the rows the Airflow run wrote (row count
   and order-independent checksum; the first differing rows when not); n/a when it writes no table;
6. idempotent: running it again for the same partition leaves those tables identical.

A task's ladder stops at its first failing gate (the later ones are ``skipped``). Results go to the ledger.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from converters.codegen import LINT_RULES, RUFF_ARGS
from converters.gates.graph import read_graph
from converters.gates.runner import run_dag
from converters.gates.tables import Warehouse, differences
from converters.ledger import ledger
from converters.plan import Plan, PlannedDag
from converters.rules.base import NONE

CONFIG = "gates.json"


class GatesError(RuntimeError):
    """The gates cannot run (no configuration, no DagBag); the message says what to provide."""


@dataclass
class GateResult:
    dag_id: str
    task_id: str
    gate: int
    status: str  # pass | fail | n/a | skipped
    evidence: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return ledger.GATES[self.gate]

    def entry(self) -> dict:
        return {"kind": "gate", "name": self.name, **asdict(self)}


@dataclass
class GatesReport:
    date: str
    results: list[GateResult]

    def for_task(self, dag_id: str, task_id: str) -> list[GateResult]:
        return [r for r in self.results if r.dag_id == dag_id and r.task_id == task_id]

    @property
    def failed(self) -> list[GateResult]:
        return [r for r in self.results if r.status == "fail"]


@dataclass
class AirflowSide:
    """What the gates know of the Airflow run for the date: its warehouse and, when reachable, its tasks."""

    data_dir: Path | None
    version: int
    task_states: Callable[[str], dict[str, str] | None] = lambda dag_id: None
    conf: Callable[[str], dict | None] = lambda dag_id: None
    finished: Callable[[str], list[str]] = lambda date: []  # DAG ids in the order their runs for date ended


def load_config(project: Path) -> dict:
    file = project / "migration" / CONFIG
    if not file.exists():
        raise GatesError(
            f"{file} is missing: it says where each side's warehouse is and which environment the Dagster runs "
            "get (see docs/gates.md)"
        )
    return json.loads(file.read_text(encoding="utf-8"))


def _expand(value: str, places: dict[str, str]) -> str:
    for name, path in places.items():
        value = value.replace("{" + name + "}", path)
    return value


def _evidence(command: list[str], started: str, result: subprocess.CompletedProcess, **figures) -> dict:
    output = (result.stdout or "") + (result.stderr or "")
    return {
        "command": " ".join(command),
        "started": started,
        "ended": ledger.now(),
        "exit": result.returncode,
        "output_sha256": hashlib.sha256(output.encode()).hexdigest(),
        "output_tail": output[-1500:] if result.returncode else "",
        **figures,
    }


def _run(command: list[str], cwd: Path, env: dict | None = None) -> tuple[str, subprocess.CompletedProcess]:
    started = ledger.now()
    process_env = {k: v for k, v in os.environ.items() if k != "AIRFLOW_URL"} | (env or {})
    done = subprocess.run(command, cwd=cwd, env=process_env, capture_output=True, text=True, timeout=900, check=False)
    return started, done


def run_gates(
    project: Path,
    plan: Plan,
    dag_ids: list[str],
    *,
    date: str,
    airflow: AirflowSide,
    task_id: str | None = None,
    scratch: Path,
    on_event: Callable[[str], None] = lambda message: None,
) -> GatesReport:
    """Run the ladder for the tasks of ``dag_ids`` (one task with ``task_id``); results also go to the ledger."""
    dags_folder = project / "airflow_dags"
    package = project / "dagster_defs"
    selected = [d for d in plan.dags if d.dag.dag_id in dag_ids]
    results: dict[tuple[str, str], list[GateResult]] = {}

    def tasks_of(planned: PlannedDag):
        return [t for t in planned.tasks if not t.passthrough and (task_id is None or t.task.task_id == task_id)]

    def blocked(dag_id: str, tid: str) -> bool:
        return any(r.status == "fail" or r.status == "skipped" for r in results.get((dag_id, tid), []))

    def record(result: GateResult) -> None:
        key = (result.dag_id, result.task_id)
        if blocked(*key) and result.status != "skipped":
            result = GateResult(result.dag_id, result.task_id, result.gate, "skipped", {"after": "a failed gate"})
        results.setdefault(key, []).append(result)

    config = load_config(project)
    data = scratch / date
    places = {"project": str(project), "dagster_data": str(data), "airflow_data": str(airflow.data_dir or data)}
    # The environment every Dagster-side process gets: loading the location (dbt's manifest reads it too),
    # reading the graph, running the assets.
    env = {k: _expand(v, places) for k, v in config.get("dagster_env", {}).items()}
    env["AIRFLOW_MAJOR_VERSION"] = str(airflow.version)

    # 1. planned
    for planned in selected:
        for task in tasks_of(planned):
            status = "fail" if task.disposition == NONE else "pass"
            record(
                GateResult(
                    planned.dag.dag_id,
                    task.task.task_id,
                    1,
                    status,
                    {"rule": task.rule, "disposition": task.disposition, "reason": task.reason},
                )
            )
    on_event("gate 1 (planned) done")

    # 2. ruff on each module, the whole location loads
    ruff = str(Path(sys.executable).with_name("ruff"))
    dagster = str(Path(sys.executable).with_name("dagster"))
    validate_cmd = [dagster, "definitions", "validate", "-m", f"{package.name}.definitions"]
    started, validated = _run(validate_cmd, project, env)
    validate_evidence = _evidence(validate_cmd, started, validated)
    for planned in selected:
        module_file = package / "dags" / f"{planned.module}.py"
        lint_cmd = [ruff, "check", "--no-cache", "--isolated", *RUFF_ARGS, "--select", LINT_RULES]
        lint_cmd.append(str(module_file.relative_to(project)))  # the rules the generator holds its output to
        started, linted = _run(lint_cmd, project)
        ok = module_file.exists() and linted.returncode == 0 and validated.returncode == 0
        evidence = {"ruff": _evidence(lint_cmd, started, linted), "validate": validate_evidence}
        for task in tasks_of(planned):
            record(GateResult(planned.dag.dag_id, task.task.task_id, 2, "pass" if ok else "fail", evidence))
    on_event("gate 2 (lint and load) done")

    # 3. structure against Airflow's own DagBag
    from converters.dagbag.reconcile import DagBagError, load_dagbag

    graph = read_graph(package, env)
    parse_env = {k: _expand(v, places) for k, v in config.get("airflow_parse_env", {}).items()}
    try:
        bag = load_dagbag(dags_folder, airflow.version, extra_env=parse_env)
    except DagBagError as exc:
        raise GatesError(f"Airflow's DagBag could not be loaded for gate 3: {exc}") from exc
    bag_dags = {d["dag_id"]: d for d in bag["dags"]}
    for planned in selected:
        dag_id = planned.dag.dag_id
        airflow_up = _airflow_upstream(planned, bag_dags.get(dag_id))
        dagster_up = _dagster_upstream(graph.get(dag_id))
        for task in tasks_of(planned):
            tid = task.task.task_id
            if airflow_up is None:
                record(
                    GateResult(
                        dag_id, tid, 3, "fail", {"airflow": f"{dag_id} is not in Airflow {airflow.version}'s DagBag"}
                    )
                )
                continue
            a, d = sorted(airflow_up.get(tid, set())), sorted(dagster_up.get(tid, set()))
            evidence = {"airflow_upstream": a, "dagster_upstream": d, "airflow_version": bag["airflow_version"]}
            record(GateResult(dag_id, tid, 3, "pass" if a == d else "fail", evidence))
    on_event("gate 3 (structure) done")

    # 4-6. real Dagster runs, warehouse fingerprints, parity with the Airflow run
    shutil.rmtree(data, ignore_errors=True)  # the Dagster side starts empty: nothing it did not write itself
    dagster_wh = Path(_expand(config["dagster_warehouse"], places))
    date_column = config.get("date_column", "ds")
    paths = [str(data)] + ([str(airflow.data_dir)] if airflow.data_dir else [])
    dagster_side = Warehouse(dagster_wh, date, date_column, paths)
    airflow_side = (
        Warehouse(Path(_expand(config["airflow_warehouse"], places)), date, date_column, paths)
        if airflow.data_dir
        else None
    )
    for dag_id in _run_order(graph, [d.dag.dag_id for d in selected], airflow.finished(date)):
        if dag_id not in graph:
            continue
        on_event(f"running {dag_id}'s assets in Dagster for {date}")
        conf = airflow.conf(dag_id)
        tags = {"airflow/conf": json.dumps(conf)} if conf else {}
        outcome = run_dag(
            package,
            graph[dag_id]["module"],
            dagster_home=data / "dagster_home",
            env=env,
            date=date,
            keys=graph[dag_id]["order"],
            warehouse=dagster_wh,
            paths=paths,
            date_column=date_column,
            tags=tags,
        )
        planned = next((d for d in selected if d.dag.dag_id == dag_id), None)
        if planned is None:
            continue  # an upstream DAG run for its data only
        states = airflow.task_states(dag_id)
        by_key = {json.dumps(a["key"]): a for a in outcome["assets"]}
        for task in tasks_of(planned):
            tid = task.task.task_id
            keys = [json.dumps(k) for k in graph[dag_id]["tasks"].get(tid, [])]
            runs = [by_key[k] for k in keys if k in by_key]
            _gate4(record, dag_id, tid, runs, outcome["error"], states)
            tables = sorted({t for r in runs for t in r.get("tables", [])})
            if airflow_side is None:
                record(GateResult(dag_id, tid, 5, "fail", {"airflow": "no Airflow run to compare with (runtime down)"}))
            elif not tables:
                record(GateResult(dag_id, tid, 5, "n/a", {"tables": [], "why": "writes no warehouse table"}))
            else:
                reports = [differences(airflow_side, dagster_side, t) for t in tables]
                status = "pass" if all(r["match"] for r in reports) else "fail"
                record(GateResult(dag_id, tid, 5, status, {"date": date, "tables": reports}))
            changed = sorted({t for r in runs for t in r.get("second", {}).get("changed", [])})
            again_ok = all(r.get("second", {}).get("success") for r in runs if r["success"])
            status = "pass" if again_ok and not changed else "fail"
            if not runs or not any(r["success"] for r in runs):
                status = "n/a" if _skipped_in_airflow(states, tid) else "fail"
            record(GateResult(dag_id, tid, 6, status, {"changed_on_second_run": changed, "second_runs_ok": again_ok}))
    on_event("gates 4-6 done")

    report = GatesReport(date, [r for rs in results.values() for r in rs])
    ledger.append(project / "airflow_dags", [r.entry() | {"date": date} for r in report.results])
    return report


def _skipped_in_airflow(states: dict[str, str] | None, task_id: str) -> bool:
    return bool(states) and states.get(task_id) == "skipped"


def _gate4(record, dag_id: str, task_id: str, runs: list[dict], error: str, states: dict[str, str] | None) -> None:
    if not runs:
        record(GateResult(dag_id, task_id, 4, "fail", {"error": error or "no executable asset for this task"}))
        return
    evidence = {
        "runs": [
            {k: r.get(k) for k in ("key", "run_id", "partition", "success", "materialized", "seconds", "error")}
            for r in runs
        ]
    }
    materialized = all(r["success"] and r["materialized"] for r in runs)
    if materialized:
        record(GateResult(dag_id, task_id, 4, "pass", evidence))
    elif all(r["success"] for r in runs) and _skipped_in_airflow(states, task_id):
        record(GateResult(dag_id, task_id, 4, "pass", evidence | {"skipped": "skipped on both sides, as in Airflow"}))
    else:
        record(GateResult(dag_id, task_id, 4, "fail", evidence))


def _airflow_upstream(planned: PlannedDag, bag_dag: dict | None) -> dict[str, set[str]] | None:
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


def _dagster_upstream(graph: dict | None) -> dict[str, set[str]]:
    if graph is None:
        return {}
    task_of = {json.dumps(k): tid for tid, keys in graph["tasks"].items() for k in keys}
    upstream: dict[str, set[str]] = {tid: set() for tid in graph["tasks"]}
    for key, deps in graph["deps"].items():
        me = task_of[key]
        for dep in deps:
            other = task_of.get(json.dumps(dep))
            if other is not None and other != me:  # other DAGs and dbt's own lineage are not Airflow edges
                upstream[me].add(other)
    return upstream


def _run_order(graph: dict, dag_ids: list[str], finished: list[str] | None = None) -> list[str]:
    """``dag_ids`` and every DAG they read from, upstream first; among the rest, in the order Airflow's runs
    for the date finished (a sensor waiting for another DAG's data ran after it there), then by id."""
    rank = {dag: n for n, dag in enumerate(finished or [])}
    owner = {json.dumps(k): dag for dag, g in graph.items() for keys in g["tasks"].values() for k in keys}
    needs: dict[str, set[str]] = {}
    for dag, g in graph.items():
        needs[dag] = {owner[json.dumps(d)] for deps in g["deps"].values() for d in deps if json.dumps(d) in owner} - {
            dag
        }
    wanted: set[str] = set()
    stack = list(dag_ids)
    while stack:
        dag = stack.pop()
        if dag in wanted:
            continue
        wanted.add(dag)
        stack.extend(needs.get(dag, ()))
    order: list[str] = []
    while len(order) < len(wanted):
        ready = [d for d in wanted - set(order) if needs.get(d, set()) & wanted <= set(order)]
        ready = sorted(ready or wanted - set(order), key=lambda d: (rank.get(d, len(rank)), d))
        order.append(ready[0])
    return order


def airflow_side(project: Path, version: int) -> tuple[AirflowSide, object | None]:
    """The Airflow side from the runtime's state: its data folder and, when it runs, its API."""
    from converters.runtime import side_by_side

    state = side_by_side.load_state(project)
    if state is None:
        return AirflowSide(None, version), None
    running = all(state.alive().values())
    side = AirflowSide(Path(state.data_dir), state.airflow_version)
    if not running:
        return side, None
    client = state.airflow()
    runs_cache: dict[str, dict | None] = {}

    def run_for(dag_id: str, date: str) -> dict | None:
        if dag_id not in runs_cache:
            runs = [
                r
                for r in client.dag_runs(dag_id)
                if (r.get("logical_date") or r.get("execution_date") or "").startswith(date) and r["state"] == "success"
            ]
            runs_cache[dag_id] = max(runs, key=lambda r: r.get("end_date") or "") if runs else None
        return runs_cache[dag_id]

    return side, (client, run_for)


def bind_date(side: AirflowSide, api, date: str) -> AirflowSide:
    """The Airflow side's task states and conf for ``date`` (the successful run of that logical date)."""
    if api is None:
        return side
    client, run_for = api

    def task_states(dag_id: str) -> dict[str, str] | None:
        run = run_for(dag_id, date)
        if run is None:
            return None
        return {ti["task_id"]: ti.get("state") or "none" for ti in client.task_instances(dag_id, run["dag_run_id"])}

    def conf(dag_id: str) -> dict | None:
        run = run_for(dag_id, date)
        return (run or {}).get("conf") or None

    def finished(_: str) -> list[str]:
        dags = [d["dag_id"] for d in client.dags()]
        ends = {d: (run_for(d, date) or {}).get("end_date") for d in dags}
        return sorted((d for d in dags if ends[d]), key=lambda d: ends[d])

    return AirflowSide(side.data_dir, side.version, task_states, conf, finished)


def latest_airflow_date(api, dag_ids: list[str]) -> str | None:
    """The most recent logical date (``YYYY-MM-DD``) with a successful Airflow run among ``dag_ids``."""
    if api is None:
        return None
    client, _ = api
    latest = []
    for dag_id in dag_ids:
        dates = [
            (r.get("logical_date") or r.get("execution_date") or "")[:10]
            for r in client.dag_runs(dag_id)
            if r["state"] == "success"
        ]
        if any(dates):
            latest.append(max(dates))
    if not latest:
        return None
    return max(sorted(set(latest)), key=latest.count)  # the date most DAGs last ran for
