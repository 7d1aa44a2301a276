"""Remote shells: SSHOperator (SFTP stays in Airflow)."""

from __future__ import annotations

import ast

from converters.inventory import ir
from converters.inventory.operators import canonical
from converters.rules.base import JUDG, NONE, Rule, TaskInput, Translation, Untranslatable
from converters.rules.connections import connect, literal_conn_id


class Ssh(Rule):
    """What it does: runs the SSH command on the connection's host with the ``ssh`` client of the Dagster host.

    Why: the remote command is the task, but authentication changes hands: the Dagster host needs a key
    for that host (``key_file`` in the connection's extra, or its ssh agent). That is a per-task decision. A task
    given ``ssh_hook=SSHHook(ssh_conn_id=...)`` uses that connection; a hook setting its own host, user, key or
    port stays in Airflow.

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
    @dg.asset(
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
    emits = "an asset running the rendered command over ssh (key-based authentication from the Dagster host)"

    def translate(self, task: TaskInput) -> Translation:
        conn_id = literal_conn_id(task, "ssh_conn_id") or _hook_conn_id(task.args.get("ssh_hook"))
        command = task.args.get("command")
        # Without a literal connection id and command we can't know what runs where.
        if conn_id is None or command is None:
            return Translation(NONE, "the ssh connection id or the command is not a literal")
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


def _hook_conn_id(hook: object) -> str | None:
    """The connection of ``ssh_hook=SSHHook(ssh_conn_id="x")`` (or ``SSHHook("x")``) when the hook names nothing
    but its connection; None for any other hook (its host, user, key or port would override the connection)."""
    if not isinstance(hook, ir.SourceValue):
        return None
    try:
        call = ast.parse(hook.source, mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(call, ast.Call) or not ast.unparse(call.func).endswith("SSHHook"):
        return None
    given = [*call.args, *(k.value for k in call.keywords)]
    named = {k.arg for k in call.keywords}
    if len(given) != 1 or (call.keywords and named != {"ssh_conn_id"}):
        return None
    value = given[0]
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


ORDER = 70
RULES = [Ssh]
