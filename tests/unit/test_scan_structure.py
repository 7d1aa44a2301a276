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
