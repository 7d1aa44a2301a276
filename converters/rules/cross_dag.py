"""Between DAGs: TriggerDagRunOperator, ExternalTaskMarker, SubDagOperator."""

from __future__ import annotations

from converters.inventory.operators import canonical
from converters.rules.base import NONE, REDESIGN, Rule, TaskInput, Translation


class TriggerDagRun(Rule):
    """What it does: replaces a TriggerDagRunOperator by lineage: the triggered DAG's first assets depend on
    this task's upstream assets and materialize when they do (an eager automation condition).

    Why: in Dagster, "run B after A" is a dependency, not a task. The ``conf`` the trigger passed is not
    sent (the downstream reads what it needs from the assets), hence REDESIGN.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.operators.trigger_dagrun import TriggerDagRunOperator

    with DAG("first", schedule="@daily", start_date=datetime(2024, 1, 1)):
        TriggerDagRunOperator(task_id="then_second", trigger_dag_id="second")
    ```

    Becomes:
    ```python
    # first.py:7 · task then_second · rule cross_dag.trigger · REDESIGN · no asset: its dependencies pass through
    ```
    """

    name = "cross_dag.trigger"
    operators = canonical("TriggerDagRunOperator")
    families = ("trigger_dag",)
    disposition = REDESIGN
    emits = "no asset: the triggered DAG's first assets depend on this task's upstream (eager automation)"

    def translate(self, task: TaskInput) -> Translation:
        target = task.args.get("trigger_dag_id")
        # If the triggered DAG id isn't a literal, we can't know which DAG's assets follow this one.
        if not isinstance(target, str):
            return Translation(NONE, "the triggered DAG id is not a literal")
        t = Translation(REDESIGN, f"{target} follows through asset dependencies", passthrough=True, triggers=target)
        t.consumed |= {"trigger_dag_id", "conf", "wait_for_completion", "poke_interval", "reset_dag_run"}
        t.consumed |= {"logical_date", "execution_date", "allowed_states", "failed_states", "trigger_run_id"}
        if task.args.get("conf"):
            t.notes.append("conf passed to the triggered DAG is not sent; the downstream reads the assets instead")
        return t


class ExternalMarker(Rule):
    """What it does: drops an ExternalTaskMarker (clearing across DAGs follows asset lineage in Dagster).

    Why: the marker only tells Airflow to clear another DAG's task with this one; Dagster re-materializes
    downstream assets from lineage instead (REDESIGN).

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.sensors.external_task import ExternalTaskMarker

    with DAG("parent", schedule="@daily", start_date=datetime(2024, 1, 1)):
        ExternalTaskMarker(task_id="mark", external_dag_id="child", external_task_id="wait")
    ```

    Becomes:
    ```python
    # parent.py:7 · task mark · rule cross_dag.marker · REDESIGN · no asset: its dependencies pass through
    ```
    """

    name = "cross_dag.marker"
    operators = canonical("ExternalTaskMarker")
    families = ("external_marker",)
    disposition = REDESIGN
    emits = "no asset: dependencies pass through"

    def translate(self, task: TaskInput) -> Translation:
        t = Translation(REDESIGN, "clearing across DAGs follows asset lineage", passthrough=True)
        t.consumed |= {"external_dag_id", "external_task_id", "recursion_depth", "logical_date", "execution_date"}
        return t


class SubDag(Rule):
    """What it does: keeps a SubDagOperator in Airflow.

    Why: the sub-DAG's tasks are built by a factory the static scan does not run; flattening them needs
    the DagBag (``verify --dagbag --adopt-dagbag``), after which they convert like any other task.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.operators.subdag import SubDagOperator
    from factories import build_section

    with DAG("parent", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
        SubDagOperator(task_id="section", subdag=build_section("parent.section"))
    ```

    Becomes:
    ```python
    # parent.py:8 · task section · rule cross_dag.subdag · NONE
    # not consumed: subdag
    section = dg.AssetSpec(
        key=["parent", "section"],
        group_name="parent",
        description="Stays in Airflow: a SubDag: flatten it with `verify --dagbag --adopt-dagbag` to convert its tasks",
        kinds={"airflow"},
        metadata={
            "airflow/source": "parent.py:8",
            "airflow/task_id": "section",
            "airflow/operator": "airflow.operators.subdag.SubDagOperator",
            "airflow/rule": "cross_dag.subdag",
            "airflow/disposition": "NONE",
            "airflow/reason": "a SubDag: flatten it with `verify --dagbag --adopt-dagbag` to convert its tasks",
            "airflow/unconsumed": ["subdag"],
        },
    )
    ```
    """

    name = "cross_dag.subdag"
    operators = canonical("SubDagOperator")
    families = ("subdag",)
    disposition = NONE
    emits = "an observation-only AssetSpec; flatten the sub-DAG through the DagBag first"

    def translate(self, task: TaskInput) -> Translation:
        # A SubDag's tasks come from a factory the static scan does not run: there is nothing to translate yet.
        return Translation(NONE, "a SubDag: flatten it with `verify --dagbag --adopt-dagbag` to convert its tasks")


ORDER = 100
RULES = [TriggerDagRun, ExternalMarker, SubDag]
