"""BigQuery for generated assets: the jobs Airflow's BigQuery operators submit, with google-cloud-bigquery.

Copied verbatim into every generated package, beside ``gcp.py`` (credentials, Cloud Storage), which
``resources.GcpConnection`` and this module use:

- ``gcs_to_bigquery``: the load job of ``GCSToBigQueryOperator`` (``load_configuration`` builds the job
  configuration the operator submits, key for key), then ``SELECT MAX(max_id_key)`` when asked.
- ``insert_job`` / ``execute_query``: ``BigQueryInsertJobOperator``'s job configuration as given, and the query
  job ``BigQueryExecuteQueryOperator`` builds (``query_configuration``, its hook's ``run_query``), waited for;
  the job id.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .gcp import credentials, download_object

LOAD_FORMATS = ("CSV", "NEWLINE_DELIMITED_JSON", "AVRO", "GOOGLE_SHEETS", "DATASTORE_BACKUP", "PARQUET", "ORC")
# The keys of ``src_fmt_configs`` each source format accepts in a load job (others are an error, as in Airflow).
FORMAT_OPTIONS = {
    "CSV": (
        "allowJaggedRows",
        "allowQuotedNewlines",
        "autodetect",
        "fieldDelimiter",
        "skipLeadingRows",
        "ignoreUnknownValues",
        "nullMarker",
        "quote",
        "encoding",
        "preserveAsciiControlCharacters",
        "columnNameCharacterMap",
    ),
    "DATASTORE_BACKUP": ("projectionFields",),
    "NEWLINE_DELIMITED_JSON": ("autodetect", "ignoreUnknownValues"),
    "PARQUET": ("autodetect", "ignoreUnknownValues"),
    "AVRO": ("useAvroLogicalTypes",),
    "ORC": ("autodetect",),
    "GOOGLE_SHEETS": (),
}
SCHEMA_UPDATE_OPTIONS = ("ALLOW_FIELD_ADDITION", "ALLOW_FIELD_RELAXATION")


def split_table_name(table: str, default_project: str | None) -> tuple[str | None, str, str]:
    """(project, dataset, table) of ``project.dataset.table``, ``project:dataset.table`` or ``dataset.table``
    (then the connection's project), as Airflow's ``BigQueryHook.split_tablename`` reads them."""
    if "." not in table:
        raise ValueError(f"Expected table name in the format of <dataset>.<table>. Got: {table}")
    if table.count(".") + table.count(":") > 3:
        raise ValueError(f"destination_project_dataset_table has too many separators: {table}")
    project: str | None = None
    rest = table
    head, colon, tail = table.rpartition(":")
    if colon:
        if head.count(":") > 1:
            raise ValueError(f"destination_project_dataset_table is not a table name: {table}")
        if tail.count(".") != 2:  # "a:b.c.d" keeps its colon inside the project's name
            project, rest = head, tail
    parts = rest.split(".")
    if len(parts) == 3:
        if project:
            raise ValueError(f"destination_project_dataset_table: use either : or . to specify the project: {table}")
        project, dataset, name = parts
    elif len(parts) == 2:
        dataset, name = parts
    else:
        raise ValueError(f"Expected table name in the format of <project>.<dataset>.<table>. Got: {table}")
    return project or default_project, dataset, name


def load_configuration(
    *,
    source_uris: Sequence[str],
    destination_project_dataset_table: str,
    default_project: str | None,
    schema_fields: Sequence[Mapping[str, Any]] | None = None,
    source_format: str = "CSV",
    create_disposition: str = "CREATE_IF_NEEDED",
    skip_leading_rows: int | None = None,
    write_disposition: str = "WRITE_EMPTY",
    field_delimiter: str = ",",
    max_bad_records: int = 0,
    quote_character: str | None = None,
    ignore_unknown_values: bool = False,
    allow_quoted_newlines: bool = False,
    allow_jagged_rows: bool = False,
    encoding: str = "UTF-8",
    schema_update_options: Sequence[str] = (),
    src_fmt_configs: Mapping[str, Any] | None = None,
    time_partitioning: Mapping[str, Any] | None = None,
    cluster_fields: Sequence[str] | None = None,
    autodetect: bool | None = True,
    encryption_configuration: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """The job configuration ``GCSToBigQueryOperator`` submits for a load into a table (its ``_use_existing_table``)."""
    source_format = source_format.upper()
    if source_format not in LOAD_FORMATS:
        raise ValueError(f"{source_format} is not a valid source format; use one of {LOAD_FORMATS}")
    if not set(SCHEMA_UPDATE_OPTIONS).issuperset(schema_update_options):
        raise ValueError(f"{list(schema_update_options)} holds invalid schema update options: {SCHEMA_UPDATE_OPTIONS}")
    project, dataset, table = split_table_name(destination_project_dataset_table, default_project)
    load: dict[str, Any] = {
        "autodetect": autodetect,
        "createDisposition": create_disposition,
        "destinationTable": {"projectId": project, "datasetId": dataset, "tableId": table},
        "sourceFormat": source_format,
        "sourceUris": list(source_uris),
        "writeDisposition": write_disposition,
        "ignoreUnknownValues": ignore_unknown_values,
    }
    # A partition decorator ($20240101) loads one day partition unless time_partitioning says otherwise.
    partitioning = {"type": "DAY"} if "$" in destination_project_dataset_table else {}
    partitioning.update(time_partitioning or {})
    if partitioning:
        load["timePartitioning"] = partitioning
    if cluster_fields:
        load["clustering"] = {"fields": list(cluster_fields)}
    if schema_fields:
        load["schema"] = {"fields": [dict(field) for field in schema_fields]}
    if schema_update_options:
        load["schemaUpdateOptions"] = list(schema_update_options)
    if max_bad_records:
        load["maxBadRecords"] = max_bad_records
    if encryption_configuration:
        load["destinationEncryptionConfiguration"] = dict(encryption_configuration)
    if labels or description:
        load["destinationTableProperties"] = {}
        if labels:
            load["destinationTableProperties"]["labels"] = dict(labels)
        if description:
            load["destinationTableProperties"]["description"] = description
    # The top-level arguments fill the format's options that src_fmt_configs leaves out.
    valid = FORMAT_OPTIONS[source_format]
    options = dict(src_fmt_configs or {})
    top_level = {
        "skipLeadingRows": skip_leading_rows,
        "fieldDelimiter": field_delimiter,
        "ignoreUnknownValues": ignore_unknown_values,
        "quote": quote_character,
        "allowQuotedNewlines": allow_quoted_newlines,
        "encoding": encoding,
    }
    for key, value in top_level.items():
        if key in valid and key not in options:
            options[key] = value
    invalid = [key for key in options if key not in valid]
    if invalid:
        raise ValueError(f"{invalid[0]} is not a valid src_fmt_configs for type {source_format}.")
    load.update(options)
    if allow_jagged_rows:
        load["allowJaggedRows"] = allow_jagged_rows
    return {"load": load}


def gcs_to_bigquery(
    extra: Mapping[str, Any],
    *,
    bucket: str,
    source_objects: str | Sequence[str],
    destination_project_dataset_table: str,
    schema_object: str | None = None,
    schema_object_bucket: str | None = None,
    max_id_key: str | None = None,
    location: str | None = None,
    project_id: str | None = None,
    impersonation_chain: str | Sequence[str] | None = None,
    force_delete: bool = False,
    job_id_prefix: str | None = None,
    log: Any = None,
    **load: Any,
) -> str | None:
    """Run ``GCSToBigQueryOperator``'s load job and wait for it; the MAX of ``max_id_key`` when given (its XCom)."""
    from google.cloud import bigquery

    creds, default_project = credentials(extra, impersonation_chain)
    client = bigquery.Client(project=project_id or default_project, credentials=creds, location=location)
    objects = [source_objects] if isinstance(source_objects, str) else list(source_objects)
    schema_fields = load.pop("schema_fields", None)
    if not schema_fields:
        if not schema_object and load.get("autodetect", True) is False:
            raise ValueError("Table schema was not found. Neither schema object nor schema fields were specified")
        if schema_object and str(load.get("source_format", "CSV")).upper() != "DATASTORE_BACKUP":
            schema_bucket = schema_object_bucket or bucket
            schema_fields = json.loads(download_object(extra, impersonation_chain, schema_bucket, schema_object))
            if log is not None:
                log.info(f"loaded fields from schema object gs://{schema_bucket}/{schema_object}")
    configuration = load_configuration(
        source_uris=[f"gs://{bucket}/{name}" for name in objects],
        destination_project_dataset_table=destination_project_dataset_table,
        default_project=client.project,
        schema_fields=schema_fields or None,
        **load,
    )
    if force_delete:
        client.delete_table(destination_project_dataset_table, not_found_ok=True)
    if log is not None:
        log.info(f"executing: {json.dumps(configuration, sort_keys=True)[:2000]}")
    config = configuration["load"]
    job = client.load_table_from_uri(
        config["sourceUris"],
        bigquery.TableReference.from_api_repr(config["destinationTable"]),
        job_config=bigquery.LoadJobConfig.from_api_repr(configuration),
        job_id_prefix=job_id_prefix,
        location=location,
        project=project_id or client.project,
    )
    job.result()
    if job.error_result:
        raise RuntimeError(f"BigQuery job {job.job_id} failed: {job.error_result}")
    if not max_id_key:
        return None
    query = f"SELECT MAX({max_id_key}) AS max_value FROM {destination_project_dataset_table}"
    rows = list(client.query(query, job_config=bigquery.QueryJobConfig(use_legacy_sql=False), location=location))
    if not rows:
        raise RuntimeError(f"The {query} returned no rows!")
    return str(rows[0][0] or 0)


def insert_job(
    extra: Mapping[str, Any],
    *,
    configuration: Mapping[str, Any],
    project_id: str | None = None,
    location: str | None = None,
    impersonation_chain: str | Sequence[str] | None = None,
    log: Any = None,
) -> str:
    """Submit a job configuration (``BigQueryInsertJobOperator``'s ``configuration``: query, load, copy or extract)
    in the project and location, wait for it; its job id, the operator's XCom."""
    from google.cloud import bigquery

    creds, default_project = credentials(extra, impersonation_chain)
    client = bigquery.Client(project=project_id or default_project, credentials=creds, location=location)
    if log is not None:
        log.info(f"executing: {json.dumps(configuration, sort_keys=True, default=str)[:2000]}")
    job = client.create_job(dict(configuration))
    job.result()
    if job.error_result:
        raise RuntimeError(f"BigQuery job {job.job_id} failed: {job.error_result}")
    return job.job_id


def query_configuration(
    *,
    sql: str,
    default_project: str | None,
    destination_dataset_table: str | None = None,
    write_disposition: str = "WRITE_EMPTY",
    allow_large_results: bool = False,
    flatten_results: bool | None = None,
    udf_config: Sequence[Any] | None = None,
    use_legacy_sql: bool = True,
    maximum_billing_tier: int | None = None,
    maximum_bytes_billed: float | None = None,
    create_disposition: str = "CREATE_IF_NEEDED",
    query_params: Sequence[Any] | None = None,
    labels: Mapping[str, str] | None = None,
    schema_update_options: Sequence[str] | None = None,
    priority: str = "INTERACTIVE",
    time_partitioning: Mapping[str, Any] | None = None,
    api_resource_configs: Mapping[str, Any] | None = None,
    cluster_fields: Sequence[str] | None = None,
    encryption_configuration: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The query job configuration ``BigQueryExecuteQueryOperator`` (1.10's ``BigQueryOperator``) submits for one
    statement (``BigQueryHook.run_query``): ``api_resource_configs`` first, then each argument it leaves unset."""
    import copy

    options = list(schema_update_options or [])
    if not set(SCHEMA_UPDATE_OPTIONS).issuperset(options):
        raise ValueError(f"{options} holds invalid schema update options: {SCHEMA_UPDATE_OPTIONS}")
    if options and write_disposition not in ("WRITE_APPEND", "WRITE_TRUNCATE"):
        raise ValueError(
            "schema_update_options is only allowed if write_disposition is WRITE_APPEND or WRITE_TRUNCATE."
        )
    configuration = copy.deepcopy(dict(api_resource_configs or {}))
    query = configuration.setdefault("query", {})
    destination = None
    if destination_dataset_table:
        project, dataset, table = split_table_name(destination_dataset_table, default_project)
        destination = {"projectId": project, "datasetId": dataset, "tableId": table}
    defaults = {"priority": "INTERACTIVE", "useLegacySql": use_legacy_sql}
    values = [
        ("query", sql),
        ("priority", priority),
        ("useLegacySql", None),  # the hook's use_legacy_sql, the operator's
        ("queryParameters", query_params),
        ("userDefinedFunctionResources", udf_config),
        ("maximumBillingTier", maximum_billing_tier),
        ("maximumBytesBilled", maximum_bytes_billed),
        ("timePartitioning", dict(time_partitioning or {})),
        ("schemaUpdateOptions", options),
        ("destinationTable", destination),
        ("clustering", {"fields": list(cluster_fields)} if cluster_fields else None),
    ]
    empty = (None, {}, (), [])
    for name, value in values:
        if name not in query and value in empty:
            value = defaults.get(name)
        if value in empty:
            continue
        if name in query and query[name] != value:
            raise ValueError(f"{name} is set both as an argument and in api_resource_configs")
        query[name] = value
        if name == "destinationTable":
            query.update(
                {
                    "allowLargeResults": allow_large_results,
                    "flattenResults": flatten_results,
                    "writeDisposition": write_disposition,
                    "createDisposition": create_disposition,
                }
            )
    if query.get("useLegacySql") and "queryParameters" in query:
        raise ValueError("Query parameters are not allowed when using legacy SQL")
    if labels:
        configuration["labels"] = dict(labels)
    if encryption_configuration:
        query["destinationEncryptionConfiguration"] = dict(encryption_configuration)
    return configuration


def execute_query(
    extra: Mapping[str, Any],
    *,
    sql: str | Sequence[str],
    location: str | None = None,
    impersonation_chain: str | Sequence[str] | None = None,
    log: Any = None,
    **arguments: Any,
) -> str | list[str]:
    """``BigQueryExecuteQueryOperator``: one query job per statement, in order; the job id (a list for a list)."""
    from google.cloud import bigquery

    creds, default_project = credentials(extra, impersonation_chain)
    project = bigquery.Client(project=default_project, credentials=creds, location=location).project
    statements = [sql] if isinstance(sql, str) else list(sql)
    ids = []
    for statement in statements:
        configuration = query_configuration(sql=statement, default_project=project, **arguments)
        ids.append(
            insert_job(
                extra, configuration=configuration, location=location, impersonation_chain=impersonation_chain, log=log
            )
        )
    return ids[0] if isinstance(sql, str) else ids
