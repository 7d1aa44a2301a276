"""Faults in the side-by-side runtime, with real servers, on each Airflow line.

A copy of the project gets two small drill DAGs (converted like the rest) and `runtime up`. Then, in order:

1. Airflow's API goes down while Dagster observes: the airlift sensor's ticks fail with a message naming
   Airflow's URL, the sensor stays on and the daemon up; Airflow's scheduler keeps running (on Airflow 3 the
   task-execution API is served meanwhile, on its own, so tasks can finish) and runs finish that Dagster
   cannot see. Once the API is back, each of them is observed exactly once.
2. Dagster's webserver goes down while Airflow waits for a proxied task's Dagster run: the Airflow task fails
   with a message naming Dagster's URL and retries per its retry policy; once the webserver is back, the retry
   waits for the run that kept going instead of launching another, so there is one Dagster run and one
   materialization for that task of that Airflow run.
3. A proxied task's Dagster run fails (a broken translation): the Airflow task fails, naming the Dagster run;
   Dagster shows the run FAILURE with the Airflow tags; `rollback` gives the task back to Airflow, where it
   succeeds without another Dagster run. (A proxied task cleared by hand is not a retry: it runs again.)

See docs/reliability.md, "Faults in the side-by-side runtime".
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from converters.runtime import side_by_side
from converters.runtime.airflow import base_environment
from converters.runtime.envs import airflow_venv
from tests.integration.conftest import LINES
from tests.integration.runtime_helpers import (
    CLI,
    SideBySide,
    copy_project,
    running_side_by_side,
    server,
    wait_for,
    wait_until,
)

pytestmark = pytest.mark.integration

DRILLS = '''\
"""Fault drills: a proxied task slow enough to be interrupted, a quick one, and a DAG that is only observed."""

import time
from datetime import datetime, timedelta

from airflow import DAG

try:
    from airflow.providers.standard.operators.python import PythonOperator
except ImportError:
    from airflow.operators.python import PythonOperator


def work_slowly(ds, **context):
    time.sleep(15)
    return ds


def summarize(ds, **context):
    return ds


def tick(ds, **context):
    return ds


with DAG(dag_id="fault_drill", schedule=None, start_date=datetime(2024, 1, 1), catchup=False):
    work = PythonOperator(task_id="work", python_callable=work_slowly, retries=6, retry_delay=timedelta(seconds=5))
    report = PythonOperator(task_id="report", python_callable=summarize, retries=0)
    work >> report

with DAG(dag_id="fault_watch", schedule=None, start_date=datetime(2024, 1, 1), catchup=False):
    PythonOperator(task_id="tick", python_callable=tick)
'''

SENSOR = "airflow__airflow_dag_status_sensor"
API_SERVER = {2: "webserver", 3: "api-server"}
DRILL_TAGS = {"dagster-airlift/airflow-dag-id": "fault_drill"}
OUTAGE_RUNS = 3


@dataclass
class Drill:
    sbs: SideBySide
    drill_run: str = ""  # the fault_drill run of the Dagster-outage test, reused by the failing-run test

    def airflow_cli(self, *args: str) -> subprocess.CompletedProcess:
        """``airflow <args>`` on the runtime's Airflow home and metadata: it works while the API is down."""
        home = Path(self.sbs.state.airflow_home)
        result = subprocess.run(
            [str(airflow_venv(self.sbs.version) / "bin" / "airflow"), *args],
            env=base_environment(self.sbs.version, home, home / "dags"),
            cwd=home,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"airflow {' '.join(args)}: {result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        return result

    def runs_seen_by_the_scheduler(self, dag_id: str) -> list[dict]:
        args = ["-d", dag_id] if self.sbs.version == 2 else [dag_id]
        out = self.airflow_cli("dags", "list-runs", *args, "-o", "json").stdout
        if "[{" not in out:  # Airflow's own log lines (`[2024-…] {…} INFO …`) come first; no runs yet
            return []
        return json.JSONDecoder().raw_decode(out[out.index("[{") :])[0]

    def log_text(self, dag_id: str, run_id: str, task_id: str, try_number: int) -> str:
        """A task try's log with everything in it (Airflow 3's structured events keep the error apart)."""
        airflow = self.sbs.state.airflow()
        if self.sbs.version == 2:
            return airflow.task_log(dag_id, run_id, task_id, try_number)
        path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}"
        response = airflow.request("GET", path, params={"full_content": "true"}, headers={"Accept": "application/json"})
        return json.dumps(response.json())

    def task(self, dag_id: str, run_id: str, task_id: str) -> dict:
        airflow = self.sbs.state.airflow()
        return next(t for t in airflow.task_instances(dag_id, run_id) if t["task_id"] == task_id)

    def wait_for_run_end(self, dag_id: str, run_id: str, timeout: float = 240) -> str:
        """The run's final state; retries in between are fine (the client's own wait stops at the first)."""
        airflow = self.sbs.state.airflow()
        return wait_for(
            f"{dag_id} run {run_id} finished",
            lambda: (
                airflow.dag_run(dag_id, run_id)["state"] in ("success", "failed")
                and airflow.dag_run(dag_id, run_id)["state"]
            ),
            timeout,
            interval=2,
        )


@pytest.fixture(scope="module", params=LINES)
def drill(request, tmp_path_factory) -> Drill:
    version = request.param
    root = copy_project(tmp_path_factory.mktemp(f"runtime-faults-{version}"))
    (root / "airflow_dags" / "fault_drills.py").write_text(DRILLS)
    converted = subprocess.run(
        [*CLI, "convert", str(root / "airflow_dags"), "--out", str(root / "dagster_defs")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert converted.returncode == 0, converted.stdout + converted.stderr
    with running_side_by_side(root, version) as sbs:
        yield Drill(sbs)


def test_airflow_api_down_is_reported_and_each_run_that_finished_meanwhile_is_observed_once(drill: Drill):
    sbs = drill.sbs
    airflow, dagster = sbs.state.airflow(), sbs.state.dagster()
    dates = [f"2024-01-0{day}T00:00:00+00:00" for day in range(2, 2 + OUTAGE_RUNS)]
    # Queued while the DAG is paused: they run only once it is unpaused, during the outage.
    run_ids = [airflow.trigger("fault_watch", date)["dag_run_id"] for date in dates]

    api = API_SERVER[sbs.version]
    side_by_side.stop_server(sbs.root, "airflow", api)
    outage_start = time.time()
    try:
        finish_runs_unseen(drill, run_ids, outage_start)
    finally:  # whatever happened, Airflow's API comes back for the tests that follow
        side_by_side.stop_server(sbs.root, "airflow", api)  # the execution-only server on Airflow 3
        back = time.time()
        side_by_side.start_server(sbs.root, "airflow", api)
    wait_until("Airflow's API answers again", lambda: airflow.dags(), timeout=120)

    def observed(key: list[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for event in dagster.materializations(key) or []:
            run_id = event["metadata"].get("Airflow Run ID")
            counts[run_id] = counts.get(run_id, 0) + 1
        return counts

    wait_for(
        "every run observed after the outage",
        lambda: (
            set(run_ids) <= set(observed(["airflow", "dag", "fault_watch"]))
            and set(run_ids) <= set(observed(["fault_watch", "tick"]))
        ),
        timeout=180,
    )
    # Let the sensor tick a few more times: nothing may be observed twice.
    wait_for(
        "two successful sensor ticks after the outage",
        lambda: (
            len(
                [
                    t
                    for t in dagster.sensor_ticks(side_by_side.LOCATION, SENSOR)[1]
                    if t["status"] in ("SUCCESS", "SKIPPED") and t["timestamp"] > back
                ]
            )
            >= 3
        ),
        timeout=180,
    )
    successes = [r for r in airflow.dag_runs("fault_watch") if r["state"] == "success"]
    assert len(successes) == OUTAGE_RUNS
    for key in (["airflow", "dag", "fault_watch"], ["fault_watch", "tick"]):
        assert observed(key) == {run_id: 1 for run_id in run_ids}, f"{key}: Airflow successes == materializations"


def test_dagster_webserver_down_fails_the_proxied_task_and_its_retry_makes_one_dagster_run(drill: Drill):
    sbs = drill.sbs
    airflow, dagster = sbs.state.airflow(), sbs.state.dagster()
    sbs.cli("proxy", "fault_drill", "work", "--force", "--reason", "fault drill")
    airflow.set_paused("fault_drill", False)
    run_id = airflow.trigger("fault_drill", "2024-01-15T00:00:00+00:00")["dag_run_id"]
    drill.drill_run = run_id
    tags = {**DRILL_TAGS, "dagster-airlift/airflow-dag-run-id": run_id, "dagster-airlift/airflow-task-id": "work"}

    wait_for(
        "the proxied task's Dagster run started",
        lambda: [r for r in dagster.runs(tags) if r["status"] == "STARTED"],
        timeout=180,
    )
    side_by_side.stop_server(sbs.root, "dagster", "webserver")
    try:
        wait_for(
            "the Airflow task failed and waits for its retry",
            lambda: drill.task("fault_drill", run_id, "work")["state"] == "up_for_retry",
            timeout=120,
        )
        first_try = drill.log_text("fault_drill", run_id, "work", 1)
        assert f"Dagster at {sbs.state.dagster_url} is unreachable" in first_try
    finally:  # whatever happened, Dagster's webserver comes back for the tests that follow
        side_by_side.start_server(sbs.root, "dagster", "webserver")
    wait_until("Dagster's webserver answers again", lambda: dagster.healthy())
    dagster.wait_for_location(side_by_side.LOCATION)
    assert drill.wait_for_run_end("fault_drill", run_id) == "success"

    work = drill.task("fault_drill", run_id, "work")
    assert work["state"] == "success" and "Proxy" in work["operator"]
    assert 2 <= work["try_number"] <= 7, "retried within its retry policy (retries=6)"
    assert "waiting for it instead of launching another" in drill.log_text(
        "fault_drill", run_id, "work", work["try_number"]
    )
    runs = dagster.runs(tags)
    assert [r["status"] for r in runs] == ["SUCCESS"], "one Dagster run for this task of this Airflow run"
    materialized = dagster.materializations(["fault_drill", "work"]) or []
    assert [e["runId"] for e in materialized] == [runs[0]["runId"]], "materialized once"


def test_a_failing_dagster_run_fails_the_proxied_task_and_rollback_gives_it_back(drill: Drill):
    sbs = drill.sbs
    airflow, dagster = sbs.state.airflow(), sbs.state.dagster()
    assert drill.drill_run, "needs the fault_drill run of the previous test"
    run_id = drill.drill_run
    sbs.cli("proxy", "fault_drill", "report", "--force", "--reason", "fault drill")
    module = Path(sbs.root) / "dagster_defs" / "dags" / "fault_drill.py"
    body = "return call_python(logic.summarize, airflow, dag=DAG)"
    assert body in module.read_text()
    module.write_text(module.read_text().replace(body, 'raise RuntimeError("fault drill: this translation is broken")'))
    dagster.reload(side_by_side.LOCATION)

    # `work` is cleared too: a cleared task starts a new retry cycle and must run again in Dagster.
    airflow.clear("fault_drill", run_id, ["work", "report"])
    assert drill.wait_for_run_end("fault_drill", run_id) == "failed"
    work_tags = {**DRILL_TAGS, "dagster-airlift/airflow-dag-run-id": run_id, "dagster-airlift/airflow-task-id": "work"}
    assert [r["status"] for r in dagster.runs(work_tags)] == ["SUCCESS", "SUCCESS"], "cleared, so run again"
    report = drill.task("fault_drill", run_id, "report")
    assert report["state"] == "failed" and "Proxy" in report["operator"]
    tags = {**DRILL_TAGS, "dagster-airlift/airflow-dag-run-id": run_id, "dagster-airlift/airflow-task-id": "report"}
    runs = dagster.runs(tags)
    assert [r["status"] for r in runs] == ["FAILURE"], "Dagster shows the failed run with the Airflow run's tags"
    log = drill.log_text("fault_drill", run_id, "report", report["try_number"])
    assert f"{sbs.state.dagster_url}/runs/{runs[0]['runId']} did not succeed" in log

    sbs.cli("rollback", "fault_drill", "report")
    airflow.clear("fault_drill", run_id, ["report"])
    assert drill.wait_for_run_end("fault_drill", run_id) == "success"
    report = drill.task("fault_drill", run_id, "report")
    assert report["state"] == "success" and report["operator"] == "PythonOperator"
    assert [r["status"] for r in dagster.runs(tags)] == ["FAILURE"], "no new Dagster run once it is back in Airflow"


def finish_runs_unseen(drill: Drill, run_ids: list[str], outage_start: float) -> None:
    """With Airflow's API down: the sensor reports it, the queued runs finish, Dagster observes none of them."""
    sbs, dagster = drill.sbs, drill.sbs.state.dagster()
    api = API_SERVER[sbs.version]

    def failed_ticks() -> list[dict]:
        ticks = dagster.sensor_ticks(side_by_side.LOCATION, SENSOR)[1]
        return [t for t in ticks if t["status"] == "FAILURE" and t["timestamp"] > outage_start]

    try:  # ticks come every few seconds, later on a loaded machine
        failed = wait_for("a sensor tick that reports the outage", failed_ticks, timeout=180)
    except AssertionError as exc:
        ticks = dagster.sensor_ticks(side_by_side.LOCATION, SENSOR)[1][:8]
        latest = [(t["status"], round(t["timestamp"] - outage_start)) for t in ticks]
        raise AssertionError(f"{exc}; latest ticks (status, seconds after the stop): {latest}") from exc
    assert f"Airflow at {sbs.state.airflow_url} is unreachable" in failed[0]["error"], failed[0]["error"]
    # Dagster's daemon loads the code location again every 60 s; the sensor must keep ticking past that.
    wait_for("75 s of outage", lambda: time.time() - outage_start > 75, timeout=90)
    wait_for(
        "a failed tick after the daemon's reload",
        lambda: [t for t in failed_ticks() if t["timestamp"] > outage_start + 65],
        timeout=60,
    )

    if sbs.version == 3:  # Airflow 3's tasks report through the API server: serve that part alone meanwhile
        side_by_side.start_server(sbs.root, "airflow", api, extra_args=("--apps", "execution"))
    drill.airflow_cli("dags", "unpause", "fault_watch")

    def all_finished() -> list[dict] | None:
        runs = [r for r in drill.runs_seen_by_the_scheduler("fault_watch") if r["state"] in ("success", "failed")]
        return runs if len(runs) == OUTAGE_RUNS else None

    finished = wait_for("the runs finished while Airflow's API is down", all_finished, timeout=180, interval=3)
    assert sorted(r["run_id"] for r in finished) == sorted(run_ids)
    assert {r["state"] for r in finished} == {"success"}

    status, ticks = dagster.sensor_ticks(side_by_side.LOCATION, SENSOR)
    assert status == "RUNNING", "the sensor stays on through the outage"
    assert server(sbs, "dagster", "daemon").alive(), "Dagster's daemon survives the outage"
    during = [t["status"] for t in ticks if t["timestamp"] > outage_start]
    assert "FAILURE" in during and not {"SUCCESS", "SKIPPED"} & set(during), during  # STARTED: still running
    for run_id in run_ids:
        assert not [
            e
            for e in dagster.materializations(["airflow", "dag", "fault_watch"]) or []
            if e["metadata"].get("Airflow Run ID") == run_id
        ], "nothing was observed while the API was down"
