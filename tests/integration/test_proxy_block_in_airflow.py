"""Proxied DAG files as Airflow itself loads them (DagBag in each line's venv): the block finds every DAG of
the file — `with DAG`, `x = DAG(...)`, `@dag` functions whose result no name holds — and swaps exactly the
proxied tasks for airlift's operator, keeping their edges; a DAG proxied whole becomes one task."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from converters.codemods.proxy_block import block_text
from converters.dagbag.reconcile import airflow_interpreter, load_dagbag
from converters.migrate import proxy, rollback
from converters.runtime.airflow import base_environment
from tests.integration.conftest import AIRFLOW_LINES

FILES = {
    "two_dags.py": (
        "from datetime import datetime\n"
        "from airflow import DAG\n"
        "from airflow.operators.python import PythonOperator\n\n"
        "def one():\n    return 1\n\n"
        'with DAG("with_block", start_date=datetime(2024, 1, 1), schedule=None):\n'
        '    a = PythonOperator(task_id="a", python_callable=one)\n'
        '    b = PythonOperator(task_id="b", python_callable=one)\n'
        "    a >> b\n\n"
        'assigned = DAG("assigned", start_date=datetime(2024, 1, 1), schedule=None)\n'
        'c = PythonOperator(task_id="c", python_callable=one, dag=assigned)'  # no final newline
    ),
    "decorated.py": (
        "from datetime import datetime\r\n"
        "from airflow.decorators import dag, task\r\n\r\n"
        '@dag(dag_id="decorated", start_date=datetime(2024, 1, 1), schedule=None)\r\n'
        "def pipeline():\r\n"
        "    @task\r\n    def extract():\r\n        return [1, 2]\r\n\r\n"
        "    @task\r\n    def double(x):\r\n        return x * 2\r\n\r\n"
        "    @task\r\n    def total(values):\r\n        return sum(values)\r\n\r\n"
        "    total(double.expand(x=extract()))\r\n\r\n"
        "pipeline()\r\n"  # the DAG lives in no global name
    ),
    "grouped.py": (
        "from datetime import datetime\n"
        "from airflow import DAG\n"
        "from airflow.operators.python import PythonOperator\n"
        "from airflow.utils.task_group import TaskGroup\n\n"
        "def one():\n    return 1\n\n"
        'with DAG("grouped", start_date=datetime(2024, 1, 1), schedule=None):\n'
        '    first = PythonOperator(task_id="first", python_callable=one)\n'
        '    with TaskGroup("quality"):\n'
        '        check = PythonOperator(task_id="check", python_callable=one)\n'
        '        with TaskGroup("inner"):\n'
        '            deep = PythonOperator(task_id="deep", python_callable=one)\n'
        "    first >> check >> deep\n"
    ),
    "aliased.py": (  # DAGs only name resolution finds, and one Airflow never loads (the codemod warns)
        "from datetime import datetime\n\n"
        "import airflow.models as m\n"
        "from airflow import DAG as D\n"
        "from airflow.decorators import dag as airflow_dag, task\n"
        "from airflow.operators.python import PythonOperator\n\n\n"
        "def one():\n    return 1\n\n\n"
        'with D("aliased", start_date=datetime(2024, 1, 1), schedule=None):\n'
        '    x = PythonOperator(task_id="x", python_callable=one)\n'
        '    y = PythonOperator(task_id="y", python_callable=one)\n'
        "    x >> y\n\n"
        'by_module = m.DAG("by_module", start_date=datetime(2024, 1, 1), schedule=None)\n'
        'z = PythonOperator(task_id="z", python_callable=one, dag=by_module)\n\n\n'
        '@airflow_dag(dag_id="decorated_alias", start_date=datetime(2024, 1, 1), schedule=None)\n'
        "def decorated_alias():\n"
        "    @task\n    def t():\n        return 1\n\n"
        "    t()\n\n\n"
        '@airflow_dag(dag_id="never_loaded", start_date=datetime(2024, 1, 1), schedule=None)\n'
        "def never_loaded():\n    pass\n\n\n"
        "decorated_alias()\n"
    ),
    "nested/deeper.py": (
        "from datetime import datetime\n"
        "from airflow.decorators import dag, task\n\n"
        '@dag(dag_id="deeper", start_date=datetime(2024, 1, 1), schedule=None)\n'
        "def deeper():\n"
        "    @task\n    def first():\n        return 1\n\n"
        "    @task\n    def second(x):\n        return x\n\n"
        "    second(first())\n\n"
        "deeper()\n"
    ),
}


@pytest.fixture
def dags(tmp_path: Path) -> Path:
    folder = tmp_path / "airflow_dags"
    for name, text in FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(text.encode())
    return folder


def classes(bag: dict, dag_id: str) -> dict[str, str]:
    dag = next(d for d in bag["dags"] if d["dag_id"] == dag_id)
    return {t["task_id"]: t["class"].rsplit(".", 1)[-1] for t in dag["tasks"]}


@pytest.mark.parametrize("version", AIRFLOW_LINES, ids=lambda v: f"airflow{v}")
def test_airflow_loads_the_proxied_files(dags: Path, version: int):
    proxy(dags, "with_block", ["b"], all_tasks=False, force=True, reason="loading test")
    proxy(dags, "assigned", ["c"], all_tasks=False, force=True, reason="loading test")
    proxy(dags, "decorated", [], all_tasks=True, force=True, reason="loading test")  # a mapped task: the whole DAG
    proxy(dags, "deeper", ["first"], all_tasks=False, force=True, reason="loading test")
    proxy(dags, "grouped", ["quality.check", "quality.inner.deep"], all_tasks=False, force=True, reason="loading test")
    aliased = proxy(dags, "aliased", ["y"], all_tasks=False, force=True, reason="loading test")
    assert aliased.block == "added"
    assert len(aliased.notes) == 1 and "@dag function 'never_loaded' is never called" in aliased.notes[0]
    proxy(dags, "by_module", ["z"], all_tasks=False, force=True, reason="loading test")
    proxy(dags, "decorated_alias", ["t"], all_tasks=False, force=True, reason="loading test")
    bag = load_dagbag(dags, version)
    assert bag["import_errors"] == {}
    assert classes(bag, "with_block") == {"a": "PythonOperator", "b": "_A2dTaskProxy"}
    b = next(t for d in bag["dags"] if d["dag_id"] == "with_block" for t in d["tasks"] if t["task_id"] == "b")
    assert b["upstream"] == ["a"], "the proxied task keeps its edges"
    assert classes(bag, "assigned") == {"c": "_A2dTaskProxy"}
    assert classes(bag, "decorated") == {"DAGSTER_OVERRIDE_DAG_decorated": "_A2dDagProxy"}
    assert classes(bag, "deeper")["first"] == "_A2dTaskProxy"
    assert classes(bag, "deeper")["second"] != "_A2dTaskProxy"

    # Tasks inside TaskGroups keep their ids (airlift's copy would prefix the group twice) and their edges.
    assert classes(bag, "grouped") == {
        "first": "PythonOperator",
        "quality.check": "_A2dTaskProxy",
        "quality.inner.deep": "_A2dTaskProxy",
    }
    deep = next(t for d in bag["dags"] if d["dag_id"] == "grouped" for t in d["tasks"] if t["task_id"].endswith("deep"))
    assert deep["upstream"] == ["quality.check"]

    # DAGs found through `from airflow import DAG as D`, `import airflow.models as m` and an aliased @dag.
    assert classes(bag, "aliased") == {"x": "PythonOperator", "y": "_A2dTaskProxy"}
    assert classes(bag, "by_module") == {"z": "_A2dTaskProxy"}
    assert classes(bag, "decorated_alias") == {"t": "_A2dTaskProxy"}
    assert "never_loaded" not in {d["dag_id"] for d in bag["dags"]}

    for dag_id in (
        "with_block",
        "assigned",
        "decorated",
        "deeper",
        "grouped",
        "aliased",
        "by_module",
        "decorated_alias",
    ):
        rollback(dags, dag_id, [], all_tasks=True)
    for name, text in FILES.items():
        assert (dags / name).read_bytes() == text.encode()
    bag = load_dagbag(dags, version)
    assert classes(bag, "with_block") == {"a": "PythonOperator", "b": "PythonOperator"}


@pytest.mark.parametrize("version", AIRFLOW_LINES, ids=lambda v: f"airflow{v}")
def test_a_proxied_task_asks_dagster_for_its_own_asset_nodes(tmp_path: Path, version: int):
    """With the index on the DAG's asset, one small query for it and one for the nodes it names; without it,
    airlift's query for every node. Either way airlift's own filter keeps the same nodes."""
    python, venv = airflow_interpreter(version, None)
    block = tmp_path / "block.py"
    block.write_text(block_text(0), encoding="utf-8")
    result = subprocess.run(
        [str(python), str(Path(__file__).with_name("proxy_block_probe.py")), str(block)],
        env=base_environment(version, tmp_path, tmp_path / "dags", venv),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    cases = json.loads(result.stdout.strip().splitlines()[-1])
    assert cases["task, indexed"] == {"sent": ["index", "keyed"], "kept": [["orders", "load"]]}
    assert cases["task, no index"] == {"sent": ["index", "every node"], "kept": [["orders", "load"]]}
    assert cases["task, not in the index"] == {"sent": ["index"], "kept": []}, "airlift then fails: no asset"
    both = [["orders", "clean"], ["orders", "load"]]
    assert cases["dag, indexed"] == {"sent": ["index", "keyed"], "kept": both}
    assert cases["dag, no index"]["sent"] == ["index", "every node"] and sorted(cases["dag, no index"]["kept"]) == both
