"""Two DAGs whose cosmos groups select overlapping models of one dbt project convert to a location that loads,
with each model's key defined once per group that builds it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from converters.convert import convert_project

ROOT = Path(__file__).resolve().parents[2]

DAG = """
from datetime import datetime
from pathlib import Path

from airflow import DAG
from cosmos import DbtTaskGroup, ProfileConfig, ProjectConfig, RenderConfig

PROJECT = Path(__file__).parent / "dbt" / "shop"

with DAG("{dag_id}", schedule=None, start_date=datetime(2024, 1, 1)):
    DbtTaskGroup(
        group_id="transform",
        project_config=ProjectConfig(PROJECT),
        profile_config=ProfileConfig(
            profile_name="shop", target_name="dev", profiles_yml_filepath=PROJECT / "profiles.yml"
        ),
        render_config=RenderConfig(select={select}),
    )
"""


def test_two_dags_selecting_overlapping_models_define_each_key_once(tmp_path: Path):
    dags = tmp_path / "dags"
    shutil.copytree(ROOT / "airflow_dags" / "dbt" / "shop", dags / "dbt" / "shop")
    (dags / "marts.py").write_text(DAG.format(dag_id="marts", select='["path:models/marts", "+fct_orders"]'))
    (dags / "everything.py").write_text(DAG.format(dag_id="everything", select='["fqn:*"]'))
    result = convert_project(dags, tmp_path / "shared_defs", use_cache=False)
    assert not result.generated.problems, result.generated.problems
    script = (
        "import json, shared_defs.definitions as d\n"
        "graph = d.defs.resolve_asset_graph()\n"
        "keys = [k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable]\n"
        "print(json.dumps(sorted(k.to_user_string() for k in keys)))\n"
    )
    env = {**os.environ, "WAREHOUSE_PATH": str(tmp_path / "w.duckdb")}
    env["DBT_TARGET_ROOT"] = str(tmp_path / "dbt_target")
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    keys = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"marts/marts/fct_orders", "everything/marts/fct_orders", "everything/staging/stg_customers"} <= set(keys)
    assert all(k.startswith(("marts/", "everything/")) for k in keys), "no unprefixed model is left to collide"
    notes = {d.dag.dag_id: d.tasks[0].translation.notes for d in result.plan.dags}
    assert any("also built by everything.transform" in n for n in notes["marts"]), notes
