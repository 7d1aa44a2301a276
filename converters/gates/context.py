"""What every gate of one ladder run reads (``Context``), and the work gates share, done once when first needed.

The configuration (``migration/gates.json``, see docs/gates.md) says where each side's warehouse is and which
environment the Dagster-side processes get; ``{project}``, ``{dagster_data}`` (a fresh folder per date) and
``{airflow_data}`` (the runtime's data folder) are expanded in its values.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from converters.gates.airflow import AirflowSide
from converters.gates.graph import read_graph
from converters.ledger import ledger
from converters.plan import PlannedDag, PlannedTask
from converters.runtime.connections import native_settings
from converters.runtime.envs import EnvironmentMissing, airflow_venv

if TYPE_CHECKING:
    from converters.gates.dagster_runs import DagsterRuns

CONFIG = "gates.json"


class GatesError(RuntimeError):
    """The gates cannot run (no configuration, no DagBag); the message says what to provide."""


def load_config(project: Path) -> dict:
    file = project / "migration" / CONFIG
    if not file.exists():
        raise GatesError(
            f"{file} is missing: it says where each side's warehouse is and which environment the Dagster runs "
            "get (see docs/gates.md)"
        )
    return json.loads(file.read_text(encoding="utf-8"))


@dataclass
class Context:
    """One ladder run: the project, the DAGs selected, the date, the Airflow side and the configuration."""

    project: Path
    selected: list[PlannedDag]
    date: str
    airflow: AirflowSide
    task_id: str | None  # one task of the selected DAGs, or every task
    config: dict
    scratch: Path  # the Dagster side's data goes to scratch/<date>
    on_event: Callable[[str], None]

    @property
    def dags_folder(self) -> Path:
        return self.project / "airflow_dags"

    @property
    def package(self) -> Path:
        return self.project / "dagster_defs"

    @property
    def data(self) -> Path:
        return self.scratch / self.date

    def tasks_of(self, planned: PlannedDag) -> list[PlannedTask]:
        """The tasks the ladder judges: every task that became an asset (or the one asked for)."""
        wanted = self.task_id
        return [t for t in planned.tasks if not t.passthrough and (wanted is None or t.task.task_id == wanted)]

    def expand(self, value: str) -> str:
        places = {
            "project": str(self.project),
            "dagster_data": str(self.data),
            "airflow_data": str(self.airflow.data_dir or self.data),
        }
        for name, path in places.items():
            value = value.replace("{" + name + "}", path)
        return value

    @cached_property
    def env(self) -> dict[str, str]:
        """The environment every Dagster-side process gets: loading the location (dbt's manifest reads it too),
        reading the graph, running the assets."""
        env = {k: self.expand(v) for k, v in self.config.get("dagster_env", {}).items()}
        env.update(native_settings(env))  # a modernized module's DuckDB resource: its file, from the connection
        env["AIRFLOW_MAJOR_VERSION"] = str(self.airflow.version)
        with contextlib.suppress(EnvironmentMissing):  # LIFT assets run their operators in the line's Airflow venv
            env.setdefault("AIRFLOW_LIFT_PYTHON", str(airflow_venv(self.airflow.version) / "bin" / "python"))
        return env

    @cached_property
    def graph(self) -> dict:
        """The generated asset graph per DAG (``converters/gates/graph.py``)."""
        return read_graph(self.package, self.env)

    @cached_property
    def dagster(self) -> DagsterRuns:
        """Every selected DAG's assets run in Dagster for the date, twice (``converters/gates/dagster_runs.py``)."""
        from converters.gates.dagster_runs import run_dags

        return run_dags(self)


def run_command(command: list[str], cwd: Path, env: dict | None = None) -> tuple[str, subprocess.CompletedProcess]:
    """Run a gate's command (without the runtime's AIRFLOW_URL); returns when it started and what it did."""
    started = ledger.now()
    process_env = {k: v for k, v in os.environ.items() if k != "AIRFLOW_URL"} | (env or {})
    done = subprocess.run(command, cwd=cwd, env=process_env, capture_output=True, text=True, timeout=900, check=False)
    return started, done


def command_evidence(command: list[str], started: str, result: subprocess.CompletedProcess, **figures) -> dict:
    """A command's evidence: what ran, when, its exit status, a digest of its output (and its tail on failure)."""
    output = (result.stdout or "") + (result.stderr or "")
    return {
        "command": " ".join(command),
        "started": started,
        "ended": ledger.now(),
        "exit": result.returncode,
        "output_sha256": hashlib.sha256(output.encode()).hexdigest(),
        "output_tail": output[-1500:] if result.returncode else "",
        **figures,
    }
