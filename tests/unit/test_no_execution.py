"""Static mode never executes the user's code: `scan` and `convert` of hostile DAG files attempt nothing.

The CLI runs as a real subprocess under an audit hook (``sys.addaudithook``, inherited by the scan's forked
workers) that records every attempt to run a shell command, start a process, connect or bind a socket,
execute code compiled from a file of the DAGs folder, or open a file in the marker folder. Two controls prove the
watch can fail: the hook sees a planted file being executed when something does execute it, and
`verify --dagbag` (which executes the files, in Airflow's venv, and says so) leaves the markers behind.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from converters.runtime.envs import airflow_venv

WATCHED = textwrap.dedent(
    """
    import json, sys

    LOG, DAGS, MARKERS = sys.argv[1], sys.argv[2], sys.argv[3]
    busy = False

    def hook(event, args):
        global busy
        if busy:
            return
        record = None
        if event in {"os.system", "os.exec", "os.posix_spawn", "os.spawn", "socket.connect", "socket.sendto",
                     "pty.spawn"}:
            record = [event, repr(args)[:300]]
        elif event == "socket.bind" and args[1][1] != 0:  # port 0: urllib3's IPv6 probe, reaches nothing
            record = [event, repr(args)[:300]]
        elif event == "subprocess.Popen":
            # convert formats the generated code with ruff; platform.architecture() asks `file` about Python;
            # convert imports the generated logic modules (not the DAG files) in a guarded subprocess
            if str(args[0]).rsplit("/", 1)[-1] not in {"ruff", "file"} and "a2d-logic-import-check" not in args[1]:
                record = [event, repr(args)[:300]]
        elif event == "exec":
            filename = getattr(args[0], "co_filename", "")
            if filename.startswith(DAGS):
                record = [event, filename]
        elif event == "open" and str(args[0]).startswith(MARKERS):
            record = [event, str(args[0])]
        if record:
            busy = True
            with open(LOG, "a") as log:
                log.write(json.dumps(record) + "\\n")
            busy = False

    sys.addaudithook(hook)
    mode, rest = sys.argv[4], sys.argv[5:]
    if mode == "cli":
        from converters.cli import main
        sys.argv = ["airflow-to-dagster", *rest]
        main()
    else:  # the control: something that does execute a DAG file
        import runpy
        try:
            runpy.run_path(rest[0])
        except BaseException:
            pass
    """
)


def _planted(dags: Path, markers: Path, port: int) -> None:
    """DAG files (and a helper module) whose import would leave a trace of each kind."""
    airflow = "from airflow import DAG\nfrom airflow.operators.python import PythonOperator\n"
    files = {
        "writes_marker.py": f"open({str(markers / 'import')!r}, 'w').write('ran')\n{airflow}"
        "with DAG('writes_marker'):\n    PythonOperator(task_id='t', python_callable=print)\n",
        "opens_socket.py": f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)\n{airflow}"
        "with DAG('opens_socket'):\n    PythonOperator(task_id='t', python_callable=print)\n",
        "calls_system.py": f"import os, subprocess\nos.system('touch {markers / 'system'}')\n"
        f"subprocess.run(['touch', {str(markers / 'subprocess')!r}])\n{airflow}"
        "with DAG('calls_system'):\n    PythonOperator(task_id='t', python_callable=print)\n",
        "hides_it.py": f"exec(\"__import__('os').system('touch {markers / 'exec'}')\")\n"
        f"__import__('pathlib').Path({str(markers / 'dunder')!r}).touch()\n{airflow}"
        "with DAG('hides_it'):\n    PythonOperator(task_id='t', python_callable=print)\n",
        "side_effects.py": f"import evil_helper\n{airflow}"
        "def write(**context):\n"
        f"    open({str(markers / 'callable')!r}, 'w').write('ran')\n\n\n"
        "class Loud(PythonOperator):\n"
        "    def __init__(self, **kwargs):\n"
        f"        open({str(markers / 'operator')!r}, 'w').write('ran')\n"
        "        super().__init__(**kwargs)\n\n\n"
        "def decorate(fn):\n"
        f"    open({str(markers / 'decorator')!r}, 'w').write('ran')\n"
        "    return fn\n\n\n"
        "@decorate\ndef helper():\n    return 1\n\n\n"
        f"default = open({str(markers / 'default_arg')!r}, 'w')\n"
        "with DAG('side_effects', default_args={'owner': helper()}):\n"
        "    Loud(task_id='loud', python_callable=write)\n"
        "    PythonOperator(task_id='plain', python_callable=write)\n",
        # Airflow puts the DAGs folder on sys.path, so a DAG file's `import evil_helper` runs this.
        "evil_helper.py": f"open({str(markers / 'helper')!r}, 'w').write('ran')\n",
        # An estate module the scan reads and interprets (its class, its factory): importing it writes files.
        "estate_ops.py": f"open({str(markers / 'estate_import')!r}, 'w').write('ran')\n{airflow}"
        "from airflow.models import BaseOperator\n\n\n"
        "class EstateOperator(PythonOperator):\n"
        "    def __init__(self, **kwargs):\n"
        f"        open({str(markers / 'estate_init')!r}, 'w').write('ran')\n"
        "        super().__init__(python_callable=print, **kwargs)\n\n\n"
        "def build(dag_id):\n"
        f"    open({str(markers / 'estate_factory')!r}, 'w').write('ran')\n"
        "    with DAG(dag_id) as dag:\n        EstateOperator(task_id='t')\n    return dag\n",
        "estate_import.py": "from estate_ops import EstateOperator, build\n"
        f"{airflow}built = build('estate_factory')\n"
        "with DAG('estate_import'):\n    EstateOperator(task_id='t')\n",
    }
    for name, text in files.items():
        (dags / name).write_text(text)


@pytest.fixture
def hostile(tmp_path: Path):
    dags, markers = tmp_path / "dags", tmp_path / "markers"
    dags.mkdir()
    markers.mkdir()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    _planted(dags, markers, listener.getsockname()[1])
    (tmp_path / "watched.py").write_text(WATCHED)
    yield tmp_path, dags, markers, listener
    listener.close()


def _watched(tmp_path: Path, dags: Path, markers: Path, *args: str) -> tuple[subprocess.CompletedProcess, list]:
    log = tmp_path / "audit.jsonl"
    log.unlink(missing_ok=True)
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, str(tmp_path / "watched.py"), str(log), str(dags), str(markers), *args],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    events = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return result, events


def _connections(listener: socket.socket) -> int:
    count = 0
    while True:
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def test_scan_and_convert_attempt_nothing_the_files_ask_for(hostile):
    tmp_path, dags, markers, listener = hostile
    scanned, scan_events = _watched(tmp_path, dags, markers, "cli", "scan", str(dags), "--json", "scan.json")
    assert scanned.returncode == 0, scanned.stderr
    converted, convert_events = _watched(
        tmp_path, dags, markers, "cli", "convert", str(dags), "--out", str(tmp_path / "defs")
    )
    assert converted.returncode == 0, converted.stderr
    # The files were understood (so they were read), and nothing they ask for happened or was attempted.
    dag_ids = {d["dag_id"] for d in json.loads((tmp_path / "scan.json").read_text())["dags"]}
    assert dag_ids == {
        "writes_marker",
        "opens_socket",
        "calls_system",
        "hides_it",
        "side_effects",
        "estate_import",  # the estate module's class and factory were interpreted, not run
        "estate_factory",
    }
    assert (tmp_path / "defs" / "dags" / "side_effects.py").is_file()
    assert scan_events == [] and convert_events == []
    assert sorted(p.name for p in markers.iterdir()) == []
    assert _connections(listener) == 0


def test_the_watch_sees_execution_when_it_happens(hostile):
    """Control: executing a planted file is seen by the hook, the marker and the listening socket."""
    tmp_path, dags, markers, listener = hostile
    _, events = _watched(tmp_path, dags, markers, "control", str(dags / "writes_marker.py"))
    assert ["exec", str(dags / "writes_marker.py")] in events
    assert (markers / "import").exists()
    _, events = _watched(tmp_path, dags, markers, "control", str(dags / "opens_socket.py"))
    assert any(event == "socket.connect" for event, _ in events)
    assert _connections(listener) == 1
    _, events = _watched(tmp_path, dags, markers, "control", str(dags / "calls_system.py"))
    assert {"os.system", "subprocess.Popen"} <= {event for event, _ in events}


def test_verify_dagbag_says_it_executes_and_does_so_in_a_subprocess_with_a_timeout(hostile):
    tmp_path, dags, markers, _ = hostile
    assert (airflow_venv(2) / "bin" / "python").exists()
    result = subprocess.run(
        [sys.executable, "-m", "converters", "verify", str(dags), "--airflow", "2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "executes your DAG files" in _text(result.stderr)  # refused without --dagbag
    assert list(markers.iterdir()) == []
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-m", "converters", "verify", str(dags), "--dagbag", "--airflow", "2", "--timeout", "120"],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )
    assert "executes the DAG files" in _text(result.stderr), result.stderr
    # It really executed them, in Airflow's own interpreter: the markers are there now.
    assert {"import", "helper"} <= {p.name for p in markers.iterdir()}, result.stdout + result.stderr


def _text(output: str) -> str:
    """The CLI's messages with rich's line wrapping undone."""
    return " ".join(output.split())
