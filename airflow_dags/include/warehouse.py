"""Access to the team's DuckDB warehouse.

DuckDB lets one process at a time open a file for writing. Tasks that write run in the
``warehouse`` pool (one slot), and ``connect`` waits for the file lock instead of failing
when another process (a test reading results, a dbt run) holds it for a moment.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

# airflow_dags/include/warehouse.py -> repository root / .data
DEFAULT_WAREHOUSE = Path(__file__).resolve().parents[2] / ".data" / "warehouse.duckdb"
LOCK_WAIT_SECONDS = 120


def warehouse_path() -> Path:
    return Path(os.environ.get("WAREHOUSE_PATH") or DEFAULT_WAREHOUSE)


def connect(read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = warehouse_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            # Only a held lock is worth waiting for; anything else is a real error.
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def replace_partition(table: str, columns: dict[str, str], ds: str, rows: list[tuple]) -> int:
    """Idempotently replace one logical date's rows of ``table`` (``schema.name``).

    ``columns`` maps column name to DuckDB type and must include ``ds``. Returns the row count.
    """
    schema = table.split(".")[0]
    names = list(columns)
    with connect() as con:
        con.execute(f"create schema if not exists {schema}")
        spec = ", ".join(f"{name} {sql_type}" for name, sql_type in columns.items())
        con.execute(f"create table if not exists {table} ({spec})")
        con.execute(f"delete from {table} where ds = ?", [ds])
        if rows:
            placeholders = ", ".join("?" for _ in names)
            con.executemany(f"insert into {table} ({', '.join(names)}) values ({placeholders})", rows)
    return len(rows)
