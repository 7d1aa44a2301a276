"""LIFT: a task no rule translates runs its own Airflow operator under Dagster, Airflow kept as a library.

With lifting asked for (`convert --lift`, recorded in ``migration/state.json``), a task whose rule says NONE
becomes LIFT when its operator can run outside Airflow's scheduler: its asset launches the generated
``support/lift_runner.py`` in an Airflow environment through Pipes, which builds the task from its DAG file
with Airflow's DagBag, renders its templates with Airflow's renderer and calls ``execute``. The upstream
return values its ``xcom_pull`` may ask for are the asset's inputs.

What cannot be lifted stays NONE, and its reason says why (``not_liftable``): operators that need Airflow's
metadata database or scheduler (other DAGs' runs, triggering, subdags, branching that skips downstream task
instances), operators that defer to a triggerer,
mapped tasks, tasks Airflow builds from a file that is not Python. A sensor in ``reschedule`` mode is lifted:
it pokes inside the step (``poke`` mode, with its ``poke_interval`` and ``timeout``), which a note says.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from converters.inventory import ir
from converters.inventory.operators import canonical
from converters.rules.base import LIFT, NONE, Translation, input_name

# Operators that read or write Airflow's metadata database or ask its scheduler for something: nothing answers.
NEEDS_AIRFLOW = {
    **dict.fromkeys(canonical("TriggerDagRunOperator"), "triggers another DAG's run through Airflow's scheduler"),
    **dict.fromkeys(canonical("ExternalTaskSensor"), "reads other DAG runs' task states from Airflow's database"),
    **dict.fromkeys(canonical("ExternalTaskMarker"), "marks other DAG runs' tasks in Airflow's database"),
    **dict.fromkeys(canonical("SubDagOperator"), "runs a sub-DAG through Airflow's scheduler"),
}
# The same, by class name: provider and estate spellings the canonical table does not list.
NEEDS_AIRFLOW_NAMES = {
    "TriggerDagRunOperator": NEEDS_AIRFLOW[canonical("TriggerDagRunOperator")[0]],
    "ExternalTaskSensor": NEEDS_AIRFLOW[canonical("ExternalTaskSensor")[0]],
    "ExternalTaskSensorAsync": NEEDS_AIRFLOW[canonical("ExternalTaskSensor")[0]],
    "ExternalTaskMarker": NEEDS_AIRFLOW[canonical("ExternalTaskMarker")[0]],
    "SubDagOperator": NEEDS_AIRFLOW[canonical("SubDagOperator")[0]],
    "DagStateSensor": "reads other DAG runs' states from Airflow's database",
    "ExternalDagRunSensor": "reads other DAG runs' states from Airflow's database",
}


@dataclass(frozen=True)
class Lifting:
    """Which tasks may be lifted: all of them (``convert --lift``) or the ``(dag_id, task_id)`` listed."""

    everything: bool = False
    tasks: frozenset[tuple[str, str]] = frozenset()

    def wants(self, dag_id: str, task_id: str) -> bool:
        return self.everything or (dag_id, task_id) in self.tasks


NO_LIFTING = Lifting()


def not_liftable(task: ir.Task, dag: ir.Dag) -> str | None:
    """Why the task's operator cannot run outside Airflow's scheduler (None when it can)."""
    names = {task.operator, task.base_operator} - {""}
    short = {name.rsplit(".", 1)[-1] for name in names}
    needs = next((NEEDS_AIRFLOW[n] for n in sorted(names) if n in NEEDS_AIRFLOW), None)
    needs = needs or next((NEEDS_AIRFLOW_NAMES[n] for n in sorted(short) if n in NEEDS_AIRFLOW_NAMES), None)
    # The operator's work is done by Airflow's scheduler or database, which a lifted task does not have.
    if needs:
        return needs
    # Branching and short-circuiting skip downstream task instances in Airflow's database; assets have none.
    skips = task.family in {"branch", "short_circuit", "latest_only"}
    if skips or any("Branch" in n or "ShortCircuit" in n for n in short):
        return "it skips downstream tasks by writing their states to Airflow's database"
    # A deferred operator is resumed by Airflow's triggerer; nothing resumes it under Dagster.
    if task.arguments.get("deferrable") is True or any(n.endswith("Async") for n in short):
        return "it defers to Airflow's triggerer (deferrable), which does not run under Dagster"
    # The runner runs one operator object; Airflow expands a mapped task into instances at run time.
    if task.mapped:
        return "it is a mapped task (expand): Airflow makes its instances at run time"
    # The runner asks Airflow's DagBag to load the DAG's own Python file.
    if not dag.source.file.endswith(".py"):
        return f"its DAG is built from {dag.source.file}, not from a Python file Airflow's DagBag loads alone"
    return None


def lifted(task: ir.Task, dag: ir.Dag, translation: Translation) -> Translation:
    """The task's translation with lifting asked for: LIFT, or the NONE it was with why it cannot be lifted."""
    why = not_liftable(task, dag)
    if why is not None:
        reason = f"{translation.reason} (not liftable: {why})"
        return Translation(NONE, reason, consumed=set(translation.consumed))
    notes = [
        "runs its own Airflow operator (lift_runner.py in an Airflow environment, through Pipes): Airflow stays a "
        f"library dependency of this asset; no Dagster-native translation: {translation.reason}"
    ]
    if task.arguments.get("mode") == "reschedule":
        notes.append(
            "a sensor in reschedule mode pokes inside the step instead (poke mode, its poke_interval and timeout)"
        )
    return Translation(
        LIFT,
        "runs in Dagster, depends on Airflow's library",
        consumed=set(task.arguments),
        kinds=("airflow",),
        notes=notes,
    )


def lifted_body(task_id: str, values: list[str]) -> list[str]:
    """The asset body of a LIFT task: ``support/lift.py`` runs it; ``values`` are the upstream ids it may pull."""
    pulls = ", ".join(f"{json.dumps(v, ensure_ascii=False)}: {input_name(v)}" for v in values)
    xcom = f", xcom_values={{{pulls}}}" if values else ""
    return [f"return run_lifted(context, DAG, {json.dumps(task_id, ensure_ascii=False)}, airflow{xcom})"]
