"""The estate's own operator classes: subclasses of known operators, and the classes no rule can follow yet."""

from __future__ import annotations

import dataclasses

from converters.inventory import ir
from converters.inventory.estate import RUN_TIME_METHODS
from converters.rules.base import JUDG, NONE, Rule, TaskInput, Translation, worse


def estate_class(task: TaskInput) -> ir.EstateClass | None:
    """The record of the estate class a task is an instance of (its file lists the classes its tasks use)."""
    return next((c for c in task.file.estate_classes if c.qualified == task.task.operator), None)


def _where(record: ir.EstateClass) -> str:
    return f"{record.qualified} ({record.source.file}:{record.source.line})"


class EstateOperator(Rule):
    """What it does: keeps a task of an estate operator class no rule can follow in Airflow, naming why.

    Why: the estate's own classes (``plugins/``, ``operators/``, a shared ``common`` module) are resolved through
    their bases. A subclass of a known operator is translated by that operator's rule (its defaults and
    ``__init__`` applied; ``translate_subclass``). What is left here runs code of its own: a ``BaseOperator`` or
    ``BaseSensorOperator`` subclass's ``execute``/``poke``, a class chosen at import time, a base the scan cannot
    read. Each says which.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.models import BaseOperator


    class CountRowsOperator(BaseOperator):
        def execute(self, context):
            return 1


    with DAG("acme", schedule=None, start_date=datetime(2024, 1, 1)):
        CountRowsOperator(task_id="count")
    ```

    Becomes:
    ```python
    # acme.py:13 · task count · rule estate_operator · NONE
    count = dg.AssetSpec(
        key=["acme", "count"],
        group_name="acme",
        description="Stays in Airflow: an estate operator's execute() is its own code, not copied into Dagster yet: acme.CountRowsOperator (acme.py:7)",
        kinds={"airflow"},
        metadata={
            "airflow/source": "acme.py:13",
            "airflow/task_id": "count",
            "airflow/operator": "acme.CountRowsOperator",
            "airflow/rule": "estate_operator",
            "airflow/disposition": "NONE",
            "airflow/reason": "an estate operator's execute() is its own code, not copied into Dagster yet: acme.CountRowsOperator (acme.py:7)",
        },
    )
    ```
    """

    name = "estate_operator"
    operators = ()
    families = ("estate",)
    disposition = NONE
    emits = "an observation-only AssetSpec naming the estate class and what it needs; the task stays in Airflow"

    def translate(self, task: TaskInput) -> Translation:
        unrecorded = ir.EstateClass(task.task.operator, task.task.source, (task.task.operator,), kind="unresolved")
        record = estate_class(task) or unrecorded
        uses = f" ({'; '.join(record.notes)})" if record.notes and record.kind != "runtime" else ""
        # Which class runs is decided when its module is imported (an environment switch): no one rule applies.
        if record.kind == "runtime":
            chosen = record.notes[0] if record.notes else "an expression"
            return Translation(
                NONE, f"the operator class is chosen when its module is imported: {record.qualified} = {chosen}"
            )
        # Its base is neither Airflow's nor estate code the scan reads: what it does is unknown.
        if record.kind == "unresolved":
            return Translation(
                NONE,
                f"an estate class derives from a class whose code the scan cannot see: {_where(record)} "
                f"derives from {record.bases[-1]}",
            )
        # A sensor's poke() is the estate's own code; the sensor rules only know Airflow's sensors.
        if record.kind == "sensor":
            return Translation(NONE, f"an estate sensor's poke() is its own code: {_where(record)}{uses}")
        # A BaseOperator subclass without execute() fails in Airflow too (or inherits one the scan cannot see).
        if "execute" not in record.overrides:
            return Translation(NONE, f"an estate BaseOperator subclass defines no execute(): {_where(record)}")
        # execute() is the estate's own code; copying the class to the Dagster side is not built yet.
        return Translation(
            NONE, f"an estate operator's execute() is its own code, not copied into Dagster yet: {_where(record)}{uses}"
        )


def translate_subclass(registry, task: TaskInput) -> tuple[Rule, Translation] | None:
    """A task of an estate subclass of a known operator: that operator's rule, then what the subclass changes.

    None when the task is not one (the registry then looks it up as usual).
    """
    record = estate_class(task)
    if record is None or record.kind != "subclass" or not task.task.base_operator:
        return None
    as_base = dataclasses.replace(task, task=dataclasses.replace(task.task, operator=task.task.base_operator))
    rule = registry.rule_for(as_base)
    translation = rule.translate(as_base)
    if translation.disposition == NONE:
        return rule, translation
    base = record.base_operator.rsplit(".", 1)[-1]
    changed = [m for m in record.overrides if m in RUN_TIME_METHODS]
    own = registry.by_family["estate"][0]
    if "execute" in changed and "execute" not in record.calls_super:
        return own, _replaced_execute(record, base)
    followed = "; ".join(
        [f"overrides {', '.join(m + '()' for m in changed)}" for _ in [0] if changed]
        + ["sets its own template_fields" for _ in [0] if "template_fields" in record.attributes]
    )
    if followed:
        translation.disposition = worse(translation.disposition, JUDG)
        translation.reason = (
            f"{translation.reason}; estate class {_where(record)} {followed}: translated as {base}, "
            "review what it changes"
        )
    translation.notes.append(f"estate class {_where(record)}: translated as {base} with its defaults applied")
    return rule, translation


def _replaced_execute(record: ir.EstateClass, base: str) -> Translation:
    # The subclass replaces its base's execute(): the base's translation would run something else.
    return Translation(
        NONE, f"an estate subclass replaces its base's execute(): {_where(record)} does not call {base}.execute()"
    )


ORDER = 990  # before the fallback
RULES = [EstateOperator]
