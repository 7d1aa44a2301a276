"""The Airflow template support module generated Dagster code runs with (no Airflow needed).

Parity with Airflow's own rendering is proven in tests/integration/test_template_parity.py; these tests pin
the behaviour, the differences between the Airflow lines and the messages a user sees when a template fails.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import pickle
import sys
from collections import namedtuple
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import jinja2
import pytest

MODULE_PATH = Path(__file__).resolve().parents[2] / "converters" / "codegen" / "support" / "templates.py"


def _load():
    spec = importlib.util.spec_from_file_location("a2d_unit_templates", MODULE_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


t = _load()

LOGICAL = datetime(2024, 1, 15)


def ctx(major: int = 2, **kwargs):
    base = {"dag_id": "sales", "task_id": "load", "logical_date": LOGICAL, "airflow_major": major}
    return t.build_context(**(base | kwargs))


def render(template, major: int = 2, **kwargs):
    return t.render(template, ctx(major, **kwargs))


# ---------------------------------------------------------------------------------------------------- the module


def test_module_is_self_contained_and_documented():
    tree = ast.parse(MODULE_PATH.read_text())
    assert ast.get_docstring(tree) and "Airflow" in ast.get_docstring(tree)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
    optional = {"dateutil", "yaml", "babel"}  # imported inside try blocks for macros, when installed
    assert imported - sys.stdlib_module_names - optional == {"jinja2"}
    for node in tree.body:  # every public function and class says what it is for
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
            assert ast.get_docstring(node), node.name


# ---------------------------------------------------------------------------------------------------- the context


def test_context_values_for_a_logical_date():
    c = ctx(2)
    assert (c["ds"], c["ds_nodash"], c["ts"]) == ("2024-01-15", "20240115", "2024-01-15T00:00:00+00:00")
    assert (c["ts_nodash"], c["ts_nodash_with_tz"]) == ("20240115T000000", "20240115T000000+0000")
    assert c["task_instance_key_str"] == "sales__load__20240115"
    assert c["logical_date"].tzinfo is not None and c["logical_date"].utcoffset() == timedelta(0)
    assert c["data_interval_start"] == c["data_interval_end"] == c["logical_date"]  # default interval
    assert c["dag"].dag_id == "sales" and c["task"].task_id == "load" and c["task"].owner == c["dag"].owner == "airflow"
    assert c["ti"] is c["task_instance"] and c["ti"].run_id == c["run_id"] == c["dag_run"].run_id


def test_aware_dates_are_converted_to_utc():
    paris = timezone(timedelta(hours=1))
    c = ctx(3, logical_date=datetime(2024, 1, 15, 1, 0, tzinfo=paris), data_interval_end="2024-01-16T00:00:00")
    assert c["ts"] == "2024-01-15T00:00:00+00:00"
    assert str(c["data_interval_end"]) == "2024-01-16 00:00:00+00:00"


def test_keys_differ_between_airflow_lines():
    two, three = set(ctx(2)), set(ctx(3))
    only_two = {"execution_date", "prev_ds", "prev_ds_nodash", "next_ds", "next_ds_nodash", "prev_execution_date"}
    only_two |= {"next_execution_date", "yesterday_ds", "tomorrow_ds", "conf", "test_mode", "triggering_dataset_events"}
    assert only_two <= two - three
    assert {"partition_key", "partition_date", "task_reschedule_count", "triggering_asset_events"} <= three - two
    assert (
        not hasattr(ctx(3)["dag_run"], "execution_date") and ctx(2)["dag_run"].execution_date == ctx(2)["logical_date"]
    )


def test_default_run_id_is_the_lines_manual_run_id():
    assert ctx(2)["run_id"] == "manual__2024-01-15T00:00:00+00:00"
    assert ctx(3)["run_id"] == "manual__2024-01-15T00:00:00+00:00"
    # Airflow 3 names a manual run after the moment it was triggered
    assert ctx(3, run_after=datetime(2024, 2, 1, 9, 30))["run_id"] == "manual__2024-02-01T09:30:00+00:00"
    assert ctx(2, run_after=datetime(2024, 2, 1, 9, 30))["run_id"] == "manual__2024-01-15T00:00:00+00:00"
    assert ctx(2, run_id="scheduled__2024-01-15T00:00:00+00:00")["dag_run"].run_type == "scheduled"


def test_run_type_prints_like_each_line():
    assert render("{{ dag_run.run_type }}", 2) == "manual"
    assert render("{{ dag_run.run_type }}", 3) == "DagRunType.MANUAL"
    assert render("{{ dag_run.run_type == 'manual' }}", 3) == "True"


def test_prev_and_next_ds_on_airflow_2():
    c = ctx(2)
    assert (c["prev_ds"], c["next_ds"]) == ("2024-01-15", "2024-01-15")  # a manually triggered run
    c = ctx(2, prev_logical_date=datetime(2024, 1, 14), next_logical_date=datetime(2024, 1, 16))
    assert (c["prev_ds"], c["prev_ds_nodash"], c["next_ds"], c["next_ds_nodash"]) == (
        "2024-01-14",
        "20240114",
        "2024-01-16",
        "20240116",
    )
    assert (c["yesterday_ds"], c["tomorrow_ds_nodash"]) == ("2024-01-14", "20240116")


def test_conf_overrides_params_like_airflows_default():
    c = ctx(2, params={"region": "eu", "batch": 5}, conf={"batch": 10, "extra": 1})
    assert c["params"] == {"region": "eu", "batch": 10, "extra": 1}
    assert c["dag_run"].conf == {"batch": 10, "extra": 1}
    c = ctx(2, params={"batch": 5}, conf={"batch": 10}, conf_overrides_params=False)
    assert c["params"] == {"batch": 5}
    assert render("{{ dag_run.conf.get('missing', 'd') }}", 3) == "d"


def test_owner_and_task_type():
    c = ctx(2, owner="data-team", task_type="BashOperator")
    assert render("{{ dag.owner }} {{ task.owner }} {{ task }} {{ dag }}", 2, owner="data-team", task_type="Bash") == (
        "data-team data-team <Task(Bash): load> <DAG: sales>"
    )
    assert c["task"].task_type == "BashOperator"


def test_airflow_major_must_be_2_or_3():
    with pytest.raises(ValueError, match="airflow_major must be 2 or 3"):
        ctx(1)


# ---------------------------------------------------------------------------------------------------- xcom


def test_xcom_pull_by_task_id_and_list():
    xcoms = {"extract": {"rows": 3}, "count": 42, "extract:custom": "pushed"}
    assert render("{{ ti.xcom_pull(task_ids='extract')['rows'] }}", xcom_values=xcoms) == "3"
    assert render("{{ task_instance.xcom_pull('count') + 1 }}", xcom_values=xcoms) == "43"
    assert render("{{ ti.xcom_pull(task_ids='extract', key='custom') }}", xcom_values=xcoms) == "pushed"
    assert ctx(3, xcom_values=xcoms)["ti"].xcom_pull(task_ids=["count", "extract"]) == [42, {"rows": 3}]
    # Airflow 2 returns a lazy sequence, printed by its length only
    many = ctx(2, xcom_values=xcoms)["ti"].xcom_pull(task_ids=["count", "extract"])
    assert list(many) == [42, {"rows": 3}] and str(many) == "LazySelectSequence([2 items])"


def test_xcom_pull_missing_value_names_the_task():
    with pytest.raises(t.XComNotFound) as caught:
        render("{{ ti.xcom_pull(task_ids='extract') }}", xcom_values={"count": 1})
    message = str(caught.value)
    assert "'extract'" in message and "task 'load'" in message and "count" in message
    assert isinstance(caught.value, KeyError)
    assert render("{{ ti.xcom_pull(task_ids='extract', default='none') }}") == "none"


def test_xcom_pull_without_task_ids():
    assert ctx(3, xcom_values={"load": 7})["ti"].xcom_pull() == 7  # Airflow 3: the calling task's own XCom
    assert ctx(2, xcom_values={"extract": 7})["ti"].xcom_pull() == 7  # Airflow 2: the only task with one
    with pytest.raises(t.XComNotFound, match="without task_ids and 2 upstream tasks"):
        ctx(2, xcom_values={"a": 1, "b": 2})["ti"].xcom_pull()


def test_xcom_push_then_pull_and_other_runs():
    ti = ctx(3)["ti"]
    ti.xcom_push("rows", 5)
    assert ti.xcom_pull(task_ids="load", key="rows") == 5
    with pytest.raises(t.XComNotFound, match="another DAG or run"):
        ti.xcom_pull(task_ids="load", dag_id="other_dag")


# ---------------------------------------------------------------------------------------------------- variables


def test_variables_from_environment(monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_MY_VAR", "hello")
    monkeypatch.setenv("AIRFLOW_VAR_CFG", json.dumps({"key": "v", "n": 2}))
    assert render("{{ var.value.my_var }} {{ var.json.cfg.key }} {{ var.json.cfg.n + 1 }}") == "hello v 3"
    assert render("{{ var.value.get('nope', 'fallback') }} {{ var.json.get('cfg')['key'] }}", 3) == "fallback v"
    assert t.Variable.get("my_var") == "hello"
    assert t.Variable.get("cfg", deserialize_json=True) == {"key": "v", "n": 2}
    assert t.Variable.get("nope", default_var=None) is None
    assert t.Variable.get("nope", default="x") == "x"  # Airflow 3's keyword


def test_missing_variable_message(monkeypatch):
    monkeypatch.delenv("AIRFLOW_VAR_NOPE", raising=False)
    with pytest.raises(KeyError) as caught:
        render("{{ var.value.nope }}")
    assert isinstance(caught.value, t.VariableNotFound)
    assert str(caught.value) == (
        "Variable 'nope' is not set: define the environment variable AIRFLOW_VAR_NOPE "
        "(Airflow reads Variables from AIRFLOW_VAR_<KEY> too)"
    )
    with pytest.raises(t.VariableNotFound):
        render("{{ var.value.get('nope') }}", 3)


def test_variable_that_is_not_json(monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_BROKEN", "{not json")
    with pytest.raises(ValueError, match=r"Variable broken \(AIRFLOW_VAR_BROKEN\) is not valid JSON"):
        t.Variable.get("broken", deserialize_json=True)


# ---------------------------------------------------------------------------------------------------- connections


def test_connection_from_uri(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_MY_DB", "postgresql://user:p%40ss@db.example.com:5432/shop?sslmode=require")
    conn = t.get_connection("my_db")
    assert (conn.conn_type, conn.host, conn.port, conn.schema) == ("postgres", "db.example.com", 5432, "shop")
    assert (conn.login, conn.password, conn.extra_dejson) == ("user", "p@ss", {"sslmode": "require"})
    assert conn.get_uri() == "postgres://user:p%40ss@db.example.com:5432/shop?sslmode=require"
    assert render("{{ conn.my_db.host }}:{{ conn.my_db.port }}") == "db.example.com:5432"


def test_connection_uri_forms():
    conn = t.parse_connection("api", "http://https://api.example.com/v1")
    assert (conn.conn_type, conn.host, conn.schema) == ("http", "https://api.example.com", "v1")
    conn = t.parse_connection("x", "google-cloud-platform://?__extra__=%7B%22project%22%3A+%22p%22%7D")
    assert (conn.conn_type, conn.extra_dejson) == ("google_cloud_platform", {"project": "p"})
    assert conn.get_uri() == "google-cloud-platform:///?project=p"
    conn = t.parse_connection("fs", "fs://:@/?__extra__=%7B%22path%22%3A+%22%2Fdata%22%7D")
    assert conn.get_uri() == "fs:///?path=%2Fdata"  # Airflow 2 drops an empty password
    assert t.parse_connection("fs", conn.get_uri(), airflow_major=3).get_uri() == "fs:///?path=%2Fdata"
    with pytest.raises(ValueError, match="Invalid connection string"):
        t.parse_connection("bad", "a://b://c://d")


def test_connection_from_json_form(monkeypatch):
    value = {"conn_type": "http", "host": "api.example.com", "port": "443", "extra": {"token": "t"}}
    monkeypatch.setenv("AIRFLOW_CONN_MY_API", " " + json.dumps(value))
    conn = t.get_connection("my_api")
    assert (conn.conn_type, conn.host, conn.port, conn.extra_dejson) == ("http", "api.example.com", 443, {"token": "t"})
    assert conn.get_uri() == "http://api.example.com:443/?token=t"
    with pytest.raises(ValueError, match="port must be an integer"):
        t.parse_connection("x", '{"conn_type": "http", "port": "https"}')


def test_connection_printed_per_line(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_MY_DB", "sqlite:///tmp/x.db")
    assert render("{{ conn.my_db }}", 2) == "my_db"
    assert render("{{ conn.my_db }}", 3).startswith("Connection(conn_id='my_db', conn_type='sqlite'")


def test_missing_connection_message(monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_NOPE", raising=False)
    with pytest.raises(t.ConnectionNotFound) as caught:
        render("{{ conn.nope.host }}")
    assert str(caught.value) == (
        "Connection 'nope' is not set: define the environment variable AIRFLOW_CONN_NOPE "
        "as a connection URI or in Airflow's JSON form"
    )
    assert render("{{ conn.get('nope', 'none') }}") == "none"


def test_airflow_2_conf_reads_environment(monkeypatch):
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", "/dags")
    assert render("{{ conf.get('core', 'dags_folder') }} {{ conf.get('core', 'x', fallback='f') }}") == "/dags f"
    with pytest.raises(KeyError, match=r"\[core\] nope is not available outside Airflow: set AIRFLOW__CORE__NOPE"):
        render("{{ conf.get('core', 'nope') }}")


# ---------------------------------------------------------------------------------------------------- macros


def test_macros():
    assert render("{{ macros.ds_add(ds, -7) }} {{ macros.ds_add(ds, 0) }}") == "2024-01-08 2024-01-15"
    assert render("{{ macros.ds_format(ds, '%Y-%m-%d', '%d/%m/%Y') }}") == "15/01/2024"
    assert (
        render("{{ macros.datetime(2024, 1, 1) }} {{ macros.timedelta(days=1) }}")
        == "2024-01-01 00:00:00 1 day, 0:00:00"
    )
    assert render("{{ macros.json.dumps({'a': 1}) }} {{ macros.uuid.UUID(int=1) }}").startswith('{"a": 1} 00000000-')
    assert 0 <= float(render("{{ macros.random() }}")) < 1  # the function, as in Airflow
    assert render("{{ macros.time.time() > 0 }}") == "True"


def test_unknown_macro_is_a_clear_error():
    with pytest.raises(jinja2.UndefinedError, match="no attribute 'my_plugin'"):
        render("{{ macros.my_plugin.f() }}")


# ---------------------------------------------------------------------------------------------------- rendering


def test_filters():
    c = ctx(2, data_interval_end=datetime(2024, 1, 16, 6, 30))
    assert t.render("{{ data_interval_end | ds }} {{ data_interval_end | ds_nodash }}", c) == "2024-01-16 20240116"
    assert t.render("{{ data_interval_end | ts }}", c) == "2024-01-16T06:30:00+00:00"
    assert t.render("{{ data_interval_end | ts_nodash }} {{ data_interval_end | ts_nodash_with_tz }}", c) == (
        "20240116T063000 20240116T063000+0000"
    )
    assert t.render("{{ prev_data_interval_start_success | ds }}", c) == "None"


def test_render_recurses_into_collections_and_leaves_other_values():
    Pair = namedtuple("Pair", "a b")
    value = {
        "list": ["{{ ds }}", 1, None],
        "tuple": ("{{ ds_nodash }}",),
        "pair": Pair("{{ ds }}", 2),
        "set": {"{{ ds }}"},
        "nested": {"deep": ["{{ run_id }}"]},
        "literal": t.LiteralValue("{{ ds }}"),
        "number": 3.5,
    }
    result = render(value)
    assert result == {
        "list": ["2024-01-15", 1, None],
        "tuple": ("20240115",),
        "pair": Pair("2024-01-15", 2),
        "set": {"2024-01-15"},
        "nested": {"deep": ["manual__2024-01-15T00:00:00+00:00"]},
        "literal": "{{ ds }}",
        "number": 3.5,
    }
    assert isinstance(result["pair"], Pair)
    assert render(42) == 42 and render(None) is None and render(b"{{ ds }}") == b"{{ ds }}"


def test_render_objects_with_template_fields_in_place():
    class Query:
        template_fields = ("sql", "empty")

        def __init__(self):
            self.sql, self.empty = "SELECT '{{ ds }}'", ""
            self.other = "{{ ds }}"

    query = Query()
    assert render([query])[0] is query
    assert (query.sql, query.empty, query.other) == ("SELECT '2024-01-15'", "", "{{ ds }}")


def test_cycles_do_not_recurse_forever():
    class Node:
        template_fields = ("child", "name")

        def __init__(self):
            self.child, self.name = self, "{{ ds }}"

    node = Node()
    render(node)
    assert node.name == "2024-01-15"


def test_trailing_newline_dropped_like_airflow():
    assert render("SELECT 1;\n") == "SELECT 1;"
    assert render("SELECT 1;\n\n") == "SELECT 1;\n"


def test_native_rendering():
    c = ctx(2, params={"n": 2, "tables": ["a"]})
    assert t.render("{{ params.n * 2 }}", c, native=True) == 4
    assert t.render("{{ params.tables }}", c, native=True) == ["a"]
    assert t.render("[{{ params.n }}, 3]", c, native=True) == [2, 3]
    assert t.render("42", c, native=True) == 42  # a plain string that reads as a literal, as in Airflow
    assert t.render("{{ ds }}", c, native=True) == "2024-01-15"
    assert t.render("{{ logical_date }}", c, native=True) == datetime(2024, 1, 15, tzinfo=UTC)
    assert t.render("{{ params.tables }}", c) == "['a']"


def test_sandbox_blocks_dunder_but_allows_single_underscore():
    class Thing:
        _private = "ok"

    assert t.render("{{ thing._private }}", {"thing": Thing()}) == "ok"
    with pytest.raises(jinja2.exceptions.SecurityError):
        t.render("{{ ''.__class__.__mro__ }}", {})


def test_undefined_names_fail_with_the_template_and_a_hint():
    with pytest.raises(jinja2.UndefinedError) as caught:
        render("SELECT * FROM t WHERE d = '{{ ds_nodahs }}'")
    message = str(caught.value)
    assert message.startswith("'ds_nodahs' is undefined (did you mean ds_nodash")
    assert "while rendering template \"SELECT * FROM t WHERE d = '{{ ds_nodahs }}'\"" in message
    with pytest.raises(jinja2.UndefinedError, match=r"Airflow 3 removed it from the context; use logical_date"):
        render("{{ execution_date }}", 3)
    assert render("{{ execution_date }}", 2) == "2024-01-15 00:00:00+00:00"
    with pytest.raises(jinja2.UndefinedError, match="'dict object' has no attribute 'regionn'"):
        render("{{ params.regionn }}", params={"region": "eu"})


def test_syntax_errors_are_jinjas():
    with pytest.raises(jinja2.TemplateSyntaxError):
        render("{{ ds ")


def test_template_files_from_search_path(tmp_path):
    (tmp_path / "query.sql").write_text("{% include 'head.sql' %}\nSELECT '{{ ds }}';\n")
    (tmp_path / "head.sql").write_text("-- {{ dag.dag_id }}\n")
    (tmp_path / "run.sh").write_text("echo {{ ds_nodash }}\n")
    c = ctx(2)
    assert t.render("query.sql", c, search_path=[str(tmp_path)]) == "-- sales\nSELECT '2024-01-15';"
    assert t.render(["run.sh", "x.txt"], c, search_path=[str(tmp_path)]) == ["echo 20240115", "x.txt"]
    # an operator's own extensions decide what is a file (PythonOperator has none)
    assert t.render("run.sh", c, search_path=[str(tmp_path)], template_ext=()) == "run.sh"
    assert t.render("query.sql", c) == "query.sql"  # without a search path every string is a template
    with pytest.raises(jinja2.TemplateNotFound, match=r"template file 'missing.sql' was not found in the search path"):
        t.render("missing.sql", c, search_path=[str(tmp_path)])


def test_dag_level_jinja_options():
    c = ctx(2)
    out = t.render(
        "{{ greet(ds) | shout }}{{ nope }}",
        c,
        user_defined_macros={"greet": lambda d: f"hi {d}"},
        user_defined_filters={"shout": str.upper},
        template_undefined=jinja2.Undefined,
    )
    assert out == "HI 2024-01-15"
    assert t.render("a\n", c, jinja_environment_kwargs={"keep_trailing_newline": True}) == "a\n"
    # the context wins over a user macro of the same name, as in Airflow
    assert t.render("{{ ds }}", c, user_defined_macros={"ds": "macro"}) == "2024-01-15"


# ---------------------------------------------------------------------------------------------------- dates


def test_dates_print_like_pendulum():
    c = ctx(2, data_interval_start=datetime(2024, 1, 14))
    assert str(c["logical_date"]) == "2024-01-15 00:00:00+00:00"
    assert repr(c["logical_date"]) == "DateTime(2024, 1, 15, 0, 0, 0, tzinfo=Timezone('UTC'))"
    assert repr(c["logical_date"].date()) == "Date(2024, 1, 15)"
    assert str(c["data_interval_end"] - c["data_interval_start"]) == (
        "<Interval [2024-01-14 00:00:00+00:00 -> 2024-01-15 00:00:00+00:00]>"
    )
    assert (c["data_interval_end"] - c["data_interval_start"]).in_hours() == 24
    assert repr(c["dag_run"].logical_date) == "datetime.datetime(2024, 1, 15, 0, 0, tzinfo=Timezone('UTC'))"
    assert repr(ctx(3)["dag_run"].logical_date) == "datetime.datetime(2024, 1, 15, 0, 0, tzinfo=TzInfo(0))"


def test_pendulum_methods():
    d = t.to_datetime(datetime(2024, 1, 31, 10, 30))
    assert str(d.add(months=1)) == "2024-02-29 10:30:00+00:00"  # day clamped to the month
    assert str(d.subtract(years=1, days=1)) == "2023-01-30 10:30:00+00:00"
    assert str(d.add(hours=20)) == "2024-02-01 06:30:00+00:00"
    assert type(d.add(days=1)) is t.DateTime and type(d + timedelta(days=1)) is t.DateTime
    assert str(d.start_of("month")) == "2024-01-01 00:00:00+00:00"
    assert str(d.start_of("week")) == "2024-01-29 00:00:00+00:00"
    assert str(d.end_of("week")) == "2024-02-04 23:59:59.999999+00:00"
    assert str(d.end_of("day")) == "2024-01-31 23:59:59.999999+00:00"
    assert str(d.start_of("year")) == "2024-01-01 00:00:00+00:00"
    assert str(d.in_timezone("Europe/Paris")) == "2024-01-31 11:30:00+01:00"
    assert repr(d.in_timezone("Europe/Paris").tzinfo) == "Timezone('Europe/Paris')"
    assert d.to_iso8601_string() == "2024-01-31T10:30:00Z"
    assert (d.to_date_string(), d.to_datetime_string()) == ("2024-01-31", "2024-01-31 10:30:00")
    assert (d.int_timestamp, d.day_of_week, d.day_of_year, d.days_in_month, d.quarter) == (1706697000, 2, 31, 31, 1)
    with pytest.raises(ValueError, match="does not know the unit 'fortnight'"):
        d.start_of("fortnight")


def test_pendulum_format_tokens():
    d = t.to_datetime(datetime(2024, 1, 7, 9, 5, 7, 123456))
    fmt = "YYYY-MM-DD HH:mm:ss.SSS Do MMMM dddd ddd dd d E Q DDDD A hh h Z ZZ z X x [YYYY] \\Y W LL"
    assert d.format(fmt) == (
        "2024-01-07 09:05:07.123 7th January Sunday Sun Su 0 7 1 007 AM 09 9 +00:00 +0000 UTC "
        "1704618307 1704618307123 YYYY Y W January 7, 2024"
    )
    assert render("{{ logical_date.format('YYYYMMDD') }}") == "20240115"


def test_dates_pickle_and_compare():
    d = ctx(2)["logical_date"]
    assert pickle.loads(pickle.dumps(d)) == d and repr(pickle.loads(pickle.dumps(d))) == repr(d)
    assert d == datetime(2024, 1, 15, tzinfo=UTC)
    assert t.to_datetime(date(2024, 1, 15)) == d and t.to_datetime("2024-01-15T01:00:00+01:00") == d


# ---------------------------------------------------------------------------------------------------- current context


def test_current_context():
    with pytest.raises(RuntimeError, match=r"called outside a running task: .* use_context\(build_context"):
        t.get_current_context()
    outer, inner = ctx(2), ctx(3)
    with t.use_context(outer) as active:
        assert active is outer and t.get_current_context() is outer
        with t.use_context(inner):
            assert t.get_current_context() is inner
        assert t.get_current_context() is outer
    with pytest.raises(RuntimeError):
        t.get_current_context()
