"""The three venvs exist as the design wants them: each stack installed, the two worlds kept apart."""

from __future__ import annotations

import subprocess

import pytest

from converters.runtime.envs import AIRFLOW_LINES, airflow_venv, venv_dir


def run_python(venv, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize("line", sorted(AIRFLOW_LINES))
def test_airflow_venv_has_its_line_cosmos_and_airlift_in_airflow_but_not_dagster(line):
    result = run_python(
        airflow_venv(line),
        "import importlib.metadata as m, importlib.util as u;"
        "print(m.version('apache-airflow'), m.version('astronomer-cosmos'), m.version('dagster-airlift'),"
        " m.version('dbt-core'), u.find_spec('dagster') is None)",
    )
    assert result.returncode == 0, result.stderr
    airflow, cosmos, airlift, dbt, no_dagster = result.stdout.split()
    assert airflow == AIRFLOW_LINES[line]
    assert cosmos and airlift
    assert dbt < "1.12"
    assert no_dagster == "True", "code that runs inside Airflow must not be able to import Dagster"


def test_dagster_venv_imports_dagster_airlift_core_and_dbt_but_not_airflow():
    result = run_python(
        venv_dir("dagster"),
        "import dagster, dagster_airlift.core, dagster_dbt, dagster_webserver, duckdb, libcst, converters;"
        "import importlib.util as u; print(dagster.__version__, u.find_spec('airflow') is None)",
    )
    assert result.returncode == 0, result.stderr
    version, no_airflow = result.stdout.split()
    assert version == "1.13.27"
    assert no_airflow == "True"
