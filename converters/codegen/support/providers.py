"""What the common provider operators do once their hook has answered: SQL checks, S3, SQS, SFTP, Slack's Web API.

Copied verbatim into every generated package (``<package>/support/``). The rules in ``converters/rules/`` write
assets that call these functions with the operator's rendered arguments; each one follows what the operator's
``execute`` does in the Airflow provider (the behaviour, not the code), through the hook stand-ins of
``hooks.py`` so connections are read from ``AIRFLOW_CONN_<CONN_ID>`` as Airflow reads them.

- SQL checks (``SQLCheckOperator``, ``SQLValueCheckOperator``, ``SQLColumnCheckOperator``,
  ``SQLTableCheckOperator``): the SQL the operator builds, and the verdict on the rows, as a
  ``dg.AssetCheckResult`` whose description is Airflow's failure message.
- ``sql_branch``: the task ids ``BranchSQLOperator`` follows for the first value of the first row.
- ``sqs_receive``: one poke of ``SqsSensor``; ``sftp_transfer``: ``SFTPOperator``'s put/get;
  ``ssh_command``: ``SSHOperator``'s command through an ``SSHHook`` (paramiko);
  ``slack_api``: a call of Slack's Web API (``chat.postMessage``, ``files.upload``) as ``SlackHook`` sends it.
- ``airbyte_sync`` / ``airbyte_job_done``: a sync of an Airbyte connection, and one poke of its job, on Airbyte's
  config API.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg

from . import templates
from .hooks import BaseHook, SFTPHook, SqsHook, SSHHook

TRUE_STRINGS = ("y", "yes", "t", "true", "on", "1")
FALSE_STRINGS = ("n", "no", "f", "false", "off", "0")
COLUMN_CHECKS = {
    "null_check": "SUM(CASE WHEN {column} IS NULL THEN 1 ELSE 0 END)",
    "distinct_check": "COUNT(DISTINCT({column}))",
    "unique_check": "COUNT({column}) - COUNT(DISTINCT({column}))",
    "min": "MIN({column})",
    "max": "MAX({column})",
}


def _float_or_text(value: Any) -> float | Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in TRUE_STRINGS:
        return True
    if lowered in FALSE_STRINGS:
        return False
    raise ValueError(f"{text!r} is not a boolean-like string value")


def _result(check: str, passed: bool, description: str, **metadata: Any) -> dg.AssetCheckResult:
    shown = {key: json.dumps(value, default=str)[:2000] for key, value in metadata.items()}
    return dg.AssetCheckResult(check_name=check, passed=passed, description=description[:4000], metadata=shown)


def first_row_check(check: str, sql: str, rows: Sequence[Sequence[Any]]) -> dg.AssetCheckResult:
    """SQLCheckOperator: the first row must exist and every value in it be truthy."""
    first = list(rows[0]) if rows else None
    if not first:
        return _result(check, False, f"The following query returned zero rows: {sql}", sql=sql)
    passed = all(first)
    description = "Success." if passed else f"Test failed.\nQuery:\n{sql}\nResults:\n{tuple(first)!s}"
    return _result(check, passed, description, sql=sql, first_row=first)


def value_check(
    check: str, sql: str, rows: Sequence[Sequence[Any]], pass_value: Any, tolerance: Any = None
) -> dg.AssetCheckResult:
    """SQLValueCheckOperator: every value of the first row equals ``pass_value`` (as text, or as a number within
    ``tolerance``, a fraction of it, when ``pass_value`` reads as a number)."""
    first = list(rows[0]) if rows else None
    if not first:
        return _result(check, False, f"The following query returned zero rows: {sql}", sql=sql)
    expected = _float_or_text(str(pass_value))
    tol = _float_or_text(tolerance)
    tol = tol if isinstance(tol, float) else None
    shown_tol = f"{tol:.1%}" if tol is not None else None
    message = f"Test failed.\nPass value:{expected}\nTolerance:{shown_tol}\nQuery:\n{sql}\nResults:\n{tuple(first)!s}"
    if not isinstance(expected, float):
        passed = all(str(value) == expected for value in first)
    else:
        try:
            numbers = [float(value) for value in first]
        except (TypeError, ValueError):
            return _result(check, False, f"Converting a result to float failed.\n{message}", sql=sql, first_row=first)
        if tol is None:
            passed = all(number == expected for number in numbers)
        else:
            margin = abs(expected) * tol
            passed = all(expected - margin <= number <= expected + margin for number in numbers)
    return _result(check, passed, "Success." if passed else message, sql=sql, first_row=first)


def _where(general: str | None, own: str | None) -> str:
    clauses = [c for c in (general, own) if c]
    return f"WHERE {' AND '.join(clauses)}" if clauses else ""


def column_check_sql(table: str, column_mapping: Mapping[str, Mapping[str, Any]], partition_clause: str | None) -> str:
    """The query SQLColumnCheckOperator builds: one row (column, check, result) per check of each column."""
    parts = []
    for column, checks in column_mapping.items():
        for check, values in checks.items():
            if check not in COLUMN_CHECKS:
                raise dg.Failure(f"Invalid column check: {check}.")
            statement = COLUMN_CHECKS[check].format(column=column)
            where = _where(partition_clause, values.get("partition_clause"))
            parts.append(
                f"\n        SELECT '{column}' AS col_name, '{check}' AS check_type, {column}_{check} AS check_result\n"
                f"        FROM (SELECT {statement} AS {column}_{check} FROM {table} {where}) AS sq\n    "
            )
    return f"SELECT col_name, check_type, check_result FROM ({'UNION ALL'.join(parts)}) AS check_columns"


def _column_match(values: Mapping[str, Any], result: Any, accept_none: bool) -> bool:
    if result is None and accept_none:
        result = 0
    tolerance = values.get("tolerance")

    def lower(bound: Any) -> Any:
        return bound - abs(bound) * tolerance if tolerance is not None else bound

    def upper(bound: Any) -> Any:
        return bound + abs(bound) * tolerance if tolerance is not None else bound

    if result is None and any(k in values for k in ("geq_to", "greater_than", "leq_to", "less_than")):
        return False  # an ordering against NULL: the check cannot pass
    matched = True
    if "geq_to" in values:
        matched = result >= lower(values["geq_to"])
    elif "greater_than" in values:
        matched = result > lower(values["greater_than"])
    if "leq_to" in values:
        matched = result <= upper(values["leq_to"]) and matched
    elif "less_than" in values:
        matched = result < upper(values["less_than"]) and matched
    if "equal_to" in values:
        expected = values["equal_to"]
        if tolerance is None or result is None:
            matched = result == expected and matched
        else:
            matched = lower(expected) <= result <= upper(expected) and matched
    return matched


def column_check(
    check: str, sql: str, rows: Sequence[Sequence[Any]], column_mapping: Mapping[str, Any], accept_none: bool = True
) -> dg.AssetCheckResult:
    """SQLColumnCheckOperator: each (column, check, result) row must satisfy that check's bounds."""
    if not rows:
        return _result(check, False, f"The following query returned zero rows: {sql}", sql=sql)
    failed, results = [], {}
    for column, kind, value in rows:
        values = column_mapping[column][kind]
        results[f"{column}.{kind}"] = value
        if not _column_match(values, value, accept_none):
            failed.append(f"Column: {column}\n\tCheck: {kind},\n\tCheck Values: {dict(values, result=value)}\n")
    passed = not failed
    description = (
        "All tests have passed"
        if passed
        else (f"Test failed.\nResults:\n{rows!s}\nThe following tests have failed:\n{''.join(failed)}")
    )
    return _result(check, passed, description, sql=sql, results=results)


def table_check_sql(table: str, checks: Mapping[str, Mapping[str, Any]], partition_clause: str | None) -> str:
    """The query SQLTableCheckOperator builds: one row (check name, 1 or 0) per check statement."""
    parts = [
        f"\n    SELECT '{name}' AS check_name, MIN({name}) AS check_result\n"
        f"    FROM (SELECT CASE WHEN {values['check_statement']} THEN 1 ELSE 0 END AS {name}\n"
        f"          FROM {table} {_where(partition_clause, values.get('partition_clause'))}) AS sq\n    "
        for name, values in checks.items()
    ]
    return f"SELECT check_name, check_result FROM ({'UNION ALL'.join(parts)}) AS check_table"


def table_check(
    check: str, sql: str, rows: Sequence[Sequence[Any]], checks: Mapping[str, Any], accept_none: bool = False
) -> dg.AssetCheckResult:
    """SQLTableCheckOperator: every check statement holds on every row (its MIN is 1); no rows passes only with
    ``accept_none``."""
    if not rows:
        if accept_none:
            return _result(check, True, "No records found, but accept_none=True: no test is marked as failed")
        return _result(check, False, f"The following query returned zero rows: {sql}", sql=sql)
    failed, results = [], {}
    for name, value in rows:
        results[name] = str(value)
        try:
            ok = _boolean(str(value))
        except ValueError:
            ok = False
        if not ok:
            failed.append(f"\tCheck: {name},\n\tCheck Values: {dict(checks[name], result=str(value))}\n")
    passed = not failed
    description = (
        "All tests have passed"
        if passed
        else (f"Test failed.\nQuery:\n{sql}\nResults:\n{rows!s}\nThe following tests have failed:\n{', '.join(failed)}")
    )
    return _result(check, passed, description, sql=sql, results=results)


def sql_branch(rows: Sequence[Sequence[Any]], if_true: Any, if_false: Any) -> Any:
    """BranchSQLOperator: the tasks to follow for the first value of the first row (bool, int, or a boolean-like
    string); anything else fails as Airflow fails."""
    if not rows:
        raise dg.Failure("No rows returned from sql query. Operator expected True or False return value.")
    value = rows[0][0] if rows[0] else None
    if isinstance(value, bool):
        chosen = value
    elif isinstance(value, int):
        chosen = bool(value)
    elif isinstance(value, str):
        try:
            chosen = _boolean(value)
        except ValueError as exc:
            raise dg.Failure(f"Unexpected query return result '{value}' type '{type(value)}'") from exc
    else:
        raise dg.Failure(f"Unexpected query return result '{value}' type '{type(value)}'")
    return if_true if chosen else if_false


def sqs_receive(
    hook: SqsHook,
    queue_url: str,
    *,
    max_messages: int = 5,
    num_batches: int = 1,
    wait_time_seconds: int = 1,
    visibility_timeout: int | None = None,
    delete_message_on_reception: bool = True,
) -> list[dict]:
    """One poke of SqsSensor: the messages received (deleted from the queue unless told not to); [] = not yet."""
    request: dict[str, Any] = {
        "QueueUrl": queue_url,
        "MaxNumberOfMessages": max_messages,
        "WaitTimeSeconds": wait_time_seconds,
        "AttributeNames": ["All"],
        "MessageAttributeNames": ["All"],
    }
    if visibility_timeout is not None:
        request["VisibilityTimeout"] = visibility_timeout
    client = hook.get_conn()
    received: list[dict] = []
    for _ in range(num_batches):  # Airflow asks num_batches times per poke, deleting each batch it got
        messages = client.receive_message(**request).get("Messages", [])
        if messages and delete_message_on_reception:
            entries = [{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in messages]
            failed = client.delete_message_batch(QueueUrl=queue_url, Entries=entries).get("Failed")
            if failed:
                raise dg.Failure(f"Delete SQS Messages failed {failed} for messages {messages}")
        received += messages
    return received


def sftp_transfer(
    hook: SFTPHook,
    local_filepath: str | os.PathLike | Sequence[str],
    remote_filepath: str | os.PathLike | Sequence[str],
    operation: str = "put",
    create_intermediate_dirs: bool = False,
    confirm: bool = True,
) -> str | list[str]:
    """SFTPOperator: put local files to the remote paths, or get remote files to the local paths (paired in
    order); the local (put) or remote (get) parent folders are made first when ``create_intermediate_dirs``."""
    single = isinstance(local_filepath, (str, os.PathLike))
    locals_ = [os.fspath(local_filepath)] if single else [os.fspath(p) for p in local_filepath]
    remotes = [os.fspath(remote_filepath)] if isinstance(remote_filepath, (str, os.PathLike)) else list(remote_filepath)
    if len(locals_) != len(remotes):
        raise dg.Failure(f"{len(locals_)} paths in local_filepath != {len(remotes)} paths in remote_filepath")
    if operation.lower() not in ("put", "get"):
        raise TypeError(f"Unsupported operation value {operation}, expected put or get")
    try:
        for local, remote in zip(locals_, remotes, strict=True):
            if operation.lower() == "get":
                folder = os.path.dirname(local)
                if create_intermediate_dirs and folder:
                    os.makedirs(folder, exist_ok=True)
                hook.retrieve_file(remote, local)
            else:
                folder = os.path.dirname(remote)
                if create_intermediate_dirs and folder:
                    hook.create_directory(folder)
                hook.store_file(remote, local, confirm=confirm)
    finally:
        hook.close_conn()
    return locals_[0] if single else locals_


def ssh_command(
    hook: SSHHook,
    command: str,
    *,
    remote_host: str | None = None,
    cmd_timeout: float | None | str = "hook",
    environment: Mapping[str, str] | None = None,
    get_pty: bool = False,
    skip_on_exit_code: int | Sequence[int] | None = None,
    log: Any = None,
) -> str:
    """SSHOperator: run ``command`` on the hook's host and return its standard output base64-encoded, the XCom
    Airflow keeps (``enable_xcom_pickling`` off). ``remote_host`` replaces the hook's host; ``cmd_timeout`` the
    hook's command timeout (``"hook"``: the operator left it unset; None: no timeout). A command starting with
    ``sudo`` gets a pseudo-terminal, as in Airflow. A non-zero exit status fails the step; one of
    ``skip_on_exit_code`` also fails it, saying that Airflow would have skipped the task."""
    import base64

    if remote_host is not None:
        hook.remote_host = remote_host
    if cmd_timeout != "hook":
        hook.cmd_timeout = cmd_timeout
    get_pty = command.startswith("sudo") or get_pty
    with hook.get_conn() as client:
        status, out, err = hook.exec_ssh_client_command(client, command, get_pty=get_pty, environment=environment)
    if log is not None:
        for line in (out + err).decode("utf-8", "replace").splitlines():
            log.info(line)
    skip = [skip_on_exit_code] if isinstance(skip_on_exit_code, int) else list(skip_on_exit_code or [])
    if status in skip:
        # Airflow marks the task skipped; an asset cannot be half-run, so the step fails and says why.
        raise dg.Failure(f"SSH command returned exit code {status}: Airflow would have skipped this task")
    if status != 0:
        raise dg.Failure(f"SSH operator error: exit status = {status}")
    return base64.b64encode(out).decode("utf-8")


SLACK_API = "https://slack.com/api/"


def slack_api(
    conn_id: str,
    method: str,
    payload: Mapping[str, Any],
    files: Mapping[str, Any] | None = None,
    token: str | None = None,
) -> dict:
    """Call a Slack Web API method as ``SlackHook`` does: the token is the connection's password (or ``token``, the
    old operators' argument), the base URL ``base_url`` of its extra (else Slack's); an answer without ``ok``
    fails the step with Slack's error."""
    import requests

    try:
        conn = BaseHook.get_connection(conn_id)
        extra, password = conn.extra_dejson, conn.password
    except templates.ConnectionNotFound:
        if token is None:
            raise
        extra, password = {}, None  # the old operators' token needs no connection
    base = str(extra.get("base_url") or extra.get("extra__slack__base_url") or SLACK_API)
    headers = {"Authorization": f"Bearer {token or password or ''}"}
    timeout = float(extra.get("timeout") or 30)
    url = base.rstrip("/") + "/" + method
    if files:
        data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in payload.items() if v is not None}
        response = requests.post(url, data=data, files=dict(files), headers=headers, timeout=timeout)
    else:
        body = {k: v for k, v in payload.items() if v is not None}
        response = requests.post(url, json=body, headers=headers, timeout=timeout)
    response.raise_for_status()
    answer = response.json()
    if not answer.get("ok"):
        raise dg.Failure(f"Slack API call {method} failed: {answer.get('error', answer)}")
    return answer


def slack_file(filename: str) -> dict[str, Any]:
    """The ``file`` part of a files upload (multipart): the local file's name and bytes."""
    with open(filename, "rb") as handle:
        return {"file": (os.path.basename(filename), handle.read())}


AIRBYTE_WAITING = ("running", "pending", "incomplete")


def _airbyte(conn_id: str, path: str, body: Mapping[str, Any], api_version: str = "v1", timeout: float = 60) -> dict:
    """One call of Airbyte's config API (``POST <base>/api/<version>/<path>``), as ``AirbyteHook`` sends it: the
    base URL from the connection's host, schema and port, basic auth from its login and password."""
    import requests

    conn = BaseHook.get_connection(conn_id)
    url = f"{templates.http_base_url(conn).rstrip('/')}/api/{api_version}/{path}"
    auth = (conn.login, conn.password or "") if conn.login else None
    response = requests.post(url, json=dict(body), auth=auth, timeout=timeout)
    response.raise_for_status()
    return response.json()


def airbyte_job_done(conn_id: str, job_id: Any, api_version: str = "v1") -> bool:
    """One poke of ``AirbyteJobSensor``: True once the job succeeded, False while it runs; a failed or cancelled
    job (or a status Airflow does not know) fails the step."""
    status = _airbyte(conn_id, "jobs/get", {"id": int(job_id)}, api_version)["job"]["status"]
    if status == "succeeded":
        return True
    if status in AIRBYTE_WAITING:
        return False
    if status in ("failed", "cancelled"):
        raise dg.Failure(f"Job was {status}: Airbyte job {job_id}")
    raise dg.Failure(f"Encountered unexpected state `{status}` for job_id `{job_id}`")


def airbyte_sync(
    conn_id: str,
    connection_id: str,
    *,
    asynchronous: bool = False,
    api_version: str = "v1",
    wait_seconds: float = 3,
    timeout: float = 3600,
) -> int:
    """``AirbyteTriggerSyncOperator``: start a sync of ``connection_id`` and return its job id, after waiting for
    it to succeed unless ``asynchronous`` (a job still running at ``timeout`` is cancelled and fails the step)."""
    import time

    job_id = _airbyte(conn_id, "connections/sync", {"connectionId": connection_id}, api_version)["job"]["id"]
    if asynchronous:
        return job_id
    deadline = time.monotonic() + timeout
    while not airbyte_job_done(conn_id, job_id, api_version):
        if time.monotonic() > deadline:
            _airbyte(conn_id, "jobs/cancel", {"id": job_id}, api_version)
            raise dg.Failure(f"Timeout: Airbyte job {job_id} is not ready after {timeout}s")
        time.sleep(wait_seconds)
    return job_id


__all__ = [
    "airbyte_job_done",
    "airbyte_sync",
    "column_check",
    "column_check_sql",
    "first_row_check",
    "sftp_transfer",
    "slack_api",
    "slack_file",
    "sql_branch",
    "sqs_receive",
    "ssh_command",
    "table_check",
    "table_check_sql",
    "value_check",
]
