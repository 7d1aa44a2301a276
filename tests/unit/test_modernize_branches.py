"""`modernize` (codegen/modern.py): a branch or short-circuit task and the tasks it may skip written modern. The
gate's callable is called directly; each task it may skip runs its work only when the gate's value lets it and
otherwise yields no output, so what follows it in the run is skipped too, as Airflow skipped it. The modern
module is generated from a small DAG and run for real on a weekday and on a weekend day."""

from __future__ import annotations

from pathlib import Path

from converters.codegen import modern
from converters.flow import load_plan
from converters.plan import find_dag
from tests.unit.generated import answer_of, convert_modernized

DAG_FILE = """
from datetime import date, datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import BranchPythonOperator, PythonOperator, ShortCircuitOperator


def choose(ds):
    return "full" if date.fromisoformat(ds).weekday() < 5 else ["light", "audit"]


def check(names, ds):
    return f"{ds}: {', '.join(names)}"


def summarize(ds):
    return f"summary of {ds}"


def any_orders(ds):
    return ds.endswith("1")


with DAG("quality", schedule="@daily", start_date=datetime(2024, 1, 1), default_args={"owner": "dq"}):
    branch = BranchPythonOperator(task_id="choose", python_callable=choose)
    full = PythonOperator(task_id="full", python_callable=check, op_kwargs={"names": ["a", "b"]})
    light = PythonOperator(task_id="light", python_callable=check, op_kwargs={"names": ["a"]})
    audit = BashOperator(task_id="audit", bash_command="echo audit {{ ds }}")
    summary = PythonOperator(task_id="summary", python_callable=summarize)
    gate = ShortCircuitOperator(task_id="any_orders", python_callable=any_orders)
    report = BashOperator(task_id="report", bash_command="echo report {{ ds }}")
    branch >> [full, light, audit]
    full >> summary
    gate >> report
"""


def generate(root: Path) -> str:
    dags = root / "airflow_dags"
    dags.mkdir()
    (dags / "quality.py").write_text(DAG_FILE)
    return (convert_modernized(dags, "quality.py", "quality") / "dags" / "quality.py").read_text()  # ruff-clean


def test_a_branch_and_the_tasks_it_may_skip_are_written_modern(tmp_path: Path):
    text = generate(tmp_path)
    planned = find_dag(load_plan(tmp_path / "airflow_dags"), "quality")
    kinds = {t.task.task_id: modern.choose(planned, t).kind for t in planned.tasks}
    assert kinds == dict.fromkeys(("choose", "full", "light", "audit", "summary", "any_orders", "report"), "asset")
    for airflow in ("task_context", "call_python", "load_logic", "run_bash", "kept faithful"):
        assert airflow not in text, airflow
    assert "def choose(context: dg.AssetExecutionContext):\n    return logic.choose(ds=context.partition_key)" in text
    assert (
        "def full(context: dg.AssetExecutionContext, choose_value):\n"
        '    if branch_allows(choose_value, "full"):\n'
        '        yield dg.Output(logic.check(names=["a", "b"], ds=context.partition_key))'
    ) in text
    assert "    if not any_orders_value:\n" in text  # a short-circuit's value is the condition
    assert text.count("output_required=False") == 4  # full, light, audit, report: not summary (after full)
    assert "from ..support.runtime import branch_allows\n" in text


RUN = """
import json
import dagster as dg
from dagster_defs import definitions
from dagster_defs.dags import quality

def run(day):
    result = dg.materialize(quality.ASSETS, partition_key=day, resources=definitions.RESOURCES)
    values = {}
    for event in result.get_asset_materialization_events():
        name = event.asset_key.path[-1]
        values[name] = result.asset_value(event.asset_key) if name in ("full", "light", "summary") else None
    return {"ok": result.success, "materialized": sorted(values), "values": values}

print(json.dumps({"weekday": run("2024-03-01"), "weekend": run("2024-03-02")}))
"""


def test_the_branch_runs_only_what_it_chose_and_skips_what_follows_the_rest(tmp_path: Path):
    generate(tmp_path)
    answer = answer_of(tmp_path / "dagster_defs", RUN)
    weekday, weekend = answer["weekday"], answer["weekend"]
    # Friday: "full" chosen, so "summary" after it runs; "light" and "audit" skipped; orders on a day ending in 1
    assert weekday["ok"] and weekday["materialized"] == ["any_orders", "choose", "full", "report", "summary"]
    assert weekday["values"]["full"] == "2024-03-01: a, b"
    assert weekday["values"]["summary"] == "summary of 2024-03-01"
    # Saturday: ["light", "audit"] chosen; "full" skipped and "summary" with it; the short-circuit stops "report"
    assert weekend["ok"] and weekend["materialized"] == ["any_orders", "audit", "choose", "light"]
    assert weekend["values"]["light"] == "2024-03-02: a"
