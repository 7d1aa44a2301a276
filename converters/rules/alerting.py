"""Alerting tasks: EmailOperator and the Slack operators stay in Airflow."""

from __future__ import annotations

from converters.rules.base import NONE, Rule, TaskInput, Translation

_P = "airflow.providers"


class Alerting(Rule):
    """What it does: keeps an email or Slack task in Airflow and says how Dagster alerts instead.

    Why: a notification task is a reaction to the run, not data. In Dagster that is a run-status sensor
    (the generated run-failure sensor for ``on_failure_callback``) or an alerting integration; writing an
    asset that sends mail would hide the redesign. The task stays in Airflow until it is redesigned.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.operators.email import EmailOperator

    with DAG("notify", schedule=None, start_date=datetime(2024, 1, 1)):
        EmailOperator(task_id="mail", to="team@example.com", subject="done", html_content="ok")
    ```

    Becomes:
    ```python
    # notify.py:7 · task mail · rule alerting.redesign · NONE
    # not consumed: html_content, subject, to
    mail = dg.AssetSpec(
        key=["notify", "mail"],
        group_name="notify",
        description="Stays in Airflow: alerting is redesigned in Dagster as a run-status sensor; this task stays in Airflow until then",
        kinds={"airflow"},
        metadata={
            "airflow/source": "notify.py:7",
            "airflow/task_id": "mail",
            "airflow/operator": "airflow.operators.email.EmailOperator",
            "airflow/rule": "alerting.redesign",
            "airflow/disposition": "NONE",
            "airflow/reason": "alerting is redesigned in Dagster as a run-status sensor; this task stays in Airflow until then",
            "airflow/unconsumed": ["html_content", "subject", "to"],
        },
    )
    ```
    """

    name = "alerting.redesign"
    operators = (
        "airflow.operators.email.EmailOperator",
        f"{_P}.slack.operators.slack_webhook.SlackWebhookOperator",
        f"{_P}.slack.operators.slack.SlackAPIPostOperator",
    )
    families = ("alerting",)
    disposition = NONE
    emits = "an observation-only AssetSpec; alerting is redesigned as run-status sensors"

    def translate(self, task: TaskInput) -> Translation:
        return Translation(
            NONE, "alerting is redesigned in Dagster as a run-status sensor; this task stays in Airflow until then"
        )


RULES = [Alerting]
