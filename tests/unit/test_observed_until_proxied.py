"""A task Airflow runs is an observed AssetSpec in a location peering with Airflow; it becomes an executable asset
when its proxied state hands it over (the task, or the whole DAG); without peering every asset runs
(support/airlift.py ``task_asset``). Each case imports the generated DAG module in a fresh process, as Dagster's
code servers do."""

from __future__ import annotations

import json
import subprocess
import sys

from converters.airlift import proxied_state
from converters.codegen import generate
from converters.convert import convert_project
from converters.inventory import ir
from converters.inventory.scan import scan_source
from converters.plan import plan_project

SOURCE = """
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator


def count():
    return 3


with DAG("shop", schedule="@daily", start_date=datetime(2024, 1, 1), catchup=False, tags=["sales"]):
    load = BashOperator(task_id="load", bash_command="echo {{ ds }}", retries=2, pool="warehouse",
                        retry_delay=timedelta(minutes=1))
    counted = PythonOperator(task_id="counted", python_callable=count)
    report = BashOperator(task_id="report", bash_command="echo {{ ti.xcom_pull(task_ids='counted') }}")
    load >> counted >> report
"""

SCRIPT = """
import json
import dagster as dg
from shop_defs.dags import shop

out = {}
for asset in shop.defs.assets:
    spec = asset if isinstance(asset, dg.AssetSpec) else next(iter(asset.specs))
    out[spec.key.path[-1]] = {
        "executable": isinstance(asset, dg.AssetsDefinition) and asset.is_executable,
        "deps": sorted(dep.asset_key.path[-1] for dep in spec.deps),
        "partitioned": spec.partitions_def is not None,
        "owners": list(spec.owners),
        "tags": {k: v for k, v in spec.tags.items() if not k.startswith("dagster/kind/")},
        "kinds": sorted(spec.kinds),
        "task_id": spec.metadata.get("airflow/task_id"),
        "mapped_to": [h["task_id"] for h in spec.metadata.get("dagster-airlift/task-mapping") or []],
    }
dg.Definitions(assets=shop.defs.assets).resolve_asset_graph()
# the same tasks mapped to the DAG as a whole (a DAG airlift proxies whole): no task mapping left on any
from shop_defs.support.airlift import mapped_to_airflow

whole = mapped_to_airflow("shop", shop.TASKS, level="dag")
out["_whole"] = sorted(
    (list(spec.metadata.get("dagster-airlift/dag-mapping") or []), "dagster-airlift/task-mapping" in spec.metadata)
    for asset in whole
    for spec in ([asset] if isinstance(asset, dg.AssetSpec) else asset.specs)
)
print(json.dumps(out))
"""


def _generated(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "shop.py").write_text(SOURCE)
    plan = plan_project(ir.Project(str(dags), (scan_source(SOURCE, "shop.py"),)))
    result = generate(plan, tmp_path / "shop_defs", dags_folder=dags)
    assert not result.problems, result.problems
    return dags


def _load(tmp_path, dags, peering: bool) -> dict:
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("AIRFLOW_URL", "AIRFLOW_DAGS_FOLDER")}
    if peering:  # the DAG module asks Airflow nothing: only definitions.py's peer() does
        env |= {"AIRFLOW_URL": "http://127.0.0.1:9", "AIRFLOW_DAGS_FOLDER": str(dags)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_without_peering_every_task_asset_runs_in_dagster(tmp_path):
    dags = _generated(tmp_path)
    assert '@task_asset(\n    DAG,\n    "load",' in (tmp_path / "shop_defs" / "dags" / "shop.py").read_text()
    loaded = _load(tmp_path, dags, peering=False)
    whole = loaded.pop("_whole")
    assert {name: a["executable"] for name, a in loaded.items()} == {"load": True, "counted": True, "report": True}
    assert whole == [[[{"dag_id": "shop"}], False]] * 3


def test_peering_observes_what_airflow_runs_and_runs_what_it_handed_over(tmp_path):
    dags = _generated(tmp_path)
    observed = _load(tmp_path, dags, peering=True)
    assert observed.pop("_whole") == [[[{"dag_id": "shop"}], False]] * 3, "an observed spec's task mapping dropped"
    assert {name: a["executable"] for name, a in observed.items()} == {
        "load": False,
        "counted": False,
        "report": False,
    }
    # the spec keeps what Dagster shows: upstream assets (the XCom input among them), partitions, owners, tags,
    # the task's metadata, and airlift's mapping to the task
    assert observed["report"]["deps"] == ["counted"]
    assert all(a["partitioned"] and a["tags"] == {"sales": ""} for a in observed.values())
    assert observed["load"]["kinds"] == ["bash"] and observed["counted"]["kinds"] == ["python"]
    assert all(a["mapped_to"] == [a["task_id"]] for a in observed.values())

    proxied_state.write(dags, "shop", proxied_state.task_state({"counted": True}))
    handed_over = _load(tmp_path, dags, peering=True)
    handed_over.pop("_whole")
    assert {name: a["executable"] for name, a in handed_over.items()} == {
        "load": False,
        "counted": True,
        "report": False,
    }
    assert {name: a["deps"] for name, a in handed_over.items()} == {name: a["deps"] for name, a in observed.items()}
    assert handed_over["counted"]["mapped_to"] == ["counted"]  # observation and proxying keep the same mapping

    proxied_state.write(dags, "shop", {"proxied": True})  # the DAG handed over as a whole
    whole = _load(tmp_path, dags, peering=True)
    whole.pop("_whole")
    assert all(a["executable"] for a in whole.values())


def test_tasks_named_like_the_generated_modules_own_names_do_not_clash(tmp_path):
    """A task called ``task_asset`` (or ``mapped_to_airflow``) gets another function name: ruff (F811) would
    reject the module and the decorator would be shadowed."""
    dags = tmp_path / "estate"
    dags.mkdir()
    source = (
        "from datetime import datetime\n"
        "from airflow import DAG\n"
        "from airflow.operators.bash import BashOperator\n\n"
        'with DAG("names", schedule="@daily", start_date=datetime(2024, 1, 1)):\n'
        '    BashOperator(task_id="task_asset", bash_command="echo 1") >> '
        'BashOperator(task_id="mapped_to_airflow", bash_command="echo 2")\n'
    )
    (dags / "names.py").write_text(source)
    result = convert_project(dags, tmp_path / "names_defs", force=True, use_cache=False)
    assert result.generated.problems == []
    module = (tmp_path / "names_defs" / "dags" / "names.py").read_text()
    assert "def task_asset_asset(" in module and "def mapped_to_airflow_asset(" in module
