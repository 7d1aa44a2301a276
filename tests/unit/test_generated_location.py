"""The committed dagster_defs/ is exactly what convert generates from airflow_dags/ today."""

from __future__ import annotations

import difflib
from pathlib import Path

from converters.codegen import generate, header_of
from converters.convert import convert_project
from converters.inventory.project import scan_project
from converters.plan import plan_project
from converters.runtime.envs import project_root


def _files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_committed_dagster_defs_matches_a_fresh_conversion(tmp_path):
    root = project_root()
    (tmp_path / "airflow_dags").symlink_to(root / "airflow_dags")  # the same layout as the checkout
    convert_project(tmp_path / "airflow_dags", tmp_path / "dagster_defs", use_cache=False)
    fresh, committed = _files(tmp_path / "dagster_defs"), _files(root / "dagster_defs")
    assert sorted(fresh) == sorted(committed), "run `airflow-to-dagster convert airflow_dags --out dagster_defs`"
    for name, text in fresh.items():
        if text != committed[name]:
            diff = "".join(difflib.unified_diff(committed[name].splitlines(True), text.splitlines(True), name, name))
            raise AssertionError(f"{name} is stale; regenerate with convert:\n{diff[:4000]}")


def test_conversion_is_deterministic(tmp_path):
    root = project_root() / "airflow_dags"
    convert_project(root, tmp_path / "a" / "dagster_defs", use_cache=False)
    convert_project(root, tmp_path / "b" / "dagster_defs", jobs=1, use_cache=False)
    assert _files(tmp_path / "a" / "dagster_defs") == _files(tmp_path / "b" / "dagster_defs")


def test_hand_edited_file_is_kept_and_the_new_version_written_beside_it(tmp_path):
    root = project_root() / "airflow_dags"
    out = tmp_path / "dagster_defs"
    convert_project(root, out, use_cache=False)
    module = out / "dags" / "orders_daily.py"
    edited = module.read_text() + "\n# my fix\n"
    module.write_text(edited)

    again = convert_project(root, out, use_cache=False)
    assert again.generated.kept == ["dags/orders_daily.py"]
    assert module.read_text() == edited
    recorded, body = header_of((out / "dags" / "orders_daily.py.new").read_text())
    assert recorded is not None and "# my fix" not in body

    forced = convert_project(root, out, force=True, use_cache=False)
    assert "dags/orders_daily.py" in forced.generated.written
    assert "# my fix" not in module.read_text()


def test_every_task_gets_a_disposition_with_a_reason():
    plan = plan_project(scan_project(project_root() / "airflow_dags", use_cache=False))
    for dag in plan.dags:
        for task in dag.tasks:
            assert task.disposition in {"MECH", "JUDG", "REDESIGN", "NONE"}
            assert task.reason, f"{dag.dag.dag_id}.{task.task.task_id} has no reason"
    assert plan.counts()["MECH"] >= 25


def test_generated_modules_are_written_atomically_and_stale_ones_removed(tmp_path):
    root = project_root() / "airflow_dags"
    out = tmp_path / "dagster_defs"
    plan = plan_project(scan_project(root, use_cache=False))
    generate(plan, out, dags_folder=root)
    (out / "dags" / "gone.py").write_text((out / "dags" / "fx_rates.py").read_text())
    result = generate(plan, out, dags_folder=root)
    assert result.removed == ["dags/gone.py"]
    assert not list(out.rglob("*.tmp"))
