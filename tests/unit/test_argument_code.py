"""Arguments written as code (lambdas, f-strings and ``+`` over the file's names, ``Variable.get``, ``json.dumps``,
helper calls, loop-bound names, ``functools.partial``/lambda callables) are carried into the logic module and
evaluated when the asset runs: the generated code computes what Airflow computed when it parsed the file."""

from __future__ import annotations

import importlib
import textwrap

import dagster as dg
import pytest

from converters.codegen import generate
from converters.flow import scan_and_plan
from converters.inventory import ir
from tests.unit.generated import imported_package

DAG_FILE = '''
import functools
import json
import os
import textwrap
from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.providers.http.operators.http import HttpOperator
from settings_module import *  # noqa: F403

REGISTRY = "acme"
SCHEMA = "raw"


def build_sql(table):
    return textwrap.dedent(f"""
        select * from {SCHEMA}.{table} where ds = '{{{{ ds }}}}'
    """)


def greet(name, greeting="hi", ds=None):
    return f"{greeting} {name} {ds}"


with DAG("shapes", schedule=None, start_date=datetime(2024, 1, 1)):
    KubernetesPodOperator(
        task_id="pod", image=f"{REGISTRY}/score:" + os.environ.get("SCORE_TAG", "1.2"), arguments=["--day", "{{ ds }}"]
    )
    BashOperator(task_id="bash", bash_command="echo " + Variable.get("host") + " {{ ds }}")
    HttpOperator(
        task_id="http",
        http_conn_id="api",
        endpoint="v1/{}/items".format(SCHEMA),
        data=json.dumps({"schema": SCHEMA, "day": "{{ ds }}"}),
        response_check=lambda response: SCHEMA in response.text,
    )
    SQLExecuteQueryOperator(task_id="sql", conn_id="wh", sql=build_sql("orders"))
    for table in ["a", "b"]:
        BashOperator(task_id=f"load_{table}", bash_command=textwrap.dedent(f"echo {table} {SCHEMA}"))
    PythonOperator(task_id="partial", python_callable=functools.partial(greet, "bob", greeting="yo"))
    PythonOperator(task_id="lam", python_callable=lambda ds: f"{SCHEMA}:{ds}")
    BashOperator(task_id="unknown", bash_command=RUNTIME_COMMAND)  # noqa: F405
'''


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("argcode")
    dags = root / "dags"
    dags.mkdir()
    (dags / "shapes.py").write_text(textwrap.dedent(DAG_FILE).lstrip(), encoding="utf-8")
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    generate(planned.plan, root / "argcode_defs", dags_folder=dags, force=True)
    with imported_package(root, "argcode_defs"):
        yield (
            planned,
            importlib.import_module("argcode_defs.dags.shapes"),
            importlib.import_module("argcode_defs.logic.shapes"),
        )


def _task(planned, task_id):
    return next(t for d in planned.plan.dags for t in d.tasks if t.task.task_id == task_id)


@pytest.mark.parametrize(
    ("task_id", "disposition"),
    [
        ("pod", "JUDG"),  # reads the environment when the asset runs
        ("bash", "JUDG"),  # reads a Variable
        ("http", "JUDG"),  # response_check gets the response only (the rule's own note)
        ("sql", "MECH"),
        ("load_a", "MECH"),
        ("load_b", "MECH"),
        ("partial", "MECH"),
        ("lam", "MECH"),
        ("unknown", "NONE"),  # a name only a star import binds: nothing to carry
    ],
)
def test_dispositions(converted, task_id, disposition):
    planned, _, _ = converted
    task = _task(planned, task_id)
    assert task.disposition == disposition, task.translation.reason


def test_the_inventory_keeps_the_literal_parts_and_the_expression(converted):
    planned, _, _ = converted
    pod = _task(planned, "pod").task
    assert pod.arguments["arguments"] == ["--day", "{{ ds }}"]  # literal, as before
    assert isinstance(pod.arguments["image"], ir.CodeValue)
    (file,) = planned.project.files
    record = next(c for c in file.callables if c.name == pod.arguments["image"].name)
    assert "os.environ.get" in record.expression and record.environment
    assert ir.from_json(ir.DagFile, ir.to_json(file)) == file  # the IR's JSON round trip holds the new values
    unknown = _task(planned, "unknown").task
    assert isinstance(unknown.arguments["bash_command"], ir.SourceValue)
    assert "RUNTIME_COMMAND" in _task(planned, "unknown").translation.reason


def test_the_logic_computes_what_airflow_computed_at_parse_time(converted, monkeypatch):
    planned, _, logic = converted
    args = {t.task.task_id: t.task.arguments for d in planned.plan.dags for t in d.tasks}

    def run(task_id, key):
        return getattr(logic, args[task_id][key].name)()

    monkeypatch.setenv("SCORE_TAG", "2.0")
    assert run("pod", "image") == "acme/score:2.0"
    assert run("http", "data") == '{"schema": "raw", "day": "{{ ds }}"}'

    class Response:
        text = "rows of raw"

    assert run("http", "response_check")(Response()) is True
    assert run("sql", "sql").strip() == "select * from raw.orders where ds = '{{ ds }}'"


def _materialize(module, task_id, monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_HOST", "db.example")
    asset = next(a for a in module.defs.assets if a.key.path[-1] == task_id)
    result = dg.materialize([asset], tags={"airflow/logical_date": "2024-01-15T00:00:00+00:00"}, raise_on_error=True)
    return result.output_for_node(asset.op.name)


@pytest.mark.parametrize(
    ("task_id", "value"),
    [
        ("bash", "db.example 2024-01-15"),  # evaluated (Variable.get), then rendered ({{ ds }})
        ("load_a", "a raw"),  # the loop's value for this task
        ("load_b", "b raw"),
        ("partial", "yo bob 2024-01-15"),
        ("lam", "raw:2024-01-15"),
    ],
)
def test_generated_assets_materialize_to_airflows_value(converted, monkeypatch, task_id, value):
    _, module, _ = converted
    assert _materialize(module, task_id, monkeypatch) == value


ESTATE_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
import helpers.airflow_side
from helpers import airflow_side, plain
from helpers.tasks import get_env

ENV = plain.envvars()  # estate code: carried as `plain.envvars()`, not copied (it would run at the logic's import)

with DAG("estate", schedule=None, start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="plain", bash_command="echo $A", env=plain.envvars())
    BashOperator(task_id="task_builder", bash_command="echo $A", env=get_env())
    BashOperator(task_id="task_in_code", bash_command="echo $A", env={**get_env(), "B": "1"})
    BashOperator(task_id="needs_airflow", bash_command="echo $A", env=airflow_side.envvars())
    BashOperator(task_id="whole_module", bash_command="echo $A", env=helpers.airflow_side.envvars())
    BashOperator(task_id="third_party_constant", bash_command="echo $A", env={"A": airflow_side.SHARED})
    BashOperator(task_id="third_party_helper", bash_command="echo $A", env={"A": airflow_side.shared()})
    BashOperator(task_id="at_import", bash_command="echo $A", env=ENV)
"""
HELPERS = {
    "helpers/__init__.py": "",
    "helpers/plain.py": "def envvars():\n    return {'A': '1'}\n",
    "helpers/tasks.py": "from airflow.decorators import task\n\n\n@task\ndef get_env():\n    return {'A': '2'}\n",
    "helpers/airflow_side.py": (
        "from airflow.models import Variable\nfrom environs import Env\n\nenv = Env()\n"
        "SHARED = env('SHARED', '/tmp')\n\n\ndef envvars():\n    return {'A': Variable.get('a')}\n\n\n"
        "def shared():\n    return SHARED\n"
    ),
}


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    root = tmp_path_factory.mktemp("argestate")
    dags = root / "dags"
    for relative, text in {"estate.py": textwrap.dedent(ESTATE_DAG).lstrip(), **HELPERS}.items():
        (dags / relative).parent.mkdir(parents=True, exist_ok=True)
        (dags / relative).write_text(text, encoding="utf-8")
    (dags / ".airflowignore").write_text("helpers\n", encoding="utf-8")  # Airflow (and the scan) skip them
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    generate(planned.plan, root / "argestate_defs", dags_folder=dags, force=True)
    with imported_package(root, "argestate_defs", "helpers"):
        yield planned, importlib.import_module("argestate_defs.dags.estate")


@pytest.mark.parametrize(
    ("task_id", "disposition", "reason"),
    [
        ("plain", "MECH", "the command runs with bash"),
        # Calling an estate `@task` function adds its task to the DAG (as Airflow does); env is its XCom.
        ("task_builder", "MECH", "the command runs with bash"),
        # Code around that call (a dict merged with the XComArg) needs the value at parse time: Airflow has none.
        ("task_in_code", "NONE", "calls helpers.tasks.get_env, which Airflow makes a task of"),
        # The helper's own code is copied (its module imports Airflow; the Variable it reads is the support's).
        ("needs_airflow", "JUDG", "the command runs with bash"),
        # `import helpers.airflow_side` binds the package: the module is imported, which the Dagster side cannot.
        ("whole_module", "NONE", "calls helpers.airflow_side, whose module imports Airflow"),
        # Its constant is computed by third-party code: copied into the argument's function, run when it is computed.
        ("third_party_constant", "JUDG", "the command runs with bash"),
        # A function of the module reads that constant: it moves with it into the argument's function.
        ("third_party_helper", "JUDG", "the command runs with bash"),
        ("at_import", "MECH", "the command runs with bash"),
    ],
)
def test_estate_code_is_carried_only_when_it_can_run_in_dagster(estate, task_id, disposition, reason):
    planned, _ = estate
    task = _task(planned, task_id)
    assert (task.disposition, reason in task.translation.reason) == (disposition, True), task.translation.reason


def test_estate_helper_is_imported_from_the_dags_folder_at_run_time(estate, monkeypatch):
    planned, module = estate
    (file,) = planned.project.files
    assert "ENV =" not in file.logic  # the parse-time call of estate code is not copied
    assert _materialize(module, "plain", monkeypatch) == "1"
    assert _materialize(module, "at_import", monkeypatch) == "1"


def test_a_helper_of_a_module_importing_airflow_is_copied_and_runs(estate, monkeypatch):
    planned, module = estate
    (file,) = planned.project.files
    assert "# from helpers/airflow_side.py\ndef envvars():" in file.logic
    assert "from helpers import airflow_side\n    return (airflow_side.envvars())" not in file.logic
    monkeypatch.setenv("AIRFLOW_VAR_A", "from-variable")
    assert _materialize(module, "needs_airflow", monkeypatch) == "from-variable"


def test_third_party_code_of_a_helper_module_runs_when_the_argument_is_computed(estate):
    planned, _ = estate
    (file,) = planned.project.files
    task = _task(planned, "third_party_constant")
    assert any("Env() (environs)" in note for note in task.translation.notes), task.translation.notes
    function = file.logic[file.logic.index("def _arg_third_party_constant_env_A") :]
    assert "    env = Env()\n    # from helpers/airflow_side.py\n    SHARED = env(" in function
    assert "\nenv = Env()" not in file.logic  # not when the logic is imported
