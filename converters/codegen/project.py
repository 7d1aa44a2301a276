"""The files that make the generated package a ``dg`` project: ``pyproject.toml`` (what the location needs, and
``[tool.dg]``), a smoke test per DAG under ``tests/``, and a README saying how to run it.

The package folder is the project folder: ``root_module = "."`` makes ``dg`` load ``<package>.definitions`` from
the folder above it, so the modules keep importing as ``<package>.*`` (the way ``dagster dev -m`` and the
Airflow-side proxies load them). Dependencies are read from the generated text itself (the modules the assets and
the copied logic import, the Airflow hook equivalents they use) and from the estate's ``requirements.txt``, in a
fixed order, so the same plan always gives the same file.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import yaml

from converters.codegen import modern
from converters.codegen.wrap import LINE_LENGTH, prose
from converters.plan import Plan, PlannedDag
from converters.rules.base import Resource

# Modules of the generated code whose distribution is named otherwise, or is pinned to the Dagster the
# generated support code is written for (those carry the installed version).
DAGSTER_FAMILY = {
    "dagster": "dagster",
    "dagster_airlift": "dagster-airlift[core]",
    "dagster_dbt": "dagster-dbt",
    "dagster_k8s": "dagster-k8s",
    "dagster_aws": "dagster-aws",
    "dagster_docker": "dagster-docker",
    "dagster_duckdb": "dagster-duckdb",
}
DISTRIBUTIONS = {
    "psycopg2": "psycopg2-binary",
    "MySQLdb": "mysqlclient",
    "mysql": "mysql-connector-python",
    "yaml": "pyyaml",
    "PIL": "pillow",
    "sklearn": "scikit-learn",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "dotenv": "python-dotenv",
    "jwt": "pyjwt",
    "cv2": "opencv-python",
    "attr": "attrs",
    "OpenSSL": "pyopenssl",
    "Crypto": "pycryptodome",
    "slugify": "python-slugify",
    "dbt": "dbt-core",
    "snowflake.connector": "snowflake-connector-python",
    "snowflake.sqlalchemy": "snowflake-sqlalchemy",
    "googleapiclient": "google-api-python-client",
    "kafka": "kafka-python",
    "github": "pygithub",
    "git": "gitpython",
    "ldap": "python-ldap",
    "magic": "python-magic",
}
# Namespace packages: google.cloud.bigquery -> google-cloud-bigquery, azure.storage.blob -> azure-storage-blob.
NAMESPACES = {"google", "azure"}
# support/hooks.py's equivalents of Airflow hooks -> the driver each opens its connections with.
HOOK_DRIVERS = {
    "PostgresHook": "psycopg2-binary",
    "MySqlHook": "mysql-connector-python",
    "AwsBaseHook": "boto3",
    "S3Hook": "boto3",
    "SqsHook": "boto3",
    "SnsHook": "boto3",
    "SSHHook": "paramiko",
    "SFTPHook": "paramiko",
    "GCSHook": "google-cloud-storage",
}
# Never a dependency of the location: Airflow stays where it is (the generated code does not import it).
NOT_NEEDED = re.compile(r"^(apache-airflow|airflow)\b", re.IGNORECASE)
REQUIREMENTS = "requirements.txt"


def render_project(
    plan: Plan,
    files: dict[str, str],
    *,
    package: str,
    dags_folder: Path,
    root: Path | None = None,
    integrations: dict[str, Resource] | None = None,
) -> dict[str, str]:
    """pyproject.toml, tests/ and README.md of the location whose package files are ``files`` (``integrations``:
    the integration resources of its modernized modules, whose settings the README names)."""
    requirements, found = estate_requirements(dags_folder, root)
    python, declared, declared_in = estate_project(dags_folder, root)
    if found is None and declared:  # no requirements.txt: the dependencies its pyproject.toml declares
        requirements, found = declared, declared_in
    deps = dependencies(plan, files, dags_folder, root, requirements, package=package)
    project = {
        "pyproject.toml": render_pyproject(
            plan, package, deps, found, python=(python, declared_in) if python else None
        ),
        "README.md": render_readme(plan, package, "dbt_projects.py" in files, integrations or {}),
        "tests/__init__.py": '"""Smoke tests of the generated assets: one module per Airflow DAG."""\n',
        "tests/smoke.py": SMOKE_CHECK,
    }
    for planned in plan.dags:
        if expected_assets(planned):
            project[f"tests/test_{planned.module}.py"] = render_smoke_test(planned)
    return project


# -- dependencies ---------------------------------------------------------------------------------------------


def imported_modules(text: str, package: str | None = None) -> set[str]:
    """Absolute imports of a module's text (dotted), wherever they are (also inside functions); ``from a import b``
    gives ``a`` and ``a.b`` (b may be a module). Relative imports are resolved against ``package`` when given."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return set()
    found: set[str] = set()
    for node in _statements(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package else []
                if not package or node.level - 1 >= len(parts) + 1:
                    continue  # the generated package's own modules, or above the estate's top package
                base = parts[: len(parts) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module:
                found.add(module)
                found.update(f"{module}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def _statements(tree: ast.Module):
    """Every statement of ``tree``, nested ones too (an import is a statement: expressions need no visit)."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        yield node
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(node, field, None)
            if isinstance(children, list):
                pending.extend(child for child in children if isinstance(child, ast.stmt | ast.excepthandler))
        for case in getattr(node, "cases", None) or []:  # match: each case's body (a case is no statement)
            pending.extend(case.body)


def hook_names(text: str) -> set[str]:
    """The names a module imports from the package's support/hooks.py."""
    if "support.hooks" not in text:  # most modules: no parse needed to know
        return set()
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return set()
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level and (node.module or "").endswith("support.hooks")
        for alias in node.names
    }


def distribution(module: str) -> str:
    """The distribution of an imported module: the table's, a namespace package's, else the module's own name
    (most distributions are named as their module)."""
    parts = module.split(".")
    for length in range(len(parts), 0, -1):
        if ".".join(parts[:length]) in DISTRIBUTIONS:
            return DISTRIBUTIONS[".".join(parts[:length])]
    if parts[0] in NAMESPACES:
        named = parts[:3]
        named[-1] = re.sub(r"_v\d+(beta\d*)?$", "", named[-1])
        return "-".join(named).replace("_", "-")
    return parts[0].replace("_", "-").lower()


def _pinned(name: str) -> str:
    base = name.split("[", 1)[0]
    try:
        return f"{name}=={metadata.version(base)}"
    except metadata.PackageNotFoundError:
        return name


def _local_file(module: str, folders: list[Path]) -> tuple[Path, str] | None:
    """The estate's own module (on Airflow's ``sys.path``: the DAGs folder, or the folder above it) -> its file
    (or its top folder, for a package whose module is not a file) and its package's dotted name."""
    parts = module.split(".")
    for folder in folders:
        for length in range(len(parts), 0, -1):
            name = parts[:length]
            if folder.joinpath(*name).with_suffix(".py").is_file():
                return folder.joinpath(*name).with_suffix(".py"), ".".join(name[:-1])
            if folder.joinpath(*name, "__init__.py").is_file():
                return folder.joinpath(*name, "__init__.py"), ".".join(name)
        if (folder / parts[0]).is_dir():
            return folder / parts[0], parts[0]  # a namespace package of the estate
    return None


def _third_party(texts: list[str], folders: list[Path], family: set[str], generated: str | None = None) -> set[str]:
    """The distributions the texts import, following the estate's own modules they import (their imports count:
    the copied logic runs them), Dagster's libraries put in ``family``; ``generated``, the generated package, is
    neither (``dbt_projects.py`` imports its support by the package's name)."""
    found: set[str] = set()
    seen: set[Path] = set()
    pending: list[tuple[str, str | None]] = [(text, None) for text in texts]
    while pending and len(seen) < 500:  # bounded: an estate's helper modules, not the whole repository
        text, package = pending.pop()
        modules = imported_modules(text, package)
        # The longest names only: `from google.cloud import bigquery` is google-cloud-bigquery, not google-cloud.
        for module in sorted(m for m in modules if not any(n.startswith(m + ".") for n in modules)):
            top = module.split(".", 1)[0]
            if top in DAGSTER_FAMILY:
                family.add(top)
                continue
            if top in sys.stdlib_module_names or top in {"airflow", "__future__", generated}:
                continue
            local = _local_file(module, folders)
            if local is None:
                found.add(distribution(module))
            elif local[0].is_file() and local[0] not in seen:
                seen.add(local[0])
                pending.append((local[0].read_text(encoding="utf-8", errors="replace"), local[1]))
    return found


def dbt_adapters(plan: Plan, folders: list[Path]) -> set[str]:
    """``dbt-<type>`` of the outputs in the profiles.yml of every dbt project the plan turns into assets."""
    adapters: set[str] = set()
    for planned in plan.dags:
        for task in planned.tasks:
            dbt = task.translation.dbt or {}
            where = dbt.get("profiles_dir") or dbt.get("project_dir")
            for folder in folders if isinstance(where, str) else []:
                path = folder / where / "profiles.yml"
                if path.is_file():
                    adapters |= _profile_types(path)
                    break
    return {f"dbt-{kind}" for kind in adapters}


def _profile_types(path: Path) -> set[str]:
    try:
        profiles = yaml.safe_load(path.read_text(encoding="utf-8", errors="replace"))
    except yaml.YAMLError:
        return set()
    kinds = set()
    for profile in profiles.values() if isinstance(profiles, dict) else []:
        outputs = profile.get("outputs") if isinstance(profile, dict) else None
        for output in outputs.values() if isinstance(outputs, dict) else []:
            kind = output.get("type") if isinstance(output, dict) else None
            if isinstance(kind, str) and re.fullmatch(r"[a-z0-9_]+", kind):
                kinds.add(kind)
    return kinds


def dependencies(
    plan: Plan,
    files: dict[str, str],
    dags_folder: Path,
    root: Path | None,
    requirements: list[str],
    package: str | None = None,
) -> list[str]:
    """The location's dependencies: the Dagster libraries its modules import (pinned to the installed ones), the
    other distributions they, the copied logic and the estate modules it imports import, the drivers of the hook
    equivalents they use, the adapters of dbt projects, then the estate's own requirements (as written)."""
    folders = list(dict.fromkeys([dags_folder, dags_folder.parent, *([root] if root else [])]))
    family = {"dagster", "dagster_airlift"}  # definitions.py and support/airlift.py always import these
    # support/ is copied whole: its lazy imports are needed only by what uses them (the hook drivers below)
    texts = [text for name, text in sorted(files.items()) if name.endswith(".py") and not name.startswith("support/")]
    others = _third_party(texts, folders, family, package)
    for text in texts:
        others.update(HOOK_DRIVERS[name] for name in hook_names(text) if name in HOOK_DRIVERS)
    if "dagster_dbt" in family:
        others |= dbt_adapters(plan, folders)
    declared = {_requirement_name(line) for line in requirements}
    pinned = [_pinned(DAGSTER_FAMILY[top]) for top in DAGSTER_FAMILY if top in family]
    return pinned + sorted(o for o in others if _requirement_name(o) not in declared) + requirements


def _requirement_name(line: str) -> str:
    return re.split(r"[\s\[<>=!~;@]", line, maxsplit=1)[0].lower().replace("_", "-")


def estate_requirements(dags_folder: Path, root: Path | None) -> tuple[list[str], str | None]:
    """The requirement lines of the estate's requirements.txt (in the DAGs folder, the scanned folder or the folder
    above the DAGs folder, the first found) without Airflow's own distributions; and where it was found."""
    candidates = [dags_folder, *([root] if root else []), dags_folder.parent]
    for folder in candidates:
        path = folder / REQUIREMENTS
        if path.is_file():
            lines = []
            for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
                line = raw.split(" #", 1)[0].strip()
                if not line or line.startswith(("#", "-")) or NOT_NEEDED.match(line):
                    continue  # comments, pip options (-r, -e, --index-url), Airflow and its providers
                if line not in lines:
                    lines.append(line)
            return lines, f"{path.parent.name}/{REQUIREMENTS}"
    return [], None


def estate_project(dags_folder: Path, root: Path | None) -> tuple[str | None, list[str], str | None]:
    """What the estate's own ``pyproject.toml`` (in the DAGs folder or the converted folder, the first found)
    declares: its ``requires-python``, its ``[project]`` dependencies without Airflow's own, and where it was
    found. Not the folder above the DAGs folder: converting ``airflow_dags/`` of a project would read the
    project's own. An unreadable file declares nothing (the location is generated as without it)."""
    for folder in [dags_folder, *([root] if root else [])]:
        path = folder / "pyproject.toml"
        if not path.is_file():
            continue
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8", errors="replace")).get("project") or {}
        except tomllib.TOMLDecodeError:
            return None, [], None
        python = table.get("requires-python")
        deps = [d.strip() for d in table.get("dependencies") or [] if isinstance(d, str) and d.strip()]
        where = f"{path.resolve().parent.name}/pyproject.toml"
        return (python if isinstance(python, str) else None), [d for d in deps if not NOT_NEEDED.match(d)], where
    return None, [], None


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_pyproject(
    plan: Plan,
    package: str,
    deps: list[str],
    requirements_from: str | None,
    *,
    python: tuple[str, str | None] | None = None,
) -> str:
    """``python``: the estate's own ``requires-python`` and where it is declared: the location needs both the
    toolkit's Python (3.11 and later) and the one the copied code was written for."""
    source = Path(plan.root).name
    lines = [
        f"# The Dagster project generated from the Airflow DAGs in {source}/: `dg check defs`, `dg dev` here.",
        "[project]",
        f"name = {_toml_string(package.replace('_', '-'))}",
        'version = "0.1.0"',
        f"description = {_toml_string(f'Dagster code location generated by airflow-to-dagster from {source}/')}",
    ]
    if python:
        lines.append(f"# The Python the estate declares in {python[1]} too: the copied code was written for it.")
        lines.append(f"requires-python = {_toml_string('>=3.11, ' + python[0].strip())}")
    else:
        lines.append('requires-python = ">=3.11"')
    if requirements_from:
        lines.append(f"# The last ones are the estate's own, from {requirements_from} (without Airflow's).")
    lines.append("dependencies = [")
    lines += [f"    {_toml_string(dep)}," for dep in deps]
    lines += [
        "]",
        "",
        "[dependency-groups]",
        "dev = [",
        f"    {_toml_string(_pinned('dagster-dg-cli'))},",
        f"    {_toml_string(_pinned('dagster-webserver'))},",
        '    "pytest",',
        "]",
        "",
        "[tool.dg]",
        'directory_type = "project"',
        "",
        "[tool.dg.project]",
        f"# This folder is the package itself (its modules import as {package}.*): dg loads it from the folder above.",
        'root_module = "."',
        f"code_location_target_module = {_toml_string(package + '.definitions')}",
        f"code_location_name = {_toml_string(package)}",
        "",
        "[tool.pytest.ini_options]",
        'testpaths = ["tests"]',
    ]
    return "\n".join(lines) + "\n"


# -- README.md ------------------------------------------------------------------------------------------------


def render_readme(plan: Plan, package: str, dbt: bool = False, integrations: dict[str, Resource] | None = None) -> str:
    """``dbt``: the location has ``dbt_projects.py``, whose build step the README gives; ``integrations``: the
    resources of modernized modules configured by a setting of their own."""
    settings = [
        f"- `{modern.database_variable(r.conn_id)}`: the DuckDB file of Airflow's connection `{r.conn_id}` "
        f"(`{name}`, a `DuckDBResource`)"
        for name, r in sorted((integrations or {}).items())
        if r.cls == "DuckDBResource"
    ]
    source = Path(plan.root).name
    return "\n".join(
        [
            f"# {package}",
            "",
            f"The Dagster code location generated by airflow-to-dagster from the Airflow DAGs in `{source}/`:",
            "one module per DAG in `dags/`, the code copied out of the DAG files in `logic/`, run-time support in",
            "`support/`.",
            "",
            "In this folder, with the dependencies of `pyproject.toml` installed (`uv sync`, or `pip install`):",
            "",
            "- `dg check defs`: the definitions load;",
            "- `dg dev`: the Dagster UI on http://localhost:3000;",
            "- `pytest`: the smoke tests in `tests/` (every task's asset is there, with its upstream assets).",
            *(
                [
                    "",
                    "The dbt projects of the cosmos groups are the `DbtProject`s of `dbt_projects.py`. Build their",
                    "manifests before the location is deployed (else it runs `dbt parse` when it loads), in the",
                    "environment the dbt profiles read:",
                    "`dagster-dbt project prepare-and-package --file dbt_projects.py`.",
                ]
                if dbt
                else []
            ),
            "",
            "Connections come from Airflow's environment variables (`AIRFLOW_CONN_<ID>`), read when a run starts.",
            *(
                ["", "The modernized DAGs' integration resources read settings of their own:", "", *settings]
                if settings
                else []
            ),
            "",
            "With `AIRFLOW_URL` set the location peers with that Airflow (`support/airlift.py`): a task Airflow still",
            "runs is an observed asset, recorded when its Airflow run succeeds, and runs here once",
            "`airflow-to-dagster proxy` hands it over (its proxied state in the DAGs folder); without it every",
            "asset runs here.",
            "",
        ]
    )


# -- tests/test_<dag>.py --------------------------------------------------------------------------------------


def expected_assets(planned: PlannedDag) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """The asset of every task that has one (dbt models aside: their keys are the manifest's) -> the upstream
    assets the DAG's dependencies and XCom inputs give it."""
    assets: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    checks = modern.check_tasks(planned)  # a modernized DAG's quality tasks are checks: no asset, nothing follows them
    checks = {**checks, **modern.sensor_tasks(planned)}  # and its sensor tasks sensors: likewise
    for task in planned.tasks:
        if task.passthrough or task.translation.dbt or tuple(task.key) in checks:
            continue
        upstream = [tuple(d.value) for d in task.deps if d.kind == "key" and tuple(d.value) not in checks]
        upstream += [tuple(key) for _, _, key in task.inputs]
        assets[tuple(task.key)] = sorted(set(upstream))
    return assets


# The one check every DAG's smoke test makes (tests/smoke.py of the location).
SMOKE_CHECK = '''"""What every DAG's smoke test checks: the code location loads, and each of the DAG's assets is in
it with the upstream assets of the DAG's dependencies."""

import dagster as dg

from ..definitions import defs


def assert_assets_load(assets: list[tuple[list[str], list[list[str]]]]) -> None:
    """``assets``: (asset key, its upstream asset keys) pairs."""
    graph = defs.resolve_asset_graph()
    for key, upstream in assets:
        asset_key = dg.AssetKey(key)
        assert graph.has(asset_key), key
        parents = graph.get(asset_key).parent_keys
        assert {dg.AssetKey(u) for u in upstream} <= parents, key
'''


def render_smoke_test(planned: PlannedDag) -> str:
    dag_id = planned.dag.dag_id
    assets = expected_assets(planned)
    docstring = prose(
        f"Smoke test of the assets generated for the Airflow DAG {dag_id} (dags/{planned.module}.py): the code"
        " location loads, and every task's asset is in it with the upstream assets of the DAG's dependencies.",
        LINE_LENGTH - 6,
    )
    lines = [
        '"""' + "\n".join(docstring) + '"""',
        "",
        "from .smoke import assert_assets_load",
        "",
        "# (asset key, its upstream asset keys)",
        "ASSETS = [",
    ]
    for key, upstream in assets.items():
        pair = json.dumps([list(key), [list(u) for u in upstream]], ensure_ascii=False)
        lines.append(f"    ({pair[1:-1]}),")
    test = f"test_{planned.module}_assets_load_with_their_upstream_assets"
    if len(f"def {test}():") > LINE_LENGTH:  # a long DAG id: the file's name already says which DAG
        test = "test_the_assets_load_with_their_upstream_assets"
    lines += ["]", "", "", f"def {test}():", "    assert_assets_load(ASSETS)"]
    return "\n".join(lines) + "\n"
