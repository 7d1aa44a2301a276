"""A task factory's nested callable closes over the factory's parameters: the copy binds them per task.

`def make_cleanup(namespace, ...): def cleanup(**kwargs): ... namespace ...; return PythonOperator(...)` called
once per task: the logic gets the factory's part that defines `cleanup` and, per call, a function bound to that
call's values (literals as written, values the file computed as their carried code). Values only known at run time
keep the task in Airflow, named as before.
"""

from __future__ import annotations

import inspect
import textwrap

from converters.inventory import ir
from converters.inventory.scan import scan_source

FACTORY = '''
    from airflow import DAG
    from airflow.models import Variable
    from airflow.operators.python import PythonOperator


    def settings():
        return {"namespace": Variable.get("namespace"), "owner": "data"}


    def make_cleanup(app, namespace, dag, task_id):
        label = f"{app}-driver"

        def cleanup(ds=None, **kwargs):
            """Deletes the driver of one app."""
            return f"{namespace}/{label}/{ds}"

        return PythonOperator(task_id=task_id, python_callable=cleanup, dag=dag)


    cfg = settings()
    with DAG("cleanups", schedule=None) as dag:
        make_cleanup("orders", "spark", dag, "clean_orders")
        make_cleanup("users", "batch", dag, "clean_users")
        make_cleanup("events", cfg["namespace"], dag, "clean_events")
'''


class _Variable:
    """The support code's Variable, as the generated logic binds it: read from a dict here."""

    values = {"namespace": "from-variable"}

    @classmethod
    def get(cls, key):
        return cls.values[key]


def _scan(source: str, name: str = "factory.py"):
    return scan_source(textwrap.dedent(source), name)


def _run_logic(file) -> dict:
    namespace: dict = {"Variable": _Variable}
    exec(compile(file.logic_imports + file.logic, "logic", "exec"), namespace)  # noqa: S102 - the test's own fixture
    return namespace


def _callable_of(file, task_id: str) -> str:
    (dag,) = file.dags
    (task,) = [t for t in dag.tasks if t.task_id == task_id]
    return task.arguments["python_callable"].name


def test_each_call_of_the_factory_binds_its_own_values():
    file = _scan(FACTORY)
    names = {task: _callable_of(file, task) for task in ("clean_orders", "clean_users", "clean_events")}
    assert len(set(names.values())) == 3  # two calls with different values never share one binding
    records = {c.name: c for c in file.callables}
    assert all(records[name].unresolved == () for name in names.values())
    logic = _run_logic(file)
    assert logic[names["clean_orders"]](ds="2024-01-01") == "spark/orders-driver/2024-01-01"
    assert logic[names["clean_users"]](ds="2024-01-02") == "batch/users-driver/2024-01-02"
    # A value the file computed (a Variable read in a helper) is its carried code, read when the task runs.
    assert logic[names["clean_events"]](ds="x") == "from-variable/events-driver/x"
    assert "airflow.models.Variable" in records[names["clean_events"]].airflow_names


def test_the_bound_function_keeps_the_signature_airflow_matches_context_keys_against():
    file = _scan(FACTORY)
    logic = _run_logic(file)
    bound = logic[_callable_of(file, "clean_events")]
    parameters = inspect.signature(bound).parameters
    assert list(parameters) == ["ds", "kwargs"] and parameters["kwargs"].kind is inspect.Parameter.VAR_KEYWORD
    record = next(c for c in file.callables if c.name == _callable_of(file, "clean_events"))
    assert record.params == ("ds",) and record.var_keyword


def test_the_same_values_share_one_binding_and_the_function_is_copied_once():
    file = _scan(
        """
        from airflow import DAG
        from airflow.operators.python import PythonOperator


        def make(table, task_id, dag):
            def count():
                return f"select count(*) from {table}"

            return PythonOperator(task_id=task_id, python_callable=count, dag=dag)


        with DAG("counts", schedule=None) as dag:
            make("orders", "a", dag)
            make("orders", "b", dag)
            make("users", "c", dag)
        """
    )
    assert _callable_of(file, "a") == _callable_of(file, "b") != _callable_of(file, "c")
    assert file.logic.count("def count(") == 1
    logic = _run_logic(file)
    assert logic[_callable_of(file, "c")]() == "select count(*) from users"


def test_a_taskflow_function_a_factory_defines_is_bound_too():
    file = _scan(
        """
        from airflow.decorators import dag, task


        def add_step(suffix):
            @task
            def step():
                return "step-" + suffix

            return step()


        @dag(schedule=None)
        def pipeline():
            add_step("one")
            add_step("two")


        pipeline()
        """
    )
    (flow,) = file.dags
    names = sorted(t.arguments["python_callable"].name for t in flow.tasks)
    logic = _run_logic(file)
    assert sorted(logic[name]() for name in names) == ["step-one", "step-two"]


def test_values_known_only_at_run_time_keep_todays_reason():
    file = _scan(
        """
        from airflow import DAG
        from airflow.operators.python import PythonOperator


        def make(namespace, dag):
            def clean():
                return namespace

            return PythonOperator(task_id="clean", python_callable=clean, dag=dag)


        with DAG("d", schedule=None) as dag:
            make(UNDEFINED["ns"], dag)
        """
    )
    (record,) = file.callables
    assert record.name == "clean" and record.unresolved == (
        "namespace (a parameter of make, the function defining it: known when it is called)",
    )
    assert "_closure_" not in file.logic


def test_a_variable_the_factory_binds_again_is_not_one_value():
    """`namespace = namespace.strip()` after the task is made: the value when the callable runs is not the one the
    scan saw when the task was created, so it is not bound."""
    file = _scan(
        """
        from airflow import DAG
        from airflow.operators.python import PythonOperator


        def make(namespace, dag):
            def clean():
                return namespace

            task = PythonOperator(task_id="clean", python_callable=clean, dag=dag)
            namespace = namespace.strip()
            return task


        with DAG("d", schedule=None) as dag:
            make(" ns ", dag)
        """
    )
    (record,) = file.callables
    assert record.unresolved and "_closure_" not in file.logic


def test_a_dag_functions_parameters_are_not_bound():
    """``@dag`` turns its function's parameters into DAG params: a closure over one holds the param, not the default
    the scan saw; the copy does not pretend otherwise."""
    file = _scan(
        """
        from airflow.decorators import dag, task


        @dag(schedule=None)
        def pipeline(region="eu"):
            @task
            def where():
                return region

            where()


        pipeline()
        """
    )
    assert "_closure_" not in file.logic
    (record,) = file.callables
    assert record.unresolved


ESTATE_FLOWS = """
import logging

from airflow.decorators import task


@task
def begin():
    logging.info("start")
    return "started"


def standard_flow():
    begin()
"""

ESTATE_DAG = """
from datetime import datetime

from airflow import DAG
from pipelines.flows import standard_flow

with DAG("standard", schedule=None, start_date=datetime(2024, 1, 1)):
    standard_flow()
"""


def test_a_taskflow_function_an_estate_factory_calls_is_copied(tmp_path):
    """`@task def begin()` of an estate module, called by that module's own factory: the DAG file's logic copies it
    (it was `python_callable is not a function the scan can copy: FunctionDef`)."""
    from converters.flow import scan_and_plan

    dags = tmp_path / "dags"
    for relative, text in {
        "standard.py": ESTATE_DAG,
        "pipelines/__init__.py": "",
        "pipelines/flows.py": ESTATE_FLOWS,
    }.items():
        (dags / relative).parent.mkdir(parents=True, exist_ok=True)
        (dags / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    (dags / ".airflowignore").write_text("pipelines\n", encoding="utf-8")
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    (task,) = [t for d in planned.plan.dags for t in d.tasks]
    assert task.disposition != "NONE", task.translation.reason
    (file,) = [f for f in planned.project.files if f.dags]
    assert "def begin():" in file.logic and "@task" not in file.logic
    namespace = _run_logic(file)
    assert namespace["begin"]() == "started"


def test_a_partial_of_a_files_function_binds_its_arguments_per_task():
    """`python_callable=partial(notify, provider, channel="sms")` in a loop: one function per task, calling the
    copied `notify` with that task's arguments first; its signature is partial's (context keys by name)."""
    file = _scan(
        """
        from functools import partial

        from airflow import DAG
        from airflow.operators.python import PythonOperator


        def notify(provider, channel="mail", ds=None):
            return f"{provider}:{channel}:{ds}"


        with DAG("notify", schedule=None) as dag:
            for provider in ["ho", "cps"]:
                PythonOperator(task_id=f"n_{provider}", python_callable=partial(notify, provider, channel="sms"))
        """
    )
    names = [_callable_of(file, f"n_{p}") for p in ("ho", "cps")]
    assert len(set(names)) == 2
    logic = _run_logic(file)
    assert [logic[name](ds="2024-01-01") for name in names] == ["ho:sms:2024-01-01", "cps:sms:2024-01-01"]
    assert logic[names[0]](channel="mail") == "ho:mail:None"  # a keyword the caller gives wins, as with partial
    assert list(inspect.signature(logic[names[1]]).parameters) == ["channel", "ds"]


def test_a_partial_over_a_value_known_only_at_run_time_is_not_copied():
    file = _scan(
        """
        from functools import partial

        from airflow import DAG
        from airflow.operators.python import PythonOperator


        def notify(provider):
            return provider


        with DAG("notify", schedule=None) as dag:
            PythonOperator(task_id="n", python_callable=partial(notify, UNKNOWN.provider))
        """
    )
    (dag,) = file.dags
    (task,) = dag.tasks
    assert not isinstance(task.arguments["python_callable"], ir.CallableValue)
    assert "_closure_partial" not in file.logic


ESTATE_FACTORY = """
import os

from airflow.operators.python import PythonOperator


def make_cleanup(namespace, dag, task_id):
    def cleanup(**kwargs):
        return f"clean {namespace}"

    return PythonOperator(task_id=task_id, python_callable=cleanup, dag=dag)


def make_env_cleanup(dag):
    namespace = os.environ["NAMESPACE"]

    def cleanup_env():
        return namespace

    return PythonOperator(task_id="from_env", python_callable=cleanup_env, dag=dag)
"""

ESTATE_FACTORY_DAG = """
from datetime import datetime

from airflow import DAG
from ops.cleanup import make_cleanup, make_env_cleanup

with DAG("cleanups", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    make_cleanup("ns1", dag, "a")
    make_cleanup("ns2", dag, "b")
    make_env_cleanup(dag)
"""


def test_a_closure_an_estate_modules_factory_defines_is_bound_per_task(tmp_path):
    """The nested function is no name of its module (importing `ops.cleanup.cleanup` fails): it is copied into the
    DAG file's logic bound to each call's values; one over a value the scan cannot give stays in Airflow."""
    from converters.flow import scan_and_plan

    dags = tmp_path / "dags"
    files = {"cleanups.py": ESTATE_FACTORY_DAG, "ops/__init__.py": "", "ops/cleanup.py": ESTATE_FACTORY}
    for relative, text in files.items():
        (dags / relative).parent.mkdir(parents=True, exist_ok=True)
        (dags / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    (dags / ".airflowignore").write_text("ops\n", encoding="utf-8")
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    tasks = {t.task.task_id: t for d in planned.plan.dags for t in d.tasks}
    assert tasks["a"].disposition == tasks["b"].disposition == "MECH"
    assert tasks["from_env"].disposition == "NONE"
    assert "defined inside a function of ops.cleanup" in tasks["from_env"].translation.reason
    (file,) = [f for f in planned.project.files if f.dags]
    logic = _run_logic(file)
    names = [tasks[t].task.arguments["python_callable"].name for t in ("a", "b")]
    assert [logic[name]() for name in names] == ["clean ns1", "clean ns2"]


def test_a_bound_callable_that_stays_in_airflow_is_named_as_written(tmp_path):
    """The reason names `send`, the function the file writes, not its per-task binding in the logic."""
    from converters.flow import scan_and_plan

    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "mail.py").write_text(
        textwrap.dedent(
            """
            from datetime import datetime
            from functools import partial

            from airflow import DAG
            from airflow.operators.email import EmailOperator
            from airflow.operators.python import PythonOperator


            def send(provider, **context):
                return EmailOperator(task_id=f"mail-{provider}", to="a@b.c", subject=provider, html_content="x")


            with DAG("mail", schedule=None, start_date=datetime(2024, 1, 1)):
                for provider in ["ho", "cps"]:
                    PythonOperator(task_id=f"send-{provider}", python_callable=partial(send, provider))
            """
        ).lstrip(),
        encoding="utf-8",
    )
    planned = scan_and_plan(dags, use_cache=False, read_migration_state=False)
    reasons = {t.translation.reason for d in planned.plan.dags for t in d.tasks}
    assert reasons == {
        "send calls Airflow APIs with no Dagster-side equivalent here: airflow.operators.email.EmailOperator"
    }
