"""Every rule's documented example converts to exactly its documented output (the docs cannot drift).

After a deliberate change to the generated code, `python -m converters.docs.rules --rewrite-examples` rewrites
the ``Becomes`` blocks; review that diff like any code change.
"""

from __future__ import annotations

import pytest

from converters.docs.rules import example_output, rule_examples
from converters.rules import native_rules

RULES = native_rules()


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_documented_example_converts_to_documented_output(rule):
    airflow, documented = rule_examples(rule)
    assert airflow.strip(), f"{rule.name} documents no Airflow example"
    assert example_output(airflow) == documented, f"{rule.name}: the generated code differs from its docstring"


def test_rules_reference_in_docs_is_current():
    from converters.docs.rules import render_reference
    from converters.rules import Registry
    from converters.runtime.envs import project_root

    committed = (project_root() / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render_reference(Registry(RULES)), "run `airflow-to-dagster rules --docs docs/rules.md`"


def test_every_documented_example_loads_in_dagster(tmp_path):
    """The documented output is not only text: each example, generated as a package, loads in Dagster."""
    import subprocess
    import sys

    from converters.codegen import generate
    from converters.docs.rules import example_file
    from converters.inventory import ir
    from converters.plan import plan_project

    packages = []
    for index, rule in enumerate(RULES):
        airflow, _ = rule_examples(rule)
        folder = tmp_path / f"dags_{index}"
        folder.mkdir()
        file = example_file(airflow)
        (folder / file.path).write_text(airflow)
        plan = plan_project(ir.Project(str(folder), (file,)))
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
