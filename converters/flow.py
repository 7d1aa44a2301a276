"""Scan, then plan: the one way a DAG folder becomes a plan (convert, migrate, report, the CLI's scan).

The plan knows which DAGs are decommissioned (``migration/`` beside the folder); a caller that has scanned the
folder already (with its own progress bar) passes its inventory instead of scanning twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from converters.inventory import ir
from converters.inventory.project import inventory_json, scan_project
from converters.ledger import state as migration_state
from converters.plan import Plan, plan_project
from converters.plan.lift import Lifting


@dataclass(frozen=True)
class Planned:
    project: ir.Project  # the inventory
    plan: Plan


def scan_and_plan(
    source: Path,
    *,
    project: ir.Project | None = None,
    jobs: int | None = None,
    use_cache: bool = True,
    on_file: Callable[[int, int], None] | None = None,
    read_migration_state: bool = True,
    broken_logic: dict[str, str] | None = None,
    lift: bool = False,
) -> Planned:
    """The inventory of ``source`` (a DAG folder or one file; ``project`` when scanned already) and its plan.

    ``read_migration_state=False`` plans as if nothing were decommissioned, without reading ``migration/``:
    the inventory of an estate (`scan`) depends on its files alone. ``broken_logic``: see ``plan_project``.
    ``lift``: lift every task that can be (LIFT), whatever ``migration/state.json`` records.
    """
    if project is None:
        progress = on_file or (lambda done, total: None)
        project = scan_project(source, jobs=jobs, use_cache=use_cache, on_file=progress)
    folder = source if source.is_dir() else source.parent
    retired = migration_state.decommissioned(folder) if read_migration_state else frozenset()
    modern = migration_state.modernized(folder) if read_migration_state else {}
    written = migration_state.modernized_tables(folder) if read_migration_state else {}
    connection_types = migration_state.modernized_connections(folder) if read_migration_state else {}
    lift_all, lifted_tasks = migration_state.lifting(folder) if read_migration_state else (False, frozenset())
    lifting = Lifting(everything=lift or lift_all, tasks=lifted_tasks)
    return Planned(
        project,
        plan_project(
            project,
            decommissioned=retired,
            modernized=modern,
            broken_logic=broken_logic,
            lifting=lifting,
            written=written,
            connection_types=connection_types,
        ),
    )


def load_plan(dags_folder: Path) -> Plan:
    """The plan of a DAG folder (scanned with the cache)."""
    return scan_and_plan(dags_folder).plan


def scan_json(planned: Planned) -> dict:
    """What `scan --json` writes: the inventory, each task with the disposition its rule gives it."""
    dispositions = {(d.dag.dag_id, t.task.task_id): t.disposition for d in planned.plan.dags for t in d.tasks}
    return inventory_json(planned.project, dispositions)


def serious_diagnostics(data: dict) -> list[dict]:
    """The warnings and errors of a scan JSON (`scan --strict` exits 1 when there are any)."""
    return [d for d in data["diagnostics"] if d["severity"] in {"warning", "error"}]
