"""``dbt_projects.py``: the location's dbt projects as dagster-dbt ``DbtProject``s, one per distinct project,
prepared at build time by dagster-dbt's own command (``dagster-dbt project prepare-and-package --file``), after
which the location loads without running dbt."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from converters.convert import convert_project
from converters.runtime import side_by_side
from converters.runtime.envs import venv_dir

ROOT = Path(__file__).resolve().parents[2]

DAG = """
from datetime import datetime
from pathlib import Path

from airflow import DAG
from cosmos import DbtTaskGroup, ProfileConfig, ProjectConfig

PROJECT = Path(__file__).parent / "dbt" / "{project}"

with DAG("{dag_id}", schedule=None, start_date=datetime(2024, 1, 1)):
    DbtTaskGroup(
        group_id="transform",
        project_config=ProjectConfig(PROJECT),
        profile_config=ProfileConfig(
            profile_name="shop", target_name="dev", profiles_yml_filepath=PROJECT / "profiles.yml"
        ),
    )
"""


def estate(root: Path, dags: dict[str, str]) -> Path:
    """A DAGs folder whose DAGs (id -> dbt project folder) each build one project copied from the example's."""
    folder = root / "dags"
    for dag_id, project in dags.items():
        if not (folder / "dbt" / project).exists():
            shutil.copytree(
                ROOT / "airflow_dags" / "dbt" / "shop",
                folder / "dbt" / project,
                ignore=shutil.ignore_patterns("target", "logs"),
            )
        (folder / f"{dag_id}.py").write_text(DAG.format(dag_id=dag_id, project=project))
    return folder


def environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DBT_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # dbt, as the runtime puts it
    env["WAREHOUSE_PATH"] = str(tmp_path / "warehouse.duckdb")  # what the example's profile reads
    env["DBT_TARGET_ROOT"] = str(tmp_path / "dbt_target")
    return env


def test_groups_over_one_project_share_its_dbt_project_and_each_project_is_named_once(tmp_path: Path):
    dags = estate(tmp_path, {"marts": "shop", "everything": "shop", "finance": "ledger"})
    result = convert_project(dags, tmp_path / "defs", use_cache=False)
    assert result.generated.problems == []
    projects = (tmp_path / "defs" / "dbt_projects.py").read_text()
    assert 'LEDGER_PROJECT = dbt_project(dags_path("dbt/ledger"), profiles_dir=dags_path("dbt/ledger")' in projects
    assert 'SHOP_PROJECT = dbt_project(dags_path("dbt/shop"), profiles_dir=dags_path("dbt/shop")' in projects
    assert projects.count("= dbt_project(") == 2
    for module, name in (("marts", "SHOP_PROJECT"), ("everything", "SHOP_PROJECT"), ("finance", "LEDGER_PROJECT")):
        text = (tmp_path / "defs" / "dags" / f"{module}.py").read_text()
        assert f"from ..dbt_projects import {name}\n" in text
        assert f"TRANSFORM_MANIFEST = dbt_manifest({name})" in text
        assert "dbt_project(" not in text  # the project is built in one place only
    assert (
        "`dagster-dbt project prepare-and-package --file dbt_projects.py`"
        in (tmp_path / "defs" / "README.md").read_text()
    )


def test_prepared_at_build_time_the_location_loads_without_running_dbt(tmp_path: Path):
    dags = estate(tmp_path, {"shop": "shop"})
    assert convert_project(dags, tmp_path / "defs", use_cache=False).generated.problems == []
    env = environment(tmp_path)
    prepared = subprocess.run(
        [
            str(Path(sys.executable).with_name("dagster-dbt")),
            "project",
            "prepare-and-package",
            "--file",
            "defs/dbt_projects.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert prepared.returncode == 0, prepared.stdout[-3000:] + prepared.stderr[-3000:]
    [manifest] = (tmp_path / "dbt_target").glob("shop-*/target/manifest.json")
    built = manifest.stat().st_mtime_ns
    script = (
        "import json, defs.definitions as d\n"
        "graph = d.defs.resolve_asset_graph()\n"
        "print(json.dumps(sorted(k.to_user_string() for k in graph.get_all_asset_keys() "
        "if graph.get(k).is_materializable)))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert "marts/fct_orders" in json.loads(loaded.stdout.strip().splitlines()[-1])  # the dbt models are assets
    assert manifest.stat().st_mtime_ns == built  # read as prepared: the load ran no `dbt parse`
    assert not (manifest.parent / "parse").exists()


def test_dbt_projects_py_goes_when_no_cosmos_group_is_left(tmp_path: Path):
    dags = estate(tmp_path, {"shop": "shop"})
    convert_project(dags, tmp_path / "defs", use_cache=False)
    assert (tmp_path / "defs" / "dbt_projects.py").is_file()
    (dags / "shop.py").write_text(
        "from datetime import datetime\nfrom airflow import DAG\nfrom airflow.operators.bash import BashOperator\n\n"
        'with DAG("shop", schedule=None, start_date=datetime(2024, 1, 1)):\n'
        '    BashOperator(task_id="hello", bash_command="echo hello")\n'
    )
    result = convert_project(dags, tmp_path / "defs", use_cache=False)
    assert "dbt_projects.py" in result.generated.removed
    assert not (tmp_path / "defs" / "dbt_projects.py").exists()
    assert "dbt_projects.py" not in (tmp_path / "defs" / "README.md").read_text()


def test_runtime_up_reports_a_project_that_cannot_be_prepared_and_goes_on(tmp_path: Path):
    package = tmp_path / "dagster_defs"
    package.mkdir()
    (package / "dbt_projects.py").write_text('raise RuntimeError("no profile here")\n')
    events: list[str] = []
    env = {**os.environ, "PATH": f"{venv_dir('dagster') / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    side_by_side._prepare_dbt_projects(package, env, tmp_path / "logs" / "dbt-prepare.log", events.append)
    assert events[0].startswith("preparing the dbt projects of dbt_projects.py")
    assert "were not prepared (exited 1" in events[1] and "parses them when it loads" in events[1]
    assert "no profile here" in (tmp_path / "logs" / "dbt-prepare.log").read_text()
