"""The ladder without servers: the registry, how ``run_gates`` composes the gates (cheapest first, a failure
blocks the rest, results to the ledger), the exit rule, and the wiring's errors through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from converters.cli import app
from converters.gates import AirflowSide, registry, run_gates
from converters.gates.gate import Gate, Outcome
from converters.ledger import ledger

DAG = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("daily", schedule="@daily", start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="hello", bash_command="echo {{ ds }}")
"""


def test_the_registry_holds_one_gate_per_module_cheapest_first():
    assert [(g.number, g.name) for g in registry.GATES] == [
        (1, "planned"),
        (2, "lint and load"),
        (3, "structure"),
        (4, "materializes"),
        (5, "data parity"),
        (6, "idempotent"),
    ]
    assert registry.REQUIRED == (1, 2, 3, 4, 5, 6)
    assert [g.proves for g in registry.GATES if g.proves] == ["planned", "validated", "run-in-dagster", "parity-proven"]
    assert all(g.proves is None or g.proves in ledger.STATES for g in registry.GATES)


def test_each_gate_tells_its_own_evidence():
    parity = {"tables": [{"table": "m.x", "match": False, "detail": "missing on the Dagster side"}]}
    assert registry.summary({"gate": 5, "evidence": parity}) == "m.x: differs"
    assert registry.failure_lines(5, parity) == ["m.x: missing on the Dagster side"]
    runs = {"runs": [{"key": ["d", "a"], "run_id": "r1", "success": False, "error": "x\nValueError: bad"}]}
    assert registry.summary({"gate": 4, "evidence": runs}) == "Dagster run r1: failed"
    assert registry.failure_lines(4, runs) == ["d/a (Dagster run r1): ValueError: bad"]
    assert registry.summary({"gate": 1, "evidence": {"disposition": "MECH"}}) == "disposition: MECH"
    assert registry.summary({"gate": 99, "evidence": {"reason": "r"}}) == "reason: r", "an unknown gate still reads"


def fake_gate(number: int, statuses: dict[str, str], batch: str | None = None) -> Gate:
    def check(ctx):
        for task, status in statuses.items():
            yield Outcome("d", task, status, {"disposition": "NONE" if task == "none" else "MECH"})

    return Gate(number, f"fake {number}", check, batch=batch)


@pytest.fixture
def ladder(monkeypatch, tmp_path: Path):
    gates = (
        fake_gate(1, {"a": "pass", "b": "pass", "none": "fail"}),
        fake_gate(2, {"a": "pass", "b": "fail", "none": "pass"}, batch="x"),
        fake_gate(3, {"a": "n/a", "b": "pass", "none": "pass"}, batch="x"),
    )
    monkeypatch.setattr(registry, "GATES", gates)
    monkeypatch.setattr(registry, "BY_NUMBER", {g.number: g for g in gates})
    (tmp_path / "migration").mkdir()
    (tmp_path / "migration" / "gates.json").write_text("{}")
    return tmp_path


def test_the_ladder_runs_every_gate_and_a_failure_blocks_the_rest(ladder: Path):
    events: list[str] = []
    report = run_gates(
        ladder,
        SimpleNamespace(dags=[]),
        [],
        date="2024-01-15",
        airflow=AirflowSide(None, 2),
        scratch=ladder / "scratch",
        on_event=events.append,
    )
    by_task = {t: [r.status for r in report.for_task("d", t)] for t in ("a", "b", "none")}
    assert by_task == {
        "a": ["pass", "pass", "n/a"],
        "b": ["pass", "fail", "skipped"],
        "none": ["fail"] + ["skipped"] * 2,
    }
    assert events == ["gate 1 (fake 1) done", "gates 2-3 done"], "gates of one batch are announced together"
    entries = ledger.read(ladder / "airflow_dags")
    assert [(e["task_id"], e["gate"], e["name"], e["date"]) for e in entries][:2] == [
        ("a", 1, "fake 1", "2024-01-15"),
        ("a", 2, "fake 2", "2024-01-15"),
    ]
    assert [r.task_id for r in report.failed] == ["b", "none"]


def test_a_none_task_failing_gate_1_is_no_finding():
    from converters.gates import GateResult, GatesReport

    deferred = GateResult("d", "t", 1, "fail", {"disposition": "NONE"})
    assert GatesReport("x", [deferred]).exit_code == 0
    assert GatesReport("x", [deferred, GateResult("d", "u", 5, "fail", {})]).exit_code == 1


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "airflow_dags").mkdir()
    (tmp_path / "airflow_dags" / "daily.py").write_text(DAG)
    monkeypatch.delenv("AIRFLOW_URL", raising=False)
    return tmp_path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["gates", "daly"], "no DAG 'daly' in the DAGs folder (did you mean daily?)"),
        (["gates", "daily"], "no --date given and no successful Airflow run to take it from"),
        (["gates", "daily", "--date", "2024-01-15"], "gates.json is missing"),
    ],
)
def test_the_gates_command_says_why_it_cannot_run(project: Path, args: list[str], message: str):
    result = CliRunner().invoke(app, [*args, "--project", str(project)])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert not (project / "migration" / "ledger.jsonl").exists()


def test_the_json_shape_of_a_gates_run(ladder: Path, monkeypatch):
    import converters.gates.project as wiring

    monkeypatch.setattr(wiring, "airflow_side", lambda project, version: (AirflowSide(None, version), None))
    (ladder / "airflow_dags").mkdir()
    (ladder / "airflow_dags" / "daily.py").write_text(DAG)
    result = CliRunner().invoke(app, ["gates", "daily", "--date", "2024-01-15", "--json", "--project", str(ladder)])
    assert result.exit_code == 1, result.output  # b failed fake gate 2
    data = json.loads(result.stdout)
    assert data["date"] == "2024-01-15"
    assert list(data["results"][0]) == ["kind", "name", "dag_id", "task_id", "gate", "status", "evidence"]
