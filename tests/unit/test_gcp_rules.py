"""The GCP rules' assets make the calls Airflow's Google provider operators make.

The DAGs below take the argument shapes real estates give these operators. Each is planned; the keyword arguments
of the generated call are evaluated and handed to the support function with Google's client replaced by a
recorder, and what reaches the client (the BigQuery load job configuration, the GKE request) is compared with what
the operator submits for the same arguments (written from the provider's ``execute``).
"""

from __future__ import annotations

import ast
import types

import pytest

from converters.codegen.support import bigquery as bq
from converters.codegen.support import gcp
from converters.inventory import ir
from converters.inventory.scan import scan_source
from converters.plan import plan_project
from converters.rules.base import JUDG, NONE

LOADS = """
from datetime import datetime

from airflow import DAG
from airflow.contrib.operators import gcs_to_bq
from airflow.providers.google.cloud.transfers import gcs_to_bigquery

with DAG("loads", schedule=None, start_date=datetime(2024, 1, 1)):
    gcs_to_bigquery.GCSToBigQueryOperator(
        task_id="csv_with_schema",
        bucket="landing-bucket",
        source_objects=["data/reviews/output.csv"],
        source_format="CSV",
        destination_project_dataset_table="imdb.reviews",
        skip_leading_rows=1,
        allow_quoted_newlines=True,
        write_disposition="WRITE_TRUNCATE",
        schema_fields=[
            {"name": "review", "type": "STRING", "description": "the text", "mode": "NULLABLE"},
            {"name": "rating", "type": "INTEGER", "mode": "NULLABLE"},
        ],
    )
    gcs_to_bigquery.GCSToBigQueryOperator(
        task_id="json_autodetect",
        bucket="landing-bucket",
        source_objects=["events/part-*.json"],
        source_format="NEWLINE_DELIMITED_JSON",
        destination_project_dataset_table="other-project.events.raw$20240115",
        write_disposition="WRITE_APPEND",
        ignore_unknown_values=True,
        autodetect=True,
        max_id_key="event_id",
    )
    gcs_to_bigquery.GCSToBigQueryOperator(
        task_id="pipe_delimited_with_schema_object",
        bucket="landing-bucket",
        source_objects=["data/sites.txt"],
        destination_project_dataset_table="sites.all",
        field_delimiter="|",
        quote_character="",
        schema_object="schemas/sites.json",
        write_disposition="WRITE_TRUNCATE",
        gcp_conn_id="bq_loader",
    )
    gcs_to_bq.GoogleCloudStorageToBigQueryOperator(
        task_id="legacy_contrib",
        bucket="landing-bucket",
        source_objects=["legacy/rows.csv"],
        source_format="CSV",
        destination_project_dataset_table="legacy.rows",
        write_disposition="WRITE_TRUNCATE",
        schema_fields=[{"name": "id", "type": "INTEGER", "mode": "REQUIRED"}],
    )
"""

CLUSTERS = """
from datetime import datetime

from airflow import DAG
from airflow.providers.google.cloud.operators import kubernetes_engine

with DAG("clusters", schedule=None, start_date=datetime(2024, 1, 1)):
    create = kubernetes_engine.GKECreateClusterOperator(
        task_id="create_cluster",
        project_id="analytics",
        location="us-central1-c",
        body={
            "name": "batch-pool",
            "initial_node_count": 1,
            "network": "shared-vpc",
            "node_config": {"machine_type": "e2-standard-16", "oauth_scopes": ["https://www.googleapis.com/auth/cloud-platform"]},
        },
    )
    delete = kubernetes_engine.GKEDeleteClusterOperator(
        task_id="delete_cluster", project_id="analytics", location="us-central1-c", name="batch-pool"
    )
    create >> delete
"""


def _planned(source: str, name: str) -> dict:
    file = scan_source(source, f"{name}.py")
    plan = plan_project(ir.Project(".", (file,)))
    return {t.task.task_id: t for dag in plan.dags for t in dag.tasks}


def _call(task) -> tuple[str, str, dict]:
    """(resource, method, keyword arguments) of the asset's one call; ``render`` of these literals is identity."""
    (line,) = task.translation.body
    call = ast.parse(line.removeprefix("return ")).body[0].value
    arguments = {}
    for keyword in call.keywords:
        value = keyword.value
        if isinstance(value, ast.Call) and getattr(value.func, "id", "") == "render":
            value = value.args[0]
        arguments[keyword.arg] = "log" if keyword.arg == "log" else ast.literal_eval(value)
    del arguments["log"]
    return call.func.value.id, call.func.attr, arguments


class _Job:
    job_id, error_result = "job_1", None

    def result(self):
        return self


class _BigQuery:
    """Records what ``google.cloud.bigquery.Client`` is asked to do."""

    calls: list = []

    def __init__(self, project=None, credentials=None, location=None):
        self.project = project or "default-project"

    def load_table_from_uri(self, uris, destination, job_config, **kwargs):
        _BigQuery.calls.append(("load", uris, destination.to_api_repr(), job_config.to_api_repr(), kwargs))
        return _Job()

    def query(self, sql, job_config=None, location=None):
        _BigQuery.calls.append(("query", sql))
        return [(41,)]

    def create_job(self, configuration):
        _BigQuery.calls.append(("job", self.project, configuration))
        return _Job()

    def delete_table(self, table, not_found_ok=False):
        _BigQuery.calls.append(("delete", table))


@pytest.fixture
def bigquery(monkeypatch):
    from google.cloud import bigquery as module

    _BigQuery.calls = []
    monkeypatch.setattr(module, "Client", _BigQuery)
    return _BigQuery.calls


def _load(task, extra=None) -> tuple[dict, list]:
    resource, method, arguments = _call(task)
    assert method == "gcs_to_bigquery"
    returned = bq.gcs_to_bigquery(extra if extra is not None else {"project": "analytics"}, **arguments)
    return arguments, returned


def test_a_csv_load_with_schema_fields_submits_the_operators_configuration(bigquery):
    task = _planned(LOADS, "loads")["csv_with_schema"]
    assert task.translation.disposition == JUDG
    assert "not exercised against BigQuery" in task.translation.reason
    _, returned = _load(task)
    ((kind, uris, destination, configuration, kwargs),) = bigquery
    assert returned is None
    assert uris == ["gs://landing-bucket/data/reviews/output.csv"]
    assert destination == {"projectId": "analytics", "datasetId": "imdb", "tableId": "reviews"}
    assert configuration == {
        "load": {
            "autodetect": True,
            "createDisposition": "CREATE_IF_NEEDED",
            "destinationTable": {"projectId": "analytics", "datasetId": "imdb", "tableId": "reviews"},
            "sourceFormat": "CSV",
            "sourceUris": ["gs://landing-bucket/data/reviews/output.csv"],
            "writeDisposition": "WRITE_TRUNCATE",
            "ignoreUnknownValues": False,
            "schema": {
                "fields": [
                    {"name": "review", "type": "STRING", "description": "the text", "mode": "NULLABLE"},
                    {"name": "rating", "type": "INTEGER", "mode": "NULLABLE"},
                ]
            },
            "skipLeadingRows": 1,
            "fieldDelimiter": ",",
            "quote": None,
            "allowQuotedNewlines": True,
            "encoding": "UTF-8",
        }
    }
    assert kwargs["job_id_prefix"] == "airflow_loads_csv_with_schema_"
    assert kwargs["project"] == "analytics"


def test_a_json_load_into_a_partition_returns_the_max_id(bigquery):
    _, returned = _load(_planned(LOADS, "loads")["json_autodetect"])
    (_, uris, destination, configuration, _), query = bigquery
    assert destination == {"projectId": "other-project", "datasetId": "events", "tableId": "raw$20240115"}
    assert configuration["load"] == {
        "autodetect": True,
        "createDisposition": "CREATE_IF_NEEDED",
        "destinationTable": destination,
        "sourceFormat": "NEWLINE_DELIMITED_JSON",
        "sourceUris": ["gs://landing-bucket/events/part-*.json"],
        "writeDisposition": "WRITE_APPEND",
        "ignoreUnknownValues": True,
        "timePartitioning": {"type": "DAY"},  # the $ decorator, as the operator adds it
    }
    assert query == ("query", "SELECT MAX(event_id) AS max_value FROM other-project.events.raw$20240115")
    assert returned == "41"


def test_a_schema_object_is_read_from_the_bucket_with_the_tasks_connection(bigquery, monkeypatch):
    task = _planned(LOADS, "loads")["pipe_delimited_with_schema_object"]
    assert task.translation.resources[0].name == "gcp_bq_loader"
    read = []
    schema = b'[{"name": "site", "type": "STRING"}]'
    monkeypatch.setattr(bq, "download_object", lambda extra, chain, bucket, name: read.append((bucket, name)) or schema)
    _load(task)
    ((_, _, _, configuration, _),) = bigquery
    assert read == [("landing-bucket", "schemas/sites.json")]
    load = configuration["load"]
    assert load["schema"] == {"fields": [{"name": "site", "type": "STRING"}]}
    assert (load["fieldDelimiter"], load["quote"], load["skipLeadingRows"]) == ("|", "", None)


def test_the_airflow_1_contrib_operator_keeps_its_own_defaults(bigquery):
    task = _planned(LOADS, "loads")["legacy_contrib"]
    assert task.task.operator.endswith("gcs_to_bigquery.GCSToBigQueryOperator")
    assert task.translation.resources[0].name == "gcp_bigquery_default"  # 1.10's bigquery_conn_id default
    _load(task)
    ((_, _, _, configuration, _),) = bigquery
    assert (configuration["load"]["autodetect"], configuration["load"]["skipLeadingRows"]) == (False, 0)


def test_load_configuration_refuses_what_the_operator_refuses():
    common = {"source_uris": ["gs://b/o"], "destination_project_dataset_table": "d.t", "default_project": "p"}
    with pytest.raises(ValueError, match="not a valid src_fmt_configs"):
        bq.load_configuration(**common, source_format="AVRO", src_fmt_configs={"skipLeadingRows": 1})
    with pytest.raises(ValueError, match="not a valid source format"):
        bq.load_configuration(**common, source_format="XML")
    with pytest.raises(ValueError, match="schema update options"):
        bq.load_configuration(**common, schema_update_options=["DROP_EVERYTHING"])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("d.t", ("p", "d", "t")),
        ("proj.d.t", ("proj", "d", "t")),
        ("proj:d.t", ("proj", "d", "t")),
        ("domain:proj:d.t", ("domain:proj", "d", "t")),
    ],
)
def test_table_names_split_like_bigqueryhook(name, expected):
    assert bq.split_table_name(name, "p") == expected


class _Operation:
    def __init__(self, name):
        self.name, self.status = name, types.SimpleNamespace(name="DONE")
        self.error, self.self_link, self.target_link = None, f"link/{name}", f"target/{name}"


class _Clusters:
    calls: list = []

    def __init__(self, credentials=None):
        pass

    def create_cluster(self, parent, cluster):
        _Clusters.calls.append(("create", parent, type(cluster).to_dict(cluster)))
        return _Operation("op-create")

    def delete_cluster(self, name):
        _Clusters.calls.append(("delete", name))
        return _Operation("op-delete")

    def get_operation(self, name):
        from google.cloud import container_v1

        _Clusters.calls.append(("wait", name))
        operation = _Operation(name)
        operation.status = container_v1.Operation.Status.DONE
        return operation


def test_gke_create_and_delete_send_the_operators_requests(monkeypatch):
    from google.cloud import container_v1

    monkeypatch.setattr(container_v1, "ClusterManagerClient", _Clusters)
    _Clusters.calls = []
    tasks = _planned(CLUSTERS, "clusters")
    for task_id in ("create_cluster", "delete_cluster"):
        assert tasks[task_id].translation.disposition == JUDG
        _, method, arguments = _call(tasks[task_id])
        getattr(gcp, f"{method}")({}, **arguments)
    (create, parent, cluster), wait_create, delete, wait_delete = _Clusters.calls
    assert (create, parent) == ("create", "projects/analytics/locations/us-central1-c")
    assert cluster["name"] == "batch-pool" and cluster["initial_node_count"] == 1 and cluster["network"] == "shared-vpc"
    assert cluster["node_config"]["machine_type"] == "e2-standard-16"
    assert cluster["node_config"]["oauth_scopes"] == ["https://www.googleapis.com/auth/cloud-platform"]
    assert wait_create == ("wait", "projects/analytics/locations/us-central1-c/operations/op-create")
    assert delete == ("delete", "projects/analytics/locations/us-central1-c/clusters/batch-pool")
    assert wait_delete == ("wait", "projects/analytics/locations/us-central1-c/operations/op-delete")


def test_gke_create_of_an_existing_cluster_and_delete_of_a_missing_one_succeed(monkeypatch):
    from google.api_core.exceptions import AlreadyExists, NotFound
    from google.cloud import container_v1

    class Existing(_Clusters):
        def create_cluster(self, parent, cluster):
            raise AlreadyExists("cluster exists")

        def delete_cluster(self, name):
            raise NotFound("no such cluster")

        def get_cluster(self, name):
            return types.SimpleNamespace(self_link=f"self/{name}")

    monkeypatch.setattr(container_v1, "ClusterManagerClient", Existing)
    body = {"name": "c", "initial_node_count": 1}
    assert (
        gcp.create_gke_cluster({}, project_id="p", location="l", body=body) == "self/projects/p/locations/l/clusters/c"
    )
    assert gcp.delete_gke_cluster({}, project_id="p", location="l", name="c") is None


TRANSFERS = """
from datetime import datetime

from airflow import DAG
from airflow.providers.google.cloud.operators import cloud_storage_transfer_service

with DAG("transfers", schedule=None, start_date=datetime(2024, 1, 1)):
    cloud_storage_transfer_service.CloudDataTransferServiceGCSToGCSOperator(
        task_id="mirror",
        timeout=43200,
        retries=0,
        wait=True,
        project_id="public-data",
        source_bucket="raw-bucket",
        destination_bucket="public-bucket",
        source_path="releases",
        object_conditions={"includePrefixes": ["metadata", "sequences.fasta"]},
        transfer_options={"overwriteWhen": "DIFFERENT", "deleteObjectsUniqueInSink": True},
        delete_job_after_completion=True,
    )
"""


class _Response:
    def __init__(self, payload, status=200):
        self.payload, self.status_code, self.text = payload, status, str(payload)

    def json(self):
        return self.payload


class _TransferApi:
    """Answers the Storage Transfer REST calls: the job is created, runs once (IN_PROGRESS, then SUCCESS)."""

    def __init__(self):
        self.calls, self.polls = [], 0

    def request(self, method, url, timeout=None, **kwargs):
        self.calls.append((method, url.removeprefix(gcp.TRANSFER_API), kwargs))
        if method == "POST":
            return _Response({**kwargs["json"], "name": "transferJobs/123"})
        if method == "GET":
            self.polls += 1
            status = "SUCCESS" if self.polls > 1 else "IN_PROGRESS"
            return _Response({"operations": [{"name": "transferOperations/1", "metadata": {"status": status}}]})
        return _Response({})


def test_a_storage_transfer_creates_the_operators_job_waits_and_deletes_it():
    import datetime

    task = _planned(TRANSFERS, "transfers")["mirror"]
    assert task.translation.disposition == JUDG
    _, method, arguments = _call(task)
    api = _TransferApi()
    getattr(gcp, method)({}, session=api, poll_seconds=0, today=datetime.date(2024, 1, 15), **arguments)
    (post, path, create), first_poll, second_poll, (patch, job, delete) = api.calls
    assert (post, path) == ("POST", "transferJobs")
    once = {"day": 15, "month": 1, "year": 2024}
    assert create["json"] == {
        "description": None,
        "status": "ENABLED",
        "projectId": "public-data",
        "schedule": {"scheduleStartDate": once, "scheduleEndDate": once},
        "transferSpec": {
            "gcsDataSource": {"bucketName": "raw-bucket", "path": "releases/"},
            "gcsDataSink": {"bucketName": "public-bucket", "path": None},
            "objectConditions": {"includePrefixes": ["metadata", "sequences.fasta"]},
            "transferOptions": {"overwriteWhen": "DIFFERENT", "deleteObjectsUniqueInSink": True},
        },
    }
    assert first_poll[:2] == ("GET", "transferOperations")
    assert first_poll[2]["params"] == {"filter": '{"project_id": "public-data", "job_names": ["transferJobs/123"]}'}
    assert (patch, job) == ("PATCH", "transferJobs/123")
    assert delete["json"] == {
        "projectId": "public-data",
        "transferJob": {"status": "DELETED"},
        "updateTransferJobFieldMask": "status",
    }


def test_a_failed_transfer_fails_the_asset():
    class Failing(_TransferApi):
        def request(self, method, url, timeout=None, **kwargs):
            if method == "GET":
                return _Response({"operations": [{"name": "op", "metadata": {"status": "FAILED"}}]})
            return super().request(method, url, **kwargs)

    with pytest.raises(RuntimeError, match="FAILED"):
        gcp.gcs_to_gcs_transfer({"project": "p"}, session=Failing(), source_bucket="a", destination_bucket="b")


JOBS = """
from datetime import datetime

from airflow import DAG
from airflow.contrib.operators.bigquery_operator import BigQueryOperator
from airflow.providers.google.cloud.operators import bigquery

with DAG("jobs", schedule=None, start_date=datetime(2024, 1, 1)):
    bigquery.BigQueryInsertJobOperator(
        task_id="add_geometry",
        configuration={
            "query": {
                "query": "ALTER TABLE `{{ params.project }}.shop.users` ADD COLUMN IF NOT EXISTS geom GEOGRAPHY;",
                "useLegacySql": False,
            }
        },
        params={"project": "analytics"},
    )
    bigquery.BigQueryExecuteQueryOperator(
        task_id="sample",
        sql="SELECT store, SUM(sales) AS sales FROM `public.sales` GROUP BY store",
        use_legacy_sql=False,
        destination_dataset_table="forecasting.sample",
        write_disposition="WRITE_TRUNCATE",
    )
    BigQueryOperator(task_id="legacy_default", sql="SELECT 1", bigquery_conn_id="warehouse_bq")
"""


def test_an_insert_job_submits_its_configuration_as_given(bigquery):
    task = _planned(JOBS, "jobs")["add_geometry"]
    assert (task.rule, task.translation.disposition) == ("bigquery.job", JUDG)
    _, method, arguments = _call(task)
    assert getattr(bq, {"bigquery_insert_job": "insert_job"}[method])({"project": "analytics"}, **arguments) == "job_1"
    assert bigquery == [("job", "analytics", arguments["configuration"])]


def test_an_execute_query_submits_the_query_job_its_hook_builds(bigquery):
    tasks = _planned(JOBS, "jobs")
    _, method, arguments = _call(tasks["sample"])
    assert method == "bigquery_execute_query"
    assert bq.execute_query({"project": "analytics"}, **arguments) == "job_1"
    ((_, project, configuration),) = bigquery
    assert project == "analytics"
    assert configuration == {
        "query": {
            "query": "SELECT store, SUM(sales) AS sales FROM `public.sales` GROUP BY store",
            "priority": "INTERACTIVE",
            "useLegacySql": False,
            "destinationTable": {"projectId": "analytics", "datasetId": "forecasting", "tableId": "sample"},
            "allowLargeResults": False,
            "flattenResults": None,
            "writeDisposition": "WRITE_TRUNCATE",
            "createDisposition": "CREATE_IF_NEEDED",
        }
    }
    # 1.10's BigQueryOperator: legacy SQL unless told otherwise, its bigquery_conn_id.
    legacy = tasks["legacy_default"]
    assert legacy.translation.resources[0].name == "gcp_warehouse_bq"
    _, _, arguments = _call(legacy)
    bigquery.clear()
    bq.execute_query({"project": "analytics"}, **arguments)
    assert bigquery[0][2] == {"query": {"query": "SELECT 1", "priority": "INTERACTIVE", "useLegacySql": True}}


DATAPROC = """
from datetime import datetime

from airflow import DAG
from airflow.providers.google.cloud.operators.dataproc import (
    DataprocCreateClusterOperator,
    DataprocDeleteClusterOperator,
    DataprocSubmitJobOperator,
)

with DAG("spark", schedule=None, start_date=datetime(2024, 1, 1)):
    create = DataprocCreateClusterOperator(
        task_id="create_cluster",
        project_id="analytics",
        region="europe-west1",
        cluster_name="etl",
        cluster_config={"worker_config": {"num_instances": 2}},
        labels={"team": "data"},
    )
    submit = DataprocSubmitJobOperator(
        task_id="aggregate",
        project_id="analytics",
        region="europe-west1",
        job={"placement": {"cluster_name": "etl"}, "pyspark_job": {"main_python_file_uri": "gs://jobs/agg.py"}},
    )
    delete = DataprocDeleteClusterOperator(
        task_id="delete_cluster", project_id="analytics", region="europe-west1", cluster_name="etl"
    )
    legacy = DataprocCreateClusterOperator(
        task_id="legacy_cluster", project_id="analytics", region="europe-west1", cluster_name="old", num_workers=2
    )
    create >> submit >> delete
"""


class _Dataproc:
    """Dataproc's cluster and job clients as far as the support functions call them; records each request."""

    calls: list = []
    cluster_states: list = []
    job_states: list = []

    def __init__(self, credentials=None, client_options=None):
        _Dataproc.calls.append(("client", client_options.api_endpoint))

    def create_cluster(self, project_id, region, cluster, request_id=None):
        _Dataproc.calls.append(("create", project_id, region, cluster))
        return types.SimpleNamespace(result=lambda: None)

    def get_cluster(self, project_id, region, cluster_name):
        from google.cloud import dataproc_v1

        state = _Dataproc.cluster_states.pop(0)
        return dataproc_v1.Cluster(
            project_id=project_id, cluster_name=cluster_name, status=dataproc_v1.ClusterStatus(state=state)
        )

    def delete_cluster(self, project_id, region, cluster_name, cluster_uuid=None, request_id=None):
        _Dataproc.calls.append(("delete", project_id, region, cluster_name))
        return types.SimpleNamespace(result=lambda: None)

    def submit_job(self, project_id, region, job, request_id=None):
        _Dataproc.calls.append(("submit", project_id, region, job))
        return types.SimpleNamespace(reference=types.SimpleNamespace(job_id="job-7"))

    def get_job(self, project_id, region, job_id):
        return types.SimpleNamespace(status=types.SimpleNamespace(state=_Dataproc.job_states.pop(0)))


def test_dataproc_create_submit_and_delete_send_the_operators_requests_and_wait(monkeypatch):
    from google.cloud import dataproc_v1

    monkeypatch.setattr(dataproc_v1, "ClusterControllerClient", _Dataproc)
    monkeypatch.setattr(dataproc_v1, "JobControllerClient", _Dataproc)
    running, creating = dataproc_v1.ClusterStatus.State.RUNNING, dataproc_v1.ClusterStatus.State.CREATING
    jobs = dataproc_v1.JobStatus.State
    _Dataproc.calls, _Dataproc.cluster_states = [], [creating, running]
    _Dataproc.job_states = [jobs.RUNNING, jobs.DONE]
    tasks = _planned(DATAPROC, "spark")
    values = {}
    for task_id in ("create_cluster", "aggregate", "delete_cluster"):
        assert tasks[task_id].translation.disposition == JUDG, tasks[task_id].translation.reason
        _, method, arguments = _call(tasks[task_id])
        waits = {} if method == "delete_dataproc_cluster" else {"poll_seconds": 0}
        values[task_id] = getattr(gcp, method)({}, **waits, **arguments)
    endpoint = ("client", "europe-west1-dataproc.googleapis.com:443")
    assert _Dataproc.calls == [
        endpoint,
        (
            "create",
            "analytics",
            "europe-west1",
            {
                "project_id": "analytics",
                "cluster_name": "etl",
                "config": {"worker_config": {"num_instances": 2}},
                "labels": {"team": "data"},
            },
        ),
        endpoint,
        (
            "submit",
            "analytics",
            "europe-west1",
            {"placement": {"cluster_name": "etl"}, "pyspark_job": {"main_python_file_uri": "gs://jobs/agg.py"}},
        ),
        endpoint,
        ("delete", "analytics", "europe-west1", "etl"),
    ]
    # The operators' return values: the cluster (waited for until it left CREATING) and the job id.
    assert values["create_cluster"]["cluster_name"] == "etl" and values["create_cluster"]["status"]["state"] == 2
    assert values["aggregate"] == "job-7" and _Dataproc.job_states == []
    # Airflow 1.10's cluster arguments are not carried: that task stays in Airflow, naming them.
    legacy = tasks["legacy_cluster"].translation
    assert legacy.disposition == NONE and legacy.reason == "num_workers is not carried by this rule"


def test_dataproc_job_in_error_fails_and_a_cluster_in_error_is_deleted(monkeypatch):
    from google.cloud import dataproc_v1

    monkeypatch.setattr(dataproc_v1, "ClusterControllerClient", _Dataproc)
    monkeypatch.setattr(dataproc_v1, "JobControllerClient", _Dataproc)
    _Dataproc.calls, _Dataproc.job_states = [], [dataproc_v1.JobStatus.State.ERROR]
    with pytest.raises(RuntimeError, match="job-7 ended in state ERROR"):
        gcp.submit_dataproc_job({}, job={"pyspark_job": {}}, region="r", project_id="p", poll_seconds=0)
    _Dataproc.calls, _Dataproc.cluster_states = [], [dataproc_v1.ClusterStatus.State.ERROR]
    with pytest.raises(RuntimeError, match="cluster c is in ERROR state"):
        gcp.create_dataproc_cluster({}, region="r", cluster_name="c", project_id="p", poll_seconds=0)
    assert _Dataproc.calls[-1] == ("delete", "p", "r", "c")
