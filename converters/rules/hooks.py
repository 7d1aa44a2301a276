"""Airflow hooks (and the other Airflow classes) that copied callables may use, and the methods they may call.

Two declarations, each written once:

- ``HOOKS``, below: the Airflow import paths of every hook the generated code reproduces (1.10, 2.x and 3.x
  spellings), each to the class of the same role in ``codegen/support/hooks.py``. The generator binds the
  name in the logic module to that class; the rules accept the import.
- The methods: the public methods and attributes of the support classes themselves (``support/hooks.py``,
  and ``support/templates.py`` for ``Variable``). They are read from those files' source here, without
  importing them (the support package travels with the generated code and sits above this layer), so
  adding a method to a support class is all it takes to support it.

``unsupported_uses`` finds, in the copied code a callable runs (its function and the functions of its file
that it calls), the attributes used on those classes, on instances built from them (``hook = PostgresHook(...)``;
``PostgresHook(...).run(...)``) and reports those the support class does not have: the task is NONE with their
names, rather than failing with an ``AttributeError`` at run time.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from converters.inventory.operators import canonical

SUPPORT = Path(__file__).resolve().parents[1] / "codegen" / "support"
SUPPORT_FILES = ("templates.py", "hooks.py")  # where the classes whose members are checked are defined

_P = "airflow.providers"


def _paths(support_class: str, *paths: str) -> dict[str, str]:
    return {path: support_class for path in paths}


# Airflow import path of a hook -> the class in support/hooks.py that stands in for it.
HOOKS: dict[str, str] = {
    **_paths(
        "BaseHook",
        "airflow.hooks.base.BaseHook",
        "airflow.hooks.base_hook.BaseHook",
        "airflow.sdk.BaseHook",
        "airflow.sdk.bases.hook.BaseHook",
    ),
    # Not a hook, but the same lookup of AIRFLOW_CONN_<ID> (support/hooks.py).
    **_paths(
        "Connection",
        "airflow.sdk.Connection",
        "airflow.models.Connection",
        "airflow.models.connection.Connection",
        "airflow.sdk.definitions.connection.Connection",
    ),
    **_paths(
        "DbApiHook",
        f"{_P}.common.sql.hooks.sql.DbApiHook",
        "airflow.hooks.dbapi.DbApiHook",
        "airflow.hooks.dbapi_hook.DbApiHook",
    ),
    **_paths("PostgresHook", f"{_P}.postgres.hooks.postgres.PostgresHook", "airflow.hooks.postgres_hook.PostgresHook"),
    **_paths("MySqlHook", f"{_P}.mysql.hooks.mysql.MySqlHook", "airflow.hooks.mysql_hook.MySqlHook"),
    **_paths("SqliteHook", f"{_P}.sqlite.hooks.sqlite.SqliteHook", "airflow.hooks.sqlite_hook.SqliteHook"),
    **_paths("HttpHook", f"{_P}.http.hooks.http.HttpHook", "airflow.hooks.http_hook.HttpHook"),
    **_paths(
        "AwsBaseHook",
        f"{_P}.amazon.aws.hooks.base_aws.AwsBaseHook",
        "airflow.contrib.hooks.aws_hook.AwsHook",
    ),
    **_paths(
        "SqsHook",
        f"{_P}.amazon.aws.hooks.sqs.SqsHook",
        f"{_P}.amazon.aws.hooks.sqs.SQSHook",
        "airflow.contrib.hooks.aws_sqs_hook.SQSHook",
    ),
    **_paths(
        "SnsHook",
        f"{_P}.amazon.aws.hooks.sns.SnsHook",
        f"{_P}.amazon.aws.hooks.sns.AwsSnsHook",
        "airflow.contrib.hooks.aws_sns_hook.AwsSnsHook",
    ),
    **_paths(
        "SlackWebhookHook",
        f"{_P}.slack.hooks.slack_webhook.SlackWebhookHook",
        "airflow.contrib.hooks.slack_webhook_hook.SlackWebhookHook",
    ),
    **_paths("SlackHook", f"{_P}.slack.hooks.slack.SlackHook", "airflow.contrib.hooks.slack_hook.SlackHook"),
    **_paths("SSHHook", f"{_P}.ssh.hooks.ssh.SSHHook", "airflow.contrib.hooks.ssh_hook.SSHHook"),
    **_paths("SFTPHook", f"{_P}.sftp.hooks.sftp.SFTPHook", "airflow.contrib.hooks.sftp_hook.SFTPHook"),
    **_paths("S3Hook", f"{_P}.amazon.aws.hooks.s3.S3Hook", "airflow.hooks.S3_hook.S3Hook"),
    **_paths("GCSHook", f"{_P}.google.cloud.hooks.gcs.GCSHook"),
    **_paths("FTPHook", f"{_P}.ftp.hooks.ftp.FTPHook", "airflow.contrib.hooks.ftp_hook.FTPHook"),
    # The other Airflow APIs callables use, in the same module: configuration, e-mail, and the one
    # provider operator callables build and execute themselves (a Slack message from a helper or a callback).
    **_paths("conf", "airflow.configuration.conf"),
    **_paths("send_email", "airflow.utils.email.send_email"),
    **_paths("SlackAPIPostOperator", *canonical("SlackAPIPostOperator")),
    **_paths("SQLExecuteQueryOperator", *canonical("SQLExecuteQueryOperator")),
    # Values that are the same outside Airflow (support/hooks.py's end): not the metadata database's.
    **_paths("XCOM_RETURN_KEY", "airflow.utils.xcom.XCOM_RETURN_KEY", "airflow.models.xcom.XCOM_RETURN_KEY"),
    **_paths("TIMEZONE", "airflow.settings.TIMEZONE"),
    **_paths("get_attr_renderer", "airflow.www.utils.get_attr_renderer"),
    # airflow.utils.timezone: the same functions over the same default zone.
    **{f"airflow.utils.timezone.{name}": name for name in ("utcnow", "is_localized", "is_naive", "convert_to_utc")},
    **{f"airflow.utils.timezone.{name}": name for name in ("make_aware", "make_naive")},
    **_paths("timezone_datetime", "airflow.utils.timezone.datetime"),
    # The metadata database's connection table, which is the AIRFLOW_CONN_<ID> variables here (a read-only session).
    **_paths("create_session", "airflow.utils.session.create_session", "airflow.utils.db.create_session"),
}


# Airflow's other names the support package binds (support/runtime.py): copied code may use them; the rules
# accept them (python.py, estate.py, argument code in base.py), the generator binds them (codegen/render.py).
AIRFLOW_NAMES_SUPPORTED = {
    "airflow.models.Variable": "Variable",
    "airflow.models.variable.Variable": "Variable",
    "airflow.sdk.Variable": "Variable",
    "airflow.operators.python.get_current_context": "get_current_context",
    "airflow.sdk.get_current_context": "get_current_context",
    "airflow.exceptions.AirflowException": "AirflowException",
    "airflow.exceptions.AirflowFailException": "AirflowFailException",
    "airflow.exceptions.AirflowSkipException": "AirflowSkipException",
    "airflow.exceptions.AirflowConfigException": "AirflowConfigException",
    "airflow.sdk.exceptions.AirflowException": "AirflowException",
    "airflow.sdk.exceptions.AirflowFailException": "AirflowFailException",
    "airflow.sdk.exceptions.AirflowSkipException": "AirflowSkipException",
    # The standard provider's exceptions module re-exports Airflow's (``from ... import AirflowException`` works).
    "airflow.providers.standard.exceptions.AirflowException": "AirflowException",
    "airflow.utils.dates.days_ago": "days_ago",
    "airflow.utils.context.Context": "Context",
    "airflow.sdk.Context": "Context",
    "airflow.utils.decorators.apply_defaults": "apply_defaults",
    # The base of an estate operator class copied into the logic (rules/estate.py): support's stand-in.
    "airflow.models.BaseOperator": "BaseOperator",
    "airflow.models.baseoperator.BaseOperator": "BaseOperator",
    "airflow.sdk.BaseOperator": "BaseOperator",
}


def _modules() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for path, cls in HOOKS.items():
        module, _, attr = path.rpartition(".")
        found.setdefault(module, {})[attr] = cls
    return found


# Airflow module -> its names that HOOKS binds: a callable importing the module itself
# (``from airflow.providers.ssh.hooks import ssh``; ``ssh.SSHHook(...)``) gets a namespace of those classes.
MODULES: dict[str, dict[str, str]] = _modules()


def bound(name: str) -> bool:
    """Whether the Airflow name (a class, function, object or a module of them) is bound to support/hooks.py."""
    return name in HOOKS or name in MODULES


def module_imports(imports: dict[str, str]) -> dict[str, str]:
    """The names in the logic that stand for an Airflow module of ``MODULES`` -> that module."""
    return {local: path for local, path in imports.items() if path in MODULES}


def classes_used(airflow_names: Iterable[str]) -> set[str]:
    """The support/hooks.py names the Airflow names bind (every one of a module's)."""
    found = {HOOKS[n] for n in airflow_names if n in HOOKS}
    return found.union(*(MODULES[n].values() for n in airflow_names if n in MODULES))


# What the generated code reads for the APIs other than hooks (the plan's note on a task using them).
_API_NOTES = {
    "conf": "Airflow configuration from AIRFLOW__<SECTION>__<KEY> (else Airflow's defaults)",
    "send_email": "e-mail sent to the SMTP server of AIRFLOW__SMTP__* (the smtp_default connection's login)",
    "SlackAPIPostOperator": "Slack messages posted to the Web API with the connection's token",
    "create_session": (
        "a metadata-database session reading only the Connection table, which is the AIRFLOW_CONN_<ID> "
        "variables here (Airflow's table holds the connections stored in its database; export those)"
    ),
}

# Airflow APIs that open Airflow's own metadata database: no equivalent can exist outside Airflow, and the NONE
# reason says so, since it is the cause a user must design around (not a missing support class).
METADATA_DATABASE = {
    "airflow.utils.session.provide_session",
    "airflow.utils.session.NEW_SESSION",
    "airflow.settings.Session",
    "airflow.settings.SQL_ALCHEMY_CONN",
    "airflow.settings.engine",
    "airflow.settings",
    "airflow.utils.db.provide_session",
    "airflow.models.DagRun",
    "airflow.models.dagrun.DagRun",
    "airflow.models.TaskInstance",
    "airflow.models.taskinstance.TaskInstance",
    "airflow.models.DagModel",
    "airflow.models.dag.DagModel",
}


def describe_unsupported(names: list[str]) -> str:
    """The unsupported Airflow names of a NONE reason, those reaching Airflow's metadata database marked so."""
    return ", ".join(
        f"{name} (Airflow's metadata database, which Dagster has no copy of)" if name in METADATA_DATABASE else name
        for name in names
    )


_SHOWN_AS = {name: "timezone" for name in MODULES["airflow.utils.timezone"].values()}


def uses_note(used: list[str], driver: str) -> str:
    """The note of a task whose copied code uses these support classes (``driver``: what must be installed)."""
    apis = [_API_NOTES[name] for name in used if name in _API_NOTES]
    # A module's functions are named by the module (``timezone``), the way the code reads them.
    shown = sorted({_SHOWN_AS.get(name, name) for name in used})
    return (
        f"uses Airflow hooks ({', '.join(shown)}) reproduced by support/hooks.py: connections read from "
        f"AIRFLOW_CONN_<ID>, {', '.join([*apis, driver])}"
    )


@cache
def support_members() -> dict[str, frozenset[str]]:
    """Support class name -> its public methods and attributes, inherited ones included (read from source)."""
    classes: dict[str, ast.ClassDef] = {}
    by_module: dict[str, dict[str, ast.ClassDef]] = {}  # `templates.Connection`: a base named by its module
    instances: dict[str, str] = {}  # module-level ``conf = AirflowConfigParser()``: the instance has its members
    aliases: dict[str, str] = {}  # module-level ``create_session = Session``: the class under another name
    for name in SUPPORT_FILES:
        tree = ast.parse((SUPPORT / name).read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                classes[node.name] = by_module.setdefault(name.removesuffix(".py"), {})[node.name] = node
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Name):  # an alias of a class
                aliases |= {t.id: node.value.id for t in node.targets if isinstance(t, ast.Name)}
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                if isinstance(node.value.func, ast.Name):
                    instances |= {t.id: node.value.func.id for t in node.targets if isinstance(t, ast.Name)}

    def members(name: str, seen: frozenset[str] = frozenset(), node: ast.ClassDef | None = None) -> frozenset[str]:
        node = node or classes.get(name)
        if node is None or id(node) in seen:
            return frozenset()
        found: set[str] = set()
        for base in node.bases:
            if isinstance(base, ast.Name):
                found |= members(base.id, seen | {id(node)})
            elif isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name):
                found |= members(base.attr, seen | {id(node)}, by_module.get(base.value.id, {}).get(base.attr))
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.add(stmt.name)
            elif isinstance(stmt, ast.Assign):
                found |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
                # DbApiHook stores the connection id under the name conn_name_attr holds.
                if any(isinstance(t, ast.Name) and t.id == "conn_name_attr" for t in stmt.targets):
                    if isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                        found.add(stmt.value.value)
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                found.add(stmt.target.id)
        for inner in ast.walk(node):  # instance attributes: self.<name> = ...
            if isinstance(inner, ast.Attribute) and isinstance(inner.ctx, ast.Store):
                if isinstance(inner.value, ast.Name) and inner.value.id == "self":
                    found.add(inner.attr)
        return frozenset(n for n in found if n and not n.startswith("_") and n != "airflow_paths")

    known = {name: members(name) for name in classes}
    named = {**instances, **aliases}
    return known | {name: known[cls] for name, cls in named.items() if cls in known}


@cache
def support_parameters(name: str) -> tuple[str, ...]:
    """The named parameters of support class ``name``'s ``__init__``, in order (read from source): what a rule may
    pass when it builds the class (its ``**kwargs``, which takes anything, is not among them)."""
    for file in SUPPORT_FILES:
        for node in ast.parse((SUPPORT / file).read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and node.name == name:
                for stmt in node.body:
                    if isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__":
                        given = [*stmt.args.posonlyargs, *stmt.args.args, *stmt.args.kwonlyargs]
                        return tuple(a.arg for a in given if a.arg != "self")
    return ()


def unsupported_uses(
    logic: str, callable_name: str, bindings: dict[str, str], modules: dict[str, str] | None = None
) -> list[str]:
    """``Class.member`` for each member the callable's code uses that the support class lacks.

    ``bindings``: name in the logic -> support class name (only names whose class has its members declared).
    ``modules``: name in the logic -> the Airflow module it imports (``from airflow.providers.ssh.hooks import
    ssh``, one of ``MODULES``): ``ssh.SSHHook`` is that class, and an attribute of the module with no support
    class is reported by its Airflow path.
    """
    known = support_members()
    modules = dict(modules or {})
    checked = {local: cls for local, cls in bindings.items() if cls in known}
    for local, path in modules.items():
        checked |= {f"{local}.{attr}": cls for attr, cls in MODULES.get(path, {}).items() if cls in known}
    if not checked and not modules:
        return []
    try:
        tree = ast.parse(logic)
    except SyntaxError:
        return []
    defs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    todo = [callable_name]
    reached: list[ast.AST] = []
    while todo:
        node = defs.pop(todo.pop(), None)
        if node is None:
            continue
        reached.append(node)
        todo += [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in defs]
    # Instances made at module level (``HOOK = PostgresHook(...)`` beside the callable) are seen from every function.
    assigned = [s for s in tree.body if isinstance(s, (ast.Assign, ast.AnnAssign))]
    shared = _instances(ast.Module(body=assigned, type_ignores=[]), checked)
    missing: set[str] = set()
    for root in reached:
        local = {n.id for n in ast.walk(root) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        local |= {a.arg for a in ast.walk(root) if isinstance(a, ast.arg)}
        instances = {**{k: v for k, v in shared.items() if k not in local}, **_instances(root, checked)}
        for node in ast.walk(root):
            if not isinstance(node, ast.Attribute) or node.attr.startswith("_"):
                continue
            if isinstance(node.value, ast.Name) and node.value.id in modules and node.value.id not in local:
                path = f"{modules[node.value.id]}.{node.attr}"
                if path not in HOOKS:
                    missing.add(describe_unsupported([path]))
                continue
            owner = _class_of(node.value, checked, instances)
            if owner is not None and node.attr not in known[owner]:
                missing.add(f"{owner}.{node.attr}")
    return sorted(missing)


def _dotted(value: ast.AST) -> str | None:
    """``name`` or ``module.name``: how a support class is spelled in the logic."""
    if isinstance(value, ast.Name):
        return value.id
    if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name):
        return f"{value.value.id}.{value.attr}"
    return None


def _constructed(value: ast.AST, checked: dict[str, str]) -> str | None:
    if isinstance(value, ast.Call):
        spelled = _dotted(value.func)
        return checked.get(spelled) if spelled else None
    return None


def _instances(root: ast.AST, checked: dict[str, str]) -> dict[str, str]:
    """Names assigned an instance of a checked class in this function (``hook = PostgresHook(...)``)."""
    found: dict[str, str] = {}
    for node in ast.walk(root):
        if isinstance(node, ast.Assign):
            cls = _constructed(node.value, checked)
            if cls:
                found.update({t.id: cls for t in node.targets if isinstance(t, ast.Name)})
        elif isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
            cls = _constructed(node.value, checked)
            if cls:
                found[node.target.id] = cls
        elif isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
            cls = _constructed(node.context_expr, checked)
            if cls:
                found[node.optional_vars.id] = cls
    return found


def _class_of(value: ast.AST, checked: dict[str, str], instances: dict[str, str]) -> str | None:
    if isinstance(value, ast.Name):
        return checked.get(value.id) or instances.get(value.id)
    if isinstance(value, ast.Attribute):
        spelled = _dotted(value)
        return checked.get(spelled) if spelled else None
    return _constructed(value, checked)
