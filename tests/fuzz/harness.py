"""Run one hostile file through scan → plan → render and say what went wrong (nothing, when all is well).

What counts as a failure:
- any exception escaping the scan of a file, the plan or the rendering of the generated code;
- an ``A2D999`` diagnostic (the scan caught an internal error: a bug to fix, not an input problem);
- a diagnostic without a line inside the file, or naming another file;
- a scan result that does not survive its JSON round trip (the cache and ``--json`` rely on it);
- a generated module that is not valid Python.
Failing inputs are kept under ``build/fuzz-failures/`` so they can be replayed.
"""

from __future__ import annotations

import hashlib
import json
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from converters.codegen import render
from converters.inventory import ir
from converters.inventory.project import scan_file
from converters.plan import plan_project
from converters.runtime.envs import project_root

FAILURES = project_root() / "build" / "fuzz-failures"


@dataclass
class Tally:
    """How many inputs went through, and the failures (name, reason)."""

    inputs: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)
    last: ir.DagFile | None = None  # the scan result of the last input checked


TALLY = Tally()


def target_inputs(ci_default: int) -> int:
    """``A2D_FUZZ_INPUTS`` (``make fuzz`` sets 10,000) or the fixed CI sample size."""
    return int(os.environ.get("A2D_FUZZ_INPUTS", ci_default))


def fuzz_seed() -> int:
    return int(os.environ.get("A2D_FUZZ_SEED", "0"))


def check_bytes(name: str, data: bytes, folder: Path, file_name: str = "dag.py") -> list[str]:
    """Write ``data`` as a DAG file in ``folder`` and check it; returns the problems found."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    path.write_bytes(data)
    problems = check_path(path, folder)
    if problems:
        _keep(name, data, problems)
    return problems


def check_path(path: Path, root: Path) -> list[str]:
    TALLY.inputs += 1
    try:
        result = scan_file((str(path), str(root), None))
    except BaseException:  # noqa: BLE001 - whatever escapes is the finding
        return [f"scan raised:\n{traceback.format_exc()}"]
    TALLY.last = result
    problems = _check_scan(result, path)
    for diagnostic in result.diagnostics:
        TALLY.codes[diagnostic.code] = TALLY.codes.get(diagnostic.code, 0) + 1
    try:
        plan = plan_project(ir.Project(str(root), (result,)))
        files = render.render_package(plan, package="fuzzed_defs", dags_folder="../dags")
    except BaseException:  # noqa: BLE001
        return [*problems, f"plan/render raised:\n{traceback.format_exc()}"]
    for relative, text in files.items():
        try:
            compile(text, relative, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            problems.append(f"generated {relative} is not valid Python: {exc}")
    return problems


def _check_scan(result: ir.DagFile, path: Path) -> list[str]:
    problems = []
    try:
        round_trip = ir.from_json(ir.DagFile, json.loads(json.dumps(ir.to_json(result))))
        if round_trip != result:
            problems.append("the scan result changes in its JSON round trip")
    except (TypeError, ValueError, KeyError) as exc:
        problems.append(f"the scan result is not JSON: {exc}")
    # Python ends a line at \n, \r\n and a lone \r (bytes.splitlines does the same); +1 for "at end of file".
    lines = len(path.read_bytes().splitlines()) + 1 if path.is_file() else 0
    for diagnostic in result.diagnostics:
        if diagnostic.code == "A2D999":
            problems.append(f"internal analyser error: {diagnostic.message}")
        if diagnostic.file != result.path or not 0 <= diagnostic.line <= max(lines, 1):
            problems.append(f"diagnostic points outside the file: {diagnostic}")
    return problems


def _keep(name: str, data: bytes, problems: list[str]) -> None:
    TALLY.failures.append((name, problems[0][:2000]))
    FAILURES.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()[:16]
    (FAILURES / f"{digest}.py.fuzz").write_bytes(data)
    (FAILURES / f"{digest}.txt").write_text(f"{name}\n\n" + "\n\n".join(problems))


def report(failures: list[tuple[str, str]], limit: int = 5) -> str:
    shown = "\n\n".join(f"{name}:\n{reason}" for name, reason in failures[:limit])
    return f"{len(failures)} failing inputs (kept in {FAILURES}); first ones:\n{shown}"
