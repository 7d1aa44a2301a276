"""Bash: BashOperator and ``@task.bash``."""

from __future__ import annotations

from converters.inventory.operators import canonical
from converters.rules.base import JUDG, MECH, NONE, Code, Rule, TaskInput, Translation, Untranslatable, template_xcoms
from converters.rules.python import translate_callable


class Bash(Rule):
    """What it does: runs a BashOperator's command in an asset, rendered like Airflow renders it.

    Why: the command is the task. ``run_bash`` renders the Jinja (``ds``, ``params``, ``conn``…), runs it with
    bash in a temporary directory with ``env``/``append_env`` as Airflow does, streams the output to the
    Dagster log, and returns the last line (Airflow's XCom value).

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.operators.bash import BashOperator

    with DAG("exports", schedule="0 3 * * *", start_date=datetime(2024, 1, 1)):
        BashOperator(task_id="export", bash_command="echo exporting {{ ds }}", env={"MODE": "full"})
    ```

    Becomes:
    ```python
    # exports.py:7 · task export · rule bash.command · MECH
    @task_asset(
        DAG,
        "export",
        key=["exports", "export"],
        group_name="exports",
        kinds={"bash"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "exports.py:7",
            "airflow/task_id": "export",
            "airflow/operator": "airflow.operators.bash.BashOperator",
            "airflow/rule": "bash.command",
            "airflow/disposition": "MECH",
            "airflow/reason": "the command runs with bash as the asset body",
        },
    )
    def export(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "export")
        return run_bash(context, airflow, "echo exporting {{ ds }}", env={"MODE": "full"}, dag=DAG)
    ```
    """

    name = "bash.command"
    operators = canonical("BashOperator")
    families = ("bash",)
    emits = "an asset running the rendered command with bash (env, append_env, cwd kept)"

    def translate(self, task: TaskInput) -> Translation:
        if task.task.taskflow:
            return self.translate_decorated(task)
        t = Translation(MECH, "the command runs with bash as the asset body", kinds=("bash",))
        code = Code(t)
        command = task.args.get("bash_command")
        # Without a command there is nothing to run.
        if command is None:
            return Translation(NONE, "bash_command is missing")
        try:
            parts = [f"run_bash(context, airflow, {code.value(command)}"]
            for key in ("env", "append_env", "cwd", "skip_on_exit_code"):
                if key in task.args:
                    parts.append(f"{key}={code.value(task.args[key])}")
        except Untranslatable as exc:
            # If an argument can't be written as code, the asset can't run the same command.
            return Translation(NONE, f"an argument of the command {exc}")
        pulled = template_xcoms(command)
        # Pulls from tasks named only at run time cannot become asset inputs.
        if pulled is None:
            return Translation(NONE, "the command template pulls XComs from tasks known only at run time")
        if pulled:
            t.disposition = JUDG
            t.notes.append("ti.xcom_pull in the template reads the upstream assets' values (" + ", ".join(pulled) + ")")
            t.inputs.extend(p for p in pulled if p not in t.inputs)
        t.consumed |= {"bash_command", "env", "append_env", "cwd", "skip_on_exit_code", "output_encoding"}
        t.support.add("run_bash")
        t.body.append("return " + ", ".join(parts) + ", dag=DAG)")
        return t

    def translate_decorated(self, task: TaskInput) -> Translation:
        """``@task.bash``: the function returns the command to run."""
        t = translate_callable(task, MECH, "the function's command runs with bash as the asset body")
        if t.disposition == NONE:
            return t
        t.kinds = ("bash",)
        call = t.body.pop().removeprefix("return ")
        t.support.add("run_bash")
        t.body.append(f"return run_bash(context, airflow, {call}, dag=DAG)")
        return t


ORDER = 20
RULES = [Bash]
