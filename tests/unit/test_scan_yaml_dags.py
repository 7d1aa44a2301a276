"""DAGs built from YAML (dag-factory, gusty) and data files read at parse time, as the scan shows them.

The YAML is read as data (never executed): DAG ids, task ids, edges, source references into the YAML, and every
problem a diagnostic with its file and line. dag-factory's DagBag parity is in tests/integration.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from converters.inventory import ir
from converters.inventory.project import scan_project


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def dags(project: ir.Project) -> dict[str, ir.Dag]:
    return {d.dag_id: d for f in project.files for d in f.dags}


def edges(dag: ir.Dag) -> set[tuple[str, str]]:
    return {(e.upstream, e.downstream) for e in dag.edges}


def diagnostics(project: ir.Project) -> list[tuple[str, int, str]]:
    return [(d.file, d.line, d.code) for f in project.files for d in f.diagnostics]


LOADER = """
    import os
    from dagfactory import load_yaml_dags
    load_yaml_dags(globals_dict=globals(), dags_folder=os.path.join(os.path.dirname(__file__), "yaml"))
"""


def test_the_older_dag_factory_api_and_shape_with_join_and_schedule_interval(tmp_path):
    root = write(
        tmp_path,
        {
            "factory.py": """
                import os
                import dagfactory
                config_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conf/old.yml")
                example = dagfactory.DagFactory(config_file)
                example.clean_dags(globals())
                example.generate_dags(globals())
            """,
            "conf/old.yml": """
                default:
                  default_args:
                    owner: ops
                    retries: 1
                  schedule_interval: "@hourly"
                old_dag:
                  default_args:
                    retries: 3
                  tasks:
                    first:
                      operator: airflow.operators.bash_operator.BashOperator
                      bash_command: !join ["echo ", "one"]
                    second:
                      operator: airflow.operators.dummy_operator.DummyOperator
                      dependencies: [first]
            """,
        },
    )
    project = scan_project(root, use_cache=False)
    dag = dags(project)["old_dag"]
    assert dag.complete and (dag.source.file, dag.source.line) == ("conf/old.yml", 6)
    assert dag.schedule == ir.Schedule("preset", "@hourly")
    tasks = {t.task_id: t for t in dag.tasks}
    assert tasks["first"].operator == "airflow.operators.bash.BashOperator"
    assert tasks["second"].operator == "airflow.operators.empty.EmptyOperator"
    assert tasks["first"].arguments["bash_command"] == "echo one"
    assert (tasks["first"].retry.retries, tasks["first"].arguments["owner"]) == (3, "ops")  # default merged under
    assert tasks["second"].source == ir.SourceRef("conf/old.yml", 13)
    assert edges(dag) == {("first", "second")}


def test_a_yaml_error_is_a_diagnostic_with_its_line_and_other_files_still_build(tmp_path):
    root = write(
        tmp_path,
        {
            "loader.py": LOADER,
            "yaml/good.yml": """
                good:
                  tasks:
                    - task_id: only
                      operator: airflow.operators.empty.EmptyOperator
            """,
            "yaml/broken.yml": """
                broken:
                  tasks:
                    - task_id: a
                      operator: [unclosed
            """,
            "yaml/dangling.yml": """
                dangling:
                  tasks:
                    - task_id: a
                      operator: airflow.operators.empty.EmptyOperator
                      dependencies: [missing]
            """,
        },
    )
    project = scan_project(root, use_cache=False)
    assert {d.dag_id: d.complete for d in dags(project).values()} == {"good": True}  # dag-factory skips dangling
    found = diagnostics(project)
    assert ("yaml/broken.yml", 5, "A2D235") in found
    assert ("yaml/dangling.yml", 3, "A2D236") in found


def test_a_config_path_the_scan_cannot_locate_is_said_not_guessed(tmp_path):
    root = write(
        tmp_path,
        {
            "loader.py": """
                from dagfactory import load_yaml_dags
                load_yaml_dags(globals_dict=globals(), config_filepath="/usr/local/airflow/dags/x.yml")
                import os
                above = os.path.join(os.path.dirname(__file__), "../x.yml")
                load_yaml_dags(globals_dict=globals(), config_filepath=above)
            """
        },
    )
    project = scan_project(root, use_cache=False)
    assert [(line, code) for _, line, code in diagnostics(project)] == [(2, "A2D234"), (5, "A2D235")]
    assert dags(project) == {}


def test_yaml_and_json_loaded_from_next_to_the_dag_file_drive_literal_loops(tmp_path):
    root = write(
        tmp_path,
        {
            "tables.py": """
                import json
                import os
                import yaml
                from airflow import DAG
                from airflow.operators.empty import EmptyOperator
                HERE = os.path.dirname(__file__)
                with open(os.path.join(HERE, "tables.yml")) as handle:
                    TABLES = yaml.safe_load(handle)
                OWNERS = json.load(open(os.path.join(HERE, "owners.json")))
                with DAG("tables", schedule=None):
                    start = EmptyOperator(task_id="start")
                    for table in TABLES["tables"]:
                        start >> EmptyOperator(task_id=f"load_{table}", owner=OWNERS[table])
            """,
            "tables.yml": "tables: [orders, users]\n",
            "owners.json": '{"orders": "sales", "users": "crm"}',
        },
    )
    project = scan_project(root, cache_dir=tmp_path / "cache")
    dag = dags(project)["tables"]
    assert dag.complete
    assert edges(dag) == {("start", "load_orders"), ("start", "load_users")}
    assert {t.task_id: t.arguments.get("owner") for t in dag.tasks if t.task_id != "start"} == {
        "load_orders": "sales",
        "load_users": "crm",
    }
    # The data files are part of what the cached result depends on: a change is seen by the next scan.
    (root / "tables.yml").write_text("tables: [orders, users, items]\n")
    (root / "owners.json").write_text('{"orders": "sales", "users": "crm", "items": "ops"}')
    again = dags(scan_project(root, cache_dir=tmp_path / "cache"))["tables"]
    assert {t.task_id for t in again.tasks} == {"start", "load_orders", "load_users", "load_items"}


def test_hostile_yaml_is_refused_with_a_diagnostic(tmp_path):
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    root = write(tmp_path, {"loader.py": LOADER, "yaml/laughs.yml": laughs * 20})
    project = scan_project(root, use_cache=False)
    assert [(file, code) for file, _, code in diagnostics(project)] == [("yaml/laughs.yml", "A2D235")]


def test_gusty_folder_becomes_a_dag_as_gusty_builds_it(tmp_path):
    root = write(
        tmp_path,
        {
            "gusty_dags.py": """
                import os
                from gusty import create_dag
                dag = create_dag(os.path.join(os.path.dirname(__file__), "shop"), schedule_interval="@daily")
            """,
            "shop/METADATA.yml": """
                description: the shop's nightly load
                default_args:
                  owner: shop
            """,
            "shop/extract.yml": """
                operator: airflow.operators.bash.BashOperator
                bash_command: echo extract
                external_dependencies:
                  - upstream_dag: done
            """,
            "shop/transform.sql": """
                ---
                operator: airflow.providers.common.sql.operators.sql.SQLExecuteQueryOperator
                conn_id: warehouse
                dependencies:
                  - extract
                ---
                select 1
            """,
            "shop/report.py": """
                # ---
                # dependencies:
                #   - quality
                # ---
                print("report")
            """,
            "shop/quality/METADATA.yml": "dependencies: [transform]\n",
            "shop/quality/not_null.yml": "operator: airflow.operators.empty.EmptyOperator\n",
            "shop/quality/unique.yml": """
                operator: airflow.operators.empty.EmptyOperator
                dependencies: [not_null]
            """,
        },
    )
    project = scan_project(root, use_cache=False)
    dag = dags(project)["shop"]
    assert dag.complete, diagnostics(project)
    assert dag.schedule == ir.Schedule("preset", "@daily")
    operators = {t.task_id: t.operator.rsplit(".", 1)[1] for t in dag.tasks}
    assert operators == {
        "extract": "BashOperator",
        "transform": "SQLExecuteQueryOperator",
        "report": "PythonOperator",
        "not_null": "EmptyOperator",
        "unique": "EmptyOperator",
        "wait_for_upstream_dag_done": "ExternalTaskSensor",
        "latest_only": "LatestOnlyOperator",
    }
    assert {t.task_id: t.task_group for t in dag.tasks}["unique"] == "quality"
    # gusty sets a group's dependencies before its tasks' own: at that moment both tasks of `quality` are its
    # roots and leaves, so `transform` precedes both and both precede `report` (Airflow reads them when linked).
    assert edges(dag) == {
        ("wait_for_upstream_dag_done", "extract"),
        ("extract", "transform"),
        ("transform", "not_null"),
        ("transform", "unique"),
        ("not_null", "unique"),
        ("not_null", "report"),
        ("unique", "report"),
        ("latest_only", "wait_for_upstream_dag_done"),
    }
    transform = next(t for t in dag.tasks if t.task_id == "transform")
    assert transform.source.file == "shop/transform.sql" and transform.arguments["sql"].strip() == "select 1"
