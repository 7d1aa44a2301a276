"""Static scan of one DAG file: an interpreter over its AST that never imports or executes it.

It follows what Airflow would build — DAG contexts, operators, TaskFlow calls, TaskGroups, mapping,
``>>``/``<<``/``chain``/``set_*stream`` — through imports, literal loops and same-file helper functions.
Whatever depends on runtime data becomes a diagnostic and marks the DAG incomplete; nothing is guessed.

This module is the entry point (``scan_source``) and ``FileScanner``, which mixes the parts together:

- values.py — the symbolic values the interpreter computes with (``Unknown``, ``Qual``, ``TaskRef``...);
- literals.py — pure evaluation of builtins, literal methods and ``__file__`` paths, and the input limits;
- interpreter.py — ``Interpreter``: statements, expressions, calls, comprehensions, helper functions;
- semantics.py — ``AirflowSemantics``: DAGs, TaskGroups, operators, TaskFlow, mapping, dependencies, dbt;
- to_ir.py — from the interpreter's state to ``ir.Task`` / ``ir.Dag`` and their typed argument values.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import warnings
from pathlib import Path

from converters.inventory import ir, secrets
from converters.inventory.callables import CodeSources
from converters.inventory.estate import EstateModules, EstateSemantics
from converters.inventory.interpreter import Interpreter
from converters.inventory.semantics import AirflowSemantics
from converters.inventory.to_ir import to_dag_ir
from converters.inventory.values import DagFactory, GroupFactory, TaskFlow, _LimitReached

__all__ = ["FileScanner", "module_name", "scan_source"]


class FileScanner(AirflowSemantics, EstateSemantics, Interpreter):
    """The scan of one file: the interpreter (interpreter.py) with Airflow's meaning of calls (semantics.py) and
    the estate's own modules and operator classes (estate.py)."""

    def __init__(self, path: str, text: str, module: str) -> None:
        super().__init__(path, text, module)
        self.estate_init()


def module_name(relative_path: str) -> str:
    return relative_path.removesuffix(".py").replace("/", ".")


def scan_source(
    text: str, relative_path: str, estate: EstateModules | None = None, root: Path | None = None
) -> ir.DagFile:
    """Scan one file's text. Never raises: every problem becomes a diagnostic on the returned DagFile.

    With ``estate`` (the scanned root's modules), imports of the estate's own modules are followed (estate.py).
    ``root``: the scanned folder, when the scan may read the data files (YAML, JSON) the file reads at parse time.
    Secrets in the source are reported (A2D300, redacted) and scrubbed from everything the result carries.
    With ``root`` (the scanned folder holding the file), a callable's code imported from an estate module that
    imports Airflow is copied from that module (read, never imported); the modules read are listed on the result.
    """
    file, tree = _scan_structure(text, relative_path, estate, root)
    try:
        found = secrets.find_secrets(text, tree, relative_path)
        file = dataclasses.replace(
            file, diagnostics=file.diagnostics + tuple(secrets.diagnostics_for(found, relative_path))
        )
        return secrets.scrub_file(file, found)
    except (RecursionError, MemoryError) as exc:
        # Nothing of the file may leave the scan unchecked: keep only the diagnostics, which hold no source text.
        message = f"secrets could not be checked ({type(exc).__name__}); the file's content is left out"
        keep = (*(d for d in file.diagnostics if d.code in {"A2D001", "A2D002"}),)
        return ir.DagFile(
            relative_path, file.sha256, (), (), (*keep, ir.Diagnostic(relative_path, 0, "A2D003", "error", message))
        )


def _scan_structure(
    text: str, relative_path: str, estate: EstateModules | None, root: Path | None
) -> tuple[ir.DagFile, ast.Module | None]:
    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
    try:
        with warnings.catch_warnings():  # Python's warnings about the user's code ("invalid escape") are not ours
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=relative_path)
            # What the parser accepts but Python refuses to run ('return' outside a function...), Airflow refuses.
            compile(tree, relative_path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        message = f"does not parse on Python 3.11: {exc.msg}"
        diagnostic = ir.Diagnostic(relative_path, exc.lineno or 0, "A2D001", "error", message)
        return ir.DagFile(relative_path, digest, (), (), (diagnostic,)), None
    except (ValueError, RecursionError, MemoryError) as exc:
        message = f"cannot be parsed: {type(exc).__name__}: {str(exc)[:200]}"
        return ir.DagFile(
            relative_path, digest, (), (), (ir.Diagnostic(relative_path, 0, "A2D002", "error", message),)
        ), None
    scanner = FileScanner(relative_path, text, module_name(relative_path))
    scanner.root = root
    scanner.estate = estate
    # Callables' code is copied from the estate modules found where the scan finds them (plugins/ included): an
    # import of one left in the logic would not resolve on the Dagster side, whose sys.path has the DAGs folder only.
    sources = None
    if estate is not None:
        sources = CodeSources(estate.root, relative_path, estate.search_folders(relative_path))
    elif root is not None and root.is_dir():
        sources = CodeSources(root, relative_path)
    scanner.code_sources = sources
    try:
        scanner.run(tree)
    except RecursionError:
        scanner.diag(None, "A2D003", "nesting too deep to analyse", "error")
        for dag in scanner.dags:
            dag.incomplete.append("A2D003")
    except _LimitReached as limit:
        scanner.diag(None, limit.code, limit.message + "; the DAGs of this file are incomplete", "error")
        for dag in scanner.dags:
            dag.incomplete.append(limit.code)
    except Exception as exc:  # noqa: BLE001 - an analyser bug must not stop the scan of the estate
        scanner.diag(None, "A2D999", f"internal analyser error ({type(exc).__name__}: {exc}); please report", "error")
        for dag in scanner.dags:
            dag.incomplete.append("A2D999")
    dags = tuple(to_dag_ir(state) for state in scanner.dags)
    if not dags and not any(d.severity == "error" for d in scanner.diagnostics):
        scanner.diag(None, "A2D030", "no DAG found in this file (a helper module, or DAGs built elsewhere)", "info")
    callables, (logic_imports, logic), airflow_imports = _logic_of(scanner, relative_path)
    file = ir.DagFile(
        relative_path,
        digest,
        tuple(sorted(scanner.styles)),
        dags,
        tuple(scanner.diagnostics),
        callables,
        logic_imports,
        logic,
        airflow_imports,
        _task_functions(scanner),
        tuple(sorted(scanner.data_files.items())),
        tuple(sorted(scanner.estate_classes.values(), key=lambda c: c.qualified)),
        tuple(sorted(scanner.homes_used.items())),
        dict(sorted(sources.read.items())) if sources is not None else {},
        tuple(scanner.estate_logic[q] for q in sorted(scanner.estate_logic)),
    )
    return file, tree


def _task_functions(scanner: FileScanner) -> tuple[str, ...]:
    """The file's module-level functions that Airflow turns into tasks, groups or DAGs when they are called."""
    env = getattr(scanner, "module_env", {})
    return tuple(sorted(k for k, v in env.items() if isinstance(v, (TaskFlow, GroupFactory, DagFactory))))


def _logic_of(scanner: FileScanner, relative_path: str) -> tuple[tuple[ir.Callable, ...], tuple[str, str], dict]:
    """The file's callables and the code they need; code that does not compile again is not offered."""
    extractor = scanner.logic
    if extractor is None or not extractor.callables:
        return (), ("", ""), {}
    callables = tuple(
        dataclasses.replace(c, source=ir.SourceRef(relative_path, c.source.line, c.source.col))
        for c in extractor.callables
    )
    try:
        logic = extractor.logic()
        compile(logic[0] + logic[1], relative_path, "exec", dont_inherit=True)
    except Exception as exc:  # noqa: BLE001 - odd layouts (dedent across multi-line strings...) must not stop a scan
        scanner.diag(None, "A2D290", f"the code of this file's callables could not be copied out: {exc}", "warning")
        reason = "its code could not be copied out of the file"
        return tuple(dataclasses.replace(c, unresolved=(*c.unresolved, reason)) for c in callables), ("", ""), {}
    return callables, logic, dict(sorted(extractor.airflow_imports.items()))
