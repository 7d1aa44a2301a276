"""A DAG's ``template_searchpath``: Airflow looks there for template files (``bash_command="greet.sh"``) after the
DAG's folder. Its folders are paths of the Airflow deployment (``/usr/local/airflow/include/scripts``); the scan
places each in the converted tree by its last parts, the generated asset reads the file from there (else the
asset would fail where its Airflow task ran), and a folder found nowhere is a warning naming it."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from converters.convert import convert_project
from converters.inventory.project import scan_project
from tests.unit.generated import imported_package, task_value

DAG_FILE = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    "{dag_id}",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    template_searchpath={searchpath!r},
):
    BashOperator(task_id="greet", bash_command="greet.sh")
"""


def estate(root: Path) -> Path:
    repo = root / "repo"
    (repo / "dags").mkdir(parents=True)
    (repo / "include" / "scripts").mkdir(parents=True)
    (repo / "include" / "scripts" / "greet.sh").write_text('echo "hello {{ ds }} from {{ dag.dag_id }}"\n')
    (repo / "tests" / "sql").mkdir(parents=True)  # a folder named like another entry's last part, elsewhere
    (repo / "dags" / "sql").mkdir()
    deployed = ["/usr/local/airflow/include/scripts/", "/usr/local/airflow/dags/sql"]
    (repo / "dags" / "greeting.py").write_text(DAG_FILE.format(dag_id="greeting", searchpath=deployed))
    (repo / "dags" / "lost.py").write_text(DAG_FILE.format(dag_id="lost", searchpath="/srv/templates"))
    (repo / "dags" / "absolute.py").write_text(DAG_FILE.format(dag_id="absolute", searchpath=["/"]))
    return repo


def test_each_folder_is_placed_in_the_tree_by_its_last_parts(tmp_path: Path):
    project = scan_project(estate(tmp_path), use_cache=False)
    dags = {dag.dag_id: dag for file in project.files for dag in file.dags}
    assert dags["greeting"].template_searchpath == (
        "/usr/local/airflow/include/scripts/",
        "/usr/local/airflow/dags/sql",
    )
    # `dags/sql` (two parts in common) rather than `tests/sql` (one)
    assert dags["greeting"].template_folders == ("include/scripts", "dags/sql")
    assert dags["absolute"].template_folders == ()  # "/": absolute template paths, read as written
    warnings = [d for file in project.files for d in file.diagnostics if d.code == "A2D237"]
    assert [(w.file, w.line) for w in warnings] == [("dags/lost.py", 7)]  # the `with DAG(` line
    assert "'/srv/templates' is no folder of the scanned tree" in warnings[0].message


def test_two_equally_near_folders_are_not_guessed(tmp_path: Path):
    repo = estate(tmp_path)
    (repo / "dags" / "a" / "scripts").mkdir(parents=True)
    (repo / "dags" / "b" / "scripts").mkdir(parents=True)
    (repo / "dags" / "greeting.py").write_text(DAG_FILE.format(dag_id="greeting", searchpath="/opt/x/scripts"))
    (repo / "include" / "scripts").rename(repo / "include" / "other")
    project = scan_project(repo, use_cache=False)
    greeting = next(d for f in project.files for d in f.dags if d.dag_id == "greeting")
    assert greeting.template_folders == ()
    (warning,) = [d for f in project.files if f.path == "dags/greeting.py" for d in f.diagnostics if d.code == "A2D237"]
    assert "matches 2 folders of the scanned tree (dags/a/scripts, dags/b/scripts)" in warning.message


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("searchpath")
    repo = estate(root)
    result = convert_project(repo, root / "searchpath_defs", force=True, use_cache=False)
    assert result.generated.problems == []
    with imported_package(root, "searchpath_defs"):
        yield root


def test_the_asset_reads_the_template_file_from_the_placed_folder(converted: Path):
    text = (converted / "searchpath_defs" / "dags" / "greeting.py").read_text()
    assert 'template_folders=("include/scripts", "dags/sql")' in text
    module = importlib.import_module("searchpath_defs.dags.greeting")
    assert task_value(module, "greet") == "hello 2024-01-15 from greeting"
