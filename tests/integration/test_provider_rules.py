"""The provider operators' rules against real servers: SQL checks on PostgreSQL, S3/SQS/SNS on moto's server,
SFTP and SSH commands on paramiko's server, Slack's Web API on a local HTTP server.

Each test converts a small DAG file, checks the tasks' dispositions, then materializes the generated assets
in-process with ``AIRFLOW_CONN_<ID>`` pointing at a server the test started, and checks what the server holds.
"""

from __future__ import annotations

import importlib
import json
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import pytest

from converters.rules.base import JUDG, MECH, REDESIGN
from tests.integration.hook_servers import moto_server, postgres_server, slack_server, ssh_server
from tests.integration.test_hooks import convert

pytestmark = pytest.mark.integration

TAGS = {"airflow/logical_date": "2024-01-15T00:00:00+00:00"}

SQL_CHECKS_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.operators.check_operator import CheckOperator
from airflow.providers.common.sql.operators.sql import (
    BranchSQLOperator,
    SQLCheckOperator,
    SQLColumnCheckOperator,
    SQLExecuteQueryOperator,
    SQLTableCheckOperator,
    SQLValueCheckOperator,
)

with DAG("checks", schedule=None, start_date=datetime(2024, 1, 1)):
    setup = SQLExecuteQueryOperator(
        task_id="setup",
        conn_id="warehouse",
        sql=[
            "drop table if exists orders",
            "create table orders (id int, ds text, amount numeric)",
            "insert into orders values (1, '{{ ds }}', 10), (2, '{{ ds }}', 20), (3, '{{ ds }}', null)",
        ],
    )
    landed = CheckOperator(
        task_id="landed", conn_id="warehouse", sql="select count(*), min(id) from orders where ds = '{{ ds }}'"
    )
    count = SQLValueCheckOperator(
        task_id="count", conn_id="warehouse", sql="select count(*) from orders", pass_value="{{ 2 + 1 }}", tolerance=0.1
    )
    columns = SQLColumnCheckOperator(
        task_id="columns",
        conn_id="warehouse",
        table="orders",
        column_mapping={
            "id": {"null_check": {"equal_to": 0}, "unique_check": {"equal_to": 0}, "min": {"geq_to": 1}},
            "amount": {"max": {"less_than": 100}, "null_check": {"equal_to": 1}},
        },
        partition_clause="ds = '{{ ds }}'",
    )
    table = SQLTableCheckOperator(
        task_id="table",
        conn_id="warehouse",
        table="orders",
        checks={
            "row_count": {"check_statement": "COUNT(*) = 3"},
            "positive": {"check_statement": "amount > 0", "partition_clause": "amount is not null"},
        },
    )
    branch = BranchSQLOperator(
        task_id="branch",
        conn_id="warehouse",
        sql="select count(*) > 2 from orders",
        follow_task_ids_if_true=["big_day"],
        follow_task_ids_if_false=["small_day"],
    )
    big_day = SQLExecuteQueryOperator(task_id="big_day", conn_id="warehouse", sql="select 1")
    small_day = SQLExecuteQueryOperator(task_id="small_day", conn_id="warehouse", sql="select 1")
    small_check = SQLCheckOperator(task_id="small_check", conn_id="warehouse", sql="select 0")
    future = SQLValueCheckOperator(
        task_id="future", conn_id="warehouse", sql="select count(*) from orders where ds > '{{ ds }}'", pass_value=1
    )
    after = SQLExecuteQueryOperator(task_id="after", conn_id="warehouse", sql="create table after_future (x int)")
    setup >> [landed, count, columns, table, branch, future]
    branch >> [big_day, small_day, small_check]
    future >> after
"""


def _run(tmp_path: Path, package: str, module: str, keys: list[str]) -> dg.ExecuteInProcessResult:
    """Materialize ``keys`` of the DAG ``module`` without requiring success (a failed check is the point)."""
    sys.path.insert(0, str(tmp_path))
    try:
        loaded = importlib.import_module(f"{package}.dags.{module}")
        assets = [a for a in loaded.defs.assets if isinstance(a, dg.AssetsDefinition)]
        selection = [dg.AssetKey([module, k]) for k in keys]
        resources = getattr(importlib.import_module(f"{package}.definitions"), "RESOURCES", {})
        return dg.materialize(assets, selection=selection, tags=TAGS, resources=resources, raise_on_error=False)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
            del sys.modules[name]


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, tuple[bool, str]]:
    return {e.asset_key.path[-1]: (e.passed, e.description or "") for e in result.get_asset_check_evaluations()}


def test_sql_checks_and_branch_on_a_real_postgres(tmp_path, monkeypatch):
    package, tasks = convert(tmp_path, "checks", SQL_CHECKS_DAG)
    for task_id in ("landed", "count", "columns", "table", "future"):
        assert tasks[task_id].disposition == MECH, (task_id, tasks[task_id].translation.reason)
        assert not tasks[task_id].unconsumed, (task_id, tasks[task_id].unconsumed)
    assert tasks["branch"].disposition == REDESIGN
    with postgres_server() as pg:
        monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", pg.uri)
        good = ["setup", "landed", "count", "columns", "table", "branch", "big_day", "small_day", "small_check"]
        result = _run(tmp_path, package, "checks", good)
        assert result.success
        checks = _checks(result)
        assert {k: passed for k, (passed, _) in checks.items()} == {
            "landed": True,
            "count": True,
            "columns": True,
            "table": True,
            "small_check": False,  # not chosen by the branch: not evaluated (a warning), its SQL would fail
        }
        assert checks["small_check"][1] == "not evaluated: branch did not let this task run"
        materialized = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
        assert "big_day" in materialized and "small_day" not in materialized  # the branch followed big_day

        # A failed check fails its step with Airflow's message; what depends on it does not run.
        result = _run(tmp_path, package, "checks", ["future", "after"])
        assert not result.success
        passed, description = _checks(result)["future"]
        assert not passed and description.startswith("Test failed.\nPass value:1.0")
        materialized = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
        assert "after" not in materialized

        # The same checks fail when the data is wrong: a duplicate id and a negative amount.
        from converters.codegen.support.resources import SqlConnection

        SqlConnection(conn_id="warehouse", value=pg.uri).run("insert into orders values (1, '2024-01-15', -5)")
        result = _run(tmp_path, package, "checks", ["landed", "count", "columns", "table"])
        checks = _checks(result)
        assert checks["landed"][0] is True
        assert checks["count"][0] is False  # 4 rows is more than 10 % off 3
        assert not checks["columns"][0] and "Check: unique_check" in checks["columns"][1]
        assert not checks["table"][0] and "Check: row_count" in checks["table"][1] and "positive" in checks["table"][1]


AWS_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.contrib.operators.s3_list_operator import S3ListOperator as OldS3ListOperator
from airflow.providers.amazon.aws.operators.s3 import (
    S3CopyObjectOperator,
    S3CreateBucketOperator,
    S3DeleteBucketOperator,
    S3DeleteObjectsOperator,
    S3ListOperator,
)
from airflow.providers.amazon.aws.operators.sns import SnsPublishOperator
from airflow.providers.amazon.aws.operators.sqs import SqsPublishOperator
from airflow.providers.amazon.aws.sensors.sqs import SqsSensor

QUEUE = "ENDPOINT/123456789012/orders"

with DAG("aws_ops", schedule=None, start_date=datetime(2024, 1, 1)):
    create = S3CreateBucketOperator(task_id="create", bucket_name="archive-{{ ds_nodash }}", region_name="eu-west-1")
    copy = S3CopyObjectOperator(
        task_id="copy",
        source_bucket_key="in/{{ ds }}/a.csv",
        source_bucket_name="drops",
        dest_bucket_key="s3://archive-{{ ds_nodash }}/a.csv",
    )
    listed = S3ListOperator(task_id="listed", bucket="drops", prefix="in/{{ ds }}/")
    wild = OldS3ListOperator(task_id="wild", bucket="drops", prefix="in/*/b.csv", apply_wildcard=True)
    delete = S3DeleteObjectsOperator(task_id="delete", bucket="drops", prefix="in/{{ ds }}/")
    drop = S3DeleteBucketOperator(task_id="drop", bucket_name="scratch", force_delete=True)
    publish = SqsPublishOperator(
        task_id="publish",
        sqs_queue=QUEUE,
        message_content='{"day": "{{ ds }}"}',
        message_attributes={"kind": {"DataType": "String", "StringValue": "daily"}},
    )
    wait = SqsSensor(task_id="wait", sqs_queue=QUEUE, max_messages=10, poke_interval=1, timeout=30)
    notify = SnsPublishOperator(
        task_id="notify",
        target_arn="arn:aws:sns:eu-west-1:123456789012:loads",
        message="loaded {{ ds }}",
        subject="orders",
    )
    create >> copy >> delete
    [listed, wild] >> delete
    publish >> wait
"""


def test_s3_sqs_and_sns_operators_against_motos_server(tmp_path, monkeypatch):
    import boto3

    with moto_server() as endpoint:
        package, tasks = convert(tmp_path, "aws_ops", AWS_DAG.replace("ENDPOINT", endpoint))
        for task_id in ("create", "copy", "listed", "wild", "delete", "drop", "publish", "notify"):
            assert tasks[task_id].disposition == MECH, (task_id, tasks[task_id].translation.reason)
            assert not tasks[task_id].unconsumed, (task_id, tasks[task_id].unconsumed)
        assert tasks["wait"].disposition == REDESIGN and not tasks["wait"].unconsumed
        conn = {"conn_type": "aws", "login": "testing", "password": "testing",
                "extra": {"endpoint_url": endpoint, "region_name": "eu-west-1"}}  # fmt: skip
        monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps(conn))
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"):
            monkeypatch.delenv(name, raising=False)
        options = {"endpoint_url": endpoint, "aws_access_key_id": "testing", "aws_secret_access_key": "testing",
                   "region_name": "eu-west-1"}  # fmt: skip
        s3, sqs, sns = (boto3.client(service, **options) for service in ("s3", "sqs", "sns"))
        where = {"CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}}
        for bucket in ("drops", "scratch"):
            s3.create_bucket(Bucket=bucket, **where)
        for key in ("in/2024-01-15/a.csv", "in/2024-01-15/b.csv", "in/2024-01-14/b.csv", "other/x.csv"):
            s3.put_object(Bucket="drops", Key=key, Body=key.encode())
        s3.put_object(Bucket="scratch", Key="tmp/1", Body=b"1")
        sqs.create_queue(QueueName="orders")
        topic = sns.create_topic(Name="loads")["TopicArn"]
        alerts = sqs.create_queue(QueueName="alerts")["QueueUrl"]
        alerts_arn = sqs.get_queue_attributes(QueueUrl=alerts, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=alerts_arn)

        result = _run(tmp_path, package, "aws_ops", list(tasks))
        assert result.success
        value = {k: result.asset_value(dg.AssetKey(["aws_ops", k])) for k in ("listed", "wild", "wait", "notify")}
        assert value["listed"] == ["in/2024-01-15/a.csv", "in/2024-01-15/b.csv"]
        assert value["wild"] == ["in/2024-01-14/b.csv", "in/2024-01-15/b.csv"]
        assert [json.loads(m["Body"]) for m in value["wait"]] == [{"day": "2024-01-15"}]
        assert value["wait"][0]["MessageAttributes"]["kind"]["StringValue"] == "daily"
        assert value["notify"]
        # What the operators did, read on the server.
        assert s3.get_object(Bucket="archive-20240115", Key="a.csv")["Body"].read() == b"in/2024-01-15/a.csv"
        remaining = [o["Key"] for o in s3.list_objects_v2(Bucket="drops").get("Contents", [])]
        assert remaining == ["in/2024-01-14/b.csv", "other/x.csv"]
        assert "scratch" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
        orders = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
        assert "Messages" not in sqs.receive_message(QueueUrl=orders)  # the sensor deleted what it received
        delivered = json.loads(sqs.receive_message(QueueUrl=alerts)["Messages"][0]["Body"])
        assert (delivered["Message"], delivered["Subject"]) == ("loaded 2024-01-15", "orders")


SFTP_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.providers.sftp.operators.sftp import SFTPOperation, SFTPOperator

with DAG("sftp_ops", schedule=None, start_date=datetime(2024, 1, 1)):
    put = SFTPOperator(
        task_id="put",
        ssh_conn_id="partner",
        local_filepath="LOCAL/orders.csv",
        remote_filepath="/outbox/{{ ds }}/orders.csv",
        operation=SFTPOperation.PUT,
        create_intermediate_dirs=True,
    )
    put_many = SFTPOperator(
        task_id="put_many",
        ssh_conn_id="partner",
        local_filepath=["LOCAL/orders.csv", "LOCAL/items.csv"],
        remote_filepath=["/flat/orders.csv", "/flat/items.csv"],
    )
    get = SFTPOperator(
        task_id="get",
        ssh_conn_id="partner",
        local_filepath="LOCAL/back/{{ ds }}/orders.csv",
        remote_filepath="/outbox/{{ ds }}/orders.csv",
        operation="get",
        create_intermediate_dirs=True,
    )
    put >> get
"""


def test_sftp_operator_puts_and_gets_on_a_local_sftp_server(tmp_path, monkeypatch):
    local = tmp_path / "local"
    local.mkdir()
    (local / "orders.csv").write_text("id,amount\n1,9.5\n")
    (local / "items.csv").write_text("sku\nA\n")
    package, tasks = convert(tmp_path, "sftp_ops", SFTP_DAG.replace("LOCAL", str(local)))
    for task_id in ("put", "put_many", "get"):
        assert tasks[task_id].disposition == JUDG, (task_id, tasks[task_id].translation.reason)
        assert not tasks[task_id].unconsumed, (task_id, tasks[task_id].unconsumed)
    remote = tmp_path / "remote"
    (remote / "flat").mkdir(parents=True)
    with ssh_server(remote, "deploy", "pw") as port:
        monkeypatch.setenv("AIRFLOW_CONN_PARTNER", f"ssh://deploy:pw@127.0.0.1:{port}?look_for_keys=false")
        result = _run(tmp_path, package, "sftp_ops", ["put", "put_many", "get"])
    assert result.success
    assert (remote / "outbox" / "2024-01-15" / "orders.csv").read_text() == "id,amount\n1,9.5\n"
    assert (remote / "flat" / "items.csv").read_text() == "sku\nA\n"
    back = local / "back" / "2024-01-15" / "orders.csv"
    assert back.read_text() == "id,amount\n1,9.5\n"
    assert result.asset_value(dg.AssetKey(["sftp_ops", "get"])) == str(back)


SSH_HOOK_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.providers.ssh.hooks.ssh import SSHHook
from airflow.providers.ssh.operators.ssh import SSHOperator

BOX_HOST = Variable.get("box_host")
box = SSHHook(
    remote_host=BOX_HOST,
    username="deploy",
    key_file=Variable.get("box_key_file"),
    port=int(Variable.get("box_port")),
)

with DAG("ssh_ops", schedule=None, start_date=datetime(2024, 1, 1)):
    stamp = SSHOperator(
        task_id="stamp",
        ssh_hook=box,
        cmd_timeout=30,
        environment={"DAY": "{{ ds }}"},
        command="echo {{ ds }} > stamp.txt && cat stamp.txt",
    )
    fails = SSHOperator(task_id="fails", ssh_hook=box, command="echo no >&2; exit 3")
"""


def test_ssh_operator_over_a_hook_built_from_variables_runs_on_a_local_ssh_server(tmp_path, monkeypatch):
    import base64

    import paramiko

    package, tasks = convert(tmp_path, "ssh_ops", SSH_HOOK_DAG)
    for task_id in ("stamp", "fails"):
        assert tasks[task_id].disposition == JUDG, (task_id, tasks[task_id].translation.reason)
        assert not tasks[task_id].unconsumed, (task_id, tasks[task_id].unconsumed)
    key = paramiko.RSAKey.generate(2048)
    key.write_private_key_file(str(tmp_path / "id_box"))
    remote = tmp_path / "remote"
    remote.mkdir()
    with ssh_server(remote, "deploy", "not-used", key=key) as port:
        # The hook's host, key and port are Airflow Variables: read from the environment when the asset runs.
        monkeypatch.setenv("AIRFLOW_VAR_BOX_HOST", "127.0.0.1")
        monkeypatch.setenv("AIRFLOW_VAR_BOX_KEY_FILE", str(tmp_path / "id_box"))
        monkeypatch.setenv("AIRFLOW_VAR_BOX_PORT", str(port))
        stamped = _run(tmp_path, package, "ssh_ops", ["stamp"])
        failed = _run(tmp_path, package, "ssh_ops", ["fails"])
    assert stamped.success
    assert (remote / "stamp.txt").read_text() == "2024-01-15\n"
    # Airflow's XCom of SSHOperator: the standard output, base64-encoded.
    assert stamped.asset_value(dg.AssetKey(["ssh_ops", "stamp"])) == base64.b64encode(b"2024-01-15\n").decode()
    assert not failed.success
    failure = next(e for e in failed.all_events if e.is_step_failure)
    assert "exit status = 3" in str(failure.event_specific_data.error)


SLACK_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.providers.slack.operators.slack import SlackAPIFileOperator, SlackAPIPostOperator

with DAG("slack_ops", schedule=None, start_date=datetime(2024, 1, 1)):
    SlackAPIPostOperator(
        task_id="post", slack_conn_id="bot", channel="#data", text="loaded {{ ds }}", blocks=[{"type": "divider"}]
    )
    SlackAPIPostOperator(task_id="closed", slack_conn_id="bot", channel="#closed", text="nobody reads this")
    SlackAPIFileOperator(
        task_id="share", slack_conn_id="bot", channels="#data", initial_comment="report {{ ds }}", filename="REPORT"
    )
"""


def test_slack_api_operators_against_a_local_web_api(tmp_path, monkeypatch):
    report = tmp_path / "report.csv"
    report.write_text("day,rows\n2024-01-15,3\n")
    package, tasks = convert(tmp_path, "slack_ops", SLACK_DAG.replace("REPORT", str(report)))
    assert tasks["post"].disposition == REDESIGN and not tasks["post"].unconsumed
    assert tasks["share"].disposition == JUDG and not tasks["share"].unconsumed
    with slack_server() as (port, received):
        conn = {"conn_type": "slack", "password": "xoxb-test", "extra": {"base_url": f"http://127.0.0.1:{port}/api/"}}
        monkeypatch.setenv("AIRFLOW_CONN_BOT", json.dumps(conn))
        result = _run(tmp_path, package, "slack_ops", ["post", "share"])
        assert result.success
        failed = _run(tmp_path, package, "slack_ops", ["closed"])
    assert not failed.success  # Slack's "ok": false fails the step, as SlackHook raises
    (path, auth, message), (upload_path, upload_auth, upload), _ = received
    assert (path, auth) == ("/api/chat.postMessage", "Bearer xoxb-test")
    assert message["channel"] == "#data" and message["text"] == "loaded 2024-01-15"
    assert message["blocks"] == [{"type": "divider"}] and message["username"] == "Airflow"
    assert (upload_path, upload_auth) == ("/api/files.upload", "Bearer xoxb-test")
    assert 'filename="report.csv"' in upload and "2024-01-15,3" in upload and "report 2024-01-15" in upload


@contextmanager
def airbyte_server() -> Iterator[tuple[int, list]]:
    """A stand-in for Airbyte's config API: ``connections/sync`` starts a job (connection ``broken``: one that
    fails), ``jobs/get`` answers ``running`` once, then the job's end state. Records each call."""
    calls: list = []
    jobs: dict[int, list[str]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            calls.append((self.path, self.headers.get("Authorization"), body))
            if self.path == "/api/v1/connections/sync":
                job_id = len(jobs) + 1
                jobs[job_id] = ["running", "failed" if body["connectionId"] == "broken" else "succeeded"]
                answer = {"job": {"id": job_id, "status": "pending"}}
            elif self.path == "/api/v1/jobs/get":
                states = jobs[body["id"]]
                answer = {"job": {"id": body["id"], "status": states.pop(0) if len(states) > 1 else states[0]}}
            else:
                self.send_response(404)
                self.end_headers()
                return
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], calls
    finally:
        server.shutdown()
        server.server_close()


AIRBYTE_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.providers.airbyte.operators.airbyte import AirbyteTriggerSyncOperator
from airflow.providers.airbyte.sensors.airbyte import AirbyteJobSensor

with DAG("airbyte_ops", schedule=None, start_date=datetime(2024, 1, 1)):
    AirbyteTriggerSyncOperator(task_id="sync", airbyte_conn_id="airbyte", connection_id="crm", wait_seconds=0.1)
    start = AirbyteTriggerSyncOperator(
        task_id="start", airbyte_conn_id="airbyte", connection_id="crm", asynchronous=True
    )
    wait = AirbyteJobSensor(
        task_id="wait",
        airbyte_conn_id="airbyte",
        airbyte_job_id="{{ ti.xcom_pull(task_ids='start') }}",
        poke_interval=0.1,
    )
    AirbyteTriggerSyncOperator(task_id="broken", airbyte_conn_id="airbyte", connection_id="broken", wait_seconds=0.1)
    start >> wait
"""


def test_airbyte_sync_and_sensor_against_a_local_config_api(tmp_path, monkeypatch):
    package, tasks = convert(tmp_path, "airbyte_ops", AIRBYTE_DAG)
    assert tasks["sync"].disposition == JUDG and not tasks["sync"].unconsumed
    assert tasks["wait"].disposition == REDESIGN and not tasks["wait"].unconsumed
    with airbyte_server() as (port, calls):
        monkeypatch.setenv("AIRFLOW_CONN_AIRBYTE", f"airbyte://bot:pw@127.0.0.1:{port}")
        result = _run(tmp_path, package, "airbyte_ops", ["sync", "start", "wait"])
        assert result.success
        values = {k: result.asset_value(dg.AssetKey(["airbyte_ops", k])) for k in ("sync", "start", "wait")}
        failed = _run(tmp_path, package, "airbyte_ops", ["broken"])
    assert not failed.success  # a failed job fails the step, as the operator raises
    assert values["start"] != values["sync"] and values["wait"] is True
    paths = [path for path, _, _ in calls]
    assert paths.count("/api/v1/connections/sync") == 3 and paths.count("/api/v1/jobs/get") >= 5
    assert all(auth == "Basic Ym90OnB3" for _, auth, _ in calls)
    assert {"id": values["start"]} in [body for path, _, body in calls if path == "/api/v1/jobs/get"]


EMR_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.providers.amazon.aws.operators.emr import EmrServerlessStartJobOperator

with DAG("emr_ops", schedule=None, start_date=datetime(2024, 1, 1)):
    EmrServerlessStartJobOperator(
        task_id="aggregate",
        application_id="APPLICATION",
        execution_role_arn="arn:aws:iam::123456789012:role/emr-jobs",
        job_driver={"sparkSubmit": {"entryPoint": "s3://jobs/aggregate.py", "entryPointArguments": ["{{ ds }}"]}},
        name="aggregate-{{ ds }}",
    )
"""


def test_emr_serverless_job_through_pipes_against_motos_server(tmp_path, monkeypatch):
    import boto3

    with moto_server() as endpoint:
        options = {"endpoint_url": endpoint, "aws_access_key_id": "testing", "aws_secret_access_key": "testing",
                   "region_name": "eu-west-1"}  # fmt: skip
        emr = boto3.client("emr-serverless", **options)
        application = emr.create_application(name="jobs", releaseLabel="emr-6.15.0", type="SPARK")["applicationId"]
        package, tasks = convert(tmp_path, "emr_ops", EMR_DAG.replace("APPLICATION", application))
        assert tasks["aggregate"].disposition == JUDG and not tasks["aggregate"].unconsumed
        conn = {"conn_type": "aws", "login": "testing", "password": "testing",
                "extra": {"endpoint_url": endpoint, "region_name": "eu-west-1"}}  # fmt: skip
        monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps(conn))
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"):
            monkeypatch.delenv(name, raising=False)
        result = _run(tmp_path, package, "emr_ops", ["aggregate"])
        assert result.success
        runs = emr.list_job_runs(applicationId=application)["jobRuns"]
        assert [(r["name"], r["state"]) for r in runs] == [("aggregate-2024-01-15", "SUCCESS")]
        submitted = emr.get_job_run(applicationId=application, jobRunId=runs[0]["id"])["jobRun"]["jobDriver"]
        assert submitted["sparkSubmit"]["entryPointArguments"] == ["2024-01-15"]
        assert "DAGSTER_PIPES_CONTEXT" in submitted["sparkSubmit"]["sparkSubmitParameters"]
