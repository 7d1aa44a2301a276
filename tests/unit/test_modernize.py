"""`modernize`: a decommissioned DAG's module rewritten as idiomatic Dagster (codegen/modern.py), refused before
decommission, proven equal by gates 2-6 (faked here: the real ladder runs in tests/integration/test_side_by_side.py)
and reverted to the faithful form when its tables differ."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import pytest
from typer.testing import CliRunner

from converters.cli import app
from converters.codegen import modern
from converters.convert import convert_project
from converters.flow import load_plan
from converters.gates.dagster_runs import check_runs
from converters.gates.graph import read_graph
from converters.gates.ladder.structure import dagster_upstream
from converters.gates.run import GateResult, GatesReport
from converters.ledger import ledger
from converters.ledger import state as migration_state
from converters.migrate import MigrationError, modernize
from converters.plan import find_dag
from converters.runtime.envs import project_root
from tests.unit.generated import answer_of

DAG_FILE = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator


def load(source, ds, **context):
    return f"{source}:{ds}:{context['day']}" if False else f"{source}:{ds}"


def verify(ds):
    if ds < "2024-01-01":
        raise ValueError(f"no data for {ds}")


def uses_context(ds, **context):
    return context["ti"].task_id


with DAG(
    "daily",
    schedule="30 6 * * *",
    start_date=datetime(2024, 1, 1),
    default_args={"owner": "data", "retries": 2},
):
    loaded = PythonOperator(task_id="load", python_callable=load, op_kwargs={"source": "api"})
    checked = PythonOperator(task_id="verify", python_callable=verify)
    published = BashOperator(task_id="publish", bash_command="echo {{ ds }} {{ ti.xcom_pull(task_ids='load') }}")
    contextual = PythonOperator(task_id="contextual", python_callable=uses_context)
    loaded >> [checked, published, contextual]
    checked >> [published, contextual]
"""
SIMPLE_DAG = DAG_FILE.replace("f\"{source}:{ds}:{context['day']}\" if False else ", "")
TABLE = {"table": "x.loaded", "match": True, "dagster": {"rows": 3, "checksum": "abc"}, "airflow": {"rows": 3}}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dags = tmp_path / "airflow_dags"
    dags.mkdir()
    (dags / "daily.py").write_text(SIMPLE_DAG)
    return tmp_path


def decommissioned(project: Path, *, evidence: bool = True) -> None:
    """The state `decommission` leaves, and the gate evidence of the run before it."""
    dags = project / "airflow_dags"
    migration_state.record_decommissioned(dags, "daily", {"file": "daily.py"})
    if evidence:
        ledger.append(dags, [r.entry() | {"date": "2024-03-05"} for r in gate_results()])
    convert_project(dags, project / "dagster_defs")


def gate_results(checksum: str = "abc", check_ran: bool = True) -> list[GateResult]:
    results = []
    for task in ("load", "verify", "publish", "contextual"):
        for number in (2, 3, 4, 6):
            status = "pass" if check_ran or task != "verify" else "fail"
            results.append(GateResult("daily", task, number, status, {}))
        tables = [TABLE | {"dagster": {"rows": 3, "checksum": checksum}}] if task == "load" else []
        results.append(GateResult("daily", task, 5, "pass" if tables else "n/a", {"tables": tables}))
    return results


def module(project: Path) -> str:
    return (project / "dagster_defs" / "dags" / "daily.py").read_text()


# -- the rewrite --------------------------------------------------------------------------------------------


def modern_module(project: Path, checks: tuple[str, ...] = ("verify",)) -> str:
    dags = project / "airflow_dags"
    migration_state.record_decommissioned(dags, "daily", {"file": "daily.py"})
    migration_state.record_modernized(dags, "daily", {"checks": list(checks)})
    result = convert_project(dags, project / "dagster_defs")
    assert result.generated.problems == []  # ruff-clean
    return module(project)


def test_callables_are_imported_and_called_with_their_arguments(project: Path):
    text = modern_module(project)
    assert "from ..logic import daily as logic" in text  # one import line, whatever the names
    assert 'return logic.load(source="api", ds=context.partition_key)' in text
    assert "call_python(logic.load" not in text


def test_cron_windows_become_daily_partitions_with_their_offsets(project: Path):
    text = modern_module(project)
    assert 'PARTITIONS = dg.DailyPartitionsDefinition(start_date="2024-01-01", hour_offset=6, minute_offset=30)' in text
    assert "TimeWindowPartitionsDefinition" not in text


def test_a_quality_task_becomes_a_blocking_asset_check_on_the_asset_it_reads(project: Path):
    text = modern_module(project)
    assert "@dg.asset_check(asset=load, blocking=True, partitions_def=PARTITIONS, retry_policy=RETRY)" in text
    assert "def verify(context: dg.AssetCheckExecutionContext):\n    logic.verify(ds=context.partition_key)" in text
    assert "    return dg.AssetCheckResult(passed=True)" in text
    assert "TASKS" not in text  # the check is named as its task, as every definition (gates/graph.module_tasks)
    assert 'dg.AssetKey(["daily", "verify"])' not in text  # nothing depends on a check


def test_simple_bash_templates_become_an_f_string(project: Path):
    text = modern_module(project)
    assert 'command = f"echo {context.partition_key} {load_value}"' in text
    assert 'subprocess.run(["bash", "-c", command], cwd=cwd, stdout=PIPE, stderr=STDOUT' in text


def test_what_cannot_be_modernized_stays_faithful_with_a_note(project: Path):
    text = modern_module(project)
    assert "# kept faithful: uses_context reads Airflow's context through **kwargs" in text
    assert "call_python(logic.uses_context, airflow, dag=DAG)" in text
    assert "kept faithful (each says why): contextual." in text
    # the faithful asset calls through the module's one ``logic`` import (what load_logic would return)
    assert "load_logic" not in text and text.count("from ..logic import daily as logic") == 1
    # why, in one comment line: no provenance line nor metadata dict (Airflow runs it no more; the ledger has it)
    assert "# daily.py:" not in text and "· task contextual" not in text
    assert "airflow/source" not in text and "metadata=" not in text


def test_a_pass_through_task_is_named_in_the_docstring(project: Path):
    (project / "airflow_dags" / "daily.py").write_text(
        SIMPLE_DAG.replace(
            "from airflow.operators.python import PythonOperator\n",
            "from airflow.operators.empty import EmptyOperator\nfrom airflow.operators.python import PythonOperator\n",
        ).replace(
            "    checked >> [published, contextual]\n",
            '    checked >> [published, contextual] >> EmptyOperator(task_id="done")\n',
        )
    )
    text = modern_module(project)
    docstring = " ".join(text.split('"""')[1].split())
    assert docstring.endswith("no asset of their own (their dependencies pass through): done.")
    assert "# No asset" not in text


def test_shared_decorator_arguments_are_written_once(project: Path):
    text = modern_module(project)
    assert "retry_policy=dg.RetryPolicy(max_retries=2)" not in text  # not even the faithful asset's own
    assert "RETRY = dg.RetryPolicy(max_retries=2)" in text  # the assets' and the check's, written once
    assert 'SHARED = dict(group_name="daily", key_prefix="daily", partitions_def=PARTITIONS, retry_policy=RETRY,' in (
        " ".join(text.split()).replace("( ", "(").replace(", )", ")")
    )
    assert text.count("**SHARED") == 3  # load, publish and the faithful contextual
    faithful = text[text.index("# kept faithful") : text.index("def contextual(")]
    assert "group_name=" not in faithful and "partitions_def=" not in faithful and "**SHARED)" in faithful


def test_a_faithful_asset_given_shared_arguments_is_the_asset_it_was(project: Path, tmp_path: Path):
    """``**SHARED`` on a faithful asset of a modern module gives it the arguments it wrote itself."""
    modern_module(project)
    script = (
        "import json\n"
        "from dagster_defs.dags import daily\n"
        "spec = next(iter(daily.contextual.specs))\n"
        "node = daily.contextual.op\n"
        "print(json.dumps({'group': spec.group_name, 'owners': list(spec.owners), 'retries': "
        "node.retry_policy.max_retries, 'partitions': daily.contextual.partitions_def == daily.PARTITIONS, "
        "'key': spec.key.to_user_string()}))\n"
    )
    answer = answer_of(project / "dagster_defs", script)
    assert answer == {
        "group": "daily",
        "owners": ["team:data"],  # default_args' owner
        "retries": 2,
        "partitions": True,
        "key": "daily/contextual",
    }


def test_a_check_with_its_own_retry_policy_keeps_it(project: Path):
    """``RETRY`` is the shared policy written once; a check retried otherwise keeps its own policy."""
    (project / "airflow_dags" / "daily.py").write_text(
        SIMPLE_DAG.replace(
            "    loaded >> [checked, published, contextual]\n",
            '    again = PythonOperator(task_id="verify_again", python_callable=verify, retries=5)\n'
            "    loaded >> [checked, published, contextual, again]\n",
        )
    )
    text = modern_module(project, checks=("verify", "verify_again"))
    assert "RETRY = dg.RetryPolicy(max_retries=2)" in text
    assert "@dg.asset_check(asset=load, blocking=True, partitions_def=PARTITIONS, retry_policy=RETRY)" in text
    assert "@dg.asset_check(asset=load, partitions_def=PARTITIONS, retry_policy=dg.RetryPolicy(max_retries=5))" in text


def test_the_modern_form_is_deterministic(project: Path, tmp_path: Path):
    first = modern_module(project)
    convert_project(project / "airflow_dags", tmp_path / "again" / "dagster_defs")
    assert (tmp_path / "again" / "dagster_defs" / "dags" / "daily.py").read_text() == first


def test_the_modern_module_runs_its_check_with_its_asset(project: Path):
    modern_module(project)
    package = project / "dagster_defs"
    script = (
        "import dagster as dg, json\n"
        "from dagster_defs.dags import daily\n"
        "result = dg.materialize([daily.load, *daily.CHECKS], partition_key='2024-03-05')\n"
        "evaluations = [(e.check_name, e.passed) for e in result.get_asset_check_evaluations()]\n"
        "schedule = daily.defs.get_schedule_def('daily_schedule')\n"
        "print(json.dumps({'ok': result.success, 'checks': evaluations, "
        "'value': result.output_for_node('daily__load'), 'schedule': schedule.cron_schedule}))\n"
    )
    answer = answer_of(package, script)
    assert answer == {"ok": True, "checks": [["verify", True]], "value": "api:2024-03-05", "schedule": "30 6 * * *"}


def test_kwargs_read_in_the_body_keep_the_task_faithful(project: Path):
    (project / "airflow_dags" / "daily.py").write_text(DAG_FILE)
    text = modern_module(project)
    assert "# kept faithful: load reads Airflow's context through **kwargs" in text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("plain", '"plain"'),
        ("{{ ds }}", "context.partition_key"),
        ("{{ds_nodash}}", "context.partition_key.replace('-', '')"),
        ("day={{ ds }}/x", 'f"day={context.partition_key}/x"'),
        ("{ raw } {{ ds }}", 'f"{{ raw }} {context.partition_key}"'),
        ("{{ ti.xcom_pull(task_ids='a') }}", "str(a_value)"),
        ("{{ ti.xcom_pull(task_ids='other') }}", None),
        ("{{ macros.ds_add(ds, 1) }}", None),
        ("{% if x %}{{ ds }}{% endif %}", None),
        ("{{ ds | upper }}", None),
    ],
)
def test_template_expression(text: str, expected: str | None):
    assert modern.template_expression(text, {"a": "a_value"}) == expected


@pytest.mark.parametrize(
    "cron, fmt, start, code",
    [
        ("0 0 * * *", "%Y-%m-%d", "2024-01-01", 'dg.DailyPartitionsDefinition(start_date="2024-01-01")'),
        ("15 8 * * *", "%Y-%m-%d", "2024-01-01", None),
        ("0 * * * *", "%Y-%m-%d-%H:%M", "2024-01-01", 'dg.HourlyPartitionsDefinition(start_date="2024-01-01-00:00")'),
        ("0 0 * * 1", "%Y-%m-%d", "2024-01-01", None),
    ],
)
def test_partitions_equal_the_cron_windows(project: Path, cron: str, fmt: str, start: str, code: str | None):
    planned = find_dag(load_plan(project / "airflow_dags"), "daily")
    planned = replace(planned, cron=cron, partition_fmt=fmt, dag=replace(planned.dag, start_date=start))
    written, note = modern.partitions(planned)
    if code is not None:
        assert written == code and not note
    else:
        assert written.startswith("dg.") and ("TimeWindow" in written) == bool(note)
    modern_def = eval(written, {"dg": dg})  # noqa: S307 - the generator's own text, as the module holds it
    cron_def = dg.TimeWindowPartitionsDefinition(
        cron_schedule=cron, start=start + ("-00:00" if "%H" in fmt else ""), fmt=fmt
    )
    assert modern_def.get_partition_keys()[:50] == cron_def.get_partition_keys()[:50]
    for key in cron_def.get_partition_keys()[:5]:
        assert modern_def.time_window_for_partition_key(key) == cron_def.time_window_for_partition_key(key)


def test_a_task_after_the_check_that_does_not_read_the_checked_asset_keeps_it_an_asset(project: Path):
    text = SIMPLE_DAG.replace("loaded >> [checked, published, contextual]", "loaded >> [checked, contextual]")
    (project / "airflow_dags" / "daily.py").write_text(text)
    planned = find_dag(load_plan(project / "airflow_dags"), "daily")
    verify = next(t for t in planned.tasks if t.task.task_id == "verify")
    # publish reads load's XCom: it still follows load as an input, so the check stands where the task stood
    assert modern.check_target(planned, verify).kind == "check"
    text = text.replace("{{ ti.xcom_pull(task_ids='load') }}", "done")
    (project / "airflow_dags" / "daily.py").write_text(text)
    planned = find_dag(load_plan(project / "airflow_dags"), "daily")
    verify = next(t for t in planned.tasks if t.task.task_id == "verify")
    choice = modern.check_target(planned, verify)
    assert choice.kind == "faithful" and "publish follows it without following daily/load" in choice.why


# -- the verb -----------------------------------------------------------------------------------------------


def fake_gates(checksum: str = "abc"):
    calls = []

    def run(dag_id: str, date: str | None) -> GatesReport:
        calls.append((dag_id, date))
        return GatesReport(date or "", [r for r in gate_results(checksum) if r.gate != 1])

    return run, calls


def test_modernize_rewrites_proves_and_records(project: Path):
    decommissioned(project)
    gates, calls = fake_gates()
    result = modernize(project / "airflow_dags", "daily", project / "dagster_defs", gates)
    assert calls == [("daily", "2024-03-05")], "the gates run for the date of the evidence"
    assert result.ok and result.same and not result.reverted
    assert result.checks == ["verify"] and sorted(result.modern) == ["load", "publish"]
    assert list(result.faithful) == ["contextual"]
    assert result.tables == {
        "x.loaded": {"before": {"rows": 3, "checksum": "abc"}, "after": {"rows": 3, "checksum": "abc"}, "same": True}
    }
    text = module(project)
    assert "@dg.asset_check(asset=load, blocking=True" in text
    # Gate 5 saw load write x.loaded (no literal SQL says so): its asset is keyed by that table now.
    assert migration_state.modernized_tables(project / "airflow_dags") == {"daily": {"load": ("x.loaded",)}}
    assert '@dg.asset(key=["x", "loaded"]' in text and "dg.AssetIn(load.key)" in text  # publish reads it
    entries = ledger.read(project / "airflow_dags")
    assert [e["state"] for e in entries if e.get("kind") == "state"] == ["modernized"] * 4
    (record,) = [e for e in entries if e.get("kind") == "modernize"]
    assert record["same"] and record["checks"] == ["verify"] and record["date"] == "2024-03-05"
    assert find_dag(load_plan(project / "airflow_dags"), "daily").modernized
    with pytest.raises(MigrationError, match="modernized already"):
        modernize(project / "airflow_dags", "daily", project / "dagster_defs", gates)


def test_a_changed_checksum_reverts_to_the_faithful_form(project: Path):
    decommissioned(project)
    gates, _ = fake_gates(checksum="different")
    result = modernize(project / "airflow_dags", "daily", project / "dagster_defs", gates)
    assert result.reverted and not result.ok
    assert result.tables["x.loaded"]["same"] is False
    assert "load_logic" in module(project) and "asset_check" not in module(project)
    assert not find_dag(load_plan(project / "airflow_dags"), "daily").modernized
    (record,) = [e for e in ledger.read(project / "airflow_dags") if e.get("kind") == "modernize"]
    assert record["reverted"] and not record["same"]


def test_a_quality_task_without_evidence_that_it_wrote_nothing_stays_an_asset(project: Path):
    dags = project / "airflow_dags"
    migration_state.record_decommissioned(dags, "daily", {"file": "daily.py"})
    ledger.append(dags, [r.entry() | {"date": "2024-03-05"} for r in gate_results(check_ran=False)])
    gates, _ = fake_gates()
    result = modernize(dags, "daily", project / "dagster_defs", gates)
    assert result.checks == [] and "verify" in result.modern


def test_modernize_refuses_a_dag_airflow_still_runs(project: Path):
    gates, calls = fake_gates()
    with pytest.raises(MigrationError, match="is not decommissioned"):
        modernize(project / "airflow_dags", "daily", project / "dagster_defs", gates)
    with pytest.raises(MigrationError, match="--force needs --reason"):
        modernize(project / "airflow_dags", "daily", project / "dagster_defs", gates, force=True)
    assert calls == [] and not (project / "migration").exists()


def test_modernize_refuses_without_parity_evidence(project: Path):
    decommissioned(project, evidence=False)
    gates, _ = fake_gates()
    with pytest.raises(MigrationError, match="no passed data-parity evidence"):
        modernize(project / "airflow_dags", "daily", project / "dagster_defs", gates)


def test_forced_modernize_is_recorded_and_keeps_airlift_mapping(project: Path):
    convert_project(project / "airflow_dags", project / "dagster_defs")
    ledger.append(project / "airflow_dags", [r.entry() | {"date": "2024-03-05"} for r in gate_results()])
    gates, _ = fake_gates()
    result = modernize(project / "airflow_dags", "daily", project / "dagster_defs", gates, force=True, reason="pilot")
    assert result.ok and result.checks == [], "a check only once Airflow no longer maps tasks to assets"
    assert "mapped_to_airflow(DAG_ID, TASKS" in module(project) or "mapped_to_airflow(DAG.dag_id, TASKS" in module(
        project
    )
    states = [e for e in ledger.read(project / "airflow_dags") if e.get("kind") == "state"]
    assert all(e["forced"] and e["reason"] == "pilot" for e in states)


def test_a_hand_edited_module_is_kept_and_the_modern_one_written_beside_it(project: Path):
    decommissioned(project)
    path = project / "dagster_defs" / "dags" / "daily.py"
    path.write_text(path.read_text() + "\n# my fix\n")
    gates, calls = fake_gates()
    result = modernize(project / "airflow_dags", "daily", project / "dagster_defs", gates)
    assert result.kept_hand_edited == ["dags/daily.py"] and not result.ok
    assert path.read_text().endswith("# my fix\n")
    assert "@dg.asset_check(" in (path.parent / "daily.py.new").read_text()
    assert calls == [], "nothing new to prove: the module on disk is the user's"


def test_cli_refusal_is_one_line_and_exit_2(project: Path):
    result = CliRunner().invoke(app, ["modernize", "daily", "--project", str(project)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "is not decommissioned" in lines[0], result.output


# -- the gates see checks -----------------------------------------------------------------------------------


def test_structure_puts_a_blocking_check_between_its_asset_and_what_follows():
    graph = {
        "tasks": {"load": [["d", "load"]], "verify": [], "publish": [["d", "publish"]]},
        "deps": {'["d", "load"]': [], '["d", "publish"]': [["d", "load"]]},
        "checks": {"verify": {"asset": ["d", "load"], "name": "verify", "blocking": True}},
    }
    assert dagster_upstream(graph) == {"load": set(), "verify": {"load"}, "publish": {"load", "verify"}}


def test_a_check_is_judged_by_its_evaluation_with_its_asset():
    check = {"asset": ["d", "load"], "name": "verify", "blocking": True}
    evaluation = {"asset": ["d", "load"], "name": "verify", "passed": True}
    asset_run = {"run_id": "r", "success": True, "checks": [evaluation], "second": {"success": True, "checks": []}}
    (run,) = check_runs(asset_run, check)
    assert run["success"] and run["materialized"] and run["tables"] == []
    assert run["second"] == {"success": False, "changed": []}, "the second run did not evaluate it"
    assert check_runs(None, check) == []


# -- the example estate's chosen DAG ------------------------------------------------------------------------


def test_the_example_fx_rates_modernized_uses_no_airflow_context(tmp_path: Path):
    # A copy: migration/ is found beside the DAGs folder's real path.
    shutil.copytree(
        project_root() / "airflow_dags", tmp_path / "airflow_dags", ignore=shutil.ignore_patterns("__pycache__")
    )
    migration = tmp_path / "migration"
    migration.mkdir()
    (migration / "state.json").write_text(
        json.dumps(
            {
                "decommissioned": {"fx_rates": {}},
                # as `modernize` records it: the table gate 5 saw fetch_ecb_rates write (through include/warehouse)
                "modernized": {
                    "fx_rates": {"checks": ["check_rates"], "tables": {"fetch_ecb_rates": ["ref.ecb_rates"]}}
                },
            }
        )
    )
    result = convert_project(tmp_path / "airflow_dags", tmp_path / "dagster_defs", use_cache=False)
    assert result.generated.problems == []  # ruff-clean
    package = tmp_path / "dagster_defs"
    text = (package / "dags" / "fx_rates.py").read_text()
    for faithful in ("load_logic", "call_python", "task_context", "run_bash", "support.runtime"):
        assert faithful not in text, faithful
    assert "@dg.asset_check(asset=fetch_ecb_rates, blocking=True" in text
    assert 'dg.DailyPartitionsDefinition(start_date="2024-01-01")' in text
    assert '@dg.asset(key=["ref", "ecb_rates"]' in text  # keyed by its data
    # The modern module loads (its Definitions validate as `dg check defs` does, gate 2) and its job is the DAG's.
    script = (
        "import json\n"
        "import dagster as dg\nfrom dagster_defs.dags import fx_rates\n"
        "from converters.gates.graph import module_tasks\n"
        "dg.Definitions.validate_loadable(fx_rates.defs)\n"
        "graph = fx_rates.defs.resolve_asset_graph()\n"
        "keys = sorted(k.to_user_string() for k in graph.get_all_asset_keys())\n"
        "job = fx_rates.defs.resolve_job_def('fx_rates')\n"
        "print(json.dumps({'keys': keys, 'checks': [s.name for c in fx_rates.CHECKS for s in c.check_specs], "
        "'partitioned': job.partitions_def is not None, 'tasks': sorted(module_tasks(fx_rates))}))\n"
    )
    answer = answer_of(package, script)
    assert "ref/ecb_rates" in answer["keys"] and "fx_rates/fetch_ecb_rates" not in answer["keys"]
    assert answer["checks"] == ["check_rates"] and answer["partitioned"]
    assert answer["tasks"] == ["announce", "check_rates", "fetch_ecb_rates"]


def test_hourly_partition_keys_are_no_ds_so_dated_tasks_stay_faithful(project: Path):
    (project / "airflow_dags" / "daily.py").write_text(SIMPLE_DAG.replace('"30 6 * * *"', '"@hourly"'))
    text = modern_module(project, checks=())
    assert 'PARTITIONS = dg.HourlyPartitionsDefinition(start_date="2024-01-01-00:00")' in text
    assert "# kept faithful: the DAG has no daily partition keys to give ds from" in text
    assert "context.partition_key" not in text


def test_an_upstream_value_is_the_assets_input():
    from converters.inventory import ir

    inputs = {"extract": "extract_value"}
    assert modern.argument_expression(ir.XComValue("extract"), inputs) == "extract_value"
    assert modern.argument_expression([ir.XComValue("extract"), "{{ ds }}"], inputs) == (
        "[extract_value, context.partition_key]"
    )
    assert modern.argument_expression(ir.XComValue("other"), inputs) is None


def test_an_asset_following_a_dataset_keeps_its_automation(tmp_path: Path):
    dags = tmp_path / "airflow_dags"
    dags.mkdir()
    (dags / "pair.py").write_text(
        "from datetime import datetime\n"
        "from airflow import DAG\n"
        "from airflow.datasets import Dataset\n"
        "from airflow.operators.python import PythonOperator\n\n\n"
        "def make():\n    return 1\n\n\n"
        "def use():\n    return 2\n\n\n"
        'with DAG("maker", schedule="@daily", start_date=datetime(2024, 1, 1)):\n'
        '    PythonOperator(task_id="make", python_callable=make, outlets=[Dataset("s3://b/x")])\n'
        'with DAG("user", schedule=[Dataset("s3://b/x")], start_date=datetime(2024, 1, 1)):\n'
        '    PythonOperator(task_id="use", python_callable=use)\n'
    )
    migration_state.record_decommissioned(dags, "user", {"file": "pair.py"})
    migration_state.record_modernized(dags, "user", {"checks": []})
    result = convert_project(dags, tmp_path / "dagster_defs")
    assert result.generated.problems == []
    text = (tmp_path / "dagster_defs" / "dags" / "user.py").read_text()
    assert "return logic.use()" in text and "automation_condition=dg.AutomationCondition.eager()" in text
    assert "dg.AutomationConditionSensorDefinition(" in text


def test_the_evidence_compared_is_the_latest_dates_only(project: Path):
    from converters.migrate import _parity_evidence

    planned = find_dag(load_plan(project / "airflow_dags"), "daily")
    older = {"table": "x.old", "dagster": {"rows": 1, "checksum": "o"}}
    latest = {
        ("daily", "load"): {5: {"status": "pass", "date": "2024-03-05", "evidence": {"tables": [TABLE]}}},
        ("daily", "publish"): {5: {"status": "pass", "date": "2024-02-01", "evidence": {"tables": [older]}}},
    }
    assert _parity_evidence(planned, latest) == {
        "date": "2024-03-05",
        "tables": {"x.loaded": {"rows": 3, "checksum": "abc"}},
    }


def test_the_modern_module_is_terse(project: Path):
    """Issue 19's size note: no per-asset provenance comment or metadata dict, the DAG's shared arguments once,
    no ``TASKS`` (each definition is named as its task); the modern form of this DAG (every task modern) is under
    half its faithful form."""
    (project / "airflow_dags" / "daily.py").write_text(
        SIMPLE_DAG.replace("loaded >> [checked, published, contextual]", "loaded >> [checked, published]").replace(
            '    contextual = PythonOperator(task_id="contextual", python_callable=uses_context)\n', ""
        )
    )
    convert_project(project / "airflow_dags", project / "faithful")
    faithful = (project / "faithful" / "dags" / "daily.py").read_text()
    text = modern_module(project)
    assert "metadata=" not in text and "· task " not in text and "kept faithful" not in text
    assert "TASKS" not in text
    assert len(text.splitlines()) <= 44 and len(text.splitlines()) * 2 < len(faithful.splitlines())


PAIR = """
from datetime import datetime

from airflow import DAG
from airflow.datasets import Dataset
from airflow.operators.python import PythonOperator

ORDERS = Dataset("postgres://warehouse/shop/raw/orders")


def load(ds):
    return ds


def report():
    return 1


with DAG("loader", schedule="@daily", start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="load", python_callable=load, outlets=[ORDERS])
with DAG("reporter", schedule=[ORDERS], start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="report", python_callable=report)
"""


def _pair(tmp_path: Path, *, decommission: bool) -> Path:
    dags = tmp_path / "airflow_dags"
    dags.mkdir()
    (dags / "pair.py").write_text(PAIR)
    if decommission:
        migration_state.record_decommissioned(dags, "loader", {"file": "pair.py"})
    migration_state.record_modernized(dags, "loader", {"checks": []})
    result = convert_project(dags, tmp_path / "dagster_defs")
    assert result.generated.problems == []
    return tmp_path / "dagster_defs"


def test_a_modern_asset_is_keyed_by_the_table_it_writes_and_its_readers_follow_it(tmp_path: Path):
    package = _pair(tmp_path, decommission=True)
    planned = find_dag(load_plan(tmp_path / "airflow_dags"), "loader")
    assert planned.tasks[0].key == ("raw", "orders")  # the one home of task -> key: status and gates read it
    loader = (package / "dags" / "loader.py").read_text()
    assert '@dg.asset(key=["raw", "orders"]' in loader and "dagster/table_name" not in loader
    assert 'deps=[dg.AssetKey(["raw", "orders"])]' in (package / "dags" / "reporter.py").read_text()
    assert '(["raw", "orders"], [])' in (package / "tests" / "test_loader.py").read_text()
    graph = read_graph(package)  # the modules load; the gates' view of them
    assert graph["loader"]["tasks"] == {"load": [["raw", "orders"]]}
    assert graph["reporter"]["deps"] == {'["reporter", "report"]': [["raw", "orders"]]}


def test_before_decommission_the_task_keeps_the_key_airlift_maps(tmp_path: Path):
    package = _pair(tmp_path, decommission=False)
    assert '"loader", "load"' in (package / "dags" / "loader.py").read_text()
    assert find_dag(load_plan(tmp_path / "airflow_dags"), "loader").tasks[0].key == ("loader", "load")


PARAMS_DAG = """
from datetime import datetime
from pathlib import Path

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator


def export(segment, limit, ds):
    return f"{segment}:{limit}:{ds}"


with DAG(
    "daily",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    params={"segment": "vip", "limit": 5, "root": str(Path(__file__).parent)},
):
    exported = PythonOperator(
        task_id="export",
        python_callable=export,
        op_kwargs={"segment": "{{ params.segment }}", "limit": "{{ params['limit'] }}"},
    )
    announced = BashOperator(task_id="announce", bash_command="echo {{ params.segment }} for {{ ds }}")
    rooted = BashOperator(task_id="rooted", bash_command="ls {{ params.root }}")
"""


def test_literal_dag_params_in_templates_are_written_as_jinja_renders_them(project: Path):
    (project / "airflow_dags" / "daily.py").write_text(PARAMS_DAG)
    text = modern_module(project, checks=())
    # Jinja renders a param as text: the callable received "5", not 5, and still does
    assert 'return logic.export(segment="vip", limit="5", ds=context.partition_key)' in text
    assert 'command = f"echo vip for {context.partition_key}"' in text
    # a param whose value is code (the faithful DagInfo has it computed) keeps the task faithful
    assert "# kept faithful: its command has templates other than ds" in text
    assert text.count("# kept faithful") == 1


@pytest.mark.parametrize(
    "text",
    [
        "insert into mart.t\n   select ds, count(*)\n   from raw.t\n   where ds = '{{ ds }}'\n   group by ds",
        'select "quoted" from t\n where a = 1',
        "select 1\nfrom t  ",  # a trailing space: escaped, one line
        'select 1\nfrom "t"',  # ends with a quote
        "select '\\d'\nfrom t",  # a backslash
        "select\tx\nfrom t",  # a tab
        "select 1 from t where ds = '{{ ds }}'",  # one line
        "select " + "x, " * 50 + "\nfrom t",  # a line too long for the lint
    ],
)
def test_a_templated_statement_keeps_its_lines_when_that_spells_the_same_value(text):
    """A multi-line SQL statement reads as in the DAG file (triple-quoted) only where that is the same string."""
    expression = modern.template_expression(text)
    value = eval(expression, {"context": SimpleNamespace(partition_key="2024-01-15")})  # the literal we wrote
    assert value == text.replace("{{ ds }}", "2024-01-15")
    triple = '"""' in expression
    simple = "\t" not in text and "\\" not in text and not text.endswith('"') and "  \n" not in text + "\n"
    assert triple == ("\n" in text and simple and max(map(len, text.split("\n"))) <= 100), expression
