"""Generated logic modules import, hold no silenced name clash, and pass ruff; `convert` checks each by importing it.

One estate, converted once: each file is one way the copy used to go wrong (names only annotations or defaults
use, Airflow-only constants at module level, two DAGs of one file with their own helper of one name, trailing
whitespace inside a multi-line string, a helper of the DAGs folder that imports Airflow).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from functools import cache
from pathlib import Path

from converters.codegen.imports import logic_import_errors
from converters.convert import ConvertResult, convert_json, convert_project

FILES = {
    "annotated.py": """
        from datetime import datetime
        from typing import Any, Optional

        from airflow import DAG
        from airflow.datasets import Dataset
        from airflow.operators.python import PythonOperator
        from airflow.utils.dates import days_ago

        default_args = {"owner": "data", "start_date": days_ago(1)}
        ORDERS = Dataset("s3://bucket/orders")


        def extract(limit: Optional[int] = None, when: datetime = datetime(2024, 1, 1)) -> Any:
            return [default_args["owner"], limit, when.year]


        def publish(**context):
            context["outlet_events"][ORDERS].extra = {"rows": 1}


        with DAG("annotated", default_args=default_args, schedule=None):
            PythonOperator(task_id="extract", python_callable=extract)
            PythonOperator(task_id="publish", python_callable=publish, outlets=[ORDERS])
    """,
    "two_dags.py": """
        from airflow import DAG
        from airflow.decorators import dag
        from airflow.operators.python import PythonOperator

        from helpers import load_data


        def extract():
            return load_data()


        with DAG("first", schedule=None):
            PythonOperator(task_id="extract", python_callable=extract)


        @dag(dag_id="second", schedule=None)
        def second():
            def load_data():
                return 2

            PythonOperator(task_id="load", python_callable=load_data)


        second()
    """,
    # not indented here: the strings' own lines start at column 0 (and one holds only spaces)
    "spaces.py": (
        "from airflow import DAG\nfrom airflow.operators.python import PythonOperator\n\n"
        'QUERY = """select 1   \n   \nfrom t\t\n"""\n\n\ndef run():\n    return QUERY\n\n\n'
        'with DAG("spaces", schedule=None):\n    PythonOperator(task_id="run", python_callable=run)\n'
    ),
    "raw_spaces.py": (
        "from airflow import DAG\nfrom airflow.operators.python import PythonOperator\n\n"
        'PATTERN = r"""a   \n\\d"""\n\n\ndef run():\n    return PATTERN\n\n\n'
        'with DAG("raw_spaces", schedule=None):\n    PythonOperator(task_id="run", python_callable=run)\n'
    ),
    "uses_airflow_helper.py": """
        from airflow import DAG
        from airflow.operators.python import PythonOperator

        import common


        def run():
            return common.settings.NAME


        with DAG("uses_airflow_helper", schedule=None):
            PythonOperator(task_id="run", python_callable=run)
    """,
    "helpers.py": "def load_data():\n    return 1\n",
    "common.py": "from airflow.models import Variable\n\nsettings = Variable\n",
}


@cache
def _converted(root: str) -> ConvertResult:
    dags = Path(root) / "dags"
    dags.mkdir()
    for name, text in FILES.items():
        (dags / name).write_text(text if "spaces" in name else textwrap.dedent(text).lstrip(), encoding="utf-8")
    return convert_project(dags, Path(root) / "out" / "logic_defs", use_cache=False)


def _tasks(result: ConvertResult) -> dict[tuple[str, str], object]:
    return {(d.dag.dag_id, t.task.task_id): t for d in result.plan.dags for t in d.tasks}


def _import(root: Path, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=root / "out", capture_output=True, text=True, timeout=300, check=False
    )


def test_names_of_annotations_and_defaults_are_copied_and_airflow_constants_import(tmp_path_factory):
    root = tmp_path_factory.getbasetemp() / "logic_estate"
    root.mkdir(exist_ok=True)
    result = _converted(str(root))
    task = _tasks(result)[("annotated", "extract")]
    assert task.disposition == "MECH", task.reason
    publish = _tasks(result)[("annotated", "publish")]  # a Dataset is a value here, outlet events are Airflow's
    assert publish.disposition == "NONE" and "airflow.datasets.Dataset" in publish.reason
    done = _import(
        root,
        "from logic_defs.logic import annotated as m\n"
        "print(m.extract(3))\nprint(m.default_args['start_date'].tzinfo, m.ORDERS.uri)",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["['data', 3, 2024]", "UTC s3://bucket/orders"]


def test_two_dags_of_one_file_never_shadow_each_others_helpers(tmp_path_factory):
    root = tmp_path_factory.getbasetemp() / "logic_estate"
    root.mkdir(exist_ok=True)
    result = _converted(str(root))
    tasks = _tasks(result)
    assert tasks[("first", "extract")].disposition == "MECH"
    load = tasks[("second", "load")]
    assert load.disposition == "NONE" and "load_data" in load.reason
    logic = (root / "out" / "logic_defs" / "logic" / "two_dags.py").read_text()
    assert logic.count("load_data") == 2 and "def load_data" not in logic  # the import and its one use
    for path in (root / "out" / "logic_defs" / "logic").glob("*.py"):
        assert "noqa" not in path.read_text() or not {"F811", "F821"} & set(path.read_text().split()), path


def test_trailing_whitespace_in_strings_is_escaped_and_what_cannot_be_is_a_problem(tmp_path_factory):
    root = tmp_path_factory.getbasetemp() / "logic_estate"
    root.mkdir(exist_ok=True)
    result = _converted(str(root))
    text = (root / "out" / "logic_defs" / "logic" / "spaces.py").read_text()
    assert "noqa" not in text and not any(line != line.rstrip() for line in text.splitlines())
    done = _import(root, "from logic_defs.logic import spaces as m\nprint(repr(m.QUERY))")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == repr("select 1   \n   \nfrom t\t\n")
    # a raw string cannot be escaped: the file is not written as if clean, convert names it (exit 1)
    assert "logic/raw_spaces.py: generated code fails ruff W291" in result.generated.problems
    assert result.needs_attention


def test_a_logic_module_that_does_not_import_keeps_its_tasks_in_airflow(tmp_path_factory):
    root = tmp_path_factory.getbasetemp() / "logic_estate"
    root.mkdir(exist_ok=True)
    result = _converted(str(root))
    task = _tasks(result)[("uses_airflow_helper", "run")]
    assert task.disposition == "NONE"
    assert "logic/uses_airflow_helper.py, does not import" in task.reason and "airflow" in task.reason
    assert set(convert_json(result)["generated"]["unimportable_logic"]) == {"uses_airflow_helper"}
    module = (root / "out" / "logic_defs" / "dags" / "uses_airflow_helper.py").read_text()
    assert "dg.AssetSpec(" in module and "load_logic" not in module


def test_airflow_imports_under_an_if_are_known_and_their_decorators_dropped():
    """`if is_venv_installed(): from airflow.decorators import task`: `@task.branch()` is Airflow's, not copied code
    (kept, it was an undefined name in the logic, silenced as F821)."""
    from converters.inventory.scan import scan_source

    file = scan_source(
        "import random\nfrom airflow.operators.python import is_venv_installed\n"
        "if is_venv_installed():\n    from airflow.decorators import task\n    from airflow import DAG\n"
        "    MODE = 'a'\n"
        "    with DAG('d', schedule=None):\n"
        "        @task.branch()\n        def pick(choices):\n            return random.choice(choices)\n"
        "        pick(['a'])\n",
        "cond.py",
    )
    (callable_,) = file.callables
    assert callable_.unresolved == () and "@task" not in file.logic and "MODE" not in file.logic


def test_a_statement_that_stores_into_a_module_does_not_hide_its_import():
    """`os.environ["X"] = ...` reads ``os``; it was taken for the binding of ``os``, and `import os` was dropped."""
    from converters.inventory.scan import scan_source

    file = scan_source(
        "import os\nfrom airflow import DAG\nfrom airflow.operators.python import PythonOperator\n"
        "os.environ['B'] = os.environ.get('A', '')\n\n\ndef run():\n    return os.path.join('a', 'b')\n\n\n"
        "with DAG('d', schedule=None):\n    PythonOperator(task_id='t', python_callable=run)\n",
        "env.py",
    )
    assert file.logic_imports.strip() == "import os"


def test_a_callable_using_a_name_nothing_binds_is_not_copied():
    """A closure over its factory's parameter holding a value the scan cannot give (a name nothing binds): the task
    stays in Airflow and the logic holds no undefined name."""
    from converters.inventory.scan import scan_source

    file = scan_source(
        "from airflow import DAG\nfrom airflow.operators.python import PythonOperator\n\n\n"
        "def make(namespace, dag):\n    def clean(**kwargs):\n        return namespace\n\n"
        "    return PythonOperator(task_id='clean', python_callable=clean, dag=dag)\n\n\n"
        "def keep():\n    return 1\n\n\n"
        "with DAG('d', schedule=None) as dag:\n    make(NAMES[1], dag)\n"
        "    PythonOperator(task_id='k', python_callable=keep)\n",
        "closure.py",
    )
    closure = "namespace (a parameter of make, the function defining it: known when it is called)"
    assert {c.name: c.unresolved for c in file.callables} == {"clean": (closure,), "keep": ()}
    assert "def clean" not in file.logic and "def keep" in file.logic


def test_a_constant_rebound_from_itself_keeps_its_first_binding():
    """`period = detect()` then `period = refine(period)`: the second reads the first, which is copied too."""
    from converters.inventory.scan import scan_source

    file = scan_source(
        "from airflow import DAG\nfrom airflow.operators.python import PythonOperator\n\n\n"
        "def detect():\n    return 'A'\n\n\nperiod = detect()\nperiod = period + '1'\n\n\n"
        "def run():\n    return period\n\n\n"
        "with DAG('d', schedule=None):\n    PythonOperator(task_id='t', python_callable=run)\n",
        "rebind.py",
    )
    assert "period = detect()" in file.logic and "def detect" in file.logic
    namespace: dict = {}
    exec(compile(file.logic, "logic", "exec"), namespace)  # noqa: S102 - the test's own fixture
    assert namespace["run"]() == "A1"


def test_a_class_method_finds_a_function_defined_below_the_class():
    """A method reads its names when it is called, after the module ran: ``helper`` below the class is copied."""
    from converters.inventory.scan import scan_source

    file = scan_source(
        "from airflow import DAG\nfrom airflow.operators.python import PythonOperator\n\n\n"
        "class Engine:\n    def name(self):\n        return helper()\n\n\n"
        "def helper():\n    return 'h'\n\n\ndef run():\n    return Engine().name()\n\n\n"
        "with DAG('d', schedule=None):\n    PythonOperator(task_id='t', python_callable=run)\n",
        "cls.py",
    )
    (callable_,) = file.callables
    namespace: dict = {}
    exec(file.logic_imports + file.logic, namespace)  # noqa: S102 - the copied logic, as the asset imports it
    assert callable_.unresolved == () and namespace["run"]() == "h"


def test_a_closure_over_its_factorys_parameter_names_it():
    """`def cleanup(): ... namespace ...` inside `make_cleanup(namespace)`: the variable has a value only when the
    factory runs; the plan says so instead of calling it a name the file does not define."""
    from converters.inventory.scan import scan_source

    file = scan_source(
        "from airflow import DAG\nfrom airflow.operators.python import PythonOperator\n\n\n"
        "def make_cleanup(namespace, dag):\n    def cleanup():\n        return namespace\n\n"
        "    return PythonOperator(task_id='cleanup', python_callable=cleanup, dag=dag)\n\n\n"
        "with DAG('d', schedule=None) as dag:\n    make_cleanup(NAMESPACES[0], dag)\n",
        "closure.py",
    )
    (callable_,) = file.callables
    assert callable_.unresolved == (
        "namespace (a parameter of make_cleanup, the function defining it: known when it is called)",
    )


def test_airflow_context_type_and_re_exported_names_are_one_support_name():
    """`context: Context` imported from `airflow.models.taskinstance` (a re-export of `airflow.utils.context`), and
    `from airflow import AirflowException`: recorded under the defining module, so both bind support's names."""
    from converters.inventory import ir
    from converters.inventory.scan import scan_source
    from converters.plan import plan_project

    file = scan_source(
        "from airflow import DAG, AirflowException\nfrom airflow.models.taskinstance import Context\n"
        "from airflow.operators.python import PythonOperator\n\n\n"
        "def run(**context: Context):\n    if not context:\n        raise AirflowException('no context')\n"
        "    return len(context)\n\n\n"
        "with DAG('d', schedule=None):\n    PythonOperator(task_id='t', python_callable=run)\n",
        "typed.py",
    )
    (callable_,) = file.callables
    assert callable_.airflow_names == ("airflow.exceptions.AirflowException", "airflow.utils.context.Context")
    (task,) = plan_project(ir.Project(".", (file,))).dags[0].tasks
    assert task.disposition != "NONE", task.translation.reason


def test_a_helper_of_plugins_is_copied_with_its_type_checking_imports(tmp_path):
    """A callable using a class of `plugins/` (on Airflow's sys.path, not on the Dagster side's): the class is copied
    (its Airflow names then judged), never left as an import the Dagster side cannot resolve; `-> "Engine"` with
    `Engine` imported under `if TYPE_CHECKING:` gets its import."""
    from converters.inventory.project import scan_project

    files = {
        "dags/load.py": (
            "from airflow import DAG\nfrom airflow.operators.python import PythonOperator\n"
            "from warehouse import Warehouse\n\n\n"
            "def load():\n    return Warehouse().engine()\n\n\n"
            "with DAG('load', schedule=None):\n    PythonOperator(task_id='load', python_callable=load)\n"
        ),
        "plugins/warehouse.py": (
            "from typing import TYPE_CHECKING\n\nfrom airflow.models import Variable\n\n"
            "if TYPE_CHECKING:\n    from sqlalchemy.engine import Engine\n\n\n"
            "class Warehouse:\n    def engine(self) -> 'Engine':\n        return Variable.get('dsn')\n"
        ),
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    project = scan_project(tmp_path, use_cache=False)
    (file,) = [f for f in project.files if f.path == "dags/load.py"]
    assert "from warehouse" not in file.logic_imports
    assert "from sqlalchemy.engine import Engine" in file.logic_imports
    assert "# from plugins/warehouse.py\nclass Warehouse:" in file.logic
    assert "plugins/warehouse.py" in file.code_modules
    assert file.callables[0].unresolved == () and file.callables[0].airflow_names == ("airflow.models.Variable",)


PAST_MISSING_PACKAGES = {
    # Helpers of estate modules that import Airflow are copied; a module-level statement of one reads a module part
    # (``general.config``) and the estate imports a package this venv lacks: the check must reach that statement.
    "util/__init__.py": "",
    "util/general.py": """
        import a2d_absent_vendor_sdk
        from airflow.models import Variable

        config = {"bucket": "landing"}


        def client():
            return a2d_absent_vendor_sdk.Client(Variable.get("a2d_vendor_token", default_var=""))
    """,
    "jobs.py": """
        from airflow.models import Variable

        from util import general

        conf = general.config


        def pull():
            return general.client().get(conf["bucket"], Variable.get("a2d_prefix", default_var="raw"))
    """,
    "after_missing.py": """
        from airflow import DAG
        from airflow.operators.python import PythonOperator

        from jobs import pull

        with DAG("after_missing", schedule=None):
            PythonOperator(task_id="pull", python_callable=pull)
    """,
    # A module-level Variable the deployment sets (JSON) and this process lacks: not an error of the copy (the
    # check's environment placeholder is not JSON: the task was NONE for it).
    "deployment_variable.py": """
        from airflow import DAG
        from airflow.models import Variable
        from airflow.operators.python import PythonOperator

        CONFIG = Variable.get("a2d_vendor_settings", deserialize_json=True)
        URL = CONFIG["url"] + "/v1"


        def pull():
            return URL


        with DAG("deployment_variable", schedule=None):
            PythonOperator(task_id="pull", python_callable=pull)
    """,
}


def test_a_missing_package_does_not_hide_a_module_statement_that_fails(tmp_path):
    dags = tmp_path / "dags"
    for name, text in PAST_MISSING_PACKAGES.items():
        (dags / name).parent.mkdir(parents=True, exist_ok=True)
        (dags / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    result = convert_project(dags, tmp_path / "out" / "past_defs", use_cache=False)
    tasks = _tasks(result)
    # The copy imports (module parts in order); the package it lacks here is the estate's own dependency.
    assert tasks[("after_missing", "pull")].translation.disposition == "JUDG"
    # The Variable is read where the code location runs (the deployment sets it): not an error of the copy.
    assert tasks[("deployment_variable", "pull")].translation.disposition in ("MECH", "JUDG")
    # Past a package this venv lacks, the check still runs the module's own statements: a name read before
    # anything binds it fails wherever the module is deployed (on main it hid behind the missing package).
    logic = tmp_path / "out" / "past_defs" / "logic"
    (logic / "reads_too_early.py").write_text(
        "import a2d_absent_vendor_sdk\nfrom a2d_absent_vendor_sdk.client import Client\n\n"
        "SETTINGS = Client(a2d_absent_vendor_sdk.DEFAULTS).settings\nconf = general.config\n\n"
        "general = None\n",
        encoding="utf-8",
    )
    errors = logic_import_errors(tmp_path / "out" / "past_defs", ["reads_too_early", "after_missing"])
    assert errors == {"reads_too_early": "NameError: name 'general' is not defined (line 5)"}


def test_an_optional_environment_variable_reads_its_default_in_the_import_check(tmp_path):
    """Only ``os.environ[...]`` of a variable the check lacks reads its placeholder: ``get``, ``getenv`` and ``in``
    keep Python's meaning. A library reading an optional setting at import (protobuf reads
    PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION) got the placeholder and refused it: a real estate's two tasks were
    NONE for it."""
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "settings.py").write_text(
        textwrap.dedent(
            """
            import os

            from airflow import DAG
            from airflow.operators.python import PythonOperator

            BUCKET = os.environ["A2D_UNSET_BUCKET"]  # the deployment's: a placeholder here


            def _mode():
                mode = os.environ.get("A2D_UNSET_MODE", "python")
                if mode not in ("python", "cpp") or os.getenv("A2D_UNSET_LEVEL") is not None:
                    raise ValueError(f"unsupported mode {mode}")
                if "A2D_UNSET_MODE" in os.environ:
                    raise ValueError("an unset variable is not in the environment")
                return mode


            MODE = _mode()


            def run():
                return BUCKET, MODE


            with DAG("settings", schedule=None):
                PythonOperator(task_id="run", python_callable=run)
            """
        ).lstrip(),
        encoding="utf-8",
    )
    result = convert_project(dags, tmp_path / "out" / "settings_defs", use_cache=False)
    task = _tasks(result)[("settings", "run")]
    assert task.translation.disposition in ("MECH", "JUDG"), task.translation.reason
