"""`make bench`'s harness on a 100-DAG synthetic estate, as CI's smoke test: every measure is printed with its
baseline from the same run and the ratio. No timing is asserted here; speed is `make bench`'s business
(docs/benchmarks.md). The two side-by-side runtime measures are left out (`--no-runtime`): the runtime itself
is exercised by test_side_by_side.py, and they would add minutes. The lift overhead needs no server: it runs,
with two materializations of each asset (`--lift-runs 2`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from converters.bench.runner import LIFT_MEASURE

pytestmark = pytest.mark.integration

MEASURES_WITH_A_BASELINE = {
    "scan cold": "ast.parse (read + parse, 1 process)",
    "scan again, nothing changed": "scan cold",
    "factory estate: scan cold": "ast.parse (read + parse, 1 process)",
    "factory estate: scan again, nothing changed": "factory estate: scan cold",
    "scan Airflow 2's example DAGs": "DagBag fill (Airflow 2 venv)",
    "convert (scan + plan + generate + format)": "scan cold",
    "load the generated location": "a location of",
    LIFT_MEASURE: "the same PythonOperator task as a MECH asset",
}


def test_the_bench_prints_every_measure_with_its_baseline_and_ratio(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "converters.bench",
            "--files",
            "100",
            "--no-runtime",
            "--lift-runs",
            "2",
            "--work",
            str(tmp_path),
            "--json",
            str(tmp_path / "bench.json"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    assert result.returncode == 0, f"bench exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    report = json.loads((tmp_path / "bench.json").read_text())
    assert report["estate"]["files"] == 100 and report["estate"]["tasks"] >= 100 * 15
    by_name = {m["name"]: m for m in report["measures"]}
    assert set(by_name) == set(MEASURES_WITH_A_BASELINE)
    for name, baseline in MEASURES_WITH_A_BASELINE.items():
        measure = by_name[name]
        assert measure["baseline_name"].startswith(baseline)
        assert measure["seconds"] > 0 and measure["baseline_seconds"] > 0
        assert measure["ratio"] == pytest.approx(measure["seconds"] / measure["baseline_seconds"])
        assert measure["met"] in (True, False), f"{name}: its goal was checked"
        assert name in result.stdout, "the table shows it"
    # The measures measured the estate, not nothing: every DAG scanned, every task converted.
    assert f"{report['estate']['dags']} DAGs" in by_name["scan cold"]["note"]
    assert f"{report['estate']['tasks']} tasks" in by_name["scan cold"]["note"]
    assert "0 problems" in by_name["convert (scan + plan + generate + format)"]["note"]
    # The factory estate's DAGs are built in a sibling module: the scan found every one of them.
    assert "100 of 100 DAGs" in by_name["factory estate: scan cold"]["note"]
    # The lifted task ran through Airflow's own code in the Airflow venv (its CPU time is the Airflow process's).
    assert "median of 2 materializations each, Airflow 2" in by_name[LIFT_MEASURE]["note"]
    assert "Airflow process CPU 0.00 s" not in by_name[LIFT_MEASURE]["note"]
