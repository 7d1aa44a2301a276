"""Airflow hooks in copied callables run against real servers: PostgreSQL, SQLite, moto's S3, a local HTTP server.

Each test converts a small DAG file whose callable uses the hook, checks the task's disposition, then
materializes the generated asset in-process (the generated package imported from the test's folder) with
``AIRFLOW_CONN_<ID>`` pointing at a server the test started, and checks the data on the server itself.
"""

from __future__ import annotations

import importlib
import json
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import dagster as dg
import pytest

from converters.convert import convert_project
from converters.rules.base import JUDG, NONE
from tests.integration.hook_servers import mariadb_server, moto_server, postgres_server, ssh_server

pytestmark = pytest.mark.integration

POSTGRES_DAG = """
import os
from datetime import datetime

from airflow import DAG
from airflow.hooks.postgres_hook import PostgresHook as LegacyHook
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook

TABLE = "orders"


def load(ds, **context):
    hook = PostgresHook(postgres_conn_id="warehouse")
    hook.run(f"create table if not exists {TABLE} (id int primary key, day text, amount numeric)")
    rows = [(1, ds, 9.5), (2, ds, 3)]
    hook.insert_rows(TABLE, rows, target_fields=["id", "day", "amount"], replace=True, replace_index="id")
    hook.run(f"update {TABLE} set amount = amount + %s where id = %s", parameters=(1, 2))
    return [str(v) for v in hook.get_first(f"select count(*), sum(amount) from {TABLE}")]


def export(**context):
    path = os.environ["EXPORT_PATH"]
    LegacyHook("warehouse").copy_expert(f"COPY (select id, day from {TABLE} order by id) TO STDOUT WITH CSV", path)
    engine = LegacyHook(postgres_conn_id="warehouse").get_sqlalchemy_engine()
    with engine.connect() as con:
        count = con.exec_driver_sql(f"select count(*) from {TABLE}").scalar()
    return {"exported": open(path).read().splitlines(), "count": count}


with DAG("pg_hooks", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="load", python_callable=load) >> PythonOperator(task_id="export", python_callable=export)
"""

SQLITE_DAG = """
from datetime import datetime

from airflow.decorators import dag, task
from airflow.providers.sqlite.hooks.sqlite import SqliteHook


@dag(schedule=None, start_date=datetime(2024, 1, 1))
def lite_hooks():
    @task
    def copy_rows():
        hook = SqliteHook(sqlite_conn_id="lite")
        hook.run("create table if not exists t (id integer, name text); delete from t", split_statements=True)
        hook.insert_rows("t", [(1, "a"), (2, "b")], target_fields=["id", "name"])
        return hook.get_records("select id, name from t order by id")

    copy_rows()


lite_hooks()
"""

S3_DAG = """
import os
from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator
from airflow.providers.amazon.aws.hooks.s3 import S3Hook


def publish(ds, **context):
    s3 = S3Hook(aws_conn_id="aws_default")
    if not s3.check_for_bucket("reports"):
        s3.create_bucket("reports")
    s3.load_string(f"day,{ds}", key=f"daily/{ds}.csv", bucket_name="reports", replace=True)
    s3.load_file(os.environ["UPLOAD_PATH"], key="s3://reports/raw/upload.txt", replace=True)
    keys = s3.list_keys(bucket_name="reports", prefix="daily/")
    return {
        "keys": keys,
        "read": s3.read_key(f"daily/{ds}.csv", "reports"),
        "exists": s3.check_for_key("raw/upload.txt", "reports"),
        "missing": s3.check_for_key("s3://reports/nothing"),
    }


with DAG("s3_hooks", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="publish", python_callable=publish)
"""


def convert(tmp_path: Path, name: str, source: str):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / f"{name}.py").write_text(source)
    package = f"{name}_defs"
    result = convert_project(dags, tmp_path / package, use_cache=False)
    assert not result.generated.problems, result.generated.problems
    tasks = {t.task.task_id: t for d in result.plan.dags for t in d.tasks}
    return package, tasks


def materialize(tmp_path: Path, package: str, dag_module: str, keys: list[list[str]], tags: dict | None = None):
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module(f"{package}.dags.{dag_module}")
        assets = [a for a in module.defs.assets if isinstance(a, dg.AssetsDefinition)]
        result = dg.materialize(assets, selection=[dg.AssetKey(k) for k in keys], tags=tags or {})
        assert result.success
        return {tuple(k): result.asset_value(dg.AssetKey(k)) for k in keys}
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
            del sys.modules[name]


def test_postgres_hook_reads_and_writes_a_real_postgres(tmp_path, monkeypatch):
    package, tasks = convert(tmp_path, "pg_hooks", POSTGRES_DAG)
    for task_id in ("load", "export"):
        assert tasks[task_id].disposition == JUDG, tasks[task_id].translation.reason
        assert any("AIRFLOW_CONN_<ID>" in n for n in tasks[task_id].translation.notes)
    logic = (tmp_path / package / "logic" / "pg_hooks.py").read_text()
    assert "from ..support.hooks import PostgresHook\n" in logic
    assert "from ..support.hooks import PostgresHook as LegacyHook\n" in logic
    with postgres_server() as pg:
        monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", pg.uri)
        monkeypatch.setenv("EXPORT_PATH", str(tmp_path / "export.csv"))
        tags = {"airflow/logical_date": "2024-01-15T00:00:00+00:00"}
        values = materialize(tmp_path, package, "pg_hooks", [["pg_hooks", "load"], ["pg_hooks", "export"]], tags)
        assert values[("pg_hooks", "load")] == ["2", "13.5"]
        assert values[("pg_hooks", "export")] == {"exported": ["1,2024-01-15", "2,2024-01-15"], "count": 2}
        import psycopg2

        with psycopg2.connect(host=pg.host, port=pg.port, user=pg.user, password=pg.password, dbname=pg.database) as c:
            with c.cursor() as cur:
                cur.execute("select id, day, amount from orders order by id")
                assert [(i, d, float(a)) for i, d, a in cur.fetchall()] == [
                    (1, "2024-01-15", 9.5),
                    (2, "2024-01-15", 4.0),
                ]
        # The JSON form of the connection reads the same server.
        conn = {"conn_type": "postgres", "host": pg.host, "port": pg.port, "login": pg.user,
                "password": pg.password, "schema": pg.database}  # fmt: skip
        monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", json.dumps(conn))
        values = materialize(tmp_path, package, "pg_hooks", [["pg_hooks", "load"]], tags)
        assert values[("pg_hooks", "load")] == ["2", "13.5"]  # the upsert rewrote both rows, then 1 was added again


def test_sql_resource_runs_a_literal_percent_on_real_postgres():
    """The SQL operators' resource on psycopg2, a ``%``-paramstyle driver: ``like '%ab%'`` reaches the server as
    written when there are no parameters, and parameters still work (the stand-in driver of
    tests/unit/test_sql_resource.py, on the real one)."""
    from converters.codegen.support.resources import SqlConnection

    with postgres_server() as pg:
        warehouse = SqlConnection(conn_id="warehouse", value=pg.uri)
        warehouse.run(["create table names (name varchar)", "insert into names values ('xaby'), ('zz')"])
        assert warehouse.run("select count(*) from names where name like '%ab%'") == [[(1,)]]
        assert warehouse.run("select count(*) from names where name like %s", parameters=["%ab%"]) == [[(1,)]]


def test_sqlite_hook_writes_the_connections_file(tmp_path, monkeypatch):
    package, tasks = convert(tmp_path, "lite_hooks", SQLITE_DAG)
    assert tasks["copy_rows"].disposition == JUDG, tasks["copy_rows"].translation.reason
    database = tmp_path / "lite.db"
    # Airflow's URI form of a SQLite connection: the file's path, URL-encoded, is the host.
    monkeypatch.setenv("AIRFLOW_CONN_LITE", "sqlite://" + quote(str(database), safe=""))
    values = materialize(tmp_path, package, "lite_hooks", [["lite_hooks", "copy_rows"]])
    assert values[("lite_hooks", "copy_rows")] == [(1, "a"), (2, "b")]
    with sqlite3.connect(database) as con:
        assert con.execute("select id, name from t order by id").fetchall() == [(1, "a"), (2, "b")]


def test_s3_hook_against_motos_server(tmp_path, monkeypatch):
    package, tasks = convert(tmp_path, "s3_hooks", S3_DAG)
    assert tasks["publish"].disposition == JUDG, tasks["publish"].translation.reason
    upload = tmp_path / "upload.txt"
    upload.write_text("raw bytes\n")
    with moto_server() as endpoint:
        conn = {"conn_type": "aws", "login": "testing", "password": "testing",
                "extra": {"endpoint_url": endpoint, "region_name": "us-east-1"}}  # fmt: skip
        monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps(conn))
        monkeypatch.setenv("UPLOAD_PATH", str(upload))
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"):
            monkeypatch.delenv(name, raising=False)
        tags = {"airflow/logical_date": "2024-01-15T00:00:00+00:00"}
        values = materialize(tmp_path, package, "s3_hooks", [["s3_hooks", "publish"]], tags)
        assert values[("s3_hooks", "publish")] == {
            "keys": ["daily/2024-01-15.csv"],
            "read": "day,2024-01-15",
            "exists": True,
            "missing": False,
        }
        import boto3

        client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing",
                              aws_secret_access_key="testing", region_name="us-east-1")  # fmt: skip
        body = client.get_object(Bucket="reports", Key="raw/upload.txt")["Body"].read()
        assert body == b"raw bytes\n"


def test_a_missing_hook_method_or_variable_set_is_none_with_its_name(tmp_path):
    source = (
        POSTGRES_DAG.replace("hook.insert_rows(", "hook.bulk_insert_rows(")
        .replace("def export(**context):\n", "def export(**context):\n    Variable.set('last', 1)\n")
        .replace("import os\n", "import os\n\nfrom airflow.models import Variable\n", 1)
    )
    _, tasks = convert(tmp_path, "pg_hooks", source)
    assert tasks["load"].disposition == NONE
    assert "PostgresHook.bulk_insert_rows" in tasks["load"].translation.reason
    assert tasks["export"].disposition == NONE
    assert "Variable.set" in tasks["export"].translation.reason


HTTP_DAG = """
import json
from datetime import datetime

from airflow import DAG
from airflow.exceptions import AirflowException
from airflow.operators.python import PythonOperator
from airflow.providers.http.hooks.http import HttpHook


def sync(ds, **context):
    rates = HttpHook(method="GET", http_conn_id="rates_api").run("rates", data={"day": ds}).json()
    poster = HttpHook(http_conn_id="rates_api")
    poster.run("/ingest", data=json.dumps(rates), headers={"Content-Type": "application/json"})
    try:
        HttpHook(method="GET", http_conn_id="rates_api").run("missing")
    except AirflowException as exc:
        failed = str(exc)
    return {"rates": rates, "failed": failed}


with DAG("http_hooks", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="sync", python_callable=sync)
"""


@contextmanager
def http_server() -> Iterator[tuple[int, list]]:
    """A local HTTP server on a free loopback port: GET /rates answers JSON, POST /ingest records its body."""
    received: list = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            if url.path == "/rates":
                day = parse_qs(url.query)["day"][0]
                self._answer(200, {"day": day, "eur": 1.1, "token": self.headers.get("X-Token"),
                                   "auth": self.headers.get("Authorization")})  # fmt: skip
            else:
                self._answer(404, {"error": "no such path"})

        def do_POST(self):  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", 0))
            received.append((self.path, self.headers.get("Content-Type"), json.loads(self.rfile.read(length))))
            self._answer(200, {"ok": True})

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], received
    finally:
        server.shutdown()
        server.server_close()


def test_http_hook_against_a_local_http_server(tmp_path, monkeypatch):
    package, tasks = convert(tmp_path, "http_hooks", HTTP_DAG)
    assert tasks["sync"].disposition == JUDG, tasks["sync"].translation.reason
    with http_server() as (port, received):
        # Airflow's URI form: login and password become basic auth, the query (the extra) headers.
        monkeypatch.setenv("AIRFLOW_CONN_RATES_API", f"http://bot:s3cret@127.0.0.1:{port}/http?X-Token=abc")
        tags = {"airflow/logical_date": "2024-01-15T00:00:00+00:00"}
        values = materialize(tmp_path, package, "http_hooks", [["http_hooks", "sync"]], tags)
    rates = {"day": "2024-01-15", "eur": 1.1, "token": "abc", "auth": "Basic Ym90OnMzY3JldA=="}
    assert values[("http_hooks", "sync")] == {"rates": rates, "failed": "404:Not Found"}
    assert received == [("/ingest", "application/json", rates)]


SQS_SNS_DAG = """
import json
from datetime import datetime

from airflow import DAG
from airflow.contrib.hooks.aws_sqs_hook import SQSHook
from airflow.operators.python import PythonOperator
from airflow.providers.amazon.aws.hooks.sns import SnsHook


def notify(ds, **context):
    sqs = SQSHook(aws_conn_id="aws_default")
    queue_url = sqs.create_queue("orders")["QueueUrl"]
    sqs.send_message(queue_url, json.dumps({"day": ds}), message_attributes={
        "kind": {"DataType": "String", "StringValue": "daily"}})
    sns = SnsHook(aws_conn_id="aws_default")
    topic = sns.get_conn().create_topic(Name="alerts")["TopicArn"]
    alerts_url = sqs.create_queue("alerts")["QueueUrl"]
    alerts_arn = sqs.get_conn().get_queue_attributes(QueueUrl=alerts_url, AttributeNames=["QueueArn"])
    sns.get_conn().subscribe(TopicArn=topic, Protocol="sqs", Endpoint=alerts_arn["Attributes"]["QueueArn"])
    return sns.publish_to_target(topic, f"loaded {ds}", subject="orders", message_attributes={"rows": 2})["MessageId"]


with DAG("queue_hooks", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="notify", python_callable=notify)
"""


def test_sqs_and_sns_hooks_against_motos_server(tmp_path, monkeypatch):
    package, tasks = convert(tmp_path, "queue_hooks", SQS_SNS_DAG)
    assert tasks["notify"].disposition == JUDG, tasks["notify"].translation.reason
    with moto_server() as endpoint:
        # Airflow's URI form of an AWS connection: the extra (region, endpoint) as the query.
        uri = f"aws://testing:testing@/?region_name=eu-west-1&endpoint_url={quote(endpoint, safe='')}"
        monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", uri)
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"):
            monkeypatch.delenv(name, raising=False)
        tags = {"airflow/logical_date": "2024-01-15T00:00:00+00:00"}
        values = materialize(tmp_path, package, "queue_hooks", [["queue_hooks", "notify"]], tags)
        assert values[("queue_hooks", "notify")]
        import boto3

        sqs = boto3.client("sqs", endpoint_url=endpoint, aws_access_key_id="testing",
                           aws_secret_access_key="testing", region_name="eu-west-1")  # fmt: skip
        orders = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
        got = sqs.receive_message(QueueUrl=orders, MessageAttributeNames=["All"])["Messages"]
        assert [json.loads(m["Body"]) for m in got] == [{"day": "2024-01-15"}]
        assert got[0]["MessageAttributes"]["kind"]["StringValue"] == "daily"
        alerts = sqs.get_queue_url(QueueName="alerts")["QueueUrl"]
        delivered = json.loads(sqs.receive_message(QueueUrl=alerts)["Messages"][0]["Body"])
        assert (delivered["Message"], delivered["Subject"]) == ("loaded 2024-01-15", "orders")
        assert delivered["MessageAttributes"]["rows"] == {"Type": "Number", "Value": "2"}


SLACK_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.contrib.hooks.slack_webhook_hook import SlackWebhookHook as OldSlackWebhookHook
from airflow.operators.python import PythonOperator
from airflow.providers.slack.hooks.slack_webhook import SlackWebhookHook


def announce(ds, **context):
    SlackWebhookHook(slack_webhook_conn_id="team").send(text=f"loaded {ds}", blocks=[{"type": "divider"}])
    SlackWebhookHook(slack_webhook_conn_id="team").send_text("plain")
    OldSlackWebhookHook(http_conn_id="team", message="legacy", channel="#data").execute()


with DAG("slack_hooks", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="announce", python_callable=announce)
"""


def test_slack_webhook_hook_posts_to_a_local_webhook(tmp_path, monkeypatch):
    package, tasks = convert(tmp_path, "slack_hooks", SLACK_DAG)
    assert tasks["announce"].disposition == JUDG, tasks["announce"].translation.reason
    with http_server() as (port, received):
        # Airflow's slackwebhook connection: the host is the webhook service, the password the token.
        conn = {"conn_type": "slackwebhook", "host": f"http://127.0.0.1:{port}/services", "password": "T0/B0/xyz"}
        monkeypatch.setenv("AIRFLOW_CONN_TEAM", json.dumps(conn))
        tags = {"airflow/logical_date": "2024-01-15T00:00:00+00:00"}
        materialize(tmp_path, package, "slack_hooks", [["slack_hooks", "announce"]], tags)
    assert received == [
        ("/services/T0/B0/xyz", "application/json", {"text": "loaded 2024-01-15", "blocks": [{"type": "divider"}]}),
        ("/services/T0/B0/xyz", "application/json", {"text": "plain"}),
        ("/services/T0/B0/xyz", "application/json", {"text": "legacy", "channel": "#data"}),
    ]


SSH_DAG = """
import os
from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator
from airflow.providers.sftp.hooks.sftp import SFTPHook
from airflow.providers.ssh.hooks.ssh import SSHHook


def ship(ds, **context):
    sftp = SFTPHook(ssh_conn_id="partner")
    sftp.create_directory(f"/outbox/{ds}")
    sftp.store_file(f"/outbox/{ds}/orders.csv", os.environ["UPLOAD_PATH"])
    listed = sftp.list_directory(f"/outbox/{ds}")
    matched = sftp.get_files_by_pattern(f"/outbox/{ds}", "*.csv")
    sftp.retrieve_file(f"/outbox/{ds}/orders.csv", os.environ["DOWNLOAD_PATH"])
    exists = sftp.path_exists(f"/outbox/{ds}/orders.csv"), sftp.path_exists("/nothing")
    sftp.close_conn()
    hook = SSHHook(ssh_conn_id="partner")
    with hook.get_conn() as client:
        command = f"wc -l < outbox/{ds}/orders.csv; echo oops >&2"
        status, out, err = hook.exec_ssh_client_command(client, command, get_pty=False)
    shell = {"status": status, "out": out.decode().strip(), "err": err.decode().strip()}
    return {"listed": listed, "matched": matched, "exists": exists, **shell}


with DAG("ssh_hooks", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="ship", python_callable=ship)
"""


def test_ssh_and_sftp_hooks_against_a_local_ssh_server(tmp_path, monkeypatch):
    package, tasks = convert(tmp_path, "ssh_hooks", SSH_DAG)
    assert tasks["ship"].disposition == JUDG, tasks["ship"].translation.reason
    remote = tmp_path / "remote"
    remote.mkdir()
    upload, download = tmp_path / "orders.csv", tmp_path / "back.csv"
    upload.write_text("id,amount\n1,9.5\n2,3\n")
    with ssh_server(remote, "deploy", "pw") as port:
        monkeypatch.setenv("AIRFLOW_CONN_PARTNER", f"ssh://deploy:pw@127.0.0.1:{port}?look_for_keys=false")
        monkeypatch.setenv("UPLOAD_PATH", str(upload))
        monkeypatch.setenv("DOWNLOAD_PATH", str(download))
        tags = {"airflow/logical_date": "2024-01-15T00:00:00+00:00"}
        values = materialize(tmp_path, package, "ssh_hooks", [["ssh_hooks", "ship"]], tags)
    assert values[("ssh_hooks", "ship")] == {
        "listed": ["orders.csv"],
        "matched": ["orders.csv"],
        "exists": (True, False),
        "status": 0,
        "out": "3",
        "err": "oops",
    }
    assert (remote / "outbox" / "2024-01-15" / "orders.csv").read_text() == upload.read_text()
    assert download.read_text() == upload.read_text()


MYSQL_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator
from airflow.providers.mysql.hooks.mysql import MySqlHook


def load(ds, **context):
    hook = MySqlHook(mysql_conn_id="shop_db")
    hook.run(["create table if not exists orders (id int primary key, day varchar(10), amount decimal(6,2))",
              "delete from orders"])
    hook.insert_rows("orders", [(1, ds, 9.5), (2, ds, 3)], target_fields=["id", "day", "amount"])
    hook.insert_rows("orders", [(2, ds, 4)], target_fields=["id", "day", "amount"], replace=True)
    return [str(v) for v in hook.get_first("select count(*), sum(amount) from orders where day = %s", (ds,))]


with DAG("mysql_hooks", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="load", python_callable=load)
"""


def test_mysql_hook_against_a_real_mariadb(tmp_path, monkeypatch):
    package, tasks = convert(tmp_path, "mysql_hooks", MYSQL_DAG)
    assert tasks["load"].disposition == JUDG, tasks["load"].translation.reason
    with mariadb_server("airflow", "my-secret", "shop") as port:
        monkeypatch.setenv("AIRFLOW_CONN_SHOP_DB", f"mysql://airflow:my-secret@127.0.0.1:{port}/shop")
        tags = {"airflow/logical_date": "2024-01-15T00:00:00+00:00"}
        values = materialize(tmp_path, package, "mysql_hooks", [["mysql_hooks", "load"]], tags)
        assert values[("mysql_hooks", "load")] == ["2", "13.50"]  # REPLACE INTO rewrote row 2
        import mysql.connector

        with mysql.connector.connect(host="127.0.0.1", port=port, user="airflow", password="my-secret",
                                     database="shop") as con:  # fmt: skip
            cursor = con.cursor()
            cursor.execute("select id, day, amount from orders order by id")
            assert [(i, d, float(a)) for i, d, a in cursor.fetchall()] == [
                (1, "2024-01-15", 9.5),
                (2, "2024-01-15", 4.0),
            ]
