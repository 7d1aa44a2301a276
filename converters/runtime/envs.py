"""Where the project and its virtual environments are."""

from __future__ import annotations

import os
from pathlib import Path

AIRFLOW_LINES = {2: "2.11.2", 3: "3.3.2"}


class EnvironmentMissing(RuntimeError):
    """A virtual environment the command needs has not been set up."""


def project_root() -> Path:
    """The checkout holding airflow_dags/.

    ``A2D_PROJECT_ROOT`` wins, then the working directory and its parents, then this package's checkout.
    """
    if os.environ.get("A2D_PROJECT_ROOT"):
        return Path(os.environ["A2D_PROJECT_ROOT"]).resolve()
    for candidate in (Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parents[2]):
        if (candidate / "airflow_dags").is_dir() and (candidate / "pyproject.toml").is_file():
            return candidate
    return Path(__file__).resolve().parents[2]


def toolkit_root() -> Path:
    """The checkout this package runs from (where `make setup` puts the venvs)."""
    return Path(__file__).resolve().parents[2]


def venv_dir(name: str) -> Path:
    """``.venv-<name>`` of the project, else of the toolkit's checkout (a project need not hold its own venvs)."""
    for root in dict.fromkeys((project_root(), toolkit_root())):
        path = root / f".venv-{name}"
        if (path / "bin" / "python").exists():
            return path
    raise EnvironmentMissing(f"{project_root() / f'.venv-{name}'} does not exist: run `make setup` in {toolkit_root()}")


def airflow_venv(version: int) -> Path:
    if version not in AIRFLOW_LINES:
        raise ValueError(f"Airflow line must be one of {sorted(AIRFLOW_LINES)}, not {version}")
    return venv_dir(f"airflow-{version}")
