"""The side-by-side verbs without servers: exit codes, messages, JSON (the live behaviour is in
tests/integration/test_side_by_side.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
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


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "airflow_dags").mkdir()
    (tmp_path / "airflow_dags" / "daily.py").write_text(DAG)
    monkeypatch.delenv("AIRFLOW_URL", raising=False)
    return tmp_path


def run(*args: str) -> object:
    return runner.invoke(app, list(args))


def test_proxy_and_rollback(project: Path):
    refused = run("proxy", "daily", "hello", "--project", str(project))
    assert refused.exit_code == 1 and "gate 2 (lint and load) has not run" in " ".join(refused.output.split())
    assert run("proxy", "daily", "hello", "--force", "--project", str(project)).exit_code == 2, "--reason needed"
    done = run("proxy", "daily", "hello", "--force", "--reason", "demo", "--project", str(project), "--json")
    assert done.exit_code == 0, done.output
    change = json.loads(done.stdout[: done.stdout.rindex("}") + 1])  # the JSON, then a note
    assert change["proxied"] == ["hello"] and change["block"] == "added"
    assert "runtime is not up" in done.stdout
    back = run("rollback", "daily", "--all", "--project", str(project))
    assert back.exit_code == 0 and "original bytes" in back.stdout
    entries = [json.loads(line) for line in (project / "migration" / "ledger.jsonl").read_text().splitlines()]
    assert [(e["state"], e["forced"] if "forced" in e else None) for e in entries] == [
        ("proxied", True),
        ("rolled back", None),
    ]
    assert entries[0]["reason"] == "demo" and entries[0]["by"] and entries[0]["missing_gates"]
    assert (project / "airflow_dags" / "daily.py").read_text() == DAG


@pytest.mark.parametrize(
    "args, message",
    [
        (["proxy", "daily", "report"], "disposition NONE"),
        (["proxy", "dialy", "hello"], "did you mean daily"),
        (["rollback", "daily", "hello"], "nothing of daily is proxied"),
        (["decommission", "daily"], "set AIRFLOW_URL"),
    ],
)
def test_refusals_exit_2(project: Path, args: list[str], message: str):
    result = run(*args, "--project", str(project))
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_a_folder_without_airflow_dags_is_a_usage_error(tmp_path: Path):
    assert run("runtime", "status", "--project", str(tmp_path)).exit_code == 2


def test_status_without_the_runtime(project: Path):
    result = run("status", "--project", str(project), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["runtime"]["running"] is False
    tasks = {t["task_id"]: t for t in data["dags"][0]["tasks"]}
    assert tasks["hello"]["runs_in"] == "Airflow" and tasks["hello"]["observed"] is None
    assert tasks["report"]["runs_in"] == "Airflow (no Dagster equivalent)"
    assert "not running" in run("runtime", "status", "--project", str(project)).stdout
    assert run("runtime", "down", "--project", str(project)).stdout.strip() == "nothing was running"


def test_decommission_refuses_a_dag_with_tasks_that_stay_in_airflow(project: Path, monkeypatch):
    monkeypatch.setenv("AIRFLOW_URL", "http://127.0.0.1:9")  # never reached: refused before any call
    result = run("decommission", "daily", "--project", str(project))
    assert result.exit_code == 2 and "report" in result.output


XCOM_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator
from acme.operators import ReportOperator


def extract():
    return 3


with DAG("xcoms", schedule="@daily", start_date=datetime(2024, 1, 1)):
    first = PythonOperator(task_id="extract", python_callable=extract)
    echo = BashOperator(task_id="echo", bash_command="echo {{ ti.xcom_pull(task_ids='extract') }}")
    first >> [echo, ReportOperator(task_id="report", value=first.output)]
"""


def test_proxy_refuses_a_producer_whose_xcom_a_task_left_in_airflow_reads(tmp_path: Path, monkeypatch):
    """A proxied task pushes no XCom in Airflow: handing `extract` over while `report` (NONE) reads its value
    there would break `report`. The plan says so on the producer and `proxy` refuses unless forced."""
    (tmp_path / "airflow_dags").mkdir()
    (tmp_path / "airflow_dags" / "xcoms.py").write_text(XCOM_DAG)
    monkeypatch.delenv("AIRFLOW_URL", raising=False)
    planned = run("convert", str(tmp_path / "airflow_dags"), "--out", str(tmp_path / "defs"), "--json", "-")
    tasks = {t["task_id"]: t for t in json.loads(planned.stdout)["dags"][0]["tasks"]}
    assert tasks["report"]["disposition"] == "NONE"
    assert any("read by report, which stays in Airflow (NONE)" in note for note in tasks["extract"]["notes"])

    refused = run("proxy", "xcoms", "extract", "--project", str(tmp_path))
    text = " ".join(refused.output.split())
    assert refused.exit_code == 1, refused.output
    assert "read by report, which stays in Airflow" in text and "proxy them together (extract echo)" in text
    assert not (tmp_path / "airflow_dags" / "proxied_state").exists(), "a refusal changes nothing"

    together = run("proxy", "xcoms", "extract", "echo", "--project", str(tmp_path))
    assert together.exit_code == 1 and "echo" not in " ".join(together.output.split()).split("gates")[0]
    assert "read by report" in " ".join(together.output.split())

    forced = run("proxy", "xcoms", "extract", "--force", "--reason", "report moves next", "--project", str(tmp_path))
    assert forced.exit_code == 0, forced.output
    entry = json.loads((tmp_path / "migration" / "ledger.jsonl").read_text().splitlines()[-1])
    assert entry["task_id"] == "extract" and entry["forced"] and entry["reason"] == "report moves next"
    assert any("report" in why for why in entry["xcom_readers_left"])

    # Back in Airflow, echo would pull the XCom of extract, which stays proxied: rolled back together only.
    assert run("proxy", "xcoms", "echo", "--force", "--reason", "r", "--project", str(tmp_path)).exit_code == 0
    alone = run("rollback", "xcoms", "echo", "--project", str(tmp_path))
    assert alone.exit_code == 2 and "echo reads the XCom of extract, which stays proxied" in " ".join(
        alone.output.split()
    )
    assert run("rollback", "xcoms", "echo", "extract", "--project", str(tmp_path)).exit_code == 0
