"""Google Cloud provider operators: GCS copies and deletions, Storage Transfer jobs, GKE and Dataproc clusters,
Dataproc jobs.

Each asset calls the method of ``GcpConnection`` (``support/gcp.py``, ``support/bigquery.py``) named after its
operator with the operator's own arguments: the templated ones rendered like Airflow renders them (with the
operator's ``template_ext``), the others as written, the defaults left to the support function (which has the
operator's). An argument no rule carries keeps the task in Airflow, named; the ones that only tune how Airflow
waits (deferral, polling, job ids) are listed in the asset's notes. ``Carried`` and ``gcp_translation`` are the
opening ``rules/bigquery.py`` shares. The connection is ``AIRFLOW_CONN_<GCP_CONN_ID>`` as Airflow reads it
(``google-cloud-platform://`` with ``key_path``, ``keyfile_dict`` or ``project`` in its extra; without a key,
Application Default Credentials).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from converters.inventory.operators import canonical
from converters.rules.base import (
    BASE_OPERATOR_ARGS,
    JUDG,
    MECH,
    NONE,
    Code,
    Rule,
    TaskInput,
    Translation,
    Untranslatable,
    template_xcoms,
)
from converters.rules.connections import connect, literal_conn_id


@dataclass(frozen=True)
class Carried:
    """What a rule does with an operator's arguments."""

    method: str  # GcpConnection's method
    templated: tuple[str, ...]  # the operator's template_fields it carries (rendered)
    plain: tuple[str, ...]  # carried as written
    connection: tuple[str, ...]  # connection arguments, first set wins
    waiting: tuple[str, ...] = ()  # how Airflow waits or names jobs: consumed, listed in the notes
    inert: tuple[str, ...] = ()  # arguments without effect on what the rule carries (checked by the rule)
    defaults: dict[str, object] = field(default_factory=dict)  # arguments given when the task leaves them out
    template_ext: tuple[str, ...] = ()  # the operator's: a templated string ending so is a file to read


def uncarried(task: TaskInput, spec: Carried) -> list[str]:
    """The task's arguments that ``spec`` neither carries nor knows to be without effect."""
    known = {*spec.templated, *spec.plain, *spec.connection, *spec.waiting, *spec.inert, "task_id", "dag"}
    return sorted(set(task.args) - known - {"delegate_to"} - BASE_OPERATOR_ARGS)


def _render_suffix(template_ext: tuple[str, ...]) -> str:
    """The ``template_ext`` argument of ``render`` (whose default is the SQL operators' ``.sql``/``.json``)."""
    if set(template_ext) == {".sql", ".json"}:
        return ""
    return ", template_ext=(" + "".join(f'"{ext}", ' for ext in template_ext).rstrip(" ") + ")"


def carry(task: TaskInput, t: Translation, code: Code, spec: Carried) -> list[str] | None:
    """``name=value`` for each argument the task sets (and the defaults it leaves); None when a template pulls
    an XCom from a task known only at run time."""
    parts: list[str] = []
    suffix = _render_suffix(spec.template_ext)
    for name, value in {**spec.defaults, **task.args}.items():
        if name in spec.templated:
            pulled = template_xcoms(value)
            if pulled is None:
                return None
            if pulled:
                t.disposition = JUDG
                t.notes.append(f"ti.xcom_pull in {name} reads the upstream assets' values ({', '.join(pulled)})")
                t.inputs.extend(p for p in pulled if p not in t.inputs)
            parts.append(f"{name}=render({code.value(value)}, airflow, DAG{suffix})")
        elif name in spec.plain:
            parts.append(f"{name}={code.value(value)}")
    waited = sorted(set(task.args) & set(spec.waiting))
    if waited:
        t.notes.append(f"{', '.join(waited)}: the asset runs the call and waits for it in its own process")
    t.consumed |= set(task.args) - BASE_OPERATOR_ARGS
    return parts


def gcp_translation(
    task: TaskInput, spec: Carried, reason: str, disposition: str, default_conn: str, extra: tuple[str, ...] = ()
) -> Translation:
    """The asset calling ``GcpConnection.<method>`` with the carried arguments and ``extra`` ones (or NONE saying
    what is missing)."""
    conn_id = literal_conn_id(task, *spec.connection, default=default_conn)
    # Without a literal connection id we can't know which project and credentials the call uses.
    if conn_id is None:
        return Translation(NONE, "the Google Cloud connection id is not a literal")
    # Domain-wide delegation (1.10's and early 2.x's delegate_to) has no equivalent in the support code.
    if task.args.get("delegate_to") is not None:
        return Translation(NONE, "delegate_to (domain-wide delegation) is not carried by this rule")
    unknown = uncarried(task, spec)
    # An argument the rule does not carry would be dropped silently: the task stays in Airflow, naming it.
    if unknown:
        return Translation(
            NONE, f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not carried by this rule"
        )
    t = Translation(disposition, reason, kinds=("gcp",))
    resource, code = connect(t, conn_id, "GcpConnection", "gcp")
    try:
        parts = carry(task, t, code, spec)
    except Untranslatable as exc:
        # If an argument can't be written as code, the asset can't make the same call.
        return Translation(NONE, f"an argument {exc}")
    # Pulls from tasks known only at run time can't become asset inputs.
    if parts is None:
        return Translation(NONE, "a templated argument pulls XComs from tasks known only at run time")
    call = f"return {resource.name}.{spec.method}("
    t.body.append(call + ", ".join([*parts, *extra, "log=context.log"]) + ")")
    return t


GCS_TO_GCS = Carried(
    method="gcs_to_gcs",
    templated=(
        "source_bucket",
        "source_object",
        "source_objects",
        "destination_bucket",
        "destination_object",
        "delimiter",
        "impersonation_chain",
    ),
    plain=("move_object", "replace", "exact_match", "source_object_required"),
    connection=("gcp_conn_id", "google_cloud_storage_conn_id"),
)


class GcsToGcs(Rule):
    """What it does: copies (or moves) the operator's objects between buckets through ``GcpConnection``.

    Why: the copies are the task. ``gcs_to_gcs`` lists and rewrites objects as the operator does: prefixes, one
    ``*`` wildcard (what follows it filters by suffix), a ``destination_object`` ending in ``/`` as a folder,
    ``replace=False`` skipping objects the destination has, ``move_object`` deleting the sources; it returns the
    destination URIs (the operator's XCom). Tested end to end against a Cloud Storage emulator. The time filters
    (``last_modified_time``, ``maximum_modified_time``, ``is_older_than``), ``match_glob`` and retention settings
    are not carried.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.google.cloud.transfers.gcs_to_gcs import GCSToGCSOperator

    with DAG("publish", schedule="@daily", start_date=datetime(2024, 1, 1)):
        GCSToGCSOperator(
            task_id="publish_exports",
            source_bucket="staging",
            source_object="exports/{{ ds }}/*.csv",
            destination_bucket="public",
            destination_object="exports/",
            replace=False,
        )
    ```

    Becomes:
    ```python
    # publish.py:7 · task publish_exports · rule gcp.gcs_to_gcs · MECH
    @task_asset(
        DAG,
        "publish_exports",
        key=["publish", "publish_exports"],
        group_name="publish",
        kinds={"gcp"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "publish.py:7",
            "airflow/task_id": "publish_exports",
            "airflow/operator": "airflow.providers.google.cloud.transfers.gcs_to_gcs.GCSToGCSOperator",
            "airflow/rule": "gcp.gcs_to_gcs",
            "airflow/disposition": "MECH",
            "airflow/reason": "the same objects are copied through the Cloud Storage client",
        },
    )
    def publish_exports(context: dg.AssetExecutionContext, gcp_google_cloud_default: GcpConnection):
        airflow = task_context(context, DAG, "publish_exports")
        return gcp_google_cloud_default.gcs_to_gcs(
            source_bucket=render("staging", airflow, DAG, template_ext=()),
            source_object=render("exports/{{ ds }}/*.csv", airflow, DAG, template_ext=()),
            destination_bucket=render("public", airflow, DAG, template_ext=()),
            destination_object=render("exports/", airflow, DAG, template_ext=()),
            replace=False,
            log=context.log,
        )
    ```
    """

    name = "gcp.gcs_to_gcs"
    operators = canonical("GCSToGCSOperator")
    emits = "an asset copying the operator's objects between buckets through GcpConnection"

    def translate(self, task: TaskInput) -> Translation:
        reason = "the same objects are copied through the Cloud Storage client"
        return gcp_translation(task, GCS_TO_GCS, reason, MECH, "google_cloud_default")


GCS_DELETE = Carried(
    method="gcs_delete_objects",
    templated=("bucket_name", "prefix", "objects", "impersonation_chain"),
    plain=(),
    connection=("gcp_conn_id", "google_cloud_storage_conn_id"),
)


class GcsDeleteObjects(Rule):
    """What it does: deletes the operator's objects (or every object under its prefix) through ``GcpConnection``.

    Why: the deletions are the task. ``delete_objects`` deletes the listed ``objects``, else lists ``prefix`` (a
    name or a list of them) and deletes what it finds, as the operator does (1.10's
    ``GoogleCloudStorageDeleteOperator`` alike). Tested end to end against a Cloud Storage emulator.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.google.cloud.operators.gcs import GCSDeleteObjectsOperator

    with DAG("cleanup", schedule="@daily", start_date=datetime(2024, 1, 1)):
        GCSDeleteObjectsOperator(task_id="drop_staging", bucket_name="staging", prefix="exports/{{ ds }}/")
    ```

    Becomes:
    ```python
    # cleanup.py:7 · task drop_staging · rule gcp.gcs_delete_objects · MECH
    @task_asset(
        DAG,
        "drop_staging",
        key=["cleanup", "drop_staging"],
        group_name="cleanup",
        kinds={"gcp"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "cleanup.py:7",
            "airflow/task_id": "drop_staging",
            "airflow/operator": "airflow.providers.google.cloud.operators.gcs.GCSDeleteObjectsOperator",
            "airflow/rule": "gcp.gcs_delete_objects",
            "airflow/disposition": "MECH",
            "airflow/reason": "the same objects are deleted through the Cloud Storage client",
        },
    )
    def drop_staging(context: dg.AssetExecutionContext, gcp_google_cloud_default: GcpConnection):
        airflow = task_context(context, DAG, "drop_staging")
        return gcp_google_cloud_default.gcs_delete_objects(
            bucket_name=render("staging", airflow, DAG, template_ext=()),
            prefix=render("exports/{{ ds }}/", airflow, DAG, template_ext=()),
            log=context.log,
        )
    ```
    """

    name = "gcp.gcs_delete_objects"
    operators = canonical("GCSDeleteObjectsOperator")
    emits = "an asset deleting the operator's objects (or those under its prefix) through GcpConnection"

    def translate(self, task: TaskInput) -> Translation:
        reason = "the same objects are deleted through the Cloud Storage client"
        return gcp_translation(task, GCS_DELETE, reason, MECH, "google_cloud_default")


GKE_CREATE = Carried(
    method="create_gke_cluster",
    templated=("project_id", "location", "body", "impersonation_chain"),
    plain=(),
    connection=("gcp_conn_id",),
    waiting=("api_version", "deferrable", "poll_interval"),
)
GKE_DELETE = Carried(
    method="delete_gke_cluster",
    templated=("project_id", "location", "name", "impersonation_chain"),
    plain=(),
    connection=("gcp_conn_id",),
    waiting=("api_version", "deferrable", "poll_interval"),
)


class GkeCluster(Rule):
    """What it does: creates or deletes the operator's GKE cluster with google-cloud-container's client.

    Why: the cluster is the task. ``ClusterManagerClient`` gets the same rendered ``body``, project and location
    the operator's hook sends, and the asset waits for the operation; as in Airflow, creating a cluster that exists
    or deleting one that does not is success. JUDG: not exercised against GKE here, and the Dagster side needs the
    connection's rights on the project.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.google.cloud.operators.kubernetes_engine import (
        GKECreateClusterOperator,
        GKEDeleteClusterOperator,
    )

    with DAG("batch", schedule="@daily", start_date=datetime(2024, 1, 1)):
        create = GKECreateClusterOperator(
            task_id="create_cluster",
            project_id="{{ var.value.gcp_project }}",
            location="us-central1-c",
            body={"name": "batch-{{ ds_nodash }}", "initial_node_count": 1},
        )
        delete = GKEDeleteClusterOperator(
            task_id="delete_cluster",
            project_id="{{ var.value.gcp_project }}",
            location="us-central1-c",
            name="batch-{{ ds_nodash }}",
        )
        create >> delete
    ```

    Becomes:
    ```python
    # batch.py:10 · task create_cluster · rule gcp.gke_cluster · JUDG
    @task_asset(
        DAG,
        "create_cluster",
        key=["batch", "create_cluster"],
        group_name="batch",
        kinds={"gcp"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "batch.py:10",
            "airflow/task_id": "create_cluster",
            "airflow/operator": "airflow.providers.google.cloud.operators.kubernetes_engine.GKECreateClusterOperator",
            "airflow/rule": "gcp.gke_cluster",
            "airflow/disposition": "JUDG",
            "airflow/reason": (
                "creates the cluster with the same request through ClusterManagerClient; not exercised against GKE here"
            ),
        },
    )
    def create_cluster(context: dg.AssetExecutionContext, gcp_google_cloud_default: GcpConnection):
        airflow = task_context(context, DAG, "create_cluster")
        return gcp_google_cloud_default.create_gke_cluster(
            project_id=render("{{ var.value.gcp_project }}", airflow, DAG, template_ext=()),
            location=render("us-central1-c", airflow, DAG, template_ext=()),
            body=render({"name": "batch-{{ ds_nodash }}", "initial_node_count": 1}, airflow, DAG, template_ext=()),
            log=context.log,
        )


    # batch.py:16 · task delete_cluster · rule gcp.gke_cluster · JUDG
    @task_asset(
        DAG,
        "delete_cluster",
        key=["batch", "delete_cluster"],
        group_name="batch",
        deps=[dg.AssetKey(["batch", "create_cluster"])],
        kinds={"gcp"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "batch.py:16",
            "airflow/task_id": "delete_cluster",
            "airflow/operator": "airflow.providers.google.cloud.operators.kubernetes_engine.GKEDeleteClusterOperator",
            "airflow/rule": "gcp.gke_cluster",
            "airflow/disposition": "JUDG",
            "airflow/reason": (
                "deletes the cluster with the same request through ClusterManagerClient; not exercised against GKE here"
            ),
        },
    )
    def delete_cluster(context: dg.AssetExecutionContext, gcp_google_cloud_default: GcpConnection):
        airflow = task_context(context, DAG, "delete_cluster")
        return gcp_google_cloud_default.delete_gke_cluster(
            project_id=render("{{ var.value.gcp_project }}", airflow, DAG, template_ext=()),
            location=render("us-central1-c", airflow, DAG, template_ext=()),
            name=render("batch-{{ ds_nodash }}", airflow, DAG, template_ext=()),
            log=context.log,
        )
    ```
    """

    name = "gcp.gke_cluster"
    operators = canonical("GKECreateClusterOperator", "GKEDeleteClusterOperator")
    disposition = JUDG
    emits = "an asset creating or deleting the GKE cluster through google-cloud-container's ClusterManagerClient"

    def translate(self, task: TaskInput) -> Translation:
        create = task.task.operator == canonical("GKECreateClusterOperator")[0]
        spec = GKE_CREATE if create else GKE_DELETE
        what = "creates" if create else "deletes"
        reason = (
            f"{what} the cluster with the same request through ClusterManagerClient; not exercised against GKE here"
        )
        return gcp_translation(task, spec, reason, JUDG, "google_cloud_default")


STORAGE_TRANSFER = Carried(
    method="gcs_to_gcs_transfer",
    templated=(
        "source_bucket",
        "destination_bucket",
        "source_path",
        "destination_path",
        "description",
        "object_conditions",
        "google_impersonation_chain",
    ),
    plain=("project_id", "schedule", "transfer_options", "wait", "timeout", "delete_job_after_completion"),
    connection=("gcp_conn_id",),
    waiting=("deferrable",),
)


class StorageTransferGcsToGcs(Rule):
    """What it does: creates the operator's Storage Transfer Service job through ``GcpConnection`` and waits for it.

    Why: the transfer job is the task. ``gcs_to_gcs_transfer`` builds the job body the operator builds (paths ending
    in ``/``, ``objectConditions``, ``transferOptions``, one run today when there is no ``schedule``), creates it and
    polls its operations through the same Storage Transfer REST calls as Airflow's hook, with the same ``timeout``
    (60 seconds when not given) and ``delete_job_after_completion``. JUDG: not exercised against the service here.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.google.cloud.operators.cloud_storage_transfer_service import (
        CloudDataTransferServiceGCSToGCSOperator,
    )

    with DAG("mirror", schedule="@daily", start_date=datetime(2024, 1, 1)):
        CloudDataTransferServiceGCSToGCSOperator(
            task_id="mirror_bucket",
            project_id="my-project",
            source_bucket="raw",
            destination_bucket="mirror",
            object_conditions={"includePrefixes": ["exports/"]},
            transfer_options={"overwriteWhen": "DIFFERENT"},
            timeout=3600,
        )
    ```

    Becomes:
    ```python
    # mirror.py:9 · task mirror_bucket · rule gcp.storage_transfer · JUDG
    @task_asset(
        DAG,
        "mirror_bucket",
        key=["mirror", "mirror_bucket"],
        group_name="mirror",
        kinds={"gcp"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "mirror.py:9",
            "airflow/task_id": "mirror_bucket",
            "airflow/operator": (
                "airflow.providers.google.cloud.operators.cloud_storage_transfer_service.CloudDataTra"
                "nsferServiceGCSToGCSOperator"
            ),
            "airflow/rule": "gcp.storage_transfer",
            "airflow/disposition": "JUDG",
            "airflow/reason": (
                "creates the same Storage Transfer job and waits for it; not exercised against the service here"
            ),
        },
    )
    def mirror_bucket(context: dg.AssetExecutionContext, gcp_google_cloud_default: GcpConnection):
        airflow = task_context(context, DAG, "mirror_bucket")
        return gcp_google_cloud_default.gcs_to_gcs_transfer(
            project_id="my-project",
            source_bucket=render("raw", airflow, DAG, template_ext=()),
            destination_bucket=render("mirror", airflow, DAG, template_ext=()),
            object_conditions=render({"includePrefixes": ["exports/"]}, airflow, DAG, template_ext=()),
            transfer_options={"overwriteWhen": "DIFFERENT"},
            timeout=3600,
            log=context.log,
        )
    ```
    """

    name = "gcp.storage_transfer"
    operators = canonical("CloudDataTransferServiceGCSToGCSOperator")
    disposition = JUDG
    emits = "an asset creating the operator's Storage Transfer job (same body) and waiting for it, via GcpConnection"

    def translate(self, task: TaskInput) -> Translation:
        reason = "creates the same Storage Transfer job and waits for it; not exercised against the service here"
        return gcp_translation(task, STORAGE_TRANSFER, reason, JUDG, "google_cloud_default")


DATAPROC_WAITING = ("retry", "timeout", "metadata", "deferrable", "polling_interval_seconds")
DATAPROC_CREATE = Carried(
    method="create_dataproc_cluster",
    templated=(
        "project_id",
        "region",
        "cluster_config",
        "virtual_cluster_config",
        "cluster_name",
        "labels",
        "impersonation_chain",
    ),
    plain=("request_id", "delete_on_error", "use_if_exists"),
    connection=("gcp_conn_id",),
    waiting=(*DATAPROC_WAITING, "num_retries_if_resource_is_not_ready"),
)
DATAPROC_DELETE = Carried(
    method="delete_dataproc_cluster",
    templated=("project_id", "region", "cluster_name", "impersonation_chain"),
    plain=("cluster_uuid", "request_id"),
    connection=("gcp_conn_id",),
    waiting=DATAPROC_WAITING,
)
DATAPROC_SUBMIT = Carried(
    method="submit_dataproc_job",
    templated=("project_id", "region", "job", "impersonation_chain", "request_id"),
    plain=("asynchronous", "wait_timeout"),
    connection=("gcp_conn_id",),
    waiting=(*DATAPROC_WAITING, "cancel_on_kill"),
)


class Dataproc(Rule):
    """What it does: creates or deletes the operator's Dataproc cluster, or submits its Dataproc job and waits for
    it, with google-cloud-dataproc's clients on the region's endpoint.

    Why: the cluster or the job is the task. The clients get the same rendered cluster configuration, job and
    names the operator's ``DataprocHook`` sends, and the asset waits as the operator does: an existing cluster is
    reused when ``use_if_exists`` (one in ERROR is deleted when ``delete_on_error`` and the task fails), a job
    must end DONE (ERROR or CANCELLED fail it). The asset's value is the operator's return value (the cluster as a
    dict, the job id). JUDG: not exercised against Dataproc here, and the Dagster side needs the connection's
    rights on the project. The legacy cluster arguments of Airflow 1.10 (``num_workers``, ``zone`` ...) are not
    carried: such a task stays in Airflow, naming them.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.google.cloud.operators.dataproc import DataprocSubmitJobOperator

    with DAG("etl", schedule="@daily", start_date=datetime(2024, 1, 1)):
        DataprocSubmitJobOperator(
            task_id="aggregate",
            project_id="analytics",
            region="europe-west1",
            job={"placement": {"cluster_name": "etl"}, "pyspark_job": {"main_python_file_uri": "gs://jobs/agg.py"}},
        )
    ```

    Becomes:
    ```python
    # etl.py:7 · task aggregate · rule gcp.dataproc · JUDG
    @task_asset(
        DAG,
        "aggregate",
        key=["etl", "aggregate"],
        group_name="etl",
        kinds={"gcp"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "etl.py:7",
            "airflow/task_id": "aggregate",
            "airflow/operator": "airflow.providers.google.cloud.operators.dataproc.DataprocSubmitJobOperator",
            "airflow/rule": "gcp.dataproc",
            "airflow/disposition": "JUDG",
            "airflow/reason": (
                "submits the same job through Dataproc's JobControllerClient and waits; not exercised against Dataproc here"
            ),
        },
    )
    def aggregate(context: dg.AssetExecutionContext, gcp_google_cloud_default: GcpConnection):
        airflow = task_context(context, DAG, "aggregate")
        return gcp_google_cloud_default.submit_dataproc_job(
            project_id=render("analytics", airflow, DAG, template_ext=()),
            region=render("europe-west1", airflow, DAG, template_ext=()),
            job=render(
                {"placement": {"cluster_name": "etl"}, "pyspark_job": {"main_python_file_uri": "gs://jobs/agg.py"}},
                airflow,
                DAG,
                template_ext=(),
            ),
            log=context.log,
        )
    ```
    """

    name = "gcp.dataproc"
    operators = canonical("DataprocCreateClusterOperator", "DataprocDeleteClusterOperator", "DataprocSubmitJobOperator")
    disposition = JUDG
    emits = "an asset creating or deleting the Dataproc cluster, or submitting the job, through GcpConnection"

    def translate(self, task: TaskInput) -> Translation:
        operator = task.task.operator
        if operator == canonical("DataprocSubmitJobOperator")[0]:
            spec, reason = DATAPROC_SUBMIT, "submits the same job through Dataproc's JobControllerClient and waits"
        elif operator == canonical("DataprocCreateClusterOperator")[0]:
            spec, reason = DATAPROC_CREATE, "creates the cluster with the same configuration through Dataproc's client"
        else:
            spec, reason = DATAPROC_DELETE, "deletes the cluster through Dataproc's ClusterControllerClient"
        return gcp_translation(
            task, spec, f"{reason}; not exercised against Dataproc here", JUDG, "google_cloud_default"
        )


ORDER = 65
RULES = [GcsToGcs, GcsDeleteObjects, GkeCluster, StorageTransferGcsToGcs, Dataproc]
