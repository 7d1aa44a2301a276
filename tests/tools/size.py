"""Measure generated lines per Airflow line (docs/convert.md, "Size"): the faithful and the modern form of an estate.

    .venv-dagster/bin/python tests/tools/size.py [FOLDER] [--json FILE]   (default: the example estate)

The folder is copied to a temporary one. It is converted as it is (the faithful form), then every DAG is recorded
decommissioned and modernized in the copy's ``migration/state.json`` and it is converted again (the modern form; for
the example estate with the gate evidence `make demo` records for ``fx_rates``: its quality task an asset check,
what it writes, its DuckDB connection). Counted: every line of ``dags/<module>.py`` plus its copied
``logic/<module>.py``, against the DAG file's lines (a file with several DAGs counts once). Prints one table row per
DAG and the totals.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from converters.convert import convert_project  # noqa: E402
from converters.ledger import state as migration_state  # noqa: E402

# What `make demo`'s gates record when it modernizes fx_rates (converters/demo.py): the example estate only.
EXAMPLE_DETAILS = {
    "fx_rates": {
        "checks": ["check_rates"],
        "tables": {"fetch_ecb_rates": ["ref.ecb_rates"]},
        "connections": {"warehouse_duckdb": "duckdb"},
    }
}


def lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.is_file() else 0


def generated_lines(out: Path, plan) -> dict[str, tuple[int, int]]:
    """Per DAG id: (module lines, logic lines); a logic module shared by several DAGs counts once."""
    seen: set[str] = set()
    found = {}
    for planned in plan.dags:
        logic = 0
        if planned.logic_module and planned.logic_module not in seen:
            seen.add(planned.logic_module)
            logic = lines(out / "logic" / f"{planned.logic_module}.py")
        found[planned.dag.dag_id] = (lines(out / "dags" / f"{planned.module}.py"), logic)
    return found


def measure(folder: Path, keep: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        dags = Path(tmp) / "airflow_dags"
        shutil.copytree(folder, dags, ignore=shutil.ignore_patterns("migration", "__pycache__"))
        faithful = convert_project(dags, Path(tmp) / "faithful", use_cache=False)
        before = generated_lines(Path(tmp) / "faithful", faithful.plan)
        details = EXAMPLE_DETAILS if folder.resolve() == (ROOT / "airflow_dags").resolve() else {}
        for planned in faithful.plan.dags:
            dag_id = planned.dag.dag_id
            migration_state.record_decommissioned(dags, dag_id, {"file": planned.file.path})
            migration_state.record_modernized(dags, dag_id, details.get(dag_id, {"checks": []}))
        modern = convert_project(dags, Path(tmp) / "modern", use_cache=False)
        after = generated_lines(Path(tmp) / "modern", modern.plan)
        files: dict[str, int] = {}
        rows = []
        for planned in modern.plan.dags:
            dag_id, path = planned.dag.dag_id, planned.file.path
            source = 0 if path in files else lines(dags / path)
            files[path] = source
            rows.append(
                {
                    "dag": dag_id,
                    "airflow": source,
                    "faithful": list(before.get(dag_id, (0, 0))),
                    "modern": list(after[dag_id]),
                }
            )
        if keep:
            shutil.copytree(Path(tmp), keep, dirs_exist_ok=True)
        return {"dags": rows, "problems": modern.generated.problems}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "airflow_dags")
    parser.add_argument("--json", type=Path, help="write the measures here")
    parser.add_argument("--keep", type=Path, help="copy the estate and both conversions here (to read them)")
    args = parser.parse_args()
    result = measure(args.folder, args.keep)
    total = {"airflow": 0, "faithful": [0, 0], "modern": [0, 0]}
    print(f"{'dag':40} {'airflow':>8} {'faithful':>14} {'modern':>14} {'ratio':>6}")
    for row in result["dags"]:
        total["airflow"] += row["airflow"]
        for form in ("faithful", "modern"):
            total[form] = [a + b for a, b in zip(total[form], row[form], strict=True)]
        modern = sum(row["modern"])
        ratio = f"{modern / row['airflow']:.2f}" if row["airflow"] else "-"
        print(
            f"{row['dag']:40} {row['airflow']:>8} {'{} + {}'.format(*row['faithful']):>14}"
            f" {'{} + {}'.format(*row['modern']):>14} {ratio:>6}"
        )
    for form in ("faithful", "modern"):
        module, logic = total[form]
        ratio = (module + logic) / total["airflow"]
        print(f"{form}: {module} + {logic} = {module + logic} ({ratio:.2f}x of {total['airflow']})")
    for problem in result["problems"]:
        print(f"problem: {problem}")
    if args.json:
        args.json.write_text(json.dumps(result | {"total": total}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
