"""The rule registry: one rule per operator (or operator family), found by canonical name.

The native rules are the ``RULES`` of the modules of this package, found by walking it: a new module with
``RULES`` and ``ORDER`` joins without being listed anywhere (``native_rules``).

Lookup order for a task: a rule listing the task's canonical operator name (highest ``priority`` first),
then a rule claiming the task's family (custom subclasses of known operators land here), then the
fallback (NONE). Third-party rules join through the entry-point group ``airflow_to_dagster.rules``: each
entry point names a ``Rule`` subclass (or a list of them) and competes on priority like a native rule.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
from functools import cache

from converters.rules.base import Rule, TaskInput, Translation, judge_code

ENTRY_POINT_GROUP = "airflow_to_dagster.rules"


def native_rules() -> list[type[Rule]]:
    """The ``RULES`` of every module of this package, found by walking it (there is no list to keep).

    A rule module declares ``RULES`` and ``ORDER``: modules come in ``ORDER`` (then by name), each with its
    ``RULES`` in their written order. That order is the one of the rules reference and of ``rules``; it never
    decides which rule translates a task (``Registry`` does: priority, then native before plug-in).
    """
    modules = []
    for found in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{found.name}")
        if hasattr(module, "RULES"):
            modules.append(module)
    modules.sort(key=lambda module: (module.ORDER, module.__name__))
    return [rule for module in modules for rule in module.RULES]


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
                matches.sort(key=_precedence)
        self.fallback = next(r for r in self.rules if r.name == "fallback")

    def rule_for(self, task: TaskInput) -> Rule:
        matches = self.by_operator.get(task.task.operator) or self.by_family.get(task.task.family)
        return matches[0] if matches else self.fallback

    def translate(self, task: TaskInput) -> tuple[Rule, Translation]:
        from converters.rules.estate import translate_subclass  # a rule module: found like the others

        # A rule may claim an estate class by its own name; else its known base's rule translates it.
        through_base = None if task.task.operator in self.by_operator else translate_subclass(self, task)
        rule, translation = through_base or (self.rule_for(task), None)
        translation = translation or rule.translate(task)
        judge_code(task, translation)
        return rule, translation


def _precedence(rule: Rule) -> tuple[int, bool]:
    """Which of two rules matching the same task wins: the higher priority, then a native rule over a plug-in.

    Two native rules never tie (``tests/unit/rules/test_registry.py``); plug-ins that tie keep the order in
    which their entry points load.
    """
    return -rule.priority, not is_native(type(rule))


def is_native(rule: type[Rule]) -> bool:
    return rule.__module__.startswith(__name__ + ".")


@cache
def default_registry() -> Registry:
    plugins, _ = plugin_rules()
    return Registry([*native_rules(), *plugins])
