"""One canonical name per operator across its Airflow 1.10, 2.x and 3.x module paths.

The canonical name is the Airflow 2.x path (the most common spelling in real estates). Airflow 3 moved the
core operators to ``airflow.providers.standard``; 1.10 used ``*_operator`` modules and ``airflow.contrib``.
Classes are recognised by their class name under any ``airflow`` module path, so a path this table does
not list still resolves when the class is known.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OperatorInfo:
    canonical: str
    family: str


_P = "airflow.providers"


def _known(canonical: str, family: str, *aliases: str) -> dict[str, tuple[str, str]]:
    """An operator's entries: its own class name and the older class names (``aliases``) of the same class."""
    return {name: (canonical, family) for name in (canonical.rsplit(".", 1)[-1], *aliases)}


# Every canonical operator name is written here once; rules name the operators they handle by class name
# (``canonical("BashOperator")``), so a path changes in one place.
# class name -> (canonical qualified name, family)
KNOWN_CLASSES: dict[str, tuple[str, str]] = {
    # Python callables
    **_known("airflow.operators.python.PythonOperator", "python"),
    **_known("airflow.operators.python.BranchPythonOperator", "branch"),
    **_known("airflow.operators.python.ShortCircuitOperator", "short_circuit"),
    **_known("airflow.operators.python.PythonVirtualenvOperator", "python_venv"),
    **_known("airflow.operators.python.ExternalPythonOperator", "python_venv"),
    **_known("airflow.operators.python.BranchPythonVirtualenvOperator", "branch"),
    **_known("airflow.operators.python.BranchExternalPythonOperator", "branch"),
    **_known("airflow.operators.datetime.BranchDateTimeOperator", "branch"),
    **_known("airflow.operators.weekday.BranchDayOfWeekOperator", "branch"),
    # Bash
    **_known("airflow.operators.bash.BashOperator", "bash"),
    # No-ops
    **_known("airflow.operators.empty.EmptyOperator", "empty", "DummyOperator"),
    **_known("airflow.operators.latest_only.LatestOnlyOperator", "latest_only"),
    # Cross-DAG
    **_known("airflow.operators.trigger_dagrun.TriggerDagRunOperator", "trigger_dag"),
    **_known("airflow.sensors.external_task.ExternalTaskSensor", "sensor"),
    **_known("airflow.sensors.external_task.ExternalTaskMarker", "external_marker"),
    **_known("airflow.operators.subdag.SubDagOperator", "subdag"),
    # Core sensors
    **_known("airflow.sensors.filesystem.FileSensor", "sensor"),
    **_known("airflow.sensors.python.PythonSensor", "sensor"),
    **_known("airflow.sensors.bash.BashSensor", "sensor"),
    **_known("airflow.sensors.time_delta.TimeDeltaSensor", "sensor"),
    **_known("airflow.sensors.time_sensor.TimeSensor", "sensor"),
    **_known("airflow.sensors.date_time.DateTimeSensor", "sensor"),
    **_known("airflow.sensors.weekday.DayOfWeekSensor", "sensor"),
    **_known(f"{_P}.http.sensors.http.HttpSensor", "sensor"),
    **_known(f"{_P}.common.sql.sensors.sql.SqlSensor", "sensor"),
    **_known(f"{_P}.amazon.aws.sensors.s3.S3KeySensor", "sensor"),
    **_known(f"{_P}.google.cloud.sensors.gcs.GCSObjectExistenceSensor", "sensor"),
    # SQL
    **_known(f"{_P}.common.sql.operators.sql.SQLExecuteQueryOperator", "sql"),
    **_known(f"{_P}.postgres.operators.postgres.PostgresOperator", "sql"),
    **_known(f"{_P}.mysql.operators.mysql.MySqlOperator", "sql"),
    **_known(f"{_P}.sqlite.operators.sqlite.SqliteOperator", "sql"),
    **_known(f"{_P}.microsoft.mssql.operators.mssql.MsSqlOperator", "sql"),
    **_known(f"{_P}.oracle.operators.oracle.OracleOperator", "sql"),
    **_known(f"{_P}.snowflake.operators.snowflake.SnowflakeOperator", "sql"),
    **_known(f"{_P}.snowflake.operators.snowflake.SnowflakeSqlApiOperator", "sql"),
    **_known(f"{_P}.amazon.aws.operators.redshift_sql.RedshiftSQLOperator", "sql"),
    **_known(f"{_P}.amazon.aws.operators.redshift_data.RedshiftDataOperator", "sql"),
    **_known(f"{_P}.trino.operators.trino.TrinoOperator", "sql"),
    **_known(f"{_P}.teradata.operators.teradata.TeradataOperator", "sql"),
    **_known(f"{_P}.vertica.operators.vertica.VerticaOperator", "sql"),
    **_known(f"{_P}.google.cloud.operators.bigquery.BigQueryInsertJobOperator", "sql"),
    **_known(f"{_P}.google.cloud.operators.bigquery.BigQueryExecuteQueryOperator", "sql", "BigQueryOperator"),
    **_known(f"{_P}.common.sql.operators.sql.SQLCheckOperator", "sql_check", "CheckOperator"),
    **_known(f"{_P}.common.sql.operators.sql.SQLValueCheckOperator", "sql_check", "ValueCheckOperator"),
    **_known(f"{_P}.common.sql.operators.sql.SQLColumnCheckOperator", "sql_check"),
    **_known(f"{_P}.common.sql.operators.sql.SQLTableCheckOperator", "sql_check"),
    **_known(f"{_P}.common.sql.operators.sql.BranchSQLOperator", "branch", "BranchSqlOperator"),
    # AWS
    **_known(f"{_P}.amazon.aws.operators.s3.S3ListOperator", "aws"),
    **_known(f"{_P}.amazon.aws.operators.s3.S3CopyObjectOperator", "aws"),
    **_known(f"{_P}.amazon.aws.operators.s3.S3DeleteObjectsOperator", "aws"),
    **_known(f"{_P}.amazon.aws.operators.s3.S3CreateBucketOperator", "aws"),
    **_known(f"{_P}.amazon.aws.operators.s3.S3DeleteBucketOperator", "aws"),
    **_known(f"{_P}.amazon.aws.operators.sqs.SqsPublishOperator", "aws", "SQSPublishOperator"),
    **_known(f"{_P}.amazon.aws.sensors.sqs.SqsSensor", "sensor", "SQSSensor"),
    **_known(f"{_P}.amazon.aws.operators.sns.SnsPublishOperator", "aws"),
    **_known(f"{_P}.amazon.aws.operators.emr.EmrServerlessStartJobOperator", "aws"),
    # Airbyte
    **_known(f"{_P}.airbyte.operators.airbyte.AirbyteTriggerSyncOperator", "airbyte"),
    **_known(f"{_P}.airbyte.sensors.airbyte.AirbyteJobSensor", "sensor"),
    # Containers
    **_known(f"{_P}.cncf.kubernetes.operators.pod.KubernetesPodOperator", "pod"),
    **_known(f"{_P}.google.cloud.operators.kubernetes_engine.GKEStartPodOperator", "pod"),
    **_known(f"{_P}.amazon.aws.operators.ecs.EcsRunTaskOperator", "pod", "ECSOperator"),
    **_known(f"{_P}.docker.operators.docker.DockerOperator", "pod"),
    # Google Cloud (1.10's contrib class names are aliases)
    **_known(
        f"{_P}.google.cloud.transfers.gcs_to_bigquery.GCSToBigQueryOperator",
        "gcp",
        "GoogleCloudStorageToBigQueryOperator",
    ),
    **_known(
        f"{_P}.google.cloud.transfers.gcs_to_gcs.GCSToGCSOperator",
        "gcp",
        "GoogleCloudStorageToGoogleCloudStorageOperator",
    ),
    **_known(f"{_P}.google.cloud.operators.gcs.GCSDeleteObjectsOperator", "gcp", "GoogleCloudStorageDeleteOperator"),
    **_known(
        f"{_P}.google.cloud.operators.kubernetes_engine.GKECreateClusterOperator", "gcp", "GKEClusterCreateOperator"
    ),
    **_known(
        f"{_P}.google.cloud.operators.kubernetes_engine.GKEDeleteClusterOperator", "gcp", "GKEClusterDeleteOperator"
    ),
    # Airflow 1.10's Dataproc classes (DataprocClusterCreateOperator ...) take other arguments: not aliases.
    **_known(f"{_P}.google.cloud.operators.dataproc.DataprocCreateClusterOperator", "gcp"),
    **_known(f"{_P}.google.cloud.operators.dataproc.DataprocDeleteClusterOperator", "gcp"),
    **_known(f"{_P}.google.cloud.operators.dataproc.DataprocSubmitJobOperator", "gcp"),
    **_known(
        f"{_P}.google.cloud.operators.cloud_storage_transfer_service.CloudDataTransferServiceGCSToGCSOperator",
        "gcp",
        "GcpTransferServiceGCSToGCSOperator",
    ),
    # HTTP, SSH, transfer, alerting
    **_known(f"{_P}.http.operators.http.HttpOperator", "http", "SimpleHttpOperator"),
    **_known(f"{_P}.ssh.operators.ssh.SSHOperator", "ssh"),
    **_known(f"{_P}.sftp.operators.sftp.SFTPOperator", "ssh"),
    **_known("airflow.operators.email.EmailOperator", "alerting"),
    **_known(f"{_P}.slack.operators.slack_webhook.SlackWebhookOperator", "alerting"),
    **_known(f"{_P}.slack.operators.slack.SlackAPIPostOperator", "alerting"),
    **_known(f"{_P}.slack.operators.slack.SlackAPIFileOperator", "alerting"),
    **_known(f"{_P}.discord.operators.discord_webhook.DiscordWebhookOperator", "alerting"),
    **_known(f"{_P}.opsgenie.operators.opsgenie.OpsgenieCreateAlertOperator", "alerting"),
    # cosmos
    **_known("cosmos.DbtTaskGroup", "dbt"),
    **_known("cosmos.DbtDag", "dbt"),
}

# TaskFlow decorators: ``@task`` is this name, ``@task.<variant>`` this name and ``.<variant>``.
TASK_DECORATOR = "airflow.decorators.task"


def canonical(*class_names: str) -> tuple[str, ...]:
    """The canonical names of known operator classes, in order (a KeyError names a class the table lacks)."""
    return tuple(KNOWN_CLASSES[name][0] for name in class_names)


def decorated(*variants: str) -> tuple[str, ...]:
    """The operator names the scan gives ``@task`` (variant ``""``) and ``@task.<variant>`` tasks."""
    return tuple(f"{TASK_DECORATOR}.{variant}" if variant else TASK_DECORATOR for variant in variants)


# Module paths (1.10 and 3.x spellings) whose classes are the core ones above.
_CORE_MODULE_PREFIXES = ("airflow.", "cosmos")

DAG_CLASSES = {
    "airflow.DAG",
    "airflow.models.DAG",
    "airflow.models.dag.DAG",
    "airflow.sdk.DAG",
    "airflow.sdk.definitions.dag.DAG",
}
TASK_GROUP_CLASSES = {
    "airflow.utils.task_group.TaskGroup",
    "airflow.sdk.TaskGroup",
    "airflow.sdk.definitions.taskgroup.TaskGroup",
    "airflow.task_group.TaskGroup",
}


def resolve_operator(qualified_name: str) -> OperatorInfo:
    """Canonical name and family of an operator class imported as ``qualified_name``."""
    class_name = qualified_name.rsplit(".", 1)[-1]
    known = KNOWN_CLASSES.get(class_name)
    if known and qualified_name.startswith(_CORE_MODULE_PREFIXES):
        return OperatorInfo(*known)
    if qualified_name.startswith("airflow."):
        return OperatorInfo(qualified_name, _family_from_name(class_name))
    return OperatorInfo(qualified_name, "")


def named_like_operator(qualified_name: str) -> bool:
    """Does the class name say it builds a task? ``*Operator``/``*Sensor`` anywhere, and Airflow's own transfer
    classes, which 1.10 and the SQL providers name ``*Transfer`` (``GenericTransfer``, ``MySqlToHiveTransfer``)."""
    short = qualified_name.rsplit(".", 1)[-1]
    return short.endswith(("Operator", "Sensor", "SensorAsync")) or (
        qualified_name.startswith("airflow.") and short.endswith("Transfer")
    )


def _family_from_name(class_name: str) -> str:
    if class_name.endswith("Sensor") or class_name.endswith("SensorAsync"):
        return "sensor"
    return ""


def is_dag_class(qualified_name: str) -> bool:
    return qualified_name in DAG_CLASSES


def is_task_group_class(qualified_name: str) -> bool:
    return qualified_name in TASK_GROUP_CLASSES or qualified_name.endswith(".TaskGroup")
