"""Resources for generated assets, configured from Airflow's own connection variables.

Every resource takes the value of ``AIRFLOW_CONN_<CONN_ID>`` (a URI or Airflow's JSON form) through
``dg.EnvVar``, so one environment configures both Airflow and Dagster and no credential is written in
code. Copied verbatim into every generated package.

- ``SqlConnection`` runs SQL the way Airflow's SQL operators do, with the driver chosen by the
  connection type (duckdb, sqlite and anything SQLAlchemy can open; others fail with a clear message).
- ``HttpConnection`` sends requests like HttpOperator: base URL from the connection, ``extra`` as headers.
- ``SshConnection`` runs a command through the ``ssh`` client of the Dagster host.
- ``GcpConnection`` runs what Airflow's Google provider operators run (``gcp.py``, ``bigquery.py``): BigQuery
  jobs and loads, GCS copies and deletions, Storage Transfer jobs, GKE clusters, with the credentials of the
  connection's extra.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import dagster as dg

from . import bigquery, gcp, templates

LOCK_WAIT_SECONDS = 120


class AirflowConnection(dg.ConfigurableResource):
    """An Airflow connection: ``value`` is what ``AIRFLOW_CONN_<CONN_ID>`` holds."""

    conn_id: str
    value: str

    def connection(self) -> templates.Connection:
        return templates.parse_connection(self.conn_id, self.value)


def connection_named(kind: str, conn_id: Any) -> AirflowConnection:
    """The resource of class ``kind`` (``"SqlConnection"``...) for a connection id computed when the asset runs (a
    Variable holding it): ``AIRFLOW_CONN_<CONN_ID>`` is read then, as Airflow looks the id up then."""
    env = "AIRFLOW_CONN_" + str(conn_id).upper()
    value = os.environ.get(env)
    if value is None:
        raise dg.Failure(f"connection {conn_id!r} is not set: set {env} on the Dagster side")
    return globals()[kind](conn_id=str(conn_id), value=value)


class SqlConnection(AirflowConnection):
    def run(self, sql: str | Sequence[str], parameters: Any = None, log: Any = None) -> list[list[tuple]]:
        """Run one statement or a list of them in order, in one session; returns each statement's rows."""
        statements = [sql] if isinstance(sql, str) else list(sql)
        conn = self.connection()
        kind = (conn.conn_type or "").lower()
        if kind == "duckdb":
            return self._run_duckdb(conn, statements, parameters, log)
        if kind == "sqlite":
            import sqlite3

            with sqlite3.connect(conn.host or conn.schema or ":memory:") as con:
                return [_fetch(_execute(con.execute, s, parameters), log, s) for s in statements]
        return self._run_sqlalchemy(conn, statements, parameters, log)

    def _run_duckdb(self, conn, statements, parameters, log) -> list[list[tuple]]:
        import duckdb

        path = conn.host or conn.extra_dejson.get("path") or ":memory:"
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:  # DuckDB has one writer per file: wait for another process's lock, as the estate does
            try:
                con = duckdb.connect(path)
                break
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        with con:
            return [_fetch(_execute(con.execute, s, parameters), log, s) for s in statements]

    def _run_sqlalchemy(self, conn, statements, parameters, log) -> list[list[tuple]]:
        try:
            import sqlalchemy
        except ImportError as exc:  # pragma: no cover - sqlalchemy ships with dagster
            raise dg.Failure(f"connection {self.conn_id!r} needs SQLAlchemy") from exc
        uri = templates.sqlalchemy_uri(conn)
        try:
            engine = sqlalchemy.create_engine(uri)
        except Exception as exc:  # noqa: BLE001 - a missing driver is a setup problem to name clearly
            raise dg.Failure(
                f"connection {self.conn_id!r} (type {conn.conn_type!r}) cannot be opened here: {exc}. "
                "Install its SQLAlchemy driver in the Dagster environment."
            ) from exc
        results = []
        with engine.begin() as con:
            for statement in statements:
                if parameters:  # a list is one statement's positional parameters, as cursor.execute takes them
                    positional = tuple(parameters) if isinstance(parameters, list) else parameters
                    cursor = con.exec_driver_sql(statement, positional)
                else:  # the driver gets the statement alone, so it substitutes nothing (a literal % stays)
                    cursor = con.execution_options(no_parameters=True).exec_driver_sql(statement)
                results.append(_fetch(cursor, log, statement))
        return results


def _execute(execute: Any, statement: str, parameters: Any) -> Any:
    """Run one statement as Airflow's ``DbApiHook`` does: with parameters only when there are some. Drivers of
    the ``format``/``pyformat`` style (psycopg, pymysql) substitute ``%`` whenever parameters are passed, even
    empty ones, so ``like '%x%'`` must reach them alone."""
    return execute(statement, parameters) if parameters else execute(statement)


def _fetch(cursor: Any, log: Any, statement: str) -> list[tuple]:
    if log is not None:
        log.info(f"ran: {statement.strip()[:500]}")
    try:
        return [tuple(row) for row in cursor.fetchall()]
    except Exception:  # noqa: BLE001 - statements without a result set
        return []


class HttpConnection(AirflowConnection):
    def request(
        self,
        method: str,
        endpoint: str = "",
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 60.0,
    ):
        """Send a request like HttpOperator; raises on an HTTP error status (its default ``response_check``)."""
        import requests

        conn = self.connection()
        base = templates.http_base_url(conn)
        url = base.rstrip("/") + "/" + endpoint.lstrip("/") if endpoint else base
        merged = {**{k: str(v) for k, v in conn.extra_dejson.items()}, **dict(headers or {})}
        auth = (conn.login, conn.password) if conn.login else None
        kwargs: dict[str, Any] = {"headers": merged, "auth": auth, "timeout": timeout}
        if method.upper() == "GET":
            kwargs["params"] = data
        else:
            kwargs["data"] = data
        response = requests.request(method.upper(), url, **kwargs)
        response.raise_for_status()
        return response


class SshConnection(AirflowConnection):
    def run(self, command: str, log: Any = None, timeout: float | None = None) -> str:
        """Run ``command`` on the connection's host with the ``ssh`` client (key-based authentication)."""
        conn = self.connection()
        target = f"{conn.login}@{conn.host}" if conn.login else str(conn.host)
        args = ["ssh", "-o", "BatchMode=yes"]
        if conn.port:
            args += ["-p", str(conn.port)]
        key = conn.extra_dejson.get("key_file")
        if key:
            args += ["-i", str(key)]
        result = subprocess.run([*args, target, command], capture_output=True, text=True, timeout=timeout, check=False)
        if log is not None:
            for line in (result.stdout + result.stderr).splitlines():
                log.info(line)
        if result.returncode != 0:
            raise dg.Failure(f"ssh {target} {shlex.quote(command)} exited with {result.returncode}")
        return result.stdout


# A Pipes client resource (dagster_k8s's PipesK8sClient, dagster_docker's PipesDockerClient, dagster_aws's
# PipesECSClient). Assets take it as a parameter annotated ``PipesClient``; ``on_first_use`` builds it, so its library
# (dagster_k8s imports the whole Kubernetes client) is imported when a run first uses it, not each time the code
# location loads (the daemon, the webserver and every run worker load it).
PipesClient = dg.ResourceParam[Any]


def on_first_use(factory: Callable[[], Any]) -> dg.ResourceDefinition:
    """A resource that ``factory()`` builds when a run first needs it (nothing is imported at load)."""
    return dg.ResourceDefinition(resource_fn=lambda _context: factory(), description=factory.__doc__)


def pipes_k8s_client() -> Any:
    """``PipesK8sClient``: launches the pod with the Dagster host's kubeconfig (or in-cluster configuration)."""
    from dagster_k8s import PipesK8sClient

    return PipesK8sClient()


def pipes_docker_client() -> Any:
    """``PipesDockerClient``: runs the container on the Dagster host's Docker daemon."""
    from dagster_docker import PipesDockerClient

    return PipesDockerClient()


class _LazyClient:
    """A boto3 client created on first use, so loading the code location needs no AWS settings."""

    def __init__(self, service: str) -> None:
        self._service = service
        self._client: Any = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if self._client is None:
            import boto3

            self._client = boto3.client(self._service)
        return getattr(self._client, name)


def pipes_ecs_client() -> Any:
    """``PipesECSClient`` whose AWS clients (ECS, CloudWatch Logs) are made when a run first uses them."""
    from dagster_aws.pipes import PipesCloudWatchMessageReader, PipesECSClient

    return PipesECSClient(
        client=_LazyClient("ecs"), message_reader=PipesCloudWatchMessageReader(client=_LazyClient("logs"))
    )


class SmtpConnection(AirflowConnection):
    def send(self, to: str | Sequence[str], subject: str, html: str, cc: Any = None, bcc: Any = None) -> None:
        """Send an HTML message like Airflow's EmailOperator (SMTP, STARTTLS unless the extra says otherwise)."""
        import smtplib
        from email.mime.text import MIMEText

        def addresses(value: Any) -> list[str]:
            if not value:
                return []
            items = value.replace(";", ",").split(",") if isinstance(value, str) else list(value)
            return [item.strip() for item in items if item.strip()]

        conn = self.connection()
        message = MIMEText(html, "html")
        message["Subject"] = subject
        message["From"] = conn.extra_dejson.get("from_email") or conn.login or "airflow@localhost"
        message["To"] = ", ".join(addresses(to))
        if cc:
            message["Cc"] = ", ".join(addresses(cc))
        recipients = addresses(to) + addresses(cc) + addresses(bcc)
        with smtplib.SMTP(conn.host or "localhost", int(conn.port or 25), timeout=60) as server:
            if not conn.extra_dejson.get("disable_tls", False):
                server.starttls()
            if conn.login:
                server.login(conn.login, conn.password or "")
            server.sendmail(message["From"], recipients, message.as_string())


class SlackWebhookConnection(AirflowConnection):
    def post(self, payload: Mapping[str, Any]) -> None:
        """Post ``payload`` to the webhook: the connection's host when it is a URL, else its password as token."""
        import requests

        conn = self.connection()
        host = conn.host or ""
        url = host if host.startswith("http") else "https://hooks.slack.com/services/" + (conn.password or "")
        response = requests.post(url, json=dict(payload), timeout=60)
        response.raise_for_status()


class GcpConnection(AirflowConnection):
    """A Google Cloud connection (``google_cloud_platform``): each method takes its operator's arguments."""

    def gcs_to_bigquery(self, log: Any = None, **arguments: Any) -> str | None:
        """``GCSToBigQueryOperator``: the same load job; the MAX of ``max_id_key`` when it is given."""
        return bigquery.gcs_to_bigquery(self.connection().extra_dejson, log=log, **arguments)

    def bigquery_insert_job(self, log: Any = None, **arguments: Any) -> str:
        """``BigQueryInsertJobOperator``: submits the job configuration and waits; the job id."""
        return bigquery.insert_job(self.connection().extra_dejson, log=log, **arguments)

    def bigquery_execute_query(self, log: Any = None, **arguments: Any) -> str | list[str]:
        """``BigQueryExecuteQueryOperator``: the operator's query job for each statement; the job id(s)."""
        return bigquery.execute_query(self.connection().extra_dejson, log=log, **arguments)

    def gcs_to_gcs(self, log: Any = None, **arguments: Any) -> list[str]:
        """``GCSToGCSOperator``: the same copies (or moves); the destination URIs."""
        return gcp.gcs_to_gcs(self.connection().extra_dejson, log=log, **arguments)

    def gcs_delete_objects(self, log: Any = None, **arguments: Any) -> None:
        """``GCSDeleteObjectsOperator``: deletes the objects (or those under the prefix)."""
        gcp.delete_objects(self.connection().extra_dejson, log=log, **arguments)

    def gcs_to_gcs_transfer(self, log: Any = None, **arguments: Any) -> None:
        """``CloudDataTransferServiceGCSToGCSOperator``: creates the transfer job and waits for it."""
        gcp.gcs_to_gcs_transfer(self.connection().extra_dejson, log=log, **arguments)

    def create_gke_cluster(self, log: Any = None, **arguments: Any) -> str:
        """``GKECreateClusterOperator``: creates the cluster and waits for it."""
        return gcp.create_gke_cluster(self.connection().extra_dejson, log=log, **arguments)

    def delete_gke_cluster(self, log: Any = None, **arguments: Any) -> str | None:
        """``GKEDeleteClusterOperator``: deletes the cluster and waits for it."""
        return gcp.delete_gke_cluster(self.connection().extra_dejson, log=log, **arguments)

    def create_dataproc_cluster(self, log: Any = None, **arguments: Any) -> dict[str, Any]:
        """``DataprocCreateClusterOperator``: creates (or reuses) the cluster and waits for it to run."""
        return gcp.create_dataproc_cluster(self.connection().extra_dejson, log=log, **arguments)

    def delete_dataproc_cluster(self, log: Any = None, **arguments: Any) -> None:
        """``DataprocDeleteClusterOperator``: deletes the cluster and waits for it."""
        gcp.delete_dataproc_cluster(self.connection().extra_dejson, log=log, **arguments)

    def submit_dataproc_job(self, log: Any = None, **arguments: Any) -> str:
        """``DataprocSubmitJobOperator``: submits the job and waits for it; the job id."""
        return gcp.submit_dataproc_job(self.connection().extra_dejson, log=log, **arguments)
