"""`modernize` (codegen/modern.py): a cosmos dbt group of a modernized, daily-partitioned DAG stays
``@dbt_assets`` and takes its dbt ``--vars`` from the partition (``partition_vars``) instead of Airflow's
template context; the vars are the ones the faithful group passes for the same day."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from converters.codegen import modern
from converters.convert import convert_project
from converters.flow import load_plan
from converters.ledger import state as migration_state
from converters.plan import find_dag
from converters.runtime.envs import project_root
from tests.unit.generated import answer_of


def generate(root: Path) -> str:
    dags = root / "airflow_dags"
    shutil.copytree(project_root() / "airflow_dags", dags, ignore=shutil.ignore_patterns("target", "logs"))
    migration_state.record_decommissioned(dags, "shop_dbt", {"file": "shop_dbt.py"})
    migration_state.record_modernized(dags, "shop_dbt", {"checks": []})
    result = convert_project(dags, root / "dagster_defs", use_cache=False)
    assert result.generated.problems == []
    return (root / "dagster_defs" / "dags" / "shop_dbt.py").read_text()


def test_a_modern_dbt_group_dates_its_run_by_the_partition(tmp_path: Path):
    text = generate(tmp_path)
    planned = find_dag(load_plan(tmp_path / "airflow_dags"), "shop_dbt")
    assert {t.task.task_id: modern.choose(planned, t).kind for t in planned.tasks if not t.passthrough} == {
        "load_customers": "asset",
        "transform": "dbt",
    }
    assert '["build", "--vars", partition_vars(context)]' in text
    for airflow in ("task_context", "dbt_vars", "DagInfo", "kept faithful"):
        assert airflow not in text, airflow


VARS = """
import json
import dagster as dg
from dagster_defs.support import runtime

partitions = dg.DailyPartitionsDefinition(start_date="2024-01-01", hour_offset=7)
dag = runtime.DagInfo(dag_id="shop_dbt", source="shop_dbt.py")
seen = {}

@dg.asset(partitions_def=partitions)
def transform(context: dg.AssetExecutionContext):
    seen["faithful"] = runtime.dbt_vars(runtime.task_context(context, dag, "transform"))
    seen["modern"] = runtime.partition_vars(context)

assert dg.materialize([transform], partition_key="2024-03-05").success
print(json.dumps(seen))
"""


def test_the_partition_gives_dbt_the_vars_airflow_gave_it(tmp_path: Path):
    """The faithful group's vars (Airflow's ds, ds_nodash and ts, from the context `task_context` builds for the
    partition) and the modern group's (from the partition alone), for one daily partition at 07:00."""
    generate(tmp_path)
    seen = answer_of(tmp_path / "dagster_defs", VARS)
    assert json.loads(seen["modern"]) == {
        "ds": "2024-03-05",
        "ds_nodash": "20240305",
        "ts": "2024-03-05T07:00:00+00:00",
    }
    assert seen["modern"] == seen["faithful"]


LOADS = """
import json
import dagster as dg
from dagster_defs import definitions
from dagster_defs.dags import data_quality, shop_dbt
from converters.gates.graph import module_tasks

defs = definitions.defs
dg.Definitions.validate_loadable(defs)
job = defs.resolve_job_def("shop_dbt")
print(json.dumps({
    "shop_dbt_job": sorted(k.to_user_string() for k in job.asset_layer.executable_asset_keys),
    "shop_dbt_resources": sorted(shop_dbt.defs.resources),
    "sensors": sorted(s.name for s in defs.get_repository_def().sensor_defs),
    "data_quality_tasks": sorted(module_tasks(data_quality)),
}))
"""


def test_the_terse_tail_loads_with_a_dbt_group_and_a_failure_callback(tmp_path: Path):
    """The modern module's tail (``ASSETS``, ``TASKS``, job, schedule, ``defs``) with a dbt group (its assets,
    its fallback spec, its resource) and a DAG's ``on_failure_callback`` (a run failure sensor on the job)."""
    generate(tmp_path)
    dags = tmp_path / "airflow_dags"
    migration_state.record_decommissioned(dags, "data_quality", {"file": "data_quality.py"})
    migration_state.record_modernized(dags, "data_quality", {"checks": []})
    assert convert_project(dags, tmp_path / "dagster_defs", use_cache=False).generated.problems == []
    for module in ("shop_dbt", "data_quality"):
        text = (tmp_path / "dagster_defs" / "dags" / f"{module}.py").read_text()
        assert "# Decommissioned" not in text and "SPECS = []" not in text  # the faithful tail's lines
    env = {"WAREHOUSE_PATH": str(tmp_path / "w.duckdb"), "DBT_TARGET_ROOT": str(tmp_path / "dbt_target")}
    loaded = answer_of(tmp_path / "dagster_defs", LOADS, env=env)
    assert "raw/customers" in loaded["shop_dbt_job"] and "marts/fct_orders" in loaded["shop_dbt_job"]
    assert loaded["shop_dbt_resources"] == ["dbt_shop_dbt__transform"]
    assert "data_quality_on_failure_callback" in loaded["sensors"]
    assert "wait_for_orders_partition" in loaded["data_quality_tasks"]
