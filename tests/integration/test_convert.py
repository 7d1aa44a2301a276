"""convert on real inputs: the committed example location, and Airflow's own example DAGs, load in Dagster."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from converters.convert import convert_project
from converters.runtime.envs import project_root, venv_dir
from tests.integration.test_dagbag_parity import wheel_folder

pytestmark = pytest.mark.integration


def run_in(package_dir: Path, argv: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``argv`` run in a generated location, as a user would run it there."""
    env = {**os.environ, **(env or {})}
    return subprocess.run(argv, cwd=package_dir, env=env, capture_output=True, text=True, timeout=600, check=False)


def validate(package_dir: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`dg check defs` in a generated location (a dg project)."""
    return run_in(package_dir, [str(venv_dir("dagster") / "bin" / "dg"), "check", "defs"], env)


def test_committed_location_validates_with_dagster(tmp_path):
    env = {"WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"), "DBT_TARGET_ROOT": str(tmp_path / "dbt")}
    result = validate(project_root() / "dagster_defs", env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "All definitions loaded successfully" in output
    # Not only "it loads": the cosmos group became one asset per dbt model (not the observed fallback).
    seen = load_all_assets(project_root() / "dagster_defs", env)
    assert {"staging/stg_orders", "marts/fct_orders", "marts/dim_customers"} <= set(seen["executable"])
    assert "shop_dbt/transform" not in seen["keys"]
    assert "orders_daily/load_orders" in seen["executable"]
    assert "fx_rates/announce" in seen["executable"]  # an XCom pulled in a template became an asset input
    smoke = smoke_tests(project_root() / "dagster_defs", env)
    assert smoke.returncode == 0, (smoke.stdout + smoke.stderr)[-5000:]
    assert " passed" in smoke.stdout and "failed" not in smoke.stdout


def smoke_tests(package_dir: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The location's generated smoke tests (tests/test_<dag>.py), with pytest in the location."""
    return run_in(package_dir, [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], env)


def load_all_assets(package_dir: Path, env: dict[str, str] | None = None) -> dict:
    """Import the generated definitions and list what Dagster sees: asset keys and checks per kind."""
    script = (
        "import importlib, json, sys\n"
        f"defs = importlib.import_module('{package_dir.name}.definitions').defs\n"
        "graph = defs.resolve_asset_graph()\n"
        "keys = [k.to_user_string() for k in graph.get_all_asset_keys()]\n"
        "executable = [k.to_user_string() for k in graph.executable_asset_keys]\n"
        "print(json.dumps({'keys': keys, 'executable': executable, 'jobs': len(defs.resolve_all_job_defs())}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=package_dir.parent,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "version, relative",
    [(2, "example_dags"), (3, "example_dags"), (3, "providers/standard/example_dags")],
    ids=["airflow2-examples", "airflow3-examples", "airflow3-standard-provider-examples"],
)
def test_airflows_own_examples_convert_and_load(version, relative, tmp_path):
    folder = wheel_folder(version, relative)
    result = convert_project(folder, tmp_path / "examples_defs", use_cache=False)
    assert not result.generated.problems, result.generated.problems
    counts = result.plan.counts()
    tasks = sum(len(d.tasks) for d in result.plan.dags)
    print(f"\nAirflow {version} {relative}: {len(result.plan.dags)} DAGs, {tasks} tasks, dispositions {counts}")
    validated = validate(tmp_path / "examples_defs")
    assert validated.returncode == 0, (validated.stdout + validated.stderr)[-5000:]
    seen = load_all_assets(tmp_path / "examples_defs")
    planned = {
        f"{'/'.join(t.key)}" for d in result.plan.dags for t in d.tasks if not t.passthrough and not t.translation.dbt
    }
    assert planned <= set(seen["keys"]), sorted(planned - set(seen["keys"]))[:20]
    smoke = smoke_tests(tmp_path / "examples_defs")
    assert smoke.returncode == 0, (smoke.stdout + smoke.stderr)[-5000:]
