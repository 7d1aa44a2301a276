"""An estate operator subclass whose ``__init__`` rebuilds an argument (``env_vars = std | env_vars`` after
``if env_vars is None``, then ``{k: str(v) for k, v in env_vars.items()}``): the parts the DAG file computed are
carried as the file's code, ``str()`` of them as ``str()`` of that code, so the generated code gives the strings
Airflow's operator received; code the estate module computes from them stays unknown (never their repr text)."""

from __future__ import annotations

import importlib
import sys
import textwrap

import pytest

from converters.codegen import generate
from converters.flow import scan_and_plan
from converters.inventory import ir

OPERATOR = """
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator


class StandardPod(KubernetesPodOperator):
    def __init__(self, task_id, environment, env_vars=None, tag=None, *args, **kwargs):
        if env_vars is None:
            env_vars = {}
        std = {"REGION": "eu-west-1", "ENVIRONMENT": environment.upper(), "RUN": "{{ run_id }}"}
        env_vars = std | env_vars
        env_vars = {k: str(v) for k, v in env_vars.items()}
        super().__init__(task_id=task_id, name=task_id, image="acme/job:1", env_vars=env_vars,
                         arguments=[f"--tag=v-{tag}"] if tag else [], *args, **kwargs)
"""

DAG_FILE = """
import os
from datetime import datetime

from airflow.models import DAG
from platform_ops.standard import StandardPod

START = datetime(2025, 8, 5)
BASE = {"DATABASE": "addresses", "START_DATE": START.strftime("%Y-%m-%d"), "WORKERS": os.environ.get("WORKERS", 4)}


def with_step(env, updates):
    return {**env, **updates}


dag = DAG(dag_id="rebuilt", start_date=START, schedule=None)
StandardPod(dag=dag, task_id="load", environment="dev", env_vars=with_step(BASE, {"STEP": "load", "CLOSE": False}))
StandardPod(dag=dag, task_id="plain", environment="dev", env_vars={"BATCH": 3})
StandardPod(dag=dag, task_id="tagged", environment="dev", tag=os.environ.get("TAG", "1"))
"""


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("rebuilt")
    dags = root / "dags"
    files = {"rebuilt.py": DAG_FILE, "platform_ops/__init__.py": "", "platform_ops/standard.py": OPERATOR}
    for relative, text in files.items():
        (dags / relative).parent.mkdir(parents=True, exist_ok=True)
        (dags / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    (dags / ".airflowignore").write_text("platform_ops\n", encoding="utf-8")
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    generate(planned.plan, root / "rebuilt_defs", dags_folder=dags, force=True)
    sys.path.insert(0, str(root))
    try:
        yield planned, importlib.import_module("rebuilt_defs.logic.rebuilt")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.startswith(("rebuilt_defs", "platform_ops"))]:
            del sys.modules[name]


def _task(planned, task_id):
    return next(t for d in planned.plan.dags for t in d.tasks if t.task.task_id == task_id)


def test_the_rebuilt_mapping_keeps_its_literal_parts_as_strings(converted):
    planned, _ = converted
    env = _task(planned, "load").task.arguments["env_vars"]
    assert {k: v for k, v in env.items() if not isinstance(v, ir.CodeValue)} == {
        "REGION": "eu-west-1",
        "ENVIRONMENT": "DEV",
        "RUN": "{{ run_id }}",
        "DATABASE": "addresses",
        "STEP": "load",
        "CLOSE": "False",  # str(False), as the operator's __init__ made it
    }
    assert _task(planned, "plain").task.arguments["env_vars"]["BATCH"] == "3"


def test_the_files_parts_are_carried_and_give_the_strings_airflow_computed(converted, monkeypatch):
    planned, logic = converted
    task = _task(planned, "load")
    assert task.disposition != "NONE", task.translation.reason
    env = task.task.arguments["env_vars"]
    assert isinstance(env["START_DATE"], ir.CodeValue) and isinstance(env["WORKERS"], ir.CodeValue)
    assert getattr(logic, env["START_DATE"].name)() == "2025-08-05"
    monkeypatch.delenv("WORKERS", raising=False)
    assert getattr(logic, env["WORKERS"].name)() == "4"  # str() of the default 4, not the int
    monkeypatch.setenv("WORKERS", "12")
    assert getattr(logic, env["WORKERS"].name)() == "12"


def test_code_the_estate_module_computes_from_a_passed_value_is_not_carried(converted):
    planned, _ = converted
    task = _task(planned, "tagged")
    # f"v-{tag}" is the estate module's code: neither the file's code for tag nor any text standing for it.
    assert isinstance(task.task.arguments["arguments"], ir.SourceValue)
    assert task.disposition == "NONE"


# A helper of an estate module gives default_args; its module also reaches Airflow (a callback posting to Slack).
HELPER = """
import os
from os import environ as ENV

from airflow.models import Connection


def alert(context):
    Connection.get_connection_from_secrets("slack")


def get_default_args(suffix):
    return {
        "cwd": os.getenv("BASE_DIR"),
        "env": {"HOME_DIR": ENV.get("HOME_DIR", "/home"), "MODE": "full"},
        "output_encoding": os.getenv("X") + suffix,
        "on_failure_callback": alert,
    }
"""

HELPER_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from shared import tooling

dag_args = {"start_date": datetime(2024, 1, 1)} | {"default_args": tooling.get_default_args("-x")}

with DAG(dag_id="helped", schedule=None, **dag_args):
    BashOperator(task_id="run", bash_command="dbt run")
"""


@pytest.fixture(scope="module")
def helped(tmp_path_factory):
    root = tmp_path_factory.mktemp("helped")
    dags = root / "dags"
    files = {"helped.py": HELPER_DAG, "shared/__init__.py": "", "shared/tooling.py": HELPER}
    for relative, text in files.items():
        (dags / relative).parent.mkdir(parents=True, exist_ok=True)
        (dags / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    (dags / ".airflowignore").write_text("shared\n", encoding="utf-8")
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    generate(planned.plan, root / "helped_defs", dags_folder=dags, force=True)
    sys.path.insert(0, str(root))
    try:
        yield planned, importlib.import_module("helped_defs.logic.helped")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.startswith(("helped_defs", "shared"))]:
            del sys.modules[name]


def test_a_helpers_standard_library_expression_is_carried_alone(helped, monkeypatch):
    planned, logic = helped
    task = _task(planned, "run")
    cwd = task.task.arguments["cwd"]
    assert isinstance(cwd, ir.CodeValue), task.translation.reason
    monkeypatch.setenv("BASE_DIR", "/opt/project")
    assert getattr(logic, cwd.name)() == "/opt/project"
    monkeypatch.delenv("BASE_DIR")
    assert getattr(logic, cwd.name)() is None  # os.getenv's None, as Airflow's operator received it
    home = task.task.arguments["env"]["HOME_DIR"]
    assert getattr(logic, home.name)() == "/home"  # `from os import environ as ENV`: imported as the module did
    assert task.task.arguments["env"]["MODE"] == "full"
    assert "Connection" not in (root_text := "".join(c.expression for f in planned.project.files for c in f.callables))
    assert "get_default_args" not in root_text


def test_a_helpers_expression_over_its_parameters_plain_values_is_carried(helped, monkeypatch):
    planned, logic = helped
    # os.getenv("X") + suffix reads the helper's parameter, which held "-x" when Airflow called it: its default.
    encoding = _task(planned, "run").task.arguments["output_encoding"]
    assert isinstance(encoding, ir.CodeValue)
    monkeypatch.setenv("X", "utf8")
    assert getattr(logic, encoding.name)() == "utf8-x"


# A task factory of an estate module merging its own environment reads with the caller's (`dict(env, **extra)`).
POD_FACTORY = """
import os

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator


def consumer_pod(task_id, dag, image, extra_envs={"SECRET_PATH": f"{os.environ['TEAM']}/latest"}, stage="dev"):
    env_vars = {"TZ": os.environ["TZ"], "MODE": "consume"}
    if stage == "prod":
        env_vars["PROD"] = "1"
    if extra_envs:
        env_vars = dict(env_vars, **extra_envs)
    return KubernetesPodOperator(task_id=task_id, dag=dag, name=task_id, image=image, env_vars=env_vars)
"""

FACTORY_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from pods.factory import consumer_pod

dag = DAG(dag_id="consume", schedule=None, start_date=datetime(2024, 1, 1))
consumer_pod("default_extra", dag, "acme/consumer:1")
consumer_pod("own_extra", dag, "acme/consumer:1", extra_envs={"LIMIT": "10"})
consumer_pod("staged", dag, "acme/consumer:1", stage=Variable.get("stage"))
"""


@pytest.fixture(scope="module")
def pods(tmp_path_factory):
    root = tmp_path_factory.mktemp("podfactory")
    dags = root / "dags"
    files = {"consume.py": FACTORY_DAG, "pods/__init__.py": "", "pods/factory.py": POD_FACTORY}
    for relative, text in files.items():
        (dags / relative).parent.mkdir(parents=True, exist_ok=True)
        (dags / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    (dags / ".airflowignore").write_text("pods\n", encoding="utf-8")
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    generate(planned.plan, root / "podfactory_defs", dags_folder=dags, force=True)
    sys.path.insert(0, str(root))
    try:
        yield planned, importlib.import_module("podfactory_defs.logic.consume")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.startswith(("podfactory_defs", "pods"))]:
            del sys.modules[name]


def test_a_factorys_merged_environment_gives_what_airflow_computed(pods, monkeypatch):
    planned, logic = pods
    monkeypatch.setenv("TZ", "Europe/Oslo")
    monkeypatch.setenv("TEAM", "familie")
    default = _task(planned, "default_extra")
    assert default.disposition != "NONE", default.translation.reason
    env = default.task.arguments["env_vars"]
    assert env["MODE"] == "consume" and set(env) == {"TZ", "MODE", "SECRET_PATH"}
    assert getattr(logic, env["TZ"].name)() == "Europe/Oslo"
    assert getattr(logic, env["SECRET_PATH"].name)() == "familie/latest"  # the f-string's value, not its text
    own = _task(planned, "own_extra").task.arguments["env_vars"]
    assert own["LIMIT"] == "10" and "SECRET_PATH" not in own


def test_an_entry_set_under_a_runtime_condition_is_not_taken(pods):
    planned, _ = pods
    staged = _task(planned, "staged")
    # env_vars["PROD"] = "1" only when the Variable says so: neither present nor absent is known.
    assert staged.disposition == "NONE" and "set under a runtime condition" in staged.translation.reason


def test_a_star_imported_helper_of_an_estate_factory_is_followed(tmp_path):
    dags = tmp_path / "dags"
    files = {
        "geo.py": (
            "from datetime import datetime\n\nfrom airflow import DAG\nfrom gislib.tasks import make\n\n"
            "with DAG('geo', start_date=datetime(2024, 1, 1), schedule=None) as dag:\n    make(dag, 'roads')\n"
        ),
        "gislib/__init__.py": "",
        "gislib/convert.py": (
            "__all__ = ['shp2json']\n\n\ndef shp2json(layer):\n"
            "    return 'mapshaper {layer}.shp -o {layer}.json'.format(layer=layer)\n\n\n"
            "def hidden(layer):\n    return layer\n"
        ),
        "gislib/tasks.py": (
            "from airflow.operators.bash import BashOperator\n\nfrom gislib.convert import *\n\n\n"
            "def make(dag, layer):\n"
            "    BashOperator(task_id=f'{layer}_json', bash_command=shp2json(f'/data/{layer}'), dag=dag)\n"
            "    BashOperator(task_id=f'{layer}_hidden', bash_command=hidden(layer), dag=dag)\n"
        ),
    }
    for relative, text in files.items():
        (dags / relative).parent.mkdir(parents=True, exist_ok=True)
        (dags / relative).write_text(text, encoding="utf-8")
    (dags / ".airflowignore").write_text("gislib\n", encoding="utf-8")
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    command = _task(planned, "roads_json").task.arguments["bash_command"]
    assert command == "mapshaper /data/roads.shp -o /data/roads.json"
    # `hidden` is not in the module's __all__: the star import does not bind it (Python's NameError at parse).
    assert not isinstance(_task(planned, "roads_hidden").task.arguments["bash_command"], str)
