"""Sensors: waiting becomes polling inside an asset, or a dependency between assets."""

from __future__ import annotations

from converters.inventory.operators import canonical
from converters.rules.base import NONE, REDESIGN, Code, Rule, TaskInput, Translation, Untranslatable
from converters.rules.connections import connect, literal_conn_id
from converters.rules.python import translate_callable

SENSOR_ARGS = {"mode", "poke_interval", "timeout", "soft_fail", "exponential_backoff", "max_wait", "deferrable"}


def _poll(task: TaskInput, t: Translation, check: str, what: str) -> None:
    poke = task.args.get("poke_interval", 60)
    timeout = task.args.get("timeout", 60 * 60 * 24 * 7)
    poke = poke if isinstance(poke, (int, float)) else 60
    timeout = timeout if isinstance(timeout, (int, float)) else 60 * 60 * 24 * 7
    t.support.add("wait_until")
    t.consumed |= SENSOR_ARGS
    t.notes.append("the sensor polls inside a running step (reschedule mode and slot release are not reproduced)")
    t.body.append(f"return wait_until({check}, poke_interval={poke!r}, timeout={timeout!r}, what={what!r})")


class PythonSensorRule(Rule):
    """What it does: polls the sensor's callable inside the asset until it returns a truthy value.

    Why: the condition is the task, but the waiting changes: the step holds its run while polling (no
    reschedule mode), and a Dagster sensor or an automation condition may be the better design (REDESIGN).

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.sensors.python import PythonSensor


    def landed(ds, **kwargs):
        return True


    with DAG("waits", schedule=None, start_date=datetime(2024, 1, 1)):
        PythonSensor(task_id="wait", python_callable=landed, poke_interval=30, timeout=600)
    ```

    Becomes:
    ```python
    # waits.py:12 · task wait · rule sensors.python · REDESIGN
    # note: the sensor polls inside a running step (reschedule mode and slot release are not reproduced)
    @task_asset(
        DAG,
        "wait",
        key=["waits", "wait"],
        group_name="waits",
        kinds={"sensor"},
        metadata={
            "airflow/source": "waits.py:12",
            "airflow/task_id": "wait",
            "airflow/operator": "airflow.sensors.python.PythonSensor",
            "airflow/rule": "sensors.python",
            "airflow/disposition": "REDESIGN",
            "airflow/reason": "polls the condition inside the step",
            "airflow/notes": [
                "the sensor polls inside a running step (reschedule mode and slot release are not reproduced)"
            ],
        },
    )
    def wait(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "wait")
        logic = load_logic("waits")
        return wait_until(
            lambda: call_python(logic.landed, airflow, dag=DAG), poke_interval=30, timeout=600, what="wait to be true"
        )
    ```
    """

    name = "sensors.python"
    operators = canonical("PythonSensor")
    disposition = REDESIGN
    emits = "an asset polling the copied callable (poke_interval, timeout kept)"

    def translate(self, task: TaskInput) -> Translation:
        t = translate_callable(task, REDESIGN, "polls the condition inside the step")
        if t.disposition == NONE:
            return t
        call = t.body.pop().removeprefix("return ")
        _poll(task, t, f"lambda: {call}", f"{task.task.task_id} to be true")
        t.kinds = ("sensor",)
        return t


class FileSensorRule(Rule):
    """What it does: polls for the file (a glob) under the connection's base path inside the asset.

    Why: the file's arrival is the condition. The base path comes from ``AIRFLOW_CONN_<FS_CONN_ID>``
    (``extra.path``), the file path is rendered like Airflow renders it, and the step waits (REDESIGN).

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.sensors.filesystem import FileSensor

    with DAG("files", schedule="@daily", start_date=datetime(2024, 1, 1)):
        FileSensor(task_id="wait_for_file", fs_conn_id="landing", filepath="{{ ds }}/data.csv", poke_interval=30)
    ```

    Becomes:
    ```python
    # files.py:7 · task wait_for_file · rule sensors.file · REDESIGN
    # note: the sensor polls inside a running step (reschedule mode and slot release are not reproduced)
    @task_asset(
        DAG,
        "wait_for_file",
        key=["files", "wait_for_file"],
        group_name="files",
        kinds={"sensor"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "files.py:7",
            "airflow/task_id": "wait_for_file",
            "airflow/operator": "airflow.sensors.filesystem.FileSensor",
            "airflow/rule": "sensors.file",
            "airflow/disposition": "REDESIGN",
            "airflow/reason": "polls for the file inside the step",
            "airflow/notes": [
                "the sensor polls inside a running step (reschedule mode and slot release are not reproduced)"
            ],
        },
    )
    def wait_for_file(context: dg.AssetExecutionContext, fs_landing: AirflowConnection):
        airflow = task_context(context, DAG, "wait_for_file")
        path = render("{{ ds }}/data.csv", airflow, DAG)
        return wait_until(
            lambda: files_matching(fs_landing.connection(), path), poke_interval=30, timeout=604800, what="the file"
        )
    ```
    """

    name = "sensors.file"
    operators = canonical("FileSensor")
    disposition = REDESIGN
    emits = "an asset polling for the rendered path under the connection's base path"

    def translate(self, task: TaskInput) -> Translation:
        conn_id = literal_conn_id(task, "fs_conn_id", default="fs_default")
        filepath = task.args.get("filepath")
        # Without a literal connection id and file path we can't know which file to wait for.
        if conn_id is None or filepath is None:
            return Translation(NONE, "the connection id or the file path is not a literal")
        t = Translation(REDESIGN, "polls for the file inside the step", kinds=("sensor",))
        resource, code = connect(t, conn_id, "AirflowConnection", "fs")
        t.support.add("files_matching")
        try:
            path = f"render({code.value(filepath)}, airflow, DAG)"
        except Untranslatable as exc:
            # If the file path can't be written as code, the asset can't poll for the same file.
            return Translation(NONE, f"the file path {exc}")
        t.consumed |= {"fs_conn_id", "filepath", "recursive"}
        t.body.append(f"path = {path}")
        _poll(task, t, f"lambda: files_matching({resource.name}.connection(), path)", "the file")
        return t


class ExternalTask(Rule):
    """What it does: replaces an ExternalTaskSensor by a dependency on the other DAG's asset.

    Why: the sensor waits for another DAG's task of the same logical date. In Dagster that is lineage: the
    downstream assets depend on that task's asset (partitions line up by time window). Waiting across
    schedules and ``execution_delta`` offsets are not reproduced (REDESIGN).

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.sensors.external_task import ExternalTaskSensor

    with DAG("downstream", schedule="@daily", start_date=datetime(2024, 1, 1)):
        ExternalTaskSensor(task_id="wait", external_dag_id="upstream", external_task_id="load")
    ```

    Becomes:
    ```python
    # downstream.py:7 · task wait · rule sensors.external_task · REDESIGN · no asset: its dependencies pass through
    ```
    """

    name = "sensors.external_task"
    operators = canonical("ExternalTaskSensor")
    disposition = REDESIGN
    emits = "no asset: downstream assets depend on the external task's asset"

    def translate(self, task: TaskInput) -> Translation:
        dag_id = task.args.get("external_dag_id")
        # If the external DAG id isn't a literal, we can't know whose assets to depend on.
        if not isinstance(dag_id, str):
            return Translation(NONE, "the external DAG id is not a literal")
        ids = task.args.get("external_task_ids") or [task.args.get("external_task_id")]
        # If external_task_ids isn't a literal list, we can't know which assets to depend on.
        if not isinstance(ids, (list, tuple)):
            return Translation(NONE, "external_task_ids is not a literal list")
        # If an external task id isn't a literal, we can't know which asset to depend on.
        if not all(i is None or isinstance(i, str) for i in ids):
            return Translation(NONE, "the external task id is not a literal")
        t = Translation(REDESIGN, f"a dependency on {dag_id}'s asset replaces the wait", passthrough=True)
        t.extra_deps.extend((dag_id, task_id) for task_id in ids)
        t.consumed |= SENSOR_ARGS | {"external_dag_id", "external_task_id", "external_task_ids", "allowed_states"}
        t.consumed |= {"failed_states", "check_existence"}
        if "execution_delta" in task.args or "execution_date_fn" in task.args:
            t.notes.append("execution_delta/execution_date_fn: partition offsets need a partition mapping by hand")
        return t


class HttpSensorRule(Rule):
    """What it does: polls the endpoint inside the asset until it answers (and ``response_check`` passes).

    Why: the endpoint's readiness is the condition. The request goes through ``HttpConnection`` (base URL and
    credentials from ``AIRFLOW_CONN_<HTTP_CONN_ID>``); an HTTP error means "not yet", as in Airflow. The step
    waits while polling (REDESIGN).

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.http.sensors.http import HttpSensor

    with DAG("ready", schedule=None, start_date=datetime(2024, 1, 1)):
        HttpSensor(task_id="api_ready", http_conn_id="crm", endpoint="health", poke_interval=20, timeout=300)
    ```

    Becomes:
    ```python
    # ready.py:7 · task api_ready · rule sensors.http · REDESIGN
    # note: the sensor polls inside a running step (reschedule mode and slot release are not reproduced)
    @task_asset(
        DAG,
        "api_ready",
        key=["ready", "api_ready"],
        group_name="ready",
        kinds={"sensor"},
        metadata={
            "airflow/source": "ready.py:7",
            "airflow/task_id": "api_ready",
            "airflow/operator": "airflow.providers.http.sensors.http.HttpSensor",
            "airflow/rule": "sensors.http",
            "airflow/disposition": "REDESIGN",
            "airflow/reason": "polls the endpoint inside the step",
            "airflow/notes": [
                "the sensor polls inside a running step (reschedule mode and slot release are not reproduced)"
            ],
        },
    )
    def api_ready(context: dg.AssetExecutionContext, http_crm: HttpConnection):
        airflow = task_context(context, DAG, "api_ready")
        return wait_until(
            lambda: http_ready(http_crm, "GET", render("health", airflow, DAG, template_ext=()), check=None),
            poke_interval=20,
            timeout=300,
            what="the endpoint",
        )
    ```
    """

    name = "sensors.http"
    operators = canonical("HttpSensor")
    disposition = REDESIGN
    emits = "an asset polling the rendered request until it succeeds"

    def translate(self, task: TaskInput) -> Translation:
        conn_id = literal_conn_id(task, "http_conn_id", default="http_default")
        # Without a literal connection id we can't know which endpoint to poll.
        if conn_id is None:
            return Translation(NONE, "the connection id is not a literal")
        t = Translation(REDESIGN, "polls the endpoint inside the step", kinds=("sensor",))
        resource, code = connect(t, conn_id, "HttpConnection", "http")
        t.support.add("http_ready")
        try:
            request = [
                code.value(task.args.get("method", "GET")),
                f"render({code.value(task.args.get('endpoint', ''))}, airflow, DAG, template_ext=())",
            ]
            if task.args.get("request_params") is not None:
                request.append(f"data=render({code.value(task.args['request_params'])}, airflow, DAG)")
            if task.args.get("headers"):
                request.append(f"headers=render({code.value(task.args['headers'])}, airflow, DAG)")
            check = task.args.get("response_check")
            check_code = code.value(check) if check is not None else "None"
        except Untranslatable as exc:
            # If a request argument can't be written as code, the asset can't poll with the same request.
            return Translation(NONE, f"a request argument {exc}")
        t.consumed |= {"http_conn_id", "endpoint", "method", "request_params", "headers", "response_check"}
        call = f"lambda: http_ready({resource.name}, {', '.join(request)}, check={check_code})"
        _poll(task, t, call, "the endpoint")
        return t


class S3KeySensorRule(Rule):
    """What it does: polls S3 inside the asset until the key (or a key matching the wildcard) exists.

    Why: the object's arrival is the condition. The check uses boto3 with the Dagster host's AWS credentials
    (the ``aws_conn_id`` is not read), and the step waits while polling (REDESIGN).

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

    with DAG("drops", schedule="@daily", start_date=datetime(2024, 1, 1)):
        S3KeySensor(task_id="wait_for_drop", bucket_name="landing", bucket_key="in/{{ ds }}/*.csv", wildcard_match=True)
    ```

    Becomes:
    ```python
    # drops.py:7 · task wait_for_drop · rule sensors.s3_key · REDESIGN
    # note: AWS credentials come from the Dagster host (aws_conn_id is not read)
    # note: the sensor polls inside a running step (reschedule mode and slot release are not reproduced)
    @task_asset(
        DAG,
        "wait_for_drop",
        key=["drops", "wait_for_drop"],
        group_name="drops",
        kinds={"sensor", "s3"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "drops.py:7",
            "airflow/task_id": "wait_for_drop",
            "airflow/operator": "airflow.providers.amazon.aws.sensors.s3.S3KeySensor",
            "airflow/rule": "sensors.s3_key",
            "airflow/disposition": "REDESIGN",
            "airflow/reason": "polls S3 inside the step",
            "airflow/notes": [
                "AWS credentials come from the Dagster host (aws_conn_id is not read)",
                "the sensor polls inside a running step (reschedule mode and slot release are not reproduced)",
            ],
        },
    )
    def wait_for_drop(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "wait_for_drop")
        keys = render("in/{{ ds }}/*.csv", airflow, DAG, template_ext=())
        return wait_until(
            lambda: s3_keys_exist("landing", keys, wildcard=True), poke_interval=60, timeout=604800, what="the S3 key"
        )
    ```
    """

    name = "sensors.s3_key"
    operators = canonical("S3KeySensor")
    disposition = REDESIGN
    emits = "an asset polling S3 (boto3, the host's AWS credentials) for the rendered key"

    def translate(self, task: TaskInput) -> Translation:
        key = task.args.get("bucket_key")
        # Without a bucket key there is no object to wait for.
        if key is None:
            return Translation(NONE, "the bucket key is not a literal")
        t = Translation(REDESIGN, "polls S3 inside the step", kinds=("sensor", "s3"))
        t.notes.append("AWS credentials come from the Dagster host (aws_conn_id is not read)")
        code = Code(t)
        t.support |= {"render", "s3_keys_exist"}
        try:
            keys = f"render({code.value(key)}, airflow, DAG, template_ext=())"
            bucket = code.value(task.args.get("bucket_name"))
        except Untranslatable as exc:
            # If the S3 location can't be written as code, the asset can't poll for the same object.
            return Translation(NONE, f"the S3 location {exc}")
        wildcard = task.args.get("wildcard_match") is True
        t.consumed |= {"bucket_key", "bucket_name", "wildcard_match", "aws_conn_id", "verify", "use_regex"}
        t.body.append(f"keys = {keys}")
        _poll(task, t, f"lambda: s3_keys_exist({bucket}, keys, wildcard={wildcard!r})", "the S3 key")
        return t


ORDER = 90
RULES = [PythonSensorRule, FileSensorRule, ExternalTask, HttpSensorRule, S3KeySensorRule]
