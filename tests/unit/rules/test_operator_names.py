"""Each canonical operator name is written once, in the operator table (``converters/inventory/operators.py``)."""

from __future__ import annotations

import ast
from pathlib import Path

from converters.inventory.operators import KNOWN_CLASSES, canonical
from converters.rules import native_rules

CONVERTERS = Path(__file__).resolve().parents[3] / "converters"
TABLE = CONVERTERS / "inventory" / "operators.py"
CLASS_NAMES = set(KNOWN_CLASSES) | {name.rsplit(".", 1)[-1] for name, _ in KNOWN_CLASSES.values()}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def test_no_module_but_the_operator_table_spells_a_known_operator_path():
    spelled = []
    for path in sorted(CONVERTERS.rglob("*.py")):
        if path == TABLE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)  # documentation (a rule's golden example) may show paths
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                text = node.value
                if "." in text and " " not in text and text.rsplit(".", 1)[-1] in CLASS_NAMES:
                    spelled.append(f"{path.relative_to(CONVERTERS.parent)}:{node.lineno}: {text}")
    assert not spelled, "use converters.inventory.operators.canonical(...):\n" + "\n".join(spelled)


def test_every_operator_a_rule_names_resolves_in_the_table():
    known = {name for name, _ in KNOWN_CLASSES.values()}
    for rule in native_rules():
        for operator in rule.operators:
            assert operator in known or operator.startswith("airflow.decorators.task"), (rule.name, operator)


def test_aliases_resolve_to_the_canonical_name():
    assert canonical("DummyOperator", "SimpleHttpOperator") == canonical("EmptyOperator", "HttpOperator")
