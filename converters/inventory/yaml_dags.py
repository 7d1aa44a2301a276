"""DAGs that dag-factory builds from YAML: the configuration read as data, the DAGs built as dag-factory builds them.

Called from the scan where a DAG file calls the loader (semantics.py): ``load_yaml_dags(globals_dict=globals(),
dags_folder=..., config_filepath=..., suffix=[...])`` and the older ``DagFactory(config_file).generate_dags(globals())``
(gusty's folders: gusty_dags.py, with the helpers here). Files are read through data_files.py (safe YAML, size
limits, never above the scanned folder). Each DAG gets a source reference into its YAML (the line of its key; a
task, the line of its mapping), operators their canonical path (``operators.resolve_operator``), arguments as
literals; the DAGs are ``DagState``s like any other, so the rest of the scan, the plan and the generator treat them
alike.

What dag-factory does (read against its source, 0.x to 1.1): top-level keys are DAG ids except ``default`` (merged
under each DAG, dicts deeply) and ``task_groups``; ``defaults.yml`` files from the YAML's folder up to the DAGs folder
supply default_args and DAG arguments; ``tasks`` and ``task_groups`` are mappings (name -> config) or, from 1.0,
lists (``task_id`` / ``group_name`` keys); a task names its ``operator`` (or ``decorator``), its ``dependencies``
(tasks or groups), its ``task_group_name``; groups nest with ``parent_group_name`` and are prefixed as Airflow
prefixes them. A path the scan cannot locate, a dependency on nothing, a DAG id from an environment variable: a
diagnostic with the file and line, and the DAG (if any) incomplete.
"""

from __future__ import annotations

import copy
import datetime
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from converters.inventory import ir
from converters.inventory.data_files import YAML_SUFFIXES, DataFile, DataFileError, read_data_file, resolve_under
from converters.inventory.literals import MAX_TASKS_PER_FILE
from converters.inventory.operators import resolve_operator
from converters.inventory.to_ir import _make_task
from converters.inventory.values import DagState, GroupRef, PathValue, Qual, TaskRef, Unknown, _LimitReached

DAG_FACTORY_SYSTEM_KEYS = ("default", "task_groups")
TASK_SYSTEM_KEYS = ("operator", "decorator", "dependencies", "task_group_name", "parent_group_name", "task_id")
DEFAULTS_FILE_NAMES = ("defaults.yml", "defaults.yaml")
MAX_DATA_FILES_PER_CALL = 2_000


@dataclass(frozen=True)
class YamlFactory:
    """``DagFactory(config_file)`` before its ``generate_dags(globals())``."""

    config: Any  # PathValue / str / Unknown of the config file
    config_dict: Any = None
    default_config: Any = None


@dataclass
class _Where:
    """A source position in a YAML file, for ``to_ir._make_task`` (it reads ``lineno``/``col_offset``)."""

    lineno: int
    col_offset: int = 0


# -- entry points (semantics.py) ----------------------------------------------------------------------------


def dag_factory_call(scanner, node, name: str, args: list, kwargs: dict) -> Any:
    short = name.rsplit(".", 1)[-1]
    if short == "load_yaml_dags":
        params = bind(args, kwargs, ["globals_dict", "dags_folder", "config_filepath", "defaults_config_path"])
        params.update(bind(args[4:], {}, ["config_dict", "defaults_config_dict", "suffix"]))
        _load_yaml_dags(scanner, node, {**params, **kwargs})
        return None
    if short.endswith("DagFactory"):
        params = bind(args, kwargs, ["config_filepath", "default_config", "config"])
        config = params.get("config_filepath")
        return YamlFactory(config, kwargs.get("config") or kwargs.get("config_dict"), params.get("default_config"))
    return None


def dag_factory_method(scanner, node, factory: YamlFactory, attr: str) -> Any:
    """``generate_dags(globals())`` registers the DAGs; ``clean_dags`` only removes stale ones (builds nothing)."""
    if attr != "generate_dags":
        return None
    defaults = factory.default_config if isinstance(factory.default_config, dict) else None
    if isinstance(factory.config_dict, dict):
        _build_dag_factory_config(scanner, node, None, factory.config_dict, defaults)
        return None
    relative = relative_path(scanner, node, factory.config, "DagFactory config file")
    if relative is not None:
        _dag_factory_file(scanner, node, relative, defaults, scanner_root_defaults=defaults is None)
    return None


# -- helpers shared by both ------------------------------------------------------------------------------------


def bind(args: list, kwargs: dict, names: list[str]) -> dict:
    bound = dict(zip(names, args, strict=False))
    bound.update({k: v for k, v in kwargs.items() if k in names})
    return bound


def relative_path(scanner, node, value: Any, what: str) -> str | None:
    """A path the scan can locate under the scanned folder: computed from ``__file__`` or Airflow's dags folder."""
    if value is None:
        return "."  # dag-factory's default: Airflow's DAGs folder, the folder being scanned
    if isinstance(value, PathValue):
        return value.path
    source = value.source if isinstance(value, Unknown) else repr(value)
    scanner.diag(
        node,
        "A2D234",
        f"{what} at {source[:120]} is not a path the scan can locate (use one computed from __file__): "
        "the DAGs it builds are not in the inventory (run `verify --dagbag` to see them)",
    )
    return None


def _root(scanner) -> Path | None:
    return getattr(scanner, "root", None)


def read(scanner, node, relative: str) -> DataFile | None:
    root = _root(scanner)
    if root is None:
        scanner.diag(node, "A2D235", f"{relative}: the scan of a single text reads no other file", "info")
        return None
    try:
        data_file = read_data_file(root, relative)
    except DataFileError as error:
        if error.line or node is None:  # a problem inside the file: where it is
            scanner.diagnostics.append(ir.Diagnostic(relative, error.line, "A2D235", "error", error.message))
        else:  # the file cannot be read at all: where the DAG file asks for it
            scanner.diag(node, "A2D235", error.message, "error")
        return None
    scanner.data_files[relative] = data_file.sha256
    plain_dates(data_file.data)
    return data_file


def plain_dates(value: Any, depth: int = 0) -> None:
    """YAML dates become ISO strings in place (the mappings keep their identity, so their lines stay known)."""
    if depth > 50:
        return
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, item in list(items):
        if isinstance(item, (datetime.date, datetime.datetime)):
            value[key] = item.isoformat()
        else:
            plain_dates(item, depth + 1)


def list_folder(scanner, node, relative: str) -> list[tuple[str, list[str], list[str]]]:
    """``os.walk`` of a folder under the scanned one, sorted, symlinked folders visited once."""
    root = _root(scanner)
    if root is None:
        return []
    try:
        start = resolve_under(root, relative)
    except DataFileError as error:
        scanner.diag(node, "A2D235", error.message, "error")
        return []
    if not start.is_dir():
        scanner.diag(node, "A2D235", f"{relative}: no such folder", "error")
        return []
    seen: set[Path] = set()
    found = []
    for folder, dirs, files in os.walk(start, followlinks=True):
        real = Path(folder).resolve()
        if real in seen or not real.is_relative_to(root.resolve()):
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()
        found.append((Path(folder).relative_to(root).as_posix(), dirs, sorted(files)))
    return found


def subfolders(scanner, node, relative: str) -> list[str]:
    listing = list_folder(scanner, node, relative)
    if not listing:
        return []
    folder, dirs, _ = listing[0]
    return [f"{folder}/{d}" for d in dirs if not d.startswith(("_", "."))]


def new_dag(scanner, dag_id: Any, source: ir.SourceRef, kwargs: dict, construct: str) -> DagState | None:
    if not isinstance(dag_id, str) or "$" in dag_id:  # dag-factory expands environment variables: not static
        scanner.diagnostics.append(
            ir.Diagnostic(source.file, source.line, "A2D221", "warning", f"DAG id is not a literal: {dag_id!r}")
        )
        return None
    dag = DagState(dag_id, source, kwargs)
    dag.constructs.add(construct)
    scanner.dags.append(dag)
    return dag


def add_task(scanner, dag: DagState, where: ir.SourceRef, task_id: str, operator: str, kwargs: dict, group):
    """A task read from YAML: ``operator`` its import path (canonical through operators.py), ``group`` its group
    chain (innermost last), arguments literals with the DAG's default_args under them."""
    if task_id in dag.tasks:
        message = f"duplicate task id {task_id!r} in DAG {dag.dag_id!r}"
        scanner.diagnostics.append(ir.Diagnostic(where.file, where.line, "A2D242", "error", message))
        dag.incomplete.append("A2D242")
        return TaskRef(dag, task_id)
    scanner.task_count += 1
    if scanner.task_count > MAX_TASKS_PER_FILE:
        raise _LimitReached("A2D008", f"more than {MAX_TASKS_PER_FILE:,} tasks in one file: analysis stopped")
    decorated = operator.startswith("airflow") and (".task." in operator or operator.endswith(".task"))
    if decorated:  # a TaskFlow task (dag-factory's `decorator:`): named by its decorator, as the scan names them
        variant = operator.split(".task.", 1)[1] if ".task." in operator else ""
        canonical_name = f"airflow.decorators.task{'.' + variant if variant else ''}"
        family = "python" if not variant else variant
    else:
        info = resolve_operator(operator)
        canonical_name, family = info.canonical, info.family
    arguments = {k: _argument(k, v) for k, v in kwargs.items()}
    merged = {**as_dict(dag.kwargs.get("default_args")), **arguments}
    mapped = "expand" in kwargs or "expand_kwargs" in kwargs
    innermost = group[-1] if group else None
    task = _make_task(where.file, _Where(where.line), task_id, canonical_name, family, operator, merged, innermost,
                      decorated, mapped)  # fmt: skip
    dag.tasks[task_id] = task
    dag.upstream.setdefault(task_id, [])
    for group_id in group:
        dag.groups.setdefault(group_id, []).append(task_id)
    if mapped:
        dag.constructs.add("mapping")
    if family == "sensor":
        dag.constructs.add("sensor")
    return TaskRef(dag, task_id)


def _argument(key: str, value: Any) -> Any:
    """A callable named by its import path is a reference, not a string."""
    if key in {"python_callable", "on_failure_callback", "on_success_callback"} and isinstance(value, str):
        return Qual(value)
    return value


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _merge(config: dict, default: dict) -> dict:
    """dag-factory's merge: keys of ``default`` the config lacks are added; dicts on both sides merge deeply.
    A new dict: the YAML's own mappings are not changed (their identity gives their line)."""
    merged = dict(config)
    for key, value in default.items():
        if key not in merged:
            merged[key] = copy.deepcopy(value)
        elif isinstance(merged[key], dict) and isinstance(value, dict):
            merged[key] = _merge(merged[key], value)
    return merged


# -- dag-factory -----------------------------------------------------------------------------------------------


def _load_yaml_dags(scanner, node, params: dict) -> None:
    defaults = params.get("defaults_config_dict") if isinstance(params.get("defaults_config_dict"), dict) else None
    if params.get("config_filepath") is not None:
        relative = relative_path(scanner, node, params["config_filepath"], "dag-factory config file")
        if relative is not None:
            _dag_factory_file(scanner, node, relative, defaults, scanner_root_defaults=defaults is None)
        return
    if isinstance(params.get("config_dict"), dict):
        _build_dag_factory_config(scanner, node, None, params["config_dict"], defaults)
        return
    folder = relative_path(scanner, node, params.get("dags_folder"), "dag-factory DAGs folder")
    if folder is None:
        return
    suffix = params.get("suffix")
    suffixes = tuple(suffix) if isinstance(suffix, (list, tuple)) and all(isinstance(s, str) for s in suffix) else None
    if suffix is not None and suffixes is None:
        scanner.mark_incomplete(node, "A2D234", f"dag-factory suffix is not a literal: {scanner.src(node)[:100]}")
        return
    count = without_dags = 0
    for path, _dirs, files in list_folder(scanner, node, folder):
        for name in files:
            if name.endswith(suffixes or YAML_SUFFIXES) and name not in DEFAULTS_FILE_NAMES:
                relative = f"{path}/{name}" if path != "." else name
                if _ignored_by_airflow(scanner, relative):
                    continue
                count += 1
                if count > MAX_DATA_FILES_PER_CALL:
                    scanner.diag(node, "A2D235", f"more than {MAX_DATA_FILES_PER_CALL} YAML files: the rest not read")
                    return
                built = _dag_factory_file(scanner, node, relative, defaults, scanner_root_defaults=defaults is None)
                without_dags += built == 0
    if without_dags:  # YAML beside the DAGs that is not dag-factory's (workflow specs, CI files...): said once
        message = f"{without_dags} YAML file(s) under {folder} hold no dag-factory DAG (no entry with tasks)"
        scanner.diag(node, "A2D235", message, "info")


def _ignored_by_airflow(scanner, relative: str) -> bool:
    """dag-factory honours the `.airflowignore` files of the DAGs folder, as the scan does (glob syntax)."""
    from converters.inventory.project import _ignored  # the scan's own reading of `.airflowignore`

    root = _root(scanner)
    if root is None:
        return False
    patterns: list[tuple[Path, str]] = []
    folder = root
    for part in ["", *Path(relative).parent.parts]:
        folder = folder / part if part else folder
        ignore = folder / ".airflowignore"
        if ignore.is_file():
            lines = ignore.read_text(errors="replace").splitlines()
            patterns += [(folder, line.strip()) for line in lines if line.strip() and not line.startswith("#")]
    return _ignored(root / relative, patterns)


def _folder_defaults(scanner, relative: str) -> dict:
    """``defaults.yml`` from the YAML's folder up to the scanned folder, the nearest winning (dag-factory 0.23+)."""
    configs = []
    folder = Path(relative).parent
    while True:
        for name in DEFAULTS_FILE_NAMES:
            candidate = (folder / name).as_posix()
            root = _root(scanner)
            if root is not None and (root / candidate).is_file():
                data_file = read(scanner, None, candidate)
                if data_file is not None and isinstance(data_file.data, dict):
                    configs.append(data_file.data)
                break
        if folder == Path("."):
            break
        folder = folder.parent
    merged: dict = {}
    default_args: dict = {}
    for config in reversed(configs):  # the farthest first, the nearest last (it wins)
        default_args.update(as_dict(config.get("default_args")))
        for key, value in config.items():
            if key == "tags" and isinstance(value, list):
                merged["tags"] = sorted(set(merged.get("tags", [])) | {str(t) for t in value})
            elif key != "default_args":
                merged[key] = value
    if default_args:
        merged["default_args"] = default_args
    return merged


def _dag_factory_file(scanner, node, relative: str, defaults: dict | None, scanner_root_defaults: bool) -> int:
    """The DAGs of one config file; how many were built."""
    data_file = read(scanner, node, relative)
    if data_file is None:
        return -1
    if not isinstance(data_file.data, dict):
        return 0
    global_defaults = (
        defaults if defaults is not None else (_folder_defaults(scanner, relative) if scanner_root_defaults else {})
    )
    return _build_dag_factory_config(scanner, node, data_file, data_file.data, global_defaults)


def _build_dag_factory_config(scanner, node, data_file: DataFile | None, config: dict, global_defaults) -> int:
    """A DAG for each entry that is a DAG config: a mapping with tasks or task groups (dag-factory would also make a
    DAG with no task of any other mapping, which is how YAML that is not its own would look)."""
    built = 0
    global_defaults = copy.deepcopy(global_defaults or {})
    default = copy.deepcopy(as_dict(config.get("default")))
    if global_defaults:  # defaults.yml's default_args under the file's own `default` block
        default["default_args"] = {
            **as_dict(global_defaults.get("default_args")),
            **as_dict(default.get("default_args")),
        }
    dag_level = {k: v for k, v in global_defaults.items() if k != "default_args"}
    for dag_name, dag_config in config.items():
        if dag_name in DAG_FACTORY_SYSTEM_KEYS:
            continue
        file = data_file.path if data_file else scanner.path
        line = data_file.line_of(dag_config, 1) if data_file else getattr(node, "lineno", 0)
        where = ir.SourceRef(file, line)
        if not isinstance(dag_config, dict) or not ({"tasks", "task_groups"} & set(dag_config)):
            continue
        params = _merge({**dag_level, **dag_config}, default)
        _build_dag_factory_dag(scanner, data_file, where, dag_name, params)
        built += 1
    return built


def _dag_kwargs(params: dict) -> dict:
    kwargs = {
        k: params[k] for k in ("schedule", "schedule_interval", "catchup", "max_active_runs", "params") if k in params
    }
    if isinstance(kwargs.get("schedule"), str) and kwargs["schedule"].strip().lower() == "none":
        kwargs["schedule"] = None  # dag-factory reads the string "none" as no schedule
    kwargs["default_args"] = as_dict(params.get("default_args"))
    if "start_date" in params:
        kwargs["start_date"] = params["start_date"]
    tags = params.get("tags") if isinstance(params.get("tags"), list) else []
    kwargs["tags"] = [*tags, *([] if "dagfactory" in tags else ["dagfactory"])]
    return kwargs


def _normalise(value: Any, key: str) -> dict | None:
    """Tasks / task groups: a mapping name -> config, or (dag-factory 1.0) a list of configs naming themselves."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and all(isinstance(e, dict) and key in e for e in value):
        return {e[key]: {k: v for k, v in e.items() if k != key} | {"__entry__": e} for e in value}
    return None


def _build_dag_factory_dag(scanner, data_file: DataFile | None, where: ir.SourceRef, dag_id: str, params: dict):
    """One DAG; where dag-factory would fail to build it (a task without an operator, a dependency on nothing...),
    no DAG: dag-factory logs the error and registers nothing, so the scan says so and lists none."""
    dag = new_dag(scanner, dag_id, where, _dag_kwargs(params), "dag_factory")
    if dag is None:
        return
    try:
        _fill_dag_factory_dag(scanner, data_file, where, dag, params)
    except _NotBuilt:  # dag-factory stops at the first error of a DAG, and so does the scan
        scanner.dags[:] = [d for d in scanner.dags if d is not dag]


class _NotBuilt(Exception):
    pass


def _fill_dag_factory_dag(scanner, data_file: DataFile | None, where: ir.SourceRef, dag: DagState, params: dict):
    dag_id = dag.dag_id
    file = where.file

    def line_of(config: Any) -> int:
        if data_file is None:
            return where.line
        return data_file.line_of(config.get("__entry__", config) if isinstance(config, dict) else config, where.line)

    def problem(line: int, message: str) -> None:
        message = f"{message}: dag-factory does not build DAG {dag_id!r}"
        # info: Airflow has no such DAG either (dag-factory logs the error), so nothing is missing from the scan
        scanner.diagnostics.append(ir.Diagnostic(file, line, "A2D236", "info", message))
        raise _NotBuilt

    tasks = _normalise(params.get("tasks"), "task_id")
    groups = _normalise(params.get("task_groups"), "group_name")
    if tasks is None or groups is None:
        problem(where.line, f"dag-factory DAG {dag_id!r}: tasks / task_groups are neither a mapping nor a list")
        return
    group_ids = _dag_factory_groups(groups, problem, where.line)
    if group_ids is None:
        return
    if group_ids:
        dag.constructs.add("task_group")
    refs: dict[str, Any] = {name: GroupRef(dag, full) for name, (full, _chain, _prefix) in group_ids.items()}
    task_keys: dict[str, str] = {}  # name in the YAML -> task id
    for name, config in tasks.items():
        line = line_of(config)
        if not isinstance(config, dict) or not isinstance(name, str):
            problem(line, f"dag-factory task {name!r} is not a mapping")
            continue
        operator = config.get("operator", config.get("decorator"))
        if not isinstance(operator, str):
            problem(line, f"dag-factory task {name!r} names no operator (or decorator) as a literal import path")
            continue
        group_name = config.get("task_group_name")
        chain: list[str] = []
        task_id = name
        if group_name is not None:
            if group_name not in group_ids:
                problem(line, f"dag-factory task {name!r}: no task group {group_name!r}")
                continue
            full, chain, prefix = group_ids[group_name]
            task_id = f"{full}.{name}" if prefix else name
        arguments = {k: v for k, v in config.items() if k not in TASK_SYSTEM_KEYS and k != "__entry__"}
        task_keys[name] = task_id
        refs.setdefault(name, None)
        refs[name] = add_task(scanner, dag, ir.SourceRef(file, line), task_id, operator, arguments, chain)
    # Dependencies after every task exists, tasks first then groups, as dag-factory sets them.
    for name, config in [*tasks.items(), *groups.items()]:
        dependencies = config.get("dependencies") if isinstance(config, dict) else None
        if not dependencies:
            continue
        if not isinstance(dependencies, list) or name not in refs or refs[name] is None:
            problem(line_of(config), f"dag-factory {name!r}: dependencies are not a list of names")
            continue
        for dependency in dependencies:
            if not isinstance(dependency, str) or refs.get(dependency) is None:
                problem(line_of(config), f"dag-factory {name!r} depends on {dependency!r}, which is not defined")
                continue
            scanner.link(refs[dependency], refs[name])


def _dag_factory_groups(groups: dict, problem, line: int) -> dict[str, tuple[str, list[str], bool]] | None:
    """Each group's full id (prefixed by its parents as Airflow prefixes), its chain of ids and whether it prefixes."""
    resolved: dict[str, tuple[str, list[str], bool]] = {}

    def resolve(name: str, seen: tuple[str, ...]) -> tuple[str, list[str], bool] | None:
        if name in resolved:
            return resolved[name]
        config = groups.get(name)
        if not isinstance(config, dict) or name in seen:
            return None
        prefix = config.get("prefix_group_id", True) is not False
        parent_name = config.get("parent_group_name")
        if parent_name is None:
            result = (name, [name], prefix)
        else:
            parent = resolve(parent_name, (*seen, name))
            if parent is None:
                return None
            parent_id, parent_chain, parent_prefix = parent
            full = f"{parent_id}.{name}" if parent_prefix else name
            result = (full, [*parent_chain, full], prefix)
        resolved[name] = result
        return result

    for name in groups:
        if resolve(name, ()) is None:
            problem(line, f"dag-factory task group {name!r}: its parent is missing or circular")
            return None
    return resolved
