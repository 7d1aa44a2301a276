"""No-ops: EmptyOperator (DummyOperator) and LatestOnlyOperator."""

from __future__ import annotations

from converters.inventory.operators import canonical
from converters.rules.base import MECH, Rule, TaskInput, Translation


class Empty(Rule):
    """What it does: drops an EmptyOperator/DummyOperator and joins its upstream to its downstream.

    Why: the task does nothing but shape the graph. No asset is generated; every downstream asset depends
    on the upstream assets instead, so the lineage is the same.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.operators.empty import EmptyOperator

    with DAG("shape", schedule=None, start_date=datetime(2024, 1, 1)):
        EmptyOperator(task_id="start")
    ```

    Becomes:
    ```python
    # shape.py:7 · task start · rule empty.passthrough · MECH · no asset: its dependencies pass through
    ```
    """

    name = "empty.passthrough"
    operators = canonical("EmptyOperator")
    families = ("empty",)
    emits = "no asset: upstream and downstream dependencies are joined"

    def translate(self, task: TaskInput) -> Translation:
        return Translation(MECH, "a no-op: its dependencies pass through", passthrough=True)


class LatestOnly(Rule):
    """What it does: drops a LatestOnlyOperator and joins its upstream to its downstream.

    Why: Airflow skips the downstream tasks of runs that are not the latest (backfills). A Dagster schedule
    only requests the latest partition, and a backfill is an explicit choice, so no asset is needed.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.operators.latest_only import LatestOnlyOperator

    with DAG("latest", schedule="@daily", start_date=datetime(2024, 1, 1)):
        LatestOnlyOperator(task_id="latest_only")
    ```

    Becomes:
    ```python
    # latest.py:7 · task latest_only · rule empty.latest_only · MECH
    # note: LatestOnly: a Dagster backfill of old partitions runs the downstream assets too · no asset: its dependencies
    # pass through
    ```
    """

    name = "empty.latest_only"
    operators = canonical("LatestOnlyOperator")
    families = ("latest_only",)
    emits = "no asset: schedules request the latest partition; backfills are explicit"

    def translate(self, task: TaskInput) -> Translation:
        t = Translation(MECH, "schedules only request the latest partition", passthrough=True)
        t.notes.append("LatestOnly: a Dagster backfill of old partitions runs the downstream assets too")
        return t


ORDER = 30
RULES = [Empty, LatestOnly]
