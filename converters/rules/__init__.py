"""The rule registry: one rule per operator (or operator family), found by canonical name.

Lookup order for a task: a rule listing the task's canonical operator name (highest ``priority`` first),
then a rule claiming the task's family (custom subclasses of known operators land here), then the
fallback (NONE). Third-party rules join through the entry-point group ``airflow_to_dagster.rules``: each
entry point names a ``Rule`` subclass (or a list of them) and competes on priority like a native rule.
"""

from __future__ import annotations

import importlib.metadata
from functools import cache

from converters.rules.base import Rule, TaskInput, Translation

ENTRY_POINT_GROUP = "airflow_to_dagster.rules"


def native_rules() -> list[type[Rule]]:
    from converters.rules import (
        alerting,
        bash,
        cross_dag,
        dbt,
        empty,
        fallback,
        http,
        pods,
        python,
        remote,
        sensors,
        sql,
    )

    rules: list[type[Rule]] = []
    for module in (python, bash, empty, sql, pods, http, remote, alerting, sensors, cross_dag, dbt, fallback):
        rules.extend(module.RULES)
    return rules


def plugin_rules() -> tuple[list[type[Rule]], list[str]]:
    """Rules from installed plug-ins, and the problems loading them (reported, never fatal)."""
    rules: list[type[Rule]] = []
    problems: list[str] = []
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = entry.load()
        except Exception as exc:  # noqa: BLE001 - a broken plug-in must not stop a conversion
            problems.append(f"rule plug-in {entry.name!r} ({entry.value}) failed to load: {exc}")
            continue
        items = loaded if isinstance(loaded, (list, tuple)) else [loaded]
        for item in items:
            if isinstance(item, type) and issubclass(item, Rule):
                rules.append(item)
            else:
                problems.append(f"rule plug-in {entry.name!r} gave {item!r}, not a Rule subclass")
    return rules, problems


class Registry:
    def __init__(self, rules: list[type[Rule]]) -> None:
        self.rules = [cls() for cls in rules]
        self.by_operator: dict[str, list[Rule]] = {}
        self.by_family: dict[str, list[Rule]] = {}
        for rule in self.rules:
            for operator in rule.operators:
                self.by_operator.setdefault(operator, []).append(rule)
            for family in rule.families:
                self.by_family.setdefault(family, []).append(rule)
        for table in (self.by_operator, self.by_family):
            for matches in table.values():
                matches.sort(key=lambda r: -r.priority)
        self.fallback = next(r for r in self.rules if r.name == "fallback")

    def rule_for(self, task: TaskInput) -> Rule:
        matches = self.by_operator.get(task.task.operator) or self.by_family.get(task.task.family)
        return matches[0] if matches else self.fallback

    def translate(self, task: TaskInput) -> tuple[Rule, Translation]:
        rule = self.rule_for(task)
        return rule, rule.translate(task)


@cache
def default_registry() -> Registry:
    plugins, _ = plugin_rules()
    return Registry([*native_rules(), *plugins])
