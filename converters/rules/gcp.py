"""Google Cloud provider operators: BigQuery jobs, GCS to BigQuery loads, GCS copies and deletions, GKE clusters.

Each asset calls the method of ``GcpConnection`` (``support/gcp.py``) named after its operator with the operator's
own arguments: the templated ones rendered like Airflow renders them, the others as written, the defaults left to
the support function (which has the operator's). An argument no rule carries keeps the task in Airflow, named;
the ones that only tune how Airflow waits (deferral, polling, job ids) are listed in the asset's notes.
"""

from __future__ import annotations

import re
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


GCS_TO_BIGQUERY = Carried(
    method="gcs_to_bigquery",
    templated=(
        "bucket",
        "source_objects",
        "schema_object",
        "schema_object_bucket",
        "destination_project_dataset_table",
        "impersonation_chain",
        "src_fmt_configs",
    ),
    plain=(
        "schema_fields",
        "source_format",
        "create_disposition",
        "skip_leading_rows",
        "write_disposition",
        "field_delimiter",
        "max_bad_records",
        "quote_character",
        "ignore_unknown_values",
        "allow_quoted_newlines",
        "allow_jagged_rows",
        "encoding",
        "max_id_key",
        "schema_update_options",
        "time_partitioning",
        "cluster_fields",
        "autodetect",
        "encryption_configuration",
        "location",
        "labels",
        "description",
        "project_id",
        "force_delete",
    ),
    connection=("gcp_conn_id", "bigquery_conn_id", "google_cloud_storage_conn_id"),
    waiting=("deferrable", "result_retry", "result_timeout", "cancel_on_kill", "job_id", "force_rerun"),
    inert=("external_table", "compression"),  # the rule keeps external tables in Airflow; compression is theirs
    template_ext=(".sql",),
)
# Airflow 1.10's GoogleCloudStorageToBigQueryOperator: the same load job, with other defaults.
GCS_TO_BIGQUERY_1_10 = Carried(
    method=GCS_TO_BIGQUERY.method,
    templated=GCS_TO_BIGQUERY.templated,
    plain=GCS_TO_BIGQUERY.plain,
    connection=("bigquery_conn_id", "gcp_conn_id", "google_cloud_storage_conn_id"),
    inert=GCS_TO_BIGQUERY.inert,
    defaults={"autodetect": False, "skip_leading_rows": 0},
    template_ext=(".sql",),
)


def _job_id_prefix(task: TaskInput) -> str:
    """Airflow names its jobs ``airflow_<dag_id>_<task_id>_...``; BigQuery allows ``[A-Za-z0-9_-]`` only."""
    return re.sub(r"[^0-9a-zA-Z_\-]", "_", f"airflow_{task.dag.dag_id}_{task.task.task_id}_")


class GcsToBigQuery(Rule):
    """What it does: runs the operator's BigQuery load job from Cloud Storage through ``GcpConnection``.

    Why: the load job is the task. ``gcs_to_bigquery`` builds the job configuration the operator submits from the
    same arguments with the same defaults (``source_format`` CSV, ``write_disposition`` WRITE_EMPTY,
    ``create_disposition`` CREATE_IF_NEEDED, ``autodetect`` on; 1.10's ``GoogleCloudStorageToBigQueryOperator``:
    ``autodetect`` off, ``skip_leading_rows`` 0), reads ``schema_object`` from the bucket, waits for the job and
    returns the MAX of ``max_id_key`` like the operator's XCom. JUDG: the configuration is the operator's, but it is
    not exercised against BigQuery here. ``external_table=True`` (a table definition, no load) is not carried.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.google.cloud.transfers.gcs_to_bigquery import GCSToBigQueryOperator

    with DAG("loads", schedule="@daily", start_date=datetime(2024, 1, 1)):
        GCSToBigQueryOperator(
            task_id="load_orders",
            bucket="{{ var.value.landing_bucket }}",
            source_objects=["orders/{{ ds }}.csv"],
            destination_project_dataset_table="sales.orders",
            skip_leading_rows=1,
            write_disposition="WRITE_TRUNCATE",
            schema_fields=[{"name": "id", "type": "INTEGER", "mode": "REQUIRED"}],
        )
    ```

    Becomes:
    ```python
    # loads.py:7 · task load_orders · rule gcp.gcs_to_bigquery · JUDG
    @dg.asset(
        key=["loads", "load_orders"],
        group_name="loads",
        kinds={"gcp"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "loads.py:7",
            "airflow/task_id": "load_orders",
            "airflow/operator": "airflow.providers.google.cloud.transfers.gcs_to_bigquery.GCSToBigQueryOperator",
            "airflow/rule": "gcp.gcs_to_bigquery",
            "airflow/disposition": "JUDG",
            "airflow/reason": "runs the same BigQuery load job configuration; not exercised against BigQuery here",
        },
    )
    def load_orders(context: dg.AssetExecutionContext, gcp_google_cloud_default: GcpConnection):
        airflow = task_context(context, DAG, "load_orders")
        return gcp_google_cloud_default.gcs_to_bigquery(
            bucket=render("{{ var.value.landing_bucket }}", airflow, DAG, template_ext=(".sql",)),
            source_objects=render(["orders/{{ ds }}.csv"], airflow, DAG, template_ext=(".sql",)),
            destination_project_dataset_table=render("sales.orders", airflow, DAG, template_ext=(".sql",)),
            skip_leading_rows=1,
            write_disposition="WRITE_TRUNCATE",
            schema_fields=[{"name": "id", "type": "INTEGER", "mode": "REQUIRED"}],
            job_id_prefix="airflow_loads_load_orders_",
            log=context.log,
        )
    ```
    """

    name = "gcp.gcs_to_bigquery"
    operators = canonical("GCSToBigQueryOperator")
    disposition = JUDG
    emits = "an asset running the operator's BigQuery load job (same configuration) through GcpConnection"

    def translate(self, task: TaskInput) -> Translation:
        legacy = task.task.operator_as_written.startswith("airflow.contrib.")
        # An external table is a table definition over the files, not a load job: no rule carries it.
        if task.args.get("external_table") not in (None, False):
            return Translation(NONE, "external_table (a BigQuery external table definition) is not carried")
        spec = GCS_TO_BIGQUERY_1_10 if legacy else GCS_TO_BIGQUERY
        reason = "runs the same BigQuery load job configuration; not exercised against BigQuery here"
        conn_default = "bigquery_default" if legacy else "google_cloud_default"
        prefix = f'job_id_prefix="{_job_id_prefix(task)}"'
        t = gcp_translation(task, spec, reason, JUDG, conn_default, (prefix,))
        if t.disposition != NONE:
            storage = task.args.get("google_cloud_storage_conn_id")
            if "schema_object" in task.args and storage not in (None, literal_conn_id(task, *spec.connection[:2])):
                t.notes.append(f"schema_object is read with the BigQuery connection, not {storage!r}")
        return t


BIGQUERY_INSERT_JOB = Carried(
    method="bigquery_insert_job",
    templated=("configuration", "impersonation_chain", "project_id"),
    plain=("location",),
    connection=("gcp_conn_id",),
    waiting=(
        "job_id",
        "force_rerun",
        "reattach_states",
        "cancel_on_kill",
        "result_retry",
        "result_timeout",
        "deferrable",
        "poll_interval",
    ),
    template_ext=(".json", ".sql"),
)
BIGQUERY_EXECUTE_QUERY = Carried(
    method="bigquery_execute_query",
    templated=("sql", "destination_dataset_table", "labels", "query_params", "impersonation_chain"),
    plain=(
        "write_disposition",
        "allow_large_results",
        "flatten_results",
        "udf_config",
        "use_legacy_sql",
        "maximum_billing_tier",
        "maximum_bytes_billed",
        "create_disposition",
        "schema_update_options",
        "priority",
        "time_partitioning",
        "api_resource_configs",
        "cluster_fields",
        "location",
        "encryption_configuration",
    ),
    connection=("gcp_conn_id", "bigquery_conn_id"),
    template_ext=(".sql",),
)


class BigQueryJob(Rule):
    """What it does: runs the operator's BigQuery job through ``GcpConnection`` and returns its job id.

    Why: the job is the task, and its configuration says more than its SQL: a destination table, a write
    disposition, legacy or standard SQL, the location. ``BigQueryInsertJobOperator``'s rendered ``configuration``
    is submitted as given (query, load, copy or extract); ``BigQueryExecuteQueryOperator`` (1.10's
    ``BigQueryOperator``) gets the query job its hook builds from its arguments, with its defaults (legacy SQL,
    WRITE_EMPTY, INTERACTIVE), one job per statement. JUDG: not exercised against BigQuery here.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.google.cloud.operators.bigquery import BigQueryInsertJobOperator

    with DAG("marts", schedule="@daily", start_date=datetime(2024, 1, 1)):
        BigQueryInsertJobOperator(
            task_id="daily_totals",
            configuration={
                "query": {
                    "query": "select day, sum(amount) as total from sales.orders where day = '{{ ds }}' group by day",
                    "useLegacySql": False,
                    "destinationTable": {"projectId": "analytics", "datasetId": "marts", "tableId": "totals"},
                    "writeDisposition": "WRITE_APPEND",
                }
            },
            location="EU",
        )
    ```

    Becomes:
    ```python
    # marts.py:7 · task daily_totals · rule gcp.bigquery_job · JUDG
    @dg.asset(
        key=["marts", "daily_totals"],
        group_name="marts",
        kinds={"gcp"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "marts.py:7",
            "airflow/task_id": "daily_totals",
            "airflow/operator": "airflow.providers.google.cloud.operators.bigquery.BigQueryInsertJobOperator",
            "airflow/rule": "gcp.bigquery_job",
            "airflow/disposition": "JUDG",
            "airflow/reason": "runs the same BigQuery job configuration; not exercised against BigQuery here",
        },
    )
    def daily_totals(context: dg.AssetExecutionContext, gcp_google_cloud_default: GcpConnection):
        airflow = task_context(context, DAG, "daily_totals")
        return gcp_google_cloud_default.bigquery_insert_job(
            configuration=render(
                {
                    "query": {
                        "query": "select day, sum(amount) as total from sales.orders where day = '{{ ds }}' group by day",
                        "useLegacySql": False,
                        "destinationTable": {"projectId": "analytics", "datasetId": "marts", "tableId": "totals"},
                        "writeDisposition": "WRITE_APPEND",
                    }
                },
                airflow,
                DAG,
            ),
            location="EU",
            log=context.log,
        )
    ```
    """

    name = "gcp.bigquery_job"
    operators = canonical("BigQueryInsertJobOperator", "BigQueryExecuteQueryOperator")
    disposition = JUDG
    emits = "an asset submitting the operator's BigQuery job configuration through GcpConnection; the job id"

    def translate(self, task: TaskInput) -> Translation:
        insert = task.task.operator == canonical("BigQueryInsertJobOperator")[0]
        spec = BIGQUERY_INSERT_JOB if insert else BIGQUERY_EXECUTE_QUERY
        legacy = task.task.operator_as_written.startswith("airflow.contrib.")
        reason = "runs the same BigQuery job configuration; not exercised against BigQuery here"
        default = "bigquery_default" if legacy else "google_cloud_default"
        return gcp_translation(task, spec, reason, JUDG, default)


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
    @dg.asset(
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
    @dg.asset(
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
    @dg.asset(
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
            "airflow/reason": "creates the cluster with the same request through ClusterManagerClient; not exercised against GKE here",
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
    @dg.asset(
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
            "airflow/reason": "deletes the cluster with the same request through ClusterManagerClient; not exercised against GKE here",
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
    @dg.asset(
        key=["mirror", "mirror_bucket"],
        group_name="mirror",
        kinds={"gcp"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "mirror.py:9",
            "airflow/task_id": "mirror_bucket",
            "airflow/operator": "airflow.providers.google.cloud.operators.cloud_storage_transfer_service.CloudDataTransferServiceGCSToGCSOperator",
            "airflow/rule": "gcp.storage_transfer",
            "airflow/disposition": "JUDG",
            "airflow/reason": "creates the same Storage Transfer job and waits for it; not exercised against the service here",
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


ORDER = 65
RULES = [BigQueryJob, GcsToBigQuery, GcsToGcs, GcsDeleteObjects, GkeCluster, StorageTransferGcsToGcs]
