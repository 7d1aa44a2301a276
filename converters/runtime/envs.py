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


def venv_dir(name: str) -> Path:
    path = project_root() / f".venv-{name}"
    if not (path / "bin" / "python").exists():
        raise EnvironmentMissing(f"{path} does not exist: run `make setup` in {project_root()}")
    return path


def airflow_venv(version: int) -> Path:
    if version not in AIRFLOW_LINES:
        raise ValueError(f"Airflow line must be one of {sorted(AIRFLOW_LINES)}, not {version}")
    return venv_dir(f"airflow-{version}")
