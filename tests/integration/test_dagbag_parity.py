"""The static scan against Airflow's own DagBag, on Airflow's shipped example DAGs and on our estate.

For every DAG the scan claims to have resolved completely, task ids, edges, operator classes and mapped
flags must equal what Airflow builds; every DAG it did not resolve must carry a diagnostic in its file.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from converters.dagbag.reconcile import load_dagbag, reconcile
from converters.inventory.project import scan_project
from converters.runtime.envs import airflow_venv, project_root

pytestmark = pytest.mark.integration


def wheel_folder(version: int, relative: str):
    site = subprocess.run(
        [
            str(airflow_venv(version) / "bin" / "python"),
            "-c",
            # Located, not imported: importing airflow would write ~/airflow/airflow.cfg, and Airflow 3 then
            # prints configuration warnings on stdout.
            "import importlib.util; print(importlib.util.find_spec('airflow').submodule_search_locations[0])",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.strip()
    return Path(site) / relative


@pytest.mark.parametrize(
    "version, relative, at_least",
    [
        (2, "example_dags", 50),
        (3, "example_dags", 70),
        (3, "providers/standard/example_dags", 20),
    ],
    ids=["airflow2-examples", "airflow3-examples", "airflow3-standard-provider-examples"],
)
def test_scan_matches_dagbag_on_airflows_own_examples(version, relative, at_least, tmp_path):
    folder = wheel_folder(version, relative)
    project = scan_project(folder, cache_dir=tmp_path / "cache")
    result = reconcile(project, load_dagbag(folder, version), version)

    differing = [f"{d.dag_id}: {'; '.join(d.differences)}" for d in result.dags if d.status == "differs"]
    assert not differing, "\n".join(differing)
    assert len(result.compared) >= at_least  # the check is not vacuous: most examples are resolved and compared
    assert result.score == 1.0
    unexplained = [d.dag_id for d in result.dags if d.status == "dagbag_only" and not d.explained_by]
    assert not unexplained, f"DAGs Airflow builds that the scan neither found nor flagged: {unexplained}"
    # DAGs only the scan claims must be ones Airflow failed to import here (e.g. they need a metadata DB).
    for dag in result.dags:
        if dag.status == "static_only":
            assert dag.file in result.import_errors, dag


@pytest.mark.parametrize("version", [2, 3], ids=["airflow2", "airflow3"])
def test_example_estate_scans_cleanly_and_matches_dagbag(version, tmp_path):
    folder = project_root() / "airflow_dags"
    project = scan_project(folder, cache_dir=tmp_path / "cache")
    # The estate triggers exactly one diagnostic: cosmos renders its dbt tasks at parse time.
    assert [(d.file, d.code) for f in project.files for d in f.diagnostics] == [("shop_dbt.py", "A2D260")]
    bag = load_dagbag(folder, version, extra_env={"WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb")})
    assert bag["import_errors"] == {}
    result = reconcile(project, bag, version)
    statuses = {d.dag_id: d.status for d in result.dags}
    other = "inventory_snapshot" if version == 2 else "legacy_customer_sync"
    assert statuses.pop(other) == "other_line"
    assert statuses.pop("shop_dbt") == "incomplete"
    assert set(statuses.values()) == {"match"} and len(statuses) == 11


def cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    executable = project_root() / ".venv-dagster" / "bin" / "airflow-to-dagster"
    return subprocess.run([str(executable), *args], cwd=project_root(), capture_output=True, text=True, timeout=timeout)


def test_verify_cli_adopts_airflows_structure_for_what_the_scan_could_not_resolve(tmp_path):
    out, adopted = tmp_path / "parity.json", tmp_path / "inventory.json"
    env = f"WAREHOUSE_PATH={tmp_path / 'w.duckdb'}"
    args = ["--json", str(out), "--adopt-dagbag", str(adopted)]
    result = cli("verify", "airflow_dags", "--dagbag", "--airflow", "2", "--env", env, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(out.read_text())["score"] == 1.0
    dags = {d["dag_id"]: d for d in json.loads(adopted.read_text())["dags"]}
    shop = dags["shop_dbt"]
    assert (shop["origin"], shop["complete"]) == ("dagbag", True)
    assert {"transform.stg_orders.run", "transform.fct_orders.test"} <= {t["task_id"] for t in shop["tasks"]}
    assert dags["orders_daily"]["origin"] == "static"


def test_verify_refuses_to_execute_code_without_being_told():
    result = cli("verify", "airflow_dags", timeout=120)
    assert result.returncode == 2
    assert "executes your DAG files" in result.stderr
