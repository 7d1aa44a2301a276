"""The provider operators' verdicts in the support package (``support/providers.py``), case by case as Airflow's
operators decide them; the real-server runs are in tests/integration/test_provider_rules.py."""

from __future__ import annotations

from decimal import Decimal

import dagster as dg
import pytest

from converters.codegen.support import providers


def test_first_row_check_fails_on_no_row_or_a_falsy_value():
    assert providers.first_row_check("c", "q", [(1, "x", True)]).passed
    assert not providers.first_row_check("c", "q", [(1, 0)]).passed
    empty = providers.first_row_check("c", "q", [])
    assert not empty.passed and empty.description == "The following query returned zero rows: q"


@pytest.mark.parametrize(
    ("row", "pass_value", "tolerance", "passed"),
    [
        ((1000,), 1000, None, True),
        ((Decimal("1050"),), "1000", 0.1, True),  # within 10 % of 1000
        ((1200,), 1000, 0.1, False),
        ((-95,), -100, 0.1, True),  # the margin is on the absolute value
        (("ok", "ok"), "ok", None, True),  # text compares as text
        (("ok", "ko"), "ok", None, False),
        (("x",), 1, None, False),  # a number expected, text found: Airflow fails the conversion
    ],
)
def test_value_check_compares_like_airflow(row, pass_value, tolerance, passed):
    assert providers.value_check("v", "q", [row], pass_value, tolerance).passed is passed


def test_column_check_bounds_tolerance_and_null_results():
    mapping = {"id": {"null_check": {"equal_to": 0}, "min": {"geq_to": 10, "tolerance": 0.1}}}
    assert providers.column_check("c", "q", [("id", "null_check", 0), ("id", "min", 9)], mapping).passed
    failed = providers.column_check("c", "q", [("id", "null_check", 2), ("id", "min", 9)], mapping)
    assert not failed.passed and "Check: null_check" in failed.description
    # accept_none (default): a NULL result counts as 0; without it a NULL fails an equality
    assert providers.column_check("c", "q", [("id", "null_check", None)], mapping).passed
    assert not providers.column_check("c", "q", [("id", "null_check", None)], mapping, accept_none=False).passed


def test_column_and_table_check_queries_carry_partition_clauses():
    sql = providers.column_check_sql("t", {"a": {"max": {"less_than": 5, "partition_clause": "b > 0"}}}, "ds = 'x'")
    assert "MAX(a) AS a_max FROM t WHERE ds = 'x' AND b > 0" in sql
    sql = providers.table_check_sql("t", {"rows": {"check_statement": "COUNT(*) > 0"}}, None)
    assert "CASE WHEN COUNT(*) > 0 THEN 1 ELSE 0 END AS rows" in sql and "WHERE" not in sql


def test_table_check_true_like_results_and_accept_none():
    checks = {"rows": {"check_statement": "COUNT(*) > 0"}, "pos": {"check_statement": "x > 0"}}
    assert providers.table_check("t", "q", [("rows", 1), ("pos", "true")], checks).passed
    assert not providers.table_check("t", "q", [("rows", 1), ("pos", 0)], checks).passed
    assert not providers.table_check("t", "q", [], checks).passed
    assert providers.table_check("t", "q", [], checks, accept_none=True).passed


def test_sql_branch_follows_bool_int_and_boolean_strings():
    assert providers.sql_branch([(True,)], ["a"], ["b"]) == ["a"]
    assert providers.sql_branch([(0,)], ["a"], ["b"]) == ["b"]
    assert providers.sql_branch([("yes",)], "a", "b") == "a"
    with pytest.raises(dg.Failure):
        providers.sql_branch([("maybe",)], "a", "b")
    with pytest.raises(dg.Failure):
        providers.sql_branch([], "a", "b")
