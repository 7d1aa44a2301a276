"""SFTP transfers: SFTPOperator's put and get through the SFTP hook stand-in (paramiko)."""

from __future__ import annotations

from typing import Any

from converters.inventory import ir
from converters.inventory.operators import canonical
from converters.rules.base import JUDG, NONE, Code, Rule, TaskInput, Translation, Untranslatable, template_xcoms


def _operation(value: Any) -> str | None:
    """``"put"``/``"get"``, or ``SFTPOperation.PUT``/``.GET`` (a reference to Airflow's constants); else None."""
    if isinstance(value, ir.RefValue):
        value = value.name.rsplit(".", 1)[-1]
    return value.lower() if isinstance(value, str) and value.lower() in ("put", "get") else None


class Sftp(Rule):
    """What it does: puts local files on the SFTP server, or gets remote files, through ``SFTPHook`` (paramiko) with
    the connection of ``AIRFLOW_CONN_<SSH_CONN_ID>``; the local path(s) are the asset value, as they are the XCom.

    Why: the transfer is the task: paths (one or lists paired in order) and ``remote_host`` are rendered like
    Airflow renders them, ``create_intermediate_dirs`` makes the remote (put) or local (get) folders, ``confirm``
    checks the upload's size. The local side is now the Dagster host (JUDG): the steps that write the file before
    a put, or read it after a get, must run where this asset runs.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.sftp.operators.sftp import SFTPOperator

    with DAG("partner", schedule="@daily", start_date=datetime(2024, 1, 1)):
        SFTPOperator(
            task_id="upload",
            ssh_conn_id="partner_sftp",
            local_filepath="/data/exports/{{ ds }}.csv",
            remote_filepath="/inbox/{{ ds }}/orders.csv",
            operation="put",
            create_intermediate_dirs=True,
        )
    ```

    Becomes:
    ```python
    # partner.py:7 · task upload · rule sftp.transfer · JUDG
    # note: local_filepath is on the Dagster host: the steps writing or reading it must run there too
    @task_asset(
        DAG,
        "upload",
        key=["partner", "upload"],
        group_name="partner",
        kinds={"sftp"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "partner.py:7",
            "airflow/task_id": "upload",
            "airflow/operator": "airflow.providers.sftp.operators.sftp.SFTPOperator",
            "airflow/rule": "sftp.transfer",
            "airflow/disposition": "JUDG",
            "airflow/reason": "the transfer runs from the Dagster host: its local files are there",
            "airflow/notes": ["local_filepath is on the Dagster host: the steps writing or reading it must run there too"],
        },
    )
    def upload(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "upload")
        hook = SFTPHook(ssh_conn_id="partner_sftp")
        return sftp_transfer(
            hook,
            render("/data/exports/{{ ds }}.csv", airflow, DAG, template_ext=()),
            render("/inbox/{{ ds }}/orders.csv", airflow, DAG, template_ext=()),
            operation="put",
            create_intermediate_dirs=True,
            confirm=True,
        )
    ```
    """

    name = "sftp.transfer"
    operators = canonical("SFTPOperator")
    disposition = JUDG
    emits = "an asset putting or getting the rendered paths through SFTPHook; the local paths are its value"

    def translate(self, task: TaskInput) -> Translation:
        conn_id = next((task.args[a] for a in ("ssh_conn_id", "sftp_conn_id") if task.args.get(a) is not None), None)
        # Without a literal connection id (a hook object is not one) we can't know which server the files go to.
        if not isinstance(conn_id, str):
            return Translation(NONE, "the SFTP connection id is not a literal (or a hook object is passed)")
        operation = _operation(task.args.get("operation", "put"))
        local, remote = task.args.get("local_filepath"), task.args.get("remote_filepath")
        # Without both paths and a known operation we can't know what is transferred, or which way.
        if local is None or remote is None or operation is None:
            return Translation(NONE, "the SFTP paths or the operation are not literals")
        pulled = template_xcoms([local, remote, task.args.get("remote_host")])
        # Pulls from tasks known only at run time can't become asset inputs.
        if pulled is None:
            return Translation(NONE, "the SFTP paths pull XComs from tasks known only at run time")
        t = Translation(JUDG, "the transfer runs from the Dagster host: its local files are there", kinds=("sftp",))
        t.inputs.extend(pulled)
        t.notes.append("local_filepath is on the Dagster host: the steps writing or reading it must run there too")
        code = Code(t)
        t.support.add("render")
        t.imports |= {"from ..support.hooks import SFTPHook", "from ..support.providers import sftp_transfer"}
        try:
            hook = [f"ssh_conn_id={code.value(conn_id)}"]
            if task.args.get("remote_host"):
                hook.append(
                    f"remote_host=render({code.value(task.args['remote_host'])}, airflow, DAG, template_ext=())"
                )
            paths = [f"render({code.value(v)}, airflow, DAG, template_ext=())" for v in (local, remote)]
        except Untranslatable as exc:
            # If a path can't be written as code, the asset can't transfer the same files.
            return Translation(NONE, f"an SFTP path {exc}")
        create = task.args.get("create_intermediate_dirs", False) is True
        confirm = task.args.get("confirm", True) is not False
        t.body.append(f"hook = SFTPHook({', '.join(hook)})")
        t.body.append(
            f"return sftp_transfer(hook, {', '.join(paths)}, operation={operation!r}, "
            f"create_intermediate_dirs={create!r}, confirm={confirm!r})"
        )
        t.consumed |= {"ssh_conn_id", "sftp_conn_id", "remote_host", "local_filepath", "remote_filepath"}
        t.consumed |= {"operation", "create_intermediate_dirs", "confirm"}
        return t


ORDER = 72
RULES = [Sftp]
