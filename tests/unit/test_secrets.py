"""Secrets written into DAG source: found with file:line, shown redacted, never copied into anything we write."""

from __future__ import annotations

import ast
import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from converters.inventory import ir, secrets
from converters.inventory.scan import scan_source

# Every planted secret, and the text it is planted in. None of them may appear in any output.
PLANTED = {
    "uri_password": "Hunter2Secret",
    "named_constant": "s3cr3t-t0ken-value-XYZ",
    "aws_key": "AKIAIOSFODNN7EXAMPLE",
    "private_key": "MIIEowIBAAKCAQEAplantedprivatekeymaterial",
    "bearer": "abcdefghijklmnop0123456789",
    "github": "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB",
    "keyword": "pl4nted-pw-777",
    "conn_string": "Kv9-settings-pw",
}

PRIVATE_KEY = f"-----BEGIN RSA PRIVATE KEY-----\n{PLANTED['private_key']}\n-----END RSA PRIVATE KEY-----"

LEAKY_DAG = f'''\
"""A DAG with secrets written into it (password={PLANTED["conn_string"]} in a docstring)."""

from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator
from airflow.providers.http.operators.http import SimpleHttpOperator

WAREHOUSE_URI = "postgresql://etl:{PLANTED["uri_password"]}@db.internal:5432/warehouse"
API_TOKEN = "{PLANTED["named_constant"]}"
# the old key was {PLANTED["aws_key"]}
PRIVATE = """{PRIVATE_KEY}"""
DSN = "host=db user=etl password={PLANTED["conn_string"]} dbname=x"


def load(**context):
    headers = {{"Authorization": "Bearer {PLANTED["bearer"]}"}}
    print(f"connecting with {{API_TOKEN}}")  # token: {PLANTED["named_constant"]}
    return headers, WAREHOUSE_URI, PRIVATE, DSN


with DAG("leaky", start_date=datetime(2024, 1, 1), schedule="@daily", catchup=False) as dag:
    extract = BashOperator(
        task_id="extract",
        bash_command="psql postgresql://etl:{PLANTED["uri_password"]}@db.internal/warehouse -c 'select 1'",
    )
    call = SimpleHttpOperator(task_id="call", endpoint="/x", headers={{"X-Api-Key": "{PLANTED["github"]}"}})
    run = PythonOperator(task_id="load", python_callable=load, op_kwargs={{"password": "{PLANTED["keyword"]}"}})
    extract >> call >> run
'''

# Where the toolkit writes what it derives from a DAG folder, relative to the test's work folder.
# Adding an output (a report folder, another JSON) is one line here.
OUTPUTS = (
    "scan.json",
    "plan.json",
    "dagster_defs",
    "report",
    "stdout",
    "cache",  # the scan's content-hash cache (XDG_CACHE_HOME of the commands below)
)


@pytest.mark.parametrize(
    ("text", "kind", "secret"),
    [
        ('DB = "postgresql+psycopg2://etl:pa55word@db:5432/w"', "connection URI with a password", "pa55word"),
        ('S3 = "s3://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMIK7MDENG@bucket/key"', "connection URI", "wJalrXUtnFEMIK7MDENG"),
        ("KEY = 'AKIAIOSFODNN7EXAMPLE'", "AWS access key id", "AKIAIOSFODNN7EXAMPLE"),
        (
            'T = "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB"',
            "GitHub token",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB",
        ),
        ('S = "xoxb-1234567890-abcdefghij"', "Slack token", "xoxb-1234567890-abcdefghij"),
        ('G = "AIzaSyA1234567890abcdefghijklmnopqrstuv"', "Google API key", "AIzaSyA1234567890abcdefghijklmnopqrstuv"),
        ('P = "sk_live_abcdefghijklmnop1234"', "Stripe key", "sk_live_abcdefghijklmnop1234"),
        ('H = {"Authorization": "Bearer abcdefghijklmnop0123"}', "bearer token", "abcdefghijklmnop0123"),
        ('J = "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2QT4f"', "JSON web token", "eyJhbGciOiJIUzI1"),
        ('C = "host=db user=etl password=hunter22 dbname=x"', "password-like setting", "hunter22"),
        ('hook = PostgresHook(password="letmein99")', "string given to 'password'", "letmein99"),
        ('API_KEY = "k-12345678"', "string given to 'API_KEY'", "k-12345678"),
        ('conf = {"client_secret": "cs-987654"}', "string given to 'client_secret'", "cs-987654"),
        ("self.auth_token = 'tok-555555'", "string given to 'auth_token'", "tok-555555"),
    ],
)
def test_each_rule_finds_its_secret_and_reports_it_redacted(text: str, kind: str, secret: str):
    found = secrets.find_secrets(f"x = 1\n{text}\n", ast.parse(f"x = 1\n{text}\n"), "dags/etl.py")
    assert {s.line for s in found} == {2}
    (finding,) = [s for s in found if s.kind.startswith(kind)]
    assert secret in finding.value
    assert secret not in finding.redacted and secrets.MASK in finding.redacted
    assert finding.env.startswith("A2D_SECRET_DAGS_ETL_L2")


@pytest.mark.parametrize(
    "text",
    [
        'URI = "postgresql://etl:{{ var.value.pw }}@db/w"',  # Jinja: a reference
        'URI = "postgresql://{user}:{password}@db/w"',  # format placeholders
        'hook = PostgresHook(password=os.environ["PG_PASSWORD"])',  # not a literal
        'token_url = "https://auth.example.com/oauth/token"',  # about a token, not one
        'op = SimpleHttpOperator(task_id="t", http_conn_id="api_token_conn")',
        'aws_access_key_id = "my_conn_id"',
        'password = "***"',
        'secret = ""',
        "max_tokens = 400",
        'C = "password=${DB_PASSWORD}"',
        'RESOURCE_PASSWORD = "My Password"',  # prose
        'KINDS = {"Secret": "airflow.kubernetes.secret.Secret"}',  # an import path
        'password_policy = "strict-9"',  # the secret word does not end the name
        'DOC = "secret: Name of the secrets object"',  # prose after a colon
    ],
)
def test_references_and_ordinary_values_are_not_secrets(text: str):
    assert secrets.find_secrets(text + "\n", ast.parse(text), "etl.py") == []


@pytest.mark.parametrize(
    "imports, call",
    [
        ("from airflow.providers.cncf.kubernetes.secret import Secret", "Secret"),
        ("from airflow.kubernetes.secret import Secret as K8sSecret", "K8sSecret"),
        ("from airflow.contrib.kubernetes import secret", "secret.Secret"),
        ("import airflow.providers.cncf.kubernetes.secret as k8s_secret", "k8s_secret.Secret"),
    ],
)
def test_a_kubernetes_secret_names_a_secret_and_is_left_as_written(imports: str, call: str):
    """``Secret(deploy_type, deploy_target, secret=<name>, key=...)`` mounts a Kubernetes secret by name."""
    text = (
        f"{imports}\nfrom airflow import DAG\n"
        "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n"
        f'DB = {call}("env", "DB_PASSWORD", secret="warehouse-creds", key="password")\n'
        'with DAG("pods"):\n'
        '    KubernetesPodOperator(task_id="p", image="etl:1", secrets=[DB],\n'
        '        env_vars={"X": "1"}, labels={"token": "x"})\n'
        '    KubernetesPodOperator(task_id="q", image="etl:1",\n'
        f'        secrets=[{call}(deploy_type="volume", deploy_target="/etc/creds", secret="api-token")])\n'
    )
    assert secrets.find_secrets(text, ast.parse(text), "pods.py") == []
    file = scan_source(text, "pods.py")
    assert not [d for d in file.diagnostics if d.code == "A2D300"]
    assert "warehouse-creds" in ir.dumps(file) and "api-token" in ir.dumps(file)
    # the same keyword elsewhere is still judged by its value
    other = 'hook = Hook(secret="s3cr3t-value")\n'
    assert [s.value for s in secrets.find_secrets(text + other, ast.parse(text + other), "pods.py")] == ["s3cr3t-value"]


def test_redact_masks_every_format_and_keeps_the_rest():
    text = "curl -H 'Authorization: Bearer abcdefghijklmnop0123' postgresql://u:pw1234@h/db AKIAIOSFODNN7EXAMPLE ok"
    assert secrets.redact(text) == "curl -H 'Authorization: Bearer ***' postgresql://u:***@h/db *** ok"
    assert secrets.redact_json({"m": [text], "n": 3}) == {"m": [secrets.redact(text)], "n": 3}


def test_a_short_password_does_not_rename_tasks():
    text = (
        "from airflow import DAG\nfrom airflow.operators.empty import EmptyOperator\n"
        'with DAG("admin_dag"):\n    EmptyOperator(task_id="admin_task", password="admin")\n'
    )
    file = scan_source(text, "admin.py")
    assert [t.task_id for t in file.dags[0].tasks] == ["admin_task"] and file.dags[0].dag_id == "admin_dag"
    assert file.dags[0].tasks[0].arguments["password"] == ir.SecretValue((ir.SecretEnv("A2D_SECRET_ADMIN_L4"),))


def test_a_password_that_is_an_ordinary_word_disturbs_nothing_else():
    """`password="airflow"` must not touch the operators' names, a bash command or the URI's user and database."""
    text = (
        "from airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
        'URI = "postgresql://airflow:airflow@localhost/airflow"\n'
        'with DAG("airflow_dag"):\n'
        '    BashOperator(task_id="airflow", bash_command="airflow version", env={"PGPASSWORD": "airflow"})\n'
    )
    file = scan_source(text, "words.py")
    (task,) = file.dags[0].tasks
    assert (task.task_id, task.operator) == ("airflow", "airflow.operators.bash.BashOperator")
    assert task.arguments["bash_command"] == "airflow version"
    # one variable per secret value, named after the line it first appears on
    assert task.arguments["env"] == {"PGPASSWORD": ir.SecretValue((ir.SecretEnv("A2D_SECRET_WORDS_L3"),))}
    assert [(d.line, d.code) for d in file.diagnostics if d.code == "A2D300"] == [(3, "A2D300"), (5, "A2D300")]
    secret = secrets.find_secrets(text, ast.parse(text), "words.py")[0]
    assert secrets._parts("postgresql://airflow:airflow@localhost/airflow", [secret]) == [
        "postgresql://airflow:",
        secret,
        "@localhost/airflow",
    ]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "XDG_CACHE_HOME": str(cwd / "cache"), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "converters", *args], cwd=cwd, env=environment, capture_output=True, text=True
    )


def test_planted_secrets_appear_in_no_output_and_generated_code_reads_the_environment(tmp_path: Path):
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "leaky.py").write_text(LEAKY_DAG)
    scanned = _cli("scan", "dags", "--json", "scan.json", cwd=tmp_path)
    converted = _cli("convert", "dags", "--out", "dagster_defs", "--json", "plan.json", cwd=tmp_path)
    assert scanned.returncode == 0, scanned.stderr
    assert converted.returncode == 0, converted.stderr
    reported = _cli("report", "dags", "--out", "report", cwd=tmp_path)
    assert reported.returncode == 0, reported.stderr
    (tmp_path / "stdout").write_text("".join(r.stdout + r.stderr for r in (scanned, converted, reported)))

    # Reported: each with its line and a redacted value.
    diagnostics = [d for d in json.loads((tmp_path / "scan.json").read_text())["diagnostics"] if d["code"] == "A2D300"]
    assert {d["line"] for d in diagnostics} == {1, 10, 11, 12, 13, 16, 20, 21, 28, 30, 31}
    assert all(d["file"] == "leaky.py" and "***" in d["message"] for d in diagnostics)

    # Never written: grep every file of every output.
    outputs = [tmp_path / name for name in OUTPUTS]
    assert all(path.exists() for path in outputs)
    files = [p for path in outputs for p in ([path] if path.is_file() else path.rglob("*")) if p.is_file()]
    assert len(files) > 5
    leaks = {
        (str(p.relative_to(tmp_path)), name)
        for p in files
        for name, secret in PLANTED.items()
        if secret.encode() in p.read_bytes()
    }
    assert leaks == set()

    # The generated code reads the environment, and given it, holds exactly the values of the DAG file.
    logic = (tmp_path / "dagster_defs" / "logic" / "leaky.py").read_text()
    assert 'os.environ["A2D_SECRET_LEAKY_L10"]' in logic
    dag_module = (tmp_path / "dagster_defs" / "dags" / "leaky.py").read_text()
    assert dag_module.count("os.environ[") == 3
    environment = {
        "A2D_SECRET_LEAKY_L10": PLANTED["uri_password"],
        "A2D_SECRET_LEAKY_L11": PLANTED["named_constant"],
        "A2D_SECRET_LEAKY_L13": PRIVATE_KEY,
        "A2D_SECRET_LEAKY_L1": PLANTED["conn_string"],  # first seen in the docstring, then in DSN
        "A2D_SECRET_LEAKY_L20": PLANTED["bearer"],
    }
    original = runpy.run_path(str(_without_airflow(tmp_path)))
    os.environ.update(environment)
    try:
        copied = runpy.run_path(str(tmp_path / "dagster_defs" / "logic" / "leaky.py"))
        assert copied["load"]() == original["load"]()
    finally:
        for key in environment:
            del os.environ[key]


def _without_airflow(tmp_path: Path) -> Path:
    """The planted file cut before its Airflow part, to run its callable as the reference."""
    head = LEAKY_DAG.split("\n\nwith DAG(")[0]
    head = "\n".join(line for line in head.splitlines() if not line.startswith("from airflow"))
    path = tmp_path / "reference.py"
    path.write_text(head + "\n")
    return path
