"""The Airflow APIs copied callables call besides hooks: ``conf``, ``send_email``, ``Connection``, and a
``SlackAPIPostOperator`` executed inside a callable (support/hooks.py), without servers (the integration tests in
tests/integration/test_airflow_apis.py run them against real SMTP, FTP and HTTP servers)."""

from __future__ import annotations

import json
import smtplib

import pytest

from converters.codegen.support import hooks, templates
from converters.convert import convert_project
from converters.rules.base import JUDG, NONE
from tests.unit.generated import drop_modules


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in list(__import__("os").environ):
        if name.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_MAJOR_VERSION")):
            monkeypatch.delenv(name)


def test_conf_reads_the_environment_then_airflows_defaults_then_the_fallback(monkeypatch):
    conf = hooks.conf
    assert conf.get("smtp", "smtp_host") == "localhost"
    assert conf.getint("smtp", "SMTP_PORT") == 25 and conf.getboolean("smtp", "smtp_starttls") is True
    assert conf.get("webserver", "base_url") == "http://localhost:8080"  # Airflow 2's default
    monkeypatch.setenv("AIRFLOW__SMTP__SMTP_PORT", "2525")
    monkeypatch.setenv("AIRFLOW__SMTP__SMTP_STARTTLS", "False")
    assert conf.getint("smtp", "smtp_port") == 2525 and conf.getboolean("smtp", "smtp_starttls") is False
    assert conf.get("custom", "key", fallback=None) is None and conf.get("custom", "key", fallback="x") == "x"
    assert not conf.has_option("custom", "key")
    with pytest.raises(hooks.AirflowConfigException, match=r"\[custom/key\].*AIRFLOW__CUSTOM__KEY"):
        conf.get("custom", "key")
    monkeypatch.setenv("AIRFLOW__CUSTOM__KEY_CMD", "echo from-a-command")
    assert conf.get("custom", "key") == "from-a-command" and conf.has_option("custom", "key")
    monkeypatch.setenv("AIRFLOW__CUSTOM__FLAG", "maybe")
    with pytest.raises(hooks.AirflowConfigException, match="Failed to convert value to bool"):
        conf.getboolean("custom", "flag")


def test_conf_in_airflow_3_reads_webserver_base_url_from_api_and_has_no_default(monkeypatch):
    monkeypatch.setenv("AIRFLOW_MAJOR_VERSION", "3")
    with pytest.raises(hooks.AirflowConfigException):
        hooks.conf.get("webserver", "base_url")
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", "https://airflow.example.org")
    assert hooks.conf.get("webserver", "base_url") == "https://airflow.example.org"


def test_connection_get_reads_airflow_conn_uris_and_json(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_VENDOR", "ftp://bob:p%40ss@ftp.example.org:2121/?remote_path=%2Fin")
    conn = hooks.Connection.get("vendor")
    assert (conn.host, conn.login, conn.password, conn.port) == ("ftp.example.org", "bob", "p@ss", 2121)
    assert conn.extra_dejson == {"remote_path": "/in"}
    monkeypatch.setenv("AIRFLOW_CONN_DB", json.dumps({"conn_type": "postgres", "host": "db", "schema": "x"}))
    assert hooks.Connection.get_connection_from_secrets("db").get_uri() == "postgres://db/x"
    with pytest.raises(templates.ConnectionNotFound, match="AIRFLOW_CONN_NOWHERE"):
        hooks.Connection.get("nowhere")


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout=None):
        self.calls = [("connect", host, port, timeout)]
        FakeSMTP.sent.append(self.calls)

    def starttls(self, context=None):
        self.calls.append(("starttls",))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def sendmail(self, sender, recipients, text):
        self.calls.append(("sendmail", sender, recipients, text))

    def quit(self):
        self.calls.append(("quit",))


def test_send_email_builds_airflows_message_and_logs_in_with_smtp_default(monkeypatch, tmp_path):
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setenv("AIRFLOW__SMTP__SMTP_HOST", "mail.internal")
    monkeypatch.setenv("AIRFLOW__SMTP__SMTP_MAIL_FROM", "etl@example.org")
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", "smtp://bot:pw@mail.internal")
    attachment = tmp_path / "report.csv"
    attachment.write_text("a,b\n")
    hooks.send_email(
        "a@example.org; b@example.org", "Done", "<b>ok</b>", files=[str(attachment)], cc=["c@example.org"], bcc="d@x"
    )
    (calls,) = FakeSMTP.sent
    assert calls[0] == ("connect", "mail.internal", 25, 30)
    assert calls[1:3] == [("starttls",), ("login", "bot", "pw")]
    _, sender, recipients, text = calls[3]
    assert sender == "etl@example.org" and recipients == ["a@example.org", "b@example.org", "c@example.org", "d@x"]
    assert "To: a@example.org, b@example.org" in text and "CC: c@example.org" in text and "d@x" not in text
    assert 'filename="report.csv"' in text and calls[4] == ("quit",)


def test_send_email_without_a_connection_or_on_dryrun(monkeypatch):
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setenv("AIRFLOW__SMTP__SMTP_STARTTLS", "false")
    hooks.send_email(["x@example.org"], "s", "c", dryrun=True)
    assert FakeSMTP.sent == []
    hooks.send_email(["x@example.org"], "s", "c")
    assert [c[0] for c in FakeSMTP.sent[0]] == ["connect", "sendmail", "quit"]  # no login, no STARTTLS
    assert FakeSMTP.sent[0][1][1] == "airflow@example.com"  # Airflow's default sender
    monkeypatch.setenv("AIRFLOW__EMAIL__EMAIL_BACKEND", "airflow.providers.sendgrid.utils.emailer.send_email")
    with pytest.raises(hooks.AirflowConfigException, match="sendgrid"):
        hooks.send_email(["x@example.org"], "s", "c")


class FakeResponse:
    def __init__(self, body):
        self.body = body

    def raise_for_status(self):
        pass

    def json(self):
        return self.body


def test_slack_api_post_operator_posts_chat_post_message_with_the_connections_token(monkeypatch):
    import requests

    posted = []
    answer = {"ok": True}
    monkeypatch.setattr(requests, "post", lambda url, **kw: posted.append((url, kw)) or FakeResponse(answer))
    monkeypatch.setenv("AIRFLOW_CONN_SLACK", json.dumps({"conn_type": "slack", "password": "xoxb-1"}))
    hooks.SlackAPIPostOperator(task_id="t", slack_conn_id="slack", text="hi", channel="#c").execute(context={})
    url, kw = posted[0]
    assert url == "https://slack.com/api/chat.postMessage" and kw["headers"] == {"Authorization": "Bearer xoxb-1"}
    assert kw["json"]["text"] == "hi" and kw["json"]["channel"] == "#c" and kw["json"]["username"] == "Airflow"
    assert kw["json"]["blocks"] == "[]" and kw["json"]["attachments"] == "[]"
    answer["ok"], answer["error"] = False, "channel_not_found"
    with pytest.raises(RuntimeError, match="channel_not_found"):
        hooks.SlackAPIPostOperator(slack_conn_id="slack").execute({})


APIS_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.configuration import conf
from airflow.operators.python import PythonOperator
from airflow.providers.ftp.hooks.ftp import FTPHook
from airflow.providers.slack.operators.slack import SlackAPIPostOperator
from airflow.sdk import Connection
from airflow.utils.email import send_email
from airflow.utils.session import create_session


def report(**context):
    send_email(to="a@example.org", subject="s", html_content=conf.get("webserver", "base_url"))
    FTPHook(ftp_conn_id="vendor").store_file("/in/x", Connection.get("vendor").extra_dejson["path"])
    SlackAPIPostOperator(task_id="m", text="done").execute(context=context)


def sections(**context):
    return conf.getsection("smtp")


def configured(**context):
    with create_session() as session:
        return session.execute("select count(*) from connection").scalar()


with DAG("apis", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="report", python_callable=report)
    PythonOperator(task_id="sections", python_callable=sections)
    PythonOperator(task_id="configured", python_callable=configured)
"""


def test_a_callable_using_the_apis_is_judg_and_a_missing_method_is_none_with_its_name(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "apis.py").write_text(APIS_DAG)
    result = convert_project(dags, tmp_path / "apis_defs", use_cache=False)
    assert not result.generated.problems, result.generated.problems
    tasks = {t.task.task_id: t for d in result.plan.dags for t in d.tasks}
    report = tasks["report"].translation
    assert report.disposition == JUDG, report.reason
    (note,) = [n for n in report.notes if n.startswith("uses Airflow hooks")]
    assert "FTPHook, SlackAPIPostOperator, conf, send_email" in note and "AIRFLOW__SMTP__" in note
    assert any(n.startswith("reads Airflow Connections") for n in report.notes)
    assert tasks["sections"].translation.disposition == NONE
    assert tasks["sections"].translation.reason.endswith("no Dagster-side equivalent here: conf.getsection")
    # SQL on Airflow's metadata database (a session reads only its Connection table here): NONE, naming the call.
    assert tasks["configured"].translation.reason == (
        "configured calls Airflow methods with no Dagster-side equivalent here: create_session.execute"
    )
    logic = (tmp_path / "apis_defs" / "logic" / "apis.py").read_text()
    assert (
        "from ..support.hooks import Connection, FTPHook, SlackAPIPostOperator, conf, create_session, send_email\n"
        in logic
    )


MODULE_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator
from airflow.providers.ssh.hooks import ssh


def run_remote(**context):
    hook = ssh.SSHHook(ssh_conn_id="box")
    with hook.get_conn() as client:
        return hook.exec_ssh_client_command(client, "uptime", get_pty=False, environment=None)


def tunnel(**context):
    return ssh.SSHHook(ssh_conn_id="box").get_tunnel(5432)


def other(**context):
    return ssh.SomethingElse()


with DAG("module_form", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="run_remote", python_callable=run_remote)
    PythonOperator(task_id="tunnel", python_callable=tunnel)
    PythonOperator(task_id="other", python_callable=other)
"""


def test_a_hooks_module_imported_whole_is_a_namespace_of_its_support_classes(tmp_path, monkeypatch):
    import importlib

    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "module_form.py").write_text(MODULE_DAG)
    result = convert_project(dags, tmp_path / "module_form_defs", use_cache=False)
    assert not result.generated.problems, result.generated.problems
    tasks = {t.task.task_id: t.translation for d in result.plan.dags for t in d.tasks}
    assert tasks["run_remote"].disposition == JUDG, tasks["run_remote"].reason
    assert tasks["tunnel"].reason.endswith("no Dagster-side equivalent here: SSHHook.get_tunnel")
    assert tasks["other"].reason.endswith(
        "no Dagster-side equivalent here: airflow.providers.ssh.hooks.ssh.SomethingElse"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        logic = importlib.import_module("module_form_defs.logic.module_form")
        support = importlib.import_module("module_form_defs.support.hooks")
        assert logic.ssh.SSHHook is support.SSHHook
        with pytest.raises(AttributeError, match="airflow.providers.ssh.hooks.ssh.SomethingElse is Airflow's"):
            logic.other()
    finally:
        drop_modules("module_form_defs")


def test_sql_execute_query_operator_executed_in_a_callable_returns_what_airflows_returns(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_LITE", json.dumps({"conn_type": "sqlite", "host": str(tmp_path / "db.sqlite")}))
    run = hooks.SQLExecuteQueryOperator
    script = "create table t (id integer, name text); insert into t values (1, 'a'), (2, 'b')"
    assert run(task_id="x", conn_id="lite", sql=script, split_statements=True).execute({}) is None  # no result set
    assert run(task_id="x", conn_id="lite", sql="select id, name from t order by id").execute({}) == [
        (1, "a"),
        (2, "b"),
    ]
    # A list of statements: one result per statement; without do_xcom_push: None.
    both = run(conn_id="lite", sql=["select count(*) from t", "select max(id) from t"])
    assert both.execute({}) == [[(2,)], [(2,)]]
    assert run(conn_id="lite", sql="select 1", do_xcom_push=False).execute({}) is None
    # The output processor gets every statement's rows and descriptions; one string returns its last item.
    processed = run(conn_id="lite", sql="select id from t", output_processor=lambda rows, desc: [desc[0][0][0], rows])
    assert processed.execute({}) == [[(1,), (2,)]]
    monkeypatch.setenv("AIRFLOW_CONN_API", "http://example.org")
    with pytest.raises(AttributeError, match="of type 'http'"):
        run(conn_id="api", sql="select 1").execute({})
    monkeypatch.setenv("AIRFLOW_CONN_PG", "postgres://u:p@db:5432/default_db")
    hook = run(conn_id="pg", sql="select 1", database="okapi").get_db_hook()
    assert isinstance(hook, hooks.PostgresHook) and hook.database == "okapi" and hook.postgres_conn_id == "pg"


def test_sftp_hooks_deprecated_ftp_conn_id_names_the_connection():
    assert hooks.SFTPHook(ftp_conn_id="sftp-vendor").ssh_conn_id == "sftp-vendor"
    assert hooks.SFTPHook().ssh_conn_id == "sftp_default"
