"""What the scheduler does on its own, with job scheduling on: catchup, Dataset triggers, failure callbacks.

The main estate test drives every run itself (scheduling off, so logical dates are chosen). Here a separate
Airflow per line has scheduling on, and the tests watch runs the scheduler creates.
"""

from __future__ import annotations

import json
import time

import duckdb
import pytest

from converters.runtime.airflow import start_airflow, stop_airflow, wait_for_dags
from converters.runtime.example_estate import stage_partner_drop

from .conftest import LINES

pytestmark = pytest.mark.integration

LOGICAL_DATE = "2024-01-15"
TRIGGERED_BY_DATA = {"dataset_triggered", "asset_triggered"}  # Airflow 2 / Airflow 3 spelling


@pytest.fixture(scope="module", params=LINES)
def scheduling(request, tmp_path_factory):
    version = request.param
    instance = start_airflow(version, tmp_path_factory.mktemp(f"airflow{version}-scheduling"), use_job_schedule=True)
    try:
        wait_for_dags(instance, {"fx_rates", "orders_daily", "revenue_dashboard", "finance_reconciliation"})
        client = instance.client()
        stage_partner_drop(instance, LOGICAL_DATE)
        # Started first: its retry delay is the longest wait in this module.
        client.set_paused("finance_reconciliation", False)
        bad_run = client.trigger("finance_reconciliation", None, conf={})["dag_run_id"]
        for dag_id in ("fx_rates", "revenue_dashboard", "orders_daily"):
            client.set_paused(dag_id, False)
        producer_run = client.trigger("orders_daily", f"{LOGICAL_DATE}T12:00:00+00:00")["dag_run_id"]
        yield instance, client, {"bad_finance_run": bad_run, "producer_run": producer_run}
    finally:
        stop_airflow(instance)


def wait_until(condition, timeout: float, what: str, poll: float = 3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def run_type(run: dict) -> str:
    return run.get("run_type", "")


def test_catchup_creates_the_missed_daily_runs_from_start_date_in_order(scheduling):
    instance, client, _ = scheduling

    def first_two_done():
        runs = sorted(client.dag_runs("fx_rates"), key=lambda r: r["logical_date"])
        done = [r for r in runs if r["state"] == "success"]
        return runs if len(done) >= 2 else None

    runs = wait_until(first_two_done, 300, "two catchup runs of fx_rates")
    client.set_paused("fx_rates", True)  # two years of history is not needed to prove the point
    assert [run_type(r) for r in runs[:2]] == ["scheduled", "scheduled"]
    assert [r["logical_date"][:10] for r in runs[:2]] == ["2024-01-01", "2024-01-02"]

    def loaded_days():
        # A task of a run started before the pause may still hold the warehouse's lock: read once it lets go.
        try:
            with duckdb.connect(str(instance.warehouse), read_only=True) as con:
                return con.execute(
                    "select ds, count(*) from ref.ecb_rates where ds in ('2024-01-01', '2024-01-02') "
                    "group by ds order by ds"
                ).fetchall()
        except duckdb.IOException:
            return None

    loaded = wait_until(loaded_days, 120, "the warehouse's lock, held by a catchup task", poll=1.0)
    assert [(str(ds), n) for ds, n in loaded] == [("2024-01-01", 4), ("2024-01-02", 4)]


def test_dataset_event_from_orders_daily_triggers_revenue_dashboard(scheduling):
    _, client, started = scheduling
    client.wait_for_run("orders_daily", started["producer_run"], timeout=600)

    def triggered_dashboard():
        runs = client.dag_runs("revenue_dashboard")
        return [r for r in runs if run_type(r) in TRIGGERED_BY_DATA and r["state"] == "success"]

    runs = wait_until(triggered_dashboard, 300, "a dataset-triggered revenue_dashboard run")
    assert runs, "revenue_dashboard should have been started by the daily_revenue dataset"


def test_failure_callback_fires_once_retries_are_exhausted(scheduling):
    instance, client, started = scheduling
    run_id = started["bad_finance_run"]

    def finished():
        run = client.dag_run("finance_reconciliation", run_id)
        return run if run["state"] in {"success", "failed"} else None

    # retries=1 with a 20-second retry_delay: the run fails for good after the second try.
    run = wait_until(finished, 420, "the misconfigured finance_reconciliation run to fail")
    assert run["state"] == "failed"
    tries = {ti["task_id"]: ti["try_number"] for ti in client.task_instances("finance_reconciliation", run_id)}
    assert tries["read_source_ds"] == 2

    def alerts():
        path = instance.data_dir / "alerts.jsonl"
        if not path.exists():
            return None
        records = [json.loads(line) for line in path.read_text().splitlines()]
        return [r for r in records if r["run_id"] == run_id] or None

    records = wait_until(alerts, 60, "the on-call alert for the failed run")
    assert [(r["dag_id"], r["task_id"]) for r in records] == [("finance_reconciliation", "read_source_ds")]
    assert "source_ds" in records[0]["exception"]
