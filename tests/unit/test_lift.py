"""LIFT in the plan: `convert --lift` gives tasks with no translation their own Airflow operator under Dagster.

What cannot be lifted stays NONE and says why; the choice is recorded in migration/state.json so that every
verb plans the same; the generated asset calls ``run_lifted``; scan/convert JSON and the report count LIFT
on its own. The runner itself runs under real Airflow in tests/integration/test_lift.py.
"""

from __future__ import annotations

import importlib
import json
import shutil
import sys
import textwrap
from pathlib import Path

import dagster as dg
import pytest

from converters.codegen import SUPPORT_FILES
from converters.convert import convert_json, convert_project
from converters.flow import scan_and_plan, scan_json
from converters.report import model
from converters.runtime.envs import AIRFLOW_LINES, airflow_venv

DAG_FILE = textwrap.dedent(
    """
    from datetime import datetime

    from airflow import DAG
    from airflow.models.baseoperator import BaseOperator
    from airflow.operators.python import PythonOperator


    class PartnerPull(BaseOperator):
        template_fields = ("path",)

        def __init__(self, path, **kwargs):
            super().__init__(**kwargs)
            self.path = path

        def execute(self, context):
            rows = context["ti"].xcom_pull(task_ids="extract")
            return {"path": self.path, "rows": rows}


    def extract():
        return [1, 2, 3]


    with DAG("partner", start_date=datetime(2024, 1, 1), schedule="@daily"):
        first = PythonOperator(task_id="extract", python_callable=extract)
        pull = PartnerPull(task_id="pull", path="/drops/{{ ds }}.csv")
        deferred = PartnerPull(task_id="deferred", path="/drops/x.csv", deferrable=True)
        mapped = PartnerPull.partial(task_id="mapped").expand(path=["/a", "/b"])
        first >> pull >> deferred
    """
)


@pytest.fixture
def estate(tmp_path) -> Path:
    dags = tmp_path / "airflow_dags"
    dags.mkdir()
    (dags / "partner.py").write_text(DAG_FILE, encoding="utf-8")
    return dags


def _tasks(plan) -> dict:
    return {t.task.task_id: t for d in plan.dags for t in d.tasks}


def test_without_lift_the_operator_stays_in_airflow_and_no_runner_is_generated(estate, tmp_path):
    result = convert_project(estate, tmp_path / "defs", use_cache=False)
    assert _tasks(result.plan)["pull"].disposition == "NONE"
    assert not (tmp_path / "defs" / "support" / "lift_runner.py").exists()
    assert convert_json(result)["counts"]["LIFT"] == 0


def test_convert_lift_runs_the_operator_from_dagster_and_says_why_the_others_cannot(estate, tmp_path):
    out = tmp_path / "lift_defs"
    result = convert_project(estate, out, use_cache=False, lift=True)
    tasks = _tasks(result.plan)
    pull = tasks["pull"]
    assert pull.disposition == "LIFT"
    assert pull.reason == "runs in Dagster, depends on Airflow's library"
    # The upstream value its own code pulls reaches it as an input.
    assert [i[0] for i in pull.inputs] == ["extract"]
    assert tasks["deferred"].disposition == "NONE"
    assert "not liftable: it defers to Airflow's triggerer" in tasks["deferred"].reason
    assert tasks["mapped"].disposition == "NONE"
    assert "not liftable: it is a mapped task" in tasks["mapped"].reason
    assert tasks["extract"].disposition == "MECH"  # a translated task is not lifted
    code = (out / "dags" / "partner.py").read_text(encoding="utf-8")
    assert "from ..support.lift import run_lifted" in code
    assert 'return run_lifted(context, DAG, "pull", airflow, xcom_values={"extract": extract_value})' in code
    assert (out / "support" / "lift.py").exists() and (out / "support" / "lift_runner.py").exists()
    counts = convert_json(result)["counts"]
    assert counts["LIFT"] == 1 and counts["NONE"] == 2
    # Recorded for every verb: a later plan of the folder (status, gates, report) lifts the same tasks.
    state = json.loads((tmp_path / "migration" / "state.json").read_text(encoding="utf-8"))
    assert state["lift"]["all"] is True
    assert _tasks(scan_and_plan(estate, use_cache=False).plan)["pull"].disposition == "LIFT"
    # The generated package loads in Dagster.
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module("lift_defs.dags.partner")
        keys = {key.to_user_string() for key in module.defs.resolve_asset_graph().get_all_asset_keys()}
        assert "partner/pull" in keys
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("lift_defs")]:
            del sys.modules[name]
    # `--no-lift` takes it back.
    again = convert_project(estate, out, use_cache=False, lift=False)
    assert _tasks(again.plan)["pull"].disposition == "NONE"


def test_scan_json_shows_lift_when_asked(estate):
    data = scan_json(scan_and_plan(estate, use_cache=False, read_migration_state=False, lift=True))
    dispositions = {t["task_id"]: t["disposition"] for d in data["dags"] for t in d["tasks"]}
    assert dispositions["pull"] == "LIFT"


def test_the_report_counts_lift_on_its_own_and_moves_it_after_judg(estate, tmp_path):
    convert_project(estate, tmp_path / "defs", use_cache=False, lift=True)
    report = model.build(estate, defs_folder=tmp_path / "defs")
    assert report["dispositions"]["counts"]["LIFT"] == 1
    go = report["go_no_go"]
    assert go["recommendation"] != "migrate"
    assert any("LIFT: runs in Dagster, depends on Airflow's library" in c for c in go["conditions"])
    assert go["numbers"]["lift_share"] == pytest.approx(0.25)
    waves = {t["task_id"]: w["wave"] for w in report["waves"]["waves"] for t in w["tasks"]}
    assert waves["pull"] == 3 and waves["extract"] == 1
    assert report["waves"]["weights"]["per_task"]["LIFT"] == 0.5


@pytest.fixture
def lift_support(tmp_path, monkeypatch):
    """The support folder as `convert` copies it, importable (no Airflow is started by these tests)."""
    support = Path(__file__).resolve().parents[2] / "converters" / "codegen" / "support"
    package = tmp_path / "liftunit"
    (package / "support").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "support" / "__init__.py").write_text("")
    (package / "support" / "settings.py").write_text('DAGS_FOLDER = "../dags"\n')
    for name in (*SUPPORT_FILES, "lift.py"):
        shutil.copy(support / name, package / "support" / name)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("liftunit.support.lift")
    for name in [m for m in sys.modules if m == "liftunit" or m.startswith("liftunit.")]:
        del sys.modules[name]


def test_the_runners_report_becomes_the_output_or_the_operators_failure(lift_support):
    output = lift_support.outcome_value(
        {"status": "succeeded", "value": [1], "xcom": {"extra": 2}, "rendered": {"path": "/d"}}, "d.t"
    )
    assert output.value == [1] and output.metadata["airflow/xcom"].value == {"extra": 2}
    failed = {"status": "failed", "kind": "failed", "error_type": "builtins.ValueError", "error": "bad"}
    with pytest.raises(dg.Failure, match="d.t failed: ValueError: bad") as raised:
        lift_support.outcome_value(failed, "d.t")
    assert raised.value.allow_retries
    no_retry = {**failed, "kind": "failed_without_retry", "error_type": "airflow.exceptions.AirflowFailException"}
    with pytest.raises(dg.Failure) as raised:
        lift_support.outcome_value(no_retry, "d.t")
    assert not raised.value.allow_retries  # AirflowFailException: Airflow does not retry it either
    with pytest.raises(dg.Failure, match="Airflow would have skipped this task"):
        lift_support.outcome_value({**failed, "kind": "skipped"}, "d.t")


def test_without_an_airflow_environment_the_step_says_what_to_set(lift_support, monkeypatch):
    monkeypatch.delenv("AIRFLOW_LIFT_PYTHON", raising=False)
    monkeypatch.setenv("AIRFLOW_MAJOR_VERSION", "3")
    with pytest.raises(dg.Failure, match="set AIRFLOW_LIFT_PYTHON"):
        lift_support.airflow_python()


# A lifted task is a fresh Airflow process: the step warns when the Airflow environment has no compiled bytecode
# (compiling Airflow from source in every lifted task made each several times slower: docs/benchmarks.md).


def test_an_airflow_environment_without_bytecode_is_found_from_its_python(lift_support, tmp_path):
    venv = tmp_path / "airflow-venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text("")
    assert lift_support.uncompiled_airflow(str(python)) is None, "no Airflow found: nothing to say"
    airflow = venv / "lib" / "python3.11" / "site-packages" / "airflow"
    airflow.mkdir(parents=True)
    (airflow / "__init__.py").write_text("")
    assert lift_support.uncompiled_airflow(str(python)) == airflow
    (airflow / "__pycache__").mkdir()
    (airflow / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"")
    assert lift_support.uncompiled_airflow(str(python)) is None


@pytest.mark.parametrize("line", sorted(AIRFLOW_LINES))
def test_the_runtimes_airflow_venvs_are_compiled(lift_support, line):
    """`make setup` installs them with their bytecode: a lifted task there never compiles Airflow."""
    venv = airflow_venv(line)  # make setup made both; a missing one fails here, naming it
    assert lift_support.uncompiled_airflow(str(venv / "bin" / "python")) is None


def test_lift_dag_task_records_one_task_and_refuses_what_cannot_be_lifted(estate, tmp_path):
    from converters.migrate import MigrationError, lift

    with pytest.raises(MigrationError, match="these have one: extract \\(MECH\\)"):
        lift(estate, "partner", ["extract"])
    with pytest.raises(MigrationError, match="deferred: .*not liftable: it defers"):
        lift(estate, "partner", ["deferred"])
    with pytest.raises(MigrationError, match="has no task nope"):
        lift(estate, "partner", ["nope"])
    assert not (tmp_path / "migration" / "state.json").exists(), "a refusal records nothing"
    assert lift(estate, "partner", ["pull"]) == ["pull"]
    state = json.loads((tmp_path / "migration" / "state.json").read_text(encoding="utf-8"))
    assert state["lift"]["tasks"]["partner.pull"]["task_id"] == "pull"
    plan = convert_project(estate, tmp_path / "defs", use_cache=False).plan
    assert _tasks(plan)["pull"].disposition == "LIFT" and _tasks(plan)["mapped"].disposition == "NONE"
    assert "not liftable" not in _tasks(plan)["mapped"].reason  # only the tasks named were asked for


def test_what_needs_airflows_database_or_scheduler_is_not_liftable(estate):
    import dataclasses

    from converters.plan.lift import not_liftable

    plan = scan_and_plan(estate, use_cache=False, read_migration_state=False).plan
    dag = plan.dags[0].dag
    pull = _tasks(plan)["pull"].task
    assert not_liftable(pull, dag) is None
    branch = dataclasses.replace(pull, family="branch")
    assert "skips downstream tasks" in not_liftable(branch, dag)
    trigger = dataclasses.replace(pull, operator="acme.operators.TriggerDagRunOperator")
    assert "scheduler" in not_liftable(trigger, dag)
    sensor = dataclasses.replace(pull, base_operator="airflow.sensors.external_task.ExternalTaskSensor")
    assert "database" in not_liftable(sensor, dag)
    assert "triggerer" in not_liftable(dataclasses.replace(pull, operator="acme.S3KeySensorAsync"), dag)


def test_the_runner_builds_a_proxied_task_as_its_own_operator(monkeypatch):
    """A proxied DAG file's airlift block would swap the task for the proxy that launches a Dagster run (this
    very run): the runner turns the block into a no-op before the DagBag executes the file."""
    import importlib.util
    import types

    runner_path = Path(__file__).resolve().parents[2] / "converters" / "codegen" / "support" / "lift_runner.py"
    spec = importlib.util.spec_from_file_location("lift_runner_under_test", runner_path)
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    swapped = []
    fake = types.ModuleType("dagster_airlift.in_airflow")
    fake.proxying_to_dagster = lambda **kwargs: swapped.append(kwargs)
    monkeypatch.setitem(sys.modules, "dagster_airlift.in_airflow", fake)
    runner._without_proxying()
    from dagster_airlift.in_airflow import proxying_to_dagster  # what the block imports when the file runs

    assert proxying_to_dagster(global_vars={}, proxied_state=None) is None and swapped == []


FEEDS_DAG = textwrap.dedent(
    """
    from datetime import datetime

    from airflow import DAG
    from airflow.models.baseoperator import BaseOperator
    from airflow.operators.python import PythonOperator


    class LandFeed(BaseOperator):
        def execute(self, context):
            expected = context["ti"].xcom_pull(task_ids="manifest")
            context["ti"].xcom_push(key="suppliers", value=expected)
            return {"lines": len(expected)}


    def manifest():
        return ["a", "b"]


    def summarize(**context):
        return context["ti"].xcom_pull(task_ids="land")["lines"]


    with DAG("feeds", start_date=datetime(2024, 1, 1), schedule="@daily"):
        PythonOperator(task_id="manifest", python_callable=manifest) >> LandFeed(task_id="land") >> PythonOperator(
            task_id="summarize", python_callable=summarize
        )
    """
)


def test_the_demo_lifts_what_scan_lift_shows_for_its_dag_to_decommission(tmp_path, monkeypatch):
    """The demo's `lift` step: the tasks `scan --lift` shows as LIFT in DECOMMISSION_DAG are recorded with `lift`;
    a task reading a lifted task's XCom (NONE while it stayed in Airflow) gets its own translation."""
    from converters import demo
    from converters.inventory.project import scan_project

    dags = tmp_path / "airflow_dags"
    dags.mkdir()
    (dags / "feeds.py").write_text(FEEDS_DAG, encoding="utf-8")
    before = _tasks(scan_and_plan(dags, use_cache=False).plan)
    assert before["land"].disposition == "NONE" and before["summarize"].disposition == "NONE"
    monkeypatch.setattr(demo, "DECOMMISSION_DAG", "feeds")
    steps = []
    result = demo.DemoResult(2, "2024-01-15", str(tmp_path))
    story = demo._Story(2, "2024-01-15", tmp_path, result, lambda *a, **k: steps.append(a), lambda m: None)
    story.inventory = scan_project(dags, use_cache=False)
    demo.lift_untranslated(story)
    assert story.lifted == ["land"]
    assert steps == [("lift", True, "feeds: land lifted (LIFT)", steps[0][3])]
    after = _tasks(scan_and_plan(dags, use_cache=False).plan)
    assert after["land"].disposition == "LIFT" and after["summarize"].disposition != "NONE"
    # The lifted operator's own code pulls the manifest: proxying the manifest alone would leave it nothing.
    assert after["manifest"].xcom_readers == ["land"] and after["land"].xcom_readers == ["summarize"]


def test_airflows_transfer_classes_are_tasks_too(tmp_path):
    """Airflow names some operators ``*Transfer`` (``GenericTransfer``; 1.10's ``MySqlToHiveTransfer``): the scan
    finds their tasks (never silently drops them), keeps them in Airflow saying why, and lifts them when asked."""
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "copy_rows.py").write_text(
        "from datetime import datetime\n\n"
        "from airflow import DAG\n"
        "from airflow.operators.empty import EmptyOperator\n"
        "from airflow.operators.generic_transfer import GenericTransfer\n"
        "from airflow.operators.mysql_to_hive import MySqlToHiveTransfer\n\n"
        'with DAG("copy_rows", schedule="@daily", start_date=datetime(2024, 1, 1)):\n'
        '    copy = GenericTransfer(task_id="copy", sql="select * from a", destination_table="b",\n'
        '                           source_conn_id="src", destination_conn_id="dst")\n'
        '    hive = MySqlToHiveTransfer(task_id="to_hive", sql="select 1", hive_table="t")\n'
        '    copy >> hive >> EmptyOperator(task_id="done")\n',
        encoding="utf-8",
    )
    tasks = _tasks(scan_and_plan(dags, use_cache=False, read_migration_state=False).plan)
    assert sorted(tasks) == ["copy", "done", "to_hive"]
    for task_id in ("copy", "to_hive"):
        assert tasks[task_id].disposition == "NONE" and tasks[task_id].translation.reason
    lifted = _tasks(scan_and_plan(dags, use_cache=False, read_migration_state=False, lift=True).plan)
    assert lifted["copy"].disposition == "LIFT"
