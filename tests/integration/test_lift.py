"""LIFT: an Airflow task's own operator object runs under a real Dagster run, through Pipes, on both Airflow lines.

No Airflow server and no metadata database: the generated support code (``support/lift.py``) launches
``support/lift_runner.py`` with the Airflow venv's Python; Airflow's DagBag builds the task from its DAG file,
renders its templates for the partition's logical date and calls ``execute``. One Dagster run per line
materializes an upstream Dagster asset, a lifted task that reads it, pushes an extra XCom, reads a connection
from ``AIRFLOW_CONN_*`` and a Variable from ``AIRFLOW_VAR_*`` and returns a value, and a lifted task whose
operator raises.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import textwrap
from pathlib import Path

import dagster as dg
import pytest

from converters.codegen import SUPPORT_FILES
from converters.runtime.envs import airflow_venv
from tests.integration.conftest import AIRFLOW_LINES

pytestmark = pytest.mark.integration

SUPPORT = Path(__file__).resolve().parents[2] / "converters" / "codegen" / "support"

DAG_FILE = textwrap.dedent(
    """
    import pendulum
    from airflow import DAG
    from airflow.hooks.base import BaseHook
    from airflow.models.baseoperator import BaseOperator


    class GreetPartner(BaseOperator):
        \"\"\"An estate operator no rule translates: it reads a connection, pulls and pushes XComs.\"\"\"

        template_fields = ("greeting",)

        def __init__(self, greeting, conn_id, **kwargs):
            super().__init__(**kwargs)
            self.greeting, self.conn_id = greeting, conn_id

        def execute(self, context):
            self.log.info("greeting the partner with %s", self.greeting)
            counts = context["ti"].xcom_pull(task_ids="count_orders")
            context["ti"].xcom_push(key="partner_host", value=BaseHook.get_connection(self.conn_id).host)
            return {"greeting": self.greeting, "orders": sum(counts)}


    class FailingDrop(BaseOperator):
        def execute(self, context):
            raise FileNotFoundError("the partner drop for " + context["ds"] + " is missing")


    with DAG(
        "partner_sync",
        start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
        schedule="@daily",
        params={"region": "eu"},
    ):
        GreetPartner(
            task_id="greet",
            greeting="hello {{ ds }} from {{ params.region }} via {{ var.value.partner_gateway }}",
            conn_id="partner_api",
        )
        FailingDrop(task_id="drop")
    """
)


@pytest.fixture
def lift_package(tmp_path, monkeypatch):
    """A generated package's support folder (what `convert` copies) with a DAGs folder beside it."""
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "partner_sync.py").write_text(DAG_FILE)
    package = tmp_path / "liftpkg"
    (package / "support").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "support" / "__init__.py").write_text("")
    (package / "support" / "settings.py").write_text('DAGS_FOLDER = "../dags"\n')
    for name in (*SUPPORT_FILES, "lift.py", "lift_runner.py"):
        shutil.copy(SUPPORT / name, package / "support" / name)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("AIRFLOW_CONN_PARTNER_API", '{"conn_type": "http", "host": "partner.example"}')
    monkeypatch.setenv("AIRFLOW_VAR_PARTNER_GATEWAY", "gw-1")
    yield importlib.import_module("liftpkg.support.lift"), importlib.import_module("liftpkg.support.runtime")
    for module in [m for m in sys.modules if m == "liftpkg" or m.startswith("liftpkg.")]:
        del sys.modules[module]


@pytest.mark.parametrize("line", AIRFLOW_LINES, ids=lambda v: f"airflow{v}")
def test_a_lifted_operator_runs_under_dagster_with_airflows_own_code(line, lift_package, monkeypatch):
    lift, runtime = lift_package
    monkeypatch.setenv("AIRFLOW_LIFT_PYTHON", str(airflow_venv(line) / "bin" / "python"))
    monkeypatch.setenv("AIRFLOW_MAJOR_VERSION", str(line))
    dag = runtime.DagInfo(dag_id="partner_sync", source="partner_sync.py")
    partitions = dg.DailyPartitionsDefinition(start_date="2024-01-01")

    @dg.asset(key=["partner_sync", "count_orders"], partitions_def=partitions)
    def count_orders():
        return [3, 4]

    @dg.asset(key=["partner_sync", "greet"], partitions_def=partitions, ins={"counts": dg.AssetIn(count_orders.key)})
    def greet(context, counts):
        return lift.run_lifted(context, dag, "greet", xcom_values={"count_orders": counts})

    @dg.asset(key=["partner_sync", "drop"], partitions_def=partitions)
    def drop(context):
        return lift.run_lifted(context, dag, "drop")

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [count_orders, greet, drop], partition_key="2024-01-05", instance=instance, raise_on_error=False
    )

    # The return value of execute is the asset's value; the template was rendered by Airflow for the partition
    # (the Variable read from AIRFLOW_VAR_PARTNER_GATEWAY).
    assert result.asset_value(greet.key) == {"greeting": "hello 2024-01-05 from eu via gw-1", "orders": 7}
    materialization = next(m for m in result.asset_materializations_for_node("partner_sync__greet"))
    # The extra XCom key comes back (with the host read from AIRFLOW_CONN_PARTNER_API, no API server on 3.x).
    assert materialization.metadata["airflow/xcom"].value == {"partner_host": "partner.example"}
    assert materialization.metadata["airflow/rendered"].value == {"greeting": "hello 2024-01-05 from eu via gw-1"}
    # The operator's log line reached this run's event log through Pipes.
    logs = [record.user_message for record in instance.all_logs(result.run_id)]
    assert any("greeting the partner with hello 2024-01-05 from eu via gw-1" in line for line in logs), logs
    # The failing operator fails its asset with its own exception's text.
    failure = next(e for e in result.all_events if e.is_step_failure and e.step_key == "partner_sync__drop")
    error = failure.step_failure_data.error
    assert "FileNotFoundError: the partner drop for 2024-01-05 is missing" in error.message
    assert not result.success


GENERATED_ESTATE = textwrap.dedent(
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
            return {"path": self.path, "rows": context["ti"].xcom_pull(task_ids="extract")}


    def extract():
        return [1, 2, 3]


    with DAG("partner", start_date=datetime(2024, 1, 1), schedule="@daily"):
        PythonOperator(task_id="extract", python_callable=extract) >> PartnerPull(
            task_id="pull", path="/drops/{{ ds }}.csv"
        )
    """
)


@pytest.mark.skipif(3 not in AIRFLOW_LINES, reason="Airflow 3 is not among A2D_TEST_AIRFLOW_LINES")
def test_convert_lift_generates_an_asset_that_runs_the_operator(tmp_path, monkeypatch):
    """`convert --lift` end to end on Airflow 3.3: the generated module's LIFT asset, in a real Dagster run."""
    from converters.convert import convert_project

    dags = tmp_path / "airflow_dags"
    dags.mkdir()
    (dags / "partner.py").write_text(GENERATED_ESTATE, encoding="utf-8")
    result = convert_project(dags, tmp_path / "lifted_defs", use_cache=False, lift=True)
    assert not result.generated.problems
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("AIRFLOW_LIFT_PYTHON", str(airflow_venv(3) / "bin" / "python"))
    monkeypatch.setenv("AIRFLOW_MAJOR_VERSION", "3")
    try:
        module = importlib.import_module("lifted_defs.dags.partner")
        outcome = dg.materialize(module.ASSETS, partition_key="2024-01-05")
        assert outcome.asset_value(dg.AssetKey(["partner", "pull"])) == {
            "path": "/drops/2024-01-05.csv",
            "rows": [1, 2, 3],
        }
    finally:
        for name in [m for m in sys.modules if m.startswith("lifted_defs")]:
            del sys.modules[name]
