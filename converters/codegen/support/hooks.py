"""Airflow's hooks, for code copied out of DAG files, without Airflow.

Copied verbatim into every generated package (``<package>/support/``). A callable that did
``PostgresHook(postgres_conn_id="warehouse").get_records(sql)`` in Airflow does the same here: the same
constructor arguments, the same methods, the connection read from ``AIRFLOW_CONN_<CONN_ID>`` (URI or JSON,
parsed by ``templates.parse_connection``, the one parser of both forms), and the driver Airflow's provider
uses (psycopg2, sqlite3, boto3), imported when a method first needs it so a code location loads without it.

This module is also the declaration of what exists: the public methods and attributes of a class here are
the only ones of that Airflow hook the generated code offers. ``converters/rules/hooks.py`` reads them from
this file (without importing it), so a callable calling any other method is planned NONE with that method's
name; and ``__getattr__`` below makes a use the scan could not see fail with the same message, never with a
bare ``AttributeError``.

Also the other Airflow APIs copied code calls (``Connection``, ``conf``, ``send_email``, an ``FTPHook``, and
the Slack and SQL operators a callable builds and executes itself), declared the same way.

Over the toolkit's ~600-line guide (about 2,000 lines) because ``rules/hooks.py`` reads the declaration from this
one file and the generated logic imports every bound name from it; splitting it by family (SQL, AWS, HTTP/Slack,
SSH, the non-hook APIs) is due, with the reader and ``render_logic`` taught which file holds each name.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import closing
from datetime import UTC, datetime
from typing import Any

from . import templates

__all__ = [
    "AwsBaseHook",
    "BaseHook",
    "Connection",
    "DbApiHook",
    "GCSHook",
    "HttpHook",
    "MySqlHook",
    "PostgresHook",
    "S3Hook",
    "SFTPHook",
    "SSHHook",
    "SnsHook",
    "SlackWebhookHook",
    "SlackHook",
    "SqliteHook",
    "SqsHook",
    "FTPHook",
    "AirflowConfigParser",
    "conf",
    "send_email",
    "SlackAPIPostOperator",
    "airflow_module",
    "SQLExecuteQueryOperator",
    "XCOM_RETURN_KEY",
    "TIMEZONE",
    "get_attr_renderer",
    "Session",
    "create_session",
    "utcnow",
    "is_localized",
    "is_naive",
    "convert_to_utc",
    "make_aware",
    "make_naive",
    "timezone_datetime",
]


class _NoEquivalent(AttributeError):
    """An Airflow hook method or attribute this support module does not reproduce."""


class BaseHook:
    """The part of Airflow's ``BaseHook`` copied code uses: connections from ``AIRFLOW_CONN_<ID>``."""

    conn_name_attr = ""
    default_conn_name = ""
    conn_type = ""
    hook_name = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._log = logging.getLogger(f"airflow.task.hooks.{type(self).__module__}.{type(self).__name__}")

    @classmethod
    def get_connection(cls, conn_id: str) -> templates.Connection:
        return templates.get_connection(conn_id)

    @property
    def log(self) -> logging.Logger:
        return self._log

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise _NoEquivalent(
            f"{type(self).__name__}.{name} is Airflow's and has no equivalent in this code location's support/hooks.py "
            "(the plan marks a task NONE when it sees the call; add the method there to support it)"
        )


def _conn_id(hook: BaseHook, args: tuple, kwargs: dict) -> str:
    """The connection id the way DbApiHook finds it: the ``<x>_conn_id`` keyword, the first argument, the default."""
    if hook.conn_name_attr in kwargs:
        return kwargs.pop(hook.conn_name_attr)
    if args:
        return args[0]
    return hook.default_conn_name


def fetch_all_handler(cursor: Any) -> list[tuple] | None:
    """Airflow's ``fetch_all_handler``: every row, or None for a statement without a result set."""
    return cursor.fetchall() if cursor.description is not None else None


def fetch_one_handler(cursor: Any) -> tuple | None:
    """Airflow's ``fetch_one_handler``: the first row, or None for a statement without a result set."""
    return cursor.fetchone() if cursor.description is not None else None


def _split_sql(sql: str) -> list[str]:
    """Statements of a script split on ``;`` outside quotes (Airflow's ``split_sql_string``, without sqlparse)."""
    statements, current, quote = [], [], ""
    for char in sql:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == ";":
            statements.append("".join(current))
            current = []
            continue
        current.append(char)
    statements.append("".join(current))
    return [s.strip() for s in statements if s.strip()]


class Connection(templates.Connection):
    """Airflow's ``Connection`` looked up by copied code: from ``AIRFLOW_CONN_<CONN_ID>`` (Airflow's
    environment-variable secrets backend), as ``Connection.get`` (Airflow 3) and ``get_connection_from_secrets``
    read it; ``ConnectionNotFound`` when it is not set."""

    @classmethod
    def get(cls, conn_id: str) -> templates.Connection:
        return templates.get_connection(conn_id, airflow_major=_airflow_major())

    @classmethod
    def get_connection_from_secrets(cls, conn_id: str) -> templates.Connection:
        return templates.get_connection(conn_id, airflow_major=_airflow_major())


class DbApiHook(BaseHook):
    """Airflow's ``DbApiHook`` (``common.sql``): runs SQL through the database's DB-API driver."""

    conn_name_attr = "conn_id"
    default_conn_name = "default_conn_id"
    placeholder = "%s"
    supports_autocommit = True

    def __init__(self, *args: Any, schema: str | None = None, log_sql: bool = True, **kwargs: Any) -> None:
        super().__init__()
        setattr(self, self.conn_name_attr, _conn_id(self, args, kwargs))
        self.schema = schema
        self.log_sql = log_sql
        self.descriptions: list[Any] = []
        self.extra_kwargs = kwargs

    def get_conn_id(self) -> str:
        return getattr(self, self.conn_name_attr)

    @property
    def connection(self) -> templates.Connection:
        return self.get_connection(self.get_conn_id())

    @property
    def last_description(self) -> Any:
        return self.descriptions[-1] if self.descriptions else None

    def get_conn(self) -> Any:  # pragma: no cover - each database's hook opens its own driver
        raise NotImplementedError(f"{type(self).__name__} does not say how to open its connection")

    def get_uri(self) -> str:
        return self.connection.get_uri()

    def _uri(self, scheme: str, host: str, database: str | None) -> str:
        """``scheme://login:password@host:port/database``, quoted as Airflow's hooks write it."""
        from urllib.parse import quote

        conn = self.connection
        auth = ""
        if conn.login:
            auth = quote(conn.login, safe="") + (":" + quote(conn.password, safe="") if conn.password else "") + "@"
        port = f":{conn.port}" if conn.port else ""
        return f"{scheme}://{auth}{host}{port}/{quote(database or '', safe='')}"

    def get_sqlalchemy_engine(self, engine_kwargs: Mapping[str, Any] | None = None) -> Any:
        import sqlalchemy

        return sqlalchemy.create_engine(self.get_uri(), **dict(engine_kwargs or {}))

    def get_cursor(self) -> Any:
        return self.get_conn().cursor()

    def get_autocommit(self, conn: Any) -> bool:
        return bool(getattr(conn, "autocommit", False)) and self.supports_autocommit

    def set_autocommit(self, conn: Any, autocommit: bool) -> None:
        if self.supports_autocommit:
            conn.autocommit = autocommit

    def run(
        self,
        sql: str | Iterable[str],
        autocommit: bool = False,
        parameters: Any = None,
        handler: Callable[[Any], Any] | None = None,
        split_statements: bool = False,
        return_last: bool = True,
    ) -> Any:
        """Run one statement or several in one connection, as Airflow's ``DbApiHook.run`` (commit at the end)."""
        if isinstance(sql, str):
            statements = _split_sql(sql) if split_statements else ([sql] if sql.strip() else [])
        else:
            statements = list(sql)
        if not statements:
            raise ValueError("List of SQL statements is empty")
        single = isinstance(sql, str) and (return_last or not split_statements)
        self.descriptions = []
        results, last, last_description = [], None, None
        with closing(self.get_conn()) as conn:
            self.set_autocommit(conn, autocommit)
            with closing(conn.cursor()) as cursor:
                for statement in statements:
                    if self.log_sql:
                        self.log.info("Running statement: %s, parameters: %s", statement, parameters)
                    if parameters:
                        cursor.execute(statement, parameters)
                    else:
                        cursor.execute(statement)
                    if handler is not None:
                        result = handler(cursor)
                        if single:
                            last, last_description = result, cursor.description
                        else:
                            results.append(result)
                            self.descriptions.append(cursor.description)
            if not self.get_autocommit(conn):
                conn.commit()
        if handler is None:
            return None
        if single:
            self.descriptions = [last_description]
            return last
        return results

    def get_records(self, sql: str | Iterable[str], parameters: Any = None) -> Any:
        return self.run(sql=sql, parameters=parameters, handler=fetch_all_handler)

    def get_first(self, sql: str | Iterable[str], parameters: Any = None) -> Any:
        return self.run(sql=sql, parameters=parameters, handler=fetch_one_handler)

    def get_pandas_df(self, sql: str, parameters: Any = None, **kwargs: Any) -> Any:
        try:
            import pandas
        except ImportError as exc:
            raise ImportError(f"{type(self).__name__}.get_pandas_df needs pandas in the Dagster environment") from exc
        with closing(self.get_conn()) as conn:
            return pandas.read_sql(sql, con=conn, params=parameters, **kwargs)

    def get_df(self, sql: str, parameters: Any = None, *, df_type: str = "pandas", **kwargs: Any) -> Any:
        if df_type != "pandas":
            raise NotImplementedError(f"{type(self).__name__}.get_df(df_type={df_type!r}): only pandas is supported")
        return self.get_pandas_df(sql, parameters, **kwargs)

    @staticmethod
    def _serialize_cell(cell: Any, conn: Any = None) -> Any:
        if cell is None:
            return None
        if isinstance(cell, datetime):
            return cell.isoformat()
        return str(cell)

    def _insert_sql(self, table: str, values: Sequence[Any], target_fields: Sequence[str] | None, replace: bool, **kw):
        columns = f"({', '.join(target_fields)})" if target_fields else ""
        verb = "REPLACE INTO" if replace else "INSERT INTO"
        return f"{verb} {table} {columns} VALUES ({','.join([self.placeholder] * len(values))})"

    def insert_rows(
        self,
        table: str,
        rows: Iterable[Sequence[Any]],
        target_fields: Sequence[str] | None = None,
        commit_every: int = 1000,
        replace: bool = False,
        **kwargs: Any,
    ) -> None:
        """Insert ``rows`` one statement per row, committing every ``commit_every`` rows, as Airflow does."""
        kwargs.pop("executemany", None)
        count = 0
        with closing(self.get_conn()) as conn:
            self.set_autocommit(conn, False)
            with closing(conn.cursor()) as cursor:
                for count, row in enumerate(rows, 1):
                    values = tuple(self._serialize_cell(cell, conn) for cell in row)
                    cursor.execute(self._insert_sql(table, values, target_fields, replace, **kwargs), values)
                    if commit_every and count % commit_every == 0:
                        conn.commit()
            conn.commit()
        self.log.info("Done loading. Loaded a total of %s rows into %s", count, table)

    def test_connection(self) -> tuple[bool, str]:
        try:
            self.get_first("select 1")
        except Exception as exc:  # noqa: BLE001 - Airflow reports the error as the message
            return False, str(exc)
        return True, "Connection successfully tested"


# Keys of a Postgres connection's extra that are Airflow's own, not libpq options.
_POSTGRES_AIRFLOW_EXTRA = {
    "iam",
    "redshift",
    "redshift-serverless",
    "cursor",
    "cluster-identifier",
    "workgroup-name",
    "aws_conn_id",
    "sqlalchemy_scheme",
    "sqlalchemy_query",
    "enable_log_db_messages",
}


class PostgresHook(DbApiHook):
    """Airflow's ``PostgresHook`` on psycopg2, the driver Airflow's Postgres provider uses."""

    conn_name_attr = "postgres_conn_id"
    default_conn_name = "postgres_default"
    conn_type = "postgres"
    hook_name = "Postgres"

    def __init__(self, *args: Any, options: str | None = None, **kwargs: Any) -> None:
        self.database = kwargs.pop("database", None)
        kwargs.pop("enable_log_db_messages", None)
        super().__init__(*args, **kwargs)
        self.options = options
        self.conn: Any = None

    def _database(self, conn: templates.Connection) -> str | None:
        return self.database or self.schema or conn.schema

    def get_conn(self) -> Any:
        import psycopg2
        import psycopg2.extras

        conn = self.connection
        extra = conn.extra_dejson
        kwargs: dict[str, Any] = {
            "host": conn.host,
            "user": conn.login,
            "password": conn.password,
            "dbname": self._database(conn),
            "port": conn.port,
        }
        cursors = {
            "dictcursor": psycopg2.extras.DictCursor,
            "realdictcursor": psycopg2.extras.RealDictCursor,
            "namedtuplecursor": psycopg2.extras.NamedTupleCursor,
        }
        if extra.get("cursor"):
            name = str(extra["cursor"]).lower()
            if name not in cursors:
                raise ValueError(f"Invalid cursor passed {extra['cursor']}. Valid options are: {sorted(cursors)}")
            kwargs["cursor_factory"] = cursors[name]
        if self.options:
            kwargs["options"] = self.options
        kwargs.update({k: v for k, v in extra.items() if k not in _POSTGRES_AIRFLOW_EXTRA})
        self.conn = psycopg2.connect(**{k: v for k, v in kwargs.items() if v is not None})
        return self.conn

    def get_uri(self) -> str:
        return self._uri("postgresql", self.connection.host or "", self._database(self.connection))

    def get_sqlalchemy_engine(self, engine_kwargs: Mapping[str, Any] | None = None) -> Any:
        """On psycopg2, like Airflow (SQLAlchemy 2.1 reads ``postgresql://`` as psycopg 3, not installed here)."""
        import sqlalchemy

        scheme = self.connection.extra_dejson.get("sqlalchemy_scheme") or "postgresql+psycopg2"
        uri = scheme + self.get_uri()[len("postgresql") :]
        return sqlalchemy.create_engine(uri, **dict(engine_kwargs or {}))

    @staticmethod
    def _serialize_cell(cell: Any, conn: Any = None) -> Any:
        return cell  # psycopg2 adapts Python values itself

    def _insert_sql(self, table, values, target_fields, replace, **kwargs):
        sql = super()._insert_sql(table, values, target_fields, False)
        if not replace:
            return sql
        if not target_fields:
            raise ValueError("PostgreSQL ON CONFLICT upsert syntax requires column names")
        replace_index = kwargs.get("replace_index")
        if not replace_index:
            raise ValueError("PostgreSQL ON CONFLICT upsert syntax requires an unique index")
        index = [replace_index] if isinstance(replace_index, str) else list(replace_index)
        updates = [f"{c} = excluded.{c}" for c in target_fields if c not in index]
        action = f"UPDATE SET {', '.join(updates)}" if updates else "NOTHING"
        return f"{sql} ON CONFLICT ({', '.join(index)}) DO {action}"

    def copy_expert(self, sql: str, filename: str) -> None:
        """``COPY … FROM STDIN`` / ``TO STDOUT`` with a local file, as Airflow's ``copy_expert`` (creates the file)."""
        if not os.path.isfile(filename):
            with open(filename, "w"):
                pass
        with open(filename, "r+") as file, closing(self.get_conn()) as conn, closing(conn.cursor()) as cursor:
            cursor.copy_expert(sql, file)
            file.truncate(file.tell())
            conn.commit()

    def bulk_load(self, table: str, tmp_file: str) -> None:
        self.copy_expert(f"COPY {table} FROM STDIN", tmp_file)

    def bulk_dump(self, table: str, tmp_file: str) -> None:
        self.copy_expert(f"COPY {table} TO STDOUT", tmp_file)

    def get_table_primary_key(self, table: str, schema: str | None = "public") -> list[str] | None:
        sql = """
            select kcu.column_name
            from information_schema.table_constraints tco
                join information_schema.key_column_usage kcu
                    on kcu.constraint_name = tco.constraint_name
                        and kcu.constraint_schema = tco.constraint_schema
                        and kcu.constraint_name = tco.constraint_name
            where tco.constraint_type = 'PRIMARY KEY'
            and kcu.table_schema = %s
            and kcu.table_name = %s
            order by kcu.ordinal_position
        """
        rows = self.get_records(sql, (schema, table))
        return [row[0] for row in rows] if rows else None


class MySqlHook(DbApiHook):
    """Airflow's ``MySqlHook``: on mysqlclient (``MySQLdb``) when installed, as Airflow's default ``client``,
    else (or with the extra ``"client": "mysql-connector-python"``) on mysql-connector-python, as Airflow offers."""

    conn_name_attr = "mysql_conn_id"
    default_conn_name = "mysql_default"
    conn_type = "mysql"
    hook_name = "MySQL"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.local_infile = kwargs.pop("local_infile", False)
        self.init_command = kwargs.pop("init_command", None)
        super().__init__(*args, **kwargs)

    def _client(self, conn: templates.Connection) -> str:
        client = conn.extra_dejson.get("client")
        if client:
            return client
        try:
            import MySQLdb  # noqa: F401
        except ImportError:
            return "mysql-connector-python"
        return "mysqlclient"

    def get_conn(self) -> Any:
        conn = self.connection
        database = self.schema or conn.schema or ""
        if self._client(conn) == "mysql-connector-python":
            import mysql.connector

            kwargs: dict[str, Any] = {
                "user": conn.login,
                "password": conn.password or "",
                "host": conn.host or "localhost",
                "database": database,
                "port": int(conn.port or 3306),
                "allow_local_infile": self.local_infile,
            }
            if self.init_command:
                kwargs["init_command"] = self.init_command
            return mysql.connector.connect(**kwargs)
        import MySQLdb

        params: dict[str, Any] = {
            "user": conn.login,
            "passwd": conn.password or "",
            "host": conn.host or "localhost",
            "db": database,
            "port": int(conn.port or 3306),
            "local_infile": int(bool(self.local_infile)),
        }
        extra = conn.extra_dejson
        if extra.get("charset"):
            params["charset"], params["use_unicode"] = extra["charset"], True
        if self.init_command:
            params["init_command"] = self.init_command
        return MySQLdb.connect(**params)

    def get_autocommit(self, conn: Any) -> bool:
        value = conn.get_autocommit() if hasattr(conn, "get_autocommit") else conn.autocommit
        return bool(value)

    def set_autocommit(self, conn: Any, autocommit: bool) -> None:
        if callable(getattr(conn, "autocommit", None)):
            conn.autocommit(autocommit)  # mysqlclient
        else:
            conn.autocommit = autocommit  # mysql-connector-python

    @staticmethod
    def _serialize_cell(cell: Any, conn: Any = None) -> Any:
        return cell  # the driver quotes parameters itself

    def get_uri(self) -> str:
        conn = self.connection
        return self._uri("mysql", conn.host or "localhost", self.schema or conn.schema)

    def get_sqlalchemy_engine(self, engine_kwargs: Mapping[str, Any] | None = None) -> Any:
        import sqlalchemy

        driver = "mysqlconnector" if self._client(self.connection) == "mysql-connector-python" else "mysqldb"
        uri = f"mysql+{driver}" + self.get_uri()[len("mysql") :]
        return sqlalchemy.create_engine(uri, **dict(engine_kwargs or {}))


class SqliteHook(DbApiHook):
    """Airflow's ``SqliteHook`` on the standard library's sqlite3 (the database file is the connection's host)."""

    conn_name_attr = "sqlite_conn_id"
    default_conn_name = "sqlite_default"
    conn_type = "sqlite"
    hook_name = "Sqlite"
    placeholder = "?"
    supports_autocommit = False

    def _path(self) -> str:
        conn = self.connection
        return conn.host or conn.schema or ":memory:"

    def get_conn(self) -> Any:
        import sqlite3

        return sqlite3.connect(self._path())

    def get_uri(self) -> str:
        return f"sqlite:///{self._path()}"


class AwsBaseHook(BaseHook):
    """Airflow's ``AwsBaseHook`` on boto3: credentials, region and ``endpoint_url`` from the AWS connection.

    The connection's login/password are the access key id and secret; its extra may hold ``region_name``,
    ``endpoint_url`` (or per service, ``service_config: {"s3": {"endpoint_url": …}}``), ``aws_session_token``.
    Without ``AIRFLOW_CONN_<ID>``, boto3's own credential chain, as Airflow falls back to it.
    """

    conn_name_attr = "aws_conn_id"
    default_conn_name = "aws_default"
    conn_type = "aws"
    hook_name = "Amazon Web Services"
    client_type_default: str | None = None

    def __init__(
        self,
        aws_conn_id: str | None = "aws_default",
        verify: bool | str | None = None,
        region_name: str | None = None,
        client_type: str | None = None,
        resource_type: str | None = None,
        config: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self.aws_conn_id = aws_conn_id
        self.verify = verify
        self.client_type = client_type or self.client_type_default
        self.resource_type = resource_type
        self.config = config
        self._region_name = region_name
        self._client: Any = None

    def _aws(self, service: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        """Session and client keywords from the connection (boto3's own defaults when there is none)."""
        session: dict[str, Any] = {}
        client: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        if self.aws_conn_id:
            try:
                conn = self.get_connection(self.aws_conn_id)
            except templates.ConnectionNotFound:
                conn = None  # Airflow falls back to boto3's credential chain too
            if conn is not None:
                extra = conn.extra_dejson
                if conn.login:
                    session["aws_access_key_id"] = conn.login
                    session["aws_secret_access_key"] = conn.password
                elif extra.get("aws_access_key_id"):
                    session["aws_access_key_id"] = extra["aws_access_key_id"]
                    session["aws_secret_access_key"] = extra.get("aws_secret_access_key")
                if extra.get("aws_session_token"):
                    session["aws_session_token"] = extra["aws_session_token"]
                per_service = (extra.get("service_config") or {}).get(service or "", {})
                endpoint = per_service.get("endpoint_url") or extra.get("endpoint_url") or extra.get("host")
                if endpoint:
                    client["endpoint_url"] = endpoint
        region = self._region_name or extra.get("region_name")
        if region:
            session["region_name"] = region
        if self.verify is not None:
            client["verify"] = self.verify
        if self.config is not None and not isinstance(self.config, dict):
            client["config"] = self.config  # a botocore Config
        return session, client

    @property
    def region_name(self) -> str | None:
        return self._aws()[0].get("region_name")

    def get_session(self, region_name: str | None = None) -> Any:
        import boto3

        session, _ = self._aws(self.client_type)
        if region_name:
            session["region_name"] = region_name
        return boto3.session.Session(**session)

    def get_client_type(self, client_type: str | None = None, region_name: str | None = None, config: Any = None):
        service = client_type or self.client_type
        _, client = self._aws(service)
        if config is not None:
            client["config"] = config
        return self.get_session(region_name).client(service, **client)

    def get_resource_type(self, resource_type: str | None = None, region_name: str | None = None, config: Any = None):
        service = resource_type or self.resource_type
        _, client = self._aws(service)
        if config is not None:
            client["config"] = config
        return self.get_session(region_name).resource(service, **client)

    def get_conn(self) -> Any:
        if self._client is None:
            if self.client_type:
                self._client = self.get_client_type()
            elif self.resource_type:
                self._client = self.get_resource_type()
            else:
                raise ValueError("Either client_type or resource_type must be provided, not both.")
        return self._client

    @property
    def conn(self) -> Any:
        return self.get_conn()


class S3Hook(AwsBaseHook):
    """Airflow's ``S3Hook`` on boto3 (the connection as ``AwsBaseHook`` reads it)."""

    hook_name = "Amazon S3"
    client_type_default = "s3"

    def __init__(
        self,
        aws_conn_id: str | None = "aws_default",
        transfer_config_args: Mapping[str, Any] | None = None,
        extra_args: Mapping[str, Any] | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("client_type", None)
        super().__init__(aws_conn_id, *args, client_type="s3", **kwargs)
        self.transfer_config_args = dict(transfer_config_args or {})
        self.extra_args = dict(extra_args or {})

    @staticmethod
    def parse_s3_url(s3url: str) -> tuple[str, str]:
        match = re.match(r"^s3a?n?://([^/]+)/?(.*)$", s3url)
        if not match:
            raise ValueError(f'Please provide a bucket name using a valid format: "{s3url}"')
        return match.group(1), match.group(2)

    def _bucket_and_key(self, key: str, bucket_name: str | None) -> tuple[str, str]:
        if bucket_name is None:
            bucket_name, key = self.parse_s3_url(key)
        return bucket_name, key

    def check_for_bucket(self, bucket_name: str | None = None) -> bool:
        try:
            self.get_conn().head_bucket(Bucket=bucket_name)
        except Exception:  # noqa: BLE001 - Airflow answers False for any client error
            return False
        return True

    def create_bucket(self, bucket_name: str | None = None, region_name: str | None = None) -> None:
        region = region_name or self.region_name
        kwargs: dict[str, Any] = {"Bucket": bucket_name}
        if region and region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        self.get_conn().create_bucket(**kwargs)

    def check_for_key(self, key: str, bucket_name: str | None = None) -> bool:
        bucket_name, key = self._bucket_and_key(key, bucket_name)
        try:
            self.get_conn().head_object(Bucket=bucket_name, Key=key)
        except Exception as exc:  # noqa: BLE001 - boto3's ClientError, without importing botocore at load
            status = getattr(exc, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 404:
                return False
            raise
        return True

    def get_key(self, key: str, bucket_name: str | None = None) -> Any:
        """The boto3 ``Object`` (``.get()["Body"]``, ``.key``, ``.content_length``…), loaded like Airflow's."""
        bucket_name, key = self._bucket_and_key(key, bucket_name)
        obj = self.get_resource_type("s3").Object(bucket_name, key)
        obj.load()
        return obj

    def read_key(self, key: str, bucket_name: str | None = None) -> str:
        bucket_name, key = self._bucket_and_key(key, bucket_name)
        body = self.get_conn().get_object(Bucket=bucket_name, Key=key)["Body"].read()
        return body.decode("utf-8")

    def list_keys(
        self,
        bucket_name: str | None = None,
        prefix: str | None = None,
        delimiter: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        start_after_key: str | None = None,
        from_datetime: datetime | None = None,
        to_datetime: datetime | None = None,
        object_filter: Callable[..., list] | None = None,
        apply_wildcard: bool = False,
    ) -> list[str]:
        prefix = prefix or ""
        pattern = prefix if apply_wildcard else None  # Airflow lists below the part before "*", then matches
        prefix = prefix.split("*", 1)[0] if apply_wildcard else prefix
        config = {"PageSize": page_size, "MaxItems": max_items}
        kwargs: dict[str, Any] = {"Bucket": bucket_name, "Prefix": prefix, "Delimiter": delimiter or ""}
        if start_after_key:
            kwargs["StartAfter"] = start_after_key
        pages = self.get_conn().get_paginator("list_objects_v2").paginate(PaginationConfig=config, **kwargs)
        objects = [item for page in pages for item in page.get("Contents", [])]
        if pattern is not None:
            import fnmatch

            objects = [o for o in objects if fnmatch.fnmatch(o["Key"], pattern)]
        if from_datetime or to_datetime:
            objects = [
                o
                for o in objects
                if (from_datetime is None or o["LastModified"] > from_datetime)
                and (to_datetime is None or o["LastModified"] < to_datetime)
            ]
        if object_filter is not None:
            return object_filter(objects, from_datetime, to_datetime)
        return [o["Key"] for o in objects]

    def list_prefixes(
        self,
        bucket_name: str | None = None,
        prefix: str | None = None,
        delimiter: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> list[str]:
        config = {"PageSize": page_size, "MaxItems": max_items}
        pages = (
            self.get_conn()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=bucket_name, Prefix=prefix or "", Delimiter=delimiter or "", PaginationConfig=config)
        )
        return [p["Prefix"] for page in pages for p in page.get("CommonPrefixes", [])]

    def _put(self, body: bytes, key: str, bucket_name: str | None, replace: bool, encrypt: bool, acl_policy) -> None:
        bucket_name, key = self._bucket_and_key(key, bucket_name)
        if not replace and self.check_for_key(key, bucket_name):
            raise ValueError(f"The key {key} already exists.")
        extra = dict(self.extra_args)
        if encrypt:
            extra["ServerSideEncryption"] = "AES256"
        if acl_policy:
            extra["ACL"] = acl_policy
        self.get_conn().put_object(Bucket=bucket_name, Key=key, Body=body, **extra)

    def load_bytes(
        self,
        bytes_data: bytes,
        key: str,
        bucket_name: str | None = None,
        replace: bool = False,
        encrypt: bool = False,
        acl_policy: str | None = None,
    ) -> None:
        self._put(bytes_data, key, bucket_name, replace, encrypt, acl_policy)

    def load_string(
        self,
        string_data: str,
        key: str,
        bucket_name: str | None = None,
        replace: bool = False,
        encrypt: bool = False,
        encoding: str | None = None,
        acl_policy: str | None = None,
        compression: str | None = None,
    ) -> None:
        data = string_data.encode(encoding or "utf-8")
        if compression == "gzip":
            import gzip

            data = gzip.compress(data)
        elif compression:
            raise NotImplementedError(f"Received {compression} compression type: strings are compressed in gzip only")
        self._put(data, key, bucket_name, replace, encrypt, acl_policy)

    def load_file(
        self,
        filename: str | os.PathLike,
        key: str,
        bucket_name: str | None = None,
        replace: bool = False,
        encrypt: bool = False,
        gzip: bool = False,
        acl_policy: str | None = None,
    ) -> None:
        with open(filename, "rb") as file:
            data = file.read()
        if gzip:
            import gzip as gz

            data = gz.compress(data)
        self._put(data, key, bucket_name, replace, encrypt, acl_policy)

    def download_file(
        self,
        key: str,
        bucket_name: str | None = None,
        local_path: str | None = None,
        preserve_file_name: bool = False,
        use_autogenerated_subdir: bool = True,
    ) -> str:
        import tempfile
        from pathlib import Path

        bucket_name, key = self._bucket_and_key(key, bucket_name)
        folder = Path(local_path or tempfile.gettempdir())
        if preserve_file_name:
            name = Path(key).name
            if use_autogenerated_subdir:
                folder = Path(tempfile.mkdtemp(prefix="airflow_tmp_dir_", dir=folder))
            target = folder / name
        else:
            target = Path(tempfile.NamedTemporaryFile(dir=folder, prefix="airflow_tmp_", delete=False).name)
        self.get_conn().download_file(bucket_name, key, str(target))
        return str(target)

    def copy_object(
        self,
        source_bucket_key: str,
        dest_bucket_key: str,
        source_bucket_name: str | None = None,
        dest_bucket_name: str | None = None,
        source_version_id: str | None = None,
        acl_policy: str | None = None,
        meta_data_directive: str | None = None,
    ) -> Any:
        source_bucket_name, source_bucket_key = self._bucket_and_key(source_bucket_key, source_bucket_name)
        dest_bucket_name, dest_bucket_key = self._bucket_and_key(dest_bucket_key, dest_bucket_name)
        source = {"Bucket": source_bucket_name, "Key": source_bucket_key}
        if source_version_id:
            source["VersionId"] = source_version_id
        extra = {"MetadataDirective": meta_data_directive} if meta_data_directive else {}
        return self.get_conn().copy_object(
            Bucket=dest_bucket_name, Key=dest_bucket_key, CopySource=source, ACL=acl_policy or "private", **extra
        )

    def delete_bucket(self, bucket_name: str, force_delete: bool = False, max_retries: int = 5) -> None:
        """Delete the bucket; with ``force_delete`` its objects first (a bucket must be empty to go)."""
        if force_delete:
            keys = self.list_keys(bucket_name=bucket_name)
            if keys:
                self.delete_objects(bucket=bucket_name, keys=keys)
        self.get_conn().delete_bucket(Bucket=bucket_name)

    def delete_objects(self, bucket: str, keys: str | list[str]) -> None:
        names = [keys] if isinstance(keys, str) else list(keys)
        for start in range(0, len(names), 1000):  # the API deletes at most 1,000 keys per call
            chunk = names[start : start + 1000]
            response = self.get_conn().delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk]})
            if response.get("Errors"):
                raise RuntimeError(f"Errors when deleting: {[e['Key'] for e in response['Errors']]}")


class HttpHook(BaseHook):
    """Airflow's ``HttpHook`` on requests: base URL, basic auth and headers (the extra) from the HTTP connection."""

    conn_name_attr = "http_conn_id"
    default_conn_name = "http_default"
    conn_type = "http"
    hook_name = "HTTP"

    def __init__(
        self,
        method: str = "POST",
        http_conn_id: str = "http_default",
        auth_type: Any = None,
        tcp_keep_alive: bool = True,
        tcp_keep_alive_idle: int = 120,
        tcp_keep_alive_count: int = 20,
        tcp_keep_alive_interval: int = 30,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self.method = method.upper()
        self.http_conn_id = http_conn_id
        self.auth_type = auth_type
        self.base_url = ""

    def get_conn(self, headers: Mapping[str, Any] | None = None, extra_options: Mapping[str, Any] | None = None):
        """A ``requests.Session`` for the connection; sets ``base_url`` as Airflow does."""
        import requests

        session = requests.Session()
        if self.http_conn_id:
            conn = self.get_connection(self.http_conn_id)
            self.base_url = templates.http_base_url(conn)
            if conn.login:
                auth = self.auth_type or requests.auth.HTTPBasicAuth
                session.auth = auth(conn.login, conn.password)
            extra = conn.extra_dejson
            session.headers.update({k: str(v) for k, v in extra.items() if not isinstance(v, (dict, list))})
        if headers:
            session.headers.update(headers)
        return session

    def url_from_endpoint(self, endpoint: str | None) -> str:
        if self.base_url and not self.base_url.endswith("/") and endpoint and not endpoint.startswith("/"):
            return self.base_url + "/" + endpoint
        return (self.base_url or "") + (endpoint or "")

    def run(
        self,
        endpoint: str | None = None,
        data: Any = None,
        headers: Mapping[str, Any] | None = None,
        extra_options: Mapping[str, Any] | None = None,
        **request_kwargs: Any,
    ) -> Any:
        """Send the request; an HTTP error status raises ``AirflowException`` unless ``check_response`` is off."""
        import requests

        options = dict(extra_options or {})
        session = self.get_conn(headers)
        url = self.url_from_endpoint(endpoint)
        if self.method == "GET":
            request = requests.Request(self.method, url, params=data, headers=headers, **request_kwargs)
        elif self.method == "HEAD":
            request = requests.Request(self.method, url, headers=headers, **request_kwargs)
        else:
            request = requests.Request(self.method, url, data=data, headers=headers, **request_kwargs)
        prepped = session.prepare_request(request)
        self.log.info("Sending '%s' to url: %s", self.method, url)
        return self.run_and_check(session, prepped, options)

    def run_and_check(self, session: Any, prepped_request: Any, extra_options: Mapping[str, Any]) -> Any:
        options = dict(extra_options)
        settings = session.merge_environment_settings(
            prepped_request.url,
            proxies=options.get("proxies", {}),
            stream=options.get("stream", False),
            verify=options.get("verify"),
            cert=options.get("cert"),
        )
        send = {"timeout": options.get("timeout"), "allow_redirects": options.get("allow_redirects", True)}
        response = session.send(prepped_request, **settings, **send)
        if options.get("check_response", True):
            self.check_response(response)
        return response

    def check_response(self, response: Any) -> None:
        import requests

        from .runtime import AirflowException  # runtime imports this module: bound when a response fails

        try:
            response.raise_for_status()
        except requests.exceptions.HTTPError as exc:
            self.log.error("HTTP error: %s", response.reason)
            self.log.error(response.text)
            raise AirflowException(f"{response.status_code}:{response.reason}") from exc

    def test_connection(self) -> tuple[bool, str]:
        try:
            self.run()
        except Exception as exc:  # noqa: BLE001 - Airflow reports the error as the message
            return False, str(exc)
        return True, "Connection successfully tested"


class SqsHook(AwsBaseHook):
    """Airflow's ``SqsHook`` on boto3's SQS client."""

    hook_name = "Amazon SQS"
    client_type_default = "sqs"

    def create_queue(self, queue_name: str, attributes: Mapping[str, Any] | None = None) -> dict:
        return self.get_conn().create_queue(QueueName=queue_name, Attributes=dict(attributes or {}))

    def send_message(
        self,
        queue_url: str,
        message_body: str,
        delay_seconds: int = 0,
        message_attributes: Mapping[str, Any] | None = None,
        message_group_id: str | None = None,
        message_deduplication_id: str | None = None,
    ) -> dict:
        params: dict[str, Any] = {
            "QueueUrl": queue_url,
            "MessageBody": message_body,
            "DelaySeconds": delay_seconds,
            "MessageAttributes": dict(message_attributes or {}),
        }
        if message_group_id:
            params["MessageGroupId"] = message_group_id
        if message_deduplication_id:
            params["MessageDeduplicationId"] = message_deduplication_id
        return self.get_conn().send_message(**params)


def _sns_attribute(value: Any) -> dict[str, Any]:
    """A message attribute as SNS wants it, typed like Airflow's ``_get_message_attribute``."""
    if isinstance(value, str):
        return {"DataType": "String", "StringValue": value}
    if isinstance(value, (list, tuple)):
        return {"DataType": "String.Array", "StringValue": json.dumps(list(value))}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"DataType": "Number", "StringValue": str(value)}
    if isinstance(value, bytes):
        return {"DataType": "Binary", "BinaryValue": value}
    raise TypeError(
        f"Values in MessageAttributes must be one of bytes, str, int, float, or iterable; got {type(value)}"
    )


class SnsHook(AwsBaseHook):
    """Airflow's ``SnsHook`` on boto3's SNS client."""

    hook_name = "Amazon SNS"
    client_type_default = "sns"

    def publish_to_target(
        self,
        target_arn: str,
        message: str,
        subject: str | None = None,
        message_attributes: Mapping[str, Any] | None = None,
        message_deduplication_id: str | None = None,
        message_group_id: str | None = None,
    ) -> dict:
        params: dict[str, Any] = {"TargetArn": target_arn, "Message": message}
        if subject:
            params["Subject"] = subject
        if message_attributes:
            params["MessageAttributes"] = {k: _sns_attribute(v) for k, v in message_attributes.items()}
        if message_deduplication_id:
            params["MessageDeduplicationId"] = message_deduplication_id
        if message_group_id:
            params["MessageGroupId"] = message_group_id
        return self.get_conn().publish(**params)


class SlackWebhookHook(BaseHook):
    """Airflow's ``SlackWebhookHook`` posting with requests (both the provider's ``send*`` and the older ``execute``).

    The URL is the connection's password when it is one, else the connection's host (default Slack's
    ``https://hooks.slack.com/services``) joined with the password as the webhook token, as Airflow builds it.
    """

    conn_name_attr = "slack_webhook_conn_id"
    default_conn_name = "slack_default"
    conn_type = "slackwebhook"
    hook_name = "Slack Incoming Webhook"

    def __init__(
        self,
        slack_webhook_conn_id: str | None = None,
        timeout: int | None = None,
        proxy: str | None = None,
        *,
        http_conn_id: str | None = None,
        webhook_token: str | None = None,
        message: str = "",
        attachments: list | None = None,
        blocks: list | None = None,
        channel: str | None = None,
        username: str | None = None,
        icon_emoji: str | None = None,
        icon_url: str | None = None,
        link_names: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self.slack_webhook_conn_id = slack_webhook_conn_id or http_conn_id or self.default_conn_name
        self.timeout = timeout
        self.proxy = proxy
        self.webhook_token = webhook_token
        self.message, self.attachments, self.blocks, self.channel = message, attachments, blocks, channel
        self.username, self.icon_emoji, self.icon_url, self.link_names = username, icon_emoji, icon_url, link_names

    def _url(self) -> str:
        conn = self.get_connection(self.slack_webhook_conn_id)
        token = self.webhook_token or conn.password or ""
        if token.startswith(("http://", "https://")):
            return token
        host = conn.host or "https://hooks.slack.com/services"
        if "://" not in host:
            host = f"{conn.schema or 'https'}://{host}"
        return host.rstrip("/") + ("/" + token.lstrip("/") if token else "")

    def send_dict(self, body: Mapping[str, Any] | str, headers: Mapping[str, str] | None = None) -> Any:
        """POST the JSON body; a status other than 200 raises ``AirflowException``, as Airflow checks it."""
        import requests

        from .runtime import AirflowException  # runtime imports this module: bound when a post fails

        payload = json.loads(body) if isinstance(body, str) else dict(body)
        proxies = {"https": self.proxy, "http": self.proxy} if self.proxy else None
        response = requests.post(
            self._url(), json=payload, headers=dict(headers or {}), timeout=self.timeout or 30, proxies=proxies
        )
        if response.status_code != 200:
            raise AirflowException(
                f"Response body: {response.text!r}, Status Code: {response.status_code}. "
                "See the incoming webhook's documentation."
            )
        return response

    def send(
        self,
        *,
        text: str | None = None,
        blocks: list | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        headers: Mapping[str, str] | None = None,
        attachments: list | None = None,
        **kwargs: Any,
    ) -> Any:
        body = {
            "text": text,
            "attachments": attachments,
            "blocks": blocks,
            "response_type": response_type,
            "replace_original": replace_original,
            "delete_original": delete_original,
            "unfurl_links": unfurl_links,
            "unfurl_media": unfurl_media,
            **kwargs,  # the legacy fields: channel, username, icon_emoji, icon_url
        }
        return self.send_dict({k: v for k, v in body.items() if v is not None}, headers=headers)

    def send_text(self, text: str, *, unfurl_links: bool | None = None, unfurl_media: bool | None = None) -> Any:
        return self.send(text=text, unfurl_links=unfurl_links, unfurl_media=unfurl_media)

    def execute(self) -> None:
        """The older hook's call: post the message given to the constructor."""
        legacy = {
            "channel": self.channel,
            "username": self.username,
            "icon_emoji": self.icon_emoji,
            "icon_url": self.icon_url,
            "link_names": 1 if self.link_names else None,
        }
        self.send(text=self.message, attachments=self.attachments, blocks=self.blocks, **legacy)


class SSHHook(BaseHook):
    """Airflow's ``SSHHook`` on paramiko: host, port, login, password or key from the SSH connection.

    The extra may hold ``key_file``, ``private_key``, ``private_key_passphrase``, ``timeout``/``conn_timeout``,
    ``compress``, ``look_for_keys`` and ``no_host_key_check`` (default true, as Airflow: unknown host keys are
    accepted unless it is false, then they must be in the known hosts).
    """

    conn_name_attr = "ssh_conn_id"
    default_conn_name = "ssh_default"
    conn_type = "ssh"
    hook_name = "SSH"

    def __init__(
        self,
        ssh_conn_id: str | None = None,
        remote_host: str = "",
        username: str | None = None,
        password: str | None = None,
        key_file: str | None = None,
        port: int | None = None,
        timeout: int | None = None,
        conn_timeout: int | None = None,
        cmd_timeout: float | None = 10,
        keepalive_interval: int = 30,
        banner_timeout: float = 30.0,
        disabled_algorithms: dict | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self.ssh_conn_id = ssh_conn_id
        self.remote_host = remote_host
        self.username = username
        self.password = password
        self.key_file = key_file
        self.port = port
        self.conn_timeout = conn_timeout or timeout  # ``timeout``: Airflow's older name for it
        self.cmd_timeout = cmd_timeout
        self.keepalive_interval = keepalive_interval
        self.banner_timeout = banner_timeout
        self.disabled_algorithms = disabled_algorithms
        self.client: Any = None

    def _settings(self) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        values: dict[str, Any] = {"hostname": self.remote_host, "username": self.username, "port": self.port}
        if self.ssh_conn_id:
            conn = self.get_connection(self.ssh_conn_id)
            extra = conn.extra_dejson
            values = {
                "hostname": self.remote_host or conn.host,
                "username": self.username or conn.login,
                "port": self.port or conn.port,
                "password": self.password or conn.password,
            }
        else:
            values["password"] = self.password
        values["port"] = int(values["port"] or 22)
        values["timeout"] = self.conn_timeout or extra.get("conn_timeout") or extra.get("timeout") or 10
        values["compress"] = str(extra.get("compress", "true")).lower() == "true"
        values["look_for_keys"] = str(extra.get("look_for_keys", "true")).lower() == "true"
        values["banner_timeout"] = self.banner_timeout
        if self.disabled_algorithms:
            values["disabled_algorithms"] = self.disabled_algorithms
        key_file = self.key_file or extra.get("key_file")
        if key_file:
            values["key_filename"] = key_file
        if extra.get("private_key"):
            import io

            import paramiko

            text, passphrase = extra["private_key"], extra.get("private_key_passphrase")
            for kind in (paramiko.RSAKey, paramiko.ECDSAKey, paramiko.Ed25519Key):
                try:
                    values["pkey"] = kind.from_private_key(io.StringIO(text), password=passphrase)
                    break
                except paramiko.SSHException:
                    continue
            else:
                raise ValueError("The private_key of the SSH connection is not an RSA, ECDSA or Ed25519 key")
        values["_no_host_key_check"] = str(extra.get("no_host_key_check", "true")).lower() == "true"
        return values

    def get_conn(self) -> Any:
        """A connected ``paramiko.SSHClient`` (usable as a context manager, as with Airflow)."""
        import paramiko

        settings = self._settings()
        client = paramiko.SSHClient()
        if settings.pop("_no_host_key_check"):
            client.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # noqa: S507 - Airflow's default
        else:
            client.load_system_host_keys()
        if not settings.get("password"):
            settings.pop("password", None)
        client.connect(**settings)
        if self.keepalive_interval:
            client.get_transport().set_keepalive(self.keepalive_interval)
        self.client = client
        return client

    def __enter__(self) -> SSHHook:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def exec_ssh_client_command(
        self,
        ssh_client: Any,
        command: str,
        get_pty: bool = False,
        environment: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> tuple[int, bytes, bytes]:
        """Run ``command``; returns (exit status, stdout, stderr) as Airflow's hook does."""
        _, stdout, stderr = ssh_client.exec_command(
            command, get_pty=get_pty, timeout=timeout or self.cmd_timeout, environment=dict(environment or {})
        )
        out, err = stdout.read(), stderr.read()
        return stdout.channel.recv_exit_status(), out, err


class SFTPHook(SSHHook):
    """Airflow's ``SFTPHook`` on paramiko's SFTP client (the connection as ``SSHHook`` reads it)."""

    conn_name_attr = "ssh_conn_id"
    default_conn_name = "sftp_default"
    conn_type = "sftp"
    hook_name = "SFTP"

    def __init__(self, ssh_conn_id: str | None = "sftp_default", ssh_hook: SSHHook | None = None, **kwargs: Any):
        # Airflow's deprecated ``ftp_conn_id`` names the connection in ``ssh_conn_id``'s place.
        ssh_conn_id = kwargs.pop("ftp_conn_id", None) or ssh_conn_id
        super().__init__(ssh_conn_id=ssh_hook.ssh_conn_id if ssh_hook else ssh_conn_id, **kwargs)
        self.conn: Any = None

    def get_conn(self) -> Any:
        """An open ``paramiko.SFTPClient`` (the same one until ``close_conn``)."""
        if self.conn is None:
            self.conn = super().get_conn().open_sftp()
        return self.conn

    def close_conn(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.client is not None:
            self.client.close()
            self.client = None

    def describe_directory(self, path: str) -> dict[str, dict[str, Any]]:
        import stat

        files = {}
        for item in self.get_conn().listdir_attr(path):
            files[item.filename] = {
                "size": item.st_size,
                "type": "dir" if stat.S_ISDIR(item.st_mode) else "file",
                "modify": datetime.fromtimestamp(item.st_mtime).strftime("%Y%m%d%H%M%S"),
            }
        return files

    def list_directory(self, path: str) -> list[str]:
        return sorted(self.get_conn().listdir(path))

    def mkdir(self, path: str, mode: int = 0o777) -> None:
        self.get_conn().mkdir(path, mode=mode)

    def isdir(self, path: str) -> bool:
        import stat

        try:
            return stat.S_ISDIR(self.get_conn().stat(path).st_mode)
        except OSError:
            return False

    def isfile(self, path: str) -> bool:
        import stat

        try:
            return stat.S_ISREG(self.get_conn().stat(path).st_mode)
        except OSError:
            return False

    def create_directory(self, path: str, mode: int = 0o777) -> None:
        """Create ``path`` and its missing parents."""
        if self.isdir(path):
            return
        if self.isfile(path):
            raise ValueError(f"{path} already exists as a file")
        parent = os.path.dirname(path.rstrip("/"))
        if parent and parent != path:
            self.create_directory(parent, mode)
        self.mkdir(path, mode)

    def delete_directory(self, path: str) -> None:
        self.get_conn().rmdir(path)

    def retrieve_file(self, remote_full_path: str, local_full_path: str, prefetch: bool = True) -> None:
        self.get_conn().get(remote_full_path, local_full_path, prefetch=prefetch)

    def store_file(self, remote_full_path: str, local_full_path: str, confirm: bool = True) -> None:
        self.get_conn().put(local_full_path, remote_full_path, confirm=confirm)

    def delete_file(self, path: str) -> None:
        self.get_conn().remove(path)

    def get_mod_time(self, path: str) -> str:
        return datetime.fromtimestamp(self.get_conn().stat(path).st_mtime).strftime("%Y%m%d%H%M%S")

    def path_exists(self, path: str) -> bool:
        try:
            self.get_conn().stat(path)
        except OSError:
            return False
        return True

    def get_files_by_pattern(self, path: str, fnmatch_pattern: str) -> list[str]:
        import fnmatch

        return [name for name in self.list_directory(path) if fnmatch.fnmatch(name, fnmatch_pattern)]


class GCSHook(BaseHook):
    """Airflow's ``GCSHook`` on google-cloud-storage (credentials as ``support/gcp.py`` reads the connection).

    The connection's extra may hold ``key_path``, ``keyfile_dict`` and ``project``; without ``AIRFLOW_CONN_<ID>``,
    Application Default Credentials, as Airflow's default connection has none. Objects are named by bucket and
    object name, as in Airflow; the client honours ``STORAGE_EMULATOR_HOST``.
    """

    conn_name_attr = "gcp_conn_id"
    default_conn_name = "google_cloud_default"
    conn_type = "google_cloud_platform"
    hook_name = "Google Cloud Storage"

    def __init__(
        self, gcp_conn_id: str = "google_cloud_default", impersonation_chain: Any = None, **kwargs: Any
    ) -> None:
        super().__init__()
        self.gcp_conn_id = gcp_conn_id
        self.impersonation_chain = impersonation_chain
        self._client: Any = None

    def get_conn(self) -> Any:
        """The ``google.cloud.storage.Client``, made on first use."""
        if self._client is None:
            from . import gcp

            try:
                extra = self.get_connection(self.gcp_conn_id).extra_dejson
            except templates.ConnectionNotFound:
                extra = {}  # Application Default Credentials, as Airflow's google_cloud_default has no key
            self._client = gcp.storage_client(extra, self.impersonation_chain)
        return self._client

    def _blob(self, bucket_name: str, object_name: str) -> Any:
        return self.get_conn().bucket(bucket_name).blob(object_name)

    def exists(self, bucket_name: str, object_name: str, **kwargs: Any) -> bool:
        return self._blob(bucket_name, object_name).exists()

    def download(self, bucket_name: str, object_name: str, filename: str | None = None, **kwargs: Any) -> str | bytes:
        """The object's bytes; with ``filename``, the object written there and the file name."""
        blob = self._blob(bucket_name, object_name)
        if filename:
            blob.download_to_filename(filename)
            return filename
        return blob.download_as_bytes()

    def download_as_byte_array(self, bucket_name: str, object_name: str, **kwargs: Any) -> bytes:
        return self._blob(bucket_name, object_name).download_as_bytes()

    def upload(
        self,
        bucket_name: str,
        object_name: str,
        filename: str | None = None,
        data: str | bytes | None = None,
        mime_type: str | None = None,
        gzip: bool = False,
        encoding: str = "utf-8",
        metadata: Mapping[str, str] | None = None,
        cache_control: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Upload a file or ``data`` (text is encoded), gzip-compressed when asked; exactly one of the two. The
        content type, when not given, is the client's default (guessed from the file name; text/plain for data)."""
        import gzip as gz
        import shutil
        import tempfile

        if (filename is None) == (data is None):
            raise ValueError(
                "'filename' and 'data' parameter provided. Please specify a single parameter, either "
                "'filename' for local file uploads or 'data' for file content uploads."
            )
        blob = self._blob(bucket_name, object_name)
        if metadata:
            blob.metadata = dict(metadata)
        if cache_control:
            blob.cache_control = cache_control
        if data is not None:
            payload = data.encode(encoding) if isinstance(data, str) else data
            blob.upload_from_string(gz.compress(payload) if gzip else payload, content_type=mime_type)
            return
        if not gzip:
            blob.upload_from_filename(filename, content_type=mime_type)
            return
        with tempfile.TemporaryDirectory() as folder:  # Airflow compresses to <filename>.gz, uploads it, removes it
            compressed = os.path.join(folder, os.path.basename(str(filename)) + ".gz")
            with open(filename, "rb") as source, gz.open(compressed, "wb") as target:
                shutil.copyfileobj(source, target)
            blob.upload_from_filename(compressed, content_type=mime_type)

    def list(
        self,
        bucket_name: str,
        versions: bool | None = None,
        max_results: int | None = None,
        prefix: str | Sequence[str] | None = None,
        delimiter: str | None = None,
        **kwargs: Any,
    ) -> list[str]:
        """Object names under ``prefix`` (or each of a list of prefixes); with ``delimiter``, Airflow's rolled-up
        names (see ``gcp.list_objects``)."""
        from . import gcp

        prefixes = list(prefix) if isinstance(prefix, (list, tuple)) else [prefix]
        names: list[str] = []
        for one in prefixes:
            names += gcp.list_objects(self.get_conn(), bucket_name, one, delimiter)
        return names[:max_results] if max_results else names

    def delete(self, bucket_name: str, object_name: str) -> None:
        self._blob(bucket_name, object_name).delete()

    def get_size(self, bucket_name: str, object_name: str) -> int:
        blob = self.get_conn().bucket(bucket_name).get_blob(object_name)
        return blob.size

    def copy(
        self,
        source_bucket: str,
        source_object: str,
        destination_bucket: str | None = None,
        destination_object: str | None = None,
    ) -> None:
        """Copy an object; one of the destination's bucket or name must differ, as Airflow requires."""
        destination_bucket = destination_bucket or source_bucket
        destination_object = destination_object or source_object
        if (source_bucket, source_object) == (destination_bucket, destination_object):
            raise ValueError(
                f"Either source/destination bucket or source/destination object must be different, "
                f"not both the same: bucket={source_bucket}, object={source_object}"
            )
        client = self.get_conn()
        source = client.bucket(source_bucket)
        source.copy_blob(source.blob(source_object), client.bucket(destination_bucket), destination_object)

    def rewrite(
        self,
        source_bucket: str,
        source_object: str,
        destination_bucket: str,
        destination_object: str | None = None,
    ) -> None:
        """Copy through the rewrite API (any size, across locations and storage classes), as Airflow does."""
        destination_object = destination_object or source_object
        if (source_bucket, source_object) == (destination_bucket, destination_object):
            raise ValueError(
                f"Either source/destination bucket or source/destination object must be different, "
                f"not both the same: bucket={source_bucket}, object={source_object}"
            )
        source = self._blob(source_bucket, source_object)
        target = self._blob(destination_bucket, destination_object)
        token, _, _ = target.rewrite(source)
        while token is not None:
            token, _, _ = target.rewrite(source, token=token)


class FTPHook(BaseHook):
    """Airflow's ``FTPHook`` on ``ftplib``: the connection's host, port (default 21), login and the extras
    ``passive`` (default on; ``"false"``/``"0"``/``"no"``/``"off"`` turn it off) and ``encoding``."""

    conn_name_attr = "ftp_conn_id"
    default_conn_name = "ftp_default"
    conn_type = "ftp"
    hook_name = "FTP"

    def __init__(self, ftp_conn_id: str = "ftp_default") -> None:
        super().__init__()
        self.ftp_conn_id = ftp_conn_id
        self.conn: Any = None
        self.encoding: str | None = None

    def __enter__(self) -> FTPHook:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.conn is not None:
            self.close_conn()

    def get_conn(self) -> Any:
        """An open ``ftplib.FTP`` (the same one until ``close_conn``)."""
        import ftplib

        if self.conn is None:
            params = self.get_connection(self.ftp_conn_id)
            extra = params.extra_dejson
            passive = extra.get("passive", True)
            if isinstance(passive, str):
                passive = passive.strip().lower() not in ("false", "0", "no", "off")
            self.encoding = extra.get("encoding")
            self.conn = ftplib.FTP(encoding=self.encoding) if self.encoding else ftplib.FTP()
            if params.host:
                self.conn.connect(params.host, params.port if params.port is not None else ftplib.FTP_PORT)
                if params.login:
                    self.conn.login(params.login, params.password)
            self.conn.set_pasv(bool(passive))
        return self.conn

    def close_conn(self) -> None:
        conn, self.conn = self.conn, None
        conn.quit()

    def describe_directory(self, path: str) -> dict:
        return dict(self.get_conn().mlsd(path))

    def list_directory(self, path: str) -> list[str]:
        return self.get_conn().nlst(path)

    def create_directory(self, path: str) -> None:
        self.get_conn().mkd(path)

    def delete_directory(self, path: str) -> None:
        self.get_conn().rmd(path)

    def retrieve_file(
        self, remote_full_path: str, local_full_path_or_buffer: Any, callback: Callable | None = None, block_size=8192
    ) -> None:
        """Download to a path or a writable buffer (or hand each block to ``callback``)."""
        conn = self.get_conn()
        is_path = isinstance(local_full_path_or_buffer, str)
        handle = None
        if not callback:
            handle = open(local_full_path_or_buffer, "wb") if is_path else local_full_path_or_buffer
            callback = handle.write
        try:
            conn.retrbinary(f"RETR {remote_full_path}", callback, block_size)
        finally:
            if is_path and handle:
                handle.close()

    def store_file(self, remote_full_path: str, local_full_path_or_buffer: Any, block_size: int = 8192) -> None:
        """Upload a path or a readable buffer."""
        conn = self.get_conn()
        is_path = isinstance(local_full_path_or_buffer, str)
        handle = open(local_full_path_or_buffer, "rb") if is_path else local_full_path_or_buffer
        try:
            conn.storbinary(f"STOR {remote_full_path}", handle, block_size)
        finally:
            if is_path:
                handle.close()

    def delete_file(self, path: str) -> None:
        self.get_conn().delete(path)

    def rename(self, from_name: str, to_name: str) -> str:
        return self.get_conn().rename(from_name, to_name)

    def get_mod_time(self, path: str) -> datetime:
        value = self.get_conn().sendcmd("MDTM " + path)[4:]
        try:
            return datetime.strptime(value, "%Y%m%d%H%M%S.%f")
        except ValueError:
            return datetime.strptime(value, "%Y%m%d%H%M%S")

    def get_size(self, path: str) -> int | None:
        size = self.get_conn().size(path)
        return int(size) if size else None

    def test_connection(self) -> tuple[bool, str]:
        try:
            self.get_conn().pwd()
            return True, "Connection successfully tested"
        except Exception as exc:
            return False, str(exc)


def _airflow_major() -> int:
    return int(os.environ.get("AIRFLOW_MAJOR_VERSION", "2"))


class AirflowConfigException(Exception):
    """Airflow's error for a configuration option that is neither set nor has a default."""


# Airflow's defaults (config.yml) of the options copied code and send_email read; any other option must be set.
_CONFIG_DEFAULTS: dict[tuple[str, str], str] = {
    ("smtp", "smtp_host"): "localhost",
    ("smtp", "smtp_starttls"): "True",
    ("smtp", "smtp_ssl"): "False",
    ("smtp", "smtp_port"): "25",
    ("smtp", "smtp_mail_from"): "airflow@example.com",
    ("smtp", "smtp_timeout"): "30",
    ("smtp", "smtp_retry_limit"): "5",
    ("email", "email_backend"): "airflow.utils.email.send_email_smtp",
    ("email", "email_conn_id"): "smtp_default",
    ("email", "default_email_on_retry"): "True",
    ("email", "default_email_on_failure"): "True",
    ("email", "ssl_context"): "default",
    ("core", "default_timezone"): "utc",
}
_CONFIG_DEFAULTS_2 = {("webserver", "base_url"): "http://localhost:8080"}  # Airflow 3 has no default base URL
_CONFIG_RENAMED_3 = {("webserver", "base_url"): ("api", "base_url")}  # Airflow 3 reads the old name from the new


class AirflowConfigParser:
    """``airflow.configuration.conf``: an option is ``AIRFLOW__<SECTION>__<KEY>`` (or ``…_CMD``, a command whose
    output is the value), else Airflow's default, else ``fallback``, else ``AirflowConfigException``."""

    def _lookup(self, section: str, key: str) -> str | None:
        import subprocess

        section, key = section.lower(), key.lower()
        if _airflow_major() >= 3:
            section, key = _CONFIG_RENAMED_3.get((section, key), (section, key))
        name = f"AIRFLOW__{section.upper()}__{key.upper()}"
        if name in os.environ:
            return os.environ[name]
        if f"{name}_CMD" in os.environ:
            command = os.environ[f"{name}_CMD"]
            return subprocess.run(command, shell=True, check=True, capture_output=True, text=True).stdout.strip()
        defaults = _CONFIG_DEFAULTS | (_CONFIG_DEFAULTS_2 if _airflow_major() < 3 else {})
        return defaults.get((section, key))

    def get(self, section: str, key: str, fallback: Any = templates.NOTSET, **kwargs: Any) -> Any:
        value = self._lookup(section, key)
        if value is not None:
            return value
        if fallback is not templates.NOTSET:
            return fallback
        raise AirflowConfigException(
            f"section/key [{section}/{key}] not found in config: set AIRFLOW__{section.upper()}__{key.upper()}"
        )

    def get_mandatory_value(self, section: str, key: str, **kwargs: Any) -> str:
        value = self.get(section, key, **kwargs)
        if value is None:
            raise ValueError(f"The value {section}/{key} should be set!")
        return value

    def has_option(self, section: str, option: str) -> bool:
        return self._lookup(section, option) is not None

    def getboolean(self, section: str, key: str, fallback: Any = templates.NOTSET, **kwargs: Any) -> bool:
        value = self.get(section, key, fallback=fallback)
        if isinstance(value, bool) or value is None:
            return value
        text = str(value).lower().strip().split("#", 1)[0].strip()
        if text in ("t", "true", "1"):
            return True
        if text in ("f", "false", "0"):
            return False
        raise AirflowConfigException(
            f'Failed to convert value to bool. Please check "{key}" key in "{section}" section. '
            f'Current value: "{value}".'
        )

    def getint(self, section: str, key: str, fallback: Any = templates.NOTSET, **kwargs: Any) -> int:
        value = self.get(section, key, fallback=fallback)
        return value if value is None else int(value)

    def getfloat(self, section: str, key: str, fallback: Any = templates.NOTSET, **kwargs: Any) -> float:
        value = self.get(section, key, fallback=fallback)
        return value if value is None else float(value)


conf = AirflowConfigParser()


def _addresses(value: str | Iterable[str]) -> list[str]:
    """Airflow's ``get_email_address_list``: a string split on ``,`` or ``;``, or the strings of an iterable."""
    if isinstance(value, str):
        return re.split(r"\s*[,;]\s*", value)
    items = list(value)
    if not all(isinstance(item, str) for item in items):
        raise TypeError("The items in your iterable must be strings.")
    return items


def send_email(
    to: str | Iterable[str],
    subject: str,
    html_content: str,
    files: list[str] | None = None,
    dryrun: bool = False,
    cc: str | Iterable[str] | None = None,
    bcc: str | Iterable[str] | None = None,
    mime_subtype: str = "mixed",
    mime_charset: str = "utf-8",
    conn_id: str | None = None,
    custom_headers: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> None:
    """``airflow.utils.email.send_email`` with Airflow's SMTP backend.

    The server comes from ``[smtp]`` (``AIRFLOW__SMTP__*``), the login and password from the connection
    ``conn_id`` (``[email] email_conn_id``, default ``smtp_default``) when it is defined, the sender from
    ``[smtp] smtp_mail_from``; a refused connection is retried ``smtp_retry_limit`` times."""
    import smtplib
    import ssl
    from email.mime.application import MIMEApplication
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText
    from email.utils import formatdate

    backend = conf.get("email", "email_backend")
    if backend.rsplit(".", 1)[-1] != "send_email_smtp":
        raise AirflowConfigException(f"[email] email_backend {backend} has no equivalent here (only send_email_smtp)")
    conn_id = conn_id or conf.get("email", "email_conn_id")
    mail_from = conf.get("smtp", "smtp_mail_from", fallback=None) or conf.get("email", "from_email", fallback=None)
    if mail_from is None:
        raise ValueError("You should set from email - either by smtp/smtp_mail_from config or `from_email` parameter")
    recipients = _addresses(to)
    msg = MIMEMultipart(mime_subtype)
    msg["Subject"] = subject
    msg["From"] = mail_from
    msg["To"] = ", ".join(recipients)
    if cc:
        msg["CC"] = ", ".join(_addresses(cc))
        recipients += _addresses(cc)
    if bcc:
        recipients += _addresses(bcc)
    msg["Date"] = formatdate(localtime=True)
    msg.attach(MIMEText(html_content, "html", mime_charset))
    for name in files or []:
        basename = os.path.basename(name)
        with open(name, "rb") as handle:
            part = MIMEApplication(handle.read(), Name=basename)
        part["Content-Disposition"] = f'attachment; filename="{basename}"'
        part["Content-ID"] = f"<{basename}>"
        msg.attach(part)
    for header, value in (custom_headers or {}).items():
        msg[header] = value
    host = conf.get_mandatory_value("smtp", "smtp_host")
    port = conf.getint("smtp", "smtp_port")
    starttls, with_ssl = conf.getboolean("smtp", "smtp_starttls"), conf.getboolean("smtp", "smtp_ssl")
    retries, timeout = conf.getint("smtp", "smtp_retry_limit"), conf.getint("smtp", "smtp_timeout")
    user = password = None
    try:
        connection = Connection.get_connection_from_secrets(conn_id)
        user, password = connection.login, connection.password
    except templates.ConnectionNotFound:
        pass  # Airflow logs in without authentication
    if dryrun:
        return
    context = conf.get("email", "ssl_context")
    if context not in ("default", "none"):
        raise RuntimeError(
            f"The email.ssl_context configuration variable must be set to 'default' or 'none' and is '{context}."
        )
    for attempt in range(retries + 1):
        try:
            if with_ssl:
                smtp = smtplib.SMTP_SSL(
                    host, port, timeout=timeout, context=ssl.create_default_context() if context == "default" else None
                )
            else:
                smtp = smtplib.SMTP(host, port, timeout=timeout)
        except smtplib.SMTPServerDisconnected:
            if attempt == retries:
                raise
            continue
        if starttls:
            smtp.starttls(context=ssl.create_default_context() if context == "default" else None)
        if user and password:
            smtp.login(user, password)
        smtp.sendmail(mail_from, recipients, msg.as_string())
        smtp.quit()
        return


class SlackHook(BaseHook):
    """The Slack provider's ``SlackHook`` calling the Slack Web API with requests: ``call(api_method, json=...)``
    POSTs to ``<base_url>/<api_method>`` with the token given (the older hooks' ``token=``) or the connection's
    password, the base URL ``base_url`` (the connection's ``base_url`` extra, else Slack's); it returns the reply's
    JSON (a dict, where slack_sdk gives a ``SlackResponse`` read the same way by key), and a reply whose ``ok`` is
    false raises naming Slack's error, as slack_sdk's ``SlackApiError`` does."""

    conn_name_attr = "slack_conn_id"
    default_conn_name = "slack_api_default"
    conn_type = "slack"
    hook_name = "Slack API"

    def __init__(
        self,
        token: str | None = None,
        slack_conn_id: str | None = None,
        base_url: str | None = None,
        timeout: int | None = None,
        proxy: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self.token, self.slack_conn_id = token, slack_conn_id or self.default_conn_name
        self.base_url, self.timeout, self.proxy = base_url, timeout, proxy

    def call(self, api_method: str, **kwargs: Any) -> dict:
        import requests

        token, extra = self.token, {}
        if token is None:
            conn = self.get_connection(self.slack_conn_id)
            token, extra = conn.password, conn.extra_dejson
        base = self.base_url or extra.get("base_url") or extra.get("extra__slack__base_url") or "https://slack.com/api/"
        timeout = self.timeout or extra.get("timeout") or extra.get("extra__slack__timeout") or 30
        proxies = {"https": self.proxy, "http": self.proxy} if self.proxy else None
        response = requests.request(
            kwargs.get("http_verb", "POST"),
            base.rstrip("/") + "/" + api_method,
            json=kwargs.get("json"),
            data=kwargs.get("data"),
            params=kwargs.get("params"),
            files=kwargs.get("files"),
            headers={**dict(kwargs.get("headers") or {}), "Authorization": f"Bearer {token or ''}"},
            timeout=int(timeout),
            proxies=proxies,
        )
        response.raise_for_status()
        body = response.json()
        if not body.get("ok"):
            raise RuntimeError(f"The request to the Slack API failed: {body.get('error')!r} (method {api_method})")
        return body


_SLACK_TEXT = "No message has been set.\nHere is a cat video instead\nhttps://www.youtube.com/watch?v=J---aiyznGQ"
_SLACK_ICON = "https://raw.githubusercontent.com/apache/airflow/main/airflow/www/static/pin_100.png"


class SlackAPIPostOperator:
    """The Slack provider's ``SlackAPIPostOperator`` built and executed inside a callable: ``execute`` posts
    ``chat.postMessage`` to the Slack Web API with the connection's token (its password) and base URL (its
    ``base_url`` extra, default ``https://slack.com/api/``), as the provider's ``SlackHook`` does; a reply
    whose ``ok`` is false raises. Also the base of an estate subclass replacing ``execute`` (run by
    ``run_operator``): its ``template_fields`` are the provider's, and ``log`` a logger."""

    template_fields: Sequence[str] = ("username", "text", "attachments", "blocks", "channel")

    def __init__(
        self,
        *,
        slack_conn_id: str = "slack_api_default",
        method: str = "chat.postMessage",
        api_params: Mapping[str, Any] | None = None,
        channel: str = "#general",
        username: str = "Airflow",
        text: str = _SLACK_TEXT,
        icon_url: str = _SLACK_ICON,
        attachments: list | None = None,
        blocks: list | None = None,
        base_url: str | None = None,
        timeout: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.base_url, self.timeout = base_url, timeout
        self.slack_conn_id, self.method, self.api_params = slack_conn_id, method, dict(api_params or {})
        self.channel, self.username, self.text, self.icon_url = channel, username, text, icon_url
        self.attachments, self.blocks = attachments or [], blocks or []
        self.task_id = kwargs.get("task_id")
        self.log = logging.getLogger(f"airflow.task.operators.{type(self).__name__}")

    def construct_api_call_params(self) -> None:
        self.api_params = {
            "channel": self.channel,
            "username": self.username,
            "text": self.text,
            "icon_url": self.icon_url,
            "attachments": json.dumps(self.attachments),
            "blocks": json.dumps(self.blocks),
        }

    def execute(self, context: Any = None, **kwargs: Any) -> None:
        import requests

        if not self.api_params:
            self.construct_api_call_params()
        conn = templates.get_connection(self.slack_conn_id, airflow_major=_airflow_major())
        extra = conn.extra_dejson
        base = self.base_url or extra.get("base_url") or extra.get("extra__slack__base_url") or "https://slack.com/api/"
        timeout = self.timeout or extra.get("timeout") or extra.get("extra__slack__timeout") or 30
        response = requests.post(
            base.rstrip("/") + "/" + self.method,
            json=self.api_params,
            headers={"Authorization": f"Bearer {conn.password}"},
            timeout=int(timeout),
        )
        response.raise_for_status()
        body = response.json()
        if not body.get("ok"):
            raise RuntimeError(f"The request to the Slack API failed: {body.get('error')!r} (method {self.method})")


class _AirflowModule:
    """An Airflow module a callable imports whole (``ssh.SSHHook``): the support classes of its names; any other
    name of it fails naming itself (the plan marks a task NONE when it sees the use)."""

    def __init__(self, name: str, members: Mapping[str, Any]) -> None:
        self.__name__ = name
        self.__dict__.update(members)

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        raise _NoEquivalent(f"{self.__name__}.{attribute} is Airflow's and has no equivalent in support/hooks.py")


def airflow_module(name: str, **members: Any) -> Any:
    """The stand-in of the Airflow module ``name`` holding ``members`` (the generated logic binds it)."""
    return _AirflowModule(name, members)


def _default_output_processor(results: list[Any], descriptions: list[Any]) -> list[Any]:
    return results


class SQLExecuteQueryOperator:
    """``common.sql``'s ``SQLExecuteQueryOperator`` built and executed inside a callable: ``execute`` runs the SQL
    through the hook of the connection's type (``postgres``, ``mysql``, ``sqlite``: the classes above), with
    ``database`` as the Postgres database or the other hooks' schema, and returns what Airflow's returns (the
    last statement's rows for one string of SQL, else a list per statement; None without ``do_xcom_push``)."""

    def __init__(
        self,
        *,
        sql: str | list[str],
        autocommit: bool = False,
        parameters: Any = None,
        handler: Callable[[Any], Any] = fetch_all_handler,
        output_processor: Callable[[list[Any], list[Any]], Any] | None = None,
        conn_id: str | None = None,
        database: str | None = None,
        split_statements: bool | None = None,
        return_last: bool = True,
        requires_result_fetch: bool = False,
        hook_params: Mapping[str, Any] | None = None,
        do_xcom_push: bool = True,
        **kwargs: Any,
    ) -> None:
        self.sql, self.autocommit, self.parameters, self.handler = sql, autocommit, parameters, handler
        self.output_processor = output_processor or _default_output_processor
        self.conn_id, self.database, self.hook_params = conn_id, database, dict(hook_params or {})
        self.split_statements, self.return_last = split_statements, return_last
        self.requires_result_fetch, self.do_xcom_push = requires_result_fetch, do_xcom_push
        self.task_id = kwargs.get("task_id")

    def get_db_hook(self) -> DbApiHook:
        conn = templates.get_connection(self.conn_id or "", airflow_major=_airflow_major())
        hook_class = {"postgres": PostgresHook, "mysql": MySqlHook, "sqlite": SqliteHook}.get(conn.conn_type or "")
        if hook_class is None:
            raise _NoEquivalent(
                f"SQLExecuteQueryOperator: connection {self.conn_id!r} is of type {conn.conn_type!r}, "
                "whose hook has no equivalent in support/hooks.py (postgres, mysql and sqlite do)"
            )
        hook = hook_class(**{hook_class.conn_name_attr: self.conn_id}, **self.hook_params)
        if self.database:
            if hook.conn_type == "postgres":
                hook.database = self.database
            else:
                hook.schema = self.database
        return hook

    def execute(self, context: Any = None) -> Any:
        hook = self.get_db_hook()
        extra = {"split_statements": self.split_statements} if self.split_statements is not None else {}
        fetch = self.do_xcom_push or self.requires_result_fetch
        output = hook.run(
            sql=self.sql,
            autocommit=self.autocommit,
            parameters=self.parameters,
            handler=self.handler if fetch else None,
            return_last=self.return_last,
            **extra,
        )
        if not self.do_xcom_push:
            return None
        split = self.split_statements
        single = isinstance(self.sql, str) and (self.return_last or (split is not None and not split))
        if single:
            return self.output_processor([output], hook.descriptions)[-1]
        return self.output_processor(output, hook.descriptions)


# Airflow's simple values, the same outside Airflow: the key of a task's returned XCom, the default time zone
# (airflow.settings.TIMEZONE, from [core] default_timezone as Airflow reads it), the web UI's renderer names.
XCOM_RETURN_KEY = "return_value"


def _default_timezone() -> Any:
    """``airflow.settings.TIMEZONE``: pendulum's zone of ``[core] default_timezone`` ("system": the host's)."""
    name = conf.get("core", "default_timezone", fallback="utc")
    try:
        import pendulum
    except ImportError:  # pragma: no cover - pendulum comes with the estate code that uses TIMEZONE
        from zoneinfo import ZoneInfo

        if name == "system":
            return datetime.now().astimezone().tzinfo
        return ZoneInfo("UTC" if name.lower() == "utc" else name)
    return pendulum.local_timezone() if name == "system" else pendulum.timezone(name)


TIMEZONE = _default_timezone()

_RENDERERS = (
    "bash bash_command doc doc_json doc_md doc_rst doc_yaml hql html jinja json md mysql postgresql powershell py "
    "python_callable rst sql tsql yaml"
).split()


def get_attr_renderer() -> dict[str, Any]:
    """``airflow.www.utils.get_attr_renderer``: the web UI's renderer names (``template_fields_renderers``); each
    renders as plain text here, since Dagster shows no Airflow UI."""
    return dict.fromkeys(_RENDERERS, str)


# ``airflow.utils.timezone``: the same functions over the zone of ``[core] default_timezone`` (TIMEZONE), which
# stands for naive values as in Airflow (standard-library datetimes: pendulum is not needed on the Dagster side).
def utcnow() -> datetime:
    return datetime.now(tz=UTC)


def is_localized(value: datetime) -> bool:
    return value.utcoffset() is not None


def is_naive(value: datetime) -> bool:
    return value.utcoffset() is None


def convert_to_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if is_naive(value):
        value = make_aware(value)
    return value.astimezone(UTC)


def make_aware(value: datetime | None, timezone: Any = None) -> datetime | None:
    zone = TIMEZONE if timezone is None else timezone
    if not value:
        return None
    if is_localized(value):
        raise ValueError(f"make_aware expects a naive datetime, got {value}")
    value = value.replace(fold=1)  # a clock moved back: the second of the two equal wall times, as Airflow
    if getattr(zone, "localize", None) is not None:  # pytz
        return zone.localize(value)
    if getattr(zone, "convert", None) is not None:  # pendulum
        return zone.convert(value)
    return value.replace(tzinfo=zone)


def make_naive(value: datetime, timezone: Any = None) -> datetime:
    zone = TIMEZONE if timezone is None else timezone
    if is_naive(value):
        raise ValueError("make_naive() cannot be applied to a naive datetime")
    local = value.astimezone(zone)
    return datetime(local.year, local.month, local.day, local.hour, local.minute, local.second, local.microsecond)


def timezone_datetime(*args: Any, **kwargs: Any) -> datetime:
    """``airflow.utils.timezone.datetime``: a datetime in TIMEZONE unless ``tzinfo`` is given."""
    kwargs.setdefault("tzinfo", TIMEZONE)
    return datetime(*args, **kwargs)


# Airflow's metadata database, the one table the Dagster side has: its connections, the AIRFLOW_CONN_<ID>
# variables. ``with create_session() as session: session.query(Connection).filter(Connection.conn_id == "x")``
# counts, finds or lists them; nothing is ever written (a session has no ``add``/``delete``/``merge``, so a task
# whose code calls one stays in Airflow), and a query of any other table fails naming it.
class _Condition:
    def __init__(self, column: str, operator: str, value: Any) -> None:
        self.column, self.operator, self.value = column, operator, value

    def holds(self, row: Any) -> bool:
        actual = getattr(row, self.column, None)
        if self.operator == "==":
            return actual == self.value
        if self.operator == "!=":
            return actual != self.value
        return actual in self.value


class _Column:
    """``Connection.conn_id`` read on the class: a column whose comparisons are conditions of a query."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        raise AttributeError(self.name)  # an instance's own value shadows the column

    def __eq__(self, value: Any) -> Any:
        return _Condition(self.name, "==", value)

    def __ne__(self, value: Any) -> Any:
        return _Condition(self.name, "!=", value)

    def in_(self, values: Iterable[Any]) -> _Condition:
        return _Condition(self.name, "in", tuple(values))

    __hash__ = object.__hash__


for _name in ("conn_id", "conn_type", "host", "schema", "login", "port", "description"):
    setattr(Connection, _name, _Column(_name))


def _environment_connections(conditions: tuple[_Condition, ...]) -> list[templates.Connection]:
    """The connections AIRFLOW_CONN_<ID> defines: the one a ``conn_id ==`` condition names, else all of them."""
    major = _airflow_major()
    named = [c.value for c in conditions if c.column == "conn_id" and c.operator == "==" and isinstance(c.value, str)]
    if named:
        found = []
        for conn_id in dict.fromkeys(named):
            try:
                found.append(templates.get_connection(conn_id, airflow_major=major))
            except templates.ConnectionNotFound:
                continue
        return found
    prefix = "AIRFLOW_CONN_"
    return [
        templates.parse_connection(name[len(prefix) :].lower(), value, airflow_major=major)
        for name, value in sorted(os.environ.items())
        if name.startswith(prefix) and len(name) > len(prefix)
    ]


class Query:
    """``session.query(Connection)``, filtered: the rows are the connections the Dagster side has."""

    def __init__(self, conditions: tuple[_Condition, ...] = ()) -> None:
        self._conditions = conditions

    def filter(self, *conditions: Any) -> Query:
        for condition in conditions:
            if not isinstance(condition, _Condition):
                raise _NoEquivalent(f"a query filter other than a column comparison: {condition!r}")
        return Query(self._conditions + conditions)

    def filter_by(self, **values: Any) -> Query:
        return self.filter(*(_Condition(column, "==", value) for column, value in values.items()))

    def all(self) -> list[templates.Connection]:
        rows = _environment_connections(self._conditions)
        return [row for row in rows if all(condition.holds(row) for condition in self._conditions)]

    def count(self) -> int:
        return len(self.all())

    def first(self) -> templates.Connection | None:
        rows = self.all()
        return rows[0] if rows else None

    def one_or_none(self) -> templates.Connection | None:
        from sqlalchemy.exc import MultipleResultsFound

        rows = self.all()
        if len(rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when one or none was required")
        return rows[0] if rows else None

    def one(self) -> templates.Connection:
        from sqlalchemy.exc import NoResultFound

        row = self.one_or_none()
        if row is None:
            raise NoResultFound("No row was found when one was required")
        return row

    def __iter__(self) -> Any:
        return iter(self.all())


class Session:
    """A session of Airflow's metadata database reduced to what the Dagster side has: ``query(Connection)``."""

    def query(self, model: Any) -> Query:
        if not (isinstance(model, type) and issubclass(model, templates.Connection)):
            name = getattr(model, "__name__", repr(model))
            raise _NoEquivalent(
                f"session.query({name}) reads Airflow's metadata database, which Dagster has no copy of"
            )
        return Query()

    def commit(self) -> None:
        """Nothing to write: a session here only reads."""

    def rollback(self) -> None:
        """Nothing was written."""

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None


# ``with create_session() as session``: Airflow's context manager, a session that needs no commit here.
create_session = Session
