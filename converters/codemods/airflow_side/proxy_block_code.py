"""The proxy block's Airflow-side code: the lines below the marker line are what `proxy` appends to a DAG file.

This file is read as text (``converters.codemods.proxy_block``), never imported by the toolkit: it imports
Airflow and dagster-airlift's in-Airflow part. Its lines below the marker are inserted verbatim, in the DAG
file's line endings, with one template: the ``.parent`` after ``.resolve()`` is repeated once per folder the
DAG file sits below the DAGs folder's root (``depth``). `rollback` only removes a block equal to this text or
to an earlier version's (``proxy_block_code_<n>.py``, kept byte for byte below their marker): before changing
the lines below, copy this file to the next such number and list it in ``proxy_block.EARLIER_SOURCES``. The lint
exemptions are for lines that must stay as they were proxied.

The block finds the file's DAGs among its globals and among the DAGs Airflow registered while the file ran
(``@dag`` functions and ``with DAG(...)`` blocks register theirs even when no global name holds them), and
reads the proxied state from the ``proxied_state/`` folder at the root of the DAGs folder. Its operators are
airlift's defaults except for the partition a run gets: airlift wants the logical date to parse back from
the partition key exactly, which fails for schedules at an hour offset (`0 6 * * *` with daily keys) and for
manual runs; here the partition is the one named like the run's ds, else the one whose window holds it.

Two more changes make the proxied task safe when Dagster fails under it. A webserver that does not answer
fails the task with a message naming Dagster's URL (airlift's own is a bare connection error), and Airflow
retries it per the task's retry policy. A retry does not launch a second run when an earlier try of the same
retry cycle already launched one that succeeded or is still going (the Airflow task failed while Dagster
kept working): it waits for that run instead, so one Airflow task instance makes one successful Dagster run.
Each run is tagged with the Airflow try that launched it; a cleared task starts a new cycle (Airflow raises
its ``max_tries``, the first try of a cycle is ``max_tries - retries + 1``) and runs again.

A proxied task asks Dagster for the asset nodes of its own task only. airlift asks for every asset node with its
metadata and filters them in Airflow; on a location of 18,000 assets that query does not answer in ten minutes.
Here the operator first reads the index that the generated location's peering puts on the DAG's asset
(``<AIRFLOW_INSTANCE_NAME>/dag/<dag_id>``, metadata ``airflow-to-dagster/task-assets``: the keys mapped to each
task and to the DAG), then asks for exactly those nodes, which airlift's own filter still checks. Where the
DAG's asset carries no index (a location generated before it, another ``AIRFLOW_INSTANCE_NAME`` than Dagster's),
it asks airlift's way, and its log says so.

The rest make a proxied task cost less than airlift's defaults (`make bench` breaks the cost down). A task's run
executes in one process, as the Airflow task did (Dagster's in-process executor: no step subprocess to start and
import the code location again, ~1.5-2 s; pools and retry policies still apply); a whole DAG's run keeps
Dagster's default, a process per step. And the operator looks at its run every 0.1 s during the run's first
5 s, every 0.25 s until 30 s (airlift looks every second, adding up to a second to every task), then every
second; it asks Dagster for no version check (airlift's first request) and, on a retry cycle's first try, for no
earlier try's run.
"""

# ruff: noqa: I001, UP017
# ---- the proxy block: every line below is appended to DAG files verbatim ----
from datetime import datetime as _A2dDatetime, timezone as _A2dTimezone  # noqa: E402
import json as _A2dJson  # noqa: E402
import os as _A2dOs  # noqa: E402
from pathlib import Path as _A2dPath  # noqa: E402
import re as _A2dRe  # noqa: E402
import time as _A2dTime  # noqa: E402

import requests as _A2dRequests  # noqa: E402

from dagster_airlift.in_airflow import (  # noqa: E402
    DefaultProxyDAGToDagsterOperator,
    DefaultProxyTaskToDagsterOperator,
    proxying_to_dagster,
)
from dagster_airlift.in_airflow.dagster_run_utils import DagsterRunResult as _A2dRunResult  # noqa: E402
from dagster_airlift.in_airflow.gql_queries import ASSET_NODES_QUERY as _A2D_ASSET_NODES_QUERY  # noqa: E402
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
_A2D_POLLS = ((50, 0.1), (100, 0.25))  # looks at the run every 0.1 s for 5 s, every 0.25 s until 30 s, then 1 s
_A2D_IN_PROCESS = '{"execution": {"config": {"in_process": {}}}}'
_A2D_RUN_TAGS = [f"dagster-airlift/airflow-{name}" for name in ("dag-id", "dag-run-id", "task-id")]
_A2D_RUNS_QUERY = (
    "query A2dRuns($filter: RunsFilter) { runsOrError(filter: $filter) { __typename "
    "... on Runs { results { runId status tags { key value } } } ... on PythonError { message } } }"
)

_A2D_INDEX = "airflow-to-dagster/task-assets"
_A2D_INDEX_QUERY = (
    "query A2dIndex($keys: [AssetKeyInput!]) { assetNodes(assetKeys: $keys) "
    "{ metadataEntries { ... on JsonMetadataEntry { label jsonString } } } }"
)
# airlift's query for every asset node, asking for the given keys only (the same fields for its filter).
_A2D_KEYED_NODES_QUERY, _A2D_KEYED = _A2dRe.subn(
    r"query AssetNodeQuery\s*\{\s*assetNodes\s*\{",
    "query AssetNodeQuery($keys: [AssetKeyInput!]) { assetNodes(assetKeys: $keys) {",
    _A2D_ASSET_NODES_QUERY,
    count=1,
)


def _a2d_poll_delay(polls, interval):
    """The wait before the next look at the run: short while it is young (a proxied task's run often takes a
    second or two), airlift's interval once it has run for 30 s."""
    for count, delay in _A2D_POLLS:
        if polls <= count:
            return delay
        polls -= count
    return interval


def _a2d_dag_asset_key(dag_id):
    """The key of the DAG's asset as airlift names it: ``<instance>/dag/<dag_id as a valid Dagster name>``."""
    name = "".join(c if _A2dRe.fullmatch("[A-Za-z0-9_]", c) else "__" if c == "/" else "_" for c in dag_id)
    return [_A2dOs.environ.get("AIRFLOW_INSTANCE_NAME", "airflow"), "dag", name]


class _A2dLaunchOnce:
    """A proxy operator that names Dagster when it is unreachable and launches one run per retry cycle."""

    def get_dagster_session(self, context):
        return _A2dDagsterSession(self.get_dagster_url(context))

    def _get_validated_session(self, context):
        # airlift first asks Dagster for its version; the index query is the first request instead, and its
        # failures name Dagster as clearly: one round trip less per task.
        return self.get_dagster_session(context)

    def default_dagster_run_tags(self, context):
        return {**super().default_dagster_run_tags(context), _A2D_TRY_TAG: str(context["ti"].try_number)}

    def get_all_asset_nodes(self, session, dagster_url, context):
        keys = self._a2d_indexed_keys(session, dagster_url, context)
        if keys is None:
            return super().get_all_asset_nodes(session, dagster_url, context)
        self.log.info("Dagster's index on the DAG's asset names %d asset(s) for this task: reading those", len(keys))
        if not keys:
            return []
        response = session.post(
            f"{dagster_url}/graphql",
            json={"query": _A2D_KEYED_NODES_QUERY, "variables": {"keys": [{"path": key} for key in keys]}},
            timeout=3,
        )
        return self.get_valid_graphql_response(response, "assetNodes")

    def _a2d_indexed_keys(self, session, dagster_url, context):
        """The asset keys the index on the DAG's asset maps to this operator, or None when there is no index."""
        dag_key = _a2d_dag_asset_key(self.get_airflow_dag_id(context))
        try:
            if not _A2D_KEYED:
                raise ValueError("airlift's asset node query has another shape than this block knows")
            response = session.post(
                f"{dagster_url}/graphql",
                json={"query": _A2D_INDEX_QUERY, "variables": {"keys": [{"path": dag_key}]}},
                timeout=3,
            )
            nodes = self.get_valid_graphql_response(response, "assetNodes")
            entries = [entry for node in nodes for entry in node["metadataEntries"] if entry.get("label") == _A2D_INDEX]
            if not entries:
                raise ValueError(f"the asset {'/'.join(dag_key)} has no {_A2D_INDEX} metadata")
            return self._a2d_keys_of(_A2dJson.loads(entries[0]["jsonString"]), context)
        except _A2dDagsterUnreachable:
            raise
        except Exception as exc:  # noqa: BLE001 - no usable index: airlift's way still finds the nodes
            self.log.info("No index of this DAG's assets in Dagster (%s): asking for every asset node", exc)
            return None

    def launch_dagster_run(self, context, session, dagster_url, execution_params):
        tags = {tag["key"]: tag["value"] for tag in execution_params["executionMetadata"]["tags"]}
        ti = context["ti"]
        first_try = ti.max_tries - (self.retries or 0) + 1  # Airflow's own rule for the current retry cycle
        if ti.try_number <= first_try:  # the cycle's first try: no earlier one can have launched a run
            return super().launch_dagster_run(context, session, dagster_url, execution_params)
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
            _A2dTime.sleep(_a2d_poll_delay(polls, self.dagster_run_status_poll_interval))

    def wait_for_run_and_retries_to_complete(self, session, dagster_url, run_id):
        try:
            return super().wait_for_run_and_retries_to_complete(session=session, dagster_url=dagster_url, run_id=run_id)
        except _A2dDagsterUnreachable:
            raise
        except Exception as exc:
            raise _A2dDagsterRunFailed(f"the Dagster run {dagster_url}/runs/{run_id} did not succeed: {exc}") from exc


class _A2dTaskProxy(_A2dLaunchOnce, DefaultProxyTaskToDagsterOperator):
    get_partition_key = _a2d_partition_key

    def _a2d_keys_of(self, index, context):
        return index["tasks"].get(self.get_airflow_task_id(context), [])

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

    def _a2d_keys_of(self, index, context):
        return index["dag"]

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
