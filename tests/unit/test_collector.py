"""converters/collector.py: the cyclic garbage collector paused around the toolkit's bulk work, and back as it was."""

from __future__ import annotations

import gc

import pytest

from converters import collector
from converters.convert import convert_project

DAG = """
from datetime import datetime
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("tiny", schedule="@daily", start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="hello", bash_command="echo {{ ds }}")
"""


def test_convert_runs_with_the_collector_paused_and_leaves_it_as_it_was(tmp_path, monkeypatch):
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "tiny.py").write_text(DAG)
    seen = []
    import converters.convert as convert

    real = convert.generate
    monkeypatch.setattr(convert, "generate", lambda *a, **k: seen.append(gc.isenabled()) or real(*a, **k))
    assert gc.isenabled()
    result = convert_project(tmp_path / "dags", tmp_path / "out", use_cache=False)
    assert [t.task.task_id for d in result.plan.dags for t in d.tasks] == ["hello"]
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        convert_project(tmp_path / "dags", tmp_path / "out", use_cache=False)
        assert not gc.isenabled(), "a caller that paused the collector keeps it paused"
    finally:
        gc.enable()


def test_a_failing_block_turns_the_collector_back_on_and_freezes_only_when_asked():
    frozen = gc.get_freeze_count()
    with pytest.raises(ValueError), collector.paused():
        assert not gc.isenabled()
        raise ValueError("a scan that fails")
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    try:
        with collector.paused(freeze=True):
            pass
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
