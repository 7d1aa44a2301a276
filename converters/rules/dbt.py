"""cosmos: DbtTaskGroup and DbtDag become dagster-dbt assets over the same dbt project."""

from __future__ import annotations

from typing import Any

from converters.inventory import ir
from converters.inventory.operators import canonical
from converters.rules.base import MECH, NONE, Rule, TaskInput, Translation


def _call_kwargs(value: Any, name: str) -> dict[str, Any]:
    """The keyword arguments of a cosmos config object (``ProjectConfig(...)``), with its first argument."""
    if isinstance(value, ir.CallValue) and value.name.endswith(name):
        kwargs = dict(value.kwargs)
        if value.args:
            kwargs.setdefault("$first", value.args[0])
        return kwargs
    return {}


def _path(value: Any) -> str | None:
    if isinstance(value, ir.PathValue):
        return value.path
    return value if isinstance(value, str) else None


def _parent(path: str | None) -> str | None:
    if path is None:
        return None
    return path.rsplit("/", 1)[0] if "/" in path else "."


def _selection(value: Any) -> str | None:
    """cosmos joins a list of selectors with spaces (a union in dbt); a string is used as written."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return " ".join(value)
    return None


class Cosmos(Rule):
    """What it does: turns a cosmos ``DbtTaskGroup``/``DbtDag`` into ``@dbt_assets`` over the same dbt project.

    Why: cosmos renders one Airflow task per dbt node; dagster-dbt makes one asset per model with the
    project's own lineage. Project dir, profiles dir, target, ``select``/``exclude``/``selector`` (a list
    joined with spaces, a union, as cosmos does) are kept; tests run with ``dbt build`` (tests after each
    model, like cosmos's default ``after_each``). The project is a ``DbtProject`` of the location's
    ``dbt_projects.py`` (one per project, shared by the groups that build it), prepared at build time by
    ``dagster-dbt project prepare-and-package --file dbt_projects.py``; a manifest not prepared is built with
    ``dbt parse`` when the location loads.

    Example:
    ```python
    from datetime import datetime
    from pathlib import Path

    from airflow import DAG
    from cosmos import DbtTaskGroup, ProfileConfig, ProjectConfig, RenderConfig

    PROJECT = Path(__file__).parent / "dbt" / "shop"

    with DAG("shop", schedule=None, start_date=datetime(2024, 1, 1)):
        DbtTaskGroup(
            group_id="transform",
            project_config=ProjectConfig(PROJECT),
            profile_config=ProfileConfig(
                profile_name="shop", target_name="dev", profiles_yml_filepath=PROJECT / "profiles.yml"
            ),
            render_config=RenderConfig(select=["path:models/marts"]),
        )
    ```

    Becomes:
    ```python
    # shop.py:10 · task transform · rule dbt.cosmos · MECH
    TRANSFORM_MANIFEST = dbt_manifest(SHOP_PROJECT)
    if TRANSFORM_MANIFEST is not None:

        @dbt_assets(
            manifest=TRANSFORM_MANIFEST,
            project=SHOP_PROJECT,
            select="path:models/marts",
            name="transform",
            dagster_dbt_translator=dbt_translator([]),
            required_resource_keys={"dbt_shop__transform"},
        )
        def transform(context: dg.AssetExecutionContext):
            airflow = task_context(context, DAG, "transform")
            dbt = getattr(context.resources, "dbt_shop__transform")
            invocation = dbt.cli(
                ["build", "--vars", dbt_vars(airflow)], context=context, target_path=dbt_run_target(SHOP_PROJECT)
            )
            yield from invocation.stream()

        TRANSFORM_ASSETS, TRANSFORM_SPECS = [transform], []
        TRANSFORM_RESOURCES = {
            "dbt_shop__transform": DbtCliResource(project_dir=SHOP_PROJECT, dbt_executable=dbt_executable())
        }
    else:  # the manifest could not be built here (dbt parse failed): the group stays observed
        TRANSFORM_ASSETS, TRANSFORM_SPECS = (
            [],
            [
                dg.AssetSpec(
                    key=["shop", "transform"],
                    group_name="shop",
                    description="Stays observed: the dbt manifest could not be built when this code location loaded (run `dbt parse` for the project with its profile's environment)",
                    kinds={"airflow", "dbt"},
                    metadata={
                        "airflow/source": "shop.py:10",
                        "airflow/task_id": "transform",
                        "airflow/operator": "cosmos.DbtTaskGroup",
                        "airflow/rule": "dbt.cosmos",
                        "airflow/disposition": "MECH",
                        "airflow/reason": "the dbt project runs with dbt build through dagster-dbt",
                    },
                )
            ],
        )
        TRANSFORM_RESOURCES = {}
    ```
    """

    name = "dbt.cosmos"
    operators = canonical("DbtTaskGroup", "DbtDag")
    families = ("dbt",)
    emits = "@dbt_assets over the same project (one asset per model, dbt build), dbt lineage kept"

    def translate(self, task: TaskInput) -> Translation:
        args = task.args
        project = _call_kwargs(args.get("project_config"), "ProjectConfig")
        profile = _call_kwargs(args.get("profile_config"), "ProfileConfig")
        render = _call_kwargs(args.get("render_config"), "RenderConfig")
        project_dir = _path(project.get("dbt_project_path", project.get("$first")))
        if project_dir is None and _path(args.get("dbt_root_path")) and isinstance(args.get("dbt_project_name"), str):
            project_dir = f"{_path(args['dbt_root_path'])}/{args['dbt_project_name']}"  # cosmos 0.x keywords
        # Without the project's location there is nothing to build assets from.
        if project_dir is None:
            return Translation(NONE, "the dbt project path is not known statically")
        profiles_file = _path(profile.get("profiles_yml_filepath"))
        # A profile built by a profile mapping has no profiles.yml that dagster-dbt could read.
        if profile and profiles_file is None:
            return Translation(NONE, "the dbt profile is built by a profile mapping; write a profiles.yml for Dagster")
        select = _selection(render.get("select", args.get("select")))
        exclude = _selection(render.get("exclude", args.get("exclude")))
        test_behavior = str(
            render["test_behavior"].name if isinstance(render.get("test_behavior"), ir.RefValue) else ""
        )
        command = "run" if test_behavior.endswith(".NONE") else "build"
        t = Translation(MECH, f"the dbt project runs with dbt {command} through dagster-dbt", kinds=("dbt",))
        t.dbt = {
            "project_dir": project_dir,
            "profiles_dir": _parent(profiles_file) if profiles_file else project_dir,
            "target": profile.get("target_name") if isinstance(profile.get("target_name"), str) else None,
            "select": select or "fqn:*",
            "exclude": exclude,
            "selector": render.get("selector") if isinstance(render.get("selector"), str) else None,
            "command": command,
        }
        t.consumed |= {"project_config", "profile_config", "render_config", "execution_config", "operator_args"}
        t.consumed |= {"group_id", "dag_id", "dbt_root_path", "dbt_project_name", "select", "exclude", "conn_id"}
        t.consumed |= {"schedule", "schedule_interval", "start_date", "catchup", "default_args", "tags"}
        if test_behavior.endswith(".AFTER_ALL"):
            t.notes.append("cosmos ran the tests after all models; dbt build runs each model's tests after it")
        return t


ORDER = 110
RULES = [Cosmos]
