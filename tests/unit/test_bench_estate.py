"""The synthetic estate `make bench` measures: deterministic, and real Airflow code the scan fully resolves."""

from __future__ import annotations

from collections import Counter

from converters.bench.estate import write_estate
from converters.inventory.project import scan_project


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path):
    first = write_estate(tmp_path / "a", files=12, tasks_per_dag=10, seed=3)
    second = write_estate(tmp_path / "b", files=12, tasks_per_dag=10, seed=3)
    other = write_estate(tmp_path / "c", files=12, tasks_per_dag=10, seed=4)
    texts = {name: sorted(p.read_bytes() for p in (tmp_path / name).glob("*.py")) for name in "abc"}
    assert first == second and texts["a"] == texts["b"]
    assert texts["a"] != texts["c"] and other.files == 12


def test_the_scan_resolves_every_dag_and_task_of_the_estate(tmp_path):
    stats = write_estate(tmp_path / "dags", files=40, tasks_per_dag=20, seed=8)
    project = scan_project(tmp_path / "dags", jobs=1, use_cache=False)
    dags = [dag for file in project.files for dag in file.dags]
    diagnostics = [d for file in project.files for d in file.diagnostics] + list(project.diagnostics)
    assert not [d for d in diagnostics if d.severity in {"warning", "error"}], diagnostics
    assert len(dags) == stats.dags and all(dag.complete for dag in dags)
    assert sum(len(dag.tasks) for dag in dags) == stats.tasks
    assert 15 <= stats.tasks / stats.dags <= 25
    assert all(dag.edges for dag in dags), "every DAG is wired"
    # The mix of corpus-facts.md: several families, three import styles, each file's DAGs in one style.
    families = Counter(task.family for dag in dags for task in dag.tasks)
    assert {"python", "sql", "pod", "http", "bash", "empty", "sensor"} <= set(families)
    styles = Counter(p.read_text().split("style ", 1)[1][:2] for p in (tmp_path / "dags").glob("*.py"))
    assert set(styles) == {"v1", "v2", "v3"}
