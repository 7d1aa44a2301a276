"""Arguments that reach the task through a name or through ``default_args`` are carried as code too: a name bound
to a dict of Variables by an estate helper (``env=env_vars``), a ``default_args`` value written as code (its own
keyword, a module mapping, or the ``**mapping`` the DAG call spreads). The generated assets compute what Airflow
computed when it parsed the file."""

from __future__ import annotations

import importlib
import os
import textwrap

import dagster as dg
import pytest

from converters.codegen import generate
from converters.flow import scan_and_plan
from converters.inventory import ir
from tests.unit.generated import imported_package, task_value

DAG_FILE = """
import os
from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.operators.bash import BashOperator
from common import conn

BASE = "/"
SHARED_ARGS = {"owner": "data", "cwd": os.environ.get("JOB_DIR", BASE)}
SPREAD = {"schedule": None, "default_args": {"retries": 1, "cwd": os.environ.get("JOB_DIR", "/tmp")}}

with DAG("from_name", schedule=None, start_date=datetime(2024, 1, 1), default_args=SHARED_ARGS):
    pg_env = conn.envvars()
    BashOperator(task_id="env_name", bash_command="echo $PGHOST", env=pg_env, append_env=True)
    changed = {"PGHOST": Variable.get("pghost")}
    changed["PGPORT"] = "6543"
    BashOperator(task_id="changed_after", bash_command="echo $PGHOST $PGPORT", env=changed)
    merged = {"PGHOST": Variable.get("pghost")}
    merged.update({"PGPORT": "6543"})
    BashOperator(task_id="updated_after", bash_command="echo $PGHOST $PGPORT", env=merged)
    BashOperator(task_id="cwd_from_module_mapping", bash_command="pwd")

with DAG(
    "written", start_date=datetime(2024, 1, 1), default_args={"cwd": os.environ.get("JOB_DIR", "/w"), "retries": 2}
):
    BashOperator(task_id="cwd_written", bash_command="pwd")

with DAG("spread", start_date=datetime(2024, 1, 1), **SPREAD):
    BashOperator(task_id="cwd_spread", bash_command="pwd")

FILLED = {"owner": "data", "cwd": os.environ.get("JOB_DIR", "/")}
FILLED["cwd"] = os.environ.get("OTHER_DIR", "/")

with DAG("filled", schedule=None, start_date=datetime(2024, 1, 1), default_args=FILLED):
    BashOperator(task_id="cwd_filled", bash_command="pwd")
"""
HELPERS = {
    "common/__init__.py": "",
    "common/conn.py": (
        "from airflow.models import Variable\n\n\n"
        "def envvars():\n    return {'PGHOST': Variable.get('pghost'), 'PGPORT': '5432'}\n"
    ),
}


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("argnames")
    dags = root / "dags"
    for relative, text in {"names.py": textwrap.dedent(DAG_FILE).lstrip(), **HELPERS}.items():
        (dags / relative).parent.mkdir(parents=True, exist_ok=True)
        (dags / relative).write_text(text, encoding="utf-8")
    (dags / ".airflowignore").write_text("common\n", encoding="utf-8")
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    generate(planned.plan, root / "argnames_defs", dags_folder=dags, force=True)
    with imported_package(root, "argnames_defs", "common"):
        yield planned, importlib.import_module("argnames_defs.logic.names")


def _task(planned, task_id):
    return next(t for d in planned.plan.dags for t in d.tasks if t.task.task_id == task_id)


@pytest.mark.parametrize(
    ("task_id", "key"),
    [
        ("env_name", "env"),
        ("cwd_from_module_mapping", "cwd"),
        ("cwd_written", "cwd"),
        ("cwd_spread", "cwd"),
    ],
)
def test_the_argument_is_carried_as_code(converted, task_id, key):
    planned, _ = converted
    task = _task(planned, task_id)
    assert isinstance(task.task.arguments[key], ir.CodeValue), task.task.arguments[key]
    # A Variable, or the environment: read when the asset runs (JUDG), or when the logic is imported (MECH), as
    # Airflow read it when it parsed the file.
    assert task.disposition in {"MECH", "JUDG"}, task.translation.reason


def test_the_other_default_args_keep_their_literal_values(converted):
    planned, _ = converted
    assert _task(planned, "cwd_written").task.arguments["retries"] == 2
    assert _task(planned, "cwd_spread").task.arguments["retries"] == 1
    assert _task(planned, "cwd_from_module_mapping").task.arguments["owner"] == "data"


def test_a_mapping_changed_after_it_is_bound_is_not_its_assigned_code(converted, monkeypatch):
    planned, _ = converted
    task = _task(planned, "changed_after")
    if task.disposition != "NONE":  # carried only if the generated code gives Airflow's value
        monkeypatch.setenv("AIRFLOW_VAR_PGHOST", "from-variable")
        assert _materialize("from_name", "changed_after") == "from-variable 6543"


def _materialize(dag_id, task_id):
    return task_value(f"argnames_defs.dags.{dag_id}", task_id)


def test_a_helpers_dict_of_variables_is_computed_when_the_asset_runs(converted, monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_PGHOST", "db.example")
    assert _task(converted[0], "env_name").disposition == "JUDG"
    assert _materialize("from_name", "env_name") == "db.example"


@pytest.mark.parametrize(
    ("dag_id", "task_id", "at_import"),
    [("from_name", "cwd_from_module_mapping", "/"), ("written", "cwd_written", None), ("spread", "cwd_spread", "/tmp")],
)
def test_default_args_code_gives_the_working_directory(converted, monkeypatch, tmp_path, dag_id, task_id, at_import):
    # A mapping of the module is computed when the logic is imported (JOB_DIR unset then), as Airflow computed it
    # when it parsed the file; code written in the DAG call is computed when the asset runs.
    monkeypatch.setenv("JOB_DIR", str(tmp_path))
    assert _materialize(dag_id, task_id) == (at_import or str(tmp_path))


@pytest.mark.parametrize("task_id", ["changed_after", "updated_after", "cwd_filled"])
def test_a_mapping_filled_after_it_is_bound_is_not_carried(converted, task_id):
    planned, _ = converted
    task = _task(planned, task_id)
    assert task.disposition == "NONE" and (
        "Variable.get" in task.translation.reason or "OTHER_DIR" in task.translation.reason
    )
    if task_id != "cwd_filled":  # the reason says why the name's code is not carried
        assert "filled in place, which its code alone does not give" in task.translation.reason


FACTORY_DAG = """
import os
from datetime import datetime

from airflow import DAG
from factories.flows import echo_secrets
from factories.tasks import make_tasks

BASE = os.environ.get("DATA_DIR", "/data")
SECRETS = {"KEY": {"item": "store", "field": f"{os.getenv('STAGE', 'dev')}.key"}}

with DAG("factory", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    make_tasks(dag, "a", f"{BASE}/a")
    for name in ["b", "c"]:
        make_tasks(dag, name, path=BASE + "/" + name)
    echo_secrets(SECRETS)
"""
FACTORY = {
    "factories/__init__.py": "",
    "factories/flows.py": (
        "from datetime import timedelta\n\nfrom airflow.decorators import task\n\n\n"
        "@task(retries=1, execution_timeout=timedelta(seconds=30))\ndef echo_secrets(secrets):\n    return secrets\n"
    ),
    "factories/tasks.py": (
        "from airflow.operators.bash import BashOperator\n\n\n"
        "def make_tasks(dag, name, path):\n"
        "    BashOperator(task_id=f'{name}_env', bash_command='echo $P', env={'P': path}, dag=dag)\n"
        "    BashOperator(task_id=f'{name}_command', bash_command=path, dag=dag)\n"
        "    BashOperator(task_id=f'{name}_derived', bash_command=f'echo {path}', dag=dag)\n"
    ),
}


@pytest.fixture(scope="module")
def factory(tmp_path_factory):
    root = tmp_path_factory.mktemp("argfactory")
    dags = root / "dags"
    for relative, text in {"factory.py": textwrap.dedent(FACTORY_DAG).lstrip(), **FACTORY}.items():
        (dags / relative).parent.mkdir(parents=True, exist_ok=True)
        (dags / relative).write_text(text, encoding="utf-8")
    (dags / ".airflowignore").write_text("factories\n", encoding="utf-8")
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    generate(planned.plan, root / "argfactory_defs", dags_folder=dags, force=True)
    with imported_package(root, "argfactory_defs", "factories"):
        yield planned, importlib.import_module("argfactory_defs.dags.factory")


@pytest.mark.parametrize("name", ["a", "b", "c"])
def test_an_argument_passed_to_an_estate_task_factory_is_the_dag_files_code(factory, name):
    planned, _ = factory
    for suffix in ("env", "command"):
        task = _task(planned, f"{name}_{suffix}")
        assert task.disposition == "MECH", task.translation.reason
    assert isinstance(_task(planned, f"{name}_env").task.arguments["env"]["P"], ir.CodeValue)
    # An f-string the factory builds from it is carried as itself, its name bound to the DAG file's code.
    derived = _task(planned, f"{name}_derived")
    assert derived.disposition == "MECH", derived.translation.reason
    command = derived.task.arguments["bash_command"]
    assert isinstance(command, ir.CodeValue)
    logic = importlib.import_module("argfactory_defs.logic.factory")
    assert getattr(logic, command.name)() == f"echo {os.environ.get('DATA_DIR', '/data')}/{name}"


@pytest.mark.parametrize("name", ["a", "b"])
def test_a_factory_argument_computes_what_airflow_computed(factory, name):
    planned, module = factory
    asset = next(a for a in module.defs.assets if a.key.path[-1] == f"{name}_env")
    result = dg.materialize([asset], tags={"airflow/logical_date": "2024-01-15T00:00:00+00:00"}, raise_on_error=True)
    assert result.output_for_node(asset.op.name) == f"/data/{name}"
    logic = importlib.import_module("argfactory_defs.logic.factory")
    command = _task(planned, "c_command").task.arguments["bash_command"]
    assert getattr(logic, command.name)() == "/data/c"  # each loop iteration keeps its own value


REFUSED_DAG = """
import functools
from datetime import datetime

from airflow import DAG
from airflow.hooks.base import BaseHook
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator


def _ping(name):
    return BaseHook.get_connection(name).host


def pinger(name):
    return functools.partial(_ping, name)


def conn_string():
    return BaseHook.get_connection("wh").get_uri()


with DAG("refused", schedule=None, start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="psql", bash_command=f"psql {conn_string()} -c 'select 1'")
    ping = pinger("wh")
    PythonOperator(task_id="ping", python_callable=ping)
"""


def test_code_that_needs_airflow_says_what_it_needs(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "refused.py").write_text(textwrap.dedent(REFUSED_DAG).lstrip(), encoding="utf-8")
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    task = _task(planned, "psql")
    assert task.disposition == "NONE"
    assert "as code it needs Airflow's airflow.hooks.base.BaseHook" in task.translation.reason
    (file,) = planned.project.files
    value = task.task.arguments["bash_command"]
    assert isinstance(value, ir.SourceValue) and "BaseHook" in value.needs
    assert ir.from_json(ir.DagFile, ir.to_json(file)) == file  # `needs` survives the IR's JSON
    assert "def _arg_" not in file.logic  # nothing half-copied
    # `functools.partial(_ping, name)` as the callable is no argument code: `_ping` is copied and bound to "wh", as
    # the file's own function would be (BaseHook is the support code's).
    ping = _task(planned, "ping")
    assert isinstance(ping.task.arguments["python_callable"], ir.CallableValue)
    assert ping.disposition != "NONE", ping.translation.reason


def test_an_estate_taskflow_argument_is_the_files_code(factory):
    """Reading the estate function's decorator runs calls of its own: the argument's code is still the DAG file's."""
    planned, _ = factory
    task = _task(planned, "echo_secrets")
    (value,) = task.task.arguments["op_args"]
    assert isinstance(value, ir.CodeValue), value
    logic = importlib.import_module("argfactory_defs.logic.factory")
    assert getattr(logic, value.name)() == {"KEY": {"item": "store", "field": "dev.key"}}
