"""SSHOperator tasks whose connection is given through an SSHHook object (``ssh_hook=SSHHook(...)``), or whose
connection id is computed by code: the hook is recorded by the scan as its arguments, each part that is code carried
as code, and the rule rebuilds it as the support ``SSHHook`` when the asset runs."""

from __future__ import annotations

from converters.inventory import ir
from converters.inventory.scan import scan_source
from converters.plan import plan_project
from converters.rules.base import JUDG, NONE

SOURCE = """
from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.providers.ssh.hooks.ssh import SSHHook
from airflow.providers.ssh.operators.ssh import SSHOperator

BACKUP_HOST = Variable.get("backup_host", default_var="")

cluster = SSHHook(ssh_conn_id="cluster_login")
legacy = SSHHook("cluster_login")
other_host = SSHHook(ssh_conn_id="cluster_login", remote_host="node7")
by_variables = SSHHook(
    key_file=Variable.get("deploy_key_path"),
    username=Variable.get("deploy_user"),
    remote_host=BACKUP_HOST,
)
literal = SSHHook(remote_host="archive.example", username="batch", key_file="/keys/batch", port=2222)

with DAG("hpc", schedule=None, start_date=datetime(2024, 1, 1)):
    SSHOperator(task_id="by_keyword", ssh_hook=cluster, command="qstat -u $USER")
    SSHOperator(task_id="by_position", ssh_hook=legacy, command="qstat")
    SSHOperator(task_id="elsewhere", ssh_hook=other_host, command="qstat")
    SSHOperator(
        task_id="backup",
        ssh_hook=by_variables,
        conn_timeout=60,
        cmd_timeout=600,
        get_pty=True,
        command="bash /opt/backup.sh {{ ds }}",
    )
    SSHOperator(task_id="archive", ssh_hook=literal, remote_host="{{ params.node }}", command="du -s /data")
    SSHOperator(
        task_id="computed_conn",
        ssh_conn_id=Variable.get("login_conn", default_var="login"),
        conn_timeout=30,
        command="hostname",
    )
"""


def _tasks() -> dict:
    plan = plan_project(ir.Project(".", (scan_source(SOURCE, "hpc.py"),)))
    return {t.task.task_id: t.translation for dag in plan.dags for t in dag.tasks}


def _file() -> ir.DagFile:
    return scan_source(SOURCE, "hpc.py")


def test_a_hook_naming_only_its_connection_runs_over_that_connection():
    tasks = _tasks()
    for task_id in ("by_keyword", "by_position"):
        t = tasks[task_id]
        assert t.disposition == JUDG, t.reason
        assert [r.name for r in t.resources] == ["ssh_cluster_login"]
        assert "AIRFLOW_CONN_CLUSTER_LOGIN" in t.resources[0].constructor
        assert "ssh_hook" in t.consumed


def test_the_scan_records_a_hook_as_its_arguments_with_code_carried_as_code():
    tasks = {t.task_id: t for t in _file().dags[0].tasks}
    hook = tasks["backup"].arguments["ssh_hook"]
    assert isinstance(hook, ir.CallValue) and hook.name == "airflow.providers.ssh.hooks.ssh.SSHHook"
    assert set(hook.kwargs) == {"key_file", "username", "remote_host"}
    assert all(isinstance(v, ir.CodeValue) for v in hook.kwargs.values())
    assert tasks["archive"].arguments["ssh_hook"].kwargs == {
        "remote_host": "archive.example",
        "username": "batch",
        "key_file": "/keys/batch",
        "port": 2222,
    }
    assert tasks["by_position"].arguments["ssh_hook"].args == ("cluster_login",)


def test_a_hook_built_from_variables_is_rebuilt_with_that_code_run_when_the_asset_runs():
    t = _tasks()["backup"]
    assert t.disposition == JUDG, t.reason
    hook, call = t.body
    assert hook.startswith("hook = SSHHook(key_file=logic._arg_backup_ssh_hook_key_file(), ")
    assert "remote_host=logic._arg_backup_ssh_hook_remote_host()" in hook
    assert call.startswith('return ssh_command(hook, render("bash /opt/backup.sh {{ ds }}", airflow, DAG)')
    assert "cmd_timeout=600" in call and "get_pty=True" in call
    assert "conn_timeout" not in call  # a given hook keeps its own connect timeout, as in Airflow
    assert {"ssh_hook", "conn_timeout", "cmd_timeout", "get_pty", "command"} <= t.consumed
    assert set(t.code) == {f"_arg_backup_ssh_hook_{k}" for k in ("key_file", "username", "remote_host")}
    logic = "\n".join(c.name for c in _file().callables)
    assert "_arg_backup_ssh_hook_remote_host" in logic


def test_literal_hook_arguments_are_passed_as_written_and_the_operator_host_replaces_the_hook_host():
    t = _tasks()["archive"]
    assert t.disposition == JUDG, t.reason
    hook = 'hook = SSHHook(remote_host="archive.example", username="batch", key_file="/keys/batch", port=2222)'
    assert t.body[0] == hook
    assert 'remote_host=render("{{ params.node }}", airflow, DAG, template_ext=())' in t.body[1]
    other = _tasks()["elsewhere"]
    assert other.disposition == JUDG, other.reason
    assert other.body[0] == 'hook = SSHHook(ssh_conn_id="cluster_login", remote_host="node7")'


def test_a_connection_id_computed_by_code_builds_the_hook_as_airflow_does():
    t = _tasks()["computed_conn"]
    assert t.disposition == JUDG, t.reason
    assert t.body[0] == "hook = SSHHook(ssh_conn_id=logic._arg_computed_conn_ssh_conn_id(), conn_timeout=30)"
    assert not t.resources


def test_a_hook_keyword_the_support_hook_does_not_honour_stays_in_airflow():
    source = SOURCE.replace("port=2222)", 'port=2222, ciphers=["aes256-ctr"])')
    plan = plan_project(ir.Project(".", (scan_source(source, "hpc.py"),)))
    t = {t.task.task_id: t.translation for dag in plan.dags for t in dag.tasks}["archive"]
    assert t.disposition == NONE
    assert t.reason == "the SSHHook sets ciphers, which the generated SSH hook does not honour"


def test_a_command_pulling_an_upstream_return_value_reads_that_asset():
    source = SOURCE + (
        '    SSHOperator(task_id="pick", ssh_hook=literal, command="ls -t | head -1")\n'
        '    SSHOperator(task_id="load", ssh_hook=literal, command="load {{ ti.xcom_pull(task_ids=\'pick\') }}")\n'
        "    SSHOperator(\n"
        '        task_id="load_keyed", ssh_hook=literal,\n'
        "        command=\"load {{ ti.xcom_pull(task_ids='pick', key='return_value') }}\",\n"
        "    )\n"
    )
    plan = plan_project(ir.Project(".", (scan_source(source, "hpc.py"),)))
    tasks = {t.task.task_id: t.translation for dag in plan.dags for t in dag.tasks}
    for task_id in ("load", "load_keyed"):
        assert tasks[task_id].disposition == JUDG, tasks[task_id].reason
        assert tasks[task_id].inputs == ["pick"]


def test_a_connection_task_setting_what_the_ssh_client_does_not_do_runs_over_the_rebuilt_hook():
    source = SOURCE + (
        '    SSHOperator(task_id="plain", ssh_conn_id="batch_host", conn_timeout=20, command="hostname")\n'
        "    SSHOperator(\n"
        '        task_id="with_pty", ssh_conn_id="batch_host", conn_timeout=20, get_pty=True,\n'
        '        environment={"DAY": "{{ ds }}"}, command="sudo -n hostname",\n'
        "    )\n"
    )
    plan = plan_project(ir.Project(".", (scan_source(source, "hpc.py"),)))
    tasks = {t.task.task_id: t.translation for dag in plan.dags for t in dag.tasks}
    assert [r.name for r in tasks["plain"].resources] == ["ssh_batch_host"]
    t = tasks["with_pty"]
    assert t.disposition == JUDG, t.reason
    assert t.body[0] == 'hook = SSHHook(ssh_conn_id="batch_host", conn_timeout=20)'
    assert 'environment=render({"DAY": "{{ ds }}"}, airflow, DAG, template_ext=())' in t.body[1]
    assert "get_pty=True" in t.body[1]
