"""``airflow-to-dagster demo``: the migration story on the bundled example estate.

At this stage of the product the story is the brownfield itself: start a real Airflow from the
project's venv, run every example DAG for one logical date, and show what ran and what it wrote.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from converters.runtime.airflow import AirflowInstance, start_airflow, stop_airflow
from converters.runtime.envs import project_root
from converters.runtime.example_estate import DEFAULT_LOGICAL_DATE, RunOutcome, run_example_estate


@dataclass(frozen=True)
class DemoResult:
    airflow_version: int
    airflow_url: str
    username: str
    password: str
    warehouse: Path
    logical_date: str
    runs: list[RunOutcome]
    tables: dict[str, int]
    kept_running: bool
    process_groups: list[int]

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(run.state == "success" for run in self.runs)


def demo_home(version: int) -> Path:
    return project_root() / ".runtime" / f"demo-airflow{version}"


def run_demo(
    version: int,
    logical_date: str = DEFAULT_LOGICAL_DATE,
    keep_running: bool = False,
    on_event: Callable[[str], None] = lambda message: None,
) -> DemoResult:
    home = demo_home(version)
    data_dir = project_root() / ".data" / f"demo-airflow{version}"
    # Each demo starts from nothing, so it shows the same story every time.
    for folder in (home, data_dir):
        shutil.rmtree(folder, ignore_errors=True)
    on_event(f"starting Airflow {version} (SQLite metadata in {home}, warehouse in {data_dir})")
    instance = start_airflow(version, home, data_dir=data_dir)
    on_event(f"Airflow {version} is healthy at {instance.url}")
    try:
        runs = run_example_estate(instance, logical_date, on_event=on_event)
        tables = warehouse_tables(instance)
    finally:
        if not keep_running:
            stop_airflow(instance)
            on_event("Airflow stopped")
    return DemoResult(
        airflow_version=version,
        airflow_url=instance.url,
        username=instance.username,
        password=instance.password,
        warehouse=instance.warehouse,
        logical_date=logical_date,
        runs=runs,
        tables=tables,
        kept_running=keep_running,
        process_groups=[p.pid for p in instance.processes],
    )


def warehouse_tables(instance: AirflowInstance) -> dict[str, int]:
    """Row counts of every table the runs wrote, by ``schema.table``."""
    with duckdb.connect(str(instance.warehouse), read_only=True) as con:
        names = con.execute("select table_schema, table_name from information_schema.tables order by 1, 2").fetchall()
        return {f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in names}
