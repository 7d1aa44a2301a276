"""Everything no other rule claims."""

from __future__ import annotations

from converters.rules.base import NONE, Rule, TaskInput, Translation


class Fallback(Rule):
    """What it does: keeps the task in Airflow and describes it in Dagster as an observed asset.

    Why: an operator no rule knows has no honest translation. The generated ``AssetSpec`` carries the
    source and the reason; airlift shows its materializations as Airflow runs it, and ``proxy`` refuses it.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from acme.operators import ReportOperator

    with DAG("acme", schedule=None, start_date=datetime(2024, 1, 1)):
        ReportOperator(task_id="report", report="weekly")
    ```

    Becomes:
    ```python
    # acme.py:7 · task report · rule fallback · NONE
    # not consumed: report
    report = dg.AssetSpec(
        key=["acme", "report"],
        group_name="acme",
        description="Stays in Airflow: no rule for acme.operators.ReportOperator: it stays in Airflow",
        kinds={"airflow"},
        metadata={
            "airflow/source": "acme.py:7",
            "airflow/task_id": "report",
            "airflow/operator": "acme.operators.ReportOperator",
            "airflow/rule": "fallback",
            "airflow/disposition": "NONE",
            "airflow/reason": "no rule for acme.operators.ReportOperator: it stays in Airflow",
            "airflow/unconsumed": ["report"],
        },
    )
    ```
    """

    name = "fallback"
    operators = ()
    disposition = NONE
    emits = "an observation-only AssetSpec with the source and the reason; the task stays in Airflow"

    def translate(self, task: TaskInput) -> Translation:
        operator = task.task.operator
        # No rule knows the operator, so there is no honest translation.
        return Translation(NONE, f"no rule for {operator}: it stays in Airflow")


ORDER = 1000  # last: what no other rule claims
RULES = [Fallback]
