"""The layer contract (docs/architecture.md#layers) holds, and it catches an import that goes upwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    """`lint-imports` over the `converters` package of ``tree``, with the contract in its pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def copy_of_the_toolkit(target: Path) -> Path:
    shutil.copytree(ROOT / "converters", target / "converters", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def test_the_toolkit_keeps_its_layers(tmp_path):
    result = lint_imports(copy_of_the_toolkit(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


def test_a_lower_layer_importing_a_higher_one_breaks_the_contract(tmp_path):
    tree = copy_of_the_toolkit(tmp_path)
    ir = tree / "converters" / "inventory" / "ir.py"
    text = ir.read_text()
    ir.write_text(
        text.replace(
            "from __future__ import annotations\n",
            "from __future__ import annotations\n\nfrom converters.report import model  # noqa: F401\n",
            1,
        )
    )
    result = lint_imports(tree)
    assert result.returncode == 1, result.stdout
    assert "converters.inventory is not allowed to import converters.report" in result.stdout


def test_the_support_code_importing_the_toolkit_breaks_the_contract(tmp_path):
    tree = copy_of_the_toolkit(tmp_path)
    support = tree / "converters" / "codegen" / "support" / "runtime.py"
    support.write_text(support.read_text() + "\nfrom converters import files  # noqa: E402, F401\n")
    result = lint_imports(tree)
    assert result.returncode == 1, result.stdout
    assert "converters.codegen.support imports nothing from converters BROKEN" in result.stdout
