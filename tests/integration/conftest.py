"""Real Airflow servers for the integration tests: one runtime per Airflow line, running the whole example estate
once for the modules that check it (test_example_estate.py, then test_gates.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from converters.runtime import side_by_side
from converters.runtime.airflow_api import AirflowClient
from converters.runtime.envs import project_root
from converters.runtime.example_estate import DEFAULT_LOGICAL_DATE, RunOutcome, run_example_estate
from tests.integration.runtime_helpers import copy_project

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
class RuntimeAirflow:
    """What the example-estate checks read of the Airflow that ran it: the side-by-side runtime's."""

    version: int
    state: side_by_side.RuntimeState

    @property
    def home(self) -> Path:  # AIRFLOW_HOME: `wait_for_dags` nudges the files of its dags/ view
        return Path(self.state.airflow_home)

    @property
    def data_dir(self) -> Path:
        return Path(self.state.data_dir)

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    def client(self) -> AirflowClient:
        return self.state.airflow()


@dataclass
class EstateRun:
    root: Path  # the project copy the runtime serves
    instance: RuntimeAirflow
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


_ESTATES: dict[int, EstateRun] = {}


def estate_on(version: int, tmp_path_factory) -> EstateRun:
    """The example estate run once in Airflow for ``DEFAULT_LOGICAL_DATE``, in the side-by-side runtime of a copy
    of the project (real Airflow and Dagster, peered; metadata in PostgreSQL, so Airflow's LocalExecutor runs the
    estate's tasks in parallel on both lines, as production does: Airflow 2 on SQLite ran its 46 tasks one after
    the other; the SQLite runtime is covered by test_side_by_side.py and test_runtime_faults.py). Started by the
    first module of the line that asks for it (test_example_estate.py checks what Airflow wrote), kept for the
    next (test_gates.py gates every task against those runs), stopped by `release_estate` or at the end of the
    session: one Airflow start and one run of the whole estate per line instead of one per module. The line's
    xdist group keeps both modules in one worker, in collection order."""
    if version in _ESTATES:
        return _ESTATES[version]
    root = copy_project(tmp_path_factory.mktemp(f"estate-{version}"))
    (root / "migration" / "gates.json").write_bytes((project_root() / "migration" / "gates.json").read_bytes())
    up = subprocess.run(
        [
            *(sys.executable, "-m", "converters", "runtime", "up", "--airflow", str(version)),
            *("--db", "postgres", "--project", str(root)),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    state = side_by_side.load_state(root)
    if up.returncode != 0 or state is None:
        side_by_side.down(root)
        raise AssertionError(f"runtime up failed:\n{up.stdout}\n{up.stderr}")
    instance = RuntimeAirflow(version, state)
    try:
        outcomes = run_example_estate(
            instance, DEFAULT_LOGICAL_DATE, on_event=lambda m: print(f"[airflow {version}] {m}")
        )
    except BaseException:
        side_by_side.down(root)
        raise
    _ESTATES[version] = EstateRun(root, instance, DEFAULT_LOGICAL_DATE, outcomes)
    return _ESTATES[version]


def release_estate(version: int) -> None:
    """Stop the line's estate runtime (its last user is done)."""
    run = _ESTATES.pop(version, None)
    if run is not None:
        side_by_side.down(run.root)


@pytest.fixture(scope="session", autouse=True)
def _estates_stopped():
    """Whatever module used it last, no estate runtime outlives the session (e.g. `-k` left test_gates out)."""
    yield
    for version in list(_ESTATES):
        release_estate(version)


@pytest.fixture(scope="module", params=LINES)
def estate(request, tmp_path_factory) -> EstateRun:
    """The line's estate runtime, left running for test_gates.py."""
    return estate_on(request.param, tmp_path_factory)
