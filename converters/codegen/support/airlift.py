"""Peering with the running Airflow through dagster-airlift, on Airflow 2 (``/api/v1``) and 3 (``/api/v2``).

Copied verbatim into every generated package, like the rest of ``support/``. Everything comes from the
environment, nothing from the code:

- ``AIRFLOW_URL`` (e.g. ``http://127.0.0.1:8080``): when unset, the code location loads without peering
  (no Airflow call at load; the assets still run).
- ``AIRFLOW_USERNAME`` / ``AIRFLOW_PASSWORD``: basic auth on Airflow 2, a JWT from ``POST /auth/token`` on 3.
- ``AIRFLOW_MAJOR_VERSION``: ``2`` (default) or ``3``.
- ``AIRFLOW_INSTANCE_NAME``: prefix of the DAG assets (``<name>/dag/<dag_id>``), default ``airflow``.
- ``AIRLIFT_SENSOR_INTERVAL``: seconds between two polls of Airflow's runs, default 30.
- ``AIRLIFT_SNAPSHOT``: a file holding Airflow's answers to what peering asks at load (its DAGs, their tasks,
  datasets, DAG sources). When the file exists, loading the location makes no Airflow API call; when it does not,
  the first load asks Airflow and writes it. Delete it to see new DAGs/tasks (`runtime up` starts without one).
  The sensor always polls Airflow live.

dagster-airlift 0.29 speaks Airflow's v1 REST API only. ``Airflow3Instance`` adapts it to v2: the token,
``assets`` instead of ``datasets``, an explicit ``logical_date`` on trigger, source code by DAG id, JSON logs,
and runs whose ``logical_date`` is null (Airflow 3 allows it: ``run_after`` stands in).

When Airflow is unreachable the sensor's ticks fail with a message naming it (`AirflowUnreachable`), and the
location still loads: from the snapshot when there is one, else from Airflow's last answers at load time
(`_LoadCache`, under ``$DAGSTER_HOME``).
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dagster as dg
import requests
import yaml
from dagster_airlift.constants import (
    AIRFLOW_RUN_ID_METADATA_KEY,
    AIRFLOW_TASK_INSTANCE_LOGICAL_DATE_METADATA_KEY,
    DAG_MAPPING_METADATA_KEY,
    EFFECTIVE_TIMESTAMP_METADATA_KEY,
    PEERED_DAG_MAPPING_METADATA_KEY,
    TASK_MAPPING_METADATA_KEY,
)
from dagster_airlift.core import (
    AirflowBasicAuthBackend,
    AirflowInstance,
    assets_with_dag_mappings,
    assets_with_task_mappings,
    build_defs_from_airflow_instance,
)
from dagster_airlift.core.airflow_instance import AirflowAuthBackend
from dagster_airlift.core.runtime_representations import DagRun, TaskInstance
from dagster_airlift.core.serialization.serialized_data import Dataset, DatasetConsumingDag, DatasetProducingTask
from dagster_airlift.core.utils import metadata_for_task_mapping
from dagster_shared.record import copy
from dagster_shared.serdes import deserialize_value, serialize_value

DEFAULT_SENSOR_INTERVAL = 30
REQUEST_TIMEOUT = 30
LATE_COMMIT_SECONDS = 30  # how far before its window each sensor tick looks again (`_SeesLateCommits`)


class AirflowUnreachable(dg.DagsterError):
    """Airflow's API did not answer. The sensor's tick fails with this message and keeps its cursor, so the
    next tick after Airflow is back reads every run that finished meanwhile."""


class _LoadCache:
    """Airflow's answers while the code location loads, kept under ``$DAGSTER_HOME/airlift-cache/``.

    Dagster's daemon loads the location again every minute (in a new process). Were Airflow down then, the
    location would fail to load and its sensors and schedules stop, the airlift sensor included, instead of
    reporting the outage. So while loading, an unreachable Airflow is answered from the last answers it gave;
    the sensor's own requests never are (they fail, and the tick reports it).
    """

    def __init__(self) -> None:
        self._loading = threading.local()

    @contextlib.contextmanager
    def loading(self) -> Iterator[None]:
        self._loading.active = True
        try:
            yield
        finally:
            self._loading.active = False

    def _file(self, airflow_url: str, method: str, url: str, params: Any) -> Path | None:
        home = os.environ.get("DAGSTER_HOME")
        if not home or not getattr(self._loading, "active", False) or method.upper() != "GET":
            return None
        key = json.dumps([url, params], sort_keys=True, default=str).encode()
        folder = hashlib.sha256(airflow_url.encode()).hexdigest()[:16]
        return Path(home) / "airlift-cache" / folder / f"{hashlib.sha256(key).hexdigest()}.json"

    def store(self, airflow_url: str, method: str, url: str, params: Any, response: requests.Response) -> None:
        file = self._file(airflow_url, method, url, params)
        if file is None or response.status_code != 200:
            return
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, suffix=".tmp")  # several processes load at once
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"url": url, "body": response.text}, out)
        os.replace(tmp, file)

    def replay(self, airflow_url: str, method: str, url: str, params: Any) -> requests.Response | None:
        file = self._file(airflow_url, method, url, params)
        if file is None or not file.is_file():
            return None
        response = requests.Response()
        response.status_code, response.url = 200, url
        response._content = json.loads(file.read_text(encoding="utf-8"))["body"].encode()
        response.headers["Content-Type"] = "application/json"
        return response


_LOAD_CACHE = _LoadCache()


class _ReportingSession(requests.Session):
    """A session whose connection errors say which Airflow could not be reached and what happens next; while the
    code location loads, an unreachable Airflow is answered from `_LoadCache`."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self._airflow_url = url

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        params = kwargs.get("params")
        try:
            response = self._send(method, url, *args, **kwargs)
        except AirflowUnreachable:
            cached = _LOAD_CACHE.replay(self._airflow_url, method, url, params)
            if cached is None:
                raise
            logging.getLogger(__name__).warning(
                "Airflow at %s is unreachable: loading with its last answer to %s", self._airflow_url, url
            )
            return cached
        _LOAD_CACHE.store(self._airflow_url, method, url, params, response)
        return response

    def _send(self, method, url, *args, **kwargs) -> requests.Response:
        try:
            return super().request(method, url, *args, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise _unreachable(self._airflow_url, exc) from exc


def _unreachable(url: str, exc: Exception) -> AirflowUnreachable:
    return AirflowUnreachable(
        f"Airflow at {url} is unreachable ({type(exc).__name__}); the runs that finish meanwhile are observed "
        f"once it answers again. {exc}"
    )


class _BasicAuthBackend(AirflowBasicAuthBackend):
    """Airflow 2's basic auth, with connection errors that name the Airflow."""

    def get_session(self) -> requests.Session:
        session = _ReportingSession(self.get_webserver_url())
        session.auth = (self.username, self.password)
        return session


class _TokenSession(_ReportingSession):
    """A session that carries Airflow 3's bearer token and fetches a new one when the old one expires."""

    def __init__(self, url: str, username: str, password: str) -> None:
        super().__init__(url)
        self._token_url = f"{url}/auth/token"
        self._credentials = {"username": username, "password": password}

    def _refresh(self) -> None:
        try:
            response = requests.post(self._token_url, json=self._credentials, timeout=REQUEST_TIMEOUT)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise _unreachable(self._airflow_url, exc) from exc
        if response.status_code >= 400:
            raise requests.HTTPError(
                f"Airflow refused a token at {self._token_url} ({response.status_code}): {response.text[:300]}",
                response=response,
            )
        self.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def _send(self, method, url, *args, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", REQUEST_TIMEOUT)
        if "Authorization" not in self.headers:
            self._refresh()
        response = super()._send(method, url, *args, **kwargs)
        if response.status_code == 401:  # expired: one new token, one retry
            self._refresh()
            response = super()._send(method, url, *args, **kwargs)
        return response


class AirflowTokenAuthBackend(AirflowAuthBackend):
    """Airflow 3's simple (or any JWT-issuing) auth manager: username/password exchanged for a bearer token."""

    def __init__(self, webserver_url: str, username: str, password: str) -> None:
        self._url = webserver_url.rstrip("/")
        self._session = _TokenSession(self._url, username, password)

    def get_session(self) -> requests.Session:
        return self._session

    def get_webserver_url(self) -> str:
        return self._url


def _with_logical_date(metadata: dict[str, Any]) -> dict[str, Any]:
    """Airflow 3 runs may have no logical date; airlift needs one, and ``run_after`` is when the run is for."""
    if not metadata.get("logical_date") and metadata.get("run_after"):
        return {**metadata, "logical_date": metadata["run_after"]}
    return metadata


class _SeesLateCommits:
    """airlift's sensor asks for the runs that *ended* between its previous tick and now. Airflow stamps a run's
    ``end_date`` before it commits the run: a run stamped before a tick and committed after it ends inside a
    window already asked about, and airlift never observes it (one run in twelve, under load). Here each window
    starts ``LATE_COMMIT_SECONDS`` earlier; ``_recorded_once`` drops what an earlier tick already recorded."""

    def get_dag_runs_batch(self, dag_ids, end_date_gte: datetime | None = None, **kwargs):
        if end_date_gte is not None:
            end_date_gte -= timedelta(seconds=LATE_COMMIT_SECONDS)
        return super().get_dag_runs_batch(dag_ids, end_date_gte=end_date_gte, **kwargs)  # type: ignore[misc]


class Airflow2Instance(_SeesLateCommits, AirflowInstance):
    """dagster-airlift's ``AirflowInstance`` (Airflow 2's ``/api/v1``), seeing runs committed late."""


class Airflow3Instance(_SeesLateCommits, AirflowInstance):
    """dagster-airlift's ``AirflowInstance`` speaking Airflow 3's ``/api/v2``, seeing runs committed late."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._dag_id_by_file_token: dict[str, str] = {}

    def get_api_url(self) -> str:
        return f"{self.auth_backend.get_webserver_url()}/api/v2"

    def list_dags(self, retrieval_filter=None):
        dags = super().list_dags(retrieval_filter)
        for dag in dags:
            token = dag.metadata.get("file_token")
            if token:
                self._dag_id_by_file_token[token] = dag.dag_id
        return dags

    def get_dag_source_code(self, file_token: str) -> str:
        dag_id = self._dag_id_by_file_token.get(file_token, file_token)
        response = self.auth_backend.get_session().get(
            f"{self.get_api_url()}/dagSources/{quote(dag_id)}", headers={"Accept": "application/json"}
        )
        if response.status_code != 200:
            raise dg.DagsterError(f"Failed to fetch the source of {dag_id}: {response.status_code} {response.text}")
        return response.json().get("content") or ""

    def trigger_dag(self, dag_id: str, logical_date: datetime | None = None) -> str:
        response = self.auth_backend.get_session().post(
            f"{self.get_api_url()}/dags/{quote(dag_id)}/dagRuns",
            json={"logical_date": logical_date.isoformat() if logical_date else None, "conf": {}},
        )
        if response.status_code not in (200, 201):
            raise dg.DagsterError(f"Failed to trigger {dag_id}: {response.status_code} {response.text}")
        return response.json()["dag_run_id"]

    def get_dag_run(self, dag_id: str, run_id: str) -> DagRun:
        run = super().get_dag_run(dag_id, run_id)
        return DagRun(
            webserver_url=run.webserver_url,
            dag_id=run.dag_id,
            run_id=run.run_id,
            metadata=_with_logical_date(run.metadata),
        )

    def get_dag_runs(self, dag_id, start_date, end_date):
        return [
            DagRun(
                webserver_url=r.webserver_url, dag_id=r.dag_id, run_id=r.run_id, metadata=_with_logical_date(r.metadata)
            )
            for r in super().get_dag_runs(dag_id, start_date, end_date)
        ]

    def get_dag_runs_batch(self, dag_ids, **kwargs):
        runs, total = super().get_dag_runs_batch(dag_ids, **kwargs)
        return [
            DagRun(
                webserver_url=r.webserver_url, dag_id=r.dag_id, run_id=r.run_id, metadata=_with_logical_date(r.metadata)
            )
            for r in runs
        ], total

    def _task_instances(self, instances: Sequence[TaskInstance]) -> list[TaskInstance]:
        return [
            TaskInstance(
                webserver_url=ti.webserver_url,
                dag_id=ti.dag_id,
                task_id=ti.task_id,
                run_id=ti.run_id,
                metadata=_with_logical_date(ti.metadata),
            )
            for ti in instances
        ]

    def get_task_instance_batch(self, dag_id, task_ids, run_id, states):
        return self._task_instances(super().get_task_instance_batch(dag_id, task_ids, run_id, states))

    def get_task_instance_batch_time_range(self, dag_ids, states, end_date_gte, end_date_lte):
        return self._task_instances(
            super().get_task_instance_batch_time_range(dag_ids, states, end_date_gte, end_date_lte)
        )

    def get_task_instance(self, dag_id, task_id, run_id):
        return self._task_instances([super().get_task_instance(dag_id, task_id, run_id)])[0]

    def _get_datasets(self, *, limit, offset, retrieval_filter, dag_ids) -> Sequence[Dataset]:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if retrieval_filter.dataset_uri_ilike:
            params["uri_pattern"] = retrieval_filter.dataset_uri_ilike
        response = self.auth_backend.get_session().get(f"{self.get_api_url()}/assets", params=params)
        if response.status_code != 200:
            raise dg.DagsterError(f"Failed to fetch assets: {response.status_code} {response.text}")
        datasets = []
        for asset in response.json()["assets"]:
            producers = [
                DatasetProducingTask(
                    dag_id=t["dag_id"],
                    task_id=t["task_id"],
                    created_at=t.get("created_at", ""),
                    updated_at=t.get("updated_at", ""),
                )
                for t in asset.get("producing_tasks", [])
                if not dag_ids or t["dag_id"] in dag_ids
            ]
            if not producers:
                continue
            consumers = [
                DatasetConsumingDag(
                    dag_id=d["dag_id"], created_at=d.get("created_at", ""), updated_at=d.get("updated_at", "")
                )
                for d in asset.get("scheduled_dags", asset.get("consuming_dags", []))
                if not dag_ids or d["dag_id"] in dag_ids
            ]
            datasets.append(
                Dataset(
                    id=asset["id"],
                    uri=asset["uri"],
                    extra=asset.get("extra") or {},
                    created_at=asset.get("created_at", ""),
                    updated_at=asset.get("updated_at", ""),
                    consuming_dags=consumers,
                    producing_tasks=producers,
                )
            )
        return datasets

    def get_task_instance_logs(self, dag_id: str, task_id: str, run_id: str, try_number: int) -> str:
        response = self.auth_backend.get_session().get(
            f"{self.get_api_url()}/dags/{quote(dag_id)}/dagRuns/{quote(run_id)}/taskInstances/{quote(task_id)}"
            f"/logs/{try_number}",
            params={"full_content": "true"},
            headers={"Accept": "application/json"},
        )
        if response.status_code != 200:
            raise dg.DagsterError(f"Failed to fetch logs of {dag_id}.{task_id}: {response.status_code}")
        content = response.json().get("content")
        if isinstance(content, str):
            return content
        return "\n".join(
            item if isinstance(item, str) else " ".join(str(item.get(k, "")) for k in ("timestamp", "level", "event"))
            for item in content or []
        )


class _AnswersFromSnapshot:
    """Answers the calls peering makes at load (``LOAD_CALLS``) from the ``AIRLIFT_SNAPSHOT`` file.

    Calls the file does not hold go to Airflow and are recorded; ``save_snapshot`` writes them (atomically, so
    the webserver and the daemon loading at once never read half a file). ``live()`` ends the load: from then
    on (the sensor) every call goes to Airflow."""

    LOAD_CALLS = ("list_dags", "get_task_infos", "get_all_datasets", "get_dag_source_code")
    SNAPSHOT_VERSION = 1

    def __init__(self, *args: Any, snapshot: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._snapshot_path = snapshot
        self._answers: dict[str, str] = {}
        self._read: dict[str, Any] = {}  # the answers deserialized so far
        self._recorded = False
        self._loading = True
        with contextlib.suppress(OSError, ValueError):
            with open(snapshot, encoding="utf-8") as handle:
                stored = json.load(handle)
            if stored.get("version") == self.SNAPSHOT_VERSION and stored.get("airflow") == self._airflow_url():
                self._answers = dict(stored["answers"])

    def _airflow_url(self) -> str:
        return self.auth_backend.get_webserver_url()  # type: ignore[attr-defined]

    def _answer(self, call: str, live: Any, *args: Any, **kwargs: Any) -> Any:
        if not self._loading:
            return live(*args, **kwargs)
        key = f"{call}:{args!r}:{sorted(kwargs.items())!r}"
        if key in self._answers:
            # read once: peering and `_known_to` both ask for every DAG's tasks
            if key not in self._read:
                self._read[key] = deserialize_value(self._answers[key])
            value = self._read[key]
            return list(value) if isinstance(value, list) else value
        value = live(*args, **kwargs)
        self._answers[key] = serialize_value(value)
        self._recorded = True
        return value

    def list_dags(self, *args, **kwargs):
        return self._answer("list_dags", super().list_dags, *args, **kwargs)  # type: ignore[misc]

    def get_task_infos(self, *args, **kwargs):
        return self._answer("get_task_infos", super().get_task_infos, *args, **kwargs)  # type: ignore[misc]

    def get_all_datasets(self, *args, **kwargs):
        return self._answer("get_all_datasets", super().get_all_datasets, *args, **kwargs)  # type: ignore[misc]

    def get_dag_source_code(self, *args, **kwargs):
        return self._answer("get_dag_source_code", super().get_dag_source_code, *args, **kwargs)  # type: ignore[misc]

    def save_snapshot(self) -> None:
        if not self._recorded:
            return
        folder = os.path.dirname(os.path.abspath(self._snapshot_path))
        os.makedirs(folder, exist_ok=True)
        data = {"version": self.SNAPSHOT_VERSION, "airflow": self._airflow_url(), "answers": self._answers}
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".airlift-snapshot-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out)
        os.replace(temporary, self._snapshot_path)

    def live(self) -> None:
        self._loading = False


class SnapshotAirflowInstance(_AnswersFromSnapshot, Airflow2Instance):
    """Airflow 2 (``/api/v1``), loading from the snapshot."""


class SnapshotAirflow3Instance(_AnswersFromSnapshot, Airflow3Instance):
    """Airflow 3 (``/api/v2``), loading from the snapshot."""


def airflow_instance_from_env() -> AirflowInstance | None:
    """The Airflow instance named by the environment, or None when ``AIRFLOW_URL`` is not set."""
    url = os.environ.get("AIRFLOW_URL", "").rstrip("/")
    if not url:
        return None
    username = os.environ.get("AIRFLOW_USERNAME", "admin")
    password = os.environ.get("AIRFLOW_PASSWORD", "")
    name = os.environ.get("AIRFLOW_INSTANCE_NAME", "airflow")
    snapshot = os.environ.get("AIRLIFT_SNAPSHOT", "")
    version3 = os.environ.get("AIRFLOW_MAJOR_VERSION", "2") == "3"
    with _airlift_is_beta():
        if version3:
            backend: AirflowAuthBackend = AirflowTokenAuthBackend(url, username, password)
        else:
            backend = _BasicAuthBackend(webserver_url=url, username=username, password=password)
        if snapshot:
            cls = SnapshotAirflow3Instance if version3 else SnapshotAirflowInstance
            return cls(auth_backend=backend, name=name, snapshot=snapshot)
        return (Airflow3Instance if version3 else Airflow2Instance)(auth_backend=backend, name=name)


def peering() -> bool:
    """Whether this location peers with an Airflow (``AIRFLOW_URL`` set)."""
    return bool(os.environ.get("AIRFLOW_URL", "").rstrip("/"))


def task_asset(dag: Any, task_id: str, **asset_args: Any) -> Callable[[Callable[..., Any]], Any]:
    """``@dg.asset(**asset_args)`` for an Airflow task Dagster runs; for one Airflow runs, the same asset as a
    ``dg.AssetSpec`` (its key, upstream assets, group, kinds, partitions, owners, tags and metadata).

    While the location peers with Airflow, Airflow runs every task it has not handed over: the task's asset is
    observed (airlift's sensor records the task's runs as its materializations) and cannot run here, so
    nothing in Dagster (Materialize, a backfill) runs a task a second time beside Airflow. A task is handed
    over when the DAG's proxied state says so, for the task or the whole DAG: airlift's own file
    ``<DAGs folder>/proxied_state/<dag_id>.yaml``, which ``airflow-to-dagster proxy`` writes and Airflow reads
    (`proxy` reloads the location before Airflow runs the task, `rollback` after). Without peering Dagster is
    on its own and every asset runs (the toolkit's gates, tests, ``dg dev``). An ``AssetSpec`` costs a
    fraction of an asset at load: an estate of 1,000 DAGs loads faster than as many plain assets
    (docs/benchmarks.md).
    """

    def decorate(fn: Callable[..., Any]) -> Any:
        if runs_in_dagster(dag, task_id):
            return dg.asset(**asset_args)(fn)
        # built once with airlift's task mapping (`mapped_to_airflow` keeps it): not rebuilt per asset at load
        return _observed_spec(fn, asset_args, metadata_for_task_mapping(task_id=task_id, dag_id=dag.dag_id))

    return decorate


# ``dg.asset`` arguments an observed task's AssetSpec keeps, and those only a run uses (dropped: Airflow runs it).
_SPEC_ARGS = frozenset(
    {
        "key",
        "group_name",
        "deps",
        "kinds",
        "partitions_def",
        "owners",
        "tags",
        "metadata",
        "description",
        "code_version",
        "freshness_policy",
    }
)
_RUN_ARGS = frozenset(
    {
        "ins",
        "retry_policy",
        "pool",
        "output_required",
        "check_specs",
        "required_resource_keys",
        "io_manager_key",
        "automation_condition",
        "op_tags",
    }
)


def _observed_spec(fn: Callable[..., Any], asset_args: Mapping[str, Any], mapping: dict[str, Any]) -> dg.AssetSpec:
    unknown = sorted(set(asset_args) - _SPEC_ARGS - _RUN_ARGS)
    if unknown:
        raise TypeError(f"task_asset: no AssetSpec equivalent known for {', '.join(unknown)}")
    spec = {name: value for name, value in asset_args.items() if name in _SPEC_ARGS}
    spec["metadata"] = {**(spec.get("metadata") or {}), **mapping}
    deps = list(spec.pop("deps", None) or [])  # keys, and a dbt group's assets and specs
    deps += [asset_in.key for asset_in in (asset_args.get("ins") or {}).values() if asset_in.key not in deps]
    description = spec.pop("description", None) or inspect.getdoc(fn)
    return dg.AssetSpec(deps=deps, description=description, **spec)


def runs_in_dagster(dag: Any, task_id: str) -> bool:
    """Dagster runs this task of ``dag`` (a ``DagInfo``): the DAG's proxied state hands it over, or nothing peers."""
    if not peering():
        return True
    state = _proxied_state(dag)
    if state.get("proxied") is True:
        return True
    return any(task.get("id") == task_id and task.get("proxied") is True for task in state.get("tasks") or [])


_STATES: dict[int, tuple[Any, dict[str, Any]]] = {}  # id(DagInfo) -> (it, its proxied state)


def _proxied_state(dag: Any) -> dict[str, Any]:
    """The DAG's proxied state as airlift's yaml has it ({} when it has none): read for the first of the DAG
    module's tasks and kept for the others (a reload imports the module again, and so reads the file again)."""
    found = _STATES.get(id(dag))
    if found is not None and found[0] is dag:
        return found[1]
    from .runtime import dags_folder  # runtime.py reads the package's settings, which only a generated one has

    file = dags_folder() / "proxied_state" / f"{dag.dag_id}.yaml"
    state: Any = {}
    if file.is_file():
        try:
            state = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            logging.getLogger(__name__).warning(f"{file}: not readable ({exc}); {dag.dag_id}'s tasks stay observed")
    state = state if isinstance(state, dict) else {}
    _STATES[id(dag)] = (dag, state)
    return state


def mapped_to_airflow(dag_id: str, tasks: Mapping[str, Sequence[Any]], level: str | None) -> list[Any]:
    """The assets of one DAG, carrying airlift's mapping to the Airflow tasks they came from.

    ``level="task"``: each task's assets are observed when that task succeeds in Airflow and run here when the
    task is proxied. ``level="dag"``: all of them map to the DAG (mapped tasks and dbt groups have no stable
    task ids to map to; the DAG is proxied as a whole). ``None``: decommissioned, no mapping any more.
    """
    with _airlift_is_beta():
        if level == "task":  # an observed task's spec has its mapping already (`task_asset`): kept as built
            pending = {task: [a for a in assets if not _task_mapped(a)] for task, assets in tasks.items()}
            mapped = iter(
                assets_with_task_mappings(dag_id=dag_id, task_mappings={t: a for t, a in pending.items() if a})
            )
            return [asset if _task_mapped(asset) else next(mapped) for assets in tasks.values() for asset in assets]
        everything = [_without_task_mapping(asset) for assets in tasks.values() for asset in assets]
        if level == "dag":
            return list(assets_with_dag_mappings({dag_id: everything}))
    return everything


def _task_mapped(asset: Any) -> bool:
    return isinstance(asset, dg.AssetSpec) and TASK_MAPPING_METADATA_KEY in asset.metadata


def _without_task_mapping(asset: Any) -> Any:
    """An observed task's spec mapped to the DAG as a whole (or to nothing): its task mapping dropped."""
    if not _task_mapped(asset):
        return asset
    return asset.replace_attributes(
        metadata={k: v for k, v in asset.metadata.items() if k != TASK_MAPPING_METADATA_KEY}
    )


@contextlib.contextmanager
def _airlift_is_beta() -> Iterator[None]:
    """airlift's API is marked beta/preview: known and accepted here, not repeated in every load's logs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        warnings.simplefilter("ignore", dg.PreviewWarning)
        yield


def partition_for_airflow_run(partitions_def: dg.TimeWindowPartitionsDefinition, timestamp: float) -> str | None:
    """The partition an Airflow run stands for: the one named like its logical date (its ds), else the one whose
    window holds that date (a manual run between two scheduled ones), else None (before the first partition).

    airlift's default insists that the logical date is a window boundary and fails the whole sensor tick
    otherwise; a schedule at an hour offset (`0 6 * * *`, daily keys) or a manual run would stop observation."""
    when = datetime.fromtimestamp(timestamp, tz=UTC)
    named = when.strftime(partitions_def.fmt)
    try:
        if partitions_def.has_partition_key(named):
            return named
        if timestamp >= partitions_def.start.timestamp():
            return partitions_def.get_partition_key_for_timestamp(timestamp)
    except Exception:  # noqa: BLE001 - a date outside the definition: record the event without a partition
        return None
    return None


def _observed(event: dg.AssetMaterialization) -> tuple[Any, Any]:
    """What makes two of the sensor's materializations the same observation: the Airflow run and when its task
    (or the run) ended. A task cleared and run again ends later: a new observation."""
    metadata = event.metadata

    def value(key: str) -> Any:
        entry = metadata.get(key)
        return getattr(entry, "value", entry)

    return value(AIRFLOW_RUN_ID_METADATA_KEY), value(EFFECTIVE_TIMESTAMP_METADATA_KEY)


def _recorded_once(context, materializations) -> list[dg.AssetMaterialization]:
    """``materializations`` less those an earlier tick already recorded (each window looks back
    ``LATE_COMMIT_SECONDS``, so a run seen then is seen again)."""
    events = list(materializations)
    ends: dict[dg.AssetKey, float] = {}
    for event in events:
        end = _observed(event)[1]
        if isinstance(end, float | int):
            ends[event.asset_key] = min(end, ends.get(event.asset_key, end))
    recorded: set[tuple[dg.AssetKey, Any, Any]] = set()
    for key, earliest in ends.items():  # recorded at a tick after the end (the margin: clocks of two hosts)
        found = context.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=key, after_timestamp=earliest - LATE_COMMIT_SECONDS), limit=1000
        )
        for record in found.records:
            materialization = record.asset_materialization
            if materialization is not None:
                recorded.add((key, *_observed(materialization)))
    return [event for event in events if (event.asset_key, *_observed(event)) not in recorded]


def _partitioned_like_airflow(context, airflow_data, materializations):
    """airlift's event transformer: each observation recorded once (`_recorded_once`), with
    `partition_for_airflow_run` deciding the partition."""
    for event in _recorded_once(context, materializations):
        spec = airflow_data.airflow_mapped_asset_specs.get(event.asset_key)
        partitions = spec.partitions_def if spec is not None else None
        logical = event.metadata.get(AIRFLOW_TASK_INSTANCE_LOGICAL_DATE_METADATA_KEY)
        if not isinstance(partitions, dg.TimeWindowPartitionsDefinition) or logical is None:
            yield event
            continue
        key = partition_for_airflow_run(partitions, logical.value)
        if key is None:
            context.log.warning(
                f"{event.asset_key.to_user_string()}: no partition for the Airflow run; recorded without"
            )
            yield event
        else:
            yield event._replace(partition=key)


def peer(defs: dg.Definitions) -> dg.Definitions:
    """``defs`` plus one asset per Airflow DAG and the sensor that turns Airflow's runs into materializations.

    Each DAG's asset carries `TASK_ASSETS_METADATA_KEY`: the keys of the assets mapped to each of its tasks
    (and to the DAG as a whole), so a proxied task asks Dagster for those nodes only (see `_TaskAssetIndex`).
    Without ``AIRFLOW_URL`` the definitions are returned as they are.
    """
    instance = airflow_instance_from_env()
    if instance is None:
        return defs
    with _airlift_is_beta(), _LOAD_CACHE.loading():
        known, index = _known_to(instance, defs)
        peered = build_defs_from_airflow_instance(
            airflow_instance=instance,
            defs=known,
            sensor_minimum_interval_seconds=int(os.environ.get("AIRLIFT_SENSOR_INTERVAL", DEFAULT_SENSOR_INTERVAL)),
            event_transformer_fn=_partitioned_like_airflow,
        )
    if isinstance(instance, _AnswersFromSnapshot):
        instance.save_snapshot()
        instance.live()
    return _with_task_asset_index(peered, index)


TASK_ASSETS_METADATA_KEY = "airflow-to-dagster/task-assets"


class _TaskAssetIndex:
    """For each DAG, the asset keys mapped to each of its tasks (``tasks``) and to the DAG itself (``dag``).

    airlift's proxy operator finds a task's assets by asking Dagster for every asset node with its metadata and
    filtering them in Airflow: on a location of 18,000 assets that query does not answer in ten minutes
    (docs/benchmarks.md). The proxy block reads this index from the DAG's asset instead and asks for the nodes
    it names (then still filters them with airlift's own rule). It is built from the same mapping metadata
    airlift reads, after `_known_to`, so it names exactly the nodes airlift's filter would keep."""

    def __init__(self) -> None:
        self._dags: dict[str, dict[str, Any]] = {}

    def add(self, key: dg.AssetKey, metadata: Mapping[str, Any]) -> None:
        for handle in metadata.get(TASK_MAPPING_METADATA_KEY) or []:
            tasks = self._of(handle["dag_id"])["tasks"]
            tasks.setdefault(handle["task_id"], []).append(list(key.path))
        for handle in metadata.get(DAG_MAPPING_METADATA_KEY) or []:
            self._of(handle["dag_id"])["dag"].append(list(key.path))

    def _of(self, dag_id: str) -> dict[str, Any]:
        return self._dags.setdefault(dag_id, {"tasks": {}, "dag": []})

    def entry(self, dag_id: str) -> dict[str, Any]:
        """What the DAG's asset carries: every list sorted, so a reload writes the same metadata."""
        found = self._dags.get(dag_id, {"tasks": {}, "dag": []})
        tasks = {task: sorted(keys) for task, keys in sorted(found["tasks"].items())}
        return {"tasks": tasks, "dag": sorted(found["dag"])}


def _with_task_asset_index(defs: dg.Definitions, index: _TaskAssetIndex) -> dg.Definitions:
    """``defs`` whose DAG assets (``<instance>/dag/<dag_id>``, built by airlift) carry the task asset index."""

    def indexed(asset: Any) -> Any:
        mappings = asset.metadata.get(PEERED_DAG_MAPPING_METADATA_KEY) if isinstance(asset, dg.AssetSpec) else None
        if not mappings or len(mappings) != 1:
            return asset
        entry = index.entry(mappings[0]["dag_id"])
        return asset.merge_attributes(metadata={TASK_ASSETS_METADATA_KEY: dg.MetadataValue.json(entry)})

    return copy(defs, assets=[indexed(asset) for asset in defs.assets or []])


def _known_to(instance: AirflowInstance, defs: dg.Definitions) -> tuple[dg.Definitions, _TaskAssetIndex]:
    """Drop mappings to DAGs or tasks this Airflow does not have (a DAG for the other Airflow line, a task the
    DAG no longer has): airlift refuses to load with them, and there is nothing to observe or proxy. Also the
    index of the mappings kept (`_TaskAssetIndex`)."""
    dag_ids = {dag.dag_id for dag in instance.list_dags()}
    task_ids: dict[str, set[str]] = {}
    index = _TaskAssetIndex()

    def known(handle: Mapping[str, str]) -> bool:
        dag_id = handle["dag_id"]
        if dag_id not in dag_ids:
            return False
        if "task_id" not in handle:
            return True
        if dag_id not in task_ids:
            task_ids[dag_id] = {task.task_id for task in instance.get_task_infos(dag_id=dag_id)}
        return handle["task_id"] in task_ids[dag_id]

    def known_metadata(spec: dg.AssetSpec) -> dict[str, Any]:
        metadata = dict(spec.metadata)
        for key in (TASK_MAPPING_METADATA_KEY, DAG_MAPPING_METADATA_KEY):
            handles = metadata.get(key)
            if not handles:
                continue
            kept = [handle for handle in handles if known(handle)]
            if len(kept) == len(handles):
                continue
            if kept:
                metadata[key] = kept
            else:
                del metadata[key]
        return metadata

    changed: dict[dg.AssetKey, dict[str, Any]] = {}
    for asset in defs.assets or []:
        for spec in _specs(asset):
            metadata = known_metadata(spec)
            index.add(spec.key, metadata)
            if metadata != dict(spec.metadata):
                changed[spec.key] = metadata
    if not changed:
        return defs, index  # every mapping is known: mapping the specs would rebuild every asset for nothing

    def keep_known(spec: dg.AssetSpec) -> dg.AssetSpec:
        return spec.replace_attributes(metadata=changed[spec.key]) if spec.key in changed else spec

    return defs.map_asset_specs(func=keep_known), index


def _specs(asset: Any) -> list[dg.AssetSpec]:
    if isinstance(asset, dg.AssetSpec):
        return [asset]
    return list(asset.specs) if isinstance(asset, dg.AssetsDefinition) else []


def airflow_dag_run(dag_id: str, run_id: str) -> dict[str, Any] | None:
    """The Airflow run that launched this Dagster run (a proxied task), or None when Airflow is not configured."""
    instance = airflow_instance_from_env()
    if instance is None:
        return None
    return dict(instance.get_dag_run(dag_id, run_id).metadata)
