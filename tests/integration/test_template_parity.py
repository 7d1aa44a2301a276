"""Airflow's own template rendering against ``converters/codegen/support/templates.py``, per Airflow line.

For each line a real DAG runs with ``dag.test()`` in that line's venv (SQLite metadata in a temporary
AIRFLOW_HOME): two upstream tasks return XComs, then an operator whose templated field holds every template
below is rendered by Airflow for logical date 2024-01-15 with DAG params, a run conf, Variables and
Connections from ``AIRFLOW_VAR_*``/``AIRFLOW_CONN_*``, and a ``.sql`` file in ``template_searchpath``. A second
DAG does the same with ``render_template_as_native_obj=True``. The operator writes the type and ``repr`` of
each rendered value, the run's facts and its context keys as JSON; the tests render the same templates with
``build_context``/``render`` from the run's facts and compare value by value.

Left out on purpose: ``macros.random()``, ``macros.uuid.uuid4()`` and ``macros.time.time()`` (different on
every call), ``dag_run.start_date`` (the moment each side starts), ``{{ ti }}``/``{{ dag_run }}`` (they print
database ids and states), and ``dag_run.external_trigger`` (``dag.test()`` marks its run as not externally
triggered, unlike a run triggered from the UI or API, which is what ``build_context`` assumes for manual runs).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from converters.runtime.airflow import base_environment
from converters.runtime.envs import airflow_venv, project_root
from tests.integration.conftest import AIRFLOW_LINES, LINES

pytestmark = pytest.mark.integration

SCRIPT_TIMEOUT = 180

LOGICAL_DATE = "2024-01-15T00:00:00+00:00"
OWNER = "data-team"
PARAMS = {"region": "eu-west-1", "batch": 500, "tables": ["orders", "customers"]}
CONF = {"x": "from_conf", "limit": 10}
XCOM = {"extract": {"rows": 3, "tables": ["a", "b"]}, "count": 42}
CUSTOM_XCOM = "pushed by extract"  # extract also pushes this under the key "custom"
ENV = {
    "AIRFLOW_VAR_MY_VAR": "hello world",
    "AIRFLOW_VAR_CFG": json.dumps({"key": "v1", "nested": {"n": 2}}),
    "AIRFLOW_CONN_MY_DB": "postgres://etl_user:p%40ss@db.example.com:5432/shop?sslmode=require&connect_timeout=10",
    "AIRFLOW_CONN_MY_API": json.dumps(
        {"conn_type": "http", "host": "https://api.example.com", "login": "bot", "extra": {"token_header": "X-Token"}}
    ),
    "AIRFLOW_CONN_MY_FS": "fs://:@/?__extra__=%7B%22path%22%3A+%22%2Fdata%22%7D",
}
SQL_FILES = {
    "daily_orders.sql": (
        "{% include 'header.sql' %}\n"
        "SELECT count(*) FROM {{ params.region | replace('-', '_') }}.orders\n"
        "WHERE order_date = '{{ ds }}'\n"
    ),
    "header.sql": "-- {{ dag.dag_id }}.{{ task.task_id }} for {{ ds_nodash }}\n",
}

SQL_QUERY = """
SELECT o.id, o.amount
FROM {{ params.region | replace('-', '_') }}.orders_{{ ds_nodash }} AS o
WHERE o.updated_at >= '{{ data_interval_start }}'
  AND o.updated_at <  '{{ data_interval_end }}'
  AND o.batch = {{ params.batch }}
  {% if dag_run.conf.get('x') %}AND o.tag = '{{ dag_run.conf['x'] }}'{% endif %}
LIMIT {{ dag_run.conf.get('limit', 100) }};
"""

# (name, template, lines where the context has what it uses)
BOTH = (2, 3)
TEMPLATES: list[tuple[str, object, tuple[int, ...]]] = [
    ("ds", "{{ ds }}", BOTH),
    ("ds_nodash", "{{ ds_nodash }}", BOTH),
    ("ts", "{{ ts }}", BOTH),
    ("ts_nodash", "{{ ts_nodash }}", BOTH),
    ("ts_nodash_with_tz", "{{ ts_nodash_with_tz }}", BOTH),
    ("logical_date", "{{ logical_date }}", BOTH),
    ("logical_date_strftime", "{{ logical_date.strftime('%Y%m') }}", BOTH),
    ("logical_date_isoformat", "{{ logical_date.isoformat() }} {{ logical_date.tzinfo }}", BOTH),
    ("data_interval_start", "{{ data_interval_start }}", BOTH),
    ("data_interval_end_ds", "{{ data_interval_end | ds }}", BOTH),
    (
        "filters",
        "{{ data_interval_start | ds_nodash }} {{ data_interval_start | ts }} {{ data_interval_end | ts_nodash }} "
        "{{ data_interval_end | ts_nodash_with_tz }}",
        BOTH,
    ),
    ("task_instance_key_str", "{{ task_instance_key_str }}", BOTH),
    ("macros_ds_add", "{{ macros.ds_add(ds, -7) }} {{ macros.ds_add(ds, 0) }}", BOTH),
    ("macros_ds_format", "{{ macros.ds_format(ds, '%Y-%m-%d', '%d/%m/%Y') }}", BOTH),
    ("macros_datetime", "{{ macros.datetime(2024, 1, 1) }}", BOTH),
    ("macros_timedelta", "{{ macros.timedelta(days=1) }}", BOTH),
    ("date_arithmetic", "{{ (logical_date - macros.timedelta(days=1)).strftime('%Y-%m-%d') }}", BOTH),
    ("macros_json", "{{ macros.json.dumps(params.tables) }}", BOTH),
    ("macros_uuid", "{{ macros.uuid.UUID('12345678123456781234567812345678') }}", BOTH),
    ("macros_dateutil", "{{ macros.dateutil.relativedelta.relativedelta(months=1) }}", BOTH),
    ("params_region", "{{ params.region }}", BOTH),
    ("params_all", "{{ params }}", BOTH),
    (
        "params_loop",
        "{% for t in params.tables %}{{ t }}_{{ ds_nodash }}{% if not loop.last %},{% endif %}{% endfor %}",
        BOTH,
    ),
    ("var_value", "{{ var.value.my_var }} {{ var.value.my_var | upper }}", BOTH),
    ("var_json", "{{ var.json.cfg.key }} {{ var.json.cfg.nested.n + 1 }}", BOTH),
    ("var_get_default", "{{ var.value.get('missing_var', 'fallback') }}", BOTH),
    ("conn_host", "{{ conn.my_db.host }}", BOTH),
    (
        "conn_fields",
        "{{ conn.my_db.conn_type }} {{ conn.my_db.login }} {{ conn.my_db.password }} {{ conn.my_db.port }} "
        "{{ conn.my_db.schema }} {{ conn.my_db.extra_dejson }}",
        BOTH,
    ),
    ("conn_uri", "{{ conn.my_db.get_uri() }}", BOTH),
    (
        "conn_json_form",
        "{{ conn.my_api.conn_type }} {{ conn.my_api.host }} {{ conn.my_api.extra_dejson['token_header'] }} "
        "{{ conn.my_api.get_uri() }}",
        BOTH,
    ),
    ("conn_extra_key", "{{ conn.my_fs.extra_dejson.path }} {{ conn.my_fs.get_uri() }}", BOTH),
    ("conn_printed", "{{ conn.my_db }}", BOTH),
    ("conn_get_missing", "{{ conn.get('nope', 'no connection') }}", BOTH),
    ("dag_id", "{{ dag.dag_id }} {{ dag }} {{ dag.owner }}", BOTH),
    ("task_id", "{{ task.task_id }} {{ task }} {{ task.owner }}", BOTH),
    (
        "dag_run_conf",
        "{{ dag_run.conf.get('x', 'd') }} {{ dag_run.conf.get('missing', 'd') }} {{ dag_run.conf }}",
        BOTH,
    ),
    ("run_id", "{{ run_id }} {{ dag_run.run_id }}", BOTH),
    (
        "dag_run_dates",
        "{{ dag_run.logical_date }} {{ dag_run.data_interval_start }} {{ dag_run.data_interval_end }} "
        "{{ [dag_run.logical_date] }}",
        BOTH,
    ),
    ("dag_run_run_type", "{{ dag_run.run_type }} {{ dag_run.dag_id }}", BOTH),
    ("ti_fields", "{{ ti.task_id }} {{ ti.dag_id }} {{ ti.run_id }} {{ ti.try_number }} {{ ti.map_index }}", BOTH),
    ("xcom_pull", "{{ ti.xcom_pull(task_ids='extract') }}", BOTH),
    (
        "xcom_pull_item",
        "{{ ti.xcom_pull(task_ids='extract')['rows'] }} {{ task_instance.xcom_pull('count') + 1 }}",
        BOTH,
    ),
    ("xcom_pull_key", "{{ ti.xcom_pull(task_ids='extract', key='custom') }}", BOTH),
    ("xcom_pull_many", "{{ ti.xcom_pull(task_ids=['extract', 'count']) }}", BOTH),
    ("xcom_pull_many_items", "{% for v in ti.xcom_pull(task_ids=['count']) %}{{ v }}{% endfor %}", BOTH),
    ("sql_multiline", SQL_QUERY, BOTH),
    ("sql_file", "daily_orders.sql", BOTH),
    (
        "jinja_statements",
        "{% set d = macros.ds_add(ds, 1) %}{% if d > ds %}after {{ d }}{% endif %}"
        "{% set acc = [] %}{% do acc.append(ds_nodash) %} {{ acc }} {{ '%s-%s' | format(ds, params.region) }}",
        BOTH,
    ),
    (
        "nested",
        {
            "bucket": "s3://lake/{{ params.region }}/{{ ds_nodash }}/",
            "keys": ["{{ ds }}", "{{ run_id }}", 42, None, ["{{ ts }}", "plain"]],
            "options": {"limit": "{{ dag_run.conf.limit }}", "flag": True},
        },
        BOTH,
    ),
    ("pendulum_add", "{{ logical_date.add(days=1) }} {{ logical_date.subtract(months=1).strftime('%Y-%m') }}", BOTH),
    (
        "pendulum_periods",
        "{{ logical_date.start_of('month') | ds }} {{ logical_date.end_of('month') }} "
        "{{ logical_date.start_of('week') }}",
        BOTH,
    ),
    ("pendulum_timezone", "{{ logical_date.in_timezone('Europe/Paris') }}", BOTH),
    ("pendulum_format", "{{ logical_date.format('YYYY-MM-DD HH:mm:ss Do dddd MMM [week] Q') }}", BOTH),
    ("pendulum_misc", "{{ logical_date.int_timestamp }} {{ logical_date.to_iso8601_string() }}", BOTH),
    ("pendulum_interval", "{{ data_interval_end - data_interval_start }}", BOTH),
    ("dates_in_list", "{{ [logical_date, data_interval_start] }} {{ [logical_date.date()] }}", BOTH),
    # Airflow 2 only: removed from the context in Airflow 3.
    ("execution_date", "{{ execution_date }} {{ dag_run.execution_date }}", (2,)),
    ("prev_ds", "{{ prev_ds }} {{ prev_ds_nodash }} {{ prev_execution_date }}", (2,)),
    ("next_ds", "{{ next_ds }} {{ next_ds_nodash }} {{ next_execution_date }}", (2,)),
    (
        "yesterday_tomorrow",
        "{{ yesterday_ds }} {{ yesterday_ds_nodash }} {{ tomorrow_ds }} {{ tomorrow_ds_nodash }}",
        (2,),
    ),
    ("airflow_conf", "{{ conf.get('core', 'load_examples') }}", (2,)),
    # Airflow 3 only.
    ("airflow3_keys", "{{ partition_key }} {{ task_reschedule_count }} {{ dag_run.run_after }}", (3,)),
]

NATIVE_TEMPLATES: list[tuple[str, object, tuple[int, ...]]] = [
    ("int", "{{ params.batch * 2 }}", BOTH),
    ("bool", "{{ params.batch > 100 }}", BOTH),
    ("list", "{{ params.tables }}", BOTH),
    ("dict", "{{ dag_run.conf }}", BOTH),
    ("string", "{{ ds }}", BOTH),
    ("literal_string", "42", BOTH),
    ("list_literal", "[{{ params.batch }}, {{ params.batch + 1 }}]", BOTH),
    ("xcom", "{{ ti.xcom_pull(task_ids='extract') }}", BOTH),
    ("xcom_int", "{{ ti.xcom_pull(task_ids='count') }}", BOTH),
    ("var_json", "{{ var.json.cfg }}", BOTH),
    ("datetime", "{{ logical_date }}", BOTH),
    ("date", "{{ logical_date.date() }}", BOTH),
    ("interval", "{{ data_interval_end - data_interval_start }}", BOTH),
    ("timedelta", "{{ macros.timedelta(hours=2) }}", BOTH),
    ("mixed_text", "{{ ds }} and {{ params.batch }}", BOTH),
    ("nested", {"n": "{{ params.batch }}", "l": ["{{ ds_nodash }}", "{{ params.region }}"]}, BOTH),
]

# The Airflow DAG file: both DAGs, and dag.test() of each when run as a script. It runs in the Airflow venv.
DAG_FILE = '''
"""Renders the parity templates with Airflow's own machinery (written by tests/integration/test_template_parity.py)."""

import json
import os
from datetime import datetime, timezone

try:
    from airflow.sdk import DAG, BaseOperator
    from airflow.sdk.definitions.timetables.interval import CronDataIntervalTimetable

    AIRFLOW_3 = True
except ImportError:
    from airflow import DAG
    from airflow.models.baseoperator import BaseOperator
    from airflow.timetables.interval import CronDataIntervalTimetable

    AIRFLOW_3 = False

with open(os.environ["A2D_PARITY_SPEC"]) as spec_file:
    SPEC = json.load(spec_file)


def iso(value):
    return None if value is None else value.isoformat()


class Extract(BaseOperator):
    def execute(self, context):
        context["ti"].xcom_push(key="custom", value=SPEC["custom_xcom"])
        return SPEC["xcom"]["extract"]


class Count(BaseOperator):
    def execute(self, context):
        return SPEC["xcom"]["count"]


class RenderTemplates(BaseOperator):
    template_fields = ("templates",)
    template_ext = (".sql",)

    def __init__(self, *, templates, **kwargs):
        super().__init__(**kwargs)
        self.templates = templates

    def execute(self, context):
        facts = {
            "run_id": context["run_id"],
            "logical_date": iso(context["logical_date"]),
            "data_interval_start": iso(context["data_interval_start"]),
            "data_interval_end": iso(context["data_interval_end"]),
            "prev_execution_date": iso(context.get("prev_execution_date")),
            "next_execution_date": iso(context.get("next_execution_date")),
        }
        rendered = {name: {"type": type(v).__name__, "repr": repr(v)} for name, v in self.templates.items()}
        result = {"rendered": rendered, "facts": facts, "context_keys": sorted(context.keys())}
        with open(os.path.join(SPEC["out_dir"], self.dag_id + ".json"), "w") as out:
            json.dump(result, out)


def make_dag(dag_id, templates, native):
    with DAG(
        dag_id,
        schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
        start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),
        catchup=False,
        params=SPEC["params"],
        template_searchpath=[SPEC["sql_dir"]],
        render_template_as_native_obj=native,
        default_args={"owner": SPEC["owner"]},
    ) as dag:
        upstream = [Extract(task_id="extract"), Count(task_id="count")]
        upstream >> RenderTemplates(task_id="render", templates=templates)
    return dag


string_dag = make_dag("template_parity", SPEC["templates"], native=False)
native_dag = make_dag("template_parity_native", SPEC["native_templates"], native=True)

if __name__ == "__main__":
    logical = datetime.fromisoformat(SPEC["logical_date"])
    for dag in (string_dag, native_dag):
        if AIRFLOW_3:
            dag.test(run_after=logical, logical_date=logical, run_conf=SPEC["conf"])
        else:
            dag.test(execution_date=logical, run_conf=SPEC["conf"])
'''


def load_templates_module():
    """The support module by path, as generated packages hold a copy of it."""
    path = project_root() / "converters" / "codegen" / "support" / "templates.py"
    spec = importlib.util.spec_from_file_location("a2d_parity_templates", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


templates = load_templates_module()


def for_line(entries, version: int) -> dict[str, object]:
    """The templates of one line, as the Airflow side reads them back from JSON."""
    return json.loads(json.dumps({name: template for name, template, lines in entries if version in lines}))


def describe(value) -> dict:
    return {"type": type(value).__name__, "repr": repr(value)}


def run_airflow(version: int, work: Path) -> dict:
    """Run both DAGs with dag.test() in the line's venv; return what the operators wrote."""
    home, dags, sql_dir, out_dir = (work / name for name in ("home", "dags", "sql", "out"))
    for folder in (home, dags, sql_dir, out_dir):
        folder.mkdir(parents=True)
    for name, text in SQL_FILES.items():
        (sql_dir / name).write_text(text)
    (dags / "template_parity.py").write_text(DAG_FILE)
    spec = {
        "templates": for_line(TEMPLATES, version),
        "native_templates": for_line(NATIVE_TEMPLATES, version),
        "params": PARAMS,
        "conf": CONF,
        "xcom": XCOM,
        "custom_xcom": CUSTOM_XCOM,
        "owner": OWNER,
        "logical_date": LOGICAL_DATE,
        "sql_dir": str(sql_dir),
        "out_dir": str(out_dir),
    }
    (work / "spec.json").write_text(json.dumps(spec))
    env = base_environment(version, home, dags) | ENV | {"A2D_PARITY_SPEC": str(work / "spec.json")}
    env["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"
    python = str(airflow_venv(version) / "bin" / "python")
    started = time.monotonic()
    steps = [
        [str(airflow_venv(version) / "bin" / "airflow"), "db", "migrate"],
        [python, str(dags / "template_parity.py")],
    ]
    for command in steps:
        done = subprocess.run(command, env=env, cwd=work, capture_output=True, text=True, timeout=SCRIPT_TIMEOUT)
        assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-4000:]}\n{done.stderr[-6000:]}"
    results = {}
    for dag_id in ("template_parity", "template_parity_native"):
        path = out_dir / f"{dag_id}.json"
        assert path.exists(), f"Airflow {version} did not run the render task of {dag_id}"
        results[dag_id] = json.loads(path.read_text())
    results["seconds"] = round(time.monotonic() - started, 1)
    results["sql_dir"] = str(sql_dir)
    results["dags_dir"] = str(dags)
    return results


@pytest.fixture(scope="module", params=LINES)
def airflow_rendering(request, tmp_path_factory):
    version = request.param
    results = run_airflow(version, tmp_path_factory.mktemp(f"template-parity-{version}"))
    print(f"[airflow {version}] rendered by Airflow in {results['seconds']} s")
    return version, results


@pytest.fixture
def airflow_env(monkeypatch):
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")  # what the Airflow side was given


def our_context(version: int, facts: dict, **overrides) -> dict:
    """build_context from the facts of Airflow's run (logical date, data interval, schedule neighbours)."""
    kwargs = {
        "dag_id": "template_parity",
        "task_id": "render",
        "logical_date": datetime.fromisoformat(facts["logical_date"]),
        "data_interval_start": datetime.fromisoformat(facts["data_interval_start"]),
        "data_interval_end": datetime.fromisoformat(facts["data_interval_end"]),
        "params": PARAMS,
        "conf": CONF,
        "run_id": facts["run_id"],
        "airflow_major": version,
        "xcom_values": {**XCOM, "extract:custom": CUSTOM_XCOM},
        "owner": OWNER,
        "task_type": "RenderTemplates",
    }
    if facts["prev_execution_date"]:
        kwargs["prev_logical_date"] = datetime.fromisoformat(facts["prev_execution_date"])
    if facts["next_execution_date"]:
        kwargs["next_logical_date"] = datetime.fromisoformat(facts["next_execution_date"])
    kwargs.update(overrides)
    return templates.build_context(**kwargs)


def compare(version: int, entries, theirs: dict, ours: dict) -> None:
    sources = for_line(entries, version)
    rows = []
    for name in sources:
        if ours[name] != theirs[name]:
            rows.append((name, sources[name], theirs[name], ours[name]))
    if rows:
        lines = [f"{len(rows)} of {len(sources)} templates render differently on Airflow {version}:"]
        for name, source, airflow, mine in rows:
            lines.append(f"\n  {name}: {source!r}")
            lines.append(f"    airflow: {airflow['type']:<10} {airflow['repr']}")
            lines.append(f"    ours:    {mine['type']:<10} {mine['repr']}")
        pytest.fail("\n".join(lines), pytrace=False)
    assert len(sources) == len(theirs)


def test_string_templates_render_like_airflow(airflow_rendering, airflow_env):
    version, results = airflow_rendering
    run = results["template_parity"]
    context = our_context(version, run["facts"])
    rendered = templates.render(
        for_line(TEMPLATES, version),
        context,
        search_path=[results["dags_dir"], results["sql_dir"]],
        template_ext=(".sql",),
    )
    ours = {name: describe(value) for name, value in rendered.items()}
    compare(version, TEMPLATES, run["rendered"], ours)
    assert len(ours) >= 25


def test_native_templates_render_like_airflow(airflow_rendering, airflow_env):
    version, results = airflow_rendering
    run = results["template_parity_native"]
    context = our_context(version, run["facts"], dag_id="template_parity_native")
    rendered = templates.render(for_line(NATIVE_TEMPLATES, version), context, native=True)
    ours = {name: describe(value) for name, value in rendered.items()}
    compare(version, NATIVE_TEMPLATES, run["rendered"], ours)


def test_context_has_the_keys_of_the_airflow_line(airflow_rendering):
    version, results = airflow_rendering
    theirs = set(results["template_parity"]["context_keys"])
    ours = set(our_context(version, results["template_parity"]["facts"]))
    # task_state_store (3.x) is Airflow's per-task key-value store in its metadata database.
    assert ours == theirs - {"task_state_store"}


CONNECTION_VALUES = [
    "postgresql://user:p%40ss@db.example.com:5432/shop?sslmode=require",
    "google-cloud-platform://?__extra__=%7B%22project%22%3A+%22p%22%7D",
    "http://https://api.example.com/v1",
    "http://http://api.example.com",
    "mysql://root@localhost",
    "sqlite:///tmp/x.db",
    "aws://?region_name=eu-west-1&role_arn=arn%3Aaws",
    "ssh://user@host:2222/?key_file=%2Fk",
    "http://:443",
    "http://host/%2Fabs%2Fpath",
    "fs://:@/?__extra__=%7B%22path%22%3A+%22%2Fdata%22%7D",
    "my-conn-type://login:pass@host%2Fwith%2Fslash:1234/schema",
    "wasb://acct:key@?extra__wasb__sas=x",
    '{"conn_type": "http", "host": "api.example.com", "port": "443", "extra": {"token": "t"}}',
    '{"conn_type": "postgresql", "login": "u", "password": "", "schema": "s", "extra": "{\\"a\\": [1, 2]}"}',
    '{"conn_type": "http", "host": "http://x.com"}',
]
CONNECTION_SCRIPT = """
import json, sys
try:
    from airflow.sdk.definitions.connection import Connection
except ImportError:
    from airflow.models.connection import Connection
rows = []
for value in json.loads(sys.argv[1]):
    if value.startswith("{"):
        conn = Connection.from_json(value, conn_id="c")
    else:
        conn = Connection(conn_id="c", uri=value)
    fields = ("conn_type", "host", "schema", "login", "password", "port", "extra", "extra_dejson")
    rows.append([getattr(conn, name) for name in fields] + [conn.get_uri()])
print(json.dumps(rows))
"""


@pytest.mark.parametrize("version", AIRFLOW_LINES, ids=lambda v: f"airflow{v}")
def test_connections_parse_like_airflow(version, tmp_path):
    """URI and JSON forms of AIRFLOW_CONN_* read into the same fields and written back to the same URI."""
    env = base_environment(version, tmp_path, tmp_path)
    python = str(airflow_venv(version) / "bin" / "python")
    done = subprocess.run(
        [python, "-W", "ignore", "-c", CONNECTION_SCRIPT, json.dumps(CONNECTION_VALUES)],
        env=env,
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    differing = []
    for value, airflow in zip(CONNECTION_VALUES, theirs, strict=True):
        conn = templates.parse_connection("c", value, airflow_major=version)
        fields = ("conn_type", "host", "schema", "login", "password", "port", "extra", "extra_dejson")
        ours = json.loads(json.dumps([getattr(conn, name) for name in fields] + [conn.get_uri()]))
        if ours != airflow:
            differing.append(f"{value}\n    airflow: {airflow}\n    ours:    {ours}")
    assert not differing, "\n".join(differing)


def test_defaults_match_airflows_manual_run(airflow_rendering):
    """Without run_id, build_context names the run as Airflow names a manual run of that logical date."""
    version, results = airflow_rendering
    facts = results["template_parity"]["facts"]
    context = templates.build_context(
        dag_id="template_parity",
        task_id="render",
        logical_date=datetime.fromisoformat(facts["logical_date"]).replace(tzinfo=None),  # naive means UTC
        airflow_major=version,
    )
    assert context["run_id"] == facts["run_id"]
    assert context["logical_date"].isoformat() == facts["logical_date"]
