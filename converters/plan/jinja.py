"""What a task's templates read of its DAG's ``user_defined_macros`` and ``user_defined_filters``.

The generated renderer (``support/templates.py``) gets the macros whose values are literals
(``DagInfo(user_defined_macros=...)``). A macro that is code (a function of the DAG file or of an estate module)
and every user filter are not carried: a task whose templates use one would fail where its Airflow task ran, so
the plan keeps it in Airflow and names what it uses. (Macros the scan could not read as a dict, ``{"*": …}``, are
not judged: their names are unknown.)
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
import jinja2.meta
import jinja2.nodes

from converters.inventory import ir
from converters.inventory.callables import is_plain_literal
from converters.rules.base import strings_in

UNREAD = "*"  # the key ``to_ir`` gives a macros/filters argument it could not read as a dict


def literal_macros(dag: ir.Dag) -> dict[str, Any]:
    """The DAG's user macros the generated renderer carries: those whose values are literals."""
    return {
        name: value for name, value in dag.user_defined_macros.items() if name != UNREAD and is_plain_literal(value)
    }


def uncarried_user_code(task: ir.Task, dag: ir.Dag) -> list[str]:
    """The DAG's user macros and filters this task's templates use that the generated renderer does not have,
    each as it would be named to a user (``macro 'any_in'``)."""
    if not (dag.user_defined_macros or dag.user_defined_filters):
        return []
    names: set[str] = set()
    filters: set[str] = set()
    for value in task.arguments.values():  # `task.templated` holds those with `{{`: a `{% if %}` alone counts too
        for text in strings_in(value):
            if "{{" not in text and "{%" not in text:
                continue
            found_names, found_filters = _read_by(text)
            names |= found_names
            filters |= found_filters
    carried = literal_macros(dag)
    missing = [f"macro {n!r}" for n in sorted(names) if n in dag.user_defined_macros and n not in carried]
    return missing + [f"filter {n!r}" for n in sorted(filters) if n in dag.user_defined_filters]


class _AnyName(dict):
    """Filters and tests of any name (the DAG's own among them): reading a template must not need them defined."""

    def __contains__(self, name: object) -> bool:
        return True

    def __missing__(self, name: str) -> object:
        return _any

    def get(self, name: str, default: object = None) -> object:
        return self[name]


def _any(*args: object, **kwargs: object) -> None:
    return None


def _reading_environment() -> jinja2.Environment:
    env = jinja2.Environment()
    env.filters = _AnyName(env.filters)
    env.tests = _AnyName(env.tests)
    return env


_READER = _reading_environment()


@cache
def _read_by(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The names a template reads from its context and the filters it applies (none when it does not parse:
    Airflow fails on it the same way)."""
    try:
        tree = _READER.parse(text)
        names = jinja2.meta.find_undeclared_variables(tree)
    except jinja2.TemplateError:
        return frozenset(), frozenset()
    return frozenset(names), frozenset(node.name for node in tree.find_all(jinja2.nodes.Filter))
