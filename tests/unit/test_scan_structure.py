"""Structure the scan must either follow or flag: tasks held in containers, calls it does not follow, setup and
teardown tasks. What a user sees: DAG ids, task ids, edges, the complete flag and the diagnostics (file:line)."""

from __future__ import annotations

import textwrap

from converters.inventory import ir
from converters.inventory.scan import scan_source


def scan(code: str, path: str = "dag.py") -> ir.DagFile:
    return scan_source(textwrap.dedent(code), path)


def edges(dag: ir.Dag) -> set[tuple[str, str]]:
    return {(e.upstream, e.downstream) for e in dag.edges}


def located(result: ir.DagFile) -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in result.diagnostics]


def test_tasks_held_in_a_dict_filled_in_a_literal_loop_keep_every_edge():
    result = scan(
        """
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator
        from airflow.operators.bash import BashOperator
        with DAG("stages", schedule=None) as dag:
            fetch = EmptyOperator(task_id="fetch")
            done = EmptyOperator(task_id="done")
            stage_op = {}
            for name in ["orders", "users"]:
                stage_op[name] = BashOperator(task_id=f"stage_{name}", bash_command="echo")
                stage_op[name].set_upstream(fetch)
            for name in ["orders", "users"]:
                check = EmptyOperator(task_id=f"check_{name}")
                stage_op[name] >> check
            fetch >> list(stage_op.values())
            stage_op.values() >> done if False else None
            list(stage_op.values()) >> done
        """
    )
    (dag,) = result.dags
    assert dag.complete, result.diagnostics
    assert edges(dag) == {
        ("fetch", "stage_orders"),
        ("fetch", "stage_users"),
        ("stage_orders", "check_orders"),
        ("stage_users", "check_users"),
        ("stage_orders", "done"),
        ("stage_users", "done"),
    }


def test_lists_of_tasks_built_by_append_plus_equals_and_comprehensions():
    result = scan(
        """
        from airflow import DAG
        from airflow.models.baseoperator import chain
        from airflow.operators.empty import EmptyOperator
        with DAG("lists", schedule=None):
            start = EmptyOperator(task_id="start")
            loads = [EmptyOperator(task_id=f"load_{i}") for i in range(2)]
            checks = []
            for i in range(2):
                checks.append(EmptyOperator(task_id=f"check_{i}"))
            extra = []
            extra += [EmptyOperator(task_id="extra")]
            by_name = {t: EmptyOperator(task_id=f"x_{t}") for t in ["a"]}
            start >> loads
            chain(loads, checks)
            checks[-1] >> extra
            extra[0] >> by_name["a"]
        """
    )
    (dag,) = result.dags
    assert dag.complete, result.diagnostics
    assert edges(dag) == {
        ("start", "load_0"),
        ("start", "load_1"),
        ("load_0", "check_0"),
        ("load_1", "check_1"),
        ("check_1", "extra"),
        ("extra", "x_a"),
    }


def test_a_helper_the_scan_does_not_follow_that_receives_the_dag_marks_it_incomplete():
    result = scan(
        """
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator
        from plugins.sql_tasks import run_dynamic_sql_task
        dag = DAG("dims", schedule=None)
        start = EmptyOperator(task_id="start", dag=dag)
        run_dynamic_sql_task(dag, ["a.sql", "b.sql"], "dimensions")
        other = DAG("untouched", schedule=None)
        EmptyOperator(task_id="x", dag=other)
        """
    )
    assert {d.dag_id: d.complete for d in result.dags} == {"dims": False, "untouched": True}
    (diagnostic,) = [d for d in result.diagnostics if d.code == "A2D233"]
    assert diagnostic.line == 7 and "plugins.sql_tasks.run_dynamic_sql_task" in diagnostic.message


def test_a_task_or_group_or_container_given_to_unfollowed_code_marks_its_dag():
    result = scan(
        """
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator
        from airflow.utils.task_group import TaskGroup
        import plugins.builders as builders
        with DAG("given_task", schedule=None):
            a = EmptyOperator(task_id="a")
            wrapped = builders.add_checks(upstream=a)
        with DAG("given_group", schedule=None):
            with TaskGroup("g") as g:
                EmptyOperator(task_id="b")
            builders.fill(g)
        with DAG("given_list", schedule=None):
            tasks = {"c": EmptyOperator(task_id="c")}
            builders.wire({"all": list(tasks.values())})
        with DAG("given_id_only", schedule=None) as d:
            EmptyOperator(task_id="e")
            print(d.dag_id, len(tasks))
        """
    )
    assert {d.dag_id: d.complete for d in result.dags} == {
        "given_task": False,
        "given_group": False,
        "given_list": False,
        "given_id_only": True,
    }
    assert [line for line, code in located(result) if code == "A2D233"] == [8, 12, 15]


def test_edges_through_values_the_scan_lost_are_never_silent():
    result = scan(
        """
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator
        from plugins.registry import TASKS
        with DAG("lost", schedule=None):
            fetch = EmptyOperator(task_id="fetch")
            TASKS["stage"].set_upstream(fetch)
        with DAG("lost_both", schedule=None):
            TASKS["a"] >> TASKS["b"]
        with DAG("lost_argument", schedule=None):
            fetch = EmptyOperator(task_id="fetch")
            fetch.set_downstream(TASKS["c"])
        with DAG("stored_away", schedule=None):
            TASKS["d"] = EmptyOperator(task_id="d")
        """
    )
    assert {d.dag_id: d.complete for d in result.dags} == {
        "lost": False,
        "lost_both": False,
        "lost_argument": False,
        "stored_away": False,
    }
    assert [(line, code) for line, code in located(result) if code in {"A2D231", "A2D233"}] == [
        (7, "A2D233"),
        (9, "A2D231"),
        (12, "A2D231"),
        (14, "A2D233"),
    ]


def test_setup_and_teardown_tasks_get_airflows_edges_and_their_role():
    result = scan(
        """
        from airflow import DAG
        from airflow.decorators import setup, task, teardown
        from airflow.operators.empty import EmptyOperator
        with DAG("st", schedule=None):
            create = EmptyOperator(task_id="create").as_setup()
            delete = EmptyOperator(task_id="delete").as_teardown(setups=create)
            with create >> delete:
                EmptyOperator(task_id="work")

            @setup
            def make():
                return 1

            @teardown
            def drop(x):
                pass

            @task
            def use(x):
                pass

            with drop(make()):
                use(1)
        """
    )
    (dag,) = result.dags
    assert dag.complete and not result.diagnostics
    assert edges(dag) == {
        ("create", "delete"),
        ("create", "work"),
        ("work", "delete"),
        ("make", "drop"),
        ("make", "use"),
        ("use", "drop"),
    }
    roles = {t.task_id: (t.role, t.trigger_rule) for t in dag.tasks}
    assert roles == {
        "create": ("setup", "all_success"),
        "delete": ("teardown", "all_done_setup_success"),
        "work": ("", "all_success"),
        "make": ("setup", "all_success"),
        "drop": ("teardown", "all_done_setup_success"),
        "use": ("", "all_success"),
    }
    assert "setup_teardown" in dag.constructs


def test_a_plain_task_used_as_a_context_is_flagged_as_airflow_refuses_it():
    result = scan(
        """
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator
        with DAG("bad", schedule=None):
            plain = EmptyOperator(task_id="plain")
            with plain:
                EmptyOperator(task_id="inside")
        """
    )
    assert not result.dags[0].complete
    assert located(result) == [(6, "A2D270")]


def test_the_plan_says_dagster_has_no_teardown_on_failure():
    import pathlib
    import tempfile

    from converters.inventory.project import scan_project
    from converters.plan import find_dag, plan_project

    with tempfile.TemporaryDirectory() as folder:
        (pathlib.Path(folder) / "st.py").write_text(
            textwrap.dedent(
                """
                from airflow import DAG
                from airflow.operators.bash import BashOperator
                with DAG("st", schedule=None):
                    create = BashOperator(task_id="create", bash_command="echo up").as_setup()
                    work = BashOperator(task_id="work", bash_command="echo work")
                    delete = BashOperator(task_id="delete", bash_command="echo down").as_teardown(setups=create)
                    create >> work >> delete
                """
            )
        )
        plan = plan_project(scan_project(pathlib.Path(folder), use_cache=False))
    tasks = {t.task.task_id: t for t in find_dag(plan, "st").tasks}
    assert tasks["delete"].disposition == "JUDG"
    assert any("no teardown-on-failure" in note for note in tasks["delete"].translation.notes)
    assert tasks["create"].disposition == tasks["work"].disposition
    assert any(note.startswith("setup task") for note in tasks["create"].translation.notes)
