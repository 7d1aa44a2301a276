"""`verify --dagbag --airflow-python PATH`: the DagBag is loaded by another Airflow venv's interpreter."""

from __future__ import annotations

import stat

import pytest

from converters.dagbag.reconcile import load_dagbag
from converters.runtime.envs import EnvironmentMissing


def _fake_python(venv):
    """A stand-in interpreter: writes the dump the real dumper would, with the venv it ran in."""
    python = venv / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(
        '#!/bin/sh\nprintf \'{"airflow_version": "%s", "dags": [], "import_errors": {}}\' "$VIRTUAL_ENV" > "$3"\n'
    )
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    return python


def test_load_dagbag_runs_the_given_interpreter_in_its_venv(tmp_path):
    python = _fake_python(tmp_path / "other-venv")
    (tmp_path / "dags").mkdir()
    bag = load_dagbag(tmp_path / "dags", 2, timeout=30, airflow_python=python)
    assert bag["airflow_version"] == str(tmp_path / "other-venv")  # VIRTUAL_ENV (and PATH) name that venv


def test_an_airflow_python_outside_a_venv_bin_is_refused(tmp_path):
    (tmp_path / "dags").mkdir()
    with pytest.raises(EnvironmentMissing, match="not a Python interpreter"):
        load_dagbag(tmp_path / "dags", 2, airflow_python=tmp_path / "nowhere" / "python")


def test_verify_cli_offers_airflow_python():
    from typer.testing import CliRunner

    from converters.cli import app

    result = CliRunner().invoke(app, ["verify", "--help"], env={"COLUMNS": "200"})
    assert "--airflow-python" in result.output
