"""Real Airflow servers for the integration tests: one per Airflow line, running the whole example estate once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from converters.runtime.airflow import AirflowInstance, start_airflow, stop_airflow
from converters.runtime.example_estate import DEFAULT_LOGICAL_DATE, RunOutcome, run_example_estate

AIRFLOW_LINES = [int(v) for v in os.environ.get("A2D_TEST_AIRFLOW_LINES", "2,3").split(",")]


def line_params() -> list:
    """One param per Airflow line for fixtures (and parametrized tests) that start servers of that line.

    Each carries ``xdist_group("airflow<N>")``: under `make test` (``-n 2 --dist loadgroup``) every test of one line
    runs in one worker, in collection order, so a module's per-line fixture starts its servers once and the lines
    run side by side in two workers. Nothing keyed by the line (the demo's ``.runtime/demo/airflow<N>/``) is used
    by two workers at once; everything else a server test writes is in its own temporary folder."""
    return [pytest.param(v, id=f"airflow{v}", marks=pytest.mark.xdist_group(f"airflow{v}")) for v in AIRFLOW_LINES]


LINES = line_params()


@dataclass
class EstateRun:
    instance: AirflowInstance
    ds: str
    outcomes: list[RunOutcome]

    def runs_of(self, dag_id: str) -> list[RunOutcome]:
        return [o for o in self.outcomes if o.dag_id == dag_id]

    def only_run(self, dag_id: str) -> RunOutcome:
        runs = self.runs_of(dag_id)
        assert len(runs) == 1, f"expected one {dag_id} run, got {[r.run_id for r in runs]}"
        return runs[0]

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.instance.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


# Module-scoped: test_example_estate.py is its only user today, and a server kept until the worker ends would
# cost CPU for the rest of its line's tests. A second module that wants these runs makes it session-scoped; the
# line's xdist group keeps every user of it in one worker, so it still starts once per line.
@pytest.fixture(scope="module", params=LINES)
def estate(request, tmp_path_factory) -> EstateRun:
    version = request.param
    home: Path = tmp_path_factory.mktemp(f"airflow{version}-home")
    instance = start_airflow(version, home)
    try:
        outcomes = run_example_estate(
            instance, DEFAULT_LOGICAL_DATE, on_event=lambda m: print(f"[airflow {version}] {m}")
        )
        yield EstateRun(instance, DEFAULT_LOGICAL_DATE, outcomes)
    finally:
        stop_airflow(instance)
