"""Alerting tasks: EmailOperator and Slack webhooks send the same message from an asset (REDESIGN)."""

from __future__ import annotations

from converters.inventory.operators import canonical
from converters.rules.base import NONE, REDESIGN, Rule, TaskInput, Translation, Untranslatable
from converters.rules.connections import connect, literal_conn_id

NOTE = "a notification task: in Dagster alerts usually come from run-status sensors; it is kept as an asset"


class Email(Rule):
    """What it does: sends the EmailOperator's message from an asset through the SMTP connection.

    Why: the message is the task, but a notification is a reaction to runs rather than data; Dagster's idiom is a
    run-status sensor (the generated failure sensor does that for ``on_failure_callback``). The asset keeps the
    behaviour while that redesign is decided (REDESIGN). The SMTP server comes from ``AIRFLOW_CONN_<CONN_ID>``.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.operators.email import EmailOperator

    with DAG("notify", schedule=None, start_date=datetime(2024, 1, 1)):
        EmailOperator(task_id="mail", to="team@example.com", subject="done {{ ds }}", html_content="ok")
    ```

    Becomes:
    ```python
    # notify.py:7 · task mail · rule alerting.email · REDESIGN
    # note: a notification task: in Dagster alerts usually come from run-status sensors; it is kept as an asset
    @task_asset(
        DAG,
        "mail",
        key=["notify", "mail"],
        group_name="notify",
        kinds={"email"},
        metadata={
            "airflow/source": "notify.py:7",
            "airflow/task_id": "mail",
            "airflow/operator": "airflow.operators.email.EmailOperator",
            "airflow/rule": "alerting.email",
            "airflow/disposition": "REDESIGN",
            "airflow/reason": "the same message is sent from an asset",
            "airflow/notes": [
                "a notification task: in Dagster alerts usually come from run-status sensors; it is kept as an asset"
            ],
        },
    )
    def mail(context: dg.AssetExecutionContext, smtp_smtp_default: SmtpConnection):
        airflow = task_context(context, DAG, "mail")
        smtp_smtp_default.send(
            render("team@example.com", airflow, DAG, template_ext=()),
            render("done {{ ds }}", airflow, DAG, template_ext=()),
            render("ok", airflow, DAG),
        )
    ```
    """

    name = "alerting.email"
    operators = canonical("EmailOperator")
    families = ("alerting",)
    disposition = REDESIGN
    emits = "an asset sending the rendered message through the SMTP connection (a sensor is the redesign)"

    def translate(self, task: TaskInput) -> Translation:
        # Other notification operators reach this rule by their family; only EmailOperator has a translation.
        if task.task.operator != self.operators[0]:
            return Translation(NONE, "a notification operator without a rule: it stays in Airflow")
        conn_id = literal_conn_id(task, "conn_id", default="smtp_default")
        # Without literal recipients and connection id we can't know whom the message goes to, or through what.
        if conn_id is None or task.args.get("to") is None:
            return Translation(NONE, "the recipients or the connection id are not literals")
        t = Translation(REDESIGN, "the same message is sent from an asset", kinds=("email",))
        t.notes.append(NOTE)
        resource, code = connect(t, conn_id, "SmtpConnection", "smtp")
        try:
            parts = [f"render({code.value(task.args['to'])}, airflow, DAG, template_ext=())"]
            parts.append(f"render({code.value(task.args.get('subject', ''))}, airflow, DAG, template_ext=())")
            parts.append(f"render({code.value(task.args.get('html_content', ''))}, airflow, DAG)")
            for key in ("cc", "bcc"):
                if task.args.get(key):
                    parts.append(f"{key}=render({code.value(task.args[key])}, airflow, DAG, template_ext=())")
        except Untranslatable as exc:
            # If a message argument can't be written as code, the asset can't send the same message.
            return Translation(NONE, f"a message argument {exc}")
        t.consumed |= {"to", "subject", "html_content", "cc", "bcc", "conn_id", "mime_charset"}
        t.body.append(f"{resource.name}.send({', '.join(parts)})")
        return t


class SlackWebhook(Rule):
    """What it does: posts the SlackWebhookOperator's message from an asset to the webhook of its connection.

    Why: as for email, the notification is kept as an asset while its redesign as a run-status sensor is
    decided (REDESIGN). The webhook URL comes from ``AIRFLOW_CONN_<SLACK_WEBHOOK_CONN_ID>``, never from code.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator

    with DAG("chat", schedule=None, start_date=datetime(2024, 1, 1)):
        SlackWebhookOperator(task_id="post", slack_webhook_conn_id="team_hook", message="loaded {{ ds }}")
    ```

    Becomes:
    ```python
    # chat.py:7 · task post · rule alerting.slack_webhook · REDESIGN
    # note: a notification task: in Dagster alerts usually come from run-status sensors; it is kept as an asset
    @task_asset(
        DAG,
        "post",
        key=["chat", "post"],
        group_name="chat",
        kinds={"slack"},
        metadata={
            "airflow/source": "chat.py:7",
            "airflow/task_id": "post",
            "airflow/operator": "airflow.providers.slack.operators.slack_webhook.SlackWebhookOperator",
            "airflow/rule": "alerting.slack_webhook",
            "airflow/disposition": "REDESIGN",
            "airflow/reason": "the same message is posted from an asset",
            "airflow/notes": [
                "a notification task: in Dagster alerts usually come from run-status sensors; it is kept as an asset"
            ],
        },
    )
    def post(context: dg.AssetExecutionContext, slack_team_hook: SlackWebhookConnection):
        airflow = task_context(context, DAG, "post")
        slack_team_hook.post(render({"text": "loaded {{ ds }}"}, airflow, DAG, template_ext=()))
    ```
    """

    name = "alerting.slack_webhook"
    operators = canonical("SlackWebhookOperator")
    disposition = REDESIGN
    emits = "an asset posting the rendered message to the connection's webhook (a sensor is the redesign)"

    def translate(self, task: TaskInput) -> Translation:
        conn_id = literal_conn_id(task, "slack_webhook_conn_id", "http_conn_id", default="slack_default")
        # Without a literal connection id we can't know which webhook to post to.
        if conn_id is None:
            return Translation(NONE, "the webhook connection id is not a literal")
        t = Translation(REDESIGN, "the same message is posted from an asset", kinds=("slack",))
        t.notes.append(NOTE)
        resource, code = connect(t, conn_id, "SlackWebhookConnection", "slack")
        payload = {k: task.args[k] for k in ("text", "blocks", "attachments", "channel", "username") if k in task.args}
        if "message" in task.args:
            payload["text"] = task.args["message"]
        try:
            body = code.value(payload)
        except Untranslatable as exc:
            # If the payload can't be written as code, the asset can't post the same message.
            return Translation(NONE, f"the message {exc}")
        t.consumed |= {"slack_webhook_conn_id", "http_conn_id", "message", "text", "blocks", "attachments"}
        t.consumed |= {"channel", "username"}
        t.body.append(f"{resource.name}.post(render({body}, airflow, DAG, template_ext=()))")
        return t


ORDER = 80
RULES = [Email, SlackWebhook]
