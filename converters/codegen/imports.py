"""Import each generated logic module once, in a subprocess of this (the Dagster) venv, before a task relies on it.

A logic module holds code copied out of a DAG file. Copying can leave it unimportable (a module-level constant
built from an Airflow-only name, a helper of the DAGs folder that imports Airflow...); a task whose code is in
such a module would fail at its first run, so it must not be planned as if it ran. One process imports every
module asked for (with a timeout) and answers, per module, the error that stopped it, or nothing.

Missing third-party packages are not errors here: the estate's own dependencies are installed where the code
location is deployed, not necessarily where it is generated. A missing ``airflow`` is one (it never exists in
the Dagster venv), and so is a missing module the DAGs folder or the generated package should hold. A missing
third-party package is stood in for and the import goes on, so that a name the module's own statements use
before (or without) binding it still shows as a ``NameError`` (past such a stand-in, only those are errors:
anything else may be the stand-in's doing). A module-level ``Variable.get`` of a variable this process lacks (and
without a default) reads such a stand-in too: the deployment sets it.

Environment variables are the deployment's: ``os.environ[...]`` of a variable this process lacks (a secret the
scan externalised, ``A2D_SECRET_...``, a bucket name...) reads a placeholder instead of failing the import;
``os.environ.get``, ``os.getenv`` and ``in`` keep their meaning (an optional setting keeps its default).

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

def _get(self, key, default=None):  # an optional setting (`get`, `os.getenv`) keeps its default
    try:
        return _getitem(self, key)
    except KeyError:
        return default


_UNSET = object()


def _contains(self, key):
    return _get(self, key, _UNSET) is not _UNSET


os._Environ.__getitem__ = _getitem_or_placeholder
os._Environ.get = _get
os._Environ.__contains__ = _contains


class _Absent(type):
    # Anything read from a third-party package this venv lacks: a class, callable, subscriptable, iterable
    # (empty), so the module's own statements after the import still run and show their own errors.

    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Absent(name, (), {})

    def __call__(cls, *args, **kwargs):
        return _Absent(cls.__name__, (), {})

    def __getitem__(cls, key):
        return _Absent(cls.__name__, (), {})

    def __iter__(cls):
        return iter(())


class _AbsentModule(type(sys)):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Absent(name, (), {})


def _is_local(top):
    return top in {package, "airflow"} or os.path.exists(os.path.join(folder, top)) or os.path.exists(
        os.path.join(folder, top + ".py"))


_deployed = set(os.environ)  # the variables this process really has
_variable_get = runtime.Variable.get.__func__
stood_in = []  # Variables the deployment sets and this process lacks, stood in for


def _variable_or_stand_in(cls, key, *args, **kwargs):  # a module-level Variable.get reads the deployment's value
    given_default = len(args) > 0 or "default_var" in kwargs or "default" in kwargs
    if "AIRFLOW_VAR_" + str(key).upper() in _deployed or given_default:
        return _variable_get(cls, key, *args, **kwargs)
    stood_in.append(key)
    return _Absent("Variable " + str(key), (), {})


runtime.Variable.get = classmethod(_variable_or_stand_in)
found = {}
for module in json.loads(modules):
    absent = []  # third-party packages this venv lacks, stood in for so that the rest of the module runs
    stood_in.clear()
    for _ in range(20):
        try:
            importlib.import_module(package + ".logic." + module)
            found[module] = None
        except ModuleNotFoundError as exc:
            top = (exc.name or "").partition(".")[0]
            if not top or _is_local(top):
                found[module] = "ModuleNotFoundError: " + str(exc)
            else:
                absent.append(top)
                for name in {exc.name, top}:  # the module asked for and its package
                    sys.modules.setdefault(name, _AbsentModule(name))
                sys.modules.pop(package + ".logic." + module, None)
                continue
        except (NameError, UnboundLocalError) if absent or stood_in else BaseException as exc:
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if os.sep + "logic" + os.sep in f.filename]
            where = " (line %d)" % frames[-1].lineno if frames else ""
            found[module] = (type(exc).__name__ + ": " + str(exc))[:300] + where
        except BaseException:  # past a stand-in (a package, a Variable): what fails may be the stand-in's doing
            found[module] = None
        break
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
