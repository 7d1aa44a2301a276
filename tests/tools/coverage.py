"""Coverage of real estates: per estate, how many tasks come out MECH / JUDG / REDESIGN / NONE, and why NONE.

    .venv-dagster/bin/python tests/tools/coverage.py ESTATES_DIR [--markdown F] [--json F] [--jobs N]

ESTATES_DIR holds one folder per estate (e.g. the dev corpus laid out by ``../shared/dev-corpus/extract.py``).
Each estate is converted by the CLI exactly as a user would run it (``convert <estate> --out <tmp> --json``), in
a subprocess with a timeout, so a crash is counted (and shown) instead of stopping the survey. NONE reasons are
grouped by their wording with names and literals blanked, so "no rule for a.B" and "no rule for c.D" are one cause.
Nothing here decides a disposition: it only reads what ``convert --json`` says.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DISPOSITIONS = ("MECH", "JUDG", "REDESIGN", "LIFT", "NONE")
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
DOTTED = re.compile(r"\b[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+\b")
NUMBER = re.compile(r"\b\d+\b")

# The families of NONE the migration issues set targets for, told apart by the cause's wording (first match wins).
# "estate class" is anything about the estate's own operator classes; "argument is code" a value the scan could not
# carry as code; "Airflow API in a callable" copied code (callables, not classes) calling Airflow with no equivalent.
FAMILIES = (
    (
        "estate operator class",
        re.compile(
            r"^(an estate (operator|subclass|class|sensor)|the operator class is chosen|no rule for an estate"
            r"|the poke\(\) of an estate|a mapped task of an estate)"
        ),
    ),
    (
        "argument is code",
        re.compile(
            r"holds code the scan could not evaluate|is not a literal|^an argument's code (calls|uses)"
            r"|^python_callable is not a function"
        ),
    ),
    ("Airflow API in a callable", re.compile(r"calls Airflow (APIs|methods)")),
)


def cause_of(task: dict) -> str:
    """A NONE reason with its names and literals blanked: the construct, not the instance.

    The text after the first colon names the instance (the expression, the class) and is dropped; a missing
    rule is split by whose class it is: Airflow's or a provider's (``airflow.…``) or the estate's own.
    """
    reason = (task.get("reason") or "(no reason given)").split(":", 1)[0]
    if reason.startswith("no rule for "):
        whose = "an Airflow/provider operator" if task.get("operator", "").startswith("airflow.") else "an estate class"
        return f"no rule for {whose}"
    text = QUOTED.sub("…", reason)
    text = DOTTED.sub("X", text)
    return " ".join(NUMBER.sub("N", text).split())


def family_of(cause: str) -> str | None:
    return next((name for name, pattern in FAMILIES if pattern.search(cause)), None)


def convert_estate(estate: Path, jobs: int, timeout: int, lift: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="a2d-coverage-") as tmp:
        out_json = Path(tmp) / "plan.json"
        folder = estate
        if lift:  # `convert --lift` records the choice beside the folder (migration/state.json): convert a copy
            folder = Path(tmp) / "estate" / estate.name
            shutil.copytree(estate, folder, symlinks=True)
        command = [
            str(ROOT / ".venv-dagster/bin/airflow-to-dagster"),
            "convert",
            str(folder),
            *(["--lift"] if lift else []),
            "--out",
            str(Path(tmp) / "defs"),
            "--json",
            str(out_json),
            "--jobs",
            str(jobs),
        ]
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
        except subprocess.TimeoutExpired:
            return {"estate": estate.name, "error": f"timed out after {timeout} s"}
        traceback = "Traceback (most recent call last)" in done.stderr + done.stdout
        if not out_json.exists():
            last = (done.stderr or done.stdout).strip().splitlines()[-1:] or [f"exit {done.returncode}"]
            return {"estate": estate.name, "error": last[0], "traceback": traceback}
        plan = json.loads(out_json.read_text())
    tasks = [task for dag in plan.get("dags", []) for task in dag.get("tasks", [])]
    counts = Counter(task.get("disposition") for task in tasks)
    none_causes = Counter(cause_of(task) for task in tasks if task.get("disposition") == "NONE")
    examples: dict[str, list[str]] = {}  # a cause -> a few of its reasons in full, to read what is behind it
    for task in tasks:
        if task.get("disposition") == "NONE":
            shown = examples.setdefault(cause_of(task), [])
            if len(shown) < 3 and task.get("reason") not in shown:
                shown.append(task.get("reason"))
    no_rule = Counter(
        task.get("operator", "?") for task in tasks if (task.get("reason") or "").startswith("no rule for ")
    )
    return {
        "no_rule_operators": dict(no_rule.most_common()),
        "estate": estate.name,
        "exit": done.returncode,
        "traceback": traceback,
        "dags": len(plan.get("dags", [])),
        "tasks": len(tasks),
        "counts": {d: counts.get(d, 0) for d in DISPOSITIONS},
        "none_causes": dict(none_causes.most_common()),
        "none_examples": examples,
    }


def percent(part: int, whole: int, digits: int = 0) -> str:
    return f"{100 * part / whole:.{digits}f} %" if whole else "–"


def markdown(results: list[dict], command: str) -> str:
    lines = [
        "| estate | DAGs | tasks | MECH | JUDG | REDESIGN | LIFT | NONE | MECH+JUDG | traceback |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    total = Counter()
    causes = Counter()
    no_rule = Counter()
    for result in results:
        if "error" in result:
            lines.append(f"| {result['estate']} | – | – | – | – | – | – | – | – | error: {result['error']} |")
            continue
        counts, n = result["counts"], result["tasks"]
        total.update(counts)
        total["tasks"] += n
        total["dags"] += result["dags"]
        causes.update(result["none_causes"])
        no_rule.update(result["no_rule_operators"])
        cells = " | ".join(str(counts[d]) for d in DISPOSITIONS)
        moved = percent(counts["MECH"] + counts["JUDG"], n)
        lines.append(
            f"| {result['estate']} | {result['dags']} | {n} | {cells} | {moved} | "
            f"{'yes' if result['traceback'] else 'no'} |"
        )
    n = total["tasks"]
    cells = " | ".join(f"{total[d]} ({percent(total[d], n)})" for d in DISPOSITIONS)
    lines.append(f"| **all** | {total['dags']} | {n} | {cells} | {percent(total['MECH'] + total['JUDG'], n)} | |")
    families = Counter()
    for cause, count in causes.items():
        families[family_of(cause)] += count
    lines += ["", "NONE by family (the issues' targets), share of all tasks:", ""]
    lines += ["| tasks | share | family |", "|---:|---:|---|"]
    for name, _ in FAMILIES:
        lines.append(f"| {families[name]} | {percent(families[name], n, 1)} | {name} |")
    argument_or_api = families["argument is code"] + families["Airflow API in a callable"]
    lines.append(
        f"| {argument_or_api} | {percent(argument_or_api, n, 1)} | argument is code + Airflow API in a callable |"
    )
    lines += ["", "NONE causes (reason wording with names blanked), share of all tasks:", ""]
    lines += ["| tasks | share | cause |", "|---:|---:|---|"]
    for cause, count in causes.most_common(40):
        escaped = cause.replace("|", "\\|")
        lines.append(f"| {count} | {percent(count, n)} | {escaped} |")
    lines += ["", "Operators with no rule, by tasks:", "", "| tasks | operator |", "|---:|---|"]
    lines += [f"| {count} | `{operator}` |" for operator, count in no_rule.most_common(30)]
    lines += ["", f"Produced by: `{command}`"]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("estates", type=Path, help="folder holding one folder per estate")
    parser.add_argument("--markdown", type=Path, help="write the tables here (default: stdout)")
    parser.add_argument("--json", type=Path, help="write the per-estate figures here")
    parser.add_argument("--jobs", type=int, default=0, help="scan workers per estate (0: all cores)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per estate")
    parser.add_argument("--lift", action="store_true", help="convert with --lift (LIFT for the tasks that can be)")
    args = parser.parse_args(argv[1:])
    if not args.estates.is_dir():
        print(f"error: {args.estates} is not a folder", file=sys.stderr)
        return 2
    estates = sorted(p for p in args.estates.iterdir() if p.is_dir())
    results = []
    for number, estate in enumerate(estates, 1):
        print(f"[{number}/{len(estates)}] {estate.name}", file=sys.stderr, flush=True)
        results.append(convert_estate(estate, args.jobs, args.timeout, args.lift))
    shown = (a if not a.startswith("/") else Path(a).name for a in argv[1:])
    command = "python tests/tools/coverage.py " + " ".join(shown)
    text = markdown(results, command)
    if args.markdown:
        args.markdown.write_text(text)
    else:
        print(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 1 if any(r.get("traceback") or "error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
