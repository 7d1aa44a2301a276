"""Run a module that speaks JSON in a fresh interpreter: ``python -m <module> '<json request>'``, whose answer
is the last JSON line it prints (everything else it prints is its log)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


class JsonModuleError(RuntimeError):
    """No answer: the module timed out (``timed_out``), or failed or printed none (the message is the last 40
    lines of its output)."""

    def __init__(self, message: str, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


def run_json_module(
    module: str, request: dict, *, cwd: Path, env: dict[str, str], timeout: float, answer_prefix: str = "{"
) -> dict:
    """The module's answer: its last stdout line starting with ``answer_prefix``, parsed."""
    return run_json_command(
        [sys.executable, "-m", module, json.dumps(request)],
        cwd=cwd,
        env=env,
        timeout=timeout,
        answer_prefix=answer_prefix,
        what=module,
    )


def run_json_command(
    command: list[str], *, cwd: Path, env: dict[str, str], timeout: float, answer_prefix: str, what: str
) -> Any:
    """Run ``command``; its answer is its last stdout line starting with ``answer_prefix``, parsed as JSON: the
    whole line when the prefix opens JSON (``{``, ``{"assets"``), the rest of the line when it is a marker."""
    try:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise JsonModuleError(f"{what} timed out after {timeout:.0f}s", timed_out=True) from exc
    lines = [line for line in done.stdout.splitlines() if line.startswith(answer_prefix)]
    if done.returncode != 0 or not lines:
        raise JsonModuleError("\n".join((done.stderr + done.stdout).splitlines()[-40:]))
    answer = lines[-1]
    # A prefix that opens JSON ('{', '{"assets"') is the answer's own beginning; only a marker is cut off.
    return json.loads(answer if answer_prefix[:1] in ("{", "[") else answer[len(answer_prefix) :])
