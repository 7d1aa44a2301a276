"""DAGs that gusty builds from a folder of task files: the files read as data, the DAG built as gusty builds it.

``create_dag(dag_dir, ...)`` (and ``create_dags(dags_dir, globals(), ...)``: one DAG per sub-folder), read against
gusty's source (0.2x): the DAG is the folder (its id the folder's name), each sub-folder a TaskGroup (not prefixed
unless its ``METADATA.yml`` sets ``prefix_group_id``: then gusty also names its tasks ``<group>_<task>``), each
``.yml``/``.yaml``/``.sql``/``.py`` file a task whose id is the file's lower-cased stem and whose YAML (the whole file;
front matter between ``---`` lines for SQL; a ``# ---`` comment block for Python, whose operator defaults to the
PythonOperator) gives ``operator``, ``dependencies`` (any task of the DAG, or a sub-folder of the task's folder) and
``external_dependencies`` (one ``wait_for_<dag>_<task>`` ExternalTaskSensor each, shared). ``METADATA.yml`` holds
the DAG's settings (over ``create_dag``'s arguments) or a group's (its ``dependencies`` on the parent folder's
tasks or sibling folders), and at the top ``latest_only`` (default on: a ``latest_only`` task before every object
without an upstream), ``root_tasks`` and ``leaf_tasks``. Groups keep their group-level relatives apart from their
tasks' as a TaskGroup does (gusty's root logic reads them). Notebooks, multi-task specs and parse hooks are not read:
the DAG is incomplete, with a diagnostic.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from converters.inventory import ir
from converters.inventory.data_files import DataFileError, read_yaml_text, resolve_under
from converters.inventory.operators import canonical
from converters.inventory.values import GroupRef, TaskRef, Unknown
from converters.inventory.yaml_dags import (
    add_task,
    as_dict,
    bind,
    list_folder,
    new_dag,
    plain_dates,
    read,
    relative_path,
    subfolders,
)

SPEC_SUFFIXES = (".yml", ".yaml", ".sql", ".py", ".ipynb", ".Rmd")
UNREAD_SUFFIXES = (".ipynb", ".Rmd")  # notebooks: their YAML cell is not read (the DAG is incomplete)
DAG_ARGUMENTS = ("schedule", "schedule_interval", "default_args", "catchup", "tags", "max_active_runs", "params")
PYTHON_OPERATOR, SENSOR, LATEST_ONLY = canonical("PythonOperator", "ExternalTaskSensor", "LatestOnlyOperator")
NOT_ARGUMENTS = {"operator", "dependencies", "external_dependencies", "task_id", "__file__"}


def gusty_call(scanner, node, name: str, args: list, kwargs: dict) -> Any:
    short = name.rsplit(".", 1)[-1]
    if short == "create_dag":
        folder = relative_path(scanner, node, bind(args, kwargs, ["dag_dir"]).get("dag_dir"), "gusty DAG folder")
        built = GustyDag(scanner, node, folder, kwargs).build() if folder is not None else None
        return built if built is not None else Unknown(scanner.src(node))
    if short == "create_dags":
        params = bind(args, kwargs, ["gusty_dags_dir", "globals"])
        folder = relative_path(scanner, node, params.get("gusty_dags_dir"), "gusty DAGs folder")
        options = {k: v for k, v in kwargs.items() if k not in {"gusty_dags_dir", "globals"}}
        for dag_folder in subfolders(scanner, node, folder) if folder is not None else []:
            GustyDag(scanner, node, dag_folder, options).build()
    return None


def _list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else []


def _external(value: Any) -> list[tuple[str, str]]:
    """``{dag: {tasks: [...]}}`` or ``[{dag: task}, ...]`` -> (dag, task) pairs."""
    if isinstance(value, dict):
        return [(str(d), str(t)) for d, details in value.items() for t in _list(as_dict(details).get("tasks"))]
    return [(str(d), str(t)) for item in _list(value) if isinstance(item, dict) for d, t in item.items()]


class GustyDag:
    def __init__(self, scanner, node, folder: str, options: dict) -> None:
        self.scanner, self.node, self.top, self.options = scanner, node, folder, options
        self.levels: dict[str, dict] = {}  # folder -> name, parent, files, metadata, chain, prefix, specs, tasks
        self.all_tasks: dict[str, TaskRef] = {}
        self.wait_for: dict[str, TaskRef] = {}
        self.relations: dict[str, dict[str, set[str]]] = {}  # a group's group-level relatives (TaskGroup's own)
        self.dag = None

    # -- reading --------------------------------------------------------------------------------------------
    def problem(self, path: str, message: str) -> None:
        self.scanner.diagnostics.append(ir.Diagnostic(path, 1, "A2D236", "warning", message))
        if self.dag is not None:
            self.dag.incomplete.append("A2D236")

    def metadata(self, folder: str, files: list[str], defaults: dict, root: bool) -> dict | None:
        metadata = copy.deepcopy(defaults)
        if "METADATA.yml" in files:
            data_file = read(self.scanner, self.node, f"{folder}/METADATA.yml")
            if data_file is None:
                return None
            level = as_dict(data_file.data)
            if root and isinstance(metadata.get("default_args"), dict) and isinstance(level.get("default_args"), dict):
                level = {**level, "default_args": {**metadata["default_args"], **level["default_args"]}}
            metadata.update(level)
        return metadata

    def spec(self, relative: str) -> dict | None:
        """A task file's YAML: the whole file (.yml/.yaml) or its front matter (.sql, .py)."""
        if relative.endswith((".yml", ".yaml")):
            data_file = read(self.scanner, self.node, relative)
            return data_file.data if data_file is not None and isinstance(data_file.data, dict) else None
        try:
            text = resolve_under(self.scanner.root, relative).read_text(encoding="utf-8", errors="replace")
        except (OSError, DataFileError):
            return None
        lines = text[:2_000_000].splitlines()
        if relative.endswith(".py"):
            block: list[str] = []
            if lines and lines[0].strip() == "# ---":
                for line in lines[1:]:
                    if line.strip() == "# ---":
                        break
                    block.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
            spec = self.yaml_text(relative, "\n".join(block)) if block else {}
            return None if spec is None else {"operator": PYTHON_OPERATOR, **spec}
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
        if not lines or lines[0].strip() != "---" or end is None:
            return None
        spec = self.yaml_text(relative, "\n".join(lines[1:end]))
        return None if spec is None else {**spec, "sql": "\n".join(lines[end + 1 :])}

    def yaml_text(self, relative: str, text: str) -> dict | None:
        try:
            data = read_yaml_text(relative, text)
        except DataFileError as error:
            self.scanner.diagnostics.append(ir.Diagnostic(relative, error.line + 1, "A2D235", "error", error.message))
            return None
        plain_dates(data)
        return as_dict(data)

    # -- building -------------------------------------------------------------------------------------------
    def build(self) -> Any:
        listing = list_folder(self.scanner, self.node, self.top)
        if not listing:
            return None
        for folder, _dirs, files in listing:
            name, parent = Path(folder).name, (Path(folder).parent.as_posix() if folder != self.top else None)
            hidden = name.startswith(("_", ".")) or ".gustyignore" in files
            if not hidden and (parent is None or parent in self.levels):
                self.levels[folder] = {"name": name, "parent": parent, "files": files}
        defaults = {k: v for k, v in self.options.items() if k not in {"task_group_defaults", "wait_for_defaults"}}
        root = self.levels[self.top]
        root["metadata"] = self.metadata(self.top, root["files"], defaults, root=True)
        if root["metadata"] is None:
            return None
        if root["metadata"].get("ignore_subfolders"):
            self.levels = {self.top: root}
        kwargs = {k: root["metadata"][k] for k in DAG_ARGUMENTS if k in root["metadata"]}
        where = f"{self.top}/METADATA.yml" if "METADATA.yml" in root["files"] else self.top
        self.dag = new_dag(self.scanner, Path(self.top).name, ir.SourceRef(where, 1), kwargs, "gusty")
        if self.dag is None:
            return None
        unsupported = [k for k in ("parse_hooks", "leaf_tasks_from_dict", "dag_constructors") if self.options.get(k)]
        if unsupported:
            self.scanner.mark_incomplete(self.node, "A2D236", f"gusty options read at parse time: {unsupported}")
        for folder, level in self.levels.items():
            self.read_level(folder, level)
        for folder, level in self.levels.items():  # every level's tasks first, as gusty creates them
            self.create_tasks(folder, level)
        self.group_dependencies()
        self.task_dependencies()
        self.external_dependencies()
        self.leaves()
        self.roots()
        return self.dag

    def read_level(self, folder: str, level: dict) -> None:
        if folder != self.top:
            group_defaults = as_dict(self.options.get("task_group_defaults"))
            level["metadata"] = self.metadata(folder, level["files"], group_defaults, root=False) or {}
            parent = self.levels[level["parent"]]
            level["prefix"] = level["metadata"].get("prefix_group_id", False) is True
            chain = parent.get("chain", [])
            full = f"{chain[-1]}.{level['name']}" if chain and parent.get("prefix") else level["name"]
            level["chain"], level["group"] = [*chain, full], GroupRef(self.dag, full)
            self.dag.groups.setdefault(full, [])
            self.dag.constructs.add("task_group")
        else:
            level["chain"], level["prefix"] = [], False
        level["specs"] = []
        for file_name in level["files"]:
            if not file_name.endswith(SPEC_SUFFIXES) or file_name == "METADATA.yml" or file_name.startswith(("_", ".")):
                continue
            path = f"{folder}/{file_name}"
            spec = None if file_name.endswith(UNREAD_SUFFIXES) else self.spec(path)
            if spec is None or not isinstance(spec.get("operator"), str):
                self.problem(path, f"{path}: no gusty task spec the scan can read (an operator as a literal)")
                continue
            if spec.get("multi_task_spec") or spec.get("python_callable_partials"):
                self.problem(path, f"{path}: multi-task specs are not modelled")
                continue
            short = Path(file_name).stem.lower().strip()
            spec["task_id"] = f"{level['name']}_{short}" if level["prefix"] else short
            spec["__file__"] = path
            level["specs"].append(spec)

    def create_tasks(self, folder: str, level: dict) -> None:
        level["tasks"] = {}
        for spec in level["specs"]:
            chain = level["chain"]
            task_id = f"{chain[-1]}.{spec['task_id']}" if chain and level["prefix"] else spec["task_id"]
            arguments = {k: v for k, v in spec.items() if k not in NOT_ARGUMENTS}
            where = ir.SourceRef(spec["__file__"], 1)
            level["tasks"][spec["task_id"]] = add_task(self.scanner, self.dag, where, task_id, spec["operator"],
                                                       arguments, chain)  # fmt: skip
        self.all_tasks.update(level["tasks"])

    def children(self, folder: str) -> dict[str, GroupRef]:
        return {level["name"]: level["group"] for level in self.levels.values() if level["parent"] == folder}

    def relation(self, group: GroupRef) -> dict[str, set[str]]:
        return self.relations.setdefault(group.group_id, {"up": set(), "up_groups": set(), "down": set()})

    def link(self, upstream: Any, downstream: Any) -> None:
        """An edge, and the group-level relatives a TaskGroup records for it (``update_relative``)."""
        if isinstance(downstream, GroupRef):
            ups = self.relation(downstream)
            if isinstance(upstream, GroupRef):
                ups["up_groups"].add(upstream.group_id)
                ups["up"] |= {r.task_id for r in self.scanner.leaves(upstream)}
            else:
                ups["up"].add(upstream.task_id)
        if isinstance(upstream, GroupRef):
            roots = self.scanner.roots(downstream) if isinstance(downstream, GroupRef) else [downstream]
            self.relation(upstream)["down"].update(r.task_id for r in roots)
        self.scanner.link(upstream, downstream)

    def sensor(self, dag_id: str, task_id: str) -> TaskRef:
        name = f"wait_for_DAG_{dag_id}" if task_id == "all" else f"wait_for_{dag_id}_{task_id}"
        if name not in self.wait_for:
            arguments = {"external_dag_id": dag_id, "external_task_id": None if task_id == "all" else task_id}
            self.wait_for[name] = add_task(self.scanner, self.dag, self.dag.source, name, SENSOR, arguments, [])
        return self.wait_for[name]

    def group_dependencies(self) -> None:
        """A group's METADATA.yml ``dependencies``: tasks of its parent folder or sibling folders."""
        for folder, level in self.levels.items():
            if folder == self.top:
                continue
            siblings = {n: g for n, g in self.children(level["parent"]).items() if g is not level["group"]}
            valid = {**self.levels[level["parent"]]["tasks"], **siblings}
            for dependency in _list(level["metadata"].get("dependencies")):
                if dependency in valid:
                    self.link(valid[dependency], level["group"])

    def task_dependencies(self) -> None:
        for folder, level in self.levels.items():
            valid = {**self.all_tasks, **self.children(folder)}
            for spec in level["specs"]:
                names = [d for d in _list(spec.get("dependencies")) if isinstance(d, str)]
                if level["prefix"]:  # gusty also finds a renamed sibling by its short name
                    names += [f"{level['name']}_{d}" for d in names if f"{level['name']}_{d}" in valid]
                for dependency in sorted(set(names)):
                    if dependency in valid:
                        self.link(valid[dependency], level["tasks"][spec["task_id"]])

    def external_dependencies(self) -> None:
        for level in self.levels.values():
            for spec in level["specs"]:
                for dag_id, task_id in _external(spec.get("external_dependencies")):
                    self.link(self.sensor(dag_id, task_id), level["tasks"][spec["task_id"]])
        for folder, level in self.levels.items():
            if folder != self.top:
                for dag_id, task_id in _external(level["metadata"].get("external_dependencies")):
                    self.link(self.sensor(dag_id, task_id), level["group"])

    def upstream_ids(self, obj: Any) -> set[str]:
        return set(self.dag.upstream.get(obj.task_id, [])) if isinstance(obj, TaskRef) else self.relation(obj)["up"]

    def downstream_ids(self, obj: Any) -> set[str]:
        if isinstance(obj, GroupRef):
            return self.relation(obj)["down"]
        return {t for t, ups in self.dag.upstream.items() if obj.task_id in ups}

    def leaves(self) -> None:
        """``leaf_tasks``: every top-level task or group without a downstream runs before them."""
        top = self.levels[self.top]
        tasks, metadata = top["tasks"], top["metadata"]
        leaves = [t for t in _list(metadata.get("leaf_tasks")) if t in tasks]
        for name, obj in {**tasks, **self.children(self.top)}.items() if leaves else []:
            if not self.downstream_ids(obj) and name not in leaves and name not in _list(metadata.get("root_tasks")):
                for leaf in leaves:
                    self.link(obj, tasks[leaf])

    def roots(self) -> None:
        """``root_tasks``, the DAG's own external dependencies, then ``latest_only`` before what has no upstream."""
        top = self.levels[self.top]
        tasks, metadata = top["tasks"], top["metadata"]
        groups = {n: g for n, g in self.children(self.top).items() if not self.relation(g)["up_groups"]}
        valid: dict[str, Any] = {**tasks, **groups, **self.wait_for}
        roots = {n: tasks[n] for n in _list(metadata.get("root_tasks")) if n in tasks}
        for name, obj in valid.items():
            ups = self.upstream_ids(obj)
            if not ups or all(u.startswith("wait_for_") for u in ups):
                for root_name, root in roots.items():
                    if name != root_name and name not in roots:
                        self.link(root, obj)
        external = [self.sensor(d, t) for d, t in _external(metadata.get("external_dependencies"))]
        if external:
            for name, obj in valid.items():
                if not self.upstream_ids(obj):
                    for sensor in external:
                        if name != sensor.task_id:
                            self.link(sensor, obj)
            valid.update({sensor.task_id: sensor for sensor in external})
        if metadata.get("latest_only", True):
            latest = add_task(self.scanner, self.dag, self.dag.source, "latest_only", LATEST_ONLY, {}, [])
            for obj in valid.values():
                if not self.upstream_ids(obj):
                    self.link(latest, obj)
