"""An estate subclass of a provider operator replacing its ``execute()`` (a Slack notifier built on
``SlackAPIPostOperator`` that posts with ``SlackHook(token=...).call(...)``): its own ``execute()`` runs on support's
equivalent of the base; support's ``SlackHook.call``; and a copied class importing an estate module that imports
Airflow inside a method stays in Airflow (the copy would fail when the method runs).
"""

from __future__ import annotations

import importlib
import json
import sys
import textwrap
from pathlib import Path

import dagster as dg
import pytest
import requests

from converters.codegen.support import hooks
from converters.convert import convert_project

DAG_FILE = """
from datetime import datetime

from airflow import DAG
from notify import AnnounceOperator, NotifyOperator, StageOperator

with DAG("notify", schedule=None, start_date=datetime(2024, 1, 1)):
    NotifyOperator(task_id="notify", channel="#ops", text="run of {{ ds }}")
    AnnounceOperator(task_id="announce", channel="#ops")
    StageOperator(task_id="stage")
"""

NOTIFY = """
import os

from airflow.providers.slack.hooks.slack import SlackHook
from airflow.providers.slack.operators.slack import SlackAPIPostOperator

TOKEN = os.environ.get("A2D_SLACK_TOKEN")


class NotifyOperator(SlackAPIPostOperator):
    def execute(self, context):
        channel = self.channel if self.channel != "#general" else "#fallback"
        answer = SlackHook(token=TOKEN).call("chat.postMessage", json={"channel": channel, "text": self.text})
        return answer["ts"]


class AnnounceOperator(SlackAPIPostOperator):
    def execute(self, context):
        from settings import STAGE  # against an import cycle

        return SlackHook(token=TOKEN).call("chat.postMessage", json={"channel": self.channel, "text": STAGE})["ok"]


class StageOperator(SlackAPIPostOperator):
    def execute(self, context):
        import settings

        SlackHook(token=TOKEN).call("chat.postMessage", json={"channel": self.channel, "text": settings.STAGE})
"""

SETTINGS = """
from airflow.models import Variable

STAGE = "prod-" + "eu"


def stage():
    return Variable.get("stage")
"""


class FakeResponse:
    def __init__(self, body: dict) -> None:
        self.body = body

    def raise_for_status(self) -> None:
        return None

    def json(self) -> dict:
        return self.body


@pytest.fixture
def posted(monkeypatch):
    calls: list = []
    answer = {"ok": True, "ts": "1700000000.1"}
    monkeypatch.setattr(
        requests, "request", lambda verb, url, **kw: calls.append((verb, url, kw)) or FakeResponse(answer)
    )
    return calls, answer


def test_slack_hook_call_posts_with_the_token_given_or_the_connections(monkeypatch, posted):
    calls, answer = posted
    assert hooks.SlackHook(token="xoxb-given").call("chat.postMessage", json={"channel": "#c"})["ts"]
    verb, url, kw = calls[-1]
    assert (verb, url) == ("POST", "https://slack.com/api/chat.postMessage")
    assert kw["headers"] == {"Authorization": "Bearer xoxb-given"} and kw["json"] == {"channel": "#c"}
    conn = {"conn_type": "slack", "password": "xoxb-conn", "extra": {"base_url": "https://slack.example.org/api"}}
    monkeypatch.setenv("AIRFLOW_CONN_SLACK_API_DEFAULT", json.dumps(conn))
    hooks.SlackHook().call("conversations.list", http_verb="GET", params={"limit": 1})
    verb, url, kw = calls[-1]
    assert (verb, url) == ("GET", "https://slack.example.org/api/conversations.list")
    assert kw["headers"] == {"Authorization": "Bearer xoxb-conn"} and kw["params"] == {"limit": 1}
    answer["ok"], answer["error"] = False, "not_in_channel"
    with pytest.raises(RuntimeError, match="not_in_channel"):
        hooks.SlackHook(token="x").call("chat.postMessage", json={})


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("replaced")
    files = {"dags/notify_dag.py": DAG_FILE, "dags/settings.py": SETTINGS, "plugins/notify.py": NOTIFY}
    for relative, text in files.items():
        (root / "estate" / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / "estate" / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    out = root / "replaced_defs"
    result = convert_project(root / "estate", out, force=True, use_cache=False)
    sys.path.insert(0, str(root))
    try:
        yield result, out, importlib.import_module("replaced_defs.dags.notify")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.startswith("replaced_defs")]:
            del sys.modules[name]


def _task(result, task_id):
    return next(t for d in result.plan.dags for t in d.tasks if t.task.task_id == task_id)


def test_a_subclass_replacing_execute_runs_its_own_on_supports_base(converted, posted, monkeypatch):
    result, out, module = converted
    task = _task(result, "notify")
    assert task.disposition == "JUDG", task.translation.reason
    assert "replaces the execute() of SlackAPIPostOperator: its own execute() runs" in task.translation.reason
    code = (out / "logic" / "estate_class__notify__notifyoperator.py").read_text(encoding="utf-8")
    assert "from ..support.hooks import SlackAPIPostOperator, SlackHook" in code
    monkeypatch.setenv("A2D_SLACK_TOKEN", "xoxb-env")
    for name in [m for m in sys.modules if m.startswith("replaced_defs.logic")]:
        del sys.modules[name]
    asset = next(a for a in module.defs.assets if a.key.path[-1] == "notify")
    run = dg.materialize([asset], tags={"airflow/logical_date": "2024-01-15T00:00:00+00:00"}, raise_on_error=True)
    assert run.output_for_node(asset.op.name) == "1700000000.1"
    calls, _ = posted
    _, url, kw = calls[-1]
    # text is one of SlackAPIPostOperator's template_fields: rendered before execute, as Airflow does
    assert kw["json"] == {"channel": "#ops", "text": "run of 2024-01-15"}
    assert kw["headers"]["Authorization"] == "Bearer xoxb-env"


def test_a_name_a_method_imports_from_an_airflow_importing_module_is_copied_at_module_level(
    converted, posted, monkeypatch
):
    # `from settings import STAGE` inside execute (against an import cycle): settings imports Airflow, so the
    # copy takes STAGE's definition at module level and the import line becomes a pass
    result, out, module = converted
    task = _task(result, "announce")
    assert task.disposition == "JUDG", task.translation.reason
    code = (out / "logic" / "estate_class__notify__announceoperator.py").read_text(encoding="utf-8")
    assert 'STAGE = "prod-" + "eu"' in code and "pass  # from settings import STAGE: copied at module level" in code
    assert "Variable" not in code
    monkeypatch.setenv("A2D_SLACK_TOKEN", "xoxb-env")
    for name in [m for m in sys.modules if m.startswith("replaced_defs.logic")]:
        del sys.modules[name]
    asset = next(a for a in module.defs.assets if a.key.path[-1] == "announce")
    run = dg.materialize([asset], tags={"airflow/logical_date": "2024-01-15T00:00:00+00:00"}, raise_on_error=True)
    assert run.output_for_node(asset.op.name) is True
    _, _, kw = posted[0][-1]
    assert kw["json"] == {"channel": "#ops", "text": "prod-eu"}


def test_a_method_importing_a_whole_airflow_importing_module_stays_in_airflow(converted):
    result, out, _ = converted
    task = _task(result, "stage")
    assert task.disposition == "NONE"
    assert task.translation.reason.startswith("an estate operator imports settings inside a method, and that module")
    assert not (out / "logic" / "estate_class__notify__stageoperator.py").exists()


def test_the_generated_package_is_ruff_clean(converted):
    _, out, _ = converted
    import subprocess

    ruff = Path(sys.executable).parent / "ruff"
    checked = subprocess.run([ruff, "check", "--no-cache", str(out)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
