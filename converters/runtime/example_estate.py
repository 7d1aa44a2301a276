"""How to exercise the bundled example estate (airflow_dags/) end to end for one logical date.

Used by ``airflow-to-dagster demo`` and by the integration tests: stage the partner's file drop,
unpause every DAG, trigger them in dependency waves over the REST API, then wait for the runs the
DAGs start themselves (orders_daily triggers finance_reconciliation).
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType

from converters.runtime.airflow import AirflowInstance, wait_for_dags
from converters.runtime.airflow_api import AirflowRunFailed
from converters.runtime.envs import project_root

DEFAULT_LOGICAL_DATE = "2024-01-15"  # a Monday: data_quality takes its weekday branch

# Waves run one after another; the DAGs in a wave run concurrently. Sensors in wave 1 wait for
# orders_daily's data on their own; wave 2 reads what wave 1 built.
WAVES: tuple[tuple[str, ...], ...] = (
    (
        "orders_daily",
        "marketing_attribution",
        "data_quality",
        "web_sessions",
        "store_kpis",
        "partner_inventory",
        "fx_rates",
        "legacy_customer_sync",
        "inventory_snapshot",
        "supplier_feeds",
    ),
    ("revenue_dashboard", "shop_dbt"),
)
ONLY_ON = {"legacy_customer_sync": 2, "inventory_snapshot": 3}
TRIGGERED_BY_DAGS = ("finance_reconciliation",)


@dataclass(frozen=True)
class RunOutcome:
    dag_id: str
    run_id: str
    logical_date: str | None
    state: str
    seconds: float
    conf: dict = field(default_factory=dict)
    task_states: dict[str, str] = field(default_factory=dict)
    failure: str = ""


def expected_dag_ids(version: int) -> set[str]:
    dags = {dag_id for wave in WAVES for dag_id in wave} | set(TRIGGERED_BY_DAGS)
    return {dag_id for dag_id in dags if ONLY_ON.get(dag_id, version) == version}


@cache
def example_sources() -> ModuleType:
    """airflow_dags/include/sources.py: plain Python (no Airflow), loaded by path."""
    path = project_root() / "airflow_dags" / "include" / "sources.py"
    spec = importlib.util.spec_from_file_location("example_estate_sources", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stage_partner_drop(instance: AirflowInstance, ds: str) -> None:
    """What the logistics partner does every morning: drop the day's inventory CSV."""
    target = instance.landing_dir / ds / "inventory.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(example_sources().partner_inventory_csv(ds))


def run_example_estate(
    instance: AirflowInstance,
    ds: str = DEFAULT_LOGICAL_DATE,
    on_event: Callable[[str], None] = lambda message: None,
    timeout: float = 900,
) -> list[RunOutcome]:
    """Trigger every example DAG for ``ds`` and return one outcome per run (including DAG-triggered runs)."""
    client = instance.client()
    dag_ids = expected_dag_ids(instance.version)
    wait_for_dags(instance, dag_ids)
    stage_partner_drop(instance, ds)
    for dag_id in sorted(dag_ids):
        client.set_paused(dag_id, False)
    on_event(f"{len(dag_ids)} DAGs loaded and unpaused; partner file staged for {ds}")

    outcomes: list[RunOutcome] = []
    for number, wave in enumerate(WAVES, start=1):
        started = time.monotonic()
        runs = [
            (dag_id, client.trigger(dag_id, f"{ds}T00:00:00+00:00")["dag_run_id"])
            for dag_id in wave
            if dag_id in dag_ids
        ]
        on_event(f"wave {number}: triggered {', '.join(dag_id for dag_id, _ in runs)}")
        for dag_id, run_id in runs:
            outcomes.append(_wait(client, dag_id, run_id, started, started + timeout, on_event))

    started = time.monotonic()
    for dag_id in TRIGGERED_BY_DAGS:
        for run in client.dag_runs(dag_id):
            outcomes.append(_wait(client, dag_id, run["dag_run_id"], started, started + timeout, on_event))
    return outcomes


def _wait(client, dag_id: str, run_id: str, started: float, deadline: float, on_event) -> RunOutcome:
    """Wait for one run (all runs of a wave share one deadline) and describe how it ended."""
    failure = ""
    try:
        client.wait_for_run(dag_id, run_id, timeout=max(deadline - time.monotonic(), 1))
    except (AirflowRunFailed, TimeoutError) as exc:
        failure = str(exc)
    run = client.dag_run(dag_id, run_id)
    task_states = {
        ti["task_id"] + (f"[{ti['map_index']}]" if ti.get("map_index", -1) >= 0 else ""): ti.get("state") or "none"
        for ti in client.task_instances(dag_id, run_id)
    }
    outcome = RunOutcome(
        dag_id=dag_id,
        run_id=run_id,
        logical_date=run.get("logical_date") or run.get("execution_date"),
        state="failed" if failure else run["state"],
        seconds=round(time.monotonic() - started, 1),
        conf=run.get("conf") or {},
        task_states=task_states,
        failure=failure,
    )
    on_event(f"{dag_id}: {outcome.state} ({len(task_states)} task instances, {outcome.seconds}s)")
    return outcome
