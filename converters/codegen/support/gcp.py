"""Google Cloud for generated assets: what Airflow's Google provider operators do, with Google's client libraries.

Copied verbatim into every generated package. ``resources.GcpConnection`` (configured from
``AIRFLOW_CONN_<GCP_CONN_ID>``) calls these functions and those of ``bigquery.py``; each takes the operator's own
arguments, with the same defaults, and does what the operator's ``execute`` does:

- ``gcs_to_gcs``: the object copies of ``GCSToGCSOperator`` (prefixes, one ``*`` wildcard, ``replace``,
  ``move_object``, a ``destination_object`` ending in ``/``), returning the destination URIs.
- ``delete_objects``: ``GCSDeleteObjectsOperator`` (the listed objects, or every object under a prefix).
- ``gcs_to_gcs_transfer``: ``CloudDataTransferServiceGCSToGCSOperator`` (a Storage Transfer job run once,
  waited for through the same REST calls as Airflow's hook).
- ``create_gke_cluster`` / ``delete_gke_cluster``: ``GKECreateClusterOperator`` / ``GKEDeleteClusterOperator``
  (an existing cluster on create, or a missing one on delete, is success, as in Airflow).
- ``create_dataproc_cluster`` / ``delete_dataproc_cluster`` / ``submit_dataproc_job``: the Dataproc operators
  (``DataprocCreateClusterOperator``, ``DataprocDeleteClusterOperator``, ``DataprocSubmitJobOperator``) on the
  region's endpoint, waiting as they do.

Credentials are read like Airflow's ``GoogleBaseHook``: ``key_path`` or ``keyfile_dict`` in the connection's
extra (with or without the ``extra__google_cloud_platform__`` prefix), else Application Default Credentials;
``impersonation_chain`` impersonates its last account through the others. The client libraries are imported
when a function first needs them, so a code location loads without Google settings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"


# -- credentials ---------------------------------------------------------------------------------------------


def _extra(extra: Mapping[str, Any], key: str) -> Any:
    return extra.get(key) or extra.get(f"extra__google_cloud_platform__{key}")


def credentials(extra: Mapping[str, Any], impersonation_chain: str | Sequence[str] | None = None) -> tuple[Any, Any]:
    """(credentials, project) from a Google Cloud connection's extra; credentials None means the client
    libraries' default chain (Application Default Credentials), as Airflow falls back to."""
    scopes = _extra(extra, "scope")
    scopes = [s.strip() for s in scopes.split(",")] if isinstance(scopes, str) and scopes else [CLOUD_PLATFORM_SCOPE]
    key_path, keyfile = _extra(extra, "key_path"), _extra(extra, "keyfile_dict")
    found: Any = None
    if key_path or keyfile:
        from google.oauth2 import service_account

        if key_path:
            found = service_account.Credentials.from_service_account_file(key_path, scopes=scopes)
        else:
            info = json.loads(keyfile) if isinstance(keyfile, str) else dict(keyfile)
            found = service_account.Credentials.from_service_account_info(info, scopes=scopes)
    project = _extra(extra, "project") or getattr(found, "project_id", None)
    if impersonation_chain:
        import google.auth
        from google.auth import impersonated_credentials

        chain = [impersonation_chain] if isinstance(impersonation_chain, str) else list(impersonation_chain)
        source = found if found is not None else google.auth.default(scopes=scopes)[0]
        found = impersonated_credentials.Credentials(
            source_credentials=source, target_principal=chain[-1], delegates=chain[:-1] or None, target_scopes=scopes
        )
    return found, project


# -- Cloud Storage -------------------------------------------------------------------------------------------


def storage_client(extra: Mapping[str, Any], impersonation_chain: str | Sequence[str] | None = None) -> Any:
    from google.cloud import storage

    creds, project = credentials(extra, impersonation_chain)
    return storage.Client(project=project, credentials=creds)


def download_object(extra: Mapping[str, Any], chain: Any, bucket: str, name: str) -> bytes:
    return storage_client(extra, chain).bucket(bucket).blob(name).download_as_bytes()


def list_objects(client: Any, bucket: str, prefix: str | None = None, delimiter: str | None = None) -> list[str]:
    """``GCSHook.list``: object names under ``prefix``; with a ``delimiter``, the prefixes it rolls names up to
    when there are some (Airflow's way of filtering by suffix, ``delimiter=".csv"``)."""
    blobs = client.list_blobs(bucket, prefix=prefix, delimiter=delimiter)
    names = [blob.name for blob in blobs]  # iterating fills ``blobs.prefixes``
    return sorted(blobs.prefixes) if delimiter and blobs.prefixes else names


def gcs_to_gcs(
    extra: Mapping[str, Any],
    *,
    source_bucket: str,
    source_object: str | None = None,
    source_objects: Sequence[str] | None = None,
    destination_bucket: str | None = None,
    destination_object: str | None = None,
    delimiter: str | None = None,
    move_object: bool = False,
    replace: bool = True,
    exact_match: bool = False,
    source_object_required: bool = False,
    impersonation_chain: str | Sequence[str] | None = None,
    log: Any = None,
) -> list[str]:
    """Copy (or move) objects as ``GCSToGCSOperator`` does; the destination URIs, its XCom."""
    client = storage_client(extra, impersonation_chain)
    copier = _Copier(client, source_bucket, destination_bucket or source_bucket, destination_object, log)
    copier.move, copier.replace, copier.exact = move_object, replace, exact_match
    if source_object and source_objects:
        raise ValueError("You can either set source_object parameter or source_objects parameter but not both.")
    if not source_object and source_objects is None:
        raise ValueError("You must set source_object parameter or source_objects parameter. None set")
    prefixes = [source_object] if source_object else list(source_objects or []) or [""]
    if prefixes.count("") > 1:
        raise ValueError("You can't have two empty strings inside source_object")
    uris: list[str] = []
    for prefix in prefixes:
        if "*" in prefix:
            uris += copier.with_wildcard(prefix)
        else:
            uris += copier.without_wildcard(prefix, delimiter, source_object_required)
    return [uri for uri in dict.fromkeys(uris) if not uri.endswith("/")]


def delete_objects(
    extra: Mapping[str, Any],
    *,
    bucket_name: str,
    objects: Sequence[str] | None = None,
    prefix: str | Sequence[str] | None = None,
    impersonation_chain: str | Sequence[str] | None = None,
    log: Any = None,
) -> None:
    """Delete ``objects``, else every object under ``prefix`` (or each of a list of prefixes), as
    ``GCSDeleteObjectsOperator`` does; a missing object fails the task there too."""
    if objects is None and prefix is None:
        raise ValueError("Either object or prefix should be set. Both are None.")
    client = storage_client(extra, impersonation_chain)
    if objects is None:
        prefixes = [prefix] if isinstance(prefix, str) else list(prefix or [])
        objects = [name for one in prefixes for name in list_objects(client, bucket_name, one)]
    if log is not None:
        log.info(f"deleting {len(objects)} objects from {bucket_name}")
    for name in objects:
        client.bucket(bucket_name).blob(name).delete()


class _Copier:
    def __init__(self, client: Any, source: str, destination: str, destination_object: str | None, log: Any) -> None:
        self.client, self.source, self.destination = client, source, destination
        self.destination_object, self.log = destination_object, log
        self.move, self.replace, self.exact = False, True, False

    def without_wildcard(self, prefix: str, delimiter: str | None, required: bool) -> list[str]:
        objects = [o for o in list_objects(self.client, self.source, prefix, delimiter) if self._matches(o, prefix)]
        if not self.replace:
            objects = self._missing_in_destination(prefix, objects, delimiter)
        uris: list[str] = []
        # Nothing listed under a prefix that is itself an object: copy it alone.
        if not objects and prefix:
            if self.client.bucket(self.source).blob(prefix).exists():
                uris.append(self._copy(prefix, self.destination_object))
            elif required:
                raise FileNotFoundError(f"{prefix} does not exist in bucket {self.source}")
        if len(objects) == 1 and not objects[0].endswith("/"):
            target = self.destination_object or objects[0]
            if self.destination_object and self.destination_object.endswith("/"):
                target += objects[0].split("/")[-1]
            uris.append(self._copy(objects[0], target))
        elif objects:
            uris += self._copy_many(objects, prefix)
        return uris

    def _copy_many(self, objects: list[str], prefix: str) -> list[str]:
        stem = prefix.rstrip("/")
        is_directory = prefix.endswith("/") or all(o.replace(stem, "", 1).startswith("/") for o in objects)
        base = stem + "/" if is_directory else (prefix[: prefix.rfind("/") + 1] if "/" in prefix else "")
        uris = []
        for name in objects:
            if self.destination_object is None:
                target = name
            else:
                target = self.destination_object.rstrip("/") + "/" + name.replace(base, "", 1)
            uris.append(self._copy(name, target))
        return uris

    def with_wildcard(self, prefix: str) -> list[str]:
        if prefix.count("*") > 1:
            raise ValueError(f"Only one wildcard '*' is allowed in source_object parameter. Found in {prefix}.")
        head, tail = prefix.split("*", 1)
        objects = list_objects(self.client, self.source, head, tail or None)
        if not self.replace:
            objects = self._missing_in_destination(head, objects, tail or None)
        uris = []
        for name in objects:
            target = name if self.destination_object is None else name.replace(head, self.destination_object, 1)
            uris.append(self._copy(name, target))
        return uris

    def _matches(self, name: str, prefix: str) -> bool:
        return not self.exact or name == prefix

    def _missing_in_destination(self, prefix: str, objects: list[str], delimiter: str | None) -> list[str]:
        """With ``replace=False``: only the objects whose destination does not exist yet (Airflow compares names)."""
        if self.destination_object is None:
            existing = list_objects(self.client, self.destination, prefix, delimiter)
        else:
            found = list_objects(self.client, self.destination, self.destination_object, delimiter)
            existing = [name.replace(self.destination_object, prefix, 1) for name in found]
        kept = sorted(set(objects) - set(existing))
        if self.log is not None:
            self.log.info(f"{len(kept)} files are going to be synced: {kept}" if kept else "no new files to sync")
        return kept

    def _copy(self, name: str, target: str | None) -> str:
        target = target or name
        if self.log is not None:
            self.log.info(f"copying gs://{self.source}/{name} to gs://{self.destination}/{target}")
        source_blob = self.client.bucket(self.source).blob(name)
        destination_blob = self.client.bucket(self.destination).blob(target)
        token, _, _ = destination_blob.rewrite(source_blob)
        while token is not None:  # large objects are rewritten in several calls, as GCSHook.rewrite does
            token, _, _ = destination_blob.rewrite(source_blob, token=token)
        if self.move:
            source_blob.delete()
        return f"gs://{self.destination}/{target}"


# -- Storage Transfer Service --------------------------------------------------------------------------------

TRANSFER_API = "https://storagetransfer.googleapis.com/v1/"
FAILED_TRANSFERS = {"FAILED", "ABORTED"}


def _directory(path: str | None) -> str | None:
    """Airflow's ``normalize_directory_path``: a path given ends with ``/``."""
    return path + "/" if path and not path.endswith("/") else path


def transfer_body(
    *,
    source_bucket: str,
    destination_bucket: str,
    source_path: str | None = None,
    destination_path: str | None = None,
    project_id: str | None = None,
    description: str | None = None,
    schedule: Mapping[str, Any] | None = None,
    object_conditions: Mapping[str, Any] | None = None,
    transfer_options: Mapping[str, Any] | None = None,
    today: Any = None,
) -> dict[str, Any]:
    """The transfer job ``CloudDataTransferServiceGCSToGCSOperator`` creates; without ``schedule``, one run today."""
    import datetime

    spec: dict[str, Any] = {
        "gcsDataSource": {"bucketName": source_bucket, "path": _directory(source_path)},
        "gcsDataSink": {"bucketName": destination_bucket, "path": _directory(destination_path)},
    }
    body: dict[str, Any] = {"description": description, "status": "ENABLED", "transferSpec": spec}
    if project_id is not None:
        body["projectId"] = project_id
    if schedule is None:
        day = today or datetime.date.today()
        once = {"day": day.day, "month": day.month, "year": day.year}
        body["schedule"] = {"scheduleStartDate": once, "scheduleEndDate": dict(once)}
    else:
        body["schedule"] = dict(schedule)
    if object_conditions is not None:
        spec["objectConditions"] = dict(object_conditions)
    if transfer_options is not None:
        spec["transferOptions"] = dict(transfer_options)
    return body


def gcs_to_gcs_transfer(
    extra: Mapping[str, Any],
    *,
    wait: bool = True,
    timeout: float | None = None,
    delete_job_after_completion: bool = False,
    google_impersonation_chain: str | Sequence[str] | None = None,
    log: Any = None,
    session: Any = None,
    poll_seconds: float = 10.0,
    **job: Any,
) -> None:
    """Create the transfer job through the Storage Transfer API (the REST calls Airflow's hook makes), wait until
    one of its operations succeeds (``timeout`` seconds, 60 when not given, as in Airflow), then delete the job
    when asked."""
    import time

    if delete_job_after_completion and not wait:
        raise ValueError("If 'delete_job_after_completion' is True, then 'wait' must also be True.")
    if session is None:
        import google.auth
        from google.auth.transport.requests import AuthorizedSession

        creds, _ = credentials(extra, google_impersonation_chain)
        session = AuthorizedSession(creds or google.auth.default(scopes=[CLOUD_PLATFORM_SCOPE])[0])
    body = transfer_body(**job)
    body["projectId"] = body.get("projectId") or _extra(extra, "project")
    if not body["projectId"]:
        raise ValueError("The project id must be passed as project_id or as the project extra of the connection")
    created = _transfer_call(session, "POST", "transferJobs", json=body)
    if log is not None:
        log.info(f"created transfer job {created['name']}")
    if not wait:
        return
    query = json.dumps({"project_id": created["projectId"], "job_names": [created["name"]]})
    deadline = time.monotonic() + (60 if timeout is None else timeout)
    while True:
        statuses = _transfer_statuses(session, query, log)
        if "SUCCESS" in statuses:
            break
        if statuses & FAILED_TRANSFERS:
            raise RuntimeError(f"transfer job {created['name']} ended {sorted(statuses & FAILED_TRANSFERS)}")
        if time.monotonic() >= deadline:
            raise TimeoutError("Timeout. The operation could not be completed within the allotted time.")
        time.sleep(poll_seconds)
    if delete_job_after_completion:
        deleted = {"projectId": created["projectId"], "transferJob": {"status": "DELETED"}}
        _transfer_call(session, "PATCH", created["name"], json={**deleted, "updateTransferJobFieldMask": "status"})


def _transfer_call(session: Any, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    response = session.request(method, TRANSFER_API + path, timeout=60, **kwargs)
    if response.status_code >= 400:
        raise RuntimeError(f"Storage Transfer API {method} {path}: {response.status_code} {response.text[:500]}")
    return response.json()


def _transfer_statuses(session: Any, query: str, log: Any) -> set[str]:
    """The statuses of the job's operations, every page read."""
    statuses: set[str] = set()
    params = {"filter": query}
    while True:
        page = _transfer_call(session, "GET", "transferOperations", params=params)
        for operation in page.get("operations", []):
            statuses.add(operation["metadata"]["status"])
            if log is not None:
                log.info(f"progress of {operation['name']}: {operation['metadata'].get('counters')}")
        if not page.get("nextPageToken"):
            return statuses
        params = {"filter": query, "pageToken": page["nextPageToken"]}


# -- Kubernetes Engine ---------------------------------------------------------------------------------------


def _cluster_client(extra: Mapping[str, Any], impersonation_chain: Any) -> tuple[Any, Any]:
    from google.cloud import container_v1

    creds, project = credentials(extra, impersonation_chain)
    return container_v1.ClusterManagerClient(credentials=creds), project


def create_gke_cluster(
    extra: Mapping[str, Any],
    *,
    location: str,
    body: Mapping[str, Any],
    project_id: str | None = None,
    impersonation_chain: str | Sequence[str] | None = None,
    log: Any = None,
) -> str:
    """Create the cluster ``body`` describes (``Cluster`` fields) and wait: the operation's target link. An
    existing cluster is success, as in Airflow: its self link."""
    from google.api_core.exceptions import AlreadyExists
    from google.cloud import container_v1

    if not body.get("name") or not (body.get("initial_node_count") or body.get("node_pools")):
        raise ValueError("body needs a name and initial_node_count or node_pools (GKECreateClusterOperator's check)")
    client, default_project = _cluster_client(extra, impersonation_chain)
    parent = f"projects/{project_id or default_project}/locations/{location}"
    name = f"{parent}/clusters/{body['name']}"
    try:
        operation = client.create_cluster(parent=parent, cluster=container_v1.Cluster(dict(body)))
    except AlreadyExists as exc:
        if log is not None:
            log.info(f"assuming success: {exc}")
        return client.get_cluster(name=name).self_link
    return _wait(client, f"{parent}/operations/{operation.name}", log).target_link


def delete_gke_cluster(
    extra: Mapping[str, Any],
    *,
    location: str,
    name: str,
    project_id: str | None = None,
    impersonation_chain: str | Sequence[str] | None = None,
    log: Any = None,
) -> str | None:
    """Delete the cluster and wait; a missing one is success, as in Airflow. The operation's self link."""
    from google.api_core.exceptions import NotFound

    client, default_project = _cluster_client(extra, impersonation_chain)
    parent = f"projects/{project_id or default_project}/locations/{location}"
    try:
        operation = client.delete_cluster(name=f"{parent}/clusters/{name}")
    except NotFound as exc:
        if log is not None:
            log.info(f"assuming success: {exc}")
        return None
    return _wait(client, f"{parent}/operations/{operation.name}", log).self_link


def _wait(client: Any, operation_name: str, log: Any, poll_seconds: float = 10.0) -> Any:
    import time

    from google.cloud import container_v1

    while True:
        operation = client.get_operation(name=operation_name)
        if operation.status == container_v1.Operation.Status.DONE:
            if operation.error and operation.error.message:
                raise RuntimeError(f"GKE operation {operation_name} failed: {operation.error.message}")
            return operation
        if log is not None:
            log.info(f"waiting for GKE operation {operation_name} ({operation.status.name})")
        time.sleep(poll_seconds)


# -- Dataproc ------------------------------------------------------------------------------------------------


def _dataproc_client(kind: str, extra: Mapping[str, Any], region: str, impersonation_chain: Any) -> tuple[Any, Any]:
    """A Dataproc ``ClusterControllerClient`` or ``JobControllerClient`` on the region's endpoint, as Airflow's
    ``DataprocHook`` builds it (``<region>-dataproc.googleapis.com:443``)."""
    from google.api_core.client_options import ClientOptions
    from google.cloud import dataproc_v1

    creds, project = credentials(extra, impersonation_chain)
    options = ClientOptions(api_endpoint=f"{region}-dataproc.googleapis.com:443") if region else None
    return getattr(dataproc_v1, kind)(credentials=creds, client_options=options), project


def create_dataproc_cluster(
    extra: Mapping[str, Any],
    *,
    region: str,
    cluster_name: str,
    project_id: str | None = None,
    cluster_config: Mapping[str, Any] | None = None,
    virtual_cluster_config: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    request_id: str | None = None,
    use_if_exists: bool = True,
    delete_on_error: bool = True,
    impersonation_chain: str | Sequence[str] | None = None,
    log: Any = None,
    poll_seconds: float = 10.0,
) -> dict[str, Any]:
    """``DataprocCreateClusterOperator``: create the cluster and wait for it; an existing one is used when
    ``use_if_exists`` (waiting while it is CREATING); a cluster in ERROR is deleted (``delete_on_error``) and the
    task fails. The cluster as a dict, the operator's return value."""
    import time

    from google.api_core.exceptions import AlreadyExists
    from google.cloud import dataproc_v1

    client, default_project = _dataproc_client("ClusterControllerClient", extra, region, impersonation_chain)
    project = project_id or default_project
    cluster: dict[str, Any] = {"project_id": project, "cluster_name": cluster_name}
    if virtual_cluster_config is not None:
        cluster["virtual_cluster_config"] = dict(virtual_cluster_config)
    else:
        cluster["config"] = dict(cluster_config or {})
    if labels:
        cluster["labels"] = dict(labels)
    where = {"project_id": project, "region": region, "cluster_name": cluster_name}
    try:
        client.create_cluster(project_id=project, region=region, cluster=cluster, request_id=request_id).result()
    except AlreadyExists:
        if not use_if_exists:
            raise
        if log is not None:
            log.info(f"cluster {cluster_name} already exists: using it")
    found = client.get_cluster(**where)
    state = dataproc_v1.ClusterStatus.State
    while found.status.state == state.CREATING:
        if log is not None:
            log.info(f"waiting for cluster {cluster_name} (CREATING)")
        time.sleep(poll_seconds)
        found = client.get_cluster(**where)
    if found.status.state == state.ERROR:
        if delete_on_error:
            client.delete_cluster(**where).result()
        raise RuntimeError(f"Dataproc cluster {cluster_name} is in ERROR state")
    return dataproc_v1.Cluster.to_dict(found)


def delete_dataproc_cluster(
    extra: Mapping[str, Any],
    *,
    region: str,
    cluster_name: str,
    project_id: str | None = None,
    cluster_uuid: str | None = None,
    request_id: str | None = None,
    impersonation_chain: str | Sequence[str] | None = None,
    log: Any = None,
) -> None:
    """``DataprocDeleteClusterOperator``: delete the cluster and wait for the operation (a missing cluster fails
    the task, as the operator's ``operation.result()`` does)."""
    client, default_project = _dataproc_client("ClusterControllerClient", extra, region, impersonation_chain)
    if log is not None:
        log.info(f"deleting cluster {cluster_name}")
    client.delete_cluster(
        project_id=project_id or default_project,
        region=region,
        cluster_name=cluster_name,
        cluster_uuid=cluster_uuid,
        request_id=request_id,
    ).result()


def submit_dataproc_job(
    extra: Mapping[str, Any],
    *,
    job: Mapping[str, Any],
    region: str,
    project_id: str | None = None,
    request_id: str | None = None,
    asynchronous: bool = False,
    wait_timeout: float | None = None,
    impersonation_chain: str | Sequence[str] | None = None,
    log: Any = None,
    poll_seconds: float = 10.0,
) -> str:
    """``DataprocSubmitJobOperator``: submit the job and (unless ``asynchronous``) wait until it is DONE, failing
    on ERROR or CANCELLED as ``DataprocHook.wait_for_job`` does. The job id, the operator's return value."""
    import time

    from google.cloud import dataproc_v1

    client, default_project = _dataproc_client("JobControllerClient", extra, region, impersonation_chain)
    project = project_id or default_project
    submitted = client.submit_job(project_id=project, region=region, job=dict(job), request_id=request_id)
    job_id = submitted.reference.job_id
    if log is not None:
        log.info(f"job {job_id} submitted")
    if asynchronous:
        return job_id
    state = dataproc_v1.JobStatus.State
    started = time.monotonic()
    while True:
        current = client.get_job(project_id=project, region=region, job_id=job_id).status.state
        if current == state.DONE:
            return job_id
        if current in (state.ERROR, state.CANCELLED):
            raise RuntimeError(f"Dataproc job {job_id} ended in state {current.name}")
        if wait_timeout is not None and time.monotonic() - started > wait_timeout:
            raise TimeoutError(f"Dataproc job {job_id} did not finish within {wait_timeout} s")
        if log is not None:
            log.info(f"waiting for job {job_id} ({current.name})")
        time.sleep(poll_seconds)
