"""The convert, rules and scan verbs as a user runs them: exit codes, JSON, files written."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from converters.cli import app

runner = CliRunner()

DAG = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from acme.operators import ReportOperator

with DAG("daily", schedule="@daily", start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="hello", bash_command="echo {{ ds }}") >> ReportOperator(task_id="report")
"""


def test_convert_writes_a_package_and_reports_every_task(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "daily.py").write_text(DAG)
    result = runner.invoke(app, ["convert", str(dags), "--out", str(tmp_path / "out_defs"), "--json", "-"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    tasks = {t["task_id"]: t for t in plan["dags"][0]["tasks"]}
    assert tasks["hello"]["disposition"] == "MECH" and tasks["hello"]["rule"] == "bash.command"
    assert (
        tasks["report"]["disposition"] == "NONE"
        and "no rule for acme.operators.ReportOperator" in tasks["report"]["reason"]
    )
    assert plan["counts"] == {"MECH": 1, "JUDG": 0, "LIFT": 0, "REDESIGN": 0, "NONE": 1}
    module = (tmp_path / "out_defs" / "dags" / "daily.py").read_text()
    assert "report = dg.AssetSpec(" in module and "Stays in Airflow" in module
    assert 'run_bash(context, airflow, "echo {{ ds }}", dag=DAG)' in module


def test_convert_refuses_a_missing_folder(tmp_path):
    result = runner.invoke(app, ["convert", str(tmp_path / "nope"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "not a folder" in result.output


def test_convert_exits_1_when_a_hand_edited_file_is_kept(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "daily.py").write_text(DAG)
    out = tmp_path / "out_defs"
    assert runner.invoke(app, ["convert", str(dags), "--out", str(out)]).exit_code == 0
    (out / "definitions.py").write_text((out / "definitions.py").read_text() + "# mine\n")
    result = runner.invoke(app, ["convert", str(dags), "--out", str(out)])
    assert result.exit_code == 1
    assert "definitions.py was edited by hand" in result.output
    assert (out / "definitions.py.new").exists()


def test_rules_lists_every_native_rule_as_json():
    result = runner.invoke(app, ["rules", "--json"])
    assert result.exit_code == 0
    names = {row["rule"] for row in json.loads(result.output)}
    assert {"python.callable", "bash.command", "sql.execute", "dbt.cosmos", "fallback"} <= names


def test_scan_json_carries_the_rules_dispositions(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "daily.py").write_text(DAG)
    result = runner.invoke(app, ["scan", str(dags), "--json", "-"])
    assert result.exit_code == 0
    tasks = json.loads(result.output)["dags"][0]["tasks"]
    assert [(t["task_id"], t["disposition"]) for t in tasks] == [("hello", "MECH"), ("report", "NONE")]
