"""Gate 3's view of Airflow's edges (pass-through tasks bridged) and the order gates run DAGs in."""

from __future__ import annotations

from converters.gates.dagster_runs import run_order
from converters.gates.ladder.structure import airflow_upstream, dagster_upstream
from converters.migrate import load_plan
from converters.runtime.envs import project_root


def task(task_id: str, *upstream: str, group: str | None = None) -> dict:
    return {"task_id": task_id, "task_group": group, "upstream": list(upstream)}


ORDERS_DAILY_BAG = {
    "dag_id": "orders_daily",
    "tasks": [
        task("start"),
        task("load_orders", "start"),
        task("load_fx_rates", "start"),
        task("quality.orders_loaded", "load_orders", "load_fx_rates", group="quality"),
        task("quality.amounts_positive", "load_orders", "load_fx_rates", group="quality"),
        task("build_daily_revenue", "quality.orders_loaded", "quality.amounts_positive"),
        task("trigger_finance_reconciliation", "build_daily_revenue"),
        task("end", "trigger_finance_reconciliation"),
    ],
}


def test_pass_through_tasks_are_bridged():
    planned = next(d for d in load_plan(project_root() / "airflow_dags").dags if d.dag.dag_id == "orders_daily")
    upstream = airflow_upstream(planned, ORDERS_DAILY_BAG)
    assert upstream["load_orders"] == set(), "start is an EmptyOperator: no asset, no edge"
    assert upstream["build_daily_revenue"] == {"quality.orders_loaded", "quality.amounts_positive"}
    assert "end" not in upstream and "start" not in upstream
    assert airflow_upstream(planned, None) is None


def test_a_missing_edge_shows():
    graph = {
        "tasks": {"a": [["d", "a"]], "b": [["d", "b"]]},
        "deps": {'["d", "a"]': [], '["d", "b"]': [["other", "x"]]},
        "order": [],
    }
    assert dagster_upstream(graph) == {"a": set(), "b": set()}, "another DAG's asset is not an Airflow edge"


def test_dags_run_after_the_dags_they_read_and_then_as_airflow_finished():
    graph = {
        "up": {"tasks": {"t": [["up", "t"]]}, "deps": {'["up", "t"]': []}},
        "down": {"tasks": {"t": [["down", "t"]]}, "deps": {'["down", "t"]': [["up", "t"]]}},
        "sensor": {"tasks": {"t": [["sensor", "t"]]}, "deps": {'["sensor", "t"]': []}},
    }
    assert run_order(graph, ["down"]) == ["up", "down"], "upstream DAGs run first, for their data"
    assert run_order(graph, ["sensor", "up", "down"], finished=["up", "sensor"]) == ["up", "sensor", "down"]
