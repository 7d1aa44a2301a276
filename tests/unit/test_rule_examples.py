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


def test_every_documented_example_loads_in_dagster(tmp_path):
    """The documented output is not only text: each example, generated as a package, loads in Dagster."""
    import subprocess
    import sys

    from converters.codegen import generate
    from converters.inventory import ir
    from converters.inventory.scan import scan_source
    from converters.plan import plan_project

    packages = []
    for index, rule in enumerate(RULES):
        airflow, _ = rule_examples(rule)
        probe = scan_source(airflow, "example.py")
        name = (probe.dags[0].dag_id if probe.dags else "example") + ".py"
        folder = tmp_path / f"dags_{index}"
        folder.mkdir()
        (folder / name).write_text(airflow)
        plan = plan_project(ir.Project(str(folder), (scan_source(airflow, name),)))
        package = f"example_{index}"
        result = generate(plan, tmp_path / package, dags_folder=folder)
        assert not result.problems, (rule.name, result.problems)
        packages.append((rule.name, package))
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        f"for rule, package in {packages!r}:\n"
        "    try:\n"
        "        importlib.import_module(package + '.definitions').defs.resolve_asset_graph()\n"
        "    except Exception as exc:\n"
        "        failed.append(f'{rule}: {type(exc).__name__}: {exc}')\n"
        "print('\\n'.join(failed))\n"
        "sys.exit(1 if failed else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
