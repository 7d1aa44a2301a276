"""`make demo DB=postgres`'s story, as a user runs it: the CLI verb on each Airflow line, real servers throughout, both
sides' metadata in PostgreSQL and Airflow's LocalExecutor running tasks in parallel (the SQLite runtime is covered
by the other integration tests that start it).

The demo must complete every step (set up → scan → lift → convert → runtime up → run in Airflow → observe → gates →
proxy wave 1 → run proxied → parity → run concurrently → rollback and forward → gates before decommission → proxy
before decommission → decommission → modernize → report), leave no server running without --keep-running, and
produce a report that shows the proxied wave and the gates it passed, the lifted tasks (LIFT), the decommissioned
DAGs and the modernized one. On PostgreSQL its steps also check concurrency: the gates run while airlift's sensor
ticks, two proxied tasks of different DAGs run at the same time, and every Airflow run and proxied task is exactly
one observation / Dagster run / materialization.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from converters.demo import DECOMMISSION_DAG, DECOMMISSION_DAGS, MODERNIZE_DAG, demo_dir
from converters.runtime import side_by_side
from tests.e2e.chromium import Browser
from tests.integration.conftest import LINES

STEPS = [
    "set up",
    "scan",
    "lift",
    "convert",
    "runtime up",
    "run in Airflow",
    "observe",
    "gates",
    "proxy wave 1",
    "run proxied",
    "parity",
    "run concurrently",
    "rollback and forward",
    "gates before decommission",
    "proxy before decommission",
    "decommission",
    "modernize",
    "report",
]


def failure_of(done: subprocess.CompletedProcess) -> str:
    """Why the demo failed, failing steps first (name and detail, in full), then the output's tail."""
    try:
        steps = json.loads(done.stdout)["steps"]
    except (ValueError, KeyError, TypeError):
        steps = []
    failed = [f"step {s['name']!r} failed: {s['detail']}" for s in steps if not s.get("ok")]
    done_steps = "steps done: " + ", ".join(s["name"] for s in steps if s.get("ok"))
    return "\n".join([*failed, done_steps, "output's tail:", (done.stdout + done.stderr)[-4000:]])


@pytest.mark.parametrize("version", LINES)  # in its line's xdist group: .runtime/demo/airflow<N>/ is per line
def test_the_demo_tells_the_whole_story(version, tmp_path, record_property):
    done = subprocess.run(
        [sys.executable, "-m", "converters", "demo", "--airflow", str(version), "--db", "postgres", "--json"],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    project = demo_dir(version) / "project"
    try:
        assert done.returncode == 0, failure_of(done)
        assert "nanobind" not in done.stderr, "the demo ends with its summary, not interpreter-exit leak reports"
        result = json.loads(done.stdout)
        # Where the suite's longest test spends its time: in build/test-results.xml, one property per step.
        for s in result["steps"]:
            record_property(f"seconds {s['name']}", s["seconds"])
        assert [s["name"] for s in result["steps"]] == STEPS
        assert all(s["ok"] for s in result["steps"]), [s for s in result["steps"] if not s["ok"]]
        assert result["database"] == "postgres"
        detail = {s["name"]: s["detail"] for s in result["steps"]}
        assert "metadata in PostgreSQL" in detail["runtime up"]
        assert "each exactly once" in detail["observe"]
        assert "sensor ticked" in detail["gates"]
        assert "materializing each of its assets once" in detail["run proxied"]
        assert "the proxied tasks ran at once for" in detail["run concurrently"], detail["run concurrently"]
        assert "orders_daily" in result["proxied"]
        # The DAG to decommission: its untranslated operators lifted before convert, gated (LIFT included),
        # proxied whole and run again in Dagster, then switched off in Airflow.
        assert "lifted (LIFT)" in detail["lift"] and DECOMMISSION_DAG in detail["lift"]
        assert "LIFT" in detail["gates before decommission"]
        assert "every table equals the pure-Airflow run's" in detail["proxy before decommission"]
        for dag_id in DECOMMISSION_DAGS:
            assert f"{dag_id}: paused in Airflow" in detail["decommission"], detail["decommission"]
            assert dag_id not in result["proxied"], "a decommissioned DAG is no longer proxied: it left Airflow"
            assert "proxying_to_dagster(" not in (project / "airflow_dags" / f"{dag_id}.py").read_text()
        assert detail["decommission"].count("status: decommissioned") == len(DECOMMISSION_DAGS)
        state = json.loads((project / "migration" / "state.json").read_text())
        assert sorted(state["decommissioned"]) == sorted(DECOMMISSION_DAGS)
        # The modernized DAG: idiomatic Dagster, its quality task an asset check that ran, the same data.
        assert "check_rates now an asset check that ran" in detail["modernize"], detail["modernize"]
        assert "tables with the same rows and checksums" in detail["modernize"]
        module = (project / "dagster_defs" / "dags" / f"{MODERNIZE_DAG}.py").read_text()
        assert not [name for name in ("load_logic", "call_python", "task_context") if name in module]
        assert "@dg.asset_check(" in module
        assert side_by_side.load_state(project) is None, "without --keep-running the runtime is stopped"
        # What a user sees afterwards, from the CLI: the DAG modernized, each of its tasks in that state.
        status = subprocess.run(
            [sys.executable, "-m", "converters", "status", "--json", "--project", str(project)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert status.returncode == 0, status.stderr
        modern = next(d for d in json.loads(status.stdout)["dags"] if d["dag_id"] == MODERNIZE_DAG)
        assert modern["modernized"] and {t["state"] for t in modern["tasks"]} == {"modernized"}

        report = json.loads((Path(result["report"]).parent / "report.json").read_text())
        wave_one = next(w for w in report["waves"]["waves"] if w["wave"] == 1)
        states = {(t["dag_id"], t["task_id"]): t["state"] for t in wave_one["tasks"]}
        proxied = {  # a DAG proxied whole ("*") hands over all of its wave-1 tasks
            key
            for dag_id, tasks in result["proxied"].items()
            for key in states
            if key[0] == dag_id and (tasks == ["*"] or key[1] in tasks)
        }
        assert len(proxied) >= sum(len(t) for t in result["proxied"].values() if t != ["*"])
        assert proxied and all(states[key] == "proxied" for key in proxied), states
        tasks = {(t["dag_id"], t["task_id"]): t for t in report["dispositions"]["tasks"]}
        for key in proxied:
            gates = tasks[key]["gates"]
            assert sorted(gates) == ["1", "2", "3", "4", "5", "6"], key
            assert {g["status"] for g in gates.values()} <= {"pass", "n/a"}, (key, gates)
        assert report["progress"]["proxied"] == len(proxied)
        assert report["progress"]["decommissioned_dags"] == len(DECOMMISSION_DAGS)
        assert report["progress"]["modernized_dags"] == [MODERNIZE_DAG]
        lifted = [t for t in tasks.values() if t["disposition"] == "LIFT"]
        assert report["dispositions"]["counts"]["LIFT"] == len(lifted) >= 2
        assert {t["dag_id"] for t in lifted} == {DECOMMISSION_DAG}
        assert f"{len(lifted)} LIFT tasks" in detail["report"]
        assert report["progress"]["forced"] == [], "wave 1 was proxied without --force"
        burndown = report["progress"]["burndown"]
        retired = sum(1 for t in tasks.values() if t["dag_id"] in DECOMMISSION_DAGS and not t["passthrough"])
        assert burndown[-1]["remaining"] == report["progress"]["movable"] - len(proxied) - retired

        with Browser() as browser:
            page = browser.load(Path(result["report"]).as_uri())
            assert page.errors == []
            shown = browser.evaluate("document.querySelector('[data-figure=proxied_tasks]').textContent")
            assert int(shown) == len(proxied)
            gate_links = browser.evaluate("document.querySelectorAll('#progress a[href^=\"#ev-\"]').length")
            assert gate_links >= 6 * len(proxied), "every gate result links to its evidence"
            browser.screenshot(tmp_path / f"demo-report-airflow{version}.png")
    finally:
        side_by_side.down(project)
