"""Import each generated logic module once, in a subprocess of this (the Dagster) venv, before a task relies on it.

A logic module holds code copied out of a DAG file. Copying can leave it unimportable (a module-level constant
built from an Airflow-only name, a helper of the DAGs folder that imports Airflow...); a task whose code is in
such a module would fail at its first run, so it must not be planned as if it ran. One process imports every
module asked for (with a timeout) and answers, per module, the error that stopped it, or nothing.

Missing third-party packages are not errors here: the estate's own dependencies are installed where the code
location is deployed, not necessarily where it is generated. A missing ``airflow`` is one (it never exists in
the Dagster venv), and so is a missing module the DAGs folder or the generated package should hold.

Environment variables are the deployment's: ``os.environ[...]`` of a variable this process lacks (a secret the
scan externalised, ``A2D_SECRET_...``, a bucket name...) reads a placeholder instead of failing the import.

The import runs the copied module-level statements, under an audit hook that refuses starting processes,
opening sockets and opening files for writing: such an attempt is the module's error, nothing happens.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from converters.json_module import JsonModuleError, run_json_command

MARKER = "a2d-logic-import-check"
TIMEOUT_SECONDS = 120.0

_SCRIPT = r"""
import importlib, json, os, sys, traceback
sys.dont_write_bytecode = True
_, marker, package, modules = sys.argv
runtime = importlib.import_module(package + ".support.runtime")
folder = str(runtime.dags_folder())
sys.path.insert(0, folder)
REFUSED = {"os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "subprocess.Popen",
           "socket.connect", "socket.bind", "socket.sendto", "pty.spawn"}

def hook(event, args):
    if event in REFUSED:
        raise RuntimeError("refused while importing: " + event)
    if event == "open" and isinstance(args[1], str) and any(c in args[1] for c in "wax+"):
        raise RuntimeError("refused while importing: opening " + str(args[0]) + " for writing")

sys.addaudithook(hook)
_getitem = os._Environ.__getitem__

def _getitem_or_placeholder(self, key):  # the deployment's environment is not this one's
    try:
        return _getitem(self, key)
    except KeyError:
        return "a2d-import-check"

os._Environ.__getitem__ = _getitem_or_placeholder
found = {}
for module in json.loads(modules):
    try:
        importlib.import_module(package + ".logic." + module)
    except ModuleNotFoundError as exc:
        top = (exc.name or "").partition(".")[0]
        local = top in {package, "airflow"} or os.path.exists(os.path.join(folder, top)) or os.path.exists(
            os.path.join(folder, top + ".py"))
        found[module] = ("ModuleNotFoundError: " + str(exc)) if local or not top else None
    except BaseException as exc:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if os.sep + "logic" + os.sep in f.filename]
        where = " (line %d)" % frames[-1].lineno if frames else ""
        found[module] = (type(exc).__name__ + ": " + str(exc))[:300] + where
print(marker + json.dumps(found))
"""


def logic_import_errors(out: Path, modules: list[str], timeout: float = TIMEOUT_SECONDS) -> dict[str, str]:
    """Per module of ``out/logic`` that does not import: the error. Raises ``ImportCheckFailed`` when the check
    itself cannot answer (it timed out, or the package does not load)."""
    if not modules:
        return {}
    out = Path(os.path.abspath(out))
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        found = run_json_command(
            [sys.executable, "-c", _SCRIPT, MARKER, out.name, json.dumps(sorted(set(modules)))],
            cwd=out.parent,
            env=environment,
            timeout=timeout,
            answer_prefix=MARKER,
            what="importing the logic modules",
        )
    except JsonModuleError as exc:
        if exc.timed_out:
            raise ImportCheckFailed(f"importing the logic modules did not finish within {timeout:.0f} s") from exc
        last = (str(exc).strip().splitlines() or ["no output"])[-1]
        raise ImportCheckFailed(f"the logic modules could not be checked: {last[:300]}") from exc
    return {module: error for module, error in found.items() if error}


class ImportCheckFailed(RuntimeError):
    """The import check gave no answer."""
