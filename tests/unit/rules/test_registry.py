"""The native rules are discovered from the package, in an explicit order, and never tie on a match."""

from __future__ import annotations

import importlib
import pkgutil

import converters.rules
from converters.rules import Registry, native_rules
from converters.rules.base import Rule


def _rule_modules():
    modules = [
        importlib.import_module(f"converters.rules.{m.name}") for m in pkgutil.iter_modules(converters.rules.__path__)
    ]
    return [module for module in modules if hasattr(module, "RULES")]


def test_every_rule_module_is_discovered_in_its_declared_order():
    modules = sorted(_rule_modules(), key=lambda module: module.ORDER)
    assert len({module.ORDER for module in modules}) == len(modules), "two rule modules share an ORDER"
    assert native_rules() == [rule for module in modules for rule in module.RULES]
    assert native_rules()[-1].name == "fallback"


def test_every_rule_class_of_a_rule_module_is_in_its_rules():
    for module in _rule_modules():
        defined = {
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, Rule) and value.__module__ == module.__name__
        }
        assert defined == set(module.RULES), module.__name__


def test_no_two_native_rules_claim_the_same_operator_or_family_at_the_same_priority():
    registry = Registry(native_rules())
    for table in (registry.by_operator, registry.by_family):
        for key, matches in table.items():
            priorities = [rule.priority for rule in matches]
            assert len(priorities) == len(set(priorities)), f"{key} is claimed by {[r.name for r in matches]}"


def test_a_plugin_rule_loses_a_tie_to_the_native_rule_and_wins_with_a_higher_priority():
    class Tied(Rule):
        name = "acme.bash"
        operators = next(r for r in native_rules() if r.name == "bash.command").operators

    class Higher(Tied):
        name = "acme.bash_first"
        priority = 1

    operator = Tied.operators[0]
    assert Registry([Tied, *native_rules()]).by_operator[operator][0].name == "bash.command"
    assert Registry([*native_rules(), Higher]).by_operator[operator][0].name == "acme.bash_first"
