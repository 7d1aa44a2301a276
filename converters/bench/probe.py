"""One measured operation in a process of its own: ``python -m converters.bench.probe KIND ARGS…``.

A fresh process per measure keeps the figures honest: no warm import or file cache of an earlier measure inside
the process, and the peak RSS is this operation's own. It prints one JSON object on stdout:
``{"seconds": wall time of the operation (imports excluded), "rss_mib": peak RSS of the largest process
(this one or a worker it waited for), …}``.
"""

from __future__ import annotations

import ast
import json
import resource
import sys
import time
from pathlib import Path


def peak_rss_mib() -> float:
    """Largest resident set of this process and of any child it has waited for (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def parse_only(root: Path) -> dict:
    """The baseline of a scan: read every file and build its syntax tree, nothing else, one process."""
    from converters.inventory.project import list_dag_files

    paths, _ = list_dag_files(root)
    started = time.perf_counter()
    for path in paths:
        ast.parse(path.read_bytes(), filename=str(path))
    return {"seconds": time.perf_counter() - started, "files": len(paths)}


def scan(root: Path, cache: Path, jobs: int | None) -> dict:
    from converters.inventory.project import scan_project

    started = time.perf_counter()
    project = scan_project(root, jobs=jobs, cache_dir=cache)
    seconds = time.perf_counter() - started
    dags = [dag for file in project.files for dag in file.dags]
    return {
        "seconds": seconds,
        "files": len(project.files),
        "dags": len(dags),
        "tasks": sum(len(dag.tasks) for dag in dags),
    }


def convert(root: Path, out: Path, jobs: int | None) -> dict:
    """scan (cold: the caller gives this process an empty cache) + plan + generate + format."""
    from converters.convert import convert_project

    started = time.perf_counter()
    result = convert_project(root, out, force=True, jobs=jobs)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "written": len(result.generated.written),
        "problems": len(result.generated.problems),
        "assets": sum(1 for dag in result.plan.dags for task in dag.tasks if not task.passthrough),
    }


def main(argv: list[str]) -> int:
    kind, *args = argv
    if kind == "parse":
        result = parse_only(Path(args[0]))
    elif kind == "scan":
        result = scan(Path(args[0]), Path(args[1]), int(args[2]) if len(args) > 2 else None)
    elif kind == "lift":
        from converters.bench.lift_measure import measure

        result = measure(Path(args[0]), int(args[1]), int(args[2]))
    elif kind == "convert":
        result = convert(Path(args[0]), Path(args[1]), int(args[2]) if len(args) > 2 else None)
    else:
        print(f"unknown probe {kind!r}", file=sys.stderr)
        return 2
    result["rss_mib"] = peak_rss_mib()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
