"""A task's callable (or its helpers) from an estate module that imports Airflow: the helper's own code is copied
into the logic module, not the module imported (the Dagster side has no Airflow). Star imports of estate modules
are followed. The plan says what the copied code needs, and the generated asset runs it."""

from __future__ import annotations

import importlib
import sys
import textwrap

import dagster as dg
import pytest

from converters.codegen import generate
from converters.flow import scan_and_plan
from converters.inventory.project import scan_project

DAG_HEADER = """
from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator
"""
FILES = {
    "star.py": DAG_HEADER
    + """from pkg.jobs import *

with DAG("star", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="sites", python_callable=get_sites)
    PythonOperator(task_id="plain", python_callable=count)
""",
    "explicit.py": DAG_HEADER
    + """import logging

from pkg.jobs import get_sites
from pkg.plain import *

conf = {"dir": "not the helper's"}
logger = logging.getLogger(__name__)


def log_it():
    logger.info("written alike in the helper module: one logger")
    return 1


def local():
    return conf["dir"]


with DAG("explicit", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="sites", python_callable=get_sites)
    PythonOperator(task_id="local", python_callable=local)
    PythonOperator(task_id="log_it", python_callable=log_it)
    PythonOperator(task_id="plain", python_callable=count)
""",
    # The helper module is needed first by the file's own function, the module importing it only after.
    "general_first.py": DAG_HEADER
    + """from pkg import general
from pkg.jobs import get_sites


def where():
    return general.config["dir"]


with DAG("general_first", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="where", python_callable=where)
    PythonOperator(task_id="sites", python_callable=get_sites)
""",
    "pkg/__init__.py": "",
    "pkg/general.py": """from airflow.models import Variable


def build_config(env):
    return {"dir": f"/data/{env}"}


config = build_config("prod")
""",
    "pkg/jobs.py": """import logging

from airflow.models import Variable
from pkg import general
from pkg.plain import count

conf = general.config
logger = logging.getLogger(__name__)


def get_sites():
    logger.info("sites")
    return f"{conf['dir']}/{Variable.get('site')}/{count()}"
""",
    "pkg/plain.py": "def count():\n    return 3\n",
}


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    root = tmp_path_factory.mktemp("helpers")
    dags = root / "dags"
    for relative, text in FILES.items():
        (dags / relative).parent.mkdir(parents=True, exist_ok=True)
        (dags / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    (dags / ".airflowignore").write_text("pkg\n", encoding="utf-8")
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    generate(planned.plan, root / "helpers_defs", dags_folder=dags, force=True)
    sys.path.insert(0, str(root))
    try:
        yield planned, dags, root
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.startswith(("helpers_defs", "pkg"))]:
            del sys.modules[name]


def _task(planned, dag_id, task_id):
    return next(t for d in planned.plan.dags if d.dag.dag_id == dag_id for t in d.tasks if t.task.task_id == task_id)


@pytest.mark.parametrize(
    ("dag_id", "task_id", "disposition", "reason"),
    [
        ("star", "sites", "JUDG", "the callable runs as the asset body"),  # reads a Variable
        ("star", "plain", "MECH", "the callable runs as the asset body"),  # imported from the DAGs folder
        ("explicit", "sites", "JUDG", "the callable runs as the asset body"),
        ("explicit", "log_it", "MECH", "the callable runs as the asset body"),
        # The file's own `conf` and the helper module's `conf` are two bindings of one name in one logic module.
        (
            "explicit",
            "local",
            "NONE",
            "local uses names its file does not define: conf "
            "(bound by the file and by an estate module it copies from)",
        ),
    ],
)
def test_plan(estate, dag_id, task_id, disposition, reason):
    planned, _, _ = estate
    task = _task(planned, dag_id, task_id)
    assert (task.disposition, task.translation.reason) == (disposition, reason)


def test_a_module_part_is_bound_before_the_module_reading_it_at_import_whatever_the_order_they_were_needed(estate):
    planned, dags, _ = estate
    logic = {f.path: f.logic for f in planned.project.files}["general_first.py"]
    assert logic.index("general = _module_part") < logic.index("conf = general.config")
    sys.path.insert(0, str(dags))  # where the copy imports the estate's Airflow-free modules from, as deployed
    try:
        module = importlib.import_module("helpers_defs.logic.general_first")  # runs its statements in order
    finally:
        sys.path.remove(str(dags))
    assert module.conf == {"dir": "/data/prod"} and module.where() == "/data/prod"


def test_the_helpers_code_is_copied_with_its_module_part(estate):
    planned, _, _ = estate
    logic = {f.path: f.logic for f in planned.project.files}["star.py"]
    assert "# from pkg/general.py\ndef build_config(env):" in logic
    assert "general = _module_part(config=config)" in logic
    assert logic.index("general = _module_part") < logic.index("conf = general.config")
    assert "from pkg.plain import count" in logic and "from pkg import" not in logic  # Airflow's are not imported


@pytest.mark.parametrize(
    ("module", "task_id", "value"), [("star", "sites", "/data/prod/north/3"), ("star", "plain", 3)]
)
def test_generated_assets_run_the_copied_helper(estate, monkeypatch, module, task_id, value):
    monkeypatch.setenv("AIRFLOW_VAR_SITE", "north")
    defs = importlib.import_module(f"helpers_defs.dags.{module}")
    asset = next(a for a in defs.defs.assets if a.key.path[-1] == task_id)
    result = dg.materialize([asset], tags={"airflow/logical_date": "2024-01-15T00:00:00+00:00"}, raise_on_error=True)
    assert result.output_for_node(asset.op.name) == value


def test_a_cached_scan_is_dropped_when_a_helper_module_changes(estate, tmp_path):
    _, dags, _ = estate
    cache = tmp_path / "cache"
    first = {f.path: f.logic for f in scan_project(dags, cache_dir=cache, jobs=1).files}
    helper = dags / "pkg" / "general.py"
    original = helper.read_text()
    try:
        helper.write_text(original.replace("/data/", "/srv/"))
        second = {f.path: f.logic for f in scan_project(dags, cache_dir=cache, jobs=1).files}
    finally:
        helper.write_text(original)
    assert '"/data/' in first["star.py"] and '"/srv/' in second["star.py"]


TASK_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.operators.docker_operator import DockerOperator

from utils.secrets import get_env_task
from utils.dates import get_date_filter

with DAG("containers", schedule=None, start_date=datetime(2024, 1, 1)):
    date_filter = get_date_filter(full=True)
    env_vars = get_env_task({"REGION": "vault/region"})
    load = DockerOperator(
        task_id="load",
        image="acme/load:1",
        command=f"./load.py {date_filter}",  # str(XComArg): Airflow's template pulling its value
        environment=env_vars,  # the XComArg itself: resolved when the task runs
    )
    date_filter >> load
"""
TASK_HELPERS = {
    "utils/__init__.py": "",
    "utils/secrets.py": """import os

from airflow.decorators import task

PREFIX = os.getenv("VAULT_PREFIX", "v1")


def lookup(path):
    return f"{PREFIX}:{path}"


@task(task_id="get_env")
def get_env_task(required):
    return {key: lookup(path) for key, path in required.items()}
""",
    "utils/dates.py": """from airflow.decorators import task


@task
def get_date_filter(full=False, **context):
    return "" if full else "-d " + context["ds"]
""",
}


@pytest.fixture(scope="module")
def containers(tmp_path_factory):
    root = tmp_path_factory.mktemp("containers")
    dags = root / "dags"
    for relative, text in {"containers.py": TASK_DAG, **TASK_HELPERS}.items():
        (dags / relative).parent.mkdir(parents=True, exist_ok=True)
        (dags / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    generate(planned.plan, root / "containers_defs", dags_folder=dags, force=True)
    sys.path.insert(0, str(root))
    try:
        yield planned, importlib.import_module("containers_defs.dags.containers")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.startswith(("containers_defs", "utils"))]:
            del sys.modules[name]


def test_calling_an_estate_task_function_adds_its_task_and_passes_its_xcom(containers):
    planned, _ = containers
    (dag,) = planned.project.files[0].dags
    assert [t.task_id for t in dag.tasks] == ["get_date_filter", "get_env", "load"]
    assert {(e.upstream, e.downstream) for e in dag.edges} == {("get_date_filter", "load"), ("get_env", "load")}
    load = next(t for t in dag.tasks if t.task_id == "load")
    template = "{{ task_instance.xcom_pull(task_ids='get_date_filter', dag_id='containers', key='return_value') }}"
    assert load.arguments["command"] == f"./load.py {template}"
    dispositions = {t.task.task_id: (t.disposition, t.translation.reason) for d in planned.plan.dags for t in d.tasks}
    assert dispositions == {
        "get_date_filter": ("MECH", "the callable runs as the asset body"),
        "get_env": ("MECH", "the callable runs as the asset body"),
        "load": ("JUDG", "the same image and command run through Pipes"),
    }


def test_the_container_gets_the_upstream_values_airflow_rendered(containers, monkeypatch):
    _, module = containers
    calls = []

    class FakeDocker(dg.ConfigurableResource):
        def run(self, **kwargs):
            calls.append({k: v for k, v in kwargs.items() if k != "context"})

    monkeypatch.setenv("VAULT_PREFIX", "v2")
    wanted = {"get_date_filter", "get_env", "load"}
    assets = [a for a in module.defs.assets if a.key.path[-1] in wanted]
    dg.materialize(
        assets,
        resources={"pipes_docker": FakeDocker()},
        tags={"airflow/logical_date": "2024-01-15T00:00:00+00:00"},
        raise_on_error=True,
    )
    assert calls == [{"image": "acme/load:1", "command": "./load.py ", "env": {"REGION": "v2:vault/region"}}]


def test_a_constant_of_an_estate_module_reaches_the_pod(tmp_path):
    """`image=IMAGE` imported from a helper module that imports Airflow: the pod runs that image (it was "the image
    is not a literal"), and the Airflow import of the helper module is not carried along."""
    dags = tmp_path / "dags"
    (dags / "utils").mkdir(parents=True)
    (dags / "utils" / "__init__.py").write_text("")
    (dags / "utils" / "settings.py").write_text(
        'from airflow.models import XCom\n\nREGISTRY = "acme"\nIMAGE = f"{REGISTRY}/warehouse:main"\n'
    )
    (dags / "pods.py").write_text(
        "from datetime import datetime\n\nfrom airflow import DAG\n"
        "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n"
        "from utils.settings import IMAGE\n\n"
        'with DAG("pods", schedule=None, start_date=datetime(2024, 1, 1)):\n'
        '    KubernetesPodOperator(task_id="run", image=IMAGE, cmds=["make"], namespace="jobs")\n'
    )
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    (task,) = [t for d in planned.plan.dags for t in d.tasks]
    assert (task.disposition, task.translation.reason) == ("MECH", "the same image and command run through Pipes")
    (file,) = [f for f in planned.project.files if f.dags]
    # the scan interprets the estate module (estate.py), so the f-string over its constant is known statically
    assert task.task.arguments["image"] == "acme/warehouse:main"
    assert "XCom" not in file.logic


def test_argument_code_never_leaves_a_namespace_without_its_parts(tmp_path):
    """Third-party code at import (moved into the argument's function) that also needs a module-level namespace of
    another helper module (`conf = general.config`): no order of lines is right, so nothing is copied, the argument
    keeps its import (NONE, named), and the logic still imports (the namespace's parts were not left half-copied)."""
    dags = tmp_path / "dags"
    (dags / "pkg").mkdir(parents=True)
    (dags / "pkg" / "__init__.py").write_text("")
    (dags / "pkg" / "general.py").write_text(
        "from airflow.models import Variable\n\n\ndef build(env):\n    return {'dir': env}\n\n\nconfig = build('x')\n"
    )
    (dags / "pkg" / "jobs.py").write_text(
        "from airflow.models import Variable\nfrom environs import Env\nfrom pkg import general\n\n"
        "conf = general.config\nenv = Env()\nPREFIX = env('PREFIX', conf['dir'])\n"
    )
    (dags / "d.py").write_text(
        "from datetime import datetime\n\nfrom airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
        "from pkg.jobs import PREFIX\n\n"
        'with DAG("d", schedule=None, start_date=datetime(2024, 1, 1)):\n'
        '    BashOperator(task_id="t", bash_command="echo $A", env={"A": PREFIX})\n'
    )
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    (task,) = [t for d in planned.plan.dags for t in d.tasks]
    assert (
        task.disposition == "NONE" and "calls pkg.jobs.PREFIX, whose module imports Airflow" in task.translation.reason
    )
    (file,) = [f for f in planned.project.files if f.dags]
    assert "_module_part(" not in file.logic_imports + file.logic.split("def _arg_")[0]
    compile(file.logic_imports + file.logic, "logic.py", "exec")


def test_an_import_inside_a_function_does_not_order_the_copied_modules(tmp_path):
    """`hooks` imports `db` only inside a function (it runs later); `db` imports `hooks` when it is imported and
    names its class in an annotation: `hooks`' code comes first in the copy, and the copy imports."""
    dags = tmp_path / "dags"
    (dags / "pkg").mkdir(parents=True)
    (dags / "pkg" / "__init__.py").write_text("")
    (dags / "pkg" / "hooks.py").write_text(
        "from airflow.models import Variable\n\n\nclass Hook:\n    def engine(self):\n"
        "        from pkg.db import Engine\n\n        return Engine()\n"
    )
    (dags / "pkg" / "db.py").write_text(
        "from pkg.hooks import Hook\n\n\nclass Engine:\n    def hook(self) -> Hook:\n        return Hook()\n"
    )
    (dags / "d.py").write_text(
        DAG_HEADER + "from pkg.db import Engine\n\n\n"
        "def second():\n    return type(Engine().hook()).__name__\n\n\n"
        'with DAG("d", schedule=None, start_date=datetime(2024, 1, 1)):\n'
        '    PythonOperator(task_id="second", python_callable=second)\n'
    )
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    (file,) = [f for f in planned.project.files if f.dags]
    assert file.logic.index("class Hook") < file.logic.index("class Engine")
    namespace: dict = {}
    exec(compile(file.logic, "logic", "exec"), namespace)  # the class is defined before the annotation naming it
    assert namespace["second"]() == "Hook"
