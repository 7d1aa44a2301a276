"""Gate 5, data parity: every warehouse table the task writes holds, for the date, the rows the Airflow run
wrote (row count and order-independent checksum; the first differing rows when not); n/a when it writes no
table."""

from __future__ import annotations

from collections.abc import Iterator

from converters.gates.context import Context
from converters.gates.gate import Gate, Outcome, failure_lines_of, summary_of
from converters.gates.tables import differences


def check(ctx: Context) -> Iterator[Outcome]:
    airflow_side, dagster_side = ctx.dagster.airflow_warehouse, ctx.dagster.dagster_warehouse
    for task in ctx.dagster.tasks:
        tables = sorted({t for r in task.runs for t in r.get("tables", [])})
        if airflow_side is None:
            no_run = {"airflow": "no Airflow run to compare with (runtime down)"}
            yield Outcome(task.dag_id, task.task_id, "fail", no_run)
        elif not tables:
            yield Outcome(task.dag_id, task.task_id, "n/a", {"tables": [], "why": "writes no warehouse table"})
        else:
            reports = [differences(airflow_side, dagster_side, t) for t in tables]
            status = "pass" if all(r["match"] for r in reports) else "fail"
            yield Outcome(task.dag_id, task.task_id, status, {"date": ctx.date, "tables": reports})


def summary(evidence: dict) -> str:
    if not evidence.get("tables"):
        return summary_of(evidence)
    parts = []
    for table in evidence["tables"]:
        dagster = table.get("dagster") or {}
        parts.append(
            f"{table['table']}: {'equal' if table.get('match') else 'differs'}"
            + (f" ({dagster.get('rows')} rows, {dagster.get('checksum')})" if dagster else "")
        )
    return "; ".join(parts)


def failure_lines(evidence: dict) -> list[str]:
    """Per differing table: both sides' rows and checksums, then the rows only one side has."""
    if "tables" not in evidence:
        return failure_lines_of(evidence)
    lines = []
    for table in evidence["tables"]:
        if table.get("match"):
            continue
        if "detail" in table:
            lines.append(f"{table['table']}: {table['detail']}")
            continue
        lines.append(
            f"{table['table']}: Airflow {table['airflow']['rows']} rows ({table['airflow']['checksum']}), "
            f"Dagster {table['dagster']['rows']} rows ({table['dagster']['checksum']})"
        )
        lines += [f"  only in Airflow: {row}" for row in table.get("only_in_airflow", [])]
        lines += [f"  only in Dagster: {row}" for row in table.get("only_in_dagster", [])]
    return lines


GATE = Gate(5, "data parity", check, summary=summary, failure_lines=failure_lines, batch="dagster")
