"""The equivalence table: per construct kind, how Airflow spells it, how the generated Dagster code spells it,
and the behaviour difference in one sentence. The report shows the rows whose construct occurs in the estate,
with how often; a row marked ``loss`` has no Dagster equivalent and counts in the go / no-go section.

Each row has a detector over the inventory (``ir.Dag`` and its tasks); the texts follow docs/convert.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from converters.inventory import ir


@dataclass(frozen=True)
class Equivalence:
    kind: str
    airflow: str
    dagster: str
    difference: str
    unit: str  # what the count counts: "DAGs" or "tasks"
    occurs: Callable[[ir.Dag, ir.Task | None], bool]  # per DAG (task None) or per task, by ``unit``
    loss: bool = False  # no equivalent: the construct stays in Airflow or needs a hand-made answer
    answer: str = ""  # for losses: how the migration answers it


def _dag(test: Callable[[ir.Dag], bool]) -> Callable[[ir.Dag, ir.Task | None], bool]:
    return lambda dag, task: test(dag)


def _task(test: Callable[[ir.Task], bool]) -> Callable[[ir.Dag, ir.Task | None], bool]:
    return lambda dag, task: task is not None and test(task)


def _family(*families: str) -> Callable[[ir.Dag, ir.Task | None], bool]:
    return _task(lambda t: t.family in families)


ROWS: tuple[Equivalence, ...] = (
    Equivalence(
        "DAG",
        "DAG(dag_id=…) / @dag",
        "asset group + asset job per DAG (dags/<dag>.py)",
        "The DAG's identity becomes an asset key prefix; Dagster reasons about assets, not task runs.",
        "DAGs",
        _dag(lambda d: True),
    ),
    Equivalence(
        "cron schedule",
        "schedule='0 6 * * *' / '@daily' + start_date",
        "TimeWindowPartitionsDefinition + build_schedule_from_partitioned_job",
        "A run is a partition keyed by the logical date; the job and schedule are generated at decommission.",
        "DAGs",
        _dag(lambda d: d.schedule.kind in {"cron", "preset", "default"}),
    ),
    Equivalence(
        "timedelta schedule",
        "schedule=timedelta(...)",
        "ScheduleDefinition on the equivalent cron (hourly/daily only)",
        "Other intervals have no cron: the module docstring says to add a schedule by hand.",
        "DAGs",
        _dag(lambda d: d.schedule.kind == "timedelta"),
    ),
    Equivalence(
        "timetable schedule",
        "timetable=… / custom Timetable",
        "none generated",
        "Custom timetables have no Dagster equivalent; the schedule must be written by hand.",
        "DAGs",
        _dag(lambda d: d.schedule.kind in {"timetable", "unresolved"}),
        loss=True,
        answer="a hand-written ScheduleDefinition or sensor per DAG, reviewed before decommission",
    ),
    Equivalence(
        "dataset schedule",
        "schedule=[Dataset(...)] / Asset",
        "upstream asset deps + AutomationCondition.eager() (automation sensor per DAG)",
        "Dagster materializes when the upstream assets are newer, not on a dataset event queue.",
        "DAGs",
        _dag(lambda d: d.schedule.kind == "dataset"),
    ),
    Equivalence(
        "catchup",
        "catchup=True",
        "the same partitions; missed ones are a backfill",
        "Dagster does not backfill by itself: missed partitions are launched as a backfill.",
        "DAGs",
        _dag(lambda d: d.catchup is True),
    ),
    Equivalence(
        "max_active_runs",
        "max_active_runs=N",
        "job tag airflow/max_active_runs (+ run queue tag limit)",
        "Enforced only once a run-queue concurrency limit is configured for the tag.",
        "DAGs",
        _dag(lambda d: d.max_active_runs is not None),
    ),
    Equivalence(
        "Python task",
        "PythonOperator / @task",
        "@dg.asset calling the same function (copied into logic/)",
        "The callable receives an Airflow-like context rebuilt for the partition.",
        "tasks",
        _family("python", "python_venv"),
    ),
    Equivalence(
        "Bash task",
        "BashOperator / @task.bash",
        "@dg.asset running the rendered command in a subprocess",
        "The command runs where Dagster's run worker runs, with the same templates rendered.",
        "tasks",
        _family("bash"),
    ),
    Equivalence(
        "SQL task",
        "SQLExecuteQueryOperator / PostgresOperator / …",
        "@dg.asset executing the rendered SQL through a connection resource",
        "Connections come from AIRFLOW_CONN_<ID> environment variables, not Airflow's metadata database.",
        "tasks",
        _family("sql", "sql_check"),
    ),
    Equivalence(
        "HTTP task",
        "HttpOperator / SimpleHttpOperator",
        "@dg.asset calling requests through HttpConnection",
        "Response checks and filters run inside the asset; the response is its value.",
        "tasks",
        _family("http"),
    ),
    Equivalence(
        "sensor",
        "*Sensor (poke / reschedule)",
        "@dg.asset that polls until the condition holds (or a dependency for ExternalTaskSensor)",
        "Polling occupies a run worker; reschedule mode has no equivalent.",
        "tasks",
        _family("sensor"),
    ),
    Equivalence(
        "container task",
        "KubernetesPodOperator / EcsRunTaskOperator / DockerOperator",
        "@dg.asset with a Dagster Pipes client (PipesK8sClient, PipesECSClient, PipesDockerClient)",
        "Pod specs are translated field by field; fields without a Pipes equivalent are listed per asset.",
        "tasks",
        _family("pod"),
    ),
    Equivalence(
        "no-op task",
        "EmptyOperator / DummyOperator / LatestOnlyOperator",
        "no asset: its upstream and downstream are joined",
        "LatestOnly's skip of old runs has no equivalent: every partition runs.",
        "tasks",
        _family("empty", "latest_only"),
    ),
    Equivalence(
        "branching",
        "BranchPythonOperator / @task.branch / ShortCircuitOperator",
        "asset returning the decision; children use output_required=False",
        "Skipped branches produce no materialization instead of a 'skipped' task state.",
        "tasks",
        _family("branch", "short_circuit"),
    ),
    Equivalence(
        "dynamic mapping",
        ".expand() / .partial()",
        "one asset looping over the mapped values",
        "Map indexes are not separate steps: a failure retries the whole asset; proxied at DAG level.",
        "tasks",
        _task(lambda t: t.mapped),
    ),
    Equivalence(
        "TaskGroup",
        "TaskGroup / @task_group",
        "asset group <dag>__<group>",
        "Groups are a naming and display unit only, as in Airflow.",
        "tasks",
        _task(lambda t: bool(t.task_group)),
    ),
    Equivalence(
        "dbt (cosmos)",
        "DbtTaskGroup / DbtDag",
        "@dbt_assets from the same dbt project (dagster-dbt)",
        "One asset per dbt model instead of one task per model; tests run as asset checks.",
        "tasks",
        _family("dbt", "cosmos"),
    ),
    Equivalence(
        "cross-DAG trigger",
        "TriggerDagRunOperator",
        "the triggered DAG's first assets depend on this DAG's assets (eager automation)",
        "Dagster follows data, not a trigger: conf passed to the triggered run is not forwarded.",
        "tasks",
        _family("trigger_dag"),
    ),
    Equivalence(
        "cross-DAG wait",
        "ExternalTaskSensor / ExternalTaskMarker",
        "a dependency on the other DAG's task asset",
        "No polling: the dependency is part of the asset graph.",
        "tasks",
        _task(lambda t: t.operator.endswith("ExternalTaskSensor") or t.family == "external_marker"),
    ),
    Equivalence(
        "SubDAG",
        "SubDagOperator",
        "none generated",
        "SubDAGs need their DagBag structure to be flattened (verify --adopt-dagbag).",
        "tasks",
        _family("subdag"),
        loss=True,
        answer="flatten with `verify --dagbag --adopt-dagbag`, or keep in Airflow until redesigned",
    ),
    Equivalence(
        "alerting task",
        "EmailOperator / Slack webhook and Web API operators",
        "@dg.asset sending through SmtpConnection / SlackWebhookConnection / Slack's Web API",
        "Messages are sent from the Dagster run; templates render the same.",
        "tasks",
        _family("alerting"),
    ),
    Equivalence(
        "SSH task",
        "SSHOperator / SFTPOperator",
        "@dg.asset running the command through SshConnection, or the transfer through SFTPHook",
        "SFTP's local files are on the Dagster host.",
        "tasks",
        _family("ssh"),
    ),
    Equivalence(
        "SQL data check",
        "SQLCheckOperator / SQLValueCheckOperator / SQLColumnCheckOperator / SQLTableCheckOperator",
        "a blocking asset check on the task's asset, running the same SQL",
        "A failed check fails the step and stops the assets downstream, as it stops the DAG.",
        "tasks",
        _family("sql_check"),
    ),
    Equivalence(
        "retries",
        "retries / retry_delay / retry_exponential_backoff",
        "RetryPolicy(max_retries, delay, backoff)",
        "max_retry_delay has no equivalent: exponential delays are not capped.",
        "tasks",
        _task(lambda t: bool(t.retry.retries)),
    ),
    Equivalence(
        "pool",
        "pool='name'",
        "asset pool (dagster instance concurrency set <pool> <n>)",
        "The pool's size is set on the Dagster instance, not in code.",
        "tasks",
        _task(lambda t: bool(t.pool)),
    ),
    Equivalence(
        "SLA",
        "sla=timedelta(...)",
        "freshness policy with that window",
        "A freshness policy flags lateness; it does not call sla_miss_callback.",
        "tasks",
        _task(lambda t: bool(t.sla)),
    ),
    Equivalence(
        "failure callback",
        "on_failure_callback",
        "run-failure sensor calling the same callback (generated at decommission)",
        "Called once per failed run, with an Airflow-like context, not per task instance.",
        "tasks",
        _task(lambda t: "on_failure_callback" in t.callbacks),
    ),
    Equivalence(
        "trigger rule",
        "trigger_rule='all_done' / 'one_failed' / …",
        "the asset runs when its upstream assets succeeded",
        "Dagster has no trigger rules: such tasks are JUDG and need a reviewed design.",
        "tasks",
        _task(lambda t: t.trigger_rule != "all_success"),
    ),
    Equivalence(
        "setup/teardown",
        "t.as_teardown(setups=s) / @setup, @teardown / with s >> t:",
        "ordinary assets with the same dependencies (setup upstream of the work, teardown downstream)",
        "Airflow runs a teardown even when the work failed and clears setups with their work; Dagster runs the "
        "teardown asset only when its upstream succeeded.",
        "tasks",
        _task(lambda t: t.role == "teardown"),
        loss=True,
        answer="a failure hook or run-failure sensor doing the teardown's cleanup, added by hand; JUDG until then",
    ),
    Equivalence(
        "depends_on_past",
        "depends_on_past=True",
        "none (a note on the asset)",
        "Dagster does not wait for the previous partition to succeed.",
        "tasks",
        _task(lambda t: t.depends_on_past),
        loss=True,
        answer="a partition-ordering check (asset check or sensor) added by hand; JUDG until then",
    ),
    Equivalence(
        "connections",
        "conn_id='…' (Airflow connections)",
        "resources built from AIRFLOW_CONN_<ID> (dg.EnvVar)",
        "Secrets live in the environment (or a secrets backend) of the Dagster deployment.",
        "tasks",
        _task(lambda t: bool(t.conn_ids)),
    ),
    Equivalence(
        "templates",
        "Jinja '{{ ds }}', '{{ params.x }}', macros",
        "support.templates renders them like Airflow for the partition's context",
        "Rendering is checked against Airflow's own; custom user macros need their module importable.",
        "tasks",
        _task(lambda t: bool(t.templated)),
    ),
    Equivalence(
        "datasets produced",
        "outlets=[Dataset(...)]",
        "the asset itself (downstream DAGs depend on its key)",
        "Dataset events from outside the estate are not observed.",
        "tasks",
        _task(lambda t: bool(t.outlets)),
    ),
)


def occurrences(dags: Iterable[ir.Dag]) -> list[tuple[Equivalence, int]]:
    """The rows whose construct occurs, with their counts (DAGs or tasks), in table order."""
    dags = list(dags)
    counted = []
    for row in ROWS:
        if row.unit == "DAGs":
            count = sum(1 for dag in dags if row.occurs(dag, None))
        else:
            count = sum(1 for dag in dags for task in dag.tasks if row.occurs(dag, task))
        if count:
            counted.append((row, count))
    return counted
