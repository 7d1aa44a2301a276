"""The proxy block as `proxy` appended it until 2026-12-07 (before a proxied task asked Dagster only for the asset
nodes of its task: airlift's query for every node did not answer in ten minutes on an 18,000-asset location):
kept byte for byte below the marker so `rollback` still removes it from the files proxied then. Read as text,
never imported; never edit the lines below the marker.
"""

# ruff: noqa: I001, UP017
# ---- the proxy block: every line below is appended to DAG files verbatim ----
from datetime import datetime as _A2dDatetime, timezone as _A2dTimezone  # noqa: E402
from pathlib import Path as _A2dPath  # noqa: E402
import time as _A2dTime  # noqa: E402

import requests as _A2dRequests  # noqa: E402

from dagster_airlift.in_airflow import (  # noqa: E402
    DefaultProxyDAGToDagsterOperator,
    DefaultProxyTaskToDagsterOperator,
    proxying_to_dagster,
)
from dagster_airlift.in_airflow.dagster_run_utils import DagsterRunResult as _A2dRunResult  # noqa: E402
from dagster_airlift.in_airflow.proxied_state import load_proxied_state_from_yaml  # noqa: E402

try:  # Airflow 3
    from airflow.sdk.definitions._internal.contextmanager import DagContext as _A2dDagContext  # noqa: E402
except ImportError:  # Airflow 2
    from airflow.models.dag import DagContext as _A2dDagContext  # noqa: E402


def _a2d_partition_key(operator, context, partitioning_info):
    """The Dagster partition for this Airflow run: the one named like its logical date (its ds), else the
    one whose window holds that date (a manual run between two scheduled ones)."""
    logical_date = context.get("logical_date") or context["dag_run"].run_after
    fmt = partitioning_info.time_window_partitioning_info.fmt
    keys = partitioning_info.partition_keys
    if logical_date.strftime(fmt) in keys:
        return logical_date.strftime(fmt)
    started = [k for k in keys if _A2dDatetime.strptime(k, fmt).replace(tzinfo=_A2dTimezone.utc) <= logical_date]
    if not started:
        raise ValueError(f"no Dagster partition holds the logical date {logical_date.isoformat()}")
    return started[-1]


class _A2dDagsterUnreachable(Exception):
    """Dagster's webserver did not answer: the task fails, and Airflow retries it per its retry policy."""


class _A2dDagsterRunFailed(Exception):
    """The Dagster run this task launched (or waited for) did not succeed."""


class _A2dDagsterSession(_A2dRequests.Session):
    """A session whose connection errors name the Dagster they could not reach."""

    def __init__(self, dagster_url):
        super().__init__()
        self.dagster_url = dagster_url

    def request(self, method, url, *args, **kwargs):
        timeout = kwargs.get("timeout")
        if isinstance(timeout, (int, float)):
            # airlift allows 3-10 s for an answer; a busy webserver (a code location loading, a loaded machine)
            # takes longer and is not unreachable: connecting keeps airlift's limit, answering gets a minute.
            kwargs["timeout"] = (timeout, max(timeout, _A2D_ANSWER_TIMEOUT))
        try:
            return super().request(method, url, *args, **kwargs)
        except (_A2dRequests.ConnectionError, _A2dRequests.Timeout) as exc:
            raise _A2dDagsterUnreachable(
                f"Dagster at {self.dagster_url} is unreachable ({type(exc).__name__}: {exc}); "
                "the task fails and Airflow retries it per its retry policy"
            ) from exc


_A2D_TRY_TAG = "airflow-to-dagster/airflow-try-number"
_A2D_ANSWER_TIMEOUT = 60  # seconds Dagster's webserver may take to answer a request it accepted
_A2D_FAST_POLLS = 120  # looks at the run every 0.25 s for its first 30 s, then at airlift's interval
_A2D_IN_PROCESS = '{"execution": {"config": {"in_process": {}}}}'
_A2D_RUN_TAGS = [f"dagster-airlift/airflow-{name}" for name in ("dag-id", "dag-run-id", "task-id")]
_A2D_RUNS_QUERY = (
    "query A2dRuns($filter: RunsFilter) { runsOrError(filter: $filter) { __typename "
    "... on Runs { results { runId status tags { key value } } } ... on PythonError { message } } }"
)


class _A2dLaunchOnce:
    """A proxy operator that names Dagster when it is unreachable and launches one run per retry cycle."""

    def get_dagster_session(self, context):
        return _A2dDagsterSession(self.get_dagster_url(context))

    def default_dagster_run_tags(self, context):
        return {**super().default_dagster_run_tags(context), _A2D_TRY_TAG: str(context["ti"].try_number)}

    def launch_dagster_run(self, context, session, dagster_url, execution_params):
        tags = {tag["key"]: tag["value"] for tag in execution_params["executionMetadata"]["tags"]}
        ti = context["ti"]
        first_try = ti.max_tries - (self.retries or 0) + 1  # Airflow's own rule for the current retry cycle
        response = session.post(
            f"{dagster_url}/graphql",
            json={
                "query": _A2D_RUNS_QUERY,
                "variables": {"filter": {"tags": [{"key": k, "value": tags[k]} for k in _A2D_RUN_TAGS]}},
            },
            timeout=10,
        )
        runs = self.get_valid_graphql_response(response, "runsOrError").get("results") or []
        earlier = []
        for run in runs:
            launched_by = {tag["key"]: tag["value"] for tag in run["tags"]}.get(_A2D_TRY_TAG, "")
            if launched_by.isdigit() and first_try <= int(launched_by) < ti.try_number:
                earlier.append(run)
        for wanted in ("SUCCESS", "QUEUED", "NOT_STARTED", "STARTING", "STARTED"):
            for run in earlier:
                if run["status"] == wanted:
                    self.log.info(
                        "An earlier try of this task launched Dagster run %s (%s): "
                        "waiting for it instead of launching another",
                        run["runId"],
                        run["status"],
                    )
                    return run["runId"]
        return super().launch_dagster_run(context, session, dagster_url, execution_params)

    def wait_for_run_to_complete(self, session, dagster_url, run_id):
        polls = 0
        while True:
            run = self.get_dagster_run_obj(session, dagster_url, run_id)
            if run["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
                return _A2dRunResult(status=run["status"], tags={tag["key"]: tag["value"] for tag in run["tags"]})
            polls += 1
            _A2dTime.sleep(0.25 if polls <= _A2D_FAST_POLLS else self.dagster_run_status_poll_interval)

    def wait_for_run_and_retries_to_complete(self, session, dagster_url, run_id):
        try:
            return super().wait_for_run_and_retries_to_complete(session=session, dagster_url=dagster_url, run_id=run_id)
        except _A2dDagsterUnreachable:
            raise
        except Exception as exc:
            raise _A2dDagsterRunFailed(f"the Dagster run {dagster_url}/runs/{run_id} did not succeed: {exc}") from exc


class _A2dTaskProxy(_A2dLaunchOnce, DefaultProxyTaskToDagsterOperator):
    get_partition_key = _a2d_partition_key

    def launch_dagster_run(self, context, session, dagster_url, execution_params):
        in_one_process = {**execution_params, "runConfigData": _A2D_IN_PROCESS}
        return super().launch_dagster_run(context, session, dagster_url, in_one_process)

    @classmethod
    def build_from_task(cls, task):
        # airlift's copy, with the task's own id: the copy joins the task's TaskGroup, which prefixes the
        # (already prefixed) id a second time, and Airflow then cannot load the serialized DAG.
        operator = super().build_from_task(task)
        if operator.task_id != task.task_id:
            group = operator.task_group
            if group is not None and group.children.get(operator.task_id) is operator:
                del group.children[operator.task_id]
                group.children[task.task_id] = operator
            operator.task_id = task.task_id
        return operator


class _A2dDagProxy(_A2dLaunchOnce, DefaultProxyDAGToDagsterOperator):
    get_partition_key = _a2d_partition_key

    @classmethod
    def build_from_dag(cls, dag):
        return cls(task_id=f"DAGSTER_OVERRIDE_DAG_{dag.dag_id}", dag=dag)


proxying_to_dagster(
    global_vars={
        id(value): value
        for value in [
            *globals().values(),
            *(dag for dag, module in _A2dDagContext.autoregistered_dags if module.__name__ == __name__),
        ]
    },
    proxied_state=load_proxied_state_from_yaml(_A2dPath(__file__).resolve().parent / "proxied_state"),
    build_from_task_fn=_A2dTaskProxy.build_from_task,
    build_from_dag_fn=_A2dDagProxy.build_from_dag,
)
