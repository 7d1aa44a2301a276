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
# class name -> (canonical qualified name, family)
KNOWN_CLASSES: dict[str, tuple[str, str]] = {
    # Python callables
    "PythonOperator": ("airflow.operators.python.PythonOperator", "python"),
    "BranchPythonOperator": ("airflow.operators.python.BranchPythonOperator", "branch"),
    "ShortCircuitOperator": ("airflow.operators.python.ShortCircuitOperator", "short_circuit"),
    "PythonVirtualenvOperator": ("airflow.operators.python.PythonVirtualenvOperator", "python_venv"),
    "ExternalPythonOperator": ("airflow.operators.python.ExternalPythonOperator", "python_venv"),
    "BranchPythonVirtualenvOperator": ("airflow.operators.python.BranchPythonVirtualenvOperator", "branch"),
    "BranchExternalPythonOperator": ("airflow.operators.python.BranchExternalPythonOperator", "branch"),
    "BranchDateTimeOperator": ("airflow.operators.datetime.BranchDateTimeOperator", "branch"),
    "BranchDayOfWeekOperator": ("airflow.operators.weekday.BranchDayOfWeekOperator", "branch"),
    # Bash
    "BashOperator": ("airflow.operators.bash.BashOperator", "bash"),
    # No-ops
    "EmptyOperator": ("airflow.operators.empty.EmptyOperator", "empty"),
    "DummyOperator": ("airflow.operators.empty.EmptyOperator", "empty"),
    "LatestOnlyOperator": ("airflow.operators.latest_only.LatestOnlyOperator", "latest_only"),
    # Cross-DAG
    "TriggerDagRunOperator": ("airflow.operators.trigger_dagrun.TriggerDagRunOperator", "trigger_dag"),
    "ExternalTaskSensor": ("airflow.sensors.external_task.ExternalTaskSensor", "sensor"),
    "ExternalTaskMarker": ("airflow.sensors.external_task.ExternalTaskMarker", "external_marker"),
    "SubDagOperator": ("airflow.operators.subdag.SubDagOperator", "subdag"),
    # Core sensors
    "FileSensor": ("airflow.sensors.filesystem.FileSensor", "sensor"),
    "PythonSensor": ("airflow.sensors.python.PythonSensor", "sensor"),
    "BashSensor": ("airflow.sensors.bash.BashSensor", "sensor"),
    "TimeDeltaSensor": ("airflow.sensors.time_delta.TimeDeltaSensor", "sensor"),
    "TimeSensor": ("airflow.sensors.time_sensor.TimeSensor", "sensor"),
    "DateTimeSensor": ("airflow.sensors.date_time.DateTimeSensor", "sensor"),
    "DayOfWeekSensor": ("airflow.sensors.weekday.DayOfWeekSensor", "sensor"),
    "HttpSensor": (f"{_P}.http.sensors.http.HttpSensor", "sensor"),
    "SqlSensor": (f"{_P}.common.sql.sensors.sql.SqlSensor", "sensor"),
    "S3KeySensor": (f"{_P}.amazon.aws.sensors.s3.S3KeySensor", "sensor"),
    "GCSObjectExistenceSensor": (f"{_P}.google.cloud.sensors.gcs.GCSObjectExistenceSensor", "sensor"),
    # SQL
    "SQLExecuteQueryOperator": (f"{_P}.common.sql.operators.sql.SQLExecuteQueryOperator", "sql"),
    "PostgresOperator": (f"{_P}.postgres.operators.postgres.PostgresOperator", "sql"),
    "MySqlOperator": (f"{_P}.mysql.operators.mysql.MySqlOperator", "sql"),
    "SqliteOperator": (f"{_P}.sqlite.operators.sqlite.SqliteOperator", "sql"),
    "MsSqlOperator": (f"{_P}.microsoft.mssql.operators.mssql.MsSqlOperator", "sql"),
    "OracleOperator": (f"{_P}.oracle.operators.oracle.OracleOperator", "sql"),
    "SnowflakeOperator": (f"{_P}.snowflake.operators.snowflake.SnowflakeOperator", "sql"),
    "SnowflakeSqlApiOperator": (f"{_P}.snowflake.operators.snowflake.SnowflakeSqlApiOperator", "sql"),
    "RedshiftSQLOperator": (f"{_P}.amazon.aws.operators.redshift_sql.RedshiftSQLOperator", "sql"),
    "RedshiftDataOperator": (f"{_P}.amazon.aws.operators.redshift_data.RedshiftDataOperator", "sql"),
    "TrinoOperator": (f"{_P}.trino.operators.trino.TrinoOperator", "sql"),
    "TeradataOperator": (f"{_P}.teradata.operators.teradata.TeradataOperator", "sql"),
    "VerticaOperator": (f"{_P}.vertica.operators.vertica.VerticaOperator", "sql"),
    "BigQueryInsertJobOperator": (f"{_P}.google.cloud.operators.bigquery.BigQueryInsertJobOperator", "sql"),
    "BigQueryExecuteQueryOperator": (f"{_P}.google.cloud.operators.bigquery.BigQueryExecuteQueryOperator", "sql"),
    "BigQueryOperator": (f"{_P}.google.cloud.operators.bigquery.BigQueryExecuteQueryOperator", "sql"),
    "SQLCheckOperator": (f"{_P}.common.sql.operators.sql.SQLCheckOperator", "sql_check"),
    "SQLValueCheckOperator": (f"{_P}.common.sql.operators.sql.SQLValueCheckOperator", "sql_check"),
    "SQLColumnCheckOperator": (f"{_P}.common.sql.operators.sql.SQLColumnCheckOperator", "sql_check"),
    "SQLTableCheckOperator": (f"{_P}.common.sql.operators.sql.SQLTableCheckOperator", "sql_check"),
    "BranchSQLOperator": (f"{_P}.common.sql.operators.sql.BranchSQLOperator", "branch"),
    # Containers
    "KubernetesPodOperator": (f"{_P}.cncf.kubernetes.operators.pod.KubernetesPodOperator", "pod"),
    "GKEStartPodOperator": (f"{_P}.google.cloud.operators.kubernetes_engine.GKEStartPodOperator", "pod"),
    "EcsRunTaskOperator": (f"{_P}.amazon.aws.operators.ecs.EcsRunTaskOperator", "pod"),
    "ECSOperator": (f"{_P}.amazon.aws.operators.ecs.EcsRunTaskOperator", "pod"),
    "DockerOperator": (f"{_P}.docker.operators.docker.DockerOperator", "pod"),
    # HTTP, SSH, transfer, alerting
    "SimpleHttpOperator": (f"{_P}.http.operators.http.HttpOperator", "http"),
    "HttpOperator": (f"{_P}.http.operators.http.HttpOperator", "http"),
    "SSHOperator": (f"{_P}.ssh.operators.ssh.SSHOperator", "ssh"),
    "SFTPOperator": (f"{_P}.sftp.operators.sftp.SFTPOperator", "ssh"),
    "EmailOperator": ("airflow.operators.email.EmailOperator", "alerting"),
    "SlackWebhookOperator": (f"{_P}.slack.operators.slack_webhook.SlackWebhookOperator", "alerting"),
    "SlackAPIPostOperator": (f"{_P}.slack.operators.slack.SlackAPIPostOperator", "alerting"),
    # cosmos
    "DbtTaskGroup": ("cosmos.DbtTaskGroup", "dbt"),
    "DbtDag": ("cosmos.DbtDag", "dbt"),
}

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


def _family_from_name(class_name: str) -> str:
    if class_name.endswith("Sensor") or class_name.endswith("SensorAsync"):
        return "sensor"
    return ""


def is_dag_class(qualified_name: str) -> bool:
    return qualified_name in DAG_CLASSES


def is_task_group_class(qualified_name: str) -> bool:
    return qualified_name in TASK_GROUP_CLASSES or qualified_name.endswith(".TaskGroup")
