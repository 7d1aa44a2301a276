"""The estate's own code: modules found on Airflow's sys.path (DAGs folder, plugins/), read statically, and the
estate's operator classes resolved through their bases — what a user sees in the plan and the generated code."""

from __future__ import annotations

import importlib
import json
import sqlite3
import textwrap
from pathlib import Path

import dagster as dg
import pytest

from converters.codegen import generate
from converters.flow import scan_and_plan
from converters.inventory import ir
from converters.inventory.project import scan_project
from tests.unit.generated import imported_package

PLUGIN = '''
from airflow.models import BaseOperator
from airflow.operators.bash import BashOperator
from airflow.plugins_manager import AirflowPlugin
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

REGISTRY = "registry.example.com"
OUT = "{out}"


class StandardPodOperator(KubernetesPodOperator):
    def __init__(self, task_id, image_name, *args, namespace="etl", **kwargs):
        super().__init__(task_id=task_id, image=f"{{REGISTRY}}/{{image_name}}:1.0", namespace=namespace,
                         name=task_id, **kwargs)


class EchoOperator(BashOperator):
    """A subclass with its own defaults: the base's rule translates it, the defaults applied."""

    def __init__(self, word, **kwargs):
        kwargs["env"] = {{"WORD": word}}
        super().__init__(bash_command=f"echo $WORD > {{OUT}}/{{word}}.txt", **kwargs)


class LoudEchoOperator(EchoOperator):
    def pre_execute(self, context):
        self.log.info("about to echo")

    def execute(self, context):
        self.log.info("echoing")
        return super().execute(context)


class SilentOperator(BashOperator):
    def execute(self, context):
        return None


class CountOperator(BaseOperator):
    def execute(self, context):
        return 1


class LegacyPlugin(AirflowPlugin):
    name = "legacy"
    operators = [CountOperator]
'''

FACTORY = """
import json
from datetime import datetime

from airflow import DAG
from airflow.models.baseoperator import chain
from airflow.operators.bash import BashOperator


def build_export_dag(dag_id, tables):
    with DAG(dag_id, schedule="@daily", start_date=datetime(2024, 1, 1)) as dag:
        tasks = [BashOperator(task_id=f"export_{table}", bash_command=f"echo {table}") for table in tables]
        chain(*tasks)
    return dag


def build_from_config(dag_id):
    with DAG(dag_id, schedule=None, start_date=datetime(2024, 1, 1)) as dag:
        for table in json.load(open("tables.json")):
            BashOperator(task_id=f"load_{table}", bash_command="echo")
    return dag
"""

DAG_FILE = """
from datetime import datetime

from airflow import DAG
from airflow.operators import CountOperator
from lib.factories import build_export_dag, build_from_config
from ops import EchoOperator, LoudEchoOperator, SilentOperator, StandardPodOperator

with DAG("estate", schedule=None, start_date=datetime(2024, 1, 1)):
    StandardPodOperator(task_id="pod", image_name="score", cmds=["python", "score.py"])
    EchoOperator(task_id="echo", word="hello")
    LoudEchoOperator(task_id="loud", word="loud")
    SilentOperator(task_id="silent", bash_command="echo never")
    CountOperator(task_id="count")

for name in ["orders", "customers"]:
    globals()[f"export_{name}"] = build_export_dag(f"export_{name}", [name, f"{name}_archive"])

dynamic = build_from_config("dynamic")
"""


def _estate(root: Path, out: Path) -> Path:
    files = {
        "dags/estate.py": DAG_FILE,
        "dags/lib/__init__.py": "",
        "dags/lib/factories.py": FACTORY,
        "plugins/ops.py": PLUGIN.format(out=out),
    }
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("estatecls")
    out = root / "out"
    out.mkdir()
    _estate(root, out)
    planned = scan_and_plan(root, use_cache=False, read_migration_state=False)
    generate(planned.plan, root / "estatecls_defs", dags_folder=root, force=True)
    with imported_package(root, "estatecls_defs"):
        yield planned, importlib.import_module("estatecls_defs.dags.estate"), out


def _task(planned, dag_id, task_id):
    return next(t for d in planned.plan.dags if d.dag.dag_id == dag_id for t in d.tasks if t.task.task_id == task_id)


@pytest.mark.parametrize(
    ("task_id", "disposition", "reason"),
    [
        ("pod", "MECH", "the same image and command run through Pipes"),
        ("echo", "MECH", "the command runs with bash"),
        ("loud", "JUDG", "ops.LoudEchoOperator (plugins/ops.py:24) overrides pre_execute(), execute()"),
        ("silent", "NONE", "ops.SilentOperator (plugins/ops.py:33) does not call BashOperator.execute()"),
        ("count", "JUDG", "the estate operator CountOperator runs as the asset body"),  # an Airflow 1.x plugin's
    ],
)
def test_estate_classes_are_translated_through_their_bases(converted, task_id, disposition, reason):
    planned, _, _ = converted
    task = _task(planned, "estate", task_id)
    assert task.disposition == disposition, task.translation.reason
    assert reason in task.translation.reason


def test_the_subclass_init_gives_the_base_its_arguments(converted):
    planned, _, _ = converted
    pod = _task(planned, "estate", "pod").task
    assert pod.operator == "ops.StandardPodOperator"
    assert pod.base_operator == "airflow.providers.cncf.kubernetes.operators.pod.KubernetesPodOperator"
    assert pod.arguments["image"] == "registry.example.com/score:1.0"  # a module constant of the plugin
    assert (pod.arguments["namespace"], pod.arguments["name"]) == ("etl", "pod")


def test_the_inventory_records_each_estate_class_with_its_bases(converted):
    planned, _, _ = converted
    (file,) = [f for f in planned.project.files if f.path == "dags/estate.py"]
    classes = {c.qualified: c for c in file.estate_classes}
    assert set(classes) == {
        "ops.StandardPodOperator",
        "ops.EchoOperator",
        "ops.LoudEchoOperator",
        "ops.SilentOperator",
        "ops.CountOperator",
    }
    loud = classes["ops.LoudEchoOperator"]
    assert loud.bases == ("ops.EchoOperator", "airflow.operators.bash.BashOperator")
    assert (loud.source.file, loud.source.line, loud.kind) == ("plugins/ops.py", 24, "subclass")
    assert classes["ops.CountOperator"].kind == "base_operator"
    assert {m for m, _ in file.estate_modules} == {"plugins/ops.py", "dags/lib/factories.py"}


def test_dags_built_by_factories_in_sibling_modules_are_found(converted):
    planned, _, _ = converted
    dags = {d.dag.dag_id: d.dag for d in planned.plan.dags}
    orders = dags["export_orders"]
    assert [t.task_id for t in orders.tasks] == ["export_orders", "export_orders_archive"]
    assert [(e.upstream, e.downstream) for e in orders.edges] == [("export_orders", "export_orders_archive")]
    assert orders.tasks[0].source.file == "dags/lib/factories.py"  # where the operator is written
    assert orders.complete and "export_customers" in dags


def test_runtime_data_in_an_estate_module_is_a_diagnostic_naming_that_module(converted):
    planned, _, _ = converted
    dags = {d.dag.dag_id: d.dag for d in planned.plan.dags}
    assert not dags["dynamic"].complete and dags["dynamic"].tasks == ()
    (file,) = [f for f in planned.project.files if f.path == "dags/estate.py"]
    located = [(d.file, d.line) for d in file.diagnostics if d.code == "A2D201"]
    assert located == [("dags/lib/factories.py", 18)]


def test_a_subclass_with_its_own_defaults_runs_as_airflow_would(converted, monkeypatch):
    _, module, out = converted
    asset = next(a for a in module.defs.assets if a.key.path[-1] == "echo")
    dg.materialize([asset], tags={"airflow/logical_date": "2024-01-15T00:00:00+00:00"}, raise_on_error=True)
    assert (out / "hello.txt").read_text() == "hello\n"


def test_a_broken_or_cyclic_estate_module_is_a_diagnostic_never_a_traceback(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "broken.py").write_text("def oops(:\n")
    (dags / "a.py").write_text("from b import VALUE\n")  # a chain of estate modules
    (dags / "b.py").write_text("VALUE = 2\n")
    (dags / "c.py").write_text("from d import Y\nX = 1\n")  # a cycle: Python itself would fail on it
    (dags / "d.py").write_text("from c import X\nY = 2\n")
    (dags / "uses.py").write_text(
        "from datetime import datetime\nfrom airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
        "from broken import BrokenOperator\nfrom a import VALUE\nfrom c import X\n"
        "with DAG('uses', schedule=None, start_date=datetime(2024, 1, 1)):\n"
        "    BrokenOperator(task_id='broken')\n    BashOperator(task_id='value', bash_command=f'echo {VALUE}')\n"
    )
    project = scan_project(dags, jobs=1, use_cache=False)
    (uses,) = [f for f in project.files if f.path == "uses.py"]
    assert [(d.code, d.line) for d in uses.diagnostics if d.code == "A2D105"] == [("A2D105", 4)]
    assert "broken.py" in next(d.message for d in uses.diagnostics if d.code == "A2D105")
    tasks = {t.task_id: t for t in uses.dags[0].tasks}
    assert tasks["value"].arguments["bash_command"] == "echo 2"
    assert tasks["broken"].operator == "broken.BrokenOperator"  # stays the name it was imported as
    assert not [d for f in project.files for d in f.diagnostics if d.severity == "error" and d.file != "broken.py"]


def test_a_changed_estate_module_is_scanned_again(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "settings.py").write_text("COMMAND = 'echo one'\n")
    (dags / "uses.py").write_text(
        "from datetime import datetime\nfrom airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
        "from settings import COMMAND\n"
        "with DAG('uses', schedule=None, start_date=datetime(2024, 1, 1)):\n"
        "    BashOperator(task_id='run', bash_command=COMMAND)\n"
    )
    cache = tmp_path / "cache"

    def command() -> str:
        project = scan_project(dags, jobs=1, cache_dir=cache)
        return next(f for f in project.files if f.path == "uses.py").dags[0].tasks[0].arguments["bash_command"]

    assert command() == "echo one"
    (dags / "settings.py").write_text("COMMAND = 'echo two'\n")
    assert command() == "echo two"


def test_the_inventory_json_lists_tasks_of_estate_classes_under_their_class(converted, tmp_path):
    planned, _, _ = converted
    tasks = [t for d in planned.plan.dags for t in d.tasks if t.task.operator.startswith("ops.")]
    assert json.dumps(sorted({t.task.operator for t in tasks})) == json.dumps(
        sorted(
            [
                "ops.CountOperator",
                "ops.EchoOperator",
                "ops.LoudEchoOperator",
                "ops.SilentOperator",
                "ops.StandardPodOperator",
            ]
        )
    )


COPIED = '''
from datetime import datetime

from airflow import DAG
from airflow.models import BaseOperator
from airflow.providers.sqlite.hooks.sqlite import SqliteHook

SUFFIX = ".txt"


class WriteReportOperator(BaseOperator):
    """Writes its rendered text to a file: its own attributes, template_fields, self.log, a module constant."""

    template_fields = ("text",)

    def __init__(self, folder, text, **kwargs):
        super().__init__(**kwargs)
        self.folder = folder
        self.text = text

    def execute(self, context):
        path = f"{{self.folder}}/{{self.task_id}}{{SUFFIX}}"
        self.log.info("writing %s", path)
        with open(path, "w") as handle:
            handle.write(self.text)
        return path


class CountRowsOperator(BaseOperator):
    def __init__(self, table, sqlite_conn_id="warehouse", **kwargs):
        super().__init__(**kwargs)
        self.table = table
        self.sqlite_conn_id = sqlite_conn_id

    def execute(self, context):
        return SqliteHook(sqlite_conn_id=self.sqlite_conn_id).get_first(f"select count(*) from {{self.table}}")[0]


with DAG("copied", schedule=None, start_date=datetime(2024, 1, 1)):
    WriteReportOperator(task_id="report", folder="{folder}", text="rows for {{{{ ds }}}}", retries=2)
    CountRowsOperator(task_id="count", table="orders")
'''


@pytest.fixture(scope="module")
def copied(tmp_path_factory):
    root = tmp_path_factory.mktemp("estatecopy")
    out = root / "out"
    out.mkdir()
    (root / "copied.py").write_text(textwrap.dedent(COPIED.format(folder=out)).lstrip(), encoding="utf-8")
    planned = scan_and_plan(root, use_cache=False, read_migration_state=False)
    generate(planned.plan, root / "estatecopy_defs", dags_folder=root, force=True)
    with imported_package(root, "estatecopy_defs"):
        yield planned, importlib.import_module("estatecopy_defs.dags.copied"), out


def _materialize(module, task_id):
    asset = next(a for a in module.defs.assets if a.key.path[-1] == task_id)
    result = dg.materialize([asset], tags={"airflow/logical_date": "2024-01-15T00:00:00+00:00"}, raise_on_error=True)
    return result.output_for_node(asset.op.name)


def test_a_base_operator_class_of_the_file_runs_as_the_asset_body(copied):
    planned, module, out = copied
    task = _task(planned, "copied", "report")
    assert task.disposition == "JUDG"
    assert "runs as the asset body on a Dagster-side BaseOperator" in task.translation.reason
    assert _materialize(module, "report") == f"{out}/report.txt"
    assert (out / "report.txt").read_text() == "rows for 2024-01-15"  # template_fields rendered as Airflow does


def test_a_copied_operator_class_queries_through_the_support_hook(copied, tmp_path, monkeypatch):
    planned, module, _ = copied
    task = _task(planned, "copied", "count")
    assert task.disposition == "JUDG" and "SqliteHook" in " ".join(task.translation.notes)
    database = tmp_path / "warehouse.db"
    with sqlite3.connect(database) as connection:
        connection.execute("create table orders (id int)")
        connection.executemany("insert into orders values (?)", [(1,), (2,), (3,)])
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", json.dumps({"conn_type": "sqlite", "host": str(database)}))
    assert _materialize(module, "count") == 3


def test_an_estate_function_given_as_a_callback_stays_an_import(tmp_path):
    dags = tmp_path / "dags"
    (dags / "include").mkdir(parents=True)
    (dags / "include" / "alerts.py").write_text("def notify(context):\n    return context\n")
    (dags / "uses.py").write_text(
        "from datetime import datetime\nfrom airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
        "from include.alerts import notify\n"
        "with DAG('uses', schedule=None, start_date=datetime(2024, 1, 1), "
        "default_args={'on_failure_callback': notify}):\n"
        "    BashOperator(task_id='run', bash_command='echo', on_success_callback=notify)\n"
    )
    project = scan_project(dags, jobs=1, use_cache=False)
    (dag,) = [d for f in project.files for d in f.dags]
    assert dag.default_args["on_failure_callback"] == ir.RefValue("include.alerts.notify")
    assert dag.tasks[0].arguments["on_success_callback"] == ir.RefValue("include.alerts.notify")
