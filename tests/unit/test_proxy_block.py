"""The proxy block codemod: appended once, removed to the original bytes, refused where airlift cannot work."""

from __future__ import annotations

from pathlib import Path

import pytest

from converters.codemods.proxy_block import BEGIN, ProxyBlockError, add_block, has_block, remove_block
from converters.runtime.envs import project_root

ESTATE = sorted((project_root() / "airflow_dags").rglob("*.py"))
DAG_FILES = [p for p in ESTATE if "DAG(" in p.read_text() or "@dag" in p.read_text()]

ODD = {
    "no final newline": "from airflow import DAG\nwith DAG('a') as d:\n    pass",
    "crlf": "from airflow import DAG\r\nwith DAG('a') as d:\r\n    pass\r\n",
    "trailing comments and blank lines": "from airflow import DAG\nd = DAG('a')\n\n\n# the end\n\n",
    "@dag function called without a name": (
        "from airflow.decorators import dag, task\n\n@dag(schedule=None)\ndef pipeline():\n"
        "    @task\n    def one():\n        return 1\n    one()\n\npipeline()\n"
    ),
    "two DAGs, one by assignment": "import airflow\na = airflow.DAG('a')\nwith airflow.DAG('b'):\n    pass\n",
    "backslash continuation": "from airflow import DAG\nd = \\\n    DAG('a')\n",
}


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_every_example_dag_file_round_trips_byte_for_byte(path: Path):
    original = path.read_text(encoding="utf-8")
    edited = add_block(original, depth=len(path.relative_to(project_root() / "airflow_dags").parts) - 1)
    assert edited.startswith(original) and has_block(edited)
    assert remove_block(edited) == original


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_layouts_round_trip(name: str):
    original = ODD[name]
    edited = add_block(original)
    assert edited.startswith(original)
    compile(edited, name, "exec")  # still Python
    if "\r\n" in original:
        assert "\n" not in edited.replace("\r\n", "")
    assert remove_block(edited) == original


def test_the_state_path_climbs_to_the_dags_folder_root():
    nested = add_block("from airflow import DAG\nd = DAG('a')\n", depth=1)
    assert '_A2dPath(__file__).resolve().parent.parent / "proxied_state"' in nested
    assert remove_block(nested) == "from airflow import DAG\nd = DAG('a')\n"


@pytest.mark.parametrize(
    "text, message",
    [
        ("from airflow import DAG\nwith DAG('a' as d:\n", "does not parse"),
        ("import os\nprint(os.getcwd())\n", "no DAG is created at module level"),
    ],
)
def test_unsupported_files_are_refused(text: str, message: str):
    with pytest.raises(ProxyBlockError, match=message):
        add_block(text)


def test_the_block_is_added_once():
    edited = add_block("from airflow import DAG\nd = DAG('a')\n")
    with pytest.raises(ProxyBlockError, match="already has"):
        add_block(edited)


def test_an_edited_block_is_not_removed():
    edited = add_block("from airflow import DAG\nd = DAG('a')\n")
    with pytest.raises(ProxyBlockError, match="edited by hand"):
        remove_block(edited.replace("globals().values()", "globals().items()"))
    with pytest.raises(ProxyBlockError, match="not the end of the file"):
        remove_block(edited + "x = 1\n")
    with pytest.raises(ProxyBlockError, match="first line was edited"):
        remove_block(edited.replace(BEGIN, BEGIN + " (mine)"))
    with pytest.raises(ProxyBlockError, match="no proxy block"):
        remove_block("x = 1\n")


def _block_session():
    """The proxy block's Dagster session class, run from the block's own text (the rest of the block imports
    Airflow, which this venv has not)."""
    import ast

    import requests

    source = (
        Path(__file__).parents[2] / "converters" / "codemods" / "airflow_side" / "proxy_block_code.py"
    ).read_text()
    wanted = {"_A2dDagsterUnreachable", "_A2dDagsterSession", "_A2D_ANSWER_TIMEOUT"}
    nodes = [
        node
        for node in ast.parse(source).body
        if getattr(node, "name", None) in wanted
        or (isinstance(node, ast.Assign) and {getattr(t, "id", "") for t in node.targets} & wanted)
    ]
    namespace = {"_A2dRequests": requests}
    exec(compile(ast.Module(body=nodes, type_ignores=[]), "proxy_block_code.py", "exec"), namespace)
    return namespace


def test_a_busy_dagster_webserver_gets_a_minute_to_answer_and_an_unreachable_one_is_named(monkeypatch):
    import requests

    block = _block_session()
    seen = []

    def answer(self, method, url, *args, **kwargs):
        seen.append(kwargs.get("timeout"))
        if "down" in url:
            raise requests.ConnectionError("refused")
        return "answered"

    monkeypatch.setattr(requests.Session, "request", answer)
    session = block["_A2dDagsterSession"]("http://127.0.0.1:1")
    # airlift asks with timeout=3 (queries) or 10 (the launch): connecting keeps it, answering may take a minute.
    assert session.post("http://127.0.0.1:1/graphql", json={}, timeout=3) == "answered"
    assert session.post("http://127.0.0.1:1/graphql", json={}, timeout=10) == "answered"
    assert seen == [(3, 60), (10, 60)]
    with pytest.raises(block["_A2dDagsterUnreachable"], match=r"Dagster at http://127.0.0.1:1 is unreachable"):
        session.get("http://down/graphql", timeout=3)
