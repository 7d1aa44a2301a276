"""``BaseOperator`` subclasses of other estate modules (plugins/, a shared package): each class a task runs is copied
alone, with its bases and what they need, into a logic module of its own; a class the rules refuse leaves no code.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from converters.convert import convert_project
from tests.unit.generated import imported_package, task_value

DAG_FILE = """
import os
from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator
from operators.broken import BrokenOperator
from operators.count_rows import CountRowsOperator
from operators.env_bound import EnvOperator
from operators.loud import LoudCountOperator

LIMIT = int(os.environ["PIPELINE_LIMIT"])


def hello():
    return "hi" * LIMIT


with DAG("pipeline", schedule=None, start_date=datetime(2024, 1, 1), default_args={"owner": "data", "retries": 2}):
    CountRowsOperator(task_id="count", rows=[1, 2, 3])
    LoudCountOperator(task_id="loud", rows=[1], name="loud")
    BrokenOperator(task_id="broken")
    EnvOperator(task_id="env")
    PythonOperator(task_id="hello", python_callable=hello)
"""

COUNT_ROWS = """
from airflow.models import BaseOperator
from airflow.utils.context import Context
from airflow.utils.decorators import apply_defaults
from common.text import label

FACTOR = 2


def _double(n):
    return n * FACTOR


class CountRowsOperator(BaseOperator):
    template_fields = ("name",)

    @apply_defaults
    def __init__(self, rows, name="rows of {{ ds }}", **kwargs):
        super().__init__(**kwargs)
        self.rows = rows
        self.name = name

    def execute(self, context: Context):
        self.log.info("counting %s rows", len(self.rows))
        return label(self.name, _double(len(self.rows)))


class UnusedOperator(BaseOperator):
    def execute(self, context):
        return None
"""

LOUD = """
from __future__ import annotations

from operators.count_rows import CountRowsOperator


class LoudCountOperator(CountRowsOperator):
    def loud(self) -> LoudCountOperator:  # its own class, named before it exists: fine with lazy annotations
        return self

    def execute(self, context):
        return super(LoudCountOperator, self.loud()).execute(context).upper()
"""

BROKEN = """
import not_an_installed_package_a2d
from airflow.models import BaseOperator, Variable
from airflow.models.dagrun import DagRun

SETTING = Variable.get("a2d_missing_setting")


class BrokenOperator(BaseOperator):
    def execute(self, context):
        runs = DagRun.find(dag_id="pipeline")
        return not_an_installed_package_a2d.send(SETTING, len(runs))
"""


TEXT = """
from airflow import AirflowException
from airflow.models.taskinstance import Context


def label(name, n, context: Context | None = None):
    if n < 0:
        raise AirflowException(f"{name}: a negative count")
    return f"{name}: {n}"
"""

ENV_BOUND = """
import os

from airflow.models import BaseOperator

ATTEMPTS = int(os.environ["A2D_ATTEMPTS"])


class EnvOperator(BaseOperator):
    def execute(self, context):
        return ATTEMPTS
"""


CALL = """
from airflow.models import BaseOperator


class CallOperator(BaseOperator):
    def __init__(self, python_callable, **kwargs):
        super().__init__(**kwargs)
        self.python_callable = python_callable

    def execute(self, context):
        return self.python_callable()
"""

CALLER = """
from datetime import datetime

from airflow import DAG
from operators.call import CallOperator


def shout():
    return "HI"


with DAG("caller", schedule=None, start_date=datetime(2024, 1, 1)):
    CallOperator(task_id="call", python_callable=shout)
"""


def _estate(root: Path) -> None:
    files = {
        "dags/pipeline.py": DAG_FILE,
        "plugins/operators/__init__.py": "",
        "plugins/operators/count_rows.py": COUNT_ROWS,
        "plugins/operators/loud.py": LOUD,
        "plugins/operators/broken.py": BROKEN,
        "plugins/operators/env_bound.py": ENV_BOUND,
        "plugins/operators/call.py": CALL,
        "dags/caller.py": CALLER,
        "plugins/common/__init__.py": "",
        "plugins/common/text.py": TEXT,
    }
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("estatealone")
    _estate(root / "estate")
    out = root / "alone_defs"
    result = convert_project(root / "estate", out, force=True, use_cache=False)
    with imported_package(root, "alone_defs"):
        yield (
            result,
            out,
            importlib.import_module("alone_defs.dags.pipeline"),
            importlib.import_module("alone_defs.dags.caller"),
        )


def _task(result, task_id):
    return next(t for d in result.plan.dags for t in d.tasks if t.task.task_id == task_id)


_materialize = task_value


def test_a_plugin_class_runs_as_the_asset_body_from_its_own_logic_module(converted):
    result, out, module, _ = converted
    task = _task(result, "count")
    assert task.disposition == "JUDG", task.translation.reason
    assert "runs as the asset body on a Dagster-side BaseOperator" in task.translation.reason
    assert task.translation.logic_class == "operators.count_rows.CountRowsOperator"
    body = (out / "dags" / "pipeline.py").read_text(encoding="utf-8")
    assert 'load_logic("estate_class__operators__count_rows__countrowsoperator").CountRowsOperator' in body
    # its module's helper and constant, and the Airflow-free sibling module of plugins/, copied with it
    assert _materialize(module, "count") == "rows of 2024-01-15: 6"


def test_the_copied_class_module_holds_only_what_the_class_needs(converted):
    _, out, _, _ = converted
    code = (out / "logic" / "estate_class__operators__count_rows__countrowsoperator.py").read_text(encoding="utf-8")
    assert "class CountRowsOperator(BaseOperator):" in code and "FACTOR = 2" in code
    assert "# from plugins/common/text.py\ndef label(name, n, context: Context | None = None):" in code
    # Airflow's names bound to support's: the context type (re-exported by two modules: one name), apply_defaults
    assert "from ..support.runtime import AirflowException, BaseOperator, Context, apply_defaults" in code
    assert "UnusedOperator" not in code and "from common" not in code
    ruff = Path(sys.executable).parent / "ruff"
    checked = subprocess.run([ruff, "check", "--no-cache", str(out / "logic")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout


def test_a_class_chained_through_another_estate_class_copies_its_base(converted):
    result, out, module, _ = converted
    task = _task(result, "loud")
    assert task.disposition == "JUDG", task.translation.reason
    code = (out / "logic" / "estate_class__operators__loud__loudcountoperator.py").read_text(encoding="utf-8")
    assert "# from plugins/operators/count_rows.py\nclass CountRowsOperator(BaseOperator):" in code
    # its module's `from __future__ import annotations` comes with it: `-> LoudCountOperator` inside the class
    assert '"""\n\nfrom __future__ import annotations\n' in code
    assert _materialize(module, "loud") == "LOUD: 2"


def test_a_rejected_class_leaves_no_code_and_the_file_logic_is_still_checked(converted):
    result, out, _, _ = converted
    broken = _task(result, "broken")
    assert broken.disposition == "NONE"
    assert "Airflow APIs with no Dagster-side equivalent here" in broken.translation.reason
    assert "operators.broken.BrokenOperator (plugins/operators/broken.py:" in broken.translation.reason
    assert "airflow.models.dagrun.DagRun" in broken.translation.reason
    # neither its code nor its imports (a missing package, a Variable read at import) reach the generated package
    generated = "".join(p.read_text(encoding="utf-8") for p in (out / "logic").glob("*.py"))
    assert "BrokenOperator" not in generated and "not_an_installed_package_a2d" not in generated
    # the DAG file's own logic is still imported, and its import error still keeps its task in Airflow
    hello = _task(result, "hello")
    assert hello.disposition == "NONE"
    assert hello.translation.reason.startswith("its code, copied to logic/dags__pipeline.py, does not import: ")
    assert "ValueError" in hello.translation.reason


def test_a_copied_class_whose_module_does_not_import_stays_in_airflow_and_leaves_no_file(converted):
    result, out, _, _ = converted
    task = _task(result, "env")
    assert task.disposition == "NONE"
    module = "estate_class__operators__env_bound__envoperator"
    assert task.translation.reason.startswith(f"its code, copied to logic/{module}.py, does not import: ValueError")
    assert not (out / "logic" / f"{module}.py").exists()


def test_the_scan_records_each_copied_class_and_the_modules_it_read(converted):
    result, _, _, _ = converted
    (file,) = [f for f in result.plan.files if f.path == "dags/pipeline.py"]
    copied = {c.qualified: c for c in file.estate_logic}
    assert set(copied) == {
        "operators.count_rows.CountRowsOperator",
        "operators.loud.LoudCountOperator",
        "operators.broken.BrokenOperator",
        "operators.env_bound.EnvOperator",
    }
    assert copied["operators.loud.LoudCountOperator"].copied.source.file == "plugins/operators/loud.py"
    assert copied["operators.broken.BrokenOperator"].copied.airflow_names == (
        "airflow.models.BaseOperator",
        "airflow.models.Variable",
        "airflow.models.dagrun.DagRun",
    )
    # a change to a module a class was copied from invalidates the file's cached scan
    assert {"plugins/common/text.py", "plugins/operators/count_rows.py"} <= set(file.code_modules)


def test_an_argument_that_is_the_dag_files_function_comes_from_the_files_logic(converted):
    result, out, _, caller = converted
    task = _task(result, "call")
    assert task.disposition == "JUDG", task.translation.reason
    body = (out / "dags" / "caller.py").read_text(encoding="utf-8")
    assert 'logic = load_logic("dags__caller")' in body and '"python_callable": logic.shout' in body
    assert _materialize(caller, "call") == "HI"


def test_a_copied_class_deriving_from_an_airflow_only_name_fails_saying_so(converted):
    runtime = importlib.import_module("alone_defs.support.runtime")
    base = runtime.airflow_only("airflow.providers.http.operators.http.SimpleHttpOperator")
    with pytest.raises(TypeError, match=r"class ChatOperator derives from airflow\.providers\.http\.operators"):

        class ChatOperator(base):
            pass
