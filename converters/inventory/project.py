"""Scan a whole DAG folder: per-file isolation, `.airflowignore`, parallel workers and a content-hash cache.

The cache (``default_cache_dir()``; safe to delete) has two layers, both keyed by content, never by time:

- ``<key[:2]>/<key>.pickle``: one scanned file, ``key`` = sha256 of the scanner version, the file's path relative
  to the scanned folder, and its bytes. Shared by every folder and every run.
- ``projects/<sha of the folder>.pickle``: the last scan of one folder, every file's result under its key. A scan
  of a folder where nothing changed reads and hashes the files in one process and answers from this one file
  (no worker processes, no per-file entries); only changed files go to the workers.

Entries are pickles of the IR written by this user's own scans (the cache lives in the user's cache folder).
"""

from __future__ import annotations

import ast
import dataclasses
import fnmatch
import hashlib
import os
import pickle
import stat
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from converters import collector
from converters.inventory import ir
from converters.inventory.estate import EstateModules
from converters.inventory.scan import scan_source

SCANNER_VERSION = "49"
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
    key = _cache_key(relative, raw)
    cached = Path(cache) / key[:2] / f"{key}.pickle" if cache else None
    folder = Path(root) if Path(root).is_dir() else None
    estate = _estate(root)
    if cached is not None:
        found = _read_pickle(cached)
        if isinstance(found, ir.DagFile) and _inputs_unchanged(found, folder):
            return found
    result = scan_source(text, relative, estate, folder)
    if cached is not None:
        _write_pickle(cached, result)
    return result


_ESTATES: dict[str, EstateModules] = {}  # per process: each estate module is read once per scan


def _estate(root: str) -> EstateModules | None:
    """The estate's modules under ``root`` (None when a single file is scanned)."""
    if not Path(root).is_dir():
        return None
    if root not in _ESTATES:
        _ESTATES.clear()  # one scanned folder at a time: a long-lived process does not keep old ones
        _ESTATES[root] = EstateModules(Path(root))
    return _ESTATES[root]


def _inputs_unchanged(file: ir.DagFile, root: Path | None) -> bool:
    """A cached scan holds while every file its scan read besides the DAG file (not in its key) still has the content
    it read: the YAML/JSON data files, the estate modules it interpreted, the modules callables' code was copied from.
    An entry another scanner version wrote in another shape is a miss."""
    try:
        entries = [*file.data_files, *file.estate_modules, *file.code_modules.items()]
    except (AttributeError, TypeError):
        return False
    for entry in entries:
        try:
            relative, sha = entry
            if root is None or _digest(root / relative) != sha:
                return False
        except (OSError, TypeError, ValueError):
            return False
    return True


_HASHES: dict[tuple[str, int, int], str] = {}  # (path, mtime, size) -> sha256, within one process


def _digest(path: Path) -> str:
    """The file's sha256, read once per process while its mtime and size stay (estate modules are shared by many
    DAG files: each cache hit would otherwise read and hash them again)."""
    info = path.stat()
    stamp = (str(path), info.st_mtime_ns, info.st_size)
    if stamp not in _HASHES:
        _HASHES[stamp] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _HASHES[stamp]


def _cache_key(relative: str, raw: bytes) -> str:
    return hashlib.sha256(f"{SCANNER_VERSION}\0{relative}\0".encode() + raw).hexdigest()


def _read_pickle(path: Path) -> object:
    try:
        with collector.paused(freeze=True):
            return pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - a missing, truncated or outdated entry is a cache miss, nothing more
        return None


def _write_pickle(path: Path, value: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        temporary.replace(path)  # atomic: a concurrent reader sees the old entry or the new one
    except OSError:
        pass


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
    _ESTATES.clear()  # estate modules are looked up afresh by each scan (a module may have appeared since)
    paths, diagnostics = list_dag_files(root)
    cache = str(cache_dir or default_cache_dir()) if use_cache else None
    # Files the last scan of this folder already answered, by content key (read and hashed here, in one process).
    known = _known_results(Path(cache), root, paths) if cache else {}
    results: dict[int, ir.DagFile] = {index: file for index, (_, file) in known.items() if file is not None}
    for done in range(len(results)):
        on_file(done + 1, len(paths))
    work = [(str(p), str(root), cache) for index, p in enumerate(paths) if index not in results]
    todo = [index for index in range(len(paths)) if index not in results]
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(work) > 8:
        with ProcessPoolExecutor(max_workers=jobs) as pool, collector.paused(freeze=True):
            for index, result in zip(
                todo, pool.map(scan_file, work, chunksize=max(1, len(work) // (jobs * 8))), strict=True
            ):
                results[index] = result
                on_file(len(results), len(paths))
    else:
        for index, item in zip(todo, work, strict=True):
            results[index] = scan_file(item)
            on_file(len(results), len(paths))
    ordered = [results[index] for index in range(len(paths))]
    if cache and todo:
        keys = {known[index][0]: results[index] for index in known if index in results}
        _write_pickle(_project_index(Path(cache), root), keys)
    ordered = _with_template_folders(root, ordered)
    task_functions, airflow_modules = _helper_modules(root, ordered)
    problems = tuple(diagnostics) + _duplicate_dag_ids(ordered)
    return ir.Project(str(root), tuple(ordered), problems, task_functions, airflow_modules)


SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules"})
MAX_FOLDERS = 100_000  # folders looked at to place a template_searchpath in the tree


def _with_template_folders(root: Path, files: list[ir.DagFile]) -> list[ir.DagFile]:
    """Each DAG's ``template_searchpath`` placed in the scanned tree (``Dag.template_folders``).

    Airflow looks for a template file (``sql="report.sql"``) in the DAG's folder, then in each folder of
    ``template_searchpath``. Those are paths of the Airflow deployment (``/usr/local/airflow/include``,
    ``/opt/airflow/dags/repo/sql/``), rarely of the checkout being converted: each is placed at the folder of the
    tree whose path ends with the longest run of its last parts (``include``, ``repo/sql``); between equals, the
    one sharing most of the DAG file's path. A folder found nowhere, or found twice as well, is a warning
    (A2D237): its template files are found at run time only where that path exists. Runs on every scan (the
    per-file cache cannot know other folders).
    """
    if not any(dag.template_searchpath for file in files for dag in file.dags):
        return files
    folders = _tree_folders(root)
    places: dict[tuple[str, str], tuple[str | None, str]] = {}  # (entry, DAG file's folder) -> its place or why not
    placed: list[ir.DagFile] = []
    for file in files:
        if not any(dag.template_searchpath for dag in file.dags):
            placed.append(file)
            continue
        dags, diagnostics = [], list(file.diagnostics)
        for dag in file.dags:
            found: list[str] = []
            for entry in dag.template_searchpath:
                parts = tuple(part for part in entry.replace("\\", "/").split("/") if part not in ("", "."))
                if not parts:
                    continue  # "/": absolute template paths, found as written
                home = str(Path(file.path).parent)  # a factory's DAGs share their entries: placed once
                if (entry, home) not in places:
                    places[entry, home] = _place_folder(parts, folders, Path(home).parts)
                folder, why = places[entry, home]
                if folder is None:
                    message = (
                        f"template_searchpath {entry!r} {why}: "
                        "template files from it are found only where that path exists"
                    )
                    diagnostics.append(ir.Diagnostic(file.path, dag.source.line, "A2D237", "warning", message))
                elif folder not in found:
                    found.append(folder)
            dags.append(dataclasses.replace(dag, template_folders=tuple(found)) if found else dag)
        placed.append(dataclasses.replace(file, dags=tuple(dags), diagnostics=tuple(diagnostics)))
    return placed


def _place_folder(
    parts: tuple[str, ...], folders: list[tuple[str, ...]], home: tuple[str, ...]
) -> tuple[str | None, str]:
    """The folder of the tree standing for a template_searchpath entry (``parts``), or None and why not; ``home``
    is the DAG file's folder."""

    def shared(folder: tuple[str, ...]) -> int:  # leading parts in common with the DAG file's folder
        return next(
            (i for i, (a, b) in enumerate(zip(folder, home, strict=False)) if a != b), min(len(folder), len(home))
        )

    for size in range(len(parts), 0, -1):
        tail = parts[-size:]
        matches = [folder for folder in folders if folder[-size:] == tail]
        if not matches:
            continue
        best = max(shared(folder) for folder in matches)
        nearest = [folder for folder in matches if shared(folder) == best]
        if len(nearest) > 1:
            named = ", ".join("/".join(folder) for folder in nearest[:3])
            return None, f"matches {len(nearest)} folders of the scanned tree ({named})"
        return "/".join(nearest[0]), ""
    return None, "is no folder of the scanned tree"


def _tree_folders(root: Path) -> list[tuple[str, ...]]:
    """Every folder under ``root`` (relative parts; hidden folders, caches and symlinks not followed)."""
    folders: list[tuple[str, ...]] = []
    for current, names, _ in os.walk(root):
        names[:] = sorted(n for n in names if not n.startswith(".") and n not in SKIPPED_FOLDERS)
        relative = Path(current).relative_to(root).parts
        folders.extend((*relative, name) for name in names)
        if len(folders) > MAX_FOLDERS:
            break
    return folders


TASK_DECORATORS = frozenset({"task", "dag", "task_group"})


def _helper_modules(root: Path, files: list[ir.DagFile]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Of the estate modules that arguments carried as code call: their ``@task`` (``@dag``, ``@task_group``)
    functions, and those modules that import Airflow (the Dagster side cannot import them).

    Helper modules are often outside what Airflow parses (`.airflowignore`), so the scan did not read them; a
    call of one of their task functions builds a task whose value is an XCom, not a value the code can compute.
    Each module is looked up below the folders holding DAG files (one of them is the DAGs folder on
    ``sys.path``) and read with ``ast``, never run.
    """
    calls = {c for f in files for fn in f.callables for c in fn.calls}
    modules = calls | {c.rsplit(".", 1)[0] for c in calls if "." in c}  # `from pkg import mod` names a module too
    if not modules or not root.is_dir():
        return (), ()
    folders = sorted({root, *(root / Path(f.path).parent for f in files)}, key=str)
    found: set[str] = set()
    airflow: set[str] = set()
    for module in sorted(modules):
        relative = Path(*module.split("."))
        for folder in folders:
            for candidate in (folder / relative.with_suffix(".py"), folder / relative / "__init__.py"):
                if candidate.is_file():
                    names, imports_airflow = _read_helper(candidate)
                    found.update(f"{module}.{name}" for name in names)
                    if imports_airflow:
                        airflow.add(module)
    return tuple(sorted(found)), tuple(sorted(airflow))


def _read_helper(path: Path) -> tuple[list[str], bool]:
    """A helper module's decorated task functions, and whether it imports Airflow when it is imported."""
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError, RecursionError):
        return [], False
    imports_airflow = any(
        (isinstance(s, ast.Import) and any(a.name.split(".")[0] == "airflow" for a in s.names))
        or (isinstance(s, ast.ImportFrom) and not s.level and (s.module or "").split(".")[0] == "airflow")
        for s in tree.body
    )
    names = []
    for stmt in tree.body:
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in stmt.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            while isinstance(target, ast.Attribute):
                target = target.value
            if isinstance(target, ast.Name) and target.id in TASK_DECORATORS:
                names.append(stmt.name)
                break
    return names, imports_airflow


def _project_index(cache: Path, root: Path) -> Path:
    return cache / "projects" / f"{hashlib.sha256(str(root).encode()).hexdigest()[:32]}.pickle"


def _known_results(cache: Path, root: Path, paths: list[Path]) -> dict[int, tuple[str, ir.DagFile | None]]:
    """Per file index: its content key and, when the folder's last scan holds that key, the result.

    Files that cannot be read or are too large get no key: the worker path reports them."""
    index = _read_pickle(_project_index(cache, root))
    previous: dict = index if isinstance(index, dict) else {}
    known: dict[int, tuple[str, ir.DagFile | None]] = {}
    for number, path in enumerate(paths):
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            raw = path.read_bytes()
        except OSError:
            continue
        key = _cache_key(_rel(path, root) if root.is_dir() else path.name, raw)
        found = previous.get(key)
        fresh = isinstance(found, ir.DagFile) and _inputs_unchanged(found, root if root.is_dir() else None)
        known[number] = (key, found if fresh else None)
    return known


def _duplicate_dag_ids(files: list[ir.DagFile]) -> tuple[ir.Diagnostic, ...]:
    where: dict[str, list[ir.Dag]] = defaultdict(list)
    for file in files:
        for dag in file.dags:
            if isinstance(dag.dag_id, str):  # the scan names DAGs by literals only; anything else is no id to clash
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
