"""`proxy`, `rollback`, `decommission`: moving a DAG's tasks from Airflow to Dagster one step at a time.

Each step changes two things in the DAGs folder, under one lock: the DAG's ``proxied_state/<dag_id>.yaml``
(airlift's format, checked by airlift's loader) and the DAG file's proxy block (added with the first proxied
task, removed with the last, restoring the file byte for byte). When the side-by-side runtime is up, the
step waits until Airflow has parsed the change, so the next run already uses it.
"""

from __future__ import annotations

import difflib
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from converters import plan as plan_module
from converters.airlift import proxied_state
from converters.codemods.proxy_block import Proxied, has_block, proxy_edit, remove_block
from converters.files import write_atomic
from converters.flow import load_plan, scan_and_plan
from converters.gates import registry
from converters.ledger import ledger
from converters.ledger import state as migration_state
from converters.plan import Plan, PlannedDag
from converters.plan.lift import Lifting
from converters.rules.base import LIFT, NONE
from converters.runtime.airflow_api import AirflowClient
from converters.runtime.errors import PreflightError
from converters.runtime.preflight import require_dag, require_in_airflow

if TYPE_CHECKING:
    from converters.runtime.side_by_side import RuntimeState

# Operator classes of a proxied task: the proxy block's own, or airlift's default.
PROXY_TASK_OPERATORS = ("_A2dTaskProxy", "ProxyTaskToDagsterOperator")
DAG_OVERRIDE_TASK = "DAGSTER_OVERRIDE_DAG_{dag_id}"


class MigrationError(PreflightError):
    """The step was refused (unknown DAG/task, NONE disposition, unsupported layout…); nothing was changed."""


@dataclass
class Change:
    dag_id: str
    level: str  # "task" or "dag"
    proxied: list[str]  # task ids now proxied (["*"] when the whole DAG is)
    file: str  # the DAG file, relative to the DAGs folder
    block: str = "unchanged"  # "added", "removed" or "unchanged"
    notes: list[str] = field(default_factory=list)
    verb: str = "proxy"  # or "rollback": which way the tasks moved (``take_effect`` orders the servers by it)


def find_dag(plan: Plan, dag_id: str) -> PlannedDag:
    try:
        return require_dag(plan, dag_id)
    except PreflightError as exc:
        raise MigrationError(str(exc)) from exc


def proxy(
    dags_folder: Path,
    dag_id: str,
    task_ids: list[str],
    all_tasks: bool,
    *,
    force: bool = False,
    reason: str | None = None,
) -> Change:
    """Hand tasks (or, for DAGs airlift can only proxy whole, the DAG) over to Dagster.

    Every task handed over needs the registry's required gates passed (or n/a) in the ledger, and no task left in
    Airflow may read its XCom; ``force`` proceeds without them and the ledger records who, when and ``reason``."""
    if force and not (reason or "").strip():
        raise MigrationError("--force needs --reason: the ledger records why the gates were skipped")
    plan = load_plan(dags_folder)
    planned = find_dag(plan, dag_id)
    if planned.decommissioned:
        raise MigrationError(f"{dag_id} is decommissioned: Dagster already runs it on its own")
    if not task_ids and not all_tasks:
        raise MigrationError("name the tasks to proxy, or --all for every task that has a Dagster asset")
    wanted = _tasks_to_proxy(planned, task_ids)
    handed_over = wanted or [t.task.task_id for t in planned.tasks if t.has_asset]
    stranded = _xcom_readers_left(dags_folder, planned, wanted) if planned.proxy_level == "task" else {}
    if stranded and not force:
        raise XComReadersLeft(
            "refused: a proxied task pushes no XCom in Airflow, and tasks reading its value would still run there\n"
            + "\n".join(f"  {dag_id}.{task}: {'; '.join(why)}" for task, why in stranded.items())
            + "\nor --force --reason '...' (recorded in the ledger)"
        )
    missing = _missing_gates(dags_folder, dag_id, handed_over)
    if missing and not force:
        raise GatesMissing(
            "refused: the gates have not passed for\n"
            + "\n".join(f"  {dag_id}.{task}: {'; '.join(why)}" for task, why in missing.items())
            + f"\nrun `airflow-to-dagster gates {dag_id}`, or --force --reason '...' (recorded in the ledger)"
        )
    forced = {"missing": missing, "stranded": stranded, "reason": reason if missing or stranded else None}
    return _hand_over(dags_folder, planned, wanted, handed_over, forced)


def _tasks_to_proxy(planned: PlannedDag, task_ids: list[str]) -> list[str]:
    """The task ids to flip (empty for a DAG proxied whole); refuses ids that cannot move."""
    dag_id = planned.dag.dag_id
    if planned.proxy_level == "dag":
        if task_ids:
            raise MigrationError(
                f"{dag_id} has mapped tasks or a dbt group, which airlift cannot proxy one by one: "
                f"proxy the whole DAG with `proxy {dag_id} --all`"
            )
        staying = [t.task.task_id for t in planned.tasks if t.disposition == NONE]
        if staying:
            raise MigrationError(
                f"{dag_id} can only be proxied as a whole, and these tasks have no Dagster equivalent "
                f"(disposition NONE): {', '.join(staying)}; they must stay in Airflow"
            )
        return []
    by_id = {t.task.task_id: t for t in planned.tasks}
    wanted = task_ids or [t.task.task_id for t in planned.tasks if t.has_asset]
    for task_id in wanted:
        task = by_id.get(task_id)
        if task is None:
            close = difflib.get_close_matches(task_id, list(by_id), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise MigrationError(f"{dag_id} has no task {task_id!r}{hint}")
        if task.disposition == NONE:
            raise MigrationError(
                f"{dag_id}.{task_id} has disposition NONE ({task.reason}): it has no Dagster equivalent and "
                "stays in Airflow"
            )
        if task.passthrough:
            raise MigrationError(
                f"{dag_id}.{task_id} became no asset ({task.reason}): there is nothing to run in Dagster; "
                "it keeps running in Airflow"
            )
    if not wanted:
        raise MigrationError(f"{dag_id} has no task with a Dagster asset to proxy")
    return wanted


def _hand_over(
    dags_folder: Path, planned: PlannedDag, wanted: list[str], handed_over: list[str], forced: dict
) -> Change:
    """Write the proxied state, the proxy block and the ledger entries, all under the state lock."""
    dag_id = planned.dag.dag_id
    change = Change(dag_id, planned.proxy_level, [], planned.dag.source.file)
    missing, stranded = forced["missing"], forced["stranded"]
    with proxied_state.lock(dags_folder):
        edited = _with_block(dags_folder, planned)  # refuses before anything is written
        previous = proxied_state.read(dags_folder, dag_id)
        if planned.proxy_level == "task":
            order = [t.task.task_id for t in planned.tasks]
            proxied = proxied_state.proxied_tasks(previous) | set(wanted)
            change.proxied = sorted(proxied, key=lambda t: order.index(t) if t in order else len(order))
            new_state: dict | None = proxied_state.task_state(dict.fromkeys(change.proxied, True))
        else:
            change.proxied = ["*"]
            new_state = {"proxied": True}
        proxied_state.write(dags_folder, dag_id, new_state)
        try:
            if edited is not None:
                write_atomic(_dag_file(dags_folder, planned), edited.text.encode("utf-8"))
                change.block = "added"
                change.notes.extend(edited.warnings)  # constructs the codemod skipped, for the CLI to show
            else:
                touch(_dag_file(dags_folder, planned))
        except BaseException:
            proxied_state.write(dags_folder, dag_id, previous)  # all or nothing
            raise
        # Under the same lock as the state change: a concurrent rollback's entry cannot land before this one
        # while its state change came after (the ledger's last word per task is always the state file's).
        ledger.append(
            dags_folder,
            [
                _state(dag_id, task, "proxied")
                | {"forced": bool(missing or stranded), "reason": forced["reason"]}
                | {"missing_gates": missing.get(task, [])}
                | ({"xcom_readers_left": stranded[task]} if task in stranded else {})
                for task in handed_over
            ],
        )
    return change


class GatesMissing(MigrationError):
    """`proxy` refused because required gates have not passed (the message names them)."""


class XComReadersLeft(MigrationError):
    """`proxy` refused because tasks reading a handed-over task's XCom would still run in Airflow."""


def _xcom_readers_left(dags_folder: Path, planned: PlannedDag, wanted: list[str]) -> dict[str, list[str]]:
    """Per task handed over, its XCom readers that would still run in Airflow after this step (a proxied task
    pushes no XCom there): NONE readers stay for good; others must be handed over in the same step."""
    by_id = {t.task.task_id: t for t in planned.tasks}
    moved = proxied_state.proxied_tasks(proxied_state.read(dags_folder, planned.dag.dag_id)) | set(wanted)
    left: dict[str, list[str]] = {}
    for task_id in wanted:
        for reader in by_id[task_id].xcom_readers:
            if reader in moved or by_id[reader].passthrough:
                continue
            if by_id[reader].disposition == NONE:
                why = f"its XCom is read by {reader}, which stays in Airflow (disposition NONE)"
            else:
                why = f"its XCom is read by {reader}, still in Airflow: proxy them together ({task_id} {reader})"
            left.setdefault(task_id, []).append(why)
    return left


def _missing_gates(dags_folder: Path, dag_id: str, task_ids: list[str]) -> dict[str, list[str]]:
    latest = ledger.latest_gates(ledger.read(dags_folder))
    missing = {}
    for task in task_ids:
        why = registry.missing_gates(latest.get((dag_id, task), {}), registry.REQUIRED)  # n/a passes
        if why:
            missing[task] = why
    return missing


def rollback(dags_folder: Path, dag_id: str, task_ids: list[str], all_tasks: bool) -> Change:
    """Give tasks back to Airflow; with the last one, the DAG file gets its original bytes back."""
    plan = load_plan(dags_folder)
    planned = find_dag(plan, dag_id)
    if not task_ids and not all_tasks:
        raise MigrationError("name the tasks to roll back, or --all")
    change = Change(dag_id, planned.proxy_level, [], planned.dag.source.file, verb="rollback")
    with proxied_state.lock(dags_folder):
        current = proxied_state.read(dags_folder, dag_id)
        if current is None:
            raise MigrationError(f"nothing of {dag_id} is proxied")
        proxied: list[str] = []
        if proxied_state.dag_level(current):
            if task_ids:
                raise MigrationError(f"{dag_id} is proxied as a whole: roll it back with `rollback {dag_id} --all`")
            new_state = None
        else:
            proxied = [t["id"] for t in current.get("tasks", []) if t.get("proxied")]
            unknown = [t for t in task_ids if t not in proxied]
            if unknown:
                raise MigrationError(f"not proxied in {dag_id}: {', '.join(unknown)} (proxied: {', '.join(proxied)})")
            change.proxied = [] if all_tasks else [t for t in proxied if t not in task_ids]
            by_id = {t.task.task_id: t for t in planned.tasks}
            readers = [  # back in Airflow, they would pull an XCom a proxied task no longer pushes
                f"{reader} reads the XCom of {producer}, which stays proxied"
                for producer in change.proxied
                if producer in by_id
                for reader in by_id[producer].xcom_readers
                if reader in task_ids
            ]
            if readers:
                raise MigrationError(
                    f"refused: {'; '.join(readers)}: roll them back together, or roll back the producer first"
                )
            new_state = proxied_state.task_state(dict.fromkeys(change.proxied, True))
        if new_state is None:
            change.block = _drop_block_if_unused(dags_folder, planned, leaving=dag_id)
        proxied_state.write(dags_folder, dag_id, new_state)
        touch(_dag_file(dags_folder, planned))
        whole = [t.task.task_id for t in planned.tasks if not t.passthrough]
        returned = whole if proxied_state.dag_level(current) else proxied
        ledger.append(  # under the lock, like proxy's entry
            dags_folder,
            [_state(dag_id, task, "rolled back") for task in returned if task not in change.proxied],
        )
    return change


def _dag_file(dags_folder: Path, planned: PlannedDag) -> Path:
    return dags_folder / planned.dag.source.file


def touch(file: Path) -> None:
    """Tell Airflow to parse ``file`` again now: both lines parse a DAG file whose mtime is newer than its last
    parse at once, an unchanged one only every few minutes (`side_by_side.PARSE_INTERVAL`). The proxied state is
    read by the file when it is parsed, so a change to the state alone needs this."""
    if file.is_file():
        os.utime(file)


def _with_block(dags_folder: Path, planned: PlannedDag) -> Proxied | None:
    """The DAG file with the proxy block added, None when it has it already; refuses unsupported files."""
    file = _dag_file(dags_folder, planned)
    if not file.is_file():
        raise MigrationError(f"{file} is gone since the scan")
    text = file.read_bytes().decode("utf-8")
    if has_block(text):
        return None
    return proxy_edit(text, depth=len(Path(planned.dag.source.file).parts) - 1, file=str(file))


def _drop_block_if_unused(dags_folder: Path, planned: PlannedDag, leaving: str) -> str:
    """Remove the file's proxy block unless another DAG of the same file is still proxied."""
    file = _dag_file(dags_folder, planned)
    text = file.read_bytes().decode("utf-8")
    if not has_block(text):
        return "unchanged"
    for other in planned.file.dags:
        if other.dag_id != leaving and proxied_state.read(dags_folder, other.dag_id):
            return "unchanged"
    write_atomic(file, remove_block(text, file=str(file)).encode("utf-8"))
    return "removed"


# -- decommission ----------------------------------------------------------------------------------------


@dataclass
class Decommission:
    dag_id: str
    paused_in_airflow: bool
    block: str
    regenerated: list[str]
    kept_hand_edited: list[str]
    dagster_reloaded: bool


def decommission(
    dags_folder: Path,
    dag_id: str,
    defs_out: Path,
    airflow: AirflowClient,
    reload_dagster: Callable[[], None] | None = None,
) -> Decommission:
    """Dagster takes over for good: the Airflow DAG paused, its proxying and airlift mapping dropped, the
    generated schedule/automation turned on (regenerated), Dagster reloaded."""
    from converters.convert import convert_project

    plan = load_plan(dags_folder)
    planned = find_dag(plan, dag_id)
    if planned.decommissioned:
        raise MigrationError(f"{dag_id} is decommissioned already: Dagster runs it on its own")
    staying = [t.task.task_id for t in planned.tasks if t.disposition == NONE]
    if staying:
        raise MigrationError(
            f"{dag_id} still has tasks with no Dagster equivalent (NONE): {', '.join(staying)}; "
            "redesign them before Airflow stops running the DAG"
        )
    in_airflow = not_proxied(dags_folder, planned)
    if in_airflow:
        raise MigrationError(
            f"{dag_id} still runs these tasks in Airflow: {', '.join(in_airflow)}; proxy them first "
            f"(`airflow-to-dagster proxy {dag_id} --all`) and decommission once their Dagster runs are stable"
        )
    require_in_airflow(planned, airflow)  # before the first change: pausing it
    airflow.set_paused(dag_id, True)
    with proxied_state.lock(dags_folder):
        block = _drop_block_if_unused(dags_folder, planned, leaving=dag_id)
        proxied_state.write(dags_folder, dag_id, None)
        touch(_dag_file(dags_folder, planned))
        migration_state.record_decommissioned(dags_folder, dag_id, {"file": planned.dag.source.file})
    ledger.append(
        dags_folder,
        [_state(dag_id, t.task.task_id, "decommissioned") for t in planned.tasks],
    )
    result = convert_project(dags_folder, defs_out)
    reloaded = False
    if reload_dagster is not None:
        reload_dagster()
        reloaded = True
    return Decommission(
        dag_id=dag_id,
        paused_in_airflow=True,
        block=block,
        regenerated=result.generated.written,
        kept_hand_edited=result.generated.kept,
        dagster_reloaded=reloaded,
    )


def not_proxied(dags_folder: Path, planned: PlannedDag) -> list[str]:
    """The DAG's tasks with a Dagster asset that Airflow still runs itself (none when the DAG is proxied whole)."""
    current = proxied_state.read(dags_folder, planned.dag.dag_id)
    if proxied_state.dag_level(current):
        return []
    proxied = proxied_state.proxied_tasks(current)
    return [t.task.task_id for t in planned.tasks if t.has_asset and t.task.task_id not in proxied]


def decommission_in_project(root: Path, dag_id: str) -> Decommission:
    """`decommission` in a project folder: through the side-by-side runtime's Airflow when it is up (Dagster is
    reloaded afterwards), else through the Airflow named by ``AIRFLOW_URL`` (see ``airflow_from_env``)."""
    from converters.runtime import side_by_side

    state = live_runtime(root)
    client = state.airflow() if state is not None else airflow_from_env()
    if client is None:
        raise MigrationError(
            f"decommission pauses the DAG in Airflow, and {runtime_not_up(root)}: start it (`runtime up`) or set "
            "AIRFLOW_URL, AIRFLOW_USERNAME, AIRFLOW_PASSWORD and AIRFLOW_MAJOR_VERSION for your Airflow"
        )
    return decommission(
        root / "airflow_dags",
        dag_id,
        root / "dagster_defs",
        client,
        reload_dagster=(lambda: side_by_side.reload_dagster(state)) if state is not None else None,
    )


def runtime_running(root: Path, dag_id: str, *, refuse: bool) -> tuple[RuntimeState | None, str]:
    """The live runtime to wait on after a step on ``dag_id``, or None and why not.

    A runtime whose Airflow does not run the DAG (another line's DAG, one it has not parsed) is refused with
    ``refuse`` (``proxy``: the DAG would be handed to a Dagster its Airflow never calls), else not waited on
    (``rollback`` gives tasks back whatever runs)."""
    state = live_runtime(root)
    if state is None:
        return None, f"{runtime_not_up(root)}: Airflow picks the change up when it next parses the file"
    try:
        require_in_airflow(find_dag(load_plan(root / "airflow_dags"), dag_id), state.airflow())
    except PreflightError as exc:
        if refuse:
            raise
        return None, f"not waiting for Airflow: {exc}"
    return state, ""


def runtime_not_up(root: Path) -> str:
    """Why there is no live runtime: none started, or some of its servers stopped (named)."""
    from converters.runtime import side_by_side

    state = side_by_side.load_state(root)
    stopped = [name for name, alive in state.alive().items() if not alive] if state is not None else []
    if not stopped:
        return "the runtime is not up"
    return f"the runtime is only partly running ({', '.join(stopped)} stopped: `runtime down`, then `runtime up`)"


def live_runtime(root: Path) -> RuntimeState | None:
    """The project's side-by-side runtime when every server it started is up, else None."""
    from converters.runtime import side_by_side

    state = side_by_side.load_state(root)
    return state if state is not None and all(state.alive().values()) else None


def airflow_from_env() -> AirflowClient | None:
    """An Airflow named by ``AIRFLOW_URL`` (+ ``AIRFLOW_USERNAME``/``AIRFLOW_PASSWORD``/``AIRFLOW_MAJOR_VERSION``)."""
    url = os.environ.get("AIRFLOW_URL")
    if not url:
        return None
    return AirflowClient(
        url.rstrip("/"),
        int(os.environ.get("AIRFLOW_MAJOR_VERSION", "2")),
        os.environ.get("AIRFLOW_USERNAME", "admin"),
        os.environ.get("AIRFLOW_PASSWORD", ""),
    )


# -- waiting for Airflow to see a change -----------------------------------------------------------------

RETOUCH_AFTER = 10  # seconds


def airflow_view(client: AirflowClient, dag_id: str) -> dict[str, str]:
    """Each task of the DAG as Airflow serialized it, with its operator class."""
    tasks = client.request("GET", f"/dags/{dag_id}/tasks").json()["tasks"]
    return {t["task_id"]: (t.get("class_ref") or {}).get("class_name") or t.get("operator_name") or "" for t in tasks}


def take_effect(
    changes: list[Change], airflow: AirflowClient, dags_folder: Path, reload_dagster: Callable[[], None] | None
) -> None:
    """The running servers follow proxy or rollback ``changes``. Dagster runs only the tasks handed over to it
    (an observed task's asset cannot run there: support/airlift.py ``task_asset``), so for a proxy it reloads
    first: the task's asset runs when Airflow's next run asks for it. For a rollback it reloads once Airflow has
    parsed the change: no run Airflow still hands over finds the asset observed-only. One reload for all."""
    if reload_dagster is not None and any(change.verb == "proxy" for change in changes):
        reload_dagster()
    for change in changes:
        wait_until_airflow_sees(airflow, change, dags_folder)
    if reload_dagster is not None and any(change.verb == "rollback" for change in changes):
        reload_dagster()


def wait_until_airflow_sees(
    client: AirflowClient, change: Change, dags_folder: Path | None = None, timeout: float = 120
) -> None:
    """Wait until Airflow's parsed DAG matches the proxied state (so the next run uses it). With ``dags_folder``
    (the one Airflow reads), the DAG file is touched again every few seconds while Airflow has not seen the
    change: a parse that started before the change and ended after it is newer than the change's mtime."""
    deadline = time.monotonic() + timeout
    nudge = time.monotonic() + RETOUCH_AFTER
    override = DAG_OVERRIDE_TASK.format(dag_id=change.dag_id)
    while True:
        view = airflow_view(client, change.dag_id)
        if change.proxied == ["*"]:
            done = set(view) == {override}
        else:
            done = override not in view and all(
                any(p in operator for p in PROXY_TASK_OPERATORS) == (task_id in change.proxied)
                for task_id, operator in view.items()
            )
        if done:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"Airflow has not parsed the change to {change.dag_id} after {timeout:.0f}s: {view}")
        if dags_folder is not None and time.monotonic() > nudge:
            touch(dags_folder / change.file)
            nudge = time.monotonic() + RETOUCH_AFTER
        time.sleep(1)


def _state(dag_id: str, task_id: str, state: str, by: str | None = None) -> dict:
    """A ledger entry: the task's migration state changed (the ledger's last word per task is its state)."""
    return {"kind": "state", "dag_id": dag_id, "task_id": task_id, "state": state, "by": by or ledger.user()}


def lift(dags_folder: Path, dag_id: str, task_ids: list[str]) -> list[str]:
    """`lift DAG TASK…`: record in ``migration/state.json`` that these NONE tasks run their own Airflow operator
    under Dagster (LIFT); `convert` then generates their assets. Refused, with nothing recorded, for a task that
    has a translation or cannot be lifted (the reason says why). Returns the tasks newly recorded."""
    if not task_ids:
        raise MigrationError("name the tasks to lift: `lift DAG TASK...`")
    scanned = scan_and_plan(dags_folder)
    planned = find_dag(scanned.plan, dag_id)
    by_id = {t.task.task_id: t for t in planned.tasks}
    unknown = [t for t in task_ids if t not in by_id]
    if unknown:
        raise MigrationError(f"{dag_id} has no task {', '.join(unknown)}")
    translated = [f"{t} ({by_id[t].disposition})" for t in task_ids if by_id[t].disposition not in (NONE, LIFT)]
    if translated:
        have = ", ".join(translated)
        raise MigrationError(f"only a task with no translation (NONE) is lifted; these have one: {have}")
    lift_all, recorded = migration_state.lifting(dags_folder)
    wanted = recorded | {(dag_id, t) for t in task_ids}
    trial = plan_module.plan_project(
        scanned.project,
        decommissioned=migration_state.decommissioned(dags_folder),
        lifting=Lifting(everything=lift_all, tasks=frozenset(wanted)),
    )
    after = {t.task.task_id: t for t in find_dag(trial, dag_id).tasks}
    staying = [f"{t}: {after[t].reason}" for t in task_ids if after[t].disposition != LIFT]
    if staying:
        raise MigrationError("cannot be lifted, nothing recorded: " + "; ".join(staying))
    added = [t for t in task_ids if (dag_id, t) not in recorded]
    migration_state.record_lifted_tasks(dags_folder, dag_id, added)
    return added


# -- modernize -------------------------------------------------------------------------------------------

# Re-run after the rewrite: lint and load, structure, materializes, parity, idempotent.
MODERNIZE_GATES = (2, 3, 4, 5, 6)


@dataclass
class Modernized:
    """What `modernize` did and what its gates showed (``same``: every table holds the rows and checksum it held
    before the rewrite, and gates 2-6 pass; when not, the DAG is generated faithful again: ``reverted``)."""

    dag_id: str
    forced: bool
    checks: list[str]  # quality tasks now asset checks
    modern: list[str]  # tasks whose asset calls their code directly
    faithful: dict[str, str]  # task -> why it stays in the faithful form
    regenerated: list[str]
    kept_hand_edited: list[str]
    date: str | None = None
    gates: dict[str, dict[int, str]] = field(default_factory=dict)  # task -> gate -> status, after the rewrite
    tables: dict[str, dict] = field(default_factory=dict)  # table -> {"before", "after", "same"}
    same: bool = False
    reverted: bool = False
    dagster_reloaded: bool = False
    sensors: list[str] = field(default_factory=list)  # sensor tasks now Dagster sensors starting the DAG's runs

    @property
    def ok(self) -> bool:
        return self.same and not self.reverted and not self.kept_hand_edited


def modernize(
    dags_folder: Path,
    dag_id: str,
    defs_out: Path,
    run_gates: Callable[[str, str | None], object],
    *,
    force: bool = False,
    reason: str | None = None,
    reload_dagster: Callable[[], None] | None = None,
    connection_types: Mapping[str, str] | None = None,
) -> Modernized:
    """Rewrite a decommissioned DAG's module into idiomatic Dagster (``codegen/modern.py``), then prove nothing
    changed: ``run_gates(dag_id, date)`` runs gates 2-6 for the date of the DAG's last gate evidence and
    returns its ``GatesReport``; every table must hold the rows and checksum it held before. When it does not,
    the DAG is generated faithful again (``reverted``) and the ledger says why.

    A quality task becomes an asset check only when its gate evidence shows it ran and wrote no table
    (gates 4 and 5) and the DAG is decommissioned (airlift maps Airflow tasks to assets, never to checks).

    ``connection_types``: connection id -> type in the environment the gates run the Dagster side in; the ones
    the DAG's tasks use are recorded, and a DuckDB one becomes dagster-duckdb's resource in the modern form."""
    from converters.codegen import modern
    from converters.convert import convert_project

    if force and not (reason or "").strip():
        raise MigrationError("--force needs --reason: the ledger records why modernize ran before decommission")
    plan = load_plan(dags_folder)
    planned = find_dag(plan, dag_id)
    if planned.modernized:
        raise MigrationError(f"{dag_id} is modernized already")
    if not planned.decommissioned and not force:
        raise MigrationError(
            f"refused: {dag_id} is not decommissioned (Airflow still runs it, and the faithful form is what proves "
            f"parity while it does): `airflow-to-dagster decommission {dag_id}` first, or --force --reason '...' "
            "(recorded in the ledger)"
        )
    if any(t.disposition == NONE for t in planned.tasks) and not force:
        raise MigrationError(f"refused: {dag_id} has tasks with no Dagster equivalent (NONE); it cannot be modernized")
    entries = ledger.read(dags_folder)
    latest = ledger.latest_gates(entries)
    before = _parity_evidence(planned, latest)
    if before["date"] is None and not force:
        raise MigrationError(
            f"refused: {dag_id} has no passed data-parity evidence to compare the modern form with: "
            f"`airflow-to-dagster gates {dag_id}` first, or --force --reason '...'"
        )
    checks = _quality_checks(planned, latest) if planned.decommissioned else []
    migration_state.record_modernized(
        dags_folder,
        dag_id,
        {
            "checks": checks,
            "forced": force and not planned.decommissioned,
            "tables": _tables_written(planned, latest),
            "connections": _connections_used(planned, connection_types or {}),
        },
    )
    ledger.append(
        dags_folder,
        [
            _state(dag_id, t.task.task_id, "modernized") | ({"forced": True, "reason": reason} if force else {})
            for t in planned.tasks
        ],
    )
    generated = convert_project(dags_folder, defs_out)
    rewritten = find_dag(load_plan(dags_folder), dag_id)
    choices = {t.task.task_id: modern.choose(rewritten, t) for t in rewritten.tasks if not t.passthrough}
    result = Modernized(
        dag_id=dag_id,
        forced=force,
        checks=[tid for tid, c in choices.items() if c.kind == "check"],
        modern=[tid for tid, c in choices.items() if c.kind == "asset"],
        faithful={tid: c.why for tid, c in choices.items() if c.kind == "faithful"},
        regenerated=generated.generated.written,
        kept_hand_edited=generated.generated.kept,
        date=before["date"],
        sensors=[tid for tid, c in choices.items() if c.kind == "sensor"],
    )
    if reload_dagster is not None:
        reload_dagster()
        result.dagster_reloaded = True
    if result.kept_hand_edited:  # the module on disk is the user's: there is nothing new to prove
        return result
    report = run_gates(dag_id, before["date"])
    for gate_result in report.results:  # type: ignore[attr-defined]
        if gate_result.gate in MODERNIZE_GATES:
            result.gates.setdefault(gate_result.task_id, {})[gate_result.gate] = gate_result.status
            if gate_result.gate == 5:
                for table in gate_result.evidence.get("tables", []):
                    after = _fingerprint(table)
                    earlier = before["tables"].get(table["table"])
                    result.tables[table["table"]] = {"before": earlier, "after": after, "same": earlier == after}
    gates_pass = bool(result.gates) and all(s in ledger.PASSING for g in result.gates.values() for s in g.values())
    missing = sorted(set(before["tables"]) - set(result.tables))
    for table in missing:
        result.tables[table] = {"before": before["tables"][table], "after": None, "same": False}
    result.same = gates_pass and all(t["same"] for t in result.tables.values())
    if not result.same:
        migration_state.forget_modernized(dags_folder, dag_id)
        convert_project(dags_folder, defs_out)
        if reload_dagster is not None:
            reload_dagster()
        result.reverted = True
    ledger.append(
        dags_folder,
        [
            {
                "kind": "modernize",
                "dag_id": dag_id,
                "date": result.date,
                "checks": result.checks,
                "sensors": result.sensors,
                "faithful": result.faithful,
                "gates": {task: {str(n): s for n, s in gates.items()} for task, gates in result.gates.items()},
                "tables": result.tables,
                "same": result.same,
                "reverted": result.reverted,
                "by": ledger.user(),
            }
        ]
        + (
            [_state(dag_id, t.task.task_id, "decommissioned", by="modernize") for t in planned.tasks]
            if result.reverted and planned.decommissioned
            else []
        ),
    )
    return result


def _connections_used(planned: PlannedDag, types: Mapping[str, str]) -> dict[str, str]:
    """The type of each connection the DAG's tasks take as a resource, where ``types`` knows it."""
    used = {r.conn_id for t in planned.tasks for r in t.translation.resources if r.conn_id}
    return {conn_id: types[conn_id] for conn_id in sorted(used) if conn_id in types}


def _fingerprint(table: dict) -> dict | None:
    """A table's rows and checksum on the Dagster side, from gate 5's evidence of one table."""
    dagster = table.get("dagster") or {}
    if "rows" not in dagster:
        return None
    return {"rows": dagster["rows"], "checksum": dagster.get("checksum")}


def _parity_evidence(planned: PlannedDag, latest: dict) -> dict:
    """The date of the DAG's latest passing data-parity results (gate 5) and, for that date, each table's rows
    and checksum (a task whose latest result is of another date adds nothing: it would compare other rows)."""
    passed = []
    for task in planned.tasks:
        result = latest.get((planned.dag.dag_id, task.task.task_id), {}).get(5)
        if result is not None and result["status"] in ledger.PASSING:
            passed.append((result.get("date") or result.get("evidence", {}).get("date"), result))
    dates = [date for date, _ in passed if date]
    date = max(dates) if dates else None
    tables: dict[str, dict | None] = {}
    for when, result in passed:
        if when == date:
            for table in result.get("evidence", {}).get("tables", []):
                tables[table["table"]] = _fingerprint(table)
    return {"date": date, "tables": tables}


def _tables_written(planned: PlannedDag, latest: dict) -> dict[str, list[str]]:
    """Each task's tables, as its latest passing data-parity result (gate 5) saw it write them: the modern form
    keys the task's asset by its one table (``plan/lineage.name_by_data``)."""
    found = {}
    for task in planned.tasks:
        result = latest.get((planned.dag.dag_id, task.task.task_id), {}).get(5) or {}
        tables = [t["table"] for t in result.get("evidence", {}).get("tables", []) if t.get("table")]
        if result.get("status") in ledger.PASSING and tables:
            found[task.task.task_id] = sorted(set(tables))
    return found


def _quality_checks(planned: PlannedDag, latest: dict) -> list[str]:
    """The tasks the modern form can write as asset checks: shaped as one (``modern.check_target``), and shown
    by their gate evidence to have run (gate 4) and written no table (gate 5)."""
    from converters.codegen import modern

    shown = []
    for task in planned.tasks:
        results = latest.get((planned.dag.dag_id, task.task.task_id), {})
        ran = results.get(4, {}).get("status") == "pass" and not results.get(4, {}).get("evidence", {}).get("skipped")
        parity = results.get(5, {})
        wrote_nothing = parity.get("status") == "n/a" and not parity.get("evidence", {}).get("tables")
        if ran and wrote_nothing:
            shown.append(task)
    # Together: checks on one asset stand or fall together (a blocking one must not stop another that is a task)
    candidate = replace(planned, quality_checks=tuple(t.task.task_id for t in shown))
    return [t.task.task_id for t in shown if modern.check_target(candidate, t).kind == "check"]


def modernize_in_project(
    root: Path,
    dag_id: str,
    *,
    force: bool = False,
    reason: str | None = None,
    version: int = 2,
    on_event: Callable[[str], None] = lambda message: None,
) -> Modernized:
    """`modernize` in a project folder: the gates run against the side-by-side runtime's Airflow run of the
    evidence's date (``version``: the Airflow line for gate 3's DagBag when the runtime is not up); Dagster is
    reloaded when the runtime is up. What the demo checks: ``result.ok``, ``result.checks`` (the quality tasks
    now asset checks, each run by gate 4), ``result.tables`` (same rows and checksums)."""
    from converters.gates import run_project_gates
    from converters.gates.context import GatesError, load_config
    from converters.runtime import side_by_side
    from converters.runtime.connections import connection_types

    state = live_runtime(root)
    try:
        types = connection_types(load_config(root).get("dagster_env", {}))
    except (GatesError, ValueError):  # no readable gates.json: the gates themselves say so
        types = {}

    def gates(dag: str, date: str | None):
        return run_project_gates(root, [dag], version=version, date=date, on_event=on_event)

    return modernize(
        root / "airflow_dags",
        dag_id,
        root / "dagster_defs",
        gates,
        force=force,
        reason=reason,
        reload_dagster=(lambda: side_by_side.reload_dagster(state)) if state is not None else None,
        connection_types=types,
    )
