"""Fast checks of the runtime's building blocks (no Airflow started)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from converters.runtime.airflow import _touch_files_naming, airflow_environment, dag_folder_view
from converters.runtime.example_estate import WAVES, example_sources, expected_dag_ids
from converters.runtime.processes import group_alive, start_process_group, stop_process_group


def test_dag_folder_view_leaves_out_the_other_lines_folder(tmp_path):
    source = tmp_path / "dags"
    for name in ("a.py", "include/__init__.py", "airflow2_only/old.py", "airflow3_only/new.py"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text("# dag\n")
    view2 = dag_folder_view(2, source, tmp_path / "view2")
    view3 = dag_folder_view(3, source, tmp_path / "view3")
    assert sorted(p.name for p in view2.iterdir()) == ["a.py", "airflow2_only", "include"]
    assert sorted(p.name for p in view3.iterdir()) == ["a.py", "airflow3_only", "include"]
    assert (view2 / "airflow2_only" / "old.py").read_text() == "# dag\n"

    # A file removed from the source disappears from the view when it is rebuilt.
    (source / "a.py").unlink()
    assert "a.py" not in [p.name for p in dag_folder_view(2, source, tmp_path / "view2").iterdir()]


def group_members(pgid: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:  # state, ppid, pgrp
            members.append(int(stat.parent.name))
    return members


def test_a_file_naming_a_dag_airflow_has_not_loaded_is_made_newer(tmp_path):
    # Airflow parses a file again at once when it is newer than its last parse; `wait_for_dags` nudges the files
    # of the DAGs still missing (a parse killed by its timeout leaves no import error), through the view's links.
    real = tmp_path / "real"
    (real / "dbt").mkdir(parents=True)
    (real / "dbt" / "shop.py").write_text('DbtDag(dag_id="shop_dbt")\n')
    (real / "orders.py").write_text('DAG("orders_daily")\n')
    view = tmp_path / "view"
    view.mkdir()
    (view / "dbt").symlink_to(real / "dbt")
    (view / "orders.py").symlink_to(real / "orders.py")
    for file in (real / "dbt" / "shop.py", real / "orders.py"):
        os.utime(file, (1e9, 1e9))
    _touch_files_naming(view, {"shop_dbt"})
    assert (real / "dbt" / "shop.py").stat().st_mtime > 1e9
    assert (real / "orders.py").stat().st_mtime == 1e9


@pytest.mark.parametrize("version", [2, 3])
def test_an_unchanged_dag_file_is_parsed_rarely_an_edited_one_at_once(tmp_path, version):
    env = airflow_environment(version, tmp_path, tmp_path / "data", 8080, "admin", False, 300, list_interval=5)
    section = "SCHEDULER" if version == 2 else "DAG_PROCESSOR"
    assert env[f"AIRFLOW__{section}__MIN_FILE_PROCESS_INTERVAL"] == "300"
    assert env[f"AIRFLOW__{section}__FILE_PARSING_SORT_MODE"] == "modified_time"  # newer than its parse: at once
    listing = "SCHEDULER__DAG_DIR_LIST_INTERVAL" if version == 2 else "DAG_PROCESSOR__REFRESH_INTERVAL"
    assert env[f"AIRFLOW__{listing}"] == "5"


def test_stopping_a_group_stops_its_children_and_nothing_else(tmp_path):
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    server = start_process_group(
        "sleepers", ["sh", "-c", "sleep 60 & sleep 60 & wait"], dict(os.environ), tmp_path / "s.log", tmp_path
    )
    try:
        time.sleep(0.3)
        assert len(group_members(server.pid)) == 3  # the shell and its two sleeps share the group
        stop_process_group(server.pid, grace_seconds=5)
        assert not group_alive(server.pid)
        assert group_members(server.pid) == []
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def test_run_plan_covers_each_line_with_its_own_dags():
    assert "legacy_customer_sync" in expected_dag_ids(2) and "legacy_customer_sync" not in expected_dag_ids(3)
    assert "inventory_snapshot" in expected_dag_ids(3) and "inventory_snapshot" not in expected_dag_ids(2)
    assert expected_dag_ids(2) - {"legacy_customer_sync"} == expected_dag_ids(3) - {"inventory_snapshot"}
    # orders_daily must run before the DAGs that read what it wrote.
    assert "orders_daily" in WAVES[0] and {"revenue_dashboard", "shop_dbt"} <= set(WAVES[1])


@pytest.mark.parametrize("argv, code", [(["--help"], 0), (["--version"], 0), (["demo", "--airflow", "5"], 2)])
def test_cli_exit_codes(argv, code):
    result = subprocess.run(
        [sys.executable, "-m", "converters", *argv], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == code, result.stdout + result.stderr


def test_example_sources_are_deterministic_per_logical_date():
    # Parity between an Airflow run and a Dagster run of the same date rests on this.
    src = example_sources()
    assert src.orders_for("2024-01-15") == src.orders_for("2024-01-15")
    assert src.orders_for("2024-01-15") != src.orders_for("2024-01-16")
    assert src.partner_inventory_csv("2024-01-15") == src.partner_inventory_csv("2024-01-15")


@pytest.mark.parametrize("outer, expected", [(None, "1"), ("0", "1"), ("3", "3"), ("x", "1")])
def test_airflow_processes_start_at_shell_level_one(monkeypatch, tmp_path, outer, expected):
    """Airflow 3 gives a task a socket on stdin; Debian's bash then sources ~/.bashrc when SHLVL < 2, which
    can put another Python before the venv. Started from a service (SHLVL unset), Airflow still gets 1."""
    from converters.runtime.airflow import base_environment

    if outer is None:
        monkeypatch.delenv("SHLVL", raising=False)
    else:
        monkeypatch.setenv("SHLVL", outer)
    env = base_environment(3, tmp_path, tmp_path / "dags")
    assert env["SHLVL"] == expected
    assert env["PATH"].split(os.pathsep)[0].endswith(".venv-airflow-3/bin")


def test_json_module_answers_with_its_last_json_line(tmp_path):
    """The materializer and the gates runner run their module through one helper: the answer is the last JSON
    line (what the module logged before it is not), a failure carries the output's tail, a timeout says so."""
    from converters.json_module import JsonModuleError, run_json_module

    (tmp_path / "echo_module.py").write_text(
        "import json, sys, time\n"
        "request = json.loads(sys.argv[1])\n"
        "print('{not the answer')\n"
        "time.sleep(request.get('sleep', 0))\n"
        "if request.get('fail'):\n"
        "    raise SystemExit('it failed')\n"
        "print(json.dumps({'echo': request}))\n"
    )
    env = dict(os.environ)
    assert run_json_module("echo_module", {"a": 1}, cwd=tmp_path, env=env, timeout=60) == {"echo": {"a": 1}}
    # the gates runner names its answer by its opening ('{"assets"'): that prefix is part of the JSON, not a marker
    answer = run_json_module("echo_module", {"a": 2}, cwd=tmp_path, env=env, timeout=60, answer_prefix='{"echo"')
    assert answer == {"echo": {"a": 2}}
    with pytest.raises(JsonModuleError) as failed:
        run_json_module("echo_module", {"fail": True}, cwd=tmp_path, env=env, timeout=60)
    assert not failed.value.timed_out and "it failed" in str(failed.value)
    with pytest.raises(JsonModuleError) as slow:
        run_json_module("echo_module", {"sleep": 30}, cwd=tmp_path, env=env, timeout=1)
    assert slow.value.timed_out
    # streamed: each stdout line as it is printed (the gates runner's progress), the same answer and errors
    lines: list[str] = []
    assert run_json_module("echo_module", {"a": 3}, cwd=tmp_path, env=env, timeout=60, on_line=lines.append) == {
        "echo": {"a": 3}
    }
    assert lines == ["{not the answer", '{"echo": {"a": 3}}']
    with pytest.raises(JsonModuleError) as failed:
        run_json_module("echo_module", {"fail": True}, cwd=tmp_path, env=env, timeout=60, on_line=lines.append)
    assert not failed.value.timed_out and "it failed" in str(failed.value)
    with pytest.raises(JsonModuleError) as slow:
        run_json_module("echo_module", {"sleep": 30}, cwd=tmp_path, env=env, timeout=1, on_line=lines.append)
    assert slow.value.timed_out
