"""Slack's Web API: SlackAPIPostOperator (``chat.postMessage``) and SlackAPIFileOperator (``files.upload``)."""

from __future__ import annotations

from converters.inventory.operators import canonical
from converters.rules.alerting import NOTE
from converters.rules.base import JUDG, NONE, REDESIGN, Code, Rule, TaskInput, Translation, Untranslatable

# SlackAPIPostOperator's defaults: Airflow posts these when the task does not set them.
POST_DEFAULTS = {
    "channel": "#general",
    "username": "Airflow",
    "text": "No message has been set.\nHere is a cat video instead\nhttps://www.youtube.com/watch?v=J---aiyznGQ",
    "icon_url": "https://raw.githubusercontent.com/apache/airflow/main/airflow/www/static/pin_100.png",
}


def _credentials(task: TaskInput, code: Code) -> tuple[str, str] | None:
    """The connection id as code and the ``, token=...`` argument (the old operators' ``token``, as code); None when
    ``slack_conn_id`` is not a literal."""
    conn_id = task.args.get("slack_conn_id", "slack_api_default")
    if not isinstance(conn_id, str):
        return None
    token = f", token={code.value(task.args['token'])}" if task.args.get("token") is not None else ""
    return code.value(conn_id), token


class SlackApiPost(Rule):
    """What it does: posts the rendered message with Slack's ``chat.postMessage``, the token (the connection's
    password) and base URL (its extra ``base_url``, else Slack's) from ``AIRFLOW_CONN_<SLACK_CONN_ID>``.

    Why: as for webhooks, the notification is kept as an asset while its redesign as a run-status sensor is
    decided (REDESIGN). Channel, username, text, icon, blocks and attachments are rendered and sent as
    SlackAPIPostOperator sends them (its defaults included); Slack's answer without ``ok`` fails the step.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.slack.operators.slack import SlackAPIPostOperator

    with DAG("chat", schedule="@daily", start_date=datetime(2024, 1, 1)):
        SlackAPIPostOperator(task_id="post", slack_conn_id="slack_bot", channel="#data", text="loaded {{ ds }}")
    ```

    Becomes:
    ```python
    # chat.py:7 · task post · rule slack.api_post · REDESIGN
    # note: a notification task: in Dagster alerts usually come from run-status sensors; it is kept as an asset
    @task_asset(
        DAG,
        "post",
        key=["chat", "post"],
        group_name="chat",
        kinds={"slack"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "chat.py:7",
            "airflow/task_id": "post",
            "airflow/operator": "airflow.providers.slack.operators.slack.SlackAPIPostOperator",
            "airflow/rule": "slack.api_post",
            "airflow/disposition": "REDESIGN",
            "airflow/reason": "the same message is posted from an asset",
            "airflow/notes": [
                "a notification task: in Dagster alerts usually come from run-status sensors; it is kept as an asset"
            ],
        },
    )
    def post(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "post")
        return slack_api(
            "slack_bot",
            "chat.postMessage",
            render(
                {
                    "channel": "#data",
                    "username": "Airflow",
                    "text": "loaded {{ ds }}",
                    "icon_url": "https://raw.githubusercontent.com/apache/airflow/main/airflow/www/static/pin_100.png",
                },
                airflow,
                DAG,
                template_ext=(),
            ),
        )
    ```
    """

    name = "slack.api_post"
    operators = canonical("SlackAPIPostOperator")
    disposition = REDESIGN
    emits = "an asset posting the rendered message with chat.postMessage (a sensor is the redesign)"

    def translate(self, task: TaskInput) -> Translation:
        t = Translation(REDESIGN, "the same message is posted from an asset", kinds=("slack",))
        t.notes.append(NOTE)
        code = Code(t)
        try:
            credentials = _credentials(task, code)
            payload = {k: task.args.get(k, default) for k, default in POST_DEFAULTS.items()}
            payload |= {k: task.args[k] for k in ("blocks", "attachments") if task.args.get(k) is not None}
            body = code.value(payload)
        except Untranslatable as exc:
            # If the message or the token can't be written as code, the asset can't post the same message.
            return Translation(NONE, f"the Slack message {exc}")
        # Without a literal connection id we can't know which workspace the message goes to.
        if credentials is None:
            return Translation(NONE, "the Slack connection id is not a literal")
        t.support.add("render")
        t.imports.add("from ..support.providers import slack_api")
        conn, token = credentials
        rendered = f"render({body}, airflow, DAG, template_ext=())"
        t.body.append(f'return slack_api({conn}, "chat.postMessage", {rendered}{token})')
        t.consumed |= {"slack_conn_id", "token", *POST_DEFAULTS, "blocks", "attachments"}
        return t


class SlackApiFile(Rule):
    """What it does: uploads the rendered file (or content) to the rendered channels with Slack's ``files.upload``,
    through the connection of ``AIRFLOW_CONN_<SLACK_CONN_ID>``.

    Why: the upload is the task, but two things change (JUDG): the file is read on the Dagster host, and the upload
    uses ``files.upload`` in one call, where recent providers default to Slack's two-step v2 upload
    (``method_version``).

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.slack.operators.slack import SlackAPIFileOperator

    with DAG("chat", schedule="@daily", start_date=datetime(2024, 1, 1)):
        SlackAPIFileOperator(
            task_id="share_report",
            slack_conn_id="slack_bot",
            channels="#data",
            initial_comment="report for {{ ds }}",
            filename="/data/reports/{{ ds }}.csv",
            filetype="csv",
        )
    ```

    Becomes:
    ```python
    # chat.py:7 · task share_report · rule slack.api_file · JUDG
    # note: uploads with files.upload in one call (method_version is not reproduced)
    @task_asset(
        DAG,
        "share_report",
        key=["chat", "share_report"],
        group_name="chat",
        kinds={"slack"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "chat.py:7",
            "airflow/task_id": "share_report",
            "airflow/operator": "airflow.providers.slack.operators.slack.SlackAPIFileOperator",
            "airflow/rule": "slack.api_file",
            "airflow/disposition": "JUDG",
            "airflow/reason": "the file is read on the Dagster host and uploaded with files.upload",
            "airflow/notes": ["uploads with files.upload in one call (method_version is not reproduced)"],
        },
    )
    def share_report(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "share_report")
        return slack_api(
            "slack_bot",
            "files.upload",
            render(
                {"channels": "#data", "initial_comment": "report for {{ ds }}", "filetype": "csv"},
                airflow,
                DAG,
                template_ext=(),
            ),
            files=slack_file(render("/data/reports/{{ ds }}.csv", airflow, DAG, template_ext=())),
        )
    ```
    """

    name = "slack.api_file"
    operators = canonical("SlackAPIFileOperator")
    disposition = JUDG
    emits = "an asset uploading the rendered file or content with files.upload"

    def translate(self, task: TaskInput) -> Translation:
        t = Translation(JUDG, "the file is read on the Dagster host and uploaded with files.upload", kinds=("slack",))
        t.notes.append("uploads with files.upload in one call (method_version is not reproduced)")
        code = Code(t)
        channels = task.args.get("channels", task.args.get("channel"))
        fields = {"channels": channels, "initial_comment": task.args.get("initial_comment")}
        fields |= {k: task.args.get(k) for k in ("filetype", "title", "content", "snippet_type")}
        try:
            credentials = _credentials(task, code)
            payload = code.value({k: v for k, v in fields.items() if v is not None})
            filename = task.args.get("filename")
            file_code = f"render({code.value(filename)}, airflow, DAG, template_ext=())" if filename else None
        except Untranslatable as exc:
            # If the upload's fields can't be written as code, the asset can't upload the same file.
            return Translation(NONE, f"the Slack upload {exc}")
        # Without a literal connection id we can't know which workspace the file goes to.
        if credentials is None:
            return Translation(NONE, "the Slack connection id of the upload is not a literal")
        t.support.add("render")
        t.imports.add("from ..support.providers import slack_api" + (", slack_file" if file_code else ""))
        files = f", files=slack_file({file_code})" if file_code else ""
        conn, token = credentials
        t.body.append(
            f'return slack_api({conn}, "files.upload", render({payload}, airflow, DAG, template_ext=()){files}{token})'
        )
        t.consumed |= {"slack_conn_id", "token", "channels", "channel", "initial_comment", "filename", "filetype"}
        t.consumed |= {"content", "title", "snippet_type", "method_version", "display_on_failure"}
        return t


ORDER = 82
RULES = [SlackApiPost, SlackApiFile]
