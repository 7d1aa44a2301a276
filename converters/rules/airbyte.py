"""Airbyte: AirbyteTriggerSyncOperator and AirbyteJobSensor on Airbyte's config API."""

from __future__ import annotations

from converters.inventory.operators import canonical
from converters.rules.base import (
    JUDG,
    NONE,
    REDESIGN,
    Code,
    Rule,
    TaskInput,
    Translation,
    Untranslatable,
    template_xcoms,
)
from converters.rules.sensors import _poll

API_NOTE = "speaks Airbyte's config API (/api/v1/connections/sync, /api/v1/jobs/get), as providers before 4.0 do"


class AirbyteTriggerSync(Rule):
    """What it does: starts a sync of the Airbyte connection and waits for its job to succeed (unless
    ``asynchronous``); the job id is the asset value, as it is the operator's XCom.

    Why: the sync is the task. The Airbyte server and its credentials come from ``AIRFLOW_CONN_<AIRBYTE_CONN_ID>``
    (host, port, login/password), ``wait_seconds`` and ``timeout`` poll as the operator does (a job still running
    at the timeout is cancelled). JUDG: the calls are those of Airbyte's config API, which providers before 4.0
    use; newer providers go through Airbyte's public API, so check which one the server answers.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.airbyte.operators.airbyte import AirbyteTriggerSyncOperator

    with DAG("ingest", schedule="@daily", start_date=datetime(2024, 1, 1)):
        AirbyteTriggerSyncOperator(
            task_id="sync_crm", airbyte_conn_id="airbyte", connection_id="15bc3800-82e4-48c3-a32d-620661273f28"
        )
    ```

    Becomes:
    ```python
    # ingest.py:7 · task sync_crm · rule airbyte.trigger_sync · JUDG
    # note: speaks Airbyte's config API (/api/v1/connections/sync, /api/v1/jobs/get), as providers before 4.0 do
    @task_asset(
        DAG,
        "sync_crm",
        key=["ingest", "sync_crm"],
        group_name="ingest",
        kinds={"airbyte"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "ingest.py:7",
            "airflow/task_id": "sync_crm",
            "airflow/operator": "airflow.providers.airbyte.operators.airbyte.AirbyteTriggerSyncOperator",
            "airflow/rule": "airbyte.trigger_sync",
            "airflow/disposition": "JUDG",
            "airflow/reason": "the same sync is started on Airbyte's config API",
            "airflow/notes": [
                "speaks Airbyte's config API (/api/v1/connections/sync, /api/v1/jobs/get), as providers before 4.0 do"
            ],
        },
    )
    def sync_crm(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "sync_crm")
        return airbyte_sync(
            "airbyte",
            render("15bc3800-82e4-48c3-a32d-620661273f28", airflow, DAG, template_ext=()),
            asynchronous=False,
            api_version="v1",
            wait_seconds=3,
            timeout=3600,
        )
    ```
    """

    name = "airbyte.trigger_sync"
    operators = canonical("AirbyteTriggerSyncOperator")
    disposition = JUDG
    emits = "an asset starting the connection's sync on Airbyte and waiting for its job; the job id is its value"

    def translate(self, task: TaskInput) -> Translation:
        conn_id = task.args.get("airbyte_conn_id", "airbyte_default")
        connection_id = task.args.get("connection_id")
        # Without a literal Airbyte connection id and the connection to sync we can't know what to sync, or where.
        if not isinstance(conn_id, str) or connection_id is None:
            return Translation(NONE, "the Airbyte connection id or the connection to sync is not a literal")
        t = Translation(JUDG, "the same sync is started on Airbyte's config API", kinds=("airbyte",))
        t.notes.append(API_NOTE)
        code = Code(t)
        t.support.add("render")
        t.imports.add("from ..support.providers import airbyte_sync")
        try:
            options = [f"render({code.value(connection_id)}, airflow, DAG, template_ext=())"]
            defaults = {"asynchronous": False, "api_version": "v1", "wait_seconds": 3, "timeout": 3600}
            options += [f"{k}={code.value(task.args.get(k, default))}" for k, default in defaults.items()]
        except Untranslatable as exc:
            # If an argument can't be written as code, the asset can't start the same sync.
            return Translation(NONE, f"the Airbyte sync {exc}")
        t.body.append(f"return airbyte_sync({code.value(conn_id)}, {', '.join(options)})")
        t.consumed |= {"airbyte_conn_id", "connection_id", *defaults}
        return t


class AirbyteJobSensor(Rule):
    """What it does: polls the Airbyte job inside the asset until it succeeds; a failed or cancelled job fails it.

    Why: the job's completion is the condition (usually of a sync started with ``asynchronous=True``, whose job
    id the template pulls: that upstream asset's value). The step waits while polling (REDESIGN), on Airbyte's
    config API as the trigger rule.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.airbyte.operators.airbyte import AirbyteTriggerSyncOperator
    from airflow.providers.airbyte.sensors.airbyte import AirbyteJobSensor

    with DAG("ingest", schedule=None, start_date=datetime(2024, 1, 1)):
        sync = AirbyteTriggerSyncOperator(task_id="sync_crm", connection_id="15bc3800", asynchronous=True)
        wait = AirbyteJobSensor(
            task_id="wait_crm", airbyte_job_id="{{ ti.xcom_pull(task_ids='sync_crm') }}", poke_interval=30
        )
        sync >> wait
    ```

    Becomes:
    ```python
    # ingest.py:8 · task sync_crm · rule airbyte.trigger_sync · JUDG
    # note: speaks Airbyte's config API (/api/v1/connections/sync, /api/v1/jobs/get), as providers before 4.0 do
    @task_asset(
        DAG,
        "sync_crm",
        key=["ingest", "sync_crm"],
        group_name="ingest",
        kinds={"airbyte"},
        metadata={
            "airflow/source": "ingest.py:8",
            "airflow/task_id": "sync_crm",
            "airflow/operator": "airflow.providers.airbyte.operators.airbyte.AirbyteTriggerSyncOperator",
            "airflow/rule": "airbyte.trigger_sync",
            "airflow/disposition": "JUDG",
            "airflow/reason": "the same sync is started on Airbyte's config API",
            "airflow/notes": [
                "speaks Airbyte's config API (/api/v1/connections/sync, /api/v1/jobs/get), as providers before 4.0 do"
            ],
        },
    )
    def sync_crm(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "sync_crm")
        return airbyte_sync(
            "airbyte_default",
            render("15bc3800", airflow, DAG, template_ext=()),
            asynchronous=True,
            api_version="v1",
            wait_seconds=3,
            timeout=3600,
        )


    # ingest.py:9 · task wait_crm · rule airbyte.job_sensor · REDESIGN
    # note: speaks Airbyte's config API (/api/v1/connections/sync, /api/v1/jobs/get), as providers before 4.0 do
    # note: the sensor polls inside a running step (reschedule mode and slot release are not reproduced)
    @task_asset(
        DAG,
        "wait_crm",
        key=["ingest", "wait_crm"],
        group_name="ingest",
        ins={"sync_crm_value": dg.AssetIn(key=["ingest", "sync_crm"])},
        kinds={"sensor", "airbyte"},
        metadata={
            "airflow/source": "ingest.py:9",
            "airflow/task_id": "wait_crm",
            "airflow/operator": "airflow.providers.airbyte.sensors.airbyte.AirbyteJobSensor",
            "airflow/rule": "airbyte.job_sensor",
            "airflow/disposition": "REDESIGN",
            "airflow/reason": "polls the Airbyte job inside the step",
            "airflow/notes": [
                "speaks Airbyte's config API (/api/v1/connections/sync, /api/v1/jobs/get), as providers before 4.0 do",
                "the sensor polls inside a running step (reschedule mode and slot release are not reproduced)",
            ],
        },
    )
    def wait_crm(context: dg.AssetExecutionContext, sync_crm_value):
        airflow = task_context(context, DAG, "wait_crm", xcom_values={"sync_crm": sync_crm_value})
        job_id = render("{{ ti.xcom_pull(task_ids='sync_crm') }}", airflow, DAG, template_ext=())
        return wait_until(
            lambda: airbyte_job_done("airbyte_default", job_id, "v1"),
            poke_interval=30,
            timeout=604800,
            what="the Airbyte job",
        )
    ```
    """

    name = "airbyte.job_sensor"
    operators = canonical("AirbyteJobSensor")
    disposition = REDESIGN
    emits = "an asset polling the rendered Airbyte job until it succeeds"

    def translate(self, task: TaskInput) -> Translation:
        conn_id = task.args.get("airbyte_conn_id", "airbyte_default")
        job_id = task.args.get("airbyte_job_id")
        pulled = template_xcoms(job_id)
        # Without a literal connection id and a job id whose XCom pulls are literal we can't know which job to watch.
        if not isinstance(conn_id, str) or job_id is None or pulled is None:
            return Translation(NONE, "the Airbyte connection id or the job id is not a literal")
        t = Translation(REDESIGN, "polls the Airbyte job inside the step", kinds=("sensor", "airbyte"))
        t.notes.append(API_NOTE)
        t.inputs.extend(pulled)
        code = Code(t)
        t.support.add("render")
        t.imports.add("from ..support.providers import airbyte_job_done")
        try:
            job = f"render({code.value(job_id)}, airflow, DAG, template_ext=())"
            version = code.value(task.args.get("api_version", "v1"))
        except Untranslatable as exc:
            # If the job id can't be written as code, the asset can't watch the same job.
            return Translation(NONE, f"the Airbyte job {exc}")
        t.body.append(f"job_id = {job}")
        _poll(task, t, f"lambda: airbyte_job_done({code.value(conn_id)}, job_id, {version})", "the Airbyte job")
        t.consumed |= {"airbyte_conn_id", "airbyte_job_id", "api_version"}
        return t


ORDER = 77
RULES = [AirbyteTriggerSync, AirbyteJobSensor]
