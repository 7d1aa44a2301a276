"""The gate ladder: per task, cheapest first, each gate with stored evidence (see docs/gates.md).

A task's ladder stops at its first failing gate (the later ones are ``skipped``). Results go to the ledger.

Each gate is one module of ``ladder/`` defining a ``Gate`` record (``gate.py``); ``registry.py`` finds them and
is what everything else reads. ``run.py`` composes them (``run_gates``), ``context.py`` holds what they share,
``dagster_runs.py`` the Dagster runs gates 4-6 judge, ``airflow.py`` the Airflow side, and ``project.py`` the
wiring the CLI's ``gates`` command and the demo both call (``run_project_gates``).
"""

from __future__ import annotations

from converters.gates.airflow import AirflowSide, airflow_side, bind_date, latest_airflow_date
from converters.gates.context import CONFIG, Context, GatesError, load_config
from converters.gates.project import run_project_gates
from converters.gates.run import GateResult, GatesReport, run_gates

__all__ = [
    "CONFIG",
    "AirflowSide",
    "Context",
    "GateResult",
    "GatesError",
    "GatesReport",
    "airflow_side",
    "bind_date",
    "latest_airflow_date",
    "load_config",
    "run_gates",
    "run_project_gates",
]
