"""Table fingerprints for the parity and idempotency gates: row count and an order-independent checksum.

Each row is normalized before hashing, the same way on both sides:

- floats are rounded to ``FLOAT_DIGITS`` significant digits (9: a relative tolerance of about 1e-9, enough to
  absorb summation order and driver round-trips, far below any money or count difference);
- decimals, dates and times are written in their canonical text form;
- each side's own data folder (a path an export wrote into a table) is replaced by ``<data>``.

The checksum is the sum of the rows' SHA-256 values modulo 2**64, so row order never matters but every
duplicate does. Only rows of the logical date are read when the table has the date column (``ds`` by
default); other tables are read whole.

DuckDB here; Postgres or Snowflake plug in through the same three queries (list tables, list columns, select
rows) on a DB-API connection.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

FLOAT_DIGITS = 9
SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "main"}


@dataclass(frozen=True)
class Fingerprint:
    rows: int
    checksum: str

    def to_json(self) -> dict:
        return {"rows": self.rows, "checksum": self.checksum}


def normalize(value: Any, paths: Iterable[str] = ()) -> Any:
    if isinstance(value, float):
        return float(f"{value:.{FLOAT_DIGITS}g}")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 2.50 and 2.5 are one value; 1E+1 is written 10
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, str):
        for path in paths:
            value = value.replace(path, "<data>")
        return value
    if isinstance(value, list | tuple):
        return [normalize(v, paths) for v in value]
    if isinstance(value, dict):
        return {k: normalize(v, paths) for k, v in value.items()}
    return value


def row_text(row: tuple, paths: Iterable[str] = ()) -> str:
    return repr(tuple(normalize(v, paths) for v in row))


def fingerprint(rows: Iterable[tuple], paths: Iterable[str] = ()) -> Fingerprint:
    total, count = 0, 0
    for row in rows:
        digest = hashlib.sha256(row_text(row, paths).encode("utf-8")).digest()
        total = (total + int.from_bytes(digest[:8], "big")) % 2**64
        count += 1
    return Fingerprint(count, f"{total:016x}")


class Warehouse:
    """Read-only access to one DuckDB warehouse file, rows filtered to one logical date where possible."""

    def __init__(self, path: Path, date: str, date_column: str = "ds", paths: Iterable[str] = ()) -> None:
        self.path, self.date, self.date_column, self.paths = Path(path), date, date_column, tuple(paths)

    def _connect(self):
        import duckdb

        return duckdb.connect(str(self.path), read_only=True)

    def tables(self) -> dict[str, bool]:
        """``schema.table`` → whether it has the date column."""
        if not self.path.exists():
            return {}
        with self._connect() as con:
            found = con.execute(
                "select table_schema, table_name, bool_or(column_name = ?) from information_schema.columns "
                "group by 1, 2 order by 1, 2",
                [self.date_column],
            ).fetchall()
        return {f"{s}.{t}": bool(dated) for s, t, dated in found if s not in SYSTEM_SCHEMAS or s == "main"}

    def rows(self, table: str, dated: bool) -> list[tuple]:
        schema, name = table.split(".", 1)
        where = f' where "{self.date_column}" = ?' if dated else ""
        with self._connect() as con:
            return con.execute(f'select * from "{schema}"."{name}"{where}', [self.date] if dated else []).fetchall()

    def fingerprints(self) -> dict[str, Fingerprint]:
        return {table: fingerprint(self.rows(table, dated), self.paths) for table, dated in self.tables().items()}


def differences(airflow: Warehouse, dagster: Warehouse, table: str, limit: int = 5) -> dict:
    """Per table: both fingerprints and, when they differ, the first rows only one side has."""
    airflow_tables, dagster_tables = airflow.tables(), dagster.tables()
    if table not in airflow_tables or table not in dagster_tables:
        missing = "Airflow" if table not in airflow_tables else "Dagster"
        return {"table": table, "match": False, "detail": f"the table is missing on the {missing} side"}
    left = airflow.rows(table, airflow_tables[table])
    right = dagster.rows(table, dagster_tables[table])
    a, b = fingerprint(left, airflow.paths), fingerprint(right, dagster.paths)
    report = {"table": table, "match": a == b, "airflow": a.to_json(), "dagster": b.to_json()}
    if a != b:
        left_text = [row_text(r, airflow.paths) for r in left]
        right_text = [row_text(r, dagster.paths) for r in right]
        only_left, only_right = _multiset_difference(left_text, right_text), _multiset_difference(right_text, left_text)
        report["only_in_airflow"] = sorted(only_left)[:limit]
        report["only_in_dagster"] = sorted(only_right)[:limit]
    return report


def _multiset_difference(left: list[str], right: list[str]) -> list[str]:
    remaining: dict[str, int] = {}
    for row in right:
        remaining[row] = remaining.get(row, 0) + 1
    extra = []
    for row in left:
        if remaining.get(row):
            remaining[row] -= 1
        else:
            extra.append(row)
    return extra
