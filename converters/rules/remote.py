"""Remote shells: SSHOperator, over its connection or the SSHHook the task is given."""

from __future__ import annotations

from typing import Any

from converters.inventory import ir
from converters.inventory.operators import canonical
from converters.rules.base import (
    JUDG,
    NONE,
    Code,
    Rule,
    TaskInput,
    Translation,
    Untranslatable,
    template_xcoms,
)
from converters.rules.connections import connect
from converters.rules.hooks import support_parameters

# Airflow's SSHHook parameters in their positional order, as far as every provider version agrees.
POSITIONAL = ("ssh_conn_id", "remote_host", "username", "password", "key_file", "port")
# The operator's own arguments the hook path passes on (templated ones rendered), and those it reads for a hook it
# builds from ``ssh_conn_id`` only (a given ``ssh_hook`` ignores them, as in Airflow).
OPERATOR_ARGUMENTS = ("remote_host", "cmd_timeout", "environment", "get_pty", "skip_on_exit_code")
CONNECTION_ARGUMENTS = ("conn_timeout", "cmd_timeout", "banner_timeout")
# What the ``ssh`` client path (``SshConnection``) does not do: a task setting one runs over the rebuilt hook.
CLIENT_IGNORES = ("remote_host", "environment", "get_pty", "skip_on_exit_code")


class Ssh(Rule):
    """What it does: runs the SSH command on the connection's host with the ``ssh`` client of the Dagster host.

    Why: the remote command is the task, but authentication changes hands: the Dagster host needs a key
    for that host (``key_file`` in the connection's extra, or its ssh agent). That is a per-task decision. A task
    given ``ssh_hook=SSHHook(ssh_conn_id=...)`` uses that connection. A hook setting its own host, user, key or
    port (``SSHHook(remote_host=Variable.get("host"), key_file=...)``), or a connection id computed by code, is
    rebuilt as the support ``SSHHook`` (paramiko, as Airflow's) with the same arguments, the code among them run
    when the asset runs; the asset returns the output base64-encoded, as Airflow's XCom. A hook argument the
    support hook does not honour keeps the task in Airflow.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.ssh.operators.ssh import SSHOperator

    with DAG("remote", schedule=None, start_date=datetime(2024, 1, 1)):
        SSHOperator(task_id="rotate", ssh_conn_id="batch_host", command="rotate-logs --day {{ ds }}")
    ```

    Becomes:
    ```python
    # remote.py:7 · task rotate · rule remote.ssh · JUDG
    @task_asset(
        DAG,
        "rotate",
        key=["remote", "rotate"],
        group_name="remote",
        kinds={"ssh"},
        metadata={
            "airflow/source": "remote.py:7",
            "airflow/task_id": "rotate",
            "airflow/operator": "airflow.providers.ssh.operators.ssh.SSHOperator",
            "airflow/rule": "remote.ssh",
            "airflow/disposition": "JUDG",
            "airflow/reason": "runs over ssh from the Dagster host; it needs a key for that host",
        },
    )
    def rotate(context: dg.AssetExecutionContext, ssh_batch_host: SshConnection):
        airflow = task_context(context, DAG, "rotate")
        return ssh_batch_host.run(render("rotate-logs --day {{ ds }}", airflow, DAG), log=context.log)
    ```
    """

    name = "remote.ssh"
    operators = canonical("SSHOperator")
    disposition = JUDG
    emits = "an asset running the rendered command over ssh (the connection's, or the task's SSHHook rebuilt)"

    def translate(self, task: TaskInput) -> Translation:
        command = task.args.get("command")
        hook = _hook_arguments(task)
        # A hook the scan could not read, or one it cannot rebuild: the asset would not reach the same host.
        if isinstance(hook, str):
            return Translation(NONE, hook)
        # Without a connection and a command we can't know what runs where.
        if hook is None or command is None:
            return Translation(NONE, "the ssh connection id or the command is not a literal")
        pulled = template_xcoms([command, task.args.get("remote_host"), task.args.get("environment")])
        # Pulls from tasks named only at run time cannot become asset inputs.
        if pulled is None:
            return Translation(NONE, "the command template pulls XComs from tasks known only at run time")
        own = "ssh_hook" not in task.args or set(hook) == {"ssh_conn_id"}  # the connection's settings, unchanged
        if own and isinstance(hook.get("ssh_conn_id"), str) and not any(k in task.args for k in CLIENT_IGNORES):
            t = _over_connection(task, hook["ssh_conn_id"], command)
        else:
            t = _over_hook(task, hook, command)
        if t.disposition != NONE and pulled:
            t.notes.append("ti.xcom_pull in the template reads the upstream assets' values (" + ", ".join(pulled) + ")")
            t.inputs.extend(p for p in pulled if p not in t.inputs)
        return t


def _over_connection(task: TaskInput, conn_id: str, command: Any) -> Translation:
    """The connection's host with the ``ssh`` client of the Dagster host (``SshConnection``)."""
    t = Translation(JUDG, "runs over ssh from the Dagster host; it needs a key for that host", kinds=("ssh",))
    resource, code = connect(t, conn_id, "SshConnection", "ssh")
    try:
        rendered = f"render({code.value(command)}, airflow, DAG)"
    except Untranslatable as exc:
        # If the command can't be written as code, the asset can't run the same command.
        return Translation(NONE, f"the command {exc}")
    t.consumed |= {"ssh_conn_id", "command", "cmd_timeout", "conn_timeout"}
    if "ssh_hook" in task.args:  # an SSHHook naming only its connection: the same connection
        t.consumed.add("ssh_hook")
    t.body.append(f"return {resource.name}.run({rendered}, log=context.log)")
    return t


def _over_hook(task: TaskInput, hook: dict[str, Any], command: Any) -> Translation:
    """The task's SSHHook rebuilt as the support one (paramiko), its arguments computed when the asset runs."""
    t = Translation(
        JUDG,
        "runs over ssh from the Dagster host with the task's SSHHook arguments; its key must be on that host",
        kinds=("ssh",),
    )
    code = Code(t)
    arguments: list[str] = []
    for key, value in hook.items():
        try:
            arguments.append(f"{key}={code.value(value)}")
        except Untranslatable as exc:
            # If a hook argument can't be written as code, the asset can't reach the same host as the same user.
            return Translation(NONE, f"the SSHHook's {key} {exc}")
    try:
        call = [f"hook, render({code.value(command)}, airflow, DAG)"]
        for key in OPERATOR_ARGUMENTS:
            if key not in task.args or (key == "cmd_timeout" and "ssh_hook" not in task.args):
                continue
            value = code.value(task.args[key])
            templated = key in {"remote_host", "environment"}
            call.append(f"{key}=render({value}, airflow, DAG, template_ext=())" if templated else f"{key}={value}")
    except Untranslatable as exc:
        # If the command or an argument can't be written as code, the asset can't run the same command.
        return Translation(NONE, f"the command {exc}")
    t.support.add("render")
    t.imports |= {"from ..support.hooks import SSHHook", "from ..support.providers import ssh_command"}
    t.consumed |= {"ssh_hook", "ssh_conn_id", "command", *OPERATOR_ARGUMENTS, *CONNECTION_ARGUMENTS}
    if "ssh_hook" in task.args and "ssh_conn_id" in task.args:
        t.notes.append("ssh_conn_id is ignored: the task is given an ssh_hook, as in Airflow")
    t.body.append(f"hook = SSHHook({', '.join(arguments)})")
    t.body.append(f"return ssh_command({', '.join(call)}, log=context.log)")
    return t


def _hook_arguments(task: TaskInput) -> dict[str, Any] | str | None:
    """The arguments of the SSHHook the task runs over: its ``ssh_hook`` record (``SSHHook(...)`` in the DAG file,
    positional arguments named), else one built from ``ssh_conn_id`` with the operator's timeouts, as Airflow
    builds it. A reason (str) when the hook can't be rebuilt; None without a hook or a connection id."""
    hook = task.args.get("ssh_hook")
    if hook is None:
        conn_id = task.args.get("ssh_conn_id")
        if conn_id is None or (not isinstance(conn_id, str) and not isinstance(conn_id, ir.CodeValue)):
            return None
        given = {k: task.args[k] for k in CONNECTION_ARGUMENTS if k in task.args}
        return {"ssh_conn_id": conn_id, **given}
    if not isinstance(hook, ir.CallValue) or not hook.name.endswith(".SSHHook"):
        return None  # a hook object the scan does not know: its host, user and key are unknown
    if len(hook.args) > len(POSITIONAL):
        return f"the SSHHook is given {len(hook.args)} positional arguments; the generated hook reads the first 6"
    arguments = {**dict(zip(POSITIONAL, hook.args, strict=False)), **hook.kwargs}
    honoured = support_parameters("SSHHook")
    ignored = sorted(k for k in arguments if k not in honoured)
    if ignored:
        return f"the SSHHook sets {', '.join(ignored)}, which the generated SSH hook does not honour"
    return arguments


ORDER = 70
RULES = [Ssh]
