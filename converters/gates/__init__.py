"""The gate ladder: per task, cheapest first, each gate with stored evidence (see docs/gates.md).

1. planned: the scan and the rules gave it a disposition other than NONE;
2. lint and load: its generated module passes ``ruff check`` and the code location loads
   (``dagster definitions validate``);
3. structure: its upstream tasks in the generated asset graph equal its upstream tasks in Airflow's own DagBag
   (pass-through tasks bridged, a cosmos group's tasks folded into the group);
4. materializes: its assets materialize in a real Dagster run for the date (or are skipped where Airflow
   skipped the task, a branch not taken);
5. data parity: every warehouse table it writes holds, for the date, the rows the Airflow run wrote (row count
   and order-independent checksum; the first differing rows when not); n/a when it writes no table;
6. idempotent: running it again for the same partition leaves those tables identical.

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
