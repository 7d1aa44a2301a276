"""Scan a whole DAG folder: per-file isolation, `.airflowignore`, parallel workers and a content-hash cache."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import stat
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from converters.inventory import ir
from converters.inventory.scan import scan_source

SCANNER_VERSION = "7"  # bump when scan output changes: old cache entries are then ignored
MAX_FILE_BYTES = 10 * 1024 * 1024


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "airflow-to-dagster" / "scan"


def list_dag_files(root: Path) -> tuple[list[Path], list[ir.Diagnostic]]:
    """Python files under ``root`` that Airflow would consider, honouring `.airflowignore` (glob syntax)."""
    files: list[Path] = []
    diagnostics: list[ir.Diagnostic] = []
    seen_dirs: set[tuple[int, int]] = set()

    def walk(folder: Path, patterns: list[tuple[Path, str]]) -> None:
        try:
            stat = folder.stat()
            if (stat.st_dev, stat.st_ino) in seen_dirs:  # symlink loop
                diagnostics.append(
                    ir.Diagnostic(_rel(folder, root), 0, "A2D010", "warning", "folder visited twice (symlink loop)")
                )
                return
            seen_dirs.add((stat.st_dev, stat.st_ino))
            entries = sorted(folder.iterdir(), key=lambda p: p.name)
        except OSError as exc:
            diagnostics.append(
                ir.Diagnostic(_rel(folder, root), 0, "A2D011", "error", f"cannot read folder: {exc.strerror}")
            )
            return
        ignore_file = folder / ".airflowignore"
        if ignore_file.is_file():
            try:
                lines = ignore_file.read_text(errors="replace").splitlines()
            except OSError:
                lines = []
            patterns = patterns + [
                (folder, line.strip()) for line in lines if line.strip() and not line.startswith("#")
            ]
        for entry in entries:
            if _ignored(entry, patterns):
                continue
            if entry.is_dir():
                if entry.name not in {"__pycache__", ".git"}:
                    walk(entry, patterns)
            elif entry.suffix == ".py":
                files.append(entry)

    if root.is_file():
        return [root], []
    walk(root, [])
    return files, diagnostics


def _ignored(path: Path, patterns: list[tuple[Path, str]]) -> bool:
    for base, pattern in patterns:
        try:
            relative = path.relative_to(base).as_posix()
        except ValueError:
            continue
        if pattern.endswith("/"):
            if path.is_dir() and (fnmatch.fnmatch(path.name, pattern[:-1]) or fnmatch.fnmatch(relative, pattern[:-1])):
                return True
            continue
        if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(path.name, pattern):
            return True
    return False


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return str(path)


def scan_file(path_and_root: tuple[str, str, str | None]) -> ir.DagFile:
    """Worker entry point (picklable): read, consult the cache, scan, store."""
    path, root, cache = path_and_root
    relative = _rel(Path(path), Path(root)) if Path(root).is_dir() else Path(path).name
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device named *.py would block or never end
            return _file_diag(relative, "A2D005", "cannot read file: not a regular file")
        size = info.st_size
        if size > MAX_FILE_BYTES:
            return _file_diag(
                relative, "A2D004", f"file is {size // 1024 // 1024} MB: too large to be a DAG file, skipped"
            )
        raw = Path(path).read_bytes()
    except OSError as exc:
        return _file_diag(relative, "A2D005", f"cannot read file: {exc.strerror}")
    try:
        text = raw.decode("utf-8-sig")  # a byte order mark is valid Python source: Airflow imports it
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return ir.DagFile(
            relative,
            hashlib.sha256(raw).hexdigest(),
            (),
            (),
            (ir.Diagnostic(relative, line, "A2D006", "error", "file is not valid UTF-8"),),
        )
    key = hashlib.sha256(f"{SCANNER_VERSION}\0{relative}\0".encode() + raw).hexdigest()
    cached = Path(cache) / key[:2] / f"{key}.json" if cache else None
    if cached is not None:
        try:
            return ir.from_json(ir.DagFile, json.loads(cached.read_text()))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    result = scan_source(text, relative)
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            temporary = cached.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(ir.to_json(result)))
            temporary.replace(cached)  # atomic: a concurrent reader sees the old entry or the new one
        except OSError:
            pass
    return result


def _file_diag(relative: str, code: str, message: str) -> ir.DagFile:
    return ir.DagFile(relative, "", (), (), (ir.Diagnostic(relative, 0, code, "error", message),))


def scan_project(
    root: Path,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    on_file: Callable[[int, int], None] = lambda done, total: None,
) -> ir.Project:
    root = root.resolve()
    paths, diagnostics = list_dag_files(root)
    cache = str(cache_dir or default_cache_dir()) if use_cache else None
    work = [(str(p), str(root), cache) for p in paths]
    jobs = jobs or os.cpu_count() or 1
    results: list[ir.DagFile] = []
    if jobs > 1 and len(work) > 8:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for result in pool.map(scan_file, work, chunksize=max(1, len(work) // (jobs * 8))):
                results.append(result)
                on_file(len(results), len(work))
    else:
        for item in work:
            results.append(scan_file(item))
            on_file(len(results), len(work))
    return ir.Project(str(root), tuple(results), tuple(diagnostics) + _duplicate_dag_ids(results))


def _duplicate_dag_ids(files: list[ir.DagFile]) -> tuple[ir.Diagnostic, ...]:
    where: dict[str, list[ir.Dag]] = defaultdict(list)
    for file in files:
        for dag in file.dags:
            where[dag.dag_id].append(dag)
    return tuple(
        ir.Diagnostic(
            dags[1].source.file,
            dags[1].source.line,
            "A2D020",
            "error",
            f"DAG id {dag_id!r} is also defined in {dags[0].source.file}:{dags[0].source.line}",
        )
        for dag_id, dags in sorted(where.items())
        if len(dags) > 1
    )


def inventory_json(project: ir.Project, dispositions: dict[tuple[str, str], str] | None = None) -> dict:
    """The documented ``scan --json`` shape (DESIGN.md), plus completeness and per-file styles.

    ``dispositions`` ((dag_id, task_id) -> MECH/JUDG/REDESIGN/NONE) come from the rules; without them the
    field is null.
    """
    dispositions = dispositions or {}
    dags = []
    for file in project.files:
        for dag in file.dags:
            upstream: dict[str, list[str]] = defaultdict(list)
            for edge in dag.edges:
                upstream[edge.downstream].append(edge.upstream)
            dags.append(
                {
                    "dag_id": dag.dag_id,
                    "file": dag.source.file,
                    "line": dag.source.line,
                    "schedule": dag.schedule.value
                    if dag.schedule.kind not in {"none", "default"}
                    else dag.schedule.kind,
                    "schedule_kind": dag.schedule.kind,
                    "complete": dag.complete,
                    "origin": dag.origin,
                    "constructs": list(dag.constructs),
                    "tasks": [
                        {
                            "task_id": task.task_id,
                            "operator": task.operator,
                            "family": task.family,
                            "disposition": dispositions.get((dag.dag_id, task.task_id)),
                            "upstream": sorted(upstream.get(task.task_id, [])),
                            "task_group": task.task_group,
                            "mapped": task.mapped,
                        }
                        for task in dag.tasks
                    ],
                }
            )
    diagnostics = [ir.to_json(d) for f in project.files for d in f.diagnostics] + [
        ir.to_json(d) for d in project.diagnostics
    ]
    return {"root": project.root, "dags": dags, "diagnostics": diagnostics, "files": len(project.files)}
