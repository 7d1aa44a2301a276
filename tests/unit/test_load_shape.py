"""What loading a generated location costs: no integration library imported at load. docs/benchmarks.md has the
figures."""

from __future__ import annotations

import gc
import subprocess
import sys

from converters.codegen import generate, render
from converters.inventory import ir
from converters.inventory.scan import scan_source
from converters.plan import plan_project

PIPES = """
from datetime import datetime

from airflow import DAG
from airflow.providers.amazon.aws.operators.ecs import EcsRunTaskOperator
from airflow.providers.amazon.aws.operators.emr import EmrServerlessStartJobOperator
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.docker.operators.docker import DockerOperator
from airflow.operators.bash import BashOperator

with DAG("pipes", schedule="@daily", start_date=datetime(2024, 1, 1), catchup=False):
    pod = KubernetesPodOperator(task_id="pod", image="acme/score:1", cmds=["score"])
    docker = DockerOperator(task_id="docker", image="acme/convert:2", command="convert")
    ecs = EcsRunTaskOperator(task_id="ecs", task_definition="crunch:3", cluster="batch", overrides={})
    emr = EmrServerlessStartJobOperator(
        task_id="emr", application_id="app", execution_role_arn="arn:role",
        job_driver={"sparkSubmit": {"entryPoint": "s3://jobs/a.py"}}, configuration_overrides={},
    )
    bash = BashOperator(task_id="bash", bash_command="echo {{ ds }}")
    pod >> docker >> ecs >> emr >> bash
"""


def _package(tmp_path, name: str, source: str):
    folder = tmp_path / f"{name}_dags"
    folder.mkdir()
    file = scan_source(source, f"{name}.py")
    (folder / file.path).write_text(source)
    plan = plan_project(ir.Project(str(folder), (file,)))
    result = generate(plan, tmp_path / f"{name}_defs", dags_folder=folder)
    assert not result.problems, result.problems
    return plan, tmp_path / f"{name}_defs"


def test_pipes_clients_and_their_libraries_are_not_imported_at_load(tmp_path):
    plan, package = _package(tmp_path, "pipes", PIPES)
    assert {t.task.task_id for d in plan.dags for t in d.tasks if t.disposition != "NONE"} >= {"pod", "docker", "ecs"}
    assert "pipes_k8s: PipesClient" in (package / "dags" / "pipes.py").read_text()
    assert '"pipes_k8s": on_first_use(pipes_k8s_client)' in (package / "definitions.py").read_text()
    script = (
        "import sys\n"
        "from pipes_defs.definitions import defs\n"
        "defs.resolve_asset_graph()\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('dagster_k8s', 'dagster_docker', 'dagster_aws',"
        " 'kubernetes', 'docker'))\n"
        "assert not loaded, loaded\n"
        "import dagster as dg\n"
        "with dg.build_resources({'pipes_k8s': defs.resources['pipes_k8s']}) as built:\n"
        "    print(type(built.pipes_k8s).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "PipesK8sClient"  # built when a run first uses it


def test_a_body_imports_its_integration_library_itself(tmp_path):
    _, package = _package(tmp_path, "pipes", PIPES)
    module = (package / "dags" / "pipes.py").read_text()
    assert "dagster_aws" not in module.split("def ", 1)[0]  # nothing at module level
    emr = module[module.index("def emr(") :]
    assert "    from dagster_aws.pipes import PipesCloudWatchMessageReader, PipesEMRServerlessClient\n" in emr
    assert all(render.imported_at_load(line) for line in ("import dagster as dg", "from ..support import hooks"))


def test_the_definitions_are_built_without_the_garbage_collector_walking_them(tmp_path):
    """The collector is off while the location builds, its definitions end in the permanent generation (no
    collection walks them again, at exit neither), and it is on again afterwards as it was before."""
    _package(tmp_path, "pipes", PIPES)
    script = (
        "import gc, sys\n"
        "if sys.argv[1] == 'off':\n"
        "    gc.disable()\n"
        "before = gc.get_freeze_count()\n"
        "from pipes_defs.definitions import defs\n"
        "from pipes_defs.dags.pipes import pod  # one task's asset\n"
        "walked = {id(o) for o in gc.get_objects()}  # what a collection walks: not the permanent generation\n"
        "print(gc.isenabled(), gc.get_freeze_count() > before, id(pod) in walked, id(defs) in walked)\n"
    )
    for state, enabled in (("on", "True"), ("off", "False")):
        done = subprocess.run(
            [sys.executable, "-c", script, state], cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert done.stdout.split() == [enabled, "True", "False", "False"]


def test_a_nanobind_extension_loaded_with_the_definitions_reports_no_leaks_at_exit(tmp_path):
    """DuckDB (a nanobind extension) imported when the definitions were frozen: its objects are given back to the
    collector at exit, so nanobind has nothing to report as leaked after the command's output."""
    _package(tmp_path, "pipes", PIPES)
    script = "import duckdb\nfrom pipes_defs.definitions import defs\nprint(len(defs.assets))\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "nanobind" not in done.stderr, done.stderr[-2000:]


def test_a_failing_load_turns_the_collector_back_on(tmp_path):
    from converters.codegen.support.load import long_lived

    assert gc.isenabled()
    try:
        with long_lived():
            assert not gc.isenabled()
            raise ValueError("a DAG module that does not import")
    except ValueError:
        pass
    finally:
        gc.unfreeze()
    assert gc.isenabled()
