"""convert: scan → plan → generate, for the CLI and the tests."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from converters import collector
from converters.codegen import GenerateResult, generate
from converters.codegen.imports import ImportCheckFailed, logic_import_errors
from converters.flow import scan_and_plan
from converters.ledger.state import record_lifting
from converters.plan import Plan, task_logic_modules
from converters.rules.base import NONE


@dataclass
class ConvertResult:
    plan: Plan
    generated: GenerateResult

    @property
    def needs_attention(self) -> bool:
        """Hand-edited files were kept, or something could not be generated (`convert` exits 1)."""
        return bool(self.generated.kept or self.generated.problems)


@collector.paused()  # hundreds of thousands of objects arrive, nearly none in a cycle (converters/collector.py)
def convert_project(
    source: Path,
    out: Path,
    *,
    force: bool = False,
    jobs: int | None = None,
    use_cache: bool = True,
    on_file: Callable[[int, int], None] | None = None,
    lift: bool | None = None,
) -> ConvertResult:
    """``lift``: record `--lift` (True) or `--no-lift` (False) in ``migration/state.json`` first; None keeps what
    it records (the plan, and so status, gates and the report, read it from there)."""
    if lift is not None:
        record_lifting(source if source.is_dir() else source.parent, everything=lift)
    planned = scan_and_plan(source, jobs=jobs, use_cache=use_cache, on_file=on_file)
    plan = planned.plan
    root = source if source.is_dir() else source.parent
    folder = airflow_dags_folder(plan, root)
    generated = generate(plan, out, dags_folder=folder, root=root, force=force)
    # Every logic module an asset runs code from must import; the tasks of one that does not stay in Airflow.
    try:
        broken = logic_import_errors(out, logic_modules_in_use(plan))
    except ImportCheckFailed as exc:
        generated.problems.append(str(exc))
        return ConvertResult(plan, generated)
    if broken:
        plan = scan_and_plan(source, project=planned.project, broken_logic=broken).plan
        generated = generate(plan, out, dags_folder=folder, root=root, force=force)
        generated.unimportable = dict(sorted(broken.items()))
    return ConvertResult(plan, generated)


def logic_modules_in_use(plan: Plan) -> list[str]:
    """The logic modules whose code some asset (MECH, JUDG or REDESIGN) runs."""
    return sorted(
        {
            module
            for d in plan.dags
            for t in d.tasks
            if t.disposition != NONE
            for module in task_logic_modules(d, t.translation)
        }
    )


def airflow_dags_folder(plan: Plan, root: Path) -> Path:
    """Airflow's DAGs folder: the folder the DAG files live in (their deepest common folder), not the scanned root.

    Scanning a repository whose DAGs sit in ``dags/`` gives ``<repo>/dags``, which Airflow puts on ``sys.path``
    (its helpers import as ``from common import ...``); the repository root is not on it."""
    folders = {os.path.dirname(d.dag.source.file) for d in plan.dags if d.dag.source.file}
    if not folders:
        return root
    common = os.path.commonpath(sorted(folders)) if len(folders) > 1 else folders.pop()
    return root / common if common else root


def convert_json(result: ConvertResult) -> dict:
    """What `convert --json` writes: the plan and what was generated."""
    data = plan_json(result.plan)
    data["generated"] = {
        "out": str(result.generated.out),
        "written": result.generated.written,
        "unchanged": result.generated.unchanged,
        "kept_hand_edited": result.generated.kept,
        "removed": result.generated.removed,
        "problems": result.generated.problems,
        "unimportable_logic": result.generated.unimportable,
    }
    return data


def plan_json(plan: Plan) -> dict:
    """Per task: where it came from, the rule, the disposition and why, what the rule did not consume."""
    return {
        "root": plan.root,
        "counts": plan.counts(),
        "dags": [
            {
                "dag_id": d.dag.dag_id,
                "file": d.dag.source.file,
                "module": f"dags/{d.module}.py",
                "partitioned": d.partitioned,
                "cron": d.cron,
                "schedule_note": d.schedule_note,
                "proxy_level": d.proxy_level,
                "decommissioned": d.decommissioned,
                "tasks": [
                    {
                        "task_id": t.task.task_id,
                        "operator": t.task.operator,
                        "line": t.task.source.line,
                        "rule": t.rule,
                        "disposition": t.disposition,
                        "reason": t.reason,
                        "asset_key": None if t.passthrough else list(t.key),
                        "notes": list(t.translation.notes),
                        "unconsumed": t.unconsumed,
                    }
                    for t in d.tasks
                ],
            }
            for d in plan.dags
        ],
        "problems": plan.problems,
    }
