"""The static scan on focused fixtures: one construct per test, in the styles real estates mix."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

from converters.inventory import ir
from converters.inventory.project import inventory_json, scan_project
from converters.inventory.scan import scan_source


def scan(code: str, path: str = "dag.py") -> ir.DagFile:
    return scan_source(textwrap.dedent(code), path)


def only_dag(code: str) -> ir.Dag:
    result = scan(code)
    assert len(result.dags) == 1, result
    return result.dags[0]


def edges(dag: ir.Dag) -> set[tuple[str, str]]:
    return {(e.upstream, e.downstream) for e in dag.edges}


def operators(dag: ir.Dag) -> dict[str, str]:
    return {t.task_id: t.operator for t in dag.tasks}


def codes(result: ir.DagFile) -> list[str]:
    return [d.code for d in result.diagnostics]


def test_the_same_operator_under_its_1_10_2x_and_3x_paths_has_one_canonical_name():
    dag = only_dag(
        """
        from airflow import DAG
        from airflow.operators.bash_operator import BashOperator as LegacyBash
        from airflow.providers.standard.operators.bash import BashOperator
        import airflow.operators.bash
        from airflow.contrib.operators.ssh_operator import SSHOperator
        from airflow.operators.dummy_operator import DummyOperator
        with DAG("d", schedule=None):
            LegacyBash(task_id="a", bash_command="echo")
            BashOperator(task_id="b", bash_command="echo")
            airflow.operators.bash.BashOperator(task_id="c", bash_command="echo")
            SSHOperator(task_id="d", command="ls")
            DummyOperator(task_id="e")
        """
    )
    assert operators(dag) == {
        "a": "airflow.operators.bash.BashOperator",
        "b": "airflow.operators.bash.BashOperator",
        "c": "airflow.operators.bash.BashOperator",
        "d": "airflow.providers.ssh.operators.ssh.SSHOperator",
        "e": "airflow.operators.empty.EmptyOperator",
    }


def test_try_except_import_fallback_and_styles_are_recorded():
    result = scan(
        """
        try:
            from airflow.providers.standard.operators.python import PythonOperator
        except ImportError:
            from airflow.operators.python_operator import PythonOperator
        from airflow.sdk import DAG
        with DAG("d"):
            PythonOperator(task_id="p", python_callable=print)
        """
    )
    assert operators(result.dags[0]) == {"p": "airflow.operators.python.PythonOperator"}
    assert result.styles == ("1.10", "3.x")


def test_dag_assignment_with_dag_keyword_and_set_upstream_1_10_style():
    dag = only_dag(
        """
        from airflow.models import DAG
        from airflow.operators.python_operator import PythonOperator
        dag = DAG("legacy", schedule_interval="@daily", default_args={"retries": 3, "pool": "p1"})
        a = PythonOperator(task_id="a", python_callable=len, provide_context=True, dag=dag)
        b = PythonOperator(task_id="b", python_callable=len, retries=1, dag=dag)
        c = PythonOperator(task_id="c", python_callable=len, dag=dag)
        b.set_upstream(a)
        b.set_downstream(c)
        """
    )
    assert edges(dag) == {("a", "b"), ("b", "c")}
    assert dag.schedule == ir.Schedule("preset", "@daily")
    retries = {t.task_id: t.retry.retries for t in dag.tasks}
    assert retries == {"a": 3, "b": 1, "c": 3}  # default_args merged; the task's own argument wins
    assert {t.pool for t in dag.tasks} == {"p1"}


def test_several_dags_per_file_and_dag_decorator_invocation():
    result = scan(
        """
        from airflow.decorators import dag, task
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator
        with DAG("first", schedule="0 1 * * *"):
            EmptyOperator(task_id="x")
        @dag(schedule=None, dag_id="second")
        def pipeline():
            @task
            def extract():
                return 1
            @task
            def load(value):
                print(value)
            load(extract())
        pipeline()
        """
    )
    first, second = result.dags
    assert (first.dag_id, second.dag_id) == ("first", "second")
    assert operators(second) == {"extract": "airflow.decorators.task", "load": "airflow.decorators.task"}
    assert edges(second) == {("extract", "load")}  # XComArg wiring is an edge


def test_taskflow_variants_and_repeated_calls_get_airflow_suffixes():
    dag = only_dag(
        """
        from airflow.sdk import dag, task
        @dag
        def flows():
            @task.bash
            def say():
                return "echo hi"
            @task.branch
            def pick():
                return "say"
            @task.virtualenv(requirements=["x"])
            def isolated():
                pass
            pick() >> [say(), say()]
            isolated.override(task_id="custom")()
        flows()
        """
    )
    assert {t.task_id: t.family for t in dag.tasks} == {
        "pick": "branch",
        "say": "bash",
        "say__1": "bash",
        "custom": "python_venv",
    }
    assert edges(dag) == {("pick", "say"), ("pick", "say__1")}


def test_task_groups_prefix_ids_and_group_edges_use_roots_and_leaves():
    dag = only_dag(
        """
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator
        from airflow.utils.task_group import TaskGroup
        with DAG("g"):
            start = EmptyOperator(task_id="start")
            with TaskGroup("outer") as outer:
                a = EmptyOperator(task_id="a")
                with TaskGroup("inner") as inner:
                    b = EmptyOperator(task_id="b")
                a >> inner
            end = EmptyOperator(task_id="end")
            start >> outer >> end
        """
    )
    assert sorted(operators(dag)) == ["end", "outer.a", "outer.inner.b", "start"]
    assert edges(dag) == {("start", "outer.a"), ("outer.a", "outer.inner.b"), ("outer.inner.b", "end")}
    assert {t.task_id: t.task_group for t in dag.tasks}["outer.inner.b"] == "outer.inner"


def test_task_group_decorator_called_twice():
    dag = only_dag(
        """
        from airflow.decorators import dag, task, task_group
        @dag(schedule=None)
        def d():
            @task
            def step():
                pass
            @task_group
            def section():
                step() >> step()
            section() >> section()
        d()
        """
    )
    assert sorted(operators(dag)) == ["section.step", "section.step__1", "section__1.step", "section__1.step__1"]
    assert ("section.step__1", "section__1.step") in edges(dag)


def test_partial_expand_and_expand_kwargs_are_mapped():
    dag = only_dag(
        """
        from airflow import DAG
        from airflow.decorators import task
        from airflow.operators.python import PythonOperator
        with DAG("m"):
            @task
            def numbers():
                return [1, 2]
            @task
            def double(x, factor):
                return x * factor
            doubled = double.partial(factor=2).expand(x=numbers())
            PythonOperator.partial(task_id="each", python_callable=print).expand_kwargs(doubled)
        """
    )
    assert {t.task_id: t.mapped for t in dag.tasks} == {"numbers": False, "double": True, "each": True}
    assert edges(dag) == {("numbers", "double"), ("double", "each")}


def test_literal_loops_f_strings_helpers_chain_cross_downstream_and_labels():
    dag = only_dag(
        """
        from airflow import DAG
        from airflow.models.baseoperator import chain, cross_downstream
        from airflow.utils.edgemodifier import Label
        from airflow.operators.empty import EmptyOperator
        REGIONS = ["eu", "us"]
        def make(name, dag):
            return EmptyOperator(task_id=f"load_{name}", dag=dag)
        with DAG("loops") as dag:
            loads = [make(region, dag) for region in REGIONS]
            checks = []
            for i in range(2):
                checks.append(EmptyOperator(task_id=f"check_{i}"))
            end = EmptyOperator(task_id="end")
            chain(loads, checks)
            cross_downstream(checks, [end])
            loads[0] >> Label("fast path") >> end
        """
    )
    assert sorted(operators(dag)) == ["check_0", "check_1", "end", "load_eu", "load_us"]
    assert edges(dag) == {
        ("load_eu", "check_0"),
        ("load_us", "check_1"),
        ("check_0", "end"),
        ("check_1", "end"),
        ("load_eu", "end"),
    }


def test_custom_operator_subclass_resolves_to_its_base_family():
    dag = only_dag(
        """
        from airflow import DAG
        from airflow.operators.bash import BashOperator
        class DbtBash(BashOperator):
            pass
        class Special(DbtBash):
            pass
        with DAG("c"):
            Special(task_id="s", bash_command="dbt run")
        """
    )
    (task,) = dag.tasks
    assert (task.operator, task.family) == ("dag.Special", "bash")


def test_schedules_and_settings():
    result = scan(
        """
        from datetime import datetime, timedelta
        from airflow import DAG, Dataset
        with DAG("a", schedule=timedelta(hours=6), start_date=datetime(2024, 2, 1), catchup=True, tags=["x"]):
            pass
        with DAG("b", schedule=[Dataset("s3://bucket/key")]):
            pass
        with DAG("c", schedule=None):
            pass
        with DAG("d"):
            pass
        """
    )
    a, b, c, d = result.dags
    assert (a.schedule, a.start_date, a.catchup, a.tags) == (
        ir.Schedule("timedelta", "21600.0"),
        "2024-02-01",
        True,
        ("x",),
    )
    assert b.schedule == ir.Schedule("dataset", "s3://bucket/key")
    expression = scan(
        """
        from airflow.sdk import DAG, Asset
        with DAG("e", schedule=(Asset("a") | Asset("b")) & Asset("c")):
            pass
        """
    ).dags[0]
    assert expression.schedule == ir.Schedule("dataset", "((a | b) & c)")
    assert (c.schedule.kind, d.schedule.kind) == ("none", "default")


def test_runtime_structure_is_a_diagnostic_never_a_guess():
    result = scan(
        """
        import json
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator
        from company.builders import build_tasks
        TABLES = json.load(open("tables.json"))
        with DAG("dynamic"):
            for table in TABLES:
                EmptyOperator(task_id=f"load_{table}")
            build_tasks(task_id="x")
        for name in ["a", "b"]:
            globals()[name] = DAG(name)
        """
    )
    dynamic = result.dags[0]
    assert not dynamic.complete
    assert dynamic.tasks == ()  # no invented tasks
    assert {"A2D201", "A2D230"} <= set(codes(result))
    located = {d.code: d.line for d in result.diagnostics}
    assert located["A2D201"] == 8
    # A DAG the scan built is registered whatever the globals() key: Airflow collects the module's DAG objects.
    assert [d.dag_id for d in result.dags] == ["dynamic", "a", "b"]
    assert "A2D220" not in codes(result)


def test_runtime_condition_marks_the_dags_it_builds():
    result = scan(
        """
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator
        from somewhere import feature_enabled
        with DAG("always"):
            EmptyOperator(task_id="a")
        if feature_enabled():
            with DAG("sometimes"):
                EmptyOperator(task_id="b")
        """
    )
    assert {d.dag_id: d.complete for d in result.dags} == {"always": True, "sometimes": False}


def test_broken_files_become_diagnostics_and_the_scan_continues(tmp_path):
    (tmp_path / "good.py").write_text("from airflow import DAG\nwith DAG('ok'):\n    pass\n")
    (tmp_path / "syntax.py").write_text("from airflow import DAG\nwith DAG('x':\n")
    (tmp_path / "latin1.py").write_bytes(b"# caf\xe9\nfrom airflow import DAG\n")
    (tmp_path / "deep.py").write_text("x = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    (tmp_path / "not_a_dag.txt").write_text("ignored")
    (tmp_path / "helpers.py").write_text("def shared():\n    return 1\n")
    (tmp_path / "dup.py").write_text("from airflow import DAG\nwith DAG('ok'):\n    pass\n")
    project = scan_project(tmp_path, use_cache=False, jobs=1)
    data = inventory_json(project)
    found = {(d["file"], d["code"]) for d in data["diagnostics"]}
    assert ("syntax.py", "A2D001") in found
    assert ("latin1.py", "A2D006") in found
    assert ("deep.py", "A2D001") in found  # CPython's parser refuses 5,000 nested parentheses
    assert ("helpers.py", "A2D030") in found
    assert any(file == "deep.py" for file, _ in found)
    assert any(code == "A2D020" for _, code in found)  # the DAG id defined twice
    assert [d["dag_id"] for d in data["dags"]] == ["ok", "ok"]
    assert not any(d["code"] == "A2D999" for d in data["diagnostics"])


def test_a_dag_id_that_is_not_a_literal_is_a_diagnostic_even_when_reused(tmp_path):
    """`@dag(dag_id=NAME)` with NAME from the environment, in two files: A2D221 each, no crash listing duplicates."""
    from converters.flow import scan_and_plan

    code = (
        "import os\nfrom airflow.decorators import dag, task\nNAME = os.environ['X']\n"
        "@dag(dag_id=NAME)\ndef pipeline():\n    @task\n    def t():\n        pass\n    t()\npipeline()\n"
    )
    (tmp_path / "a.py").write_text(code)
    (tmp_path / "b.py").write_text(code)
    (tmp_path / "c.py").write_text("from airflow import DAG\nwith DAG('ok'):\n    pass\n")
    planned = scan_and_plan(tmp_path, use_cache=False, jobs=1, read_migration_state=False)
    data = inventory_json(planned.project)
    assert [d["dag_id"] for d in data["dags"]] == ["ok"]
    found = {(d["file"], d["line"], d["code"]) for d in data["diagnostics"]}
    assert {("a.py", 10, "A2D221"), ("b.py", 10, "A2D221")} <= found
    assert not any(d["code"] in {"A2D020", "A2D999"} for d in data["diagnostics"])


def test_airflowignore_is_honoured(tmp_path):
    (tmp_path / ".airflowignore").write_text("helpers/\nskip_*.py\n")
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "h.py").write_text("from airflow import DAG\nwith DAG('h'):\n    pass\n")
    (tmp_path / "skip_me.py").write_text("from airflow import DAG\nwith DAG('s'):\n    pass\n")
    (tmp_path / "kept.py").write_text("from airflow import DAG\nwith DAG('k'):\n    pass\n")
    project = scan_project(tmp_path, use_cache=False, jobs=1)
    assert [d.dag_id for f in project.files for d in f.dags] == ["k"]


def test_unchanged_files_come_from_the_cache_and_match(tmp_path):
    (tmp_path / "a.py").write_text("from airflow import DAG\nwith DAG('a'):\n    pass\n")
    cache = tmp_path / "cache"
    first = scan_project(tmp_path, cache_dir=cache, jobs=1)
    entries = [p for p in cache.rglob("*.pickle") if p.parent.name != "projects"]
    assert len(entries) == 1
    assert len(list((cache / "projects").glob("*.pickle"))) == 1, "and the folder's index"
    second = scan_project(tmp_path, cache_dir=cache, jobs=1)
    assert first == second
    assert ir.from_json(ir.Project, json.loads(json.dumps(ir.to_json(first)))) == first


def test_a_rescan_analyses_only_the_files_that_changed(tmp_path, monkeypatch):
    from converters.inventory import project as project_module

    for name in "abc":
        (tmp_path / f"{name}.py").write_text(f"from airflow import DAG\nwith DAG('{name}'):\n    pass\n")
    cache = tmp_path.parent / f"{tmp_path.name}-cache"
    first = scan_project(tmp_path, cache_dir=cache, jobs=1)
    analysed: list[str] = []
    real = project_module.scan_source
    monkeypatch.setattr(
        project_module, "scan_source", lambda text, path, *more: analysed.append(path) or real(text, path, *more)
    )

    assert scan_project(tmp_path, cache_dir=cache, jobs=1) == first
    assert analysed == [], "nothing changed: every result comes from the cache"
    (tmp_path / "b.py").write_text("from airflow import DAG\nwith DAG('b2'):\n    pass\n")
    changed = scan_project(tmp_path, cache_dir=cache, jobs=1)
    assert analysed == ["b.py"]
    assert [d.dag_id for f in changed.files for d in f.dags] == ["a", "b2", "c"]
    (tmp_path / "b.py").write_text("from airflow import DAG\nwith DAG('b'):\n    pass\n")
    assert scan_project(tmp_path, cache_dir=cache, jobs=1) == first, "the old content's entry is still valid"
    assert analysed == ["b.py"]
    shutil.rmtree(cache)  # safe to delete: the next scan analyses everything again
    assert scan_project(tmp_path, cache_dir=cache, jobs=1) == first
    assert sorted(analysed) == ["a.py", "b.py", "b.py", "c.py"]


def test_scan_cli_writes_the_documented_json_and_uses_exit_codes(tmp_path):
    folder = tmp_path / "dags"
    folder.mkdir()
    (folder / "a.py").write_text(
        "from airflow import DAG\nfrom airflow.operators.empty import EmptyOperator\n"
        "with DAG('a', schedule='@daily'):\n    EmptyOperator(task_id='t1') >> EmptyOperator(task_id='t2')\n"
    )
    (folder / "broken.py").write_text("def (:\n")
    out = tmp_path / "inventory.json"

    def run(*args):
        return subprocess.run([sys.executable, "-m", "converters", *args], capture_output=True, text=True, timeout=120)

    assert run("scan", str(folder), "--json", str(out), "--no-cache").returncode == 0
    data = json.loads(out.read_text())
    (dag,) = data["dags"]
    assert {k: dag[k] for k in ("dag_id", "file", "line", "schedule")} == {
        "dag_id": "a",
        "file": "a.py",
        "line": 3,
        "schedule": "@daily",
    }
    assert [(t["task_id"], t["upstream"], t["mapped"]) for t in dag["tasks"]] == [
        ("t1", [], False),
        ("t2", ["t1"], False),
    ]
    assert data["diagnostics"][0]["file"] == "broken.py"
    assert run("scan", str(folder), "--strict", "--no-cache").returncode == 1
    assert run("scan", str(tmp_path / "missing")).returncode == 2


def test_scanning_never_executes_the_dag_file(tmp_path):
    marker = tmp_path / "executed"
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "hostile.py").write_text(
        textwrap.dedent(
            f"""
            import os, socket
            open({str(marker)!r}, "w").write("ran")
            os.system("touch {marker}")
            socket.create_connection(("127.0.0.1", 9))
            from airflow import DAG
            from airflow.operators.empty import EmptyOperator
            with DAG("hostile"):
                EmptyOperator(task_id="t")
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "converters", "scan", str(dags), "--no-cache", "--json", "-"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert [d["dag_id"] for d in json.loads(result.stdout)["dags"]] == ["hostile"]
    assert not marker.exists()


def test_reconcile_reports_each_kind_of_structural_difference():
    from converters.dagbag.reconcile import reconcile

    result = scan(
        """
        from airflow import DAG
        from airflow.operators.bash import BashOperator
        with DAG("d", schedule="0 6 * * *"):
            BashOperator(task_id="a", bash_command="x") >> BashOperator(task_id="b", bash_command="y")
        """
    )
    project = ir.Project("root", (result,))

    def airflow_built(schedule, tasks):
        return {"dags": [{"dag_id": "d", "fileloc": "dag.py", "schedule": schedule, "tasks": tasks}]}

    bash = "airflow.providers.standard.operators.bash.BashOperator"  # Airflow 3's path: the same operator
    same = [
        {"task_id": "a", "class": bash, "mapped": False, "task_group": None, "upstream": []},
        {"task_id": "b", "class": bash, "mapped": False, "task_group": None, "upstream": ["a"]},
    ]
    cron = {"kind": "cron", "value": "0 6 * * *"}
    assert reconcile(project, airflow_built(cron, same)).dags[0].status == "match"

    other = [dict(same[0]), dict(same[1], upstream=[], mapped=True, **{"class": "x.PythonOperator"})]
    differing = reconcile(project, airflow_built({"kind": "cron", "value": "0 7 * * *"}, other)).dags[0]
    assert differing.status == "differs"
    text = " / ".join(differing.differences)
    assert "edges only the scan sees: a>>b" in text
    assert "b: operator airflow.operators.bash.BashOperator vs Airflow's x.PythonOperator" in text
    assert "b: mapped False vs Airflow's True" in text
    assert "schedule cron 0 6 * * * vs Airflow's cron 0 7 * * *" in text


def test_reconcile_compares_a_duplicated_dag_id_with_the_file_airflow_took_it_from():
    """Generated estates often share a template DAG id: Airflow keeps one file's DAG (the others are import
    errors); the comparison is with that file, and the other definitions are listed apart, naming it."""
    from converters.dagbag.reconcile import reconcile

    template = """
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator
        with DAG("shared.id"):
            EmptyOperator(task_id="{first}") >> EmptyOperator(task_id="{second}")
        """
    kept = scan(template.format(first="a", second="b"), "env/one/dag.py")
    other = scan(template.format(first="x", second="y"), "env/two/dag.py")
    empty = "airflow.operators.empty.EmptyOperator"
    built = [
        {"task_id": "a", "class": empty, "mapped": False, "task_group": None, "upstream": []},
        {"task_id": "b", "class": empty, "mapped": False, "task_group": None, "upstream": ["a"]},
    ]
    bag = {"dags": [{"dag_id": "shared.id", "fileloc": "env/one/dag.py", "schedule": {}, "tasks": built}]}
    for files in ((kept, other), (other, kept)):
        parity = reconcile(ir.Project("root", files), bag).dags
        assert [(d.file, d.status) for d in parity] == [("env/one/dag.py", "match"), ("env/two/dag.py", "static_only")]
        assert parity[1].differences == ("the DAG id is also defined in env/one/dag.py",)


def test_a_helper_returning_under_a_runtime_condition_makes_its_dag_incomplete():
    """`if env == "prod": return Op.partial(...).expand(...)` / `else: return Op(...)` in a helper: both branches
    are followed (not the first one's return taken for the function's), the DAG is incomplete (A2D210)."""
    result = scan(
        """
        from airflow import DAG
        from airflow.models import Variable
        from airflow.operators.bash import BashOperator
        env = Variable.get("environment")

        def build(task_id):
            if env == "prod":
                return BashOperator.partial(task_id=task_id).expand(bash_command=["a", "b"])
            else:
                return BashOperator(task_id=task_id, bash_command="a")

        with DAG("d", schedule=None):
            BashOperator(task_id="first", bash_command="x") >> build("t")
        """
    )
    dag = result.dags[0]
    assert not dag.complete
    assert "A2D210" in {d.code for d in result.diagnostics}


def test_code_after_a_return_taken_under_a_runtime_condition_is_followed_and_flagged():
    """An early `return` under a runtime condition: the code after it still runs in the other case (its tasks
    are seen, and the DAG is incomplete: they exist only then); a condition that returns nothing new is fine."""
    guarded = scan(
        """
        from airflow import DAG
        from airflow.models import Variable
        from airflow.operators.bash import BashOperator

        def extra(dag):
            if Variable.get("skip"):
                return None
            return BashOperator(task_id="extra", bash_command="x", dag=dag)

        with DAG("d", schedule=None) as dag:
            BashOperator(task_id="first", bash_command="x")
            extra(dag)
        """
    ).dags[0]
    assert {t.task_id for t in guarded.tasks} == {"first", "extra"}
    assert not guarded.complete

    same = only_dag(
        """
        from airflow import DAG
        from airflow.models import Variable
        from airflow.operators.bash import BashOperator

        def pick(task):
            if Variable.get("x"):
                return task
            return task

        with DAG("d", schedule=None):
            first = BashOperator(task_id="first", bash_command="x")
            pick(first) >> BashOperator(task_id="second", bash_command="y")
        """
    )
    assert same.complete
    assert edges(same) == {("first", "second")}


def test_task_groups_forward_their_return_receive_kwargs_and_mapped_arguments():
    """As Airflow: a @task_group function's return value is what the call gives (edges bind to it), `**kwargs`
    hold the upstream outputs passed by name, and a mapped group's `expand(x=upstream)` makes edges from it."""
    dag = only_dag(
        """
        from airflow.decorators import dag, task, task_group
        from airflow.operators.empty import EmptyOperator

        @task
        def fetch(): return [1]
        @task
        def load(x): return x
        @task
        def summary(rows): return rows
        @task
        def mail(new): pass

        @task_group(group_id="process")
        def process(url: str):
            return load(url)

        @task_group(group_id="emails")
        def emails(**kwargs):
            mail(new=kwargs["new"])

        @dag(schedule=None)
        def d():
            urls = fetch()
            results = process.expand(url=urls)
            summarized = summary(results)
            emails(new=summarized) >> EmptyOperator(task_id="end")

        d()
        """
    )
    assert edges(dag) == {
        ("fetch", "process.load"),
        ("process.load", "summary"),
        ("summary", "emails.mail"),
        ("emails.mail", "end"),
    }
    assert dag.complete


def test_text_built_from_a_name_known_only_by_its_import_is_not_the_scan_s_notation():
    """`"clin_{env}".format(env=env)` where `env` comes from a module the scan cannot evaluate (it reads an Airflow
    Variable): the command is unknown, never a string holding the scan's own name for the import."""
    dag = only_dag(
        """
        from airflow import DAG
        from airflow.operators.bash import BashOperator
        from settings import env
        with DAG("d"):
            BashOperator(task_id="by_format", bash_command="echo clin_{env}".format(env=env))
            BashOperator(task_id="by_percent", bash_command="echo clin_%s_%s" % (env, "x"))
            BashOperator(task_id="by_str", bash_command="echo " + str(env))
            BashOperator(task_id="by_fstring", bash_command=f"echo clin_{env}")
            BashOperator(task_id="literal", bash_command="echo {}-%s".format("a") % 1)
        """
    )
    commands = {t.task_id: t.arguments["bash_command"] for t in dag.tasks}
    assert commands["literal"] == "echo a-1"
    for task_id in ("by_format", "by_percent", "by_str", "by_fstring"):
        assert not isinstance(commands[task_id], str), (task_id, commands[task_id])
        assert "settings.env" not in json.dumps(ir.to_json(commands[task_id])), task_id
