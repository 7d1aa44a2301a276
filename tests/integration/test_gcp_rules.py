"""The GCP rules' storage assets on a real Cloud Storage API server (gcp-storage-emulator, started on loopback).

The tests convert DAGs whose tasks take the operators' shapes (GCSToGCSOperator: a ``*`` wildcard with a suffix, a
folder prefix, one object into a folder with ``move_object``, ``replace=False``; GCSDeleteObjectsOperator: a prefix,
a list of objects; GCSHook in a copied callable), materialize the generated assets in-process with
``AIRFLOW_CONN_GOOGLE_CLOUD_DEFAULT`` set and ``STORAGE_EMULATOR_HOST`` pointing at the emulator, and check the
buckets on the server and the assets' values (the operators' XComs).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import dagster as dg
import pytest

from converters.rules.base import MECH
from tests.integration.hook_servers import gcs_emulator
from tests.integration.test_hooks import convert

pytestmark = pytest.mark.integration

GCS_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.providers.google.cloud.operators.gcs import GCSDeleteObjectsOperator
from airflow.providers.google.cloud.transfers.gcs_to_gcs import GCSToGCSOperator

with DAG("gcs_copies", schedule=None, start_date=datetime(2024, 1, 1)):
    csvs = GCSToGCSOperator(
        task_id="csvs",
        source_bucket="staging",
        source_object="exports/{{ ds }}/*.csv",
        destination_bucket="public",
        destination_object="daily/{{ ds_nodash }}/",
    )
    folder = GCSToGCSOperator(
        task_id="folder",
        source_bucket="staging",
        source_object="exports/",
        destination_bucket="public",
        destination_object="mirror/",
        replace=False,
    )
    readme = GCSToGCSOperator(
        task_id="readme",
        source_bucket="staging",
        source_object="README.txt",
        destination_bucket="public",
        destination_object="docs/",
        move_object=True,
    )
    cleanup = GCSDeleteObjectsOperator(task_id="cleanup", bucket_name="staging", prefix="exports/{{ ds }}/")
    unpublish = GCSDeleteObjectsOperator(
        task_id="unpublish", bucket_name="public", objects=["daily/{{ ds_nodash }}/b.csv"]
    )
    csvs >> folder >> readme >> cleanup >> unpublish
"""


def materialize(tmp_path: Path, package: str, keys: list[list[str]], tags: dict) -> dict:
    """The assets materialized with the resources of the generated ``definitions.py`` (the connection's)."""
    sys.path.insert(0, str(tmp_path))
    try:
        definitions = importlib.import_module(f"{package}.definitions")
        assets = [a for a in definitions.defs.assets if isinstance(a, dg.AssetsDefinition)]
        selection = [dg.AssetKey(k) for k in keys]
        result = dg.materialize(assets, selection=selection, resources=definitions.RESOURCES, tags=tags)
        assert result.success
        return {tuple(k): result.asset_value(dg.AssetKey(k)) for k in keys}
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
            del sys.modules[name]


SOURCE_OBJECTS = ["exports/2024-01-15/a.csv", "exports/2024-01-15/b.csv", "exports/2024-01-15/c.json", "README.txt"]


def test_gcs_to_gcs_copies_on_a_cloud_storage_server(tmp_path, monkeypatch):
    package, tasks = convert(tmp_path, "gcs_copies", GCS_DAG)
    for task_id in ("csvs", "folder", "readme", "cleanup", "unpublish"):
        assert tasks[task_id].disposition == MECH, tasks[task_id].translation.reason
    with gcs_emulator() as endpoint:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", endpoint)
        monkeypatch.setenv("AIRFLOW_CONN_GOOGLE_CLOUD_DEFAULT", "google-cloud-platform://")
        from google.cloud import storage

        client = storage.Client()
        for bucket in ("staging", "public"):
            client.create_bucket(bucket)
        for name in SOURCE_OBJECTS:
            client.bucket("staging").blob(name).upload_from_string(f"content of {name}")
        # An object already in the destination is kept as it is with replace=False.
        client.bucket("public").blob("mirror/2024-01-15/a.csv").upload_from_string("older copy")
        keys = [["gcs_copies", t] for t in ("csvs", "folder", "readme", "cleanup", "unpublish")]
        values = materialize(tmp_path, package, keys, {"airflow/logical_date": "2024-01-15T00:00:00+00:00"})
        public = {blob.name: blob.download_as_bytes().decode() for blob in client.list_blobs("public")}
        staging = sorted(blob.name for blob in client.list_blobs("staging"))

    assert values[("gcs_copies", "csvs")] == ["gs://public/daily/20240115/a.csv", "gs://public/daily/20240115/b.csv"]
    assert values[("gcs_copies", "folder")] == [
        "gs://public/mirror/2024-01-15/b.csv",
        "gs://public/mirror/2024-01-15/c.json",
    ]
    assert values[("gcs_copies", "readme")] == ["gs://public/docs/README.txt"]
    assert public == {
        "daily/20240115/a.csv": "content of exports/2024-01-15/a.csv",
        "mirror/2024-01-15/a.csv": "older copy",
        "mirror/2024-01-15/b.csv": "content of exports/2024-01-15/b.csv",
        "mirror/2024-01-15/c.json": "content of exports/2024-01-15/c.json",
        "docs/README.txt": "content of README.txt",
    }
    assert staging == []  # move_object deleted README.txt, cleanup the objects under the prefix


HOOK_DAG = """
import gzip
from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator
from airflow.providers.google.cloud.hooks.gcs import GCSHook


def publish(ds, **context):
    hook = GCSHook(gcp_conn_id="google_cloud_default")
    hook.upload("staging", f"reports/{ds}.csv", data="id,amount\\n1,9.5\\n")
    hook.upload("staging", f"reports/{ds}.csv.gz", data="zipped", gzip=True)
    hook.copy("staging", f"reports/{ds}.csv", "public")
    hook.rewrite("staging", f"reports/{ds}.csv", "public", "latest.csv")
    hook.delete("staging", f"reports/{ds}.csv")
    return {
        "staging": hook.list("staging", prefix="reports/"),
        "public": hook.list("public"),
        "latest": hook.download("public", "latest.csv").decode(),
        "zipped": gzip.decompress(hook.download("staging", f"reports/{ds}.csv.gz")).decode(),
        "exists": [hook.exists("public", "latest.csv"), hook.exists("staging", f"reports/{ds}.csv")],
        "size": hook.get_size("public", "latest.csv"),
    }


with DAG("gcs_hooks", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="publish", python_callable=publish)
"""


def test_gcs_hook_in_a_copied_callable_works_on_a_cloud_storage_server(tmp_path, monkeypatch):
    package, tasks = convert(tmp_path, "gcs_hooks", HOOK_DAG)
    assert tasks["publish"].disposition != "NONE", tasks["publish"].translation.reason
    logic = (tmp_path / package / "logic" / "gcs_hooks.py").read_text()
    assert "from ..support.hooks import GCSHook\n" in logic
    with gcs_emulator() as endpoint:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", endpoint)
        monkeypatch.setenv("AIRFLOW_CONN_GOOGLE_CLOUD_DEFAULT", "google-cloud-platform://")
        from google.cloud import storage

        for bucket in ("staging", "public"):
            storage.Client().create_bucket(bucket)
        key = ["gcs_hooks", "publish"]
        values = materialize(tmp_path, package, [key], {"airflow/logical_date": "2024-01-15T00:00:00+00:00"})
    assert values[tuple(key)] == {
        "staging": ["reports/2024-01-15.csv.gz"],
        "public": ["latest.csv", "reports/2024-01-15.csv"],
        "latest": "id,amount\n1,9.5\n",
        "zipped": "zipped",
        "exists": [True, False],
        "size": 16,
    }
