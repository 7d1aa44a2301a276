"""`modernize` turns a sensor task into a ``@dg.sensor`` that starts the DAG's runs (codegen/modern.py): no step
waits, the assets after it no longer follow it, one run per partition whose poke succeeds (a stable run_key), and
the gates know where the task went."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from converters.codegen import modern
from converters.codegen.project import expected_assets
from converters.convert import convert_project
from converters.flow import load_plan
from converters.gates.dagster_runs import TaskRun
from converters.gates.graph import read_graph
from converters.gates.ladder.materializes import judge
from converters.gates.ladder.structure import dagster_upstream
from converters.gates.run import GateResult, GatesReport
from converters.gates.runner import run_dag
from converters.ledger import ledger
from converters.ledger import state as migration_state
from converters.migrate import modernize
from converters.plan import find_dag
from converters.runtime.envs import project_root
from tests.unit.generated import answer_of, imported_package, run_beside

FILE_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator
from airflow.sensors.filesystem import FileSensor


def load(ds):
    return f"loaded {ds}"


with DAG("drops", schedule="0 5 * * *", start_date=datetime(2024, 1, 1), catchup=False):
    wait = FileSensor(
        task_id="wait_for_file",
        fs_conn_id="landing",
        filepath="{{ ds }}/data.csv",
        mode="reschedule",
        poke_interval=30,
        timeout=3 * 24 * 60 * 60,
    )
    loaded = PythonOperator(task_id="load", python_callable=load)
    wait >> loaded
"""

PYTHON_DAG = """
import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.python import PythonOperator
from airflow.sensors.python import PythonSensor


def landed(folder, ds):
    return os.path.exists(os.path.join(folder, ds, "data.csv"))


def load(ds):
    return f"loaded {ds}"


with DAG("drops", schedule="@daily", start_date=datetime(2024, 1, 1)):
    wait = PythonSensor(
        task_id="wait_for_file", python_callable=landed, op_kwargs={"folder": "LANDING"}, timeout=timedelta(days=2)
    )
    loaded = PythonOperator(task_id="load", python_callable=load)
    wait >> loaded
"""


def modernized(tmp_path: Path, text: str, *, decommissioned: bool = True) -> tuple[Path, str]:
    dags = tmp_path / "airflow_dags"
    dags.mkdir(exist_ok=True)
    (dags / "drops.py").write_text(text)
    if decommissioned:
        migration_state.record_decommissioned(dags, "drops", {"file": "drops.py"})
    migration_state.record_modernized(dags, "drops", {"checks": []})
    result = convert_project(dags, tmp_path / "dagster_defs", use_cache=False)
    assert result.generated.problems == []  # ruff-clean
    return tmp_path / "dagster_defs", (tmp_path / "dagster_defs" / "dags" / "drops.py").read_text()


# The generated sensor, evaluated in-process with a Dagster instance, then the job it targets run for its request.
EVALUATE = """
import json, pathlib, sys
import dagster as dg
from dagster_defs import definitions
from dagster_defs.dags import drops
from dagster_defs.support.runtime import partitions_waiting
from converters.gates.graph import module_tasks

landing = pathlib.Path(sys.argv[1])
sensor = definitions.defs.get_sensor_def("drops__wait_for_file")
keys = partitions_waiting(drops.PARTITIONS, timeout=172800)
answer = {"interval": sensor.minimum_interval_seconds, "job": sensor.job_name, "keys": keys}
answer["tasks"] = {task: [d.name if isinstance(d, dg.SensorDefinition) else "asset" for d in defs]
                   for task, defs in module_tasks(drops).items()}
with dg.instance_for_test() as instance:
    def tick():
        context = dg.build_sensor_context(
            instance=instance, definitions=definitions.defs, resources=definitions.RESOURCES
        )
        return [(r.partition_key, r.run_key) for r in sensor.evaluate_tick(context).run_requests]
    answer["missing"] = tick()
    (landing / keys[-1]).mkdir(parents=True)
    (landing / keys[-1] / "data.csv").write_text("x")
    answer["landed"] = tick()
    answer["again"] = tick()
    job = definitions.defs.resolve_job_def("drops")
    result = job.execute_in_process(partition_key=keys[-1], instance=instance)
    answer["ok"] = result.success
    answer["steps"] = sorted(e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS")
    answer["value"] = result.output_for_node("drops__load")
print(json.dumps(answer))
"""


def evaluate(package: Path, landing: Path) -> dict:
    landing.mkdir(exist_ok=True)
    env = {"AIRFLOW_CONN_LANDING": json.dumps({"conn_type": "fs", "extra": {"path": str(landing)}})}
    return answer_of(package, EVALUATE, str(landing), env=env)


def test_a_file_sensor_becomes_a_dagster_sensor_and_no_step_waits(tmp_path: Path):
    _, text = modernized(tmp_path, FILE_DAG)
    assert "wait_until" not in text and "task_context" not in text
    assert "def wait_for_file_ready(partition_key: str, fs_landing: AirflowConnection) -> bool:" in text
    assert 'return bool(files_matching(fs_landing.connection(), f"{partition_key}/data.csv"))' in text
    assert '@dg.sensor(\n    name="drops__wait_for_file",\n    job_name="drops",' in text
    assert "minimum_interval_seconds=30," in text
    assert 'yield dg.RunRequest(partition_key=partition_key, run_key=f"wait_for_file:{partition_key}")' in text
    assert "ASSETS = [load]" in text and "TASKS" not in text  # each definition is named as its task
    assert "sensors=[wait_for_file]" in text and "SCHEDULE" not in text
    assert 'deps=[dg.AssetKey(["drops", "wait_for_file"])]' not in text  # load follows no waiting step
    assert "never fails: past the timeout a partition is no longer poked" in text  # what changes, said
    assert "# No schedule: the sensors above start the DAG's runs." in text


def test_the_sensor_requests_one_run_per_landed_partition_and_the_asset_runs_without_it(tmp_path: Path):
    package, _ = modernized(tmp_path, FILE_DAG)
    answer = evaluate(package, tmp_path / "landing")
    key = answer["keys"][-1]
    assert answer["interval"] == 30 and answer["job"] == "drops"
    assert answer["tasks"] == {"wait_for_file": ["drops__wait_for_file"], "load": ["asset"]}  # what the gates read
    assert answer["missing"] == [], "no run while the file is missing"
    assert answer["landed"] == [[key, f"wait_for_file:{key}"]]
    assert answer["again"] == answer["landed"], "a stable run_key: Dagster never requests the partition twice"
    assert answer["ok"] and answer["steps"] == ["drops__load"] and answer["value"] == f"loaded {key}"


def test_a_python_sensor_over_a_plain_callable_pokes_it_per_partition(tmp_path: Path):
    landing = tmp_path / "landing"
    package, text = modernized(tmp_path, PYTHON_DAG.replace("LANDING", str(landing)))
    assert "def wait_for_file_ready(partition_key: str) -> bool:" in text
    call = text[text.index("def wait_for_file_ready") : text.index("@dg.sensor(")]  # ruff may wrap a long path
    assert "return bool(" in call and "landed(" in call and f'folder="{landing}"' in call and "ds=partition_key" in call
    assert "minimum_interval_seconds=60," in text  # BaseSensorOperator's default poke_interval
    assert "partitions_waiting(PARTITIONS, timeout=172800)" in text  # timedelta(days=2)
    answer = evaluate(package, landing)
    key = answer["keys"][-1]
    assert answer["missing"] == [] and answer["landed"] == [[key, f"wait_for_file:{key}"]]
    assert answer["ok"] and answer["steps"] == ["drops__load"]


@pytest.mark.parametrize(
    "old, new, why",
    [
        ('schedule="@daily"', "schedule=None", "the DAG has no time partitions"),
        ("wait >> loaded", "loaded >> wait", "it waits after load"),
        ("timeout=timedelta(days=2)", 'timeout=60, pool="warehouse"', "its pokes hold a slot of pool 'warehouse'"),
        ("    wait >> loaded\n", "", "load start(s) without it"),
        ("timeout=timedelta(days=2)", "timeout=60, soft_fail=SOFT", "poke_interval, timeout or soft_fail is not"),
    ],
)
def test_what_a_sensor_cannot_express_stays_faithful_with_why(tmp_path: Path, old: str, new: str, why: str):
    text = PYTHON_DAG.replace("LANDING", str(tmp_path)).replace(old, new)
    _, module = modernized(tmp_path, text)
    kept = [line for line in module.splitlines() if line.startswith("# kept faithful:")]
    assert any(why in line for line in kept), kept
    assert "wait_until(" in module and "@dg.sensor(" not in module


def test_a_dag_airflow_still_runs_keeps_its_sensor_a_step(tmp_path: Path):
    _, text = modernized(tmp_path, FILE_DAG, decommissioned=False)
    assert "# kept faithful: Airflow still runs the DAG" in text and "wait_until(" in text


def test_the_gates_and_smoke_tests_know_where_the_sensor_went(tmp_path: Path):
    package, _ = modernized(tmp_path, FILE_DAG)
    graph = read_graph(package)["drops"]
    assert graph["tasks"] == {"wait_for_file": [], "load": [["drops", "load"]]}
    assert graph["sensors"] == {"wait_for_file": {"name": "drops__wait_for_file", "downstream": ["load"]}}
    assert dagster_upstream(graph) == {"wait_for_file": set(), "load": {"wait_for_file"}}
    planned = find_dag(load_plan(tmp_path / "airflow_dags"), "drops")
    assert modern.sensor_tasks(planned) == {("drops", "wait_for_file"): ("load",)}
    assert expected_assets(planned) == {("drops", "load"): []}


def test_gates_4_to_6_poke_the_sensor_for_the_date_as_airflow_poked_in_that_run(tmp_path: Path):
    package, _ = modernized(tmp_path, FILE_DAG)
    landing = tmp_path / "landing"
    (landing / "2024-03-05").mkdir(parents=True)
    (landing / "2024-03-05" / "data.csv").write_text("x")
    env = {"AIRFLOW_CONN_LANDING": json.dumps({"conn_type": "fs", "extra": {"path": str(landing)}})}

    def run(date: str, keys: list[list[str]]) -> dict:
        return run_dag(
            package,
            "drops",
            dagster_home=tmp_path / "home",
            env=env,
            date=date,
            keys=keys,
            warehouse=tmp_path / "warehouse.duckdb",
            paths=[],
            sensors=["wait_for_file"],
        )

    outcome = run("2024-03-05", [["drops", "load"]])
    assert outcome["error"] == "" and [a["key"] for a in outcome["assets"]] == [["drops", "load"]]
    poked = outcome["sensors"]["wait_for_file"]
    assert poked["success"] and poked["materialized"] and poked["partition"] == "2024-03-05"
    assert poked["tables"] == [] and poked["second"] == {**poked["second"], "success": True, "changed": []}
    task = TaskRun("drops", "wait_for_file", [poked], "", None)
    assert judge(task).status == "pass"
    missing = run("2024-03-06", [])["sensors"]["wait_for_file"]
    assert not missing["success"] and "did not succeed: it would request no run" in missing["error"]
    assert judge(TaskRun("drops", "wait_for_file", [missing], "", None)).status == "fail"


def test_modernize_reports_the_sensor_and_records_it(tmp_path: Path):
    dags = tmp_path / "airflow_dags"
    dags.mkdir()
    (dags / "drops.py").write_text(FILE_DAG)
    migration_state.record_decommissioned(dags, "drops", {"file": "drops.py"})
    table = {"table": "x.loaded", "match": True, "dagster": {"rows": 1, "checksum": "abc"}}
    results = []
    for task in ("wait_for_file", "load"):
        results += [GateResult("drops", task, n, "pass", {}) for n in (2, 3, 4, 6)]
        results.append(GateResult("drops", task, 5, "pass" if task == "load" else "n/a", {"tables": [table]}))
    ledger.append(dags, [r.entry() | {"date": "2024-03-05"} for r in results])
    convert_project(dags, tmp_path / "dagster_defs")

    def gates(dag_id: str, date: str | None) -> GatesReport:
        return GatesReport(date or "", [r for r in results if r.gate != 1])

    result = modernize(dags, "drops", tmp_path / "dagster_defs", gates)
    assert result.ok and result.sensors == ["wait_for_file"] and result.modern == ["load"]
    assert result.faithful == {} and result.gates["wait_for_file"][4] == "pass"
    (record,) = [e for e in ledger.read(dags) if e.get("kind") == "modernize"]
    assert record["sensors"] == ["wait_for_file"]
    assert "@dg.sensor(" in (tmp_path / "dagster_defs" / "dags" / "drops.py").read_text()


OTHER_SENSORS = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
from airflow.providers.http.sensors.http import HttpSensor

with DAG("s3_drops", schedule="@daily", start_date=datetime(2024, 1, 1)):
    S3KeySensor(
        task_id="wait_for_key", bucket_name="landing", bucket_key="in/{{ ds_nodash }}/*.csv", wildcard_match=True
    ) >> BashOperator(task_id="load", bash_command="echo {{ ds }}")

with DAG("api_ready", schedule="@daily", start_date=datetime(2024, 1, 1)):
    HttpSensor(
        task_id="ready", http_conn_id="crm", endpoint="exports/{{ ds }}", poke_interval=20, soft_fail=True
    ) >> BashOperator(task_id="load", bash_command="echo {{ ds }}")
"""


def test_s3_key_and_http_sensors_become_dagster_sensors_that_load(tmp_path: Path):
    dags = tmp_path / "airflow_dags"
    dags.mkdir()
    (dags / "other.py").write_text(OTHER_SENSORS)
    for dag_id in ("s3_drops", "api_ready"):
        migration_state.record_decommissioned(dags, dag_id, {"file": "other.py"})
        migration_state.record_modernized(dags, dag_id, {"checks": []})
    assert convert_project(dags, tmp_path / "dagster_defs", use_cache=False).generated.problems == []
    s3 = (tmp_path / "dagster_defs" / "dags" / "s3_drops.py").read_text()
    assert "return s3_keys_exist(\"landing\", f\"in/{partition_key.replace('-', '')}/*.csv\", wildcard=True)" in s3
    assert "# note: AWS credentials come from the Dagster host (aws_conn_id is not read)\ndef wait_for_key_ready(" in s3
    http = (tmp_path / "dagster_defs" / "dags" / "api_ready.py").read_text()
    assert 'return http_ready(http_crm, "GET", f"exports/{partition_key}")' in http
    prose = " ".join(line.removeprefix("# ") for line in http.splitlines())  # the comment, unwrapped
    assert "minimum_interval_seconds=20" in http and "Airflow, with soft_fail, skipped the tasks after it" in prose
    script = (
        "from dagster_defs import definitions\n"
        "for name in ('s3_drops__wait_for_key', 'api_ready__ready'):\n"
        "    assert definitions.defs.get_sensor_def(name).job_name == name.split('__')[0]\n"
        "definitions.defs.get_repository_def().load_all_definitions()\n"
        "print('loaded')\n"
    )
    package = tmp_path / "dagster_defs"
    assert run_beside(package, script).strip().endswith("loaded")


def test_an_external_task_sensor_on_a_dag_of_the_location_is_a_dependency_not_a_wait(tmp_path: Path):
    dags = tmp_path / "airflow_dags"
    dags.mkdir()
    (dags / "pair.py").write_text(
        "from datetime import datetime\n"
        "from airflow import DAG\n"
        "from airflow.operators.python import PythonOperator\n"
        "from airflow.sensors.external_task import ExternalTaskSensor\n\n\n"
        "def load(ds):\n    return ds\n\n\n"
        "def attribute(ds):\n    return ds\n\n\n"
        'with DAG("orders", schedule="@daily", start_date=datetime(2024, 1, 1)):\n'
        '    PythonOperator(task_id="load", python_callable=load)\n'
        'with DAG("attribution", schedule="@daily", start_date=datetime(2024, 1, 1)):\n'
        '    ExternalTaskSensor(task_id="wait", external_dag_id="orders", external_task_id="load", timeout=600) >> '
        'PythonOperator(task_id="attribute", python_callable=attribute)\n'
    )
    migration_state.record_decommissioned(dags, "attribution", {"file": "pair.py"})
    migration_state.record_modernized(dags, "attribution", {"checks": []})
    assert convert_project(dags, tmp_path / "dagster_defs", use_cache=False).generated.problems == []
    text = (tmp_path / "dagster_defs" / "dags" / "attribution.py").read_text()
    assert 'deps=[dg.AssetKey(["orders", "load"])]' in text
    assert "return logic.attribute(ds=context.partition_key)" in text
    assert "wait_until" not in text and "@dg.sensor(" not in text
    assert "SCHEDULE = dg.build_schedule_from_partitioned_job(" in text  # its runs still start on its schedule


@pytest.mark.parametrize(
    "partitions, timeout, now, keys",
    [
        ("daily5", 6 * 3600, "2024-03-06T10:00", ["2024-03-05"]),  # the window ended at 05:00 today
        ("daily5", 6 * 3600, "2024-03-06T12:00", []),  # past the timeout: no longer poked
        ("daily5", 3 * 86400, "2024-03-06T05:00", ["2024-03-03", "2024-03-04", "2024-03-05"]),
        ("daily5", 3 * 86400, "2023-12-01T00:00", []),  # before the first window ended
        ("hourly", 3 * 3600, "2024-03-06T10:30", ["2024-03-06-07:00", "2024-03-06-08:00", "2024-03-06-09:00"]),
        ("weekly", 10 * 86400, "2024-03-06T10:00", ["2024-02-19", "2024-02-26"]),
    ],
)
def test_a_sensor_pokes_the_partitions_whose_window_ended_within_its_timeout(partitions, timeout, now, keys):
    from datetime import UTC, datetime

    import dagster as dg

    with imported_package(project_root(), "dagster_defs"):  # support/ as the example's package carries it
        from dagster_defs.support.runtime import partitions_waiting

    definition = {
        "daily5": dg.DailyPartitionsDefinition(start_date="2024-01-01", hour_offset=5),
        "hourly": dg.HourlyPartitionsDefinition(start_date="2024-01-01-00:00"),
        "weekly": dg.TimeWindowPartitionsDefinition(cron_schedule="0 0 * * 1", start="2024-01-01", fmt="%Y-%m-%d"),
    }[partitions]
    when = datetime.fromisoformat(now).replace(tzinfo=UTC)
    assert partitions_waiting(definition, timeout=timeout, now=when) == keys
