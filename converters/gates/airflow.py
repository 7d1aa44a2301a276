"""The Airflow side of the gates: its warehouse and, when the runtime runs, its runs for the date."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class AirflowSide:
    """What the gates know of the Airflow run for the date: its warehouse and, when reachable, its tasks."""

    data_dir: Path | None
    version: int
    task_states: Callable[[str], dict[str, str] | None] = lambda dag_id: None
    conf: Callable[[str], dict | None] = lambda dag_id: None
    finished: Callable[[str], list[str]] = lambda date: []  # DAG ids in the order their runs for date ended


def airflow_side(project: Path, version: int) -> tuple[AirflowSide, object | None]:
    """The Airflow side from the runtime's state: its data folder and, when it runs, its API."""
    from converters.runtime import side_by_side

    state = side_by_side.load_state(project)
    if state is None:
        return AirflowSide(None, version), None
    running = all(state.alive().values())
    side = AirflowSide(Path(state.data_dir), state.airflow_version)
    if not running:
        return side, None
    client = state.airflow()
    runs_cache: dict[str, dict | None] = {}

    def run_for(dag_id: str, date: str) -> dict | None:
        if dag_id not in runs_cache:
            runs = [
                r
                for r in client.dag_runs(dag_id)
                if (r.get("logical_date") or r.get("execution_date") or "").startswith(date) and r["state"] == "success"
            ]
            runs_cache[dag_id] = max(runs, key=lambda r: r.get("end_date") or "") if runs else None
        return runs_cache[dag_id]

    return side, (client, run_for)


def bind_date(side: AirflowSide, api, date: str) -> AirflowSide:
    """The Airflow side's task states and conf for ``date`` (the successful run of that logical date)."""
    if api is None:
        return side
    client, run_for = api

    def task_states(dag_id: str) -> dict[str, str] | None:
        run = run_for(dag_id, date)
        if run is None:
            return None
        return {ti["task_id"]: ti.get("state") or "none" for ti in client.task_instances(dag_id, run["dag_run_id"])}

    def conf(dag_id: str) -> dict | None:
        run = run_for(dag_id, date)
        return (run or {}).get("conf") or None

    def finished(_: str) -> list[str]:
        dags = [d["dag_id"] for d in client.dags()]
        ends = {d: (run_for(d, date) or {}).get("end_date") for d in dags}
        return sorted((d for d in dags if ends[d]), key=lambda d: ends[d])

    return AirflowSide(side.data_dir, side.version, task_states, conf, finished)


def latest_airflow_date(api, dag_ids: list[str]) -> str | None:
    """The most recent logical date (``YYYY-MM-DD``) with a successful Airflow run among ``dag_ids``."""
    if api is None:
        return None
    client, _ = api
    latest = []
    for dag_id in dag_ids:
        dates = [
            (r.get("logical_date") or r.get("execution_date") or "")[:10]
            for r in client.dag_runs(dag_id)
            if r["state"] == "success"
        ]
        if any(dates):
            latest.append(max(dates))
    if not latest:
        return None
    return max(sorted(set(latest)), key=latest.count)  # the date most DAGs last ran for
