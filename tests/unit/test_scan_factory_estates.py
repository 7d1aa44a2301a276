"""Estates whose DAG files name their DAG after the file and build it with factories and settings kept in sibling
modules (a `src/<package>/dags` layout, an `<estate>/dags` folder beside the helper package): the scan follows
them statically, and says where (file:line) what it cannot know depends on run time."""

from __future__ import annotations

import textwrap

from converters.bench.estate import write_factory_estate
from converters.inventory.project import scan_project


def _write(root, files: dict[str, str]) -> None:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def _scan(root):
    project = scan_project(root, jobs=1, use_cache=False)
    dags = {dag.dag_id: dag for file in project.files for dag in file.dags}
    diagnostics = [d for file in project.files for d in file.diagnostics]
    return dags, diagnostics


def test_a_dag_id_named_after_its_file_is_known(tmp_path):
    """`os.path.basename(__file__).replace(".py", "")` and `Path(__file__).stem` are the file's name wherever the
    estate is deployed: Airflow gives the DAG that id, so the scan does too (it was "DAG id is not a literal")."""
    _write(
        tmp_path,
        {
            "dags/dag1_basename.py": """
                import os
                from datetime import datetime

                from airflow.models import DAG
                from airflow.operators.empty import EmptyOperator

                DAG_ID = os.path.basename(__file__).replace(".pyc", "").replace(".py", "")
                dag = DAG(dag_id=DAG_ID, schedule=None, start_date=datetime(2024, 1, 1))
                with dag:
                    EmptyOperator(task_id="only")
            """,
            "dags/dag2_stem.py": """
                from pathlib import Path
                from datetime import datetime

                from airflow.decorators import dag, task

                @dag(dag_id=Path(__file__).stem, schedule=None, start_date=datetime(2024, 1, 1))
                def flow():
                    @task
                    def one():
                        return 1

                    one()

                flow()
            """,
            "dags/dag3_splitext.py": """
                import os
                from datetime import datetime

                from airflow import DAG
                from airflow.operators.empty import EmptyOperator

                with DAG(os.path.splitext(os.path.basename(__file__))[0], start_date=datetime(2024, 1, 1)):
                    EmptyOperator(task_id="only")
            """,
        },
    )
    dags, diagnostics = _scan(tmp_path)
    assert set(dags) == {"dag1_basename", "dag2_stem", "dag3_splitext"}
    assert all(dag.complete for dag in dags.values())
    assert not [d for d in diagnostics if d.code == "A2D221"]


SRC_LAYOUT = {
    "src/flows/__init__.py": "",
    "src/flows/utils/__init__.py": "",
    "src/flows/utils/common.py": """
        import pendulum

        def strhash(value):
            return str(hash(value))

        shared_dag_args = {"owner": "data", "retries": 0}
        shared_dag_kwargs = {
            "schedule": "@once",
            "catchup": False,
            "start_date": pendulum.now(tz="Europe/London").subtract(days=1),
            "user_defined_filters": {"strhash": strhash},
        }
    """,
    "src/flows/utils/io.py": """
        from pathlib import Path

        import yaml

        def read_config(config_path):
            config_path = config_path if isinstance(config_path, Path) else Path(config_path)
            with open(config_path) as config_file:
                return yaml.safe_load(config_file)
    """,
    "src/flows/utils/steps.py": """
        from airflow.operators.bash import BashOperator
        from airflow.operators.empty import EmptyOperator

        def submit_step(step_name, command):
            return BashOperator(task_id=step_name, bash_command=command)

        def wrap_with_cluster(tasks):
            create = EmptyOperator(task_id="create_cluster")
            delete = EmptyOperator(task_id="delete_cluster")
            for task in tasks:
                if not task.get_direct_relatives(upstream=True):
                    task.set_upstream(create)
                if not task.get_direct_relatives(upstream=False):
                    task.set_downstream(delete)
            return tasks
    """,
    "src/flows/dags/config/ingest.yaml": """
        nodes:
          - id: extract
            command: echo extract
          - id: load
            command: echo load
            prerequisites: [extract]
    """,
    "src/flows/dags/ingest.py": """
        from pathlib import Path

        from airflow.models.dag import DAG

        from flows.utils.common import shared_dag_args, shared_dag_kwargs
        from flows.utils.io import read_config
        from flows.utils.steps import submit_step, wrap_with_cluster

        config = read_config(Path(__file__).parent / "config" / "ingest.yaml")

        with DAG(dag_id=Path(__file__).stem, default_args=shared_dag_args, **shared_dag_kwargs):
            tasks = {}
            for node in config["nodes"]:
                tasks[node["id"]] = submit_step(node["id"], node["command"])
            for node in config["nodes"]:
                for upstream in node.get("prerequisites", []):
                    tasks[node["id"]].set_upstream(tasks[upstream])
            wrap_with_cluster(list(tasks.values()))
    """,
    "src/flows/dags/runtime.py": """
        from pathlib import Path

        from airflow.models.dag import DAG
        from airflow.models import Variable

        from flows.utils.common import shared_dag_kwargs
        from flows.utils.steps import submit_step

        with DAG(dag_id=Path(__file__).stem, **shared_dag_kwargs):
            for name in Variable.get("steps", deserialize_json=True):
                submit_step(name, "echo " + name)
    """,
}


def test_a_src_package_estate_with_factories_settings_and_yaml_is_followed(tmp_path):
    """Settings dicts with a runtime value (`pendulum.now()`), a config helper that opens its YAML with `with
    open(...)`, a step factory called in a loop over that config, and a helper that links the first and last
    tasks by asking `get_direct_relatives`: all of it resolves, as Airflow's DagBag would build it."""
    _write(tmp_path, SRC_LAYOUT)
    dags, diagnostics = _scan(tmp_path)
    ingest = dags["ingest"]
    assert ingest.complete, [d for d in diagnostics if d.file.endswith("ingest.py")]
    assert ingest.schedule.value == "@once"
    assert {t.task_id for t in ingest.tasks} == {"extract", "load", "create_cluster", "delete_cluster"}
    edges = {(e.upstream, e.downstream) for e in ingest.edges}
    assert edges == {("extract", "load"), ("create_cluster", "extract"), ("load", "delete_cluster")}


def test_a_factory_called_over_runtime_data_says_so_with_its_line(tmp_path):
    """The loop over a Variable calls a step factory of a sibling module: what it adds is only known at run
    time, and the scan says so on that line (it used to say nothing: the factory call has no task_id=)."""
    _write(tmp_path, SRC_LAYOUT)
    dags, diagnostics = _scan(tmp_path)
    assert not dags["runtime"].complete
    (loop,) = [d for d in diagnostics if d.code == "A2D201" and d.file.endswith("dags/runtime.py")]
    assert loop.line == 10 and "Variable.get" in loop.message


def test_a_conditional_expression_picks_its_branch_and_never_runs_a_task_building_one(tmp_path):
    _write(
        tmp_path,
        {
            "dags/choice.py": """
                from datetime import datetime

                from airflow import DAG
                from airflow.models import Variable
                from airflow.operators.empty import EmptyOperator

                MODE = "full"
                with DAG("choice", start_date=datetime(2024, 1, 1)):
                    picked = EmptyOperator(task_id="full") if MODE == "full" else EmptyOperator(task_id="light")
                    other = EmptyOperator(task_id="a") if Variable.get("x") else EmptyOperator(task_id="b")
            """,
        },
    )
    dags, diagnostics = _scan(tmp_path)
    assert {t.task_id for t in dags["choice"].tasks} == {"full"}
    (runtime,) = [d for d in diagnostics if d.code == "A2D210"]
    assert runtime.line == 10 and 'Variable.get("x")' in runtime.message
    assert not dags["choice"].complete


def test_the_bench_factory_estate_is_found_whole(tmp_path):
    stats = write_factory_estate(tmp_path / "estate", files=6, tasks_per_dag=12, seed=5)
    again = write_factory_estate(tmp_path / "again", files=6, tasks_per_dag=12, seed=5)
    assert stats == again
    dags, diagnostics = _scan(tmp_path / "estate")
    assert len(dags) == stats.dags and all(dag.complete for dag in dags.values())
    assert sum(len(dag.tasks) for dag in dags.values()) == stats.tasks
    assert not [d for d in diagnostics if d.severity in {"warning", "error"}]


def test_a_rescan_of_an_unchanged_factory_estate_answers_from_the_cache_and_a_changed_factory_is_read(tmp_path):
    estate = tmp_path / "estate"
    stats = write_factory_estate(estate, files=4, tasks_per_dag=8, seed=2)
    cache = tmp_path / "cache"
    first = scan_project(estate, jobs=1, cache_dir=cache)
    again = scan_project(estate, jobs=1, cache_dir=cache)
    assert again == first
    factory = estate / "common" / "factory.py"
    text = factory.read_text()
    factory.write_text(text.replace('done = EmptyOperator(task_id="done"', 'done = EmptyOperator(task_id="finished"'))
    changed = scan_project(estate, jobs=1, cache_dir=cache)
    tasks = {task.task_id for file in changed.files for dag in file.dags for task in dag.tasks}
    assert "finished" in tasks and "done" not in tasks
    assert sum(len(dag.tasks) for file in changed.files for dag in file.dags) == stats.tasks


def test_a_module_of_the_estates_package_missing_from_the_folder_is_named_at_its_import(tmp_path):
    """`from lab.utils.step_utils import fetch`: the estate holds the package `lab` but not that module (it is
    installed or generated elsewhere), so the @task functions it brings, and their tasks, are unknown. The scan says
    so at the import's line, besides the dependency it then cannot resolve."""
    _write(
        tmp_path,
        {
            "lab/__init__.py": "",
            "lab/queue.py": "QUEUE = 'hpc'\n",
            "dags/cleanup.py": """
                import os
                from datetime import datetime

                from airflow.decorators import dag
                from lab.utils.step_utils import fetch, notify
                from lab.queue import QUEUE

                @dag(dag_id=os.path.basename(__file__).replace(".py", ""), start_date=datetime(2024, 1, 1))
                def cleanup():
                    data = fetch()
                    notify(data) >> fetch()

                cleanup()
            """,
        },
    )
    dags, diagnostics = _scan(tmp_path)
    (missing,) = [d for d in diagnostics if d.code == "A2D107"]
    assert (missing.file, missing.line) == ("dags/cleanup.py", 5)
    assert "lab.utils.step_utils" in missing.message and "fetch, notify" in missing.message
    assert not dags["cleanup"].complete


def test_tasks_kept_by_their_task_id_attribute_are_followed(tmp_path):
    """`tasks[op.task_id] = op`, then dependencies looked up by id: `task_id` is Airflow's full id (the group's
    prefix included), so the lookups find the tasks (the dict's keys were unknown, and so were the edges)."""
    _write(
        tmp_path,
        {
            "dags/registry.py": """
                from datetime import datetime

                from airflow import DAG
                from airflow.operators.empty import EmptyOperator
                from airflow.utils.task_group import TaskGroup

                with DAG("registry", start_date=datetime(2024, 1, 1)):
                    tasks = {}
                    with TaskGroup("load"):
                        first = EmptyOperator(task_id="first")
                        tasks[first.task_id] = first
                    second = EmptyOperator(task_id="second")
                    tasks[second.task_id] = second
                    tasks["second"].set_upstream(tasks["load.first"])
            """,
        },
    )
    dags, _ = _scan(tmp_path)
    assert dags["registry"].complete
    assert {(e.upstream, e.downstream) for e in dags["registry"].edges} == {("load.first", "second")}
