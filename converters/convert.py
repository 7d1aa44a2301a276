"""convert: scan → plan → generate, for the CLI and the tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from converters.codegen import GenerateResult, generate
from converters.inventory.project import scan_project
from converters.ledger import state as migration_state
from converters.plan import Plan, plan_project


@dataclass
class ConvertResult:
    plan: Plan
    generated: GenerateResult


def convert_project(
    source: Path,
    out: Path,
    *,
    force: bool = False,
    jobs: int | None = None,
    use_cache: bool = True,
    on_file: Callable[[int, int], None] | None = None,
) -> ConvertResult:
    progress = on_file or (lambda done, total: None)
    project = scan_project(source, jobs=jobs, use_cache=use_cache, on_file=progress)
    folder = source if source.is_dir() else source.parent
    plan = plan_project(project, decommissioned=migration_state.decommissioned(folder))
    return ConvertResult(plan, generate(plan, out, dags_folder=folder, force=force))


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
