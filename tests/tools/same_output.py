"""Show that a refactoring changed no output: `scan --json`, `convert --json` and the generated files, before and after.

    .venv-dagster/bin/python tests/tools/same_output.py [BASE_REV]   (default: HEAD, i.e. compare uncommitted changes)

The toolkit of BASE_REV (checked out into a temporary worktree) and the toolkit of this working tree each run the
CLI over the same inputs — the example estate and the example DAGs shipped in the Airflow 2.11 / 3.3 wheels — with
the cache off, into separate folders. Every JSON document and every generated file must be equal byte for byte.
Exit 0 when all are equal, 1 with a unified diff of the first differences otherwise.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = "lib/python3.11/site-packages"
INPUTS = {
    "example-estate": ROOT / "airflow_dags",
    "airflow2-examples": ROOT / f".venv-airflow-2/{SITE}/airflow/example_dags",
    "airflow3-examples": ROOT / f".venv-airflow-3/{SITE}/airflow/example_dags",
    "standard-examples": ROOT / f".venv-airflow-3/{SITE}/airflow/providers/standard/example_dags",
}


def run_toolkit(code_root: Path, out: Path) -> None:
    """Run scan and convert of the toolkit at ``code_root`` over every input into ``out``."""
    env = {**os.environ, "PYTHONPATH": str(code_root), "XDG_CACHE_HOME": str(out / "cache")}
    python = str(ROOT / ".venv-dagster/bin/python")
    for name, folder in INPUTS.items():
        if not folder.is_dir():
            print(f"skipped {name}: {folder} is missing (run make setup)")
            continue
        target = out / name
        target.mkdir(parents=True)
        for verb, extra in (("scan", []), ("convert", ["--out", str(target / "defs"), "--force"])):
            command = [python, "-m", "converters", verb, str(folder), "--json", str(target / f"{verb}.json"), *extra]
            if verb == "scan":
                command.append("--no-cache")
            subprocess.run(command, cwd=code_root, env=env, capture_output=True, text=True, check=False, timeout=900)


def files_under(folder: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(folder)): p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "cache" not in p.relative_to(folder).parts and "__pycache__" not in p.parts
    }


def compare(before: Path, after: Path) -> list[str]:
    old, new = files_under(before), files_under(after)
    problems = [f"only before: {name}" for name in sorted(old.keys() - new.keys())]
    problems += [f"only after: {name}" for name in sorted(new.keys() - old.keys())]
    for name in sorted(old.keys() & new.keys()):
        a, b = old[name].read_bytes(), new[name].read_bytes()
        if a != b:
            diff = difflib.unified_diff(
                a.decode(errors="replace").splitlines(), b.decode(errors="replace").splitlines(), "before", "after", n=2
            )
            problems.append(f"differs: {name}\n" + "\n".join(list(diff)[:40]))
    return problems


def main(argv: list[str]) -> int:
    base = argv[1] if len(argv) > 1 else "HEAD"
    with tempfile.TemporaryDirectory(prefix="a2d-same-output-") as tmp:
        tmp_path = Path(tmp)
        worktree = tmp_path / "base"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(worktree), base], cwd=ROOT, check=True, capture_output=True
        )
        try:
            # Both run into the same folder (paths appear in the JSON), moved aside after each run.
            run_toolkit(worktree, tmp_path / "out")
            (tmp_path / "out").rename(tmp_path / "before")
            run_toolkit(ROOT, tmp_path / "out")
            (tmp_path / "out").rename(tmp_path / "after")
            problems = compare(tmp_path / "before", tmp_path / "after")
            compared = len(files_under(tmp_path / "after"))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=False)
    if problems:
        print(f"{len(problems)} difference(s) against {base}:")
        for problem in problems[:20]:
            print(problem)
        return 1
    if not compared:
        print("nothing was produced: is the toolkit runnable (make setup)?")
        return 1
    print(
        f"same output as {base}: {compared} files (scan --json, convert --json, generated code) for {', '.join(INPUTS)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
