"""A callable that reads the metadata database's Connection table (``with create_session() as session:
session.query(Connection).filter(Connection.conn_id == X).count()``, say to post to a chat only when its connection
is configured) and ``airflow.utils.timezone``: the Dagster side has that table as its AIRFLOW_CONN_<ID> variables,
so the task translates (JUDG, noted) and behaves the same; a session used for anything else stays in Airflow."""

from __future__ import annotations

import importlib
import json
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import dagster as dg
import pytest

from converters.convert import convert_project
from converters.flow import scan_and_plan
from tests.unit.generated import drop_modules

NOTIFY = """
import logging

from airflow.decorators import task
from airflow.models import Connection
from airflow.operators.python import get_current_context
from airflow.providers.slack.hooks.slack_webhook import SlackWebhookHook
from airflow.utils import timezone
from airflow.utils.session import create_session

CONN_ID = "chat_webhook"


def _post(text):
    with create_session() as session:
        if session.query(Connection).filter(Connection.conn_id == CONN_ID).count():
            SlackWebhookHook(slack_webhook_conn_id=CONN_ID).send_text(text)
            return "posted"
    logging.getLogger(__name__).info("connection %s is not configured", CONN_ID)
    return "skipped"


@task
def notify_done(**kwargs):
    run = get_current_context()["dag_run"]
    took = (timezone.utcnow() - run.start_date).total_seconds()
    return _post(f"{run.dag_id} done, took {took >= 0}")


@task
def forget_connections(**kwargs):
    with create_session() as session:
        session.execute("delete from connection")
"""

PIPELINE = """
from datetime import datetime

from airflow import DAG

from common import notify

with DAG("nightly", schedule=None, start_date=datetime(2024, 1, 1)):
    notify.notify_done()
    notify.forget_connections()
"""


def _estate(root):
    dags = root / "dags"
    (dags / "common").mkdir(parents=True)
    (dags / "common" / "__init__.py").write_text("")
    (dags / "common" / "notify.py").write_text(textwrap.dedent(NOTIFY))
    (dags / "pipeline.py").write_text(textwrap.dedent(PIPELINE))
    return dags


def test_a_connection_table_query_translates_and_a_session_write_stays_in_airflow(tmp_path):
    planned = scan_and_plan(_estate(tmp_path), use_cache=False, read_migration_state=False)
    tasks = {t.task.task_id: t for d in planned.plan.dags for t in d.tasks}
    done = tasks["notify_done"]
    assert done.disposition == "JUDG", done.translation.reason
    assert any("Connection table, which is the AIRFLOW_CONN_<ID>" in note for note in done.translation.notes)
    assert any("timezone" in note for note in done.translation.notes)
    forget = tasks["forget_connections"]
    assert forget.disposition == "NONE"
    assert "create_session.execute" in forget.translation.reason


class _Chat(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def chat():
    server = HTTPServer(("127.0.0.1", 0), _Chat)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Chat.received = []
    yield server
    server.shutdown()


@pytest.fixture
def nightly(tmp_path, monkeypatch):
    convert_project(_estate(tmp_path), tmp_path / "session_defs", use_cache=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("session_defs.dags.nightly")
    drop_modules("session_defs")


def test_the_asset_posts_only_when_the_connection_is_configured(nightly, chat, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_CHAT_WEBHOOK", raising=False)
    result = dg.materialize([nightly.notify_done])
    assert result.output_for_node("nightly__notify_done") == "skipped"
    assert _Chat.received == []

    url = f"http://127.0.0.1:{chat.server_port}/hook"
    monkeypatch.setenv("AIRFLOW_CONN_CHAT_WEBHOOK", json.dumps({"conn_type": "slackwebhook", "password": url}))
    result = dg.materialize([nightly.notify_done])
    assert result.output_for_node("nightly__notify_done") == "posted"
    assert _Chat.received == [{"text": "nightly done, took True"}]


def test_a_session_query_filters_the_environments_connections(monkeypatch):
    from converters.codegen.support import hooks

    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", "postgres://u:p@db:5432/w")
    monkeypatch.setenv("AIRFLOW_CONN_FILES", "sftp://u@files:22")
    with hooks.create_session() as session:
        table = session.query(hooks.Connection)
        assert table.filter(hooks.Connection.conn_id == "warehouse").one().host == "db"
        assert table.filter_by(conn_id="absent").first() is None
        postgres = table.filter(hooks.Connection.conn_type == "postgres").all()
        assert [c.conn_id for c in postgres if c.conn_id in {"warehouse", "files"}] == ["warehouse"]
        with pytest.raises(AttributeError, match="metadata database"):
            session.query(dict)


def test_timezone_functions_read_naive_values_in_the_default_zone():
    from datetime import UTC, datetime, timedelta

    from converters.codegen.support import hooks

    noon = datetime(2024, 1, 1, 12)  # [core] default_timezone is utc unless configured
    assert hooks.convert_to_utc(noon) == datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert hooks.make_naive(hooks.make_aware(noon)) == noon
    assert hooks.is_naive(noon) and hooks.is_localized(hooks.utcnow())
    assert hooks.utcnow() - datetime.now(UTC) < timedelta(seconds=5)
    with pytest.raises(ValueError, match="naive"):
        hooks.make_aware(hooks.utcnow())
