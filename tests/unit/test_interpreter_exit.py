"""A process that scanned an estate exits quietly: what the scan froze away from the cyclic collector is
unfrozen at exit, so extension modules imported before it (DuckDB, in the demo and the gates) are torn down
and nanobind reports no leaked objects (the demo's last screen ends with its summary)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DAG = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("{dag_id}", schedule=None, start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="hello", bash_command="echo hello")
"""

SCRIPT = """
import sys
from pathlib import Path

import duckdb  # before the scan, as converters.demo imports it

from converters.inventory.project import scan_project

scan_project(Path(sys.argv[1]), jobs=int(sys.argv[2]), cache_dir=Path(sys.argv[3]))
with duckdb.connect(":memory:") as con:
    assert con.execute("select 1").fetchall() == [(1,)]
print("scanned")
"""


def test_a_process_that_scanned_exits_without_nanobind_leak_reports(tmp_path: Path):
    dags = tmp_path / "dags"
    dags.mkdir()
    for index in range(10):  # more than 8 files: the parallel path, as on a real estate
        (dags / f"dag_{index}.py").write_text(DAG.format(dag_id=f"dag_{index}"))
    for jobs in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(dags), jobs, str(tmp_path / f"cache-{jobs}")],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0 and done.stdout.strip() == "scanned", done.stderr[-3000:]
        assert "nanobind" not in done.stderr, done.stderr[:2000]
