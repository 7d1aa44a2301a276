"""Airflow APIs in copied callables run against real servers on loopback: SMTP (aiosmtpd) for ``send_email``
and ``conf``, FTP (pyftpdlib) for ``FTPHook`` and ``Connection.get``, a local HTTP server standing in for the
Slack Web API for a ``SlackAPIPostOperator`` executed inside a callable.

As in test_hooks.py: convert a small DAG file, check the task's disposition, materialize the generated asset
in-process with the server's address in ``AIRFLOW_CONN_<ID>`` / ``AIRFLOW__SMTP__*``, check what the server got.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes

import pytest

from converters.rules.base import JUDG
from tests.integration.hook_servers import slack_server
from tests.integration.test_hooks import convert, materialize

pytestmark = pytest.mark.integration

TAGS = {"airflow/logical_date": "2024-01-15T00:00:00+00:00"}

EMAIL_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.configuration import conf
from airflow.operators.python import PythonOperator
from airflow.utils.email import send_email


def mail_report(ds, **context):
    url = conf.get("webserver", "base_url")
    send_email(
        to="ops@example.org; lead@example.org",
        subject=f"Loaded {ds}",
        html_content=f"<a href='{url}/dags'>runs</a>",
        cc=["cc@example.org"],
        bcc="audit@example.org",
    )
    return {"url": url, "retries": conf.getint("smtp", "smtp_retry_limit"), "other": conf.get("x", "y", fallback="z")}


with DAG("mail_apis", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="mail_report", python_callable=mail_report)
"""


@contextmanager
def smtp_server() -> Iterator[tuple[int, list]]:
    """aiosmtpd on a free loopback port: each message as (sender, recipients, parsed message)."""
    from aiosmtpd.controller import Controller

    received: list = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            received.append((envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
            return "250 Message accepted for delivery"

    with socket.socket() as probe:  # a free port (the controller checks it is up by connecting to the one it is given)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def test_send_email_and_conf_against_a_local_smtp_server(tmp_path, monkeypatch):
    package, tasks = convert(tmp_path, "mail_apis", EMAIL_DAG)
    assert tasks["mail_report"].disposition == JUDG, tasks["mail_report"].translation.reason
    with smtp_server() as (port, received):
        monkeypatch.setenv("AIRFLOW__SMTP__SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("AIRFLOW__SMTP__SMTP_PORT", str(port))
        monkeypatch.setenv("AIRFLOW__SMTP__SMTP_STARTTLS", "False")
        monkeypatch.setenv("AIRFLOW__SMTP__SMTP_MAIL_FROM", "etl@example.org")
        monkeypatch.setenv("AIRFLOW__WEBSERVER__BASE_URL", "https://airflow.example.org")
        values = materialize(tmp_path, package, "mail_apis", [["mail_apis", "mail_report"]], TAGS)
    assert values[("mail_apis", "mail_report")] == {"url": "https://airflow.example.org", "retries": 5, "other": "z"}
    ((sender, recipients, message),) = received
    assert sender == "etl@example.org"
    assert recipients == ["ops@example.org", "lead@example.org", "cc@example.org", "audit@example.org"]
    assert message["Subject"] == "Loaded 2024-01-15" and message["To"] == "ops@example.org, lead@example.org"
    assert message["CC"] == "cc@example.org" and message["Bcc"] is None
    (html,) = [part for part in message.walk() if part.get_content_type() == "text/html"]
    assert html.get_payload(decode=True).decode() == "<a href='https://airflow.example.org/dags'>runs</a>"


FTP_DAG = """
import os
from datetime import datetime

from airflow.decorators import dag, task
from airflow.providers.ftp.hooks.ftp import FTPHook
from airflow.sdk import Connection


@dag(schedule=None, start_date=datetime(2024, 1, 1))
def ftp_apis():
    @task
    def transmit(ds=None):
        connection = Connection.get("vendor")
        remote = connection.extra_dejson["remote_path"]
        hook = FTPHook(ftp_conn_id="vendor")
        hook.create_directory(f"{remote}/{ds}")
        hook.store_file(f"{remote}/{ds}/data.txt", os.environ["UPLOAD_PATH"])
        back = os.environ["UPLOAD_PATH"] + ".back"
        hook.retrieve_file(f"{remote}/{ds}/data.txt", back)
        listed = hook.list_directory(f"{remote}/{ds}")
        described = hook.describe_directory(f"{remote}/{ds}")["data.txt"]
        hook.close_conn()
        back_text = open(back).read()
        return {"login": connection.login, "listed": listed, "size": described["size"], "type": described["type"],
                "back": back_text}

    transmit()


ftp_apis()
"""


def test_ftp_hook_and_connection_against_a_local_ftp_server(tmp_path, monkeypatch):
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import ThreadedFTPServer

    package, tasks = convert(tmp_path, "ftp_apis", FTP_DAG)
    assert tasks["transmit"].disposition == JUDG, tasks["transmit"].translation.reason
    root = tmp_path / "ftp-root"
    (root / "inbox").mkdir(parents=True)
    authorizer = DummyAuthorizer()
    authorizer.add_user("vendor", "p@ss", str(root), perm="elradfmw")
    handler = type("Handler", (FTPHandler,), {"authorizer": authorizer})
    server = ThreadedFTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.2}, daemon=True)
    thread.start()
    try:
        port = server.address[1]
        upload = tmp_path / "upload.txt"
        upload.write_text("records\n")
        monkeypatch.setenv("UPLOAD_PATH", str(upload))
        # Airflow's URI form: the password quoted, the extra as query parameters.
        monkeypatch.setenv("AIRFLOW_CONN_VENDOR", f"ftp://vendor:p%40ss@127.0.0.1:{port}/?remote_path=%2Finbox")
        values = materialize(tmp_path, package, "ftp_apis", [["ftp_apis", "transmit"]], TAGS)
    finally:
        server.close_all()
    assert values[("ftp_apis", "transmit")] == {
        "login": "vendor",
        "listed": ["data.txt"],  # NLST as the server answers it
        "size": "8",
        "type": "file",
        "back": "records\n",
    }
    assert (root / "inbox" / "2024-01-15" / "data.txt").read_text() == "records\n"


SLACK_API_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.operators.python import PythonOperator, get_current_context
from airflow.providers.slack.operators.slack import SlackAPIPostOperator


def _post(message, channel):
    SlackAPIPostOperator(
        task_id="slack-message", slack_conn_id="slack_connection", text=message, channel=channel
    ).execute(context=get_current_context())


def notify(ds, **context):
    _post(f"loaded {ds}", Variable.get("slack_channel"))


with DAG("slack_api", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="notify", python_callable=notify)
"""


def test_slack_api_post_operator_executed_in_a_callable_posts_to_the_web_api(tmp_path, monkeypatch):
    package, tasks = convert(tmp_path, "slack_api", SLACK_API_DAG)
    assert tasks["notify"].disposition == JUDG, tasks["notify"].translation.reason
    with slack_server() as (port, received):
        conn = {"conn_type": "slack", "password": "xoxb-token", "extra": {"base_url": f"http://127.0.0.1:{port}/api/"}}
        monkeypatch.setenv("AIRFLOW_CONN_SLACK_CONNECTION", json.dumps(conn))
        monkeypatch.setenv("AIRFLOW_VAR_SLACK_CHANNEL", "#data")
        materialize(tmp_path, package, "slack_api", [["slack_api", "notify"]], TAGS)
    ((path, auth, body),) = received
    assert (path, auth) == ("/api/chat.postMessage", "Bearer xoxb-token")
    assert body["text"] == "loaded 2024-01-15" and body["channel"] == "#data" and body["username"] == "Airflow"


SQL_OPERATOR_DAG = """
from datetime import datetime

from airflow.decorators import dag, task
from airflow.operators.python import get_current_context
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator


def _refresh(database):
    SQLExecuteQueryOperator(
        task_id="refresh",
        conn_id="folio",
        database=database,
        sql="create table if not exists counts (day text, n int); insert into counts values (%(day)s, %(n)s)",
        parameters={"day": "2024-01-15", "n": 3},
    ).execute(get_current_context())


@dag(schedule=None, start_date=datetime(2024, 1, 1))
def sql_in_callable():
    @task
    def count(**kwargs):
        _refresh(kwargs.get("database", "reports"))
        result = SQLExecuteQueryOperator(
            task_id="count", conn_id="folio", database="reports", sql="select day, n from counts"
        ).execute(get_current_context())
        return [list(row) for row in result]

    count()


sql_in_callable()
"""


def test_sql_execute_query_operator_in_a_callable_against_a_real_postgres(tmp_path, monkeypatch):
    import psycopg2

    from tests.integration.hook_servers import postgres_server

    package, tasks = convert(tmp_path, "sql_in_callable", SQL_OPERATOR_DAG)
    assert tasks["count"].disposition == JUDG, tasks["count"].translation.reason
    with postgres_server() as pg:
        admin = psycopg2.connect(host=pg.host, port=pg.port, user=pg.user, password=pg.password, dbname=pg.database)
        admin.autocommit = True
        admin.cursor().execute("create database reports")
        admin.close()
        # The connection names another database: the operator's ``database`` is the one used, as in Airflow.
        monkeypatch.setenv("AIRFLOW_CONN_FOLIO", pg.uri)
        values = materialize(tmp_path, package, "sql_in_callable", [["sql_in_callable", "count"]], TAGS)
        assert values[("sql_in_callable", "count")] == [["2024-01-15", 3]]
        with psycopg2.connect(host=pg.host, port=pg.port, user=pg.user, password=pg.password, dbname="reports") as c:
            with c.cursor() as cur:
                cur.execute("select day, n from counts")
                assert cur.fetchall() == [("2024-01-15", 3)]
