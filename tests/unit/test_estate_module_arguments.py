"""Arguments whose code calls or reads an estate module that imports Airflow (a config module reading Variables at
import, an if-chain choosing values per environment, a task factory): what the code uses of that module is copied
into the argument's function, Airflow names bound to the support package's equivalents, and evaluated when the
asset runs; a name with no equivalent keeps the task in Airflow, named."""

from __future__ import annotations

import importlib
import sys
import textwrap

import pytest

from converters.codegen import generate
from converters.flow import scan_and_plan
from converters.inventory import ir

CONFIG = """
from airflow.exceptions import AirflowConfigException
from airflow.models import Variable


class Env:
    QA = "qa"
    STAGING = "staging"
    PROD = "prod"


env = Variable.get("environment")

if env == Env.QA:
    image = "acme/etl:latest"
    search_url = "http://search:9200"
elif env in (Env.STAGING, Env.PROD):
    image = "acme/etl:1.4"
    search_url = "https://search.acme.example"
else:
    raise AirflowConfigException(f"unexpected environment {env}")


def env_url(prefix: str = "") -> str:
    return f"{prefix}{env}" if env in [Env.QA, Env.STAGING] else ""
"""

RUNS = """
from airflow.configuration import conf
from airflow.models import DagRun


def default_queue():
    return conf.get("operators", "default_queue")


def last_run(dag_id):
    return DagRun.find(dag_id=dag_id)[-1].run_id
"""

TASKS = """
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from lib.config import env_url


def check_tables(suffix):
    return KubernetesPodOperator(
        task_id="check_tables", name="check", image="acme/check:1", arguments=["db" + env_url("_") + suffix]
    )
"""

OPERATORS = """
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from lib import config


class EtlOperator(KubernetesPodOperator):
    def __init__(self, **kwargs):
        super().__init__(image=config.image, **kwargs)
"""

SQL = """
from airflow.configuration import conf

TEMPLATE = \"\"\"select *
from {table}\"\"\"
QUEUE = conf.get("operators", "default_queue")


def queue_sql(table):
    return TEMPLATE.format(table=table) + QUEUE
"""

DAG_FILE = """
from datetime import datetime

from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from lib.config import env_url, image
from lib.operators import EtlOperator
from lib.runs import default_queue, last_run
from lib.sql import queue_sql
from lib.tasks import check_tables

with DAG("pipeline", schedule=None, start_date=datetime(2024, 1, 1)):
    KubernetesPodOperator(task_id="load", name="load", image=image, arguments=["x" + env_url("_")])
    KubernetesPodOperator(task_id="queue", name="queue", image="acme/load:1", arguments=[default_queue()])
    KubernetesPodOperator(task_id="rerun", name="rerun", image="acme/load:1", arguments=[last_run("pipeline")])
    EtlOperator(task_id="etl", name="etl", arguments=["run"])
    check_tables("_v2")
    KubernetesPodOperator(task_id="sql", name="sql", image="acme/load:1", arguments=[queue_sql("t")])
"""


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    root = tmp_path_factory.mktemp("modargs")
    dags = root / "dags"
    files = {
        "pipeline.py": DAG_FILE,
        "lib/__init__.py": "",
        "lib/config.py": CONFIG,
        "lib/runs.py": RUNS,
        "lib/tasks.py": TASKS,
        "lib/operators.py": OPERATORS,
        "lib/sql.py": SQL,
    }
    for relative, text in files.items():
        (dags / relative).parent.mkdir(parents=True, exist_ok=True)
        (dags / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    (dags / ".airflowignore").write_text("lib\n", encoding="utf-8")
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    generate(planned.plan, root / "modargs_defs", dags_folder=dags, force=True)
    sys.path.insert(0, str(root))
    try:
        yield planned, root
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.startswith("modargs_defs") or m == "lib" or m.startswith("lib.")]:
            del sys.modules[name]


def _task(planned, task_id):
    return next(t for d in planned.plan.dags for t in d.tasks if t.task.task_id == task_id)


def _logic(monkeypatch, environment):
    """The generated logic module, imported afresh with the deployment's ``environment`` Variable."""
    monkeypatch.setenv("AIRFLOW_VAR_ENVIRONMENT", environment)
    sys.modules.pop("modargs_defs.logic.pipeline", None)
    return importlib.import_module("modargs_defs.logic.pipeline")


def _airflow_config(environment):
    """What Airflow computes: the config module run with its Variable (Airflow's names given plainly)."""

    class Variable:
        @staticmethod
        def get(key):
            return {"environment": environment}[key]

    source = textwrap.dedent(CONFIG).replace("from airflow.exceptions import AirflowConfigException\n", "")
    names = {"Variable": Variable, "AirflowConfigException": RuntimeError}
    exec(compile(source.replace("from airflow.models import Variable\n", ""), "config.py", "exec"), names)  # noqa: S102
    return names


@pytest.mark.parametrize(
    ("task_id", "disposition", "reason"),
    [
        ("load", "JUDG", "the same image and command run through Pipes"),
        # A task factory of an estate module: its own code, over its module's names and its parameter's value.
        ("check_tables", "JUDG", "the same image and command run through Pipes"),
        # An estate class's __init__ passes on a constant its module's if-chain binds.
        ("etl", "JUDG", "the same image and command run through Pipes"),
        # Airflow's configuration: support/hooks.py reads it from AIRFLOW__<SECTION>__<KEY>.
        ("queue", "JUDG", "the same image and command run through Pipes"),
        # DagRun reads Airflow's metadata database: no equivalent, named.
        ("rerun", "NONE", "Airflow APIs with no Dagster-side equivalent here: airflow.models.DagRun"),
        # Its module-level conf.get cannot move into the function (a multi-line string beside it): it would run
        # when the logic is imported, for every task of the file; not copied.
        ("sql", "NONE", "calls lib.sql.queue_sql, whose module imports Airflow"),
    ],
)
def test_dispositions(estate, task_id, disposition, reason):
    planned, _ = estate
    task = _task(planned, task_id)
    assert (task.disposition, reason in task.translation.reason) == (disposition, True), task.translation.reason


def test_the_note_names_the_variable_and_where_airflow_reads_it(estate):
    planned, _ = estate
    notes = " ".join(_task(planned, "load").translation.notes)
    assert "AIRFLOW_VAR_ENVIRONMENT" in notes
    assert "the same source Airflow's tasks read when Variables come from the environment" in notes
    assert "Airflow configuration from AIRFLOW__<SECTION>__<KEY>" in " ".join(_task(planned, "queue").translation.notes)


def test_only_what_the_code_uses_is_copied_and_read_when_the_asset_runs(estate):
    planned, root = estate
    (file,) = planned.project.files
    function = file.logic[file.logic.index("def _arg_load_arguments_0") :].split("\n\n\ndef ")[0]
    assert '    env = Variable.get("environment")' in function  # not when the logic is imported
    assert "    def env_url(" in function
    assert "search_url" not in function and "image" not in function
    assert "\nenv = Variable.get" not in file.logic
    assert "\nQUEUE = " not in file.logic
    assert "import lib" not in file.logic.replace("from lib.sql import queue_sql", "")


@pytest.mark.parametrize("environment", ["qa", "staging", "prod"])
def test_the_evaluated_arguments_match_airflows(estate, monkeypatch, environment):
    planned, _ = estate
    logic = _logic(monkeypatch, environment)
    airflow = _airflow_config(environment)

    def value(task_id, key):
        found = _task(planned, task_id).task.arguments[key]
        return (
            [getattr(logic, v.name)() if isinstance(v, ir.CodeValue) else v for v in found]
            if isinstance(found, list)
            else getattr(logic, found.name)()
        )

    assert value("load", "arguments") == ["x" + airflow["env_url"]("_")]
    assert value("load", "image") == airflow["image"]
    assert value("check_tables", "arguments") == ["db" + airflow["env_url"]("_") + "_v2"]
    assert value("etl", "image") == airflow["image"]


def test_an_environment_the_config_refuses_fails_the_asset_as_airflows_import_fails(estate, monkeypatch):
    planned, _ = estate
    logic = _logic(monkeypatch, "dev")
    image = _task(planned, "load").task.arguments["image"]
    with pytest.raises(Exception, match="unexpected environment dev"):
        getattr(logic, image.name)()
