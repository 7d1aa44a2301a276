"""The coverage survey (tests/tools/coverage.py): the numbers the real-estate issues set targets for.

The survey reads only what ``convert --json`` says; these tests check how it groups NONE reasons into causes and
families, since a wrong grouping would misreport the targets without failing anything else.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[1] / "tools" / "coverage.py"


@pytest.fixture(scope="module")
def coverage():
    spec = importlib.util.spec_from_file_location("coverage_survey", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("reason", "family"),
    [
        (
            "an estate operator calls Airflow APIs with no Dagster-side equivalent here: ops.X (ops.py:3): DagRun",
            "estate operator class",
        ),
        (
            "the operator class is chosen when its module is imported: common.Op = A if ENV else B",
            "estate operator class",
        ),
        (
            "an estate subclass replaces the execute() of its base: checks.C (checks.py:9) does not call X",
            "estate operator class",
        ),
        ("a pod argument holds code the scan could not evaluate: 'x' + f('_')", "argument is code"),
        ("the ssh connection id or the command is not a literal", "argument is code"),
        (
            "an argument's code calls common.db.params, whose module imports Airflow (absent in Dagster)",
            "argument is code",
        ),
        ("an argument's code uses Airflow APIs with no Dagster-side equivalent here: a.B", "argument is code"),
        ("pulls the XCom 'run_id' of 'pick', a value pushed under its own key, which no asset passes on", None),
        (
            "notify calls Airflow APIs with no Dagster-side equivalent here: airflow.utils.session.create_session",
            "Airflow API in a callable",
        ),
        ("a SubDag", None),
        ("needs the value of 'load', which is not an asset with a value in Dagster", None),
    ],
)
def test_none_reasons_fall_in_the_family_the_issues_count(coverage, reason, family):
    assert coverage.family_of(coverage.cause_of({"reason": reason, "operator": "x.Y"})) == family


def test_the_table_prints_each_family_and_the_issue_16_sum(coverage):
    results = [
        {
            "estate": "estate_a",
            "dags": 1,
            "tasks": 10,
            "traceback": False,
            "counts": {"MECH": 5, "JUDG": 2, "REDESIGN": 0, "LIFT": 0, "NONE": 3},
            "none_causes": {
                "a pod argument holds code the scan could not evaluate": 1,
                "X calls Airflow APIs with no Dagster-side equivalent here": 1,
                "a SubDag": 1,
            },
            "no_rule_operators": {},
        }
    ]
    text = coverage.markdown(results, "python tests/tools/coverage.py corpus")
    assert "| 1 | 10.0 % | argument is code |" in text
    assert "| 1 | 10.0 % | Airflow API in a callable |" in text
    assert "| 0 | 0.0 % | estate operator class |" in text
    assert "| 2 | 20.0 % | argument is code + Airflow API in a callable |" in text
    assert "| **all** | 1 | 10 | 5 (50 %) | 2 (20 %) | 0 (0 %) | 0 (0 %) | 3 (30 %) | 70 % | |" in text
