"""Pure literal evaluation for the scan, and its input limits: nothing here knows about Airflow.

Builtins (``range``, ``zip``, ``sorted``...), methods of literals (``"{}".format``, ``d.items()``,
``tasks.append``), paths computed from ``__file__`` (``os.path``/``pathlib``), and the size guards that turn
a value a hostile file would make huge into ``Unknown`` instead of building it (docs/reliability.md).
"""

from __future__ import annotations

import ast
import posixpath
import re
from typing import Any

from converters.inventory.values import Loose, PathMethod, PathValue, Unknown, _flat

MAX_CALL_DEPTH = 8
MAX_LOOP_ITERATIONS = 10_000
# Input limits (docs/reliability.md): beyond them the file's analysis stops with a diagnostic, never a hang.
MAX_STEPS_PER_FILE = 1_000_000  # statements run and loop/comprehension iterations, all loops together
MAX_TASKS_PER_FILE = 10_000
MAX_VALUE_LENGTH = 1_000_000  # a literal computed by the scan ("x" * n, "{:>n}".format) longer than this is unknown


PATH_FUNCTIONS = {
    "pathlib.Path",
    "pathlib.PurePath",
    "pathlib.PosixPath",
    "os.path.dirname",
    "os.path.realpath",
    "os.path.abspath",
    "os.path.normpath",
    "os.path.join",
    "os.path.basename",
    "os.path.splitext",
}


def _normalise(path: str) -> str:
    """``a/b/../c`` -> ``a/c``; leading ``..`` kept (a path above the scanned folder)."""
    parts: list[str] = []
    for part in path.split("/"):
        if part in {"", "."}:
            continue
        if part == ".." and parts and parts[-1] != "..":
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts) or "."


def _join(base: PathValue, *more: str) -> Any:
    if any(m.startswith("/") for m in more):
        return Unknown("absolute path")
    return PathValue(_normalise("/".join([base.path, *more])))


def _file_name(path: PathValue) -> str | None:
    """The last part of a path: known even though the folder the estate is deployed to is not (None for ``..``)."""
    name = path.path.rsplit("/", 1)[-1]
    return None if name in {"", ".", ".."} else name


def _path_attribute(owner: PathValue, attr: str) -> Any:
    if attr == "parent":
        return PathValue(_normalise(owner.path + "/.."))
    if attr in {"name", "stem", "suffix"}:  # Path(__file__).stem: a DAG id named after its file
        name = _file_name(owner)
        if name is None:
            return None
        stem, dot, suffix = name.rpartition(".")
        if not stem:  # ".env": no suffix, as pathlib has it
            stem, dot, suffix = name, "", ""
        return {"name": name, "stem": stem, "suffix": dot + suffix}[attr]
    if attr in {"resolve", "absolute"}:
        return PathMethod(owner, attr)
    return None


def _path_call(name: str, args: list) -> Any:
    first = args[0]
    if name in {"os.path.basename", "os.path.splitext"}:  # pure string functions: a literal path is a string too
        return _string_path_call(name, first)
    if not isinstance(first, PathValue):
        return Unknown(f"{name}(...)")  # a literal path stays what it was written as: not followed
    if name == "os.path.dirname":
        return PathValue(_normalise(first.path + "/.."))
    if name == "os.path.join" or name.startswith("pathlib."):
        rest = args[1:]
        if not all(isinstance(r, str) for r in rest):
            return Unknown(f"{name}(...)")
        return _join(first, *rest)
    return first  # realpath, abspath, normpath


def _string_path_call(name: str, path: Any) -> Any:
    """``os.path.basename(__file__)`` is the file's name wherever the estate is deployed; ``splitext`` splits it."""
    if isinstance(path, PathValue):
        if name == "os.path.splitext":
            return Unknown(f"{name}(...)")  # the part before the suffix is a full path: not known here
        return _file_name(path) or Unknown(f"{name}(...)")
    if not isinstance(path, str):
        return Unknown(f"{name}(...)")
    return posixpath.basename(path) if name == "os.path.basename" else posixpath.splitext(path)


STR_ENUMS = (".TriggerRule", ".WeightRule", ".DagRunState", ".TaskInstanceState", ".State")
MUTATING_METHODS = {"append", "extend", "insert", "update", "setdefault"}
LITERAL_METHODS = {"items", "keys", "values", "format", "upper", "lower", "join", "split", "replace", "strip", "get"}
LITERAL_METHODS |= MUTATING_METHODS
PURE_BUILTINS = {"range", "enumerate", "zip", "len", "list", "tuple", "sorted", "reversed", "str", "int", "dict", "set"}


def formattable(value: Any) -> bool:
    """A value whose text (``str``/``repr``) the scan gives as Python does: strings, numbers, booleans, None, and
    lists and dicts of them built as such (not a tuple, which may stand for a set, nor a ``Loose`` list). Anything
    else formatted into a string (an imported name the scan knows only by its import, a task) would put the
    scan's own notation into the estate's text."""
    if value is None or type(value) in (str, int, float, bool):
        return True
    if type(value) is list:
        return all(formattable(v) for v in value)
    if type(value) is dict:
        return all(type(k) in (str, int) and formattable(v) for k, v in value.items())
    return False


def _call_literal_method(owner, attr, args, kwargs, source) -> Any:
    if attr in MUTATING_METHODS and isinstance(owner, (list, dict)):
        try:  # tasks collected in a list (tasks.append(op)) are followed, unknown items included
            return getattr(owner, attr)(*args, **kwargs)
        except Exception:  # noqa: BLE001
            return Unknown(source)
    if any(isinstance(a, Unknown) for a in _flat(list(args) + list(kwargs.values()))):
        return Unknown(source)
    if _method_would_grow_too_much(owner, attr, args, kwargs):
        return Unknown(source)
    if attr in {"format", "format_map"} and not all(formattable(v) for v in [*args, *kwargs.values()]):
        return Unknown(source)  # `"clin_{env}".format(env=env)` of a name known only by its import
    try:
        result = getattr(owner, attr)(*args, **kwargs)
    except Exception:  # noqa: BLE001
        return Unknown(source)
    return Loose(result) if attr in {"items", "keys", "values"} else result


def _length(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple, dict)) else 1


def _would_grow_too_much(left: Any, op: ast.operator, right: Any) -> bool:
    """A hostile file must not make the scan build a gigabyte string ("x" * 10**10, s = s + s in a loop)."""
    if isinstance(op, ast.Mult):
        count = right if isinstance(right, int) else left if isinstance(left, int) else 1
        return isinstance(count, int) and max(_length(left), _length(right)) * abs(count) > MAX_VALUE_LENGTH
    if isinstance(op, ast.Add):
        return _length(left) + _length(right) > MAX_VALUE_LENGTH
    if isinstance(op, ast.Mod) and isinstance(left, str):
        return _huge_format(left)
    return False


WIDTH_METHODS = {"ljust", "rjust", "center", "zfill", "expandtabs"}


def _method_would_grow_too_much(owner: Any, attr: str, args: list, kwargs: dict) -> bool:
    values = list(args) + list(kwargs.values())
    if attr in WIDTH_METHODS:
        return any(isinstance(v, int) and v > MAX_VALUE_LENGTH for v in values)
    if attr in {"format", "format_map"} and isinstance(owner, str):
        return _huge_format(owner) or sum(_length(v) for v in values) > MAX_VALUE_LENGTH
    if attr in {"replace", "join"}:
        return _length(owner) * max([1, *(_length(v) for v in values)]) > MAX_VALUE_LENGTH
    return False


def _huge_format(template: str) -> bool:
    """A width or precision of seven digits or more in a format string ("{:>1000000000}", "%1000000000d")."""
    return re.search(r"[{%][^{}%]{0,20}?\d{7,}", template) is not None


def _call_builtin(name, args, kwargs, source) -> Any:
    if name == "dict" and len(args) <= 1 and all(isinstance(a, dict) for a in args):
        # `dict(env, **extra)`: the keys are known, values the scan could not evaluate stay so (each its own code)
        merged = {**(args[0] if args else {}), **kwargs}
        if not any(str(k).startswith("$") for k in merged):
            return merged
    if any(isinstance(a, Unknown) for a in _flat(list(args) + list(kwargs.values()))):
        return Unknown(source)
    if name == "str" and not all(formattable(a) for a in args):
        return Unknown(source)
    if name in {"enumerate", "zip", "sorted", "reversed", "list", "tuple", "set", "dict"} and not all(
        isinstance(a, (list, tuple, dict, str, int)) for a in args
    ):
        return Unknown(source)
    try:
        result = {
            "range": range,
            "enumerate": enumerate,
            "zip": zip,
            "len": len,
            "list": list,
            "tuple": tuple,
            "sorted": sorted,
            "reversed": reversed,
            "str": str,
            "int": int,
            "dict": dict,
            "set": sorted,
        }[name](*args, **kwargs)
    except Exception:  # noqa: BLE001
        return Unknown(source)
    if name == "range" and len(result) > MAX_LOOP_ITERATIONS:
        return Unknown(source)
    if name in {"enumerate", "zip"}:
        return Loose(Loose(x) if isinstance(x, tuple) else x for x in result)
    if name == "set":  # sorted, for a deterministic order: not the set Python has
        return Loose(result)
    return Loose(result) if name in {"range", "reversed"} else result
