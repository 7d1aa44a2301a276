"""The methods a hook offers are declared once, by its class in support/hooks.py; the plan reads them from source.

``rules/hooks.py`` reads the support classes without importing them (the support package is above the rules'
layer). These tests import them and check that reading agrees with Python's own view of each class, and that
every Airflow path in ``HOOKS`` names a class that exists there.
"""

from __future__ import annotations

import inspect

import pytest

from converters.codegen.support import hooks as support_hooks
from converters.codegen.support import templates
from converters.rules.hooks import HOOKS, support_members, unsupported_uses

CLASSES = sorted(n for n in set(HOOKS.values()) if inspect.isclass(getattr(support_hooks, n)))


def public(cls: type) -> set[str]:
    names = {n for n in dir(cls) if not n.startswith("_")}
    return names - {n for n in dir(object)}


@pytest.mark.parametrize("name", CLASSES)
def test_the_plans_view_of_each_hook_is_the_class_itself(name):
    cls = getattr(support_hooks, name)
    assert inspect.isclass(cls) and name in support_hooks.__all__
    members = support_members()[name]
    assert public(cls) <= members, "a class attribute the plan does not see"
    instance_only = members - public(cls)
    # What the reader adds beyond dir(class) are attributes set on instances (self.x = ...) and the conn id.
    assert all(not callable(getattr(cls, n, None)) for n in instance_only)


def test_variable_offers_get_only():
    assert support_members()["Variable"] == {n for n in public(templates.Variable)} == {"get"}


def test_every_hook_path_is_an_airflow_path_of_a_class_of_that_name_or_its_alias():
    for path, name in HOOKS.items():
        assert path.startswith("airflow.") and name in support_hooks.__all__
        value = getattr(support_hooks, name)
        # a class, a function, or one of Airflow's plain values (XCOM_RETURN_KEY, settings.TIMEZONE)
        assert name in support_members() or inspect.isfunction(value) or not callable(value)
        # Airflow's older class names, and timezone.datetime (support/hooks.py imports datetime itself)
        aliases = {"SQSHook", "AwsSnsHook", "AwsHook", "Connection"}
        assert path.rsplit(".", 1)[1] in {name, *aliases} or (path, name) == (
            "airflow.utils.timezone.datetime",
            "timezone_datetime",
        )


def test_conf_is_declared_by_its_class_and_send_email_is_a_function():
    assert support_members()["conf"] == support_members()["AirflowConfigParser"] == public(type(support_hooks.conf))
    assert "send_email" not in support_members()  # a function: nothing on it to check
    assert {"get", "get_connection_from_secrets", "host", "extra_dejson", "get_uri"} <= support_members()[
        "Connection"
    ]  # the connection's own members come from templates.Connection, its base


def test_uses_are_found_on_the_class_on_instances_and_in_helpers_the_callable_calls():
    logic = """
def helper(conn_id):
    with Hook(conn_id) as h:
        h.from_with()
    return Hook(conn_id).chained()


SHARED = Hook("x")


def task():
    SHARED.module_level()
    hook: Hook = Hook("x")
    hook.get_records("select 1")
    hook.annotated()
    Hook.klass()
    other = hook
    other.not_followed()
    return helper("x")


def unrelated():
    Hook("x").never_called()
"""
    found = unsupported_uses(logic, "task", {"Hook": "PostgresHook"})
    assert found == [
        "PostgresHook.annotated",
        "PostgresHook.chained",
        "PostgresHook.from_with",
        "PostgresHook.klass",
        "PostgresHook.module_level",
    ]
    assert unsupported_uses(logic, "shadows", {"Hook": "PostgresHook"}) == []


def test_a_method_the_plan_could_not_see_fails_with_its_name_at_run_time(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_X", "postgres://u:p@localhost:5432/db")
    hook = support_hooks.PostgresHook(postgres_conn_id="x")
    assert hook.postgres_conn_id == "x"
    with pytest.raises(AttributeError, match="PostgresHook.vacuum is Airflow's and has no equivalent"):
        hook.vacuum()
    assert hook.get_uri() == "postgresql://u:p@localhost:5432/db"
