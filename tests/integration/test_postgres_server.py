"""The runtime's PostgreSQL server (converters/runtime/postgres.py) started under a project folder the server user
cannot reach: as root the cluster belongs to Debian's ``postgres`` user, and a project checked out under a private
folder (a mode-700 temporary directory, as ``mktemp -d`` makes) must still get its database."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from converters.runtime.postgres import postgres_bin, remove_cluster, start_postgres, stop_postgres


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the cluster to another user")
def test_a_project_under_a_private_folder_gets_its_cluster_in_a_folder_the_server_user_reaches():
    private = Path(tempfile.mkdtemp(prefix="a2d-private-"))  # mode 700, like a fresh clone under `mktemp -d`
    base = private / "project" / ".runtime" / "side-by-side" / "postgres"
    server = start_postgres(base, password="s3cret", databases=("airflow",))
    try:
        elsewhere = Path((base / "cluster").read_text(encoding="utf-8").strip())
        assert server.data == elsewhere / "data" and not str(server.data).startswith(str(private))
        done = subprocess.run(
            [str(postgres_bin() / "psql"), "-h", server.host, "-p", str(server.port), "-U", server.user, "-d",
             "airflow", "-tAc", "select 40 + 2"],
            env={**os.environ, "PGPASSWORD": "s3cret"}, capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        assert done.stdout.strip() == "42"
    finally:
        stop_postgres(server)
        remove_cluster(base)
    assert not elsewhere.exists() and not base.exists()
    shutil.rmtree(private)
