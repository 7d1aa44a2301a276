"""The report's decisions on small estates: waves respect dependencies across DAGs and risk, the recommendation
follows its documented thresholds, progress replays the ledger, pictures survive cycles, and the outputs are
self-contained. (The rendered page in a real browser: tests/e2e/test_report_in_chromium.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from converters.cli import app
from converters.ledger import ledger
from converters.report import model, svg, write_report

UPSTREAM = """
from datetime import datetime
from airflow import DAG
from airflow.datasets import Dataset
from airflow.operators.python import PythonOperator, BranchPythonOperator

def extract():
    return 1

def pick():
    return "load"

with DAG("upstream", schedule="@daily", start_date=datetime(2024, 1, 1)):
    choose = BranchPythonOperator(task_id="choose", python_callable=pick)
    load = PythonOperator(task_id="load", python_callable=extract, outlets=[Dataset("s3://bucket/orders")])
    choose >> load
"""

DOWNSTREAM = """
from datetime import datetime
from airflow import DAG
from airflow.datasets import Dataset
from airflow.operators.python import PythonOperator

def report():
    return 2

with DAG("downstream", schedule=[Dataset("s3://bucket/orders")], start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="summarize", python_callable=report)
"""

STAYING = """
from datetime import datetime
from airflow import DAG
from airflow.providers.ftp.operators.ftp import FTPFileTransmitOperator

with DAG("transfers", schedule="@daily", start_date=datetime(2024, 1, 1)):
    FTPFileTransmitOperator(task_id="push", ftp_conn_id="partner", local_filepath="/tmp/a", remote_filepath="/b")
"""


def estate(tmp_path: Path, **files: str) -> Path:
    dags = tmp_path / "airflow_dags"
    dags.mkdir()
    for name, text in files.items():
        (dags / f"{name}.py").write_text(text)
    return dags


def test_waves_move_upstream_first_and_low_risk_first(tmp_path):
    dags = estate(tmp_path, upstream=UPSTREAM, downstream=DOWNSTREAM)
    report = model.build(dags)
    waves = {(t["dag_id"], t["task_id"]): w["wave"] for w in report["waves"]["waves"] for t in w["tasks"]}
    dispositions = {(t["dag_id"], t["task_id"]): t["disposition"] for t in report["dispositions"]["tasks"]}
    assert dispositions[("upstream", "choose")] == "REDESIGN"
    assert dispositions[("upstream", "load")] == "MECH"
    # load is MECH but depends on a REDESIGN branch: it moves with it; the dataset consumer in the other DAG too
    # (a wave is numbered by its risk: MECH 1, JUDG 2, LIFT 3, REDESIGN 4)
    assert waves[("upstream", "choose")] == 4
    assert waves[("upstream", "load")] == 4
    assert waves[("downstream", "summarize")] == 4
    order = [(t["dag_id"], t["task_id"]) for w in report["waves"]["waves"] for t in w["tasks"]]
    assert order.index(("upstream", "load")) < order.index(("downstream", "summarize")), "upstream listed first"
    wave = report["waves"]["waves"][0]
    assert wave["effort_days"] == pytest.approx(3.0 + 2 * 0.25 + 2 * 0.5), "REDESIGN + 2 MECH + 2 DAGs"


def test_a_mech_only_estate_is_one_wave_and_migrates(tmp_path):
    dags = estate(tmp_path, downstream=DOWNSTREAM.replace('[Dataset("s3://bucket/orders")]', '"@daily"'))
    report = model.build(dags)
    assert [w["wave"] for w in report["waves"]["waves"]] == [1]
    assert report["go_no_go"]["recommendation"] == "migrate"
    assert report["go_no_go"]["conditions"] == []


def test_tasks_without_equivalent_stay_and_set_conditions(tmp_path):
    dags = estate(tmp_path, transfers=STAYING, downstream=DOWNSTREAM)
    report = model.build(dags)
    go = report["go_no_go"]
    assert report["dispositions"]["counts"]["NONE"] == 1
    assert go["recommendation"] == "migrate with conditions"
    assert any("stay in Airflow" in c for c in go["conditions"])
    assert [loss["where"] for loss in go["losses"] if loss["where"]] == [["transfers.push"]]
    assert [(s["dag_id"], s["task_id"]) for s in report["waves"]["staying"]] == [("transfers", "push")]
    assert all(t["task_id"] != "push" for w in report["waves"]["waves"] for t in w["tasks"])


def test_mostly_untranslatable_estates_stay(tmp_path):
    dags = estate(tmp_path, transfers=STAYING)
    assert model.build(dags)["go_no_go"]["recommendation"] == "stay"
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "airflow_dags").mkdir()
    assert model.build(empty / "airflow_dags")["go_no_go"]["recommendation"] == "stay"


def test_progress_replays_the_ledger(tmp_path):
    dags = estate(tmp_path, downstream=DOWNSTREAM)
    ledger.append(
        dags,
        [
            {"kind": "gate", "dag_id": "downstream", "task_id": "summarize", "gate": 1, "status": "pass"},
            {
                "kind": "gate",
                "dag_id": "downstream",
                "task_id": "summarize",
                "gate": 5,
                "status": "fail",
                "evidence": {"tables": [{"table": "mart.x", "match": False, "dagster": {"rows": 1, "checksum": "ab"}}]},
            },
            {
                "kind": "state",
                "dag_id": "downstream",
                "task_id": "summarize",
                "state": "proxied",
                "forced": True,
                "reason": "on call",
                "by": "me",
            },
            {"kind": "state", "dag_id": "downstream", "task_id": "summarize", "state": "rolled back", "by": "me"},
        ],
    )
    progress = model.build(dags)["progress"]
    assert [p["remaining"] for p in progress["burndown"]] == [1, 0, 1]
    assert progress["gate_results"] == {"pass": 1, "fail": 1}
    assert progress["forced"][0]["reason"] == "on call"
    task = model.build(dags)["dispositions"]["tasks"][0]
    assert task["gates"]["5"]["status"] == "fail" and "mart.x: differs" in task["gates"]["5"]["evidence"]


def test_layers_survive_cycles_and_deep_chains():
    assert svg.layers(["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "a")]) == {"a": 0, "b": 1, "c": 2}
    chain = [f"t{i}" for i in range(5000)]
    assert svg.layers(chain, list(zip(chain, chain[1:], strict=False)))["t4999"] == 4999
    drawing = svg.graph(
        [{"id": n, "label": n, "kind": "MECH"} for n in "abc"], [["a", "b"], ["b", "c"], ["c", "a"]], "cycle"
    )
    assert drawing.count("<rect") == 3 and "stroke-dasharray='4 3'" in drawing, "the closing edge is drawn apart"


def test_outputs_are_self_contained_and_escaped(tmp_path):
    hostile = DOWNSTREAM.replace('"downstream"', '"<script>alert(1)</script>"')
    dags = estate(tmp_path, downstream=hostile)
    files = write_report(dags, tmp_path / "out")
    page = files.html.read_text()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"""(src|href)=['"](https?:)?//""", page), "nothing is fetched from a network"
    assert page.count("<script>") == 1, "only the page's own filter script"
    for graph in files.graphs:
        assert graph.read_text().startswith("<svg xmlns='http://www.w3.org/2000/svg'")
    assert json.loads(files.data.read_text())["inventory"]["dags"] == 1


def test_cli_report(tmp_path):
    dags = estate(tmp_path, downstream=DOWNSTREAM)
    out = tmp_path / "report"
    done = CliRunner().invoke(app, ["report", str(dags), "--out", str(out), "--json", str(tmp_path / "r.json")])
    assert done.exit_code == 0, done.output
    assert "Recommendation: migrate" in done.output and (out / "index.html").exists()
    assert json.loads((tmp_path / "r.json").read_text())["inventory"]["tasks"] == 1
    missing = CliRunner().invoke(app, ["report", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "not a folder" in missing.output


def test_progress_shows_modernized_dags_after_decommissioned(tmp_path):
    from converters.ledger import state as migration_state
    from converters.report import render

    dags = estate(tmp_path, downstream=DOWNSTREAM)
    migration_state.record_decommissioned(dags, "downstream", {"file": "downstream.py"})
    migration_state.record_modernized(dags, "downstream", {"checks": []})
    table = {"before": {"rows": 2, "checksum": "ab"}, "after": {"rows": 2, "checksum": "ab"}, "same": True}
    ledger.append(
        dags,
        [
            {"kind": "state", "dag_id": "downstream", "task_id": "summarize", "state": "modernized", "by": "me"},
            {
                "kind": "modernize",
                "dag_id": "downstream",
                "date": "2024-01-15",
                "checks": [],
                "faithful": {},
                "tables": {"mart.x": table},
                "same": True,
                "reverted": False,
            },
        ],
    )
    report = model.build(dags)
    progress = report["progress"]
    assert progress["states"] == {"modernized": 1} and progress["modernized_dags"] == ["downstream"]
    assert progress["modernize"][0]["same"] and progress["modernize"][0]["tables"]["mart.x"] == table
    assert ledger.STATES.index("modernized") == ledger.STATES.index("decommissioned") + 1
    page, text = render.html(report), render.markdown(report)
    assert "data-figure='modernized'>1<" in page and "same rows and checksums" in page
    assert "### Modernized" in text and "mart.x: 2 rows, ab" in text
