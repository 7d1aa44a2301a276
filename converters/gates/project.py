"""The gates for a project, wired as ``airflow-to-dagster gates`` and the demo's gates step both run them."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from converters.gates.airflow import airflow_side, bind_date, latest_airflow_date
from converters.gates.context import GatesError
from converters.gates.run import GatesReport, run_gates
from converters.plan import Plan, find_dag
from converters.runtime.preflight import require_dag, require_date, require_in_airflow, require_line, require_task


def run_project_gates(
    project: Path,
    dag_ids: list[str] | None = None,
    *,
    version: int,
    date: str | None = None,
    task_id: str | None = None,
    on_event: Callable[[str], None] = lambda message: None,
    busy: Callable[[str], AbstractContextManager] = lambda what: nullcontext(),
) -> GatesReport:
    """Run the ladder on ``project`` for ``dag_ids`` (default: every DAG of the Airflow line) and ``date``.

    The Airflow side comes from the runtime when it is up (its line then wins over ``version``, which is the
    line whose DagBag gate 3 loads otherwise); without ``date``, the logical date most of the DAGs last ran
    for successfully in Airflow. ``busy(what)`` wraps the ladder (the CLI's spinner). The report's
    ``exit_code`` is the command's. Raises ``GatesError`` (exit 2) when the gates cannot run."""
    from converters.flow import load_plan
    from converters.runtime.side_by_side import expected_dag_ids

    dags_folder = project / "airflow_dags"
    plan = load_plan(dags_folder)
    side, api = airflow_side(project, version)
    if dag_ids is None:
        selected = sorted(expected_dag_ids(dags_folder, side.version))
    else:
        selected = [_preflight(plan, dag_id, side.version, api) for dag_id in dag_ids]
    if task_id is not None:
        if dag_ids is None or len(selected) != 1:
            raise GatesError("--task needs the DAG it belongs to: `gates DAG --task TASK`")
        require_task(find_dag(plan, selected[0]), task_id)
    if date is not None:
        require_date(date)
    date = date or latest_airflow_date(api, selected)
    if date is None:
        raise GatesError("no --date given and no successful Airflow run to take it from (is the runtime up?)")
    with busy(f"running the gates for {date}"):
        return run_gates(
            project,
            plan,
            selected,
            date=date,
            airflow=bind_date(side, api, date),
            task_id=task_id,
            scratch=project / ".runtime" / "gates",
            on_event=on_event,
        )


def _preflight(plan: Plan, dag_id: str, version: int, api) -> str:
    """The DAG is planned and of the Airflow line the gates compare with; the running Airflow (if any) runs it."""
    planned = require_dag(plan, dag_id)
    if api is None:
        require_line(planned, version, "the DagBag of gate 3", f"`gates {dag_id} --airflow {{line}}`")
    else:
        require_in_airflow(planned, api[0])
    return planned.dag.dag_id
