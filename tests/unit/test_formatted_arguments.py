"""Arguments built by comprehensions of f-strings: `[f"{k}={v}" for k, v in params.items()]`.

Over literals the scan gives Python's own text (a list value prints as Python prints it; a dict view or a set the
scan holds as a list is never printed). In an estate module's helper over the DAG file's `params` holding code
(a date computed when the file is parsed), each such f-string is carried as itself with its names bound to the
literal or to the file's carried code; `if flag not in args: args.append(flag)` is decided when no f-string can be
the flag, and a list grown under a condition the scan cannot decide is unknown afterwards.
"""

from __future__ import annotations

import importlib
import sys
import textwrap

import pytest

from converters.codegen import generate
from converters.flow import scan_and_plan
from converters.inventory import ir
from converters.inventory.scan import scan_source


def _arguments(source: str) -> dict:
    file = scan_source(textwrap.dedent(source), "args.py")
    (dag,) = file.dags
    (task,) = dag.tasks
    return task.arguments


def test_a_comprehension_over_literals_gives_pythons_text():
    arguments = _arguments(
        """
        from airflow import DAG
        from airflow.operators.bash import BashOperator

        PARAMS = {"step": "ingest", "step.files": ["a.tsv", "b.tsv"], "step.n": 3, "step.dry": False}

        with DAG("d", schedule=None):
            BashOperator(task_id="t", bash_command=" ".join(f"{k}={v}" for k, v in PARAMS.items()) + f" {'x'!r}")
        """
    )
    assert arguments["bash_command"] == "step=ingest step.files=['a.tsv', 'b.tsv'] step.n=3 step.dry=False 'x'"


def test_a_value_python_prints_as_another_type_is_not_written():
    arguments = _arguments(
        """
        from airflow import DAG
        from airflow.operators.bash import BashOperator

        PARAMS = {"a": 1}
        KEYS = PARAMS.keys()

        with DAG("d", schedule=None):
            BashOperator(task_id="t", bash_command=f"echo {KEYS}")
        """
    )
    assert not isinstance(arguments["bash_command"], str)  # Python prints dict_keys(['a']), not ['a']


def test_a_list_grown_under_a_runtime_condition_is_unknown_afterwards():
    arguments = _arguments(
        """
        import os

        from airflow import DAG
        from airflow.operators.bash import BashOperator

        ARGS = ["run"]
        if os.environ.get("DRY"):
            ARGS.append("--dry")

        with DAG("d", schedule=None):
            BashOperator(task_id="t", bash_command=" ".join(ARGS))
        """
    )
    assert not isinstance(arguments["bash_command"], str)


HELPER = """
def to_cli(params, session=False):
    args = [f"{k}={v}" for k, v in params.items()]
    flag = "step.session=yarn"
    if session and flag not in args:
        args.append(flag)
    return args


def submit(task_id, params):
    from airflow.providers.google.cloud.operators.dataproc import DataprocSubmitJobOperator

    return DataprocSubmitJobOperator(
        task_id=task_id,
        region="europe-west1",
        project_id="analytics",
        job={"placement": {"cluster_name": "etl"},
             "pyspark_job": {"main_python_file_uri": "gs://jobs/cli.py", "args": to_cli(params, session=True)}},
    )
"""

DAG_FILE = """
from datetime import datetime

from airflow import DAG
from jobs.steps import submit

RUN_DATE = datetime.now().strftime("%Y")

with DAG("steps", schedule=None, start_date=datetime(2024, 1, 1)):
    submit("curate", {"step": "curate", "step.files": ["a.tsv", "b.tsv"], "step.out": f"gs://out/{RUN_DATE}.tsv"})
"""


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("formatted")
    dags = root / "dags"
    for relative, text in {"steps.py": DAG_FILE, "jobs/__init__.py": "", "jobs/steps.py": HELPER}.items():
        (dags / relative).parent.mkdir(parents=True, exist_ok=True)
        (dags / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    (dags / ".airflowignore").write_text("jobs\n", encoding="utf-8")
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    generate(planned.plan, root / "formatted_defs", dags_folder=dags, force=True)
    sys.path.insert(0, str(root))
    try:
        yield planned, importlib.import_module("formatted_defs.logic.steps")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.startswith(("formatted_defs", "jobs"))]:
            del sys.modules[name]


def test_an_estate_helpers_f_string_over_the_files_code_is_carried(converted):
    planned, logic = converted
    (task,) = [t for d in planned.plan.dags for t in d.tasks]
    assert task.disposition != "NONE", task.translation.reason
    args = task.task.arguments["job"]["pyspark_job"]["args"]
    assert args[:2] == ["step=curate", "step.files=['a.tsv', 'b.tsv']"]
    assert isinstance(args[2], ir.CodeValue)
    year = str(__import__("datetime").datetime.now().year)
    assert getattr(logic, args[2].name)() == f"step.out=gs://out/{year}.tsv"
    # No f-string of the list can be the flag: it is appended, as Airflow did.
    assert args[3:] == ["step.session=yarn"]
