"""Real estates nest DAG files deep (``datasets/<name>/pipelines/<name>/<name>_dag.py``) and give DAGs ids of a
hundred characters: the generated code still passes its lint without a silenced line (a path in a docstring or a
comment longer than a line is cut; the smoke test's name stays under the limit)."""

from __future__ import annotations

from converters.codegen.wrap import LINE_LENGTH
from converters.convert import convert_project

NAME = "race_and_economic_opportunity_national_child_and_parent_income_transition_matrices_by_race_and_gender"

DAG_FILE = f"""
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("{NAME}.{NAME}_for_children", schedule="@daily", start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="transform_csv", bash_command="echo {{{{ ds }}}}")
"""


def test_deep_paths_and_long_dag_ids_generate_lint_clean_code(tmp_path):
    folder = tmp_path / "estate" / "datasets" / NAME / "pipelines" / f"{NAME}_for_children"
    folder.mkdir(parents=True)
    (folder / f"{NAME}_for_children_dag.py").write_text(DAG_FILE)
    out = tmp_path / "long_defs"
    result = convert_project(tmp_path / "estate", out, force=True, use_cache=False)
    assert result.generated.problems == []  # ruff's E501 among them: a line of one word (a name) may be longer
    for path in out.rglob("*.py"):
        if path.parent.name == "support":  # copied verbatim, not generated
            continue
        text = path.read_text(encoding="utf-8")
        assert "noqa" not in text, path
        long = [line for line in text.splitlines() if len(line) > LINE_LENGTH and " " in line.strip()]
        assert long == [], path
    (smoke,) = (out / "tests").glob("test_race_*.py")
    assert "def test_the_assets_load_with_their_upstream_assets():" in smoke.read_text(encoding="utf-8")
