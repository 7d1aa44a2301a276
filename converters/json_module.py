"""Run a module that speaks JSON in a fresh interpreter: ``python -m <module> '<json request>'``, whose answer
is the last JSON line it prints (everything else it prints is its log)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any


class JsonModuleError(RuntimeError):
    """No answer: the module timed out (``timed_out``), or failed or printed none (the message is the last 40
    lines of its output)."""

    def __init__(self, message: str, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


def each_answer(
    requests: Iterable[dict], answer: Callable[[dict], Any], failed: Callable[[dict, str], Any]
) -> list[Any]:
    """In the module's process: ``answer(request)`` for each request, in order; a request whose answer raises gets
    ``failed(request, the traceback's last 40 lines)`` and the next one runs (one failure is its own outcome)."""
    outcomes = []
    for request in requests:
        try:
            outcomes.append(answer(request))
        except Exception:  # noqa: BLE001 - one request's failure is its outcome; the next one runs
            outcomes.append(failed(request, "\n".join(traceback.format_exc().splitlines()[-40:])))
    return outcomes


def run_json_module(
    module: str,
    request: dict,
    *,
    cwd: Path,
    env: dict[str, str],
    timeout: float,
    answer_prefix: str = "{",
    on_line: Callable[[str], None] | None = None,
) -> dict:
    """The module's answer: its last stdout line starting with ``answer_prefix``, parsed. ``on_line`` is given
    each stdout line as the module prints it (its progress), answer included."""
    return run_json_command(
        [sys.executable, "-m", module, json.dumps(request)],
        cwd=cwd,
        env=env,
        timeout=timeout,
        answer_prefix=answer_prefix,
        what=module,
        on_line=on_line,
    )


def run_json_command(
    command: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    timeout: float,
    answer_prefix: str,
    what: str,
    on_line: Callable[[str], None] | None = None,
) -> Any:
    """Run ``command``; its answer is its last stdout line starting with ``answer_prefix``, parsed as JSON: the
    whole line when the prefix opens JSON (``{``, ``{"assets"``), the rest of the line when it is a marker."""
    if on_line is None:
        try:
            done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise JsonModuleError(f"{what} timed out after {timeout:.0f}s", timed_out=True) from exc
        returncode, stdout, stderr = done.returncode, done.stdout, done.stderr
    else:
        returncode, stdout, stderr = _streamed(command, cwd, env, timeout, what, on_line)
    lines = [line for line in stdout.splitlines() if line.startswith(answer_prefix)]
    if returncode != 0 or not lines:
        raise JsonModuleError("\n".join((stderr + stdout).splitlines()[-40:]))
    answer = lines[-1]
    # A prefix that opens JSON ('{', '{"assets"') is the answer's own beginning; only a marker is cut off.
    return json.loads(answer if answer_prefix[:1] in ("{", "[") else answer[len(answer_prefix) :])


def _streamed(
    command: list[str], cwd: Path, env: dict[str, str], timeout: float, what: str, on_line: Callable[[str], None]
) -> tuple[int, str, str]:
    """``subprocess.run`` with each stdout line handed to ``on_line`` as it comes (stderr drained beside it, so a
    chatty log never blocks the pipe); killed after ``timeout`` seconds."""
    killed = threading.Event()
    err: list[str] = []
    out: list[str] = []
    with subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:

        def kill() -> None:
            killed.set()
            process.kill()

        timer = threading.Timer(timeout, kill)
        drain = threading.Thread(target=lambda: err.extend(process.stderr), daemon=True)  # type: ignore[arg-type]
        timer.start()
        drain.start()
        try:
            for line in process.stdout:  # type: ignore[union-attr]
                out.append(line)
                on_line(line.rstrip("\n"))
            process.wait()
        finally:
            timer.cancel()
            drain.join()
    if killed.is_set():
        raise JsonModuleError(f"{what} timed out after {timeout:.0f}s", timed_out=True)
    return process.returncode, "".join(out), "".join(err)
