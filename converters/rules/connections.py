"""The opening every connection-based rule shares: a literal connection id, its resource, the code writer.

A rule reads the connection id with ``literal_conn_id`` (None when the task does not write it as a literal:
then the rule cannot know where the task runs, and says so in its own words), then ``connect`` adds the
resource configured from ``AIRFLOW_CONN_<CONN_ID>`` to its translation and gives the ``Code`` writer.
"""

from __future__ import annotations

from converters.inventory import ir
from converters.rules.base import Code, Resource, TaskInput, Translation, python_name


def literal_conn_id(task: TaskInput, *arguments: str, default: str | None = None) -> str | None:
    """The connection id in the first of ``arguments`` the task sets, else ``default``; None if not a literal."""
    value = next((task.args[argument] for argument in arguments if argument in task.args), default)
    return value if isinstance(value, str) else None


def connection_resource(conn_id: str, cls: str, prefix: str) -> Resource:
    """A resource configured from ``AIRFLOW_CONN_<CONN_ID>``, Airflow's own environment variable."""
    env = "AIRFLOW_CONN_" + conn_id.upper()
    name = f"{prefix}_{python_name(conn_id).lower()}"
    return Resource(name, cls, f'{cls}(conn_id="{conn_id}", value=dg.EnvVar("{env}"))', conn_id)


def connect(t: Translation, conn_id: str, cls: str, prefix: str) -> tuple[Resource, Code]:
    """The connection's resource joins ``t`` (its body renders templates); the writer of the body's values."""
    resource = connection_resource(conn_id, cls, prefix)
    t.resources.append(resource)
    t.support.add("render")
    return resource, Code(t)


def connect_at_run_time(t: Translation, conn_id: ir.CodeValue, cls: str) -> tuple[str, Code]:
    """A connection whose id is computed by code (``conn_id=Variable.get("db_conn")``): the expression giving the
    resource of class ``cls`` for the id that code returns when the asset runs (``AIRFLOW_CONN_<ID>`` read then)."""
    code = Code(t)
    t.support.add("render")
    t.imports.add("from ..support.resources import connection_named")
    return f'connection_named("{cls}", {code.value(conn_id)})', code
