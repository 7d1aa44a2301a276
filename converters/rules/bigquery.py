"""BigQuery provider operators: BigQuery jobs and GCS to BigQuery loads (the opening shared with ``gcp.py``)."""

from __future__ import annotations

import re

from converters.inventory.operators import canonical
from converters.rules.base import JUDG, NONE, Rule, TaskInput, Translation
from converters.rules.connections import literal_conn_id
from converters.rules.gcp import Carried, gcp_translation

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
    # loads.py:7 · task load_orders · rule bigquery.gcs_load · JUDG
    @task_asset(
        DAG,
        "load_orders",
        key=["loads", "load_orders"],
        group_name="loads",
        kinds={"gcp"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "loads.py:7",
            "airflow/task_id": "load_orders",
            "airflow/operator": "airflow.providers.google.cloud.transfers.gcs_to_bigquery.GCSToBigQueryOperator",
            "airflow/rule": "bigquery.gcs_load",
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

    name = "bigquery.gcs_load"
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
    # marts.py:7 · task daily_totals · rule bigquery.job · JUDG
    @task_asset(
        DAG,
        "daily_totals",
        key=["marts", "daily_totals"],
        group_name="marts",
        kinds={"gcp"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "marts.py:7",
            "airflow/task_id": "daily_totals",
            "airflow/operator": "airflow.providers.google.cloud.operators.bigquery.BigQueryInsertJobOperator",
            "airflow/rule": "bigquery.job",
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

    name = "bigquery.job"
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


ORDER = 64
RULES = [BigQueryJob, GcsToBigQuery]
