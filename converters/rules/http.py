"""HTTP: SimpleHttpOperator / HttpOperator."""

from __future__ import annotations

from converters.inventory.operators import canonical
from converters.rules.base import JUDG, MECH, NONE, Rule, TaskInput, Translation, Untranslatable
from converters.rules.connections import connect, literal_conn_id


class Http(Rule):
    """What it does: sends the operator's request through ``HttpConnection`` and returns the response text.

    Why: the request is the task. Method, endpoint, data and headers are rendered like Airflow renders them;
    the base URL and credentials come from ``AIRFLOW_CONN_<HTTP_CONN_ID>``. A ``response_check`` callable is
    copied and called with the response (JUDG: it sees the response only, not Airflow's context).

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.http.operators.http import HttpOperator

    with DAG("api", schedule=None, start_date=datetime(2024, 1, 1)):
        HttpOperator(task_id="refresh", http_conn_id="crm", endpoint="refresh/{{ ds }}", method="POST")
    ```

    Becomes:
    ```python
    # api.py:7 · task refresh · rule http.request · MECH
    @task_asset(
        DAG,
        "refresh",
        key=["api", "refresh"],
        group_name="api",
        kinds={"http"},
        metadata={
            "airflow/source": "api.py:7",
            "airflow/task_id": "refresh",
            "airflow/operator": "airflow.providers.http.operators.http.HttpOperator",
            "airflow/rule": "http.request",
            "airflow/disposition": "MECH",
            "airflow/reason": "the same request is sent through the connection",
        },
    )
    def refresh(context: dg.AssetExecutionContext, http_crm: HttpConnection):
        airflow = task_context(context, DAG, "refresh")
        response = http_crm.request("POST", render("refresh/{{ ds }}", airflow, DAG))
        return response.text
    ```
    """

    name = "http.request"
    operators = canonical("HttpOperator")
    families = ("http",)
    emits = "an asset sending the rendered request through HttpConnection; the response text is the asset value"

    def translate(self, task: TaskInput) -> Translation:
        conn_id = literal_conn_id(task, "http_conn_id", default="http_default")
        # Without a literal connection id we can't know where the request goes.
        if conn_id is None:
            return Translation(NONE, "the connection id is not a literal")
        t = Translation(MECH, "the same request is sent through the connection", kinds=("http",))
        resource, code = connect(t, conn_id, "HttpConnection", "http")
        method = task.args.get("method", "POST")
        try:
            parts = [code.value(method), f"render({code.value(task.args.get('endpoint', ''))}, airflow, DAG)"]
            if task.args.get("data") is not None:
                parts.append(f"data=render({code.value(task.args['data'])}, airflow, DAG)")
            if task.args.get("headers"):
                parts.append(f"headers=render({code.value(task.args['headers'])}, airflow, DAG)")
            check = task.args.get("response_check")
            check_code = code.value(check) if check is not None else None
        except Untranslatable as exc:
            # If a request argument can't be written as code, the asset can't send the same request.
            return Translation(NONE, f"a request argument {exc}")
        t.consumed |= {"http_conn_id", "endpoint", "method", "data", "headers", "response_check", "log_response"}
        t.body.append(f"response = {resource.name}.request({', '.join(parts)})")
        if check_code:
            t.disposition = JUDG
            t.notes.append("response_check is called with the response only")
            t.body.append(f"if not {check_code}(response):")
            t.body.append('    raise dg.Failure("response_check returned a falsy value")')
        t.body.append("return response.text")
        return t


ORDER = 60
RULES = [Http]
