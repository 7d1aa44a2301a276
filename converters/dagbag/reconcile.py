"""Load a folder with Airflow's DagBag (in an Airflow venv, subprocess, timeout) and compare with the static scan."""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from converters.inventory import ir
from converters.inventory.operators import resolve_operator
from converters.runtime.airflow import VERSION_ONLY_FOLDERS, base_environment, dag_folder_view
from converters.runtime.envs import EnvironmentMissing, airflow_venv

DUMPER = Path(__file__).with_name("dump_dagbag.py")

# TaskFlow tasks are instances of these private classes; the static scan names them by their decorator.
DECORATED_CLASSES = {
    "_PythonDecoratedOperator": "airflow.decorators.task",
    "_BranchPythonDecoratedOperator": "airflow.decorators.task.branch",
    "_ShortCircuitDecoratedOperator": "airflow.decorators.task.short_circuit",
    "_BashDecoratedOperator": "airflow.decorators.task.bash",
    "_PythonVirtualenvDecoratedOperator": "airflow.decorators.task.virtualenv",
    "_PythonExternalDecoratedOperator": "airflow.decorators.task.external_python",
    "_BranchPythonVirtualenvDecoratedOperator": "airflow.decorators.task.branch_virtualenv",
    "_BranchExternalPythonDecoratedOperator": "airflow.decorators.task.branch_external_python",
    "DecoratedSensorOperator": "airflow.decorators.task.sensor",
    "_KubernetesDecoratedOperator": "airflow.decorators.task.kubernetes",
    "_DockerDecoratedOperator": "airflow.decorators.task.docker",
    "_PythonSensorDecoratedOperator": "airflow.decorators.task.sensor",
}


class DagBagError(RuntimeError):
    """The DagBag subprocess failed or timed out."""


@dataclass(frozen=True)
class DagParity:
    dag_id: str
    status: str  # match | differs | incomplete | static_only | dagbag_only | other_line
    file: str = ""
    differences: tuple[str, ...] = ()
    explained_by: tuple[str, ...] = ()  # diagnostic codes that account for a gap


@dataclass(frozen=True)
class Reconciliation:
    airflow_version: str
    dags: tuple[DagParity, ...]
    import_errors: dict[str, str] = field(default_factory=dict)

    @property
    def compared(self) -> list[DagParity]:
        return [d for d in self.dags if d.status in {"match", "differs"}]

    @property
    def score(self) -> float | None:
        """Share of the DAGs the scan resolved completely whose structure equals Airflow's (None: none compared)."""
        compared = self.compared
        return sum(d.status == "match" for d in compared) / len(compared) if compared else None


def load_dagbag(
    folder: Path,
    version: int,
    timeout: float = 600,
    file_timeout: int = 60,
    extra_env: dict[str, str] | None = None,
    airflow_python: Path | None = None,
) -> dict:
    """Run the dumper in the Airflow venv on ``folder`` (a per-line view of it) and return its JSON.

    ``extra_env`` is the estate's own parse-time environment (variables its DAG files read at import).
    ``airflow_python`` is another Airflow venv's interpreter (one with the providers the estate imports);
    by default the project's venv of the line.
    """
    python, venv = airflow_interpreter(version, airflow_python)
    with tempfile.TemporaryDirectory(prefix="a2d-dagbag-") as scratch:
        home = Path(scratch)
        view = dag_folder_view(version, folder.resolve(), home / "dags") if folder.is_dir() else folder
        out = home / "dagbag.json"
        env = base_environment(version, home, view, venv) | {
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": str(file_timeout),
            "AIRFLOW__COSMOS__ENABLE_CACHE": "False",  # its cache lives in Airflow Variables: no metadata DB here
            **(extra_env or {}),
        }
        try:
            result = subprocess.run(
                [str(python), str(DUMPER), str(view), str(out)],
                env=env,
                cwd=home,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise DagBagError(f"DagBag did not finish within {timeout:.0f}s") from exc
        if result.returncode != 0 or not out.exists():
            raise DagBagError(f"DagBag dump failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
        return json.loads(out.read_text())


def airflow_interpreter(version: int, airflow_python: Path | None) -> tuple[Path, Path]:
    """The Python that loads the DagBag and its venv: ``airflow_python`` when given (``EnvironmentMissing`` if it
    is not an interpreter in a venv's ``bin/``), else the project's venv of ``version``."""
    if airflow_python is None:
        venv = airflow_venv(version)
        return venv / "bin" / "python", venv
    if not airflow_python.is_file() or airflow_python.parent.name != "bin":
        raise EnvironmentMissing(f"{airflow_python} is not a Python interpreter in a virtual environment's bin/")
    # not resolved: a venv's python is a symlink to the base interpreter, which would lose the venv
    return airflow_python.absolute(), airflow_python.absolute().parent.parent


def canonical_class(class_path: str) -> str:
    short = class_path.rsplit(".", 1)[-1]
    if short in DECORATED_CLASSES:
        return DECORATED_CLASSES[short]
    return resolve_operator(class_path).canonical


def reconcile(project: ir.Project, dagbag: dict, version: int | None = None) -> Reconciliation:
    other_line = {folder for line, folder in VERSION_ONLY_FOLDERS.items() if version is not None and line != version}
    loaded = {dag["dag_id"]: dag for dag in dagbag["dags"]}
    static, duplicates = _static_dags(project, loaded)
    codes_by_file = {file.path: tuple(d.code for d in file.diagnostics) for file in project.files}
    results = [
        DagParity(dag.dag_id, "static_only", file.path, (f"the DAG id is also defined in {where}",))
        for file, dag, where in duplicates
    ]
    for dag_id in sorted(set(static) | set(loaded)):
        if dag_id not in loaded:
            file, dag = static[dag_id]
            if file.path.split("/", 1)[0] in other_line:
                results.append(DagParity(dag_id, "other_line", file.path, ("meant for the other Airflow line",)))
                continue
            if not dag.complete:
                why = ("Airflow did not build this DAG",)
                results.append(DagParity(dag_id, "incomplete", file.path, why, codes_by_file[file.path]))
                continue
            error = dagbag.get("import_errors", {}).get(file.path, "")
            why = f"Airflow could not import the file: {error.strip().splitlines()[-1]}" if error else "not loaded"
            results.append(DagParity(dag_id, "static_only", file.path, (why,)))
            continue
        if dag_id not in static:
            where = loaded[dag_id]["fileloc"]
            results.append(DagParity(dag_id, "dagbag_only", where, (), codes_by_file.get(where, ())))
            continue
        file, dag = static[dag_id]
        differences = compare_dag(dag, loaded[dag_id])
        if not dag.complete:
            results.append(DagParity(dag_id, "incomplete", file.path, tuple(differences), codes_by_file[file.path]))
        else:
            results.append(DagParity(dag_id, "differs" if differences else "match", file.path, tuple(differences)))
    results.sort(key=lambda parity: (parity.dag_id, parity.file))
    return Reconciliation(dagbag.get("airflow_version", "?"), tuple(results), dagbag.get("import_errors", {}))


def _static_dags(
    project: ir.Project, loaded: dict[str, dict]
) -> tuple[dict[str, tuple[ir.DagFile, ir.Dag]], list[tuple[ir.DagFile, ir.Dag, str]]]:
    """The scan's DAGs by id. A DAG id defined in several files (Airflow keeps one, the others are import errors)
    is compared with the file Airflow took it from; the other definitions are listed apart, naming that file."""
    by_id: dict[str, list[tuple[ir.DagFile, ir.Dag]]] = {}
    for file in project.files:
        for dag in file.dags:
            by_id.setdefault(dag.dag_id, []).append((file, dag))
    static, duplicates = {}, []
    for dag_id, found in by_id.items():
        where = loaded.get(dag_id, {}).get("fileloc")
        chosen = next((entry for entry in found if entry[0].path == where), found[-1])
        static[dag_id] = chosen
        duplicates += [(file, dag, where or chosen[0].path) for file, dag in found if file is not chosen[0]]
    return static, duplicates


def compare_dag(dag: ir.Dag, loaded: dict) -> list[str]:
    differences = []
    static_tasks = {t.task_id: t for t in dag.tasks}
    dagbag_tasks = {t["task_id"]: t for t in loaded["tasks"]}
    if missing := sorted(set(dagbag_tasks) - set(static_tasks)):
        differences.append(f"tasks only Airflow sees: {', '.join(missing[:20])}")
    if extra := sorted(set(static_tasks) - set(dagbag_tasks)):
        differences.append(f"tasks only the scan sees: {', '.join(extra[:20])}")
    static_edges = {(e.upstream, e.downstream) for e in dag.edges}
    dagbag_edges = {(up, t["task_id"]) for t in loaded["tasks"] for up in t["upstream"]}
    if missing := sorted(dagbag_edges - static_edges):
        differences.append("edges only Airflow sees: " + ", ".join(f"{a}>>{b}" for a, b in missing[:20]))
    if extra := sorted(static_edges - dagbag_edges):
        differences.append("edges only the scan sees: " + ", ".join(f"{a}>>{b}" for a, b in extra[:20]))
    if (difference := compare_schedule(dag.schedule, loaded["schedule"])) is not None:
        differences.append(difference)
    for task_id in sorted(set(static_tasks) & set(dagbag_tasks)):
        ours, theirs = static_tasks[task_id], dagbag_tasks[task_id]
        their_class = canonical_class(theirs["class"])
        if ours.operator != their_class and not _same_custom_class(ours, theirs["class"]):
            differences.append(f"{task_id}: operator {ours.operator} vs Airflow's {their_class}")
        if ours.mapped != theirs["mapped"]:
            differences.append(f"{task_id}: mapped {ours.mapped} vs Airflow's {theirs['mapped']}")
    return differences


def compare_schedule(ours: ir.Schedule, theirs: dict) -> str | None:
    """A difference when the scan resolved the schedule and Airflow's differs (kinds, then values)."""
    if ours.kind not in {"none", "cron", "preset", "timedelta", "dataset"}:
        return None  # default/unresolved/timetable: nothing the scan claims
    same_kind = ours.kind == theirs["kind"] or {ours.kind, theirs["kind"]} == {"cron", "preset"}
    if same_kind and (ours.kind in {"none", "dataset"} or ours.value == theirs["value"]):
        return None
    return f"schedule {ours.kind} {ours.value or ''} vs Airflow's {theirs['kind']} {theirs['value'] or ''}".strip()


def _same_custom_class(task: ir.Task, class_path: str) -> bool:
    """A class defined in the estate itself: Airflow names its module after the file, we after the path."""
    return class_path.rsplit(".", 1)[-1] == task.operator.rsplit(".", 1)[-1]


def adopt_dagbag(project: ir.Project, dagbag: dict) -> ir.Project:
    """The inventory with Airflow's structure for every DAG the scan could not resolve (``origin: dagbag``).

    DAGs the scan resolved completely keep their static form (they carry more: arguments, settings).
    """
    loaded = {dag["dag_id"]: dag for dag in dagbag["dags"]}
    resolved = {dag.dag_id for file in project.files for dag in file.dags if dag.complete}
    adopted_ids = set()
    files = []
    for file in project.files:
        dags = []
        for dag in file.dags:
            if not dag.complete and dag.dag_id in loaded:
                dags.append(_from_dagbag(loaded[dag.dag_id], dag.source, dag))
                adopted_ids.add(dag.dag_id)
            else:
                dags.append(dag)
        for dag_id, raw in sorted(loaded.items()):
            if dag_id not in resolved and dag_id not in adopted_ids and raw["fileloc"] == file.path:
                dags.append(_from_dagbag(raw, ir.SourceRef(file.path, 0), None))
                adopted_ids.add(dag_id)
        files.append(ir.DagFile(file.path, file.sha256, file.styles, tuple(dags), file.diagnostics))
    return ir.Project(project.root, tuple(files), project.diagnostics)


def _from_dagbag(raw: dict, source: ir.SourceRef, static: ir.Dag | None) -> ir.Dag:
    tasks = tuple(
        ir.Task(
            task_id=t["task_id"],
            operator=canonical_class(t["class"]),
            source=source,
            operator_as_written=t["class"],
            family=resolve_operator(canonical_class(t["class"])).family or _decorated_family(t["class"]),
            task_group=t["task_group"],
            mapped=t["mapped"],
            origin="dagbag",
        )
        for t in raw["tasks"]
    )
    edges = tuple(ir.Edge(up, t["task_id"]) for t in raw["tasks"] for up in t["upstream"])
    schedule = raw["schedule"]
    base = static or ir.Dag(raw["dag_id"], source, schedule=ir.Schedule(schedule["kind"], schedule["value"]))
    # Airflow's structure replaces the scan's; the DAG-level settings the scan did read are kept.
    return replace(base, tasks=tasks, edges=edges, complete=True, origin="dagbag")


def _decorated_family(class_path: str) -> str:
    decorated = DECORATED_CLASSES.get(class_path.rsplit(".", 1)[-1], "")
    return {"": "", "airflow.decorators.task": "python"}.get(decorated, decorated.rsplit(".", 1)[-1])
