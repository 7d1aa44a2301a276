"""The proxy block codemod: its Airflow-side source file, DAGs found through the file's imports, what it skips
with a warning (shown by the CLI) and what it still refuses."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from converters.cli import app
from converters.codemods.proxy_block import (
    AIRFLOW_SIDE_SOURCE,
    BEGIN,
    EARLIER_SOURCES,
    END,
    SOURCE_MARKER,
    ProxyBlockCommand,
    ProxyBlockError,
    airflow_side_source,
    block_text,
    proxy_edit,
    remove_block,
)
from tests.fuzz.inputs import seed_corpus

SOURCE = Path(__file__).parents[2] / "converters" / "codemods" / "airflow_side" / "proxy_block_code.py"

# sha256 of the block (depth 0 and 2) as each version inserted it, by source file: `rollback` removes only a
# block equal to one of them, so the text of a version once shipped never changes (a new one gets a new file).
SHIPPED = {
    "proxy_block_code_1.py": {
        0: "396781b6e184c8f7fe3cfcb272aaec39fbe157608aa0fc04747d5488ac0abeeb",
        2: "8c5100937e1c678e78dc22672962f8d55aec0162024c3830c2b3f3b61e5f7df8",
    },
    "proxy_block_code_2.py": {
        0: "98c56f6b629c8c3bbb88991ff6131013d4843fe30e254d78ba40abe16981e5b1",
        2: "c2230ff29526ac0ef0c5d0354475a449aec1b63904b79be7f848c13e0d3037f0",
    },
    "proxy_block_code_3.py": {
        0: "ef2bcbfb3165770b07decbcabd88a3a43587b4ba5e351c47cfbd4757a9534fc7",
        2: "6fd72ca2c835400887982f3b3040bc2157cb19f6906f8733f84f9cd4def3a980",
    },
    "proxy_block_code.py": {
        0: "c1013e371d3177d1b513424ceaa629a40035afd64f7cabe6e0ca97f1526ed61e",
        2: "ef5692c19960061719f1e10ab9a224b6f9edc3731040acd50583cb0156063780",
    },
}


def test_the_inserted_text_is_the_airflow_side_source_below_its_marker():
    source = SOURCE.read_text(encoding="utf-8")
    assert airflow_side_source() == source
    below = source.partition(SOURCE_MARKER)[2]
    assert block_text(0) == below
    deeper = below.replace(".resolve().parent /", ".resolve().parent.parent.parent /")
    assert block_text(2) == deeper and block_text(2, "\r\n") == deeper.replace("\n", "\r\n")
    edited = proxy_edit("from airflow import DAG\nd = DAG('a')\n").text
    assert edited == "from airflow import DAG\nd = DAG('a')\n\n" + BEGIN + "\n" + below + END + "\n"


@pytest.mark.parametrize(("source", "depth"), [(source, depth) for source, by in SHIPPED.items() for depth in by])
def test_every_shipped_block_is_byte_identical_to_what_it_inserted(source: str, depth: int):
    assert set(SHIPPED) == {AIRFLOW_SIDE_SOURCE, *EARLIER_SOURCES}
    assert hashlib.sha256(block_text(depth, source=source).encode()).hexdigest() == SHIPPED[source][depth]


@pytest.mark.parametrize("source", EARLIER_SOURCES)
def test_a_file_proxied_by_an_earlier_version_rolls_back_byte_for_byte(source: str):
    original = "from airflow import DAG\r\nd = DAG('a')"
    current = proxy_edit(original).text
    assert block_text(0, "\r\n") in current
    earlier = current.replace(block_text(0, "\r\n"), block_text(0, "\r\n", source))
    assert earlier != current
    assert remove_block(earlier) == original
    with pytest.raises(ProxyBlockError, match="edited by hand"):
        remove_block(earlier.replace("_A2dTaskProxy.build_from_task", "_A2dTaskProxy.build_from_tasks"))


def test_the_codemod_describes_itself():
    assert "proxying_to_dagster" in ProxyBlockCommand.DESCRIPTION


# Files whose DAGs only name resolution finds: each is proxied without a warning and rolls back byte for byte.
RESOLVED = {
    "from airflow import DAG as D": "from airflow import DAG as D\n\nd = D('a')\n",
    "import airflow.models as m": "import airflow.models as m\n\nd = m.DAG('a')\n",
    "from airflow.sdk import DAG": "from airflow.sdk import DAG\n\nwith DAG('a'):\n    pass\n",
    "from airflow.models.dag import DAG": "from airflow.models.dag import DAG\n\nd = DAG('a')\n",
    "from airflow.models import dag (the module)": "from airflow.models import dag\n\nd = dag.DAG('a')\n",
    "try airflow.sdk, except airflow": (
        "try:\n    from airflow.sdk import DAG\nexcept ImportError:\n    from airflow import DAG\n\nd = DAG('a')\n"
    ),
    "@dag under an alias": (
        "from airflow.decorators import dag as airflow_dag\n\n\n@airflow_dag(schedule=None)\ndef pipeline():\n"
        "    pass\n\n\npipeline()\n"
    ),
    "@sdk.dag without parentheses": (
        "import airflow.sdk as sdk\n\n\n@sdk.dag\ndef pipeline():\n    pass\n\n\nresult = pipeline()\n"
    ),
    "a subclass of DAG defined in the file": (
        "from airflow import DAG\n\n\nclass TeamDag(DAG):\n    pass\n\n\nd = TeamDag('a')\n"
    ),
    "a factory the module calls in a loop": (
        "from airflow import DAG\n\n\ndef make(name):\n    return DAG(name)\n\n\n"
        "for name in ('a', 'b'):\n    globals()[name] = make(name)\n"
    ),
    "a factory reached through another function": (
        "from airflow import DAG\n\n\ndef build(name):\n    return DAG(name)\n\n\ndef make(name):\n"
        "    return build(name)\n\n\nd = make('a')\n"
    ),
}


@pytest.mark.parametrize("name", sorted(RESOLVED))
def test_dags_are_found_through_the_files_imports(name: str):
    original = RESOLVED[name]
    proxied = proxy_edit(original, file="f.py")
    assert proxied.warnings == ()
    compile(proxied.text, name, "exec")
    assert remove_block(proxied.text) == original


# Files proxied although some construct is skipped: (text, the warnings' "line: start of the reason").
SKIPPED = {
    "a DAG class from another library": (
        "from mylib import DAG\nfrom airflow import DAG as AirflowDag\n\nx = DAG('a')\ny = AirflowDag('b')\n",
        ["4: 'DAG' resolves to mylib.DAG, not surely Airflow's DAG"],
    ),
    "a star import": (
        "from airflow import *\nimport airflow\n\nx = DAG('a')\ny = airflow.DAG('b')\n",
        ["4: cannot tell where 'DAG' comes from"],
    ),
    "a DAG in a function nothing calls": (
        "from airflow import DAG\n\n\ndef unused():\n    return DAG('x')\n\n\nd = DAG('a')\n",
        ["5: DAG(...) is inside 'unused', which the file never runs"],
    ),
    "a @dag function nothing calls": (
        "from airflow import DAG\nfrom airflow.decorators import dag\n\n\n@dag(schedule=None)\ndef never():\n"
        "    pass\n\n\nd = DAG('a')\n",
        ["6: @dag function 'never' is never called"],
    ),
    "a @dag function defined in a function": (
        "from airflow import DAG\nfrom airflow.decorators import dag\n\n\ndef outer():\n    @dag()\n"
        "    def inner():\n        pass\n\n    return inner()\n\n\nd = DAG('a')\n",
        ["7: @dag function 'inner' is defined inside 'outer'"],
    ),
}


@pytest.mark.parametrize("name", sorted(SKIPPED))
def test_unsupported_constructs_are_skipped_with_a_warning(name: str):
    original, expected = SKIPPED[name]
    proxied = proxy_edit(original, file="f.py")
    assert len(proxied.warnings) == len(expected)
    for warning, start in zip(proxied.warnings, expected, strict=True):
        assert warning.startswith(f"f.py:{start}"), warning
    assert remove_block(proxied.text) == original


@pytest.mark.parametrize(
    "text, message",
    [
        ("from mylib import DAG\n\nx = DAG('a')\n", "no DAG is created at module level"),
        ("from airflow import *\n\nx = DAG('a')\n", "no DAG is created at module level"),
        ("x = DAG('a')\n", "no DAG is created at module level"),  # DAG is not even imported
        ("from airflow.decorators import dag\n\n\n@dag()\ndef p():\n    pass\n", "no DAG is created at module level"),
        ("from airflow import DAG\n\n\ndef make():\n    return DAG('a')\n", "no DAG is created at module level"),
        (
            "from airflow import DAG\nfrom dagster_airlift.in_airflow import proxying_to_dagster\n\nd = DAG('a')\n"
            "proxying_to_dagster(global_vars=globals(), proxied_state=None)\n",
            "line 5 already calls dagster-airlift's proxying_to_dagster",
        ),
        ("from airflow import DAG\nd = DAG('a')\n\n" + BEGIN + "\n" + END + "\n", "already has the proxy block"),
    ],
)
def test_files_the_block_would_break_are_refused(text: str, message: str):
    with pytest.raises(ProxyBlockError, match=message):
        proxy_edit(text, file="f.py")


def test_mixed_line_endings_take_the_block_in_the_files_own_endings():
    original = "from airflow import DAG\nd = DAG('a')\r\n"
    edited = proxy_edit(original).text
    assert edited.endswith(END + "\r\n") and block_text(0, "\r\n") in edited
    assert remove_block(edited) == original


ONE_FILE = """\
from datetime import datetime

from airflow import DAG as D
from airflow.decorators import dag
from airflow.operators.python import PythonOperator


def one():
    return 1


@dag(start_date=datetime(2024, 1, 1), schedule=None)
def forgotten():
    pass


with D("aliased", start_date=datetime(2024, 1, 1), schedule=None):
    PythonOperator(task_id="a", python_callable=one)
"""


def test_the_cli_shows_what_the_codemod_skipped(tmp_path: Path):
    (tmp_path / "airflow_dags").mkdir()
    (tmp_path / "airflow_dags" / "aliased.py").write_text(ONE_FILE)
    args = ["proxy", "aliased", "a", "--force", "--reason", "unit test", "--project", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "proxy block added to aliased.py" in result.stdout
    shown = " ".join(result.stderr.split())  # rich wraps long lines
    assert "warning: " in shown and "aliased.py:13: @dag function 'forgotten' is never called" in shown
    result = CliRunner().invoke(app, ["rollback", "aliased", "--all", "--project", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "airflow_dags" / "aliased.py").read_text() == ONE_FILE


def test_the_cli_refuses_an_unsafe_file_with_exit_code_2_and_leaves_it(tmp_path: Path):
    (tmp_path / "airflow_dags").mkdir()
    text = ONE_FILE + "\nfrom dagster_airlift.in_airflow import proxying_to_dagster\n\nproxying_to_dagster(globals())\n"
    (tmp_path / "airflow_dags" / "aliased.py").write_text(text)
    args = ["proxy", "aliased", "a", "--force", "--reason", "unit test", "--project", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "line 22 already calls dagster-airlift's proxying_to_dagster" in " ".join(result.stderr.split())
    assert (tmp_path / "airflow_dags" / "aliased.py").read_text() == text
    assert not (tmp_path / "airflow_dags" / "proxied_state" / "aliased.yaml").exists()


def test_a_refusal_lists_the_constructs_it_skipped():
    text = "from airflow import DAG\n\n\ndef make():\n    return DAG('a')\n"
    expected = r"(?s)no DAG is created.*\n  skipped: f.py:5: DAG\(\.\.\.\) is inside 'make'"
    with pytest.raises(ProxyBlockError, match=expected):
        proxy_edit(text, file="f.py")


def test_a_byte_order_mark_is_kept():
    original = "\ufefffrom airflow import DAG\nd = DAG('a')\n"
    edited = proxy_edit(original).text
    assert edited.startswith(original)
    assert remove_block(edited) == original


def test_example_dags_of_both_airflow_wheels_round_trip_or_are_refused_cleanly():
    """Apply then revert gives the same bytes; a file the codemod cannot take raises ProxyBlockError only.
    (Every 6th file: libcst is slow; the whole corpus passed when this was written.)"""
    proxied = 0
    for name, data in seed_corpus()[::6]:
        original = data.decode("utf-8")
        try:
            edited = proxy_edit(original, file=name).text
        except ProxyBlockError:
            continue
        proxied += 1
        assert edited.startswith(original), name
        assert remove_block(edited) == original, name
    assert proxied > 10
