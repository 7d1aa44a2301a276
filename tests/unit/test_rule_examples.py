"""Every rule's documented example converts to exactly its documented output (the docs cannot drift).

Set ``A2D_UPDATE_GOLDEN=1`` to rewrite the ``Becomes`` blocks from the current output, then review the diff
like any code change.
"""

from __future__ import annotations

import inspect
import os
import re
import textwrap

import pytest

from converters.rules import native_rules
from converters.rules.docs import example_output, rule_examples

RULES = native_rules()


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_documented_example_converts_to_documented_output(rule):
    airflow, documented = rule_examples(rule)
    assert airflow.strip(), f"{rule.name} documents no Airflow example"
    actual = example_output(airflow)
    if os.environ.get("A2D_UPDATE_GOLDEN") and actual != documented:
        _rewrite_becomes(rule, actual)
        pytest.skip("golden block rewritten")
    assert actual == documented, f"{rule.name}: the generated code differs from its docstring"


def _rewrite_becomes(rule, actual: str) -> None:
    path = inspect.getsourcefile(rule)
    source = open(path, encoding="utf-8").read()
    start = source.index(f"class {rule.__name__}(")
    head, body = source[:start], source[start:]
    indented = textwrap.indent(actual, "    ").replace("\\", "\\\\")
    indented = "\n".join(line.rstrip() for line in indented.splitlines()) + "\n"
    new_body = re.sub(
        r"(    Becomes:\n    ```python\n)(.*?)(    ```\n)",
        lambda m: m.group(1) + indented + m.group(3),
        body,
        count=1,
        flags=re.DOTALL,
    )
    open(path, "w", encoding="utf-8").write(head + new_body)


def test_rules_reference_in_docs_is_current():
    from converters.rules import Registry
    from converters.rules.docs import render_reference
    from converters.runtime.envs import project_root

    committed = (project_root() / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render_reference(Registry(RULES)), "run `airflow-to-dagster rules --docs docs/rules.md`"
