"""Table fingerprints and the difference report of the parity gate, on small DuckDB files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

from converters.gates.tables import Warehouse, differences, fingerprint


def make(path: Path, rows: list[tuple]) -> Warehouse:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema mart")
        con.execute("create table mart.revenue (ds date, store varchar, amount double, total decimal(12, 2))")
        con.executemany("insert into mart.revenue values (?, ?, ?, ?)", rows)
        con.execute("create table mart.dims (store varchar)")
        con.execute("insert into mart.dims values ('a'), ('b')")
    return Warehouse(path, "2024-01-15", paths=[str(path.parent)])


ROWS = [("2024-01-15", "a", 0.1 + 0.2, Decimal("10.00")), ("2024-01-15", "b", 1.5, Decimal("2.50"))]


def test_order_and_float_noise_do_not_matter(tmp_path: Path):
    one = make(tmp_path / "one.duckdb", ROWS)
    two = make(tmp_path / "two.duckdb", [ROWS[1], ("2024-01-15", "a", 0.3, Decimal("10.0"))])
    assert one.fingerprints() == two.fingerprints()
    assert differences(one, two, "mart.revenue")["match"] is True


def test_only_the_date_is_compared_where_the_table_has_it(tmp_path: Path):
    one = make(tmp_path / "one.duckdb", ROWS)
    two = make(tmp_path / "two.duckdb", [*ROWS, ("2024-01-14", "a", 9.0, Decimal("9"))])
    assert differences(one, two, "mart.revenue")["match"] is True
    assert one.tables() == {"mart.dims": False, "mart.revenue": True}


def test_a_difference_names_the_rows(tmp_path: Path):
    one = make(tmp_path / "one.duckdb", ROWS)
    two = make(tmp_path / "two.duckdb", [ROWS[0], ("2024-01-15", "b", 1.5, Decimal("2.51"))])
    report = differences(one, two, "mart.revenue")
    assert report["match"] is False
    assert report["airflow"]["rows"] == report["dagster"]["rows"] == 2
    assert report["only_in_airflow"] == ["('2024-01-15', 'b', 1.5, '2.5')"]
    assert report["only_in_dagster"] == ["('2024-01-15', 'b', 1.5, '2.51')"]
    assert differences(one, Warehouse(tmp_path / "none.duckdb", "2024-01-15"), "mart.revenue")["detail"] == (
        "the table is missing on the Dagster side"
    )


def test_duplicates_count_and_data_paths_are_normalized():
    assert fingerprint([("x",)]) != fingerprint([("x",), ("x",)])
    assert fingerprint([("/data/a/export.csv",)], ["/data/a"]) == fingerprint([("/data/b/export.csv",)], ["/data/b"])
