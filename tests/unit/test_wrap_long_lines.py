"""Generated code wraps its long comments and string literals instead of silencing the line-length lint, and the
wrapped program is the same program."""

from __future__ import annotations

import ast
import subprocess
import textwrap

from converters.codegen import RUFF_ARGS, ruff_binary
from converters.codegen.wrap import wrap_long_lines

LIMIT = 120
COMMAND = (
    'python "$SCRIPTS/export_segment.py" --ds {{ ds }} --segment {{ params.segment }} --out '
    "{{ params.export_root }}/{{ ds_nodash }}/{{ params.segment }}.csv"
)


def _values(source: str) -> list:
    """Every constant of ``source`` in order: what the program computes with."""
    return [node.value for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Constant)]


def _too_long(source: str) -> list[str]:
    return [line for line in source.splitlines() if len(line) > LIMIT]


def test_a_long_literal_becomes_adjacent_literals_with_the_same_value():
    source = (
        f"def run(context):\n    return run_bash(\n        context,\n        {COMMAND!r},\n        dag=DAG,\n    )\n"
    )
    assert _too_long(source)
    wrapped = wrap_long_lines(source, LIMIT)
    assert not _too_long(wrapped)
    assert _values(wrapped) == _values(source) == [COMMAND]
    # never inside a Jinja expression: the cut is before "{{ params.export_root }}"
    assert "'{{ params.export_root" in wrapped or '"{{ params.export_root' in wrapped


def test_an_assignment_of_a_long_literal_stays_valid_python():
    sql = "insert into mart.revenue select ds, sum(amount) from raw.orders where ds = '{{ ds }}' " * 3
    source = f"SQL = {sql!r}\n"
    wrapped = wrap_long_lines(source, LIMIT)
    assert not _too_long(wrapped)
    assert _values(wrapped) == [sql]


def test_escapes_and_raw_strings_keep_their_value():
    windows = "C:\\data\\exports\\" + "partner\\" * 20 + "file.csv"
    regex = r"^\d{4}-\d{2}-\d{2} \t" * 12
    source = f"PATH = {windows!r}\nPATTERN = r'{regex}'\n"
    wrapped = wrap_long_lines(source, LIMIT)
    assert wrapped.count("(") == 2  # both were split
    assert _values(wrapped) == [windows, regex]


def test_a_full_line_comment_is_wrapped_at_its_indentation():
    comment = "# Airlift maps each Airflow task to its assets: observed when the task succeeds in Airflow, " * 2
    source = f"def f():\n    {comment.strip()}\n    return 1\n"
    wrapped = wrap_long_lines(source, LIMIT)
    assert not _too_long(wrapped)
    comment_lines = [line for line in wrapped.splitlines() if line.strip().startswith("#")]
    assert len(comment_lines) > 1 and all(line.startswith("    # ") for line in comment_lines)
    assert " ".join(line.strip()[2:] for line in comment_lines) == comment.strip()[2:].strip()


def test_triple_quoted_f_strings_uncuttable_f_strings_and_short_lines_are_left_alone():
    triple_f = 'x = f"""' + "{value} " * 30 + '"""\n'
    one_field = 'x = f"{' + " + ".join(["value"] * 30) + '}"\n'  # no space outside its one field
    short = "y = 'short'  # a comment\n"
    for source in (triple_f, one_field, short):
        assert wrap_long_lines(source, LIMIT) == source


def test_a_long_f_string_is_cut_outside_its_fields_and_formats_the_same_string():
    """A SQL statement with the partition key, as the modern form writes it: each piece with a field stays an
    f-string; a piece without one is a plain literal, its doubled braces undone (ruff's F541 otherwise)."""
    sql = (
        "delete from orders where ds = '{context.partition_key}' and payload = '{{}}'; insert into orders select * "
        "from staging where ds = '{context.partition_key}' and tag in ('{{a}}', '{{b}}') and note = 'the end of it all'"
    )
    source = f"def body(context):\n    return f{sql!r}\n"
    wrapped = wrap_long_lines(source, LIMIT)
    assert not _too_long(wrapped)
    context = type("Context", (), {"partition_key": "2024-03-05"})()
    namespace: dict = {}
    exec(compile(wrapped, "wrapped", "exec"), namespace)  # the generated code, run
    exec(compile(source, "source", "exec"), (original := {}))
    assert namespace["body"](context) == original["body"](context)
    pieces = [line.strip() for line in wrapped.splitlines()[2:-1]]
    assert len(pieces) > 1
    for piece in pieces:
        assert piece.startswith(("f'", 'f"')) == ("{context" in piece), piece


def test_the_wrapped_code_is_ruff_clean(tmp_path):
    source = textwrap.dedent(
        f"""\
        # {"a long comment " * 10}
        COMMAND = {COMMAND!r}
        """
    )
    path = tmp_path / "module.py"
    path.write_text(wrap_long_lines(source, LIMIT))
    subprocess.run([ruff_binary(), "format", "--isolated", *RUFF_ARGS, "--quiet", str(path)], check=True)
    check = [ruff_binary(), "check", "--isolated", *RUFF_ARGS, "--select", "E,F,W", str(path)]
    assert subprocess.run(check, capture_output=True, text=True).returncode == 0
    assert "noqa" not in path.read_text()
    assert _values(path.read_text()) == [COMMAND]


def test_a_triple_quoted_literal_full_of_both_quotes_is_cut_where_its_escapes_still_fit(tmp_path):
    """Each piece is written as a literal with its quotes escaped (`\\'`): cut by the value's length alone, a
    piece holding both kinds of quote came out longer than the line (an Elasticsearch alias body in a real
    estate's DAG)."""
    line = '{"add":{"index":"clin_\'qa\'_{{ti.xcom_pull(task_ids=\'a.b\')}}","alias":"clin_\'qa\'_gene"}},'
    path = tmp_path / "module.py"
    for shift in range(30):  # the cuts at other places in the text: each piece must fit with its escapes
        value = "\n".join(f"{' ' * (shift + i)}{line * 2}" for i in range(3)) + "\n"
        source = f'def build():\n    return run(\n        command="""{value}""",\n    )\n'
        path.write_text(wrap_long_lines(source, LIMIT))
        subprocess.run([ruff_binary(), "format", "--isolated", *RUFF_ARGS, "--quiet", str(path)], check=True)
        written = path.read_text()
        assert _too_long(written) == [], (shift, _too_long(written))
        assert "".join(_values(written)) == value  # the pieces are the function's only constants


ESTATE_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.models import BaseOperator
from airflow.operators.empty import EmptyOperator


class SynchroniseTheWarehouseInventoryWithTheSupplierCatalogueOperator(BaseOperator):
    def execute(self, context):
        return 1


with DAG("catalogue", schedule="@daily", start_date=datetime(2024, 1, 1)):
    start = EmptyOperator(task_id="start_of_the_nightly_catalogue_synchronisation_for_every_supplier_region")
    start >> SynchroniseTheWarehouseInventoryWithTheSupplierCatalogueOperator(task_id="sync")
"""


def test_the_renderer_cuts_its_own_long_values_so_wrapping_takes_no_slow_path(tmp_path, monkeypatch):
    """A long estate-operator reason, a long pass-through comment and the TASKS comment are written already cut as
    `wrap_long_lines` cuts them: no generated DAG module needs it to parse and tokenize (what made convert slow)."""
    from converters.codegen import wrap
    from converters.convert import convert_project

    slow = []
    real = wrap._tokens_near
    monkeypatch.setattr(wrap, "_tokens_near", lambda *args: slow.append(args) or real(*args))
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "catalogue.py").write_text(ESTATE_DAG)
    result = convert_project(tmp_path / "dags", tmp_path / "out", use_cache=False)
    assert result.generated.problems == []
    module = (tmp_path / "out" / "dags" / "catalogue.py").read_text()
    assert "the estate operator SynchroniseTheWarehouseInventoryWithTheSupplierCatalogueOperator" in module
    assert "no asset: its" in module and "# Airlift maps each Airflow task" in module
    assert _too_long(module) == []
    assert slow == [], "a generated DAG module still had a line over the limit before wrapping"
