"""AWS: the S3 object and bucket operators, SQS publish and sensor, SNS publish, through the hooks' boto3.

Each asset does what the operator's ``execute`` does, with the same hook methods: the support package's
``S3Hook``/``SqsHook``/``SnsHook`` read credentials, region and ``endpoint_url`` from
``AIRFLOW_CONN_<AWS_CONN_ID>`` as Airflow's ``AwsBaseHook`` does (boto3's own chain when the variable is unset or
``aws_conn_id=None``), so one environment configures both. Templated fields are rendered as Airflow renders them.
"""

from __future__ import annotations

from typing import Any

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
    worse,
)
from converters.rules.sensors import SENSOR_ARGS, _poll

AWS_ARGS = {"aws_conn_id", "region_name", "verify"}


class _AwsRule:
    """The shared opening: a literal connection id (or None), the arguments the operator needs, the hook."""

    disposition: str
    hook: str = "S3Hook"
    kind: str = "s3"
    what: str = ""
    required: tuple[str, ...] = ()  # arguments without which the operator does nothing
    templated: tuple[str, ...] = ()  # the operator's template_fields
    reason: str = ""
    consumes: frozenset[str] = frozenset()

    def translate(self, task: TaskInput) -> Translation:
        conn_id = task.args.get("aws_conn_id", "aws_default")
        # Without a literal connection id (None is one: boto3's chain) we can't know which account it uses.
        if conn_id is not None and not isinstance(conn_id, str):
            return Translation(NONE, f"the AWS connection id of the {self.what} is not a literal")
        missing = [a for a in self.required if task.args.get(a) is None]
        # Without the arguments the operator acts on there is nothing to do.
        if missing:
            return Translation(NONE, f"the {self.what} has no literal {' or '.join(missing)}")
        t = Translation(self.disposition, self.reason, kinds=(self.kind,))
        pulled = template_xcoms([task.args.get(a) for a in self.templated])
        # Pulls from tasks known only at run time can't become asset inputs.
        if pulled is None:
            return Translation(NONE, f"the {self.what}'s templates pull XComs from tasks known only at run time")
        if pulled:
            t.disposition = worse(t.disposition, JUDG)
            t.notes.append("ti.xcom_pull in a template reads the upstream assets' values (" + ", ".join(pulled) + ")")
            t.inputs.extend(pulled)
        code = Code(t)
        t.imports.add(f"from ..support.hooks import {self.hook}")
        t.support.add("render")
        try:
            options = [f"aws_conn_id={code.value(conn_id)}"]
            options += [f"{a}={code.value(task.args[a])}" for a in ("region_name", "verify") if a in task.args]
            t.body.append(f"hook = {self.hook}({', '.join(options)})")
            self.body(task, t, _Writer(task, code))
        except Untranslatable as exc:
            # If an argument can't be written as code, the asset can't act on the same objects.
            return Translation(NONE, f"the {self.what} {exc}")
        t.consumed |= AWS_ARGS | set(self.required) | set(self.templated) | self.consumes
        return t

    def body(self, task: TaskInput, t: Translation, w: _Writer) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class _Writer:
    """Arguments as code: ``rendered`` for template fields, ``plain`` for the others (their default if unset)."""

    def __init__(self, task: TaskInput, code: Code) -> None:
        self.args, self.code = task.args, code

    def rendered(self, name: str, default: Any = None) -> str:
        value = self.args.get(name, default)
        if value is None or isinstance(value, (bool, int, float)):  # nothing to render
            return self.code.value(value)
        return f"render({self.code.value(value)}, airflow, DAG, template_ext=())"

    def plain(self, name: str, default: Any = None) -> str:
        return self.code.value(self.args.get(name, default))


class S3List(_AwsRule, Rule):
    """What it does: lists the keys under the rendered bucket and prefix with ``S3Hook.list_keys``; the keys are
    the asset value (Airflow's XCom).

    Why: the listing is the task: ``delimiter`` and ``apply_wildcard`` (match the prefix as a glob) are passed as
    S3ListOperator passes them, through the AWS connection of ``AIRFLOW_CONN_<AWS_CONN_ID>``.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.amazon.aws.operators.s3 import S3ListOperator

    with DAG("landing", schedule="@daily", start_date=datetime(2024, 1, 1)):
        S3ListOperator(task_id="list_drops", bucket="partner-drops", prefix="in/{{ ds }}/", delimiter="/")
    ```

    Becomes:
    ```python
    # landing.py:7 · task list_drops · rule aws.s3_list · MECH
    @task_asset(
        DAG,
        "list_drops",
        key=["landing", "list_drops"],
        group_name="landing",
        kinds={"s3"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "landing.py:7",
            "airflow/task_id": "list_drops",
            "airflow/operator": "airflow.providers.amazon.aws.operators.s3.S3ListOperator",
            "airflow/rule": "aws.s3_list",
            "airflow/disposition": "MECH",
            "airflow/reason": "the same listing through the AWS connection",
        },
    )
    def list_drops(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "list_drops")
        hook = S3Hook(aws_conn_id="aws_default")
        return hook.list_keys(
            bucket_name=render("partner-drops", airflow, DAG, template_ext=()),
            prefix=render("in/{{ ds }}/", airflow, DAG, template_ext=()),
            delimiter=render("/", airflow, DAG, template_ext=()),
            apply_wildcard=False,
        )
    ```
    """

    name = "aws.s3_list"
    operators = canonical("S3ListOperator")
    what = "S3 listing"
    required = ("bucket",)
    templated = ("bucket", "prefix", "delimiter")
    reason = "the same listing through the AWS connection"
    consumes = frozenset({"apply_wildcard"})
    emits = "an asset listing the rendered bucket/prefix through S3Hook; the keys are its value"

    def body(self, task: TaskInput, t: Translation, w: _Writer) -> None:
        wildcard = w.plain("apply_wildcard", False)
        t.body.append(
            f"return hook.list_keys(bucket_name={w.rendered('bucket')}, prefix={w.rendered('prefix', '')}, "
            f"delimiter={w.rendered('delimiter', '')}, apply_wildcard={wildcard})"
        )


class S3CopyObject(_AwsRule, Rule):
    """What it does: copies the rendered source object to the rendered destination with ``S3Hook.copy_object``.

    Why: the copy is the task; keys may be ``s3://`` URLs or keys with bucket names, the version, ACL and metadata
    directive are passed as S3CopyObjectOperator passes them.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.amazon.aws.operators.s3 import S3CopyObjectOperator

    with DAG("landing", schedule="@daily", start_date=datetime(2024, 1, 1)):
        S3CopyObjectOperator(
            task_id="archive",
            source_bucket_key="s3://partner-drops/in/{{ ds }}/orders.csv",
            dest_bucket_key="s3://archive/orders/{{ ds }}.csv",
        )
    ```

    Becomes:
    ```python
    # landing.py:7 · task archive · rule aws.s3_copy_object · MECH
    @task_asset(
        DAG,
        "archive",
        key=["landing", "archive"],
        group_name="landing",
        kinds={"s3"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "landing.py:7",
            "airflow/task_id": "archive",
            "airflow/operator": "airflow.providers.amazon.aws.operators.s3.S3CopyObjectOperator",
            "airflow/rule": "aws.s3_copy_object",
            "airflow/disposition": "MECH",
            "airflow/reason": "the same copy through the AWS connection",
        },
    )
    def archive(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "archive")
        hook = S3Hook(aws_conn_id="aws_default")
        hook.copy_object(
            render("s3://partner-drops/in/{{ ds }}/orders.csv", airflow, DAG, template_ext=()),
            render("s3://archive/orders/{{ ds }}.csv", airflow, DAG, template_ext=()),
            None,
            None,
        )
    ```
    """

    name = "aws.s3_copy_object"
    operators = canonical("S3CopyObjectOperator")
    what = "S3 copy"
    required = ("source_bucket_key", "dest_bucket_key")
    templated = ("source_bucket_key", "dest_bucket_key", "source_bucket_name", "dest_bucket_name")
    reason = "the same copy through the AWS connection"
    consumes = frozenset({"source_version_id", "acl_policy", "meta_data_directive"})
    emits = "an asset copying the rendered source object to the rendered destination through S3Hook"

    def body(self, task: TaskInput, t: Translation, w: _Writer) -> None:
        arguments = [w.rendered(a) for a in self.templated]
        arguments += [f"{a}={w.plain(a)}" for a in sorted(self.consumes) if a in task.args]
        t.body.append(f"hook.copy_object({', '.join(arguments)})")


class S3DeleteObjects(_AwsRule, Rule):
    """What it does: deletes the rendered keys, or the keys listed under the prefix (and between the datetimes),
    from the rendered bucket with ``S3Hook.delete_objects``.

    Why: S3DeleteObjectsOperator's behaviour: an empty key list deletes nothing, a prefix is listed first.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.amazon.aws.operators.s3 import S3DeleteObjectsOperator

    with DAG("landing", schedule="@daily", start_date=datetime(2024, 1, 1)):
        S3DeleteObjectsOperator(task_id="clean_drops", bucket="partner-drops", prefix="in/{{ ds }}/")
    ```

    Becomes:
    ```python
    # landing.py:7 · task clean_drops · rule aws.s3_delete_objects · MECH
    @task_asset(
        DAG,
        "clean_drops",
        key=["landing", "clean_drops"],
        group_name="landing",
        kinds={"s3"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "landing.py:7",
            "airflow/task_id": "clean_drops",
            "airflow/operator": "airflow.providers.amazon.aws.operators.s3.S3DeleteObjectsOperator",
            "airflow/rule": "aws.s3_delete_objects",
            "airflow/disposition": "MECH",
            "airflow/reason": "the same deletion through the AWS connection",
        },
    )
    def clean_drops(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "clean_drops")
        hook = S3Hook(aws_conn_id="aws_default")
        bucket = render("partner-drops", airflow, DAG, template_ext=())
        keys = hook.list_keys(bucket_name=bucket, prefix=render("in/{{ ds }}/", airflow, DAG, template_ext=()))
        if keys:
            hook.delete_objects(bucket=bucket, keys=keys)
    ```
    """

    name = "aws.s3_delete_objects"
    operators = canonical("S3DeleteObjectsOperator")
    what = "S3 delete"
    required = ("bucket",)
    templated = ("keys", "bucket", "prefix", "from_datetime", "to_datetime")
    reason = "the same deletion through the AWS connection"
    emits = "an asset deleting the rendered keys (or those under the prefix) through S3Hook"

    def body(self, task: TaskInput, t: Translation, w: _Writer) -> None:
        t.body.append(f"bucket = {w.rendered('bucket')}")
        if task.args.get("keys") is not None:
            t.body.append(f"keys = {w.rendered('keys')}")
        else:
            listed = [f"bucket_name=bucket, prefix={w.rendered('prefix')}"]
            listed += [f"{a}={w.rendered(a)}" for a in ("from_datetime", "to_datetime") if a in task.args]
            t.body.append(f"keys = hook.list_keys({', '.join(listed)})")
        t.body += ["if keys:", "    hook.delete_objects(bucket=bucket, keys=keys)"]


class S3CreateBucket(_AwsRule, Rule):
    """What it does: creates the rendered bucket (in ``region_name``) unless it exists.

    Why: S3CreateBucketOperator checks for the bucket first and only logs when it is there; so does the asset.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.amazon.aws.operators.s3 import S3CreateBucketOperator

    with DAG("setup", schedule=None, start_date=datetime(2024, 1, 1)):
        S3CreateBucketOperator(task_id="bucket", bucket_name="reports-{{ ds_nodash }}", region_name="eu-west-1")
    ```

    Becomes:
    ```python
    # setup.py:7 · task bucket · rule aws.s3_create_bucket · MECH
    @task_asset(
        DAG,
        "bucket",
        key=["setup", "bucket"],
        group_name="setup",
        kinds={"s3"},
        metadata={
            "airflow/source": "setup.py:7",
            "airflow/task_id": "bucket",
            "airflow/operator": "airflow.providers.amazon.aws.operators.s3.S3CreateBucketOperator",
            "airflow/rule": "aws.s3_create_bucket",
            "airflow/disposition": "MECH",
            "airflow/reason": "the same bucket is created through the AWS connection",
        },
    )
    def bucket(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "bucket")
        hook = S3Hook(aws_conn_id="aws_default", region_name="eu-west-1")
        bucket = render("reports-{{ ds_nodash }}", airflow, DAG, template_ext=())
        if not hook.check_for_bucket(bucket):
            hook.create_bucket(bucket_name=bucket, region_name="eu-west-1")
    ```
    """

    name = "aws.s3_create_bucket"
    operators = canonical("S3CreateBucketOperator")
    what = "S3 bucket creation"
    required = ("bucket_name",)
    templated = ("bucket_name",)
    reason = "the same bucket is created through the AWS connection"
    emits = "an asset creating the rendered bucket through S3Hook unless it exists"

    def body(self, task: TaskInput, t: Translation, w: _Writer) -> None:
        t.body += [
            f"bucket = {w.rendered('bucket_name')}",
            "if not hook.check_for_bucket(bucket):",
            f"    hook.create_bucket(bucket_name=bucket, region_name={w.plain('region_name')})",
        ]


class S3DeleteBucket(_AwsRule, Rule):
    """What it does: deletes the rendered bucket if it exists (its objects first with ``force_delete``).

    Why: S3DeleteBucketOperator's behaviour: a missing bucket is only logged.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.amazon.aws.operators.s3 import S3DeleteBucketOperator

    with DAG("teardown", schedule=None, start_date=datetime(2024, 1, 1)):
        S3DeleteBucketOperator(task_id="drop_bucket", bucket_name="scratch-{{ ds_nodash }}", force_delete=True)
    ```

    Becomes:
    ```python
    # teardown.py:7 · task drop_bucket · rule aws.s3_delete_bucket · MECH
    @task_asset(
        DAG,
        "drop_bucket",
        key=["teardown", "drop_bucket"],
        group_name="teardown",
        kinds={"s3"},
        metadata={
            "airflow/source": "teardown.py:7",
            "airflow/task_id": "drop_bucket",
            "airflow/operator": "airflow.providers.amazon.aws.operators.s3.S3DeleteBucketOperator",
            "airflow/rule": "aws.s3_delete_bucket",
            "airflow/disposition": "MECH",
            "airflow/reason": "the same bucket is deleted through the AWS connection",
        },
    )
    def drop_bucket(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "drop_bucket")
        hook = S3Hook(aws_conn_id="aws_default")
        bucket = render("scratch-{{ ds_nodash }}", airflow, DAG, template_ext=())
        if hook.check_for_bucket(bucket):
            hook.delete_bucket(bucket_name=bucket, force_delete=True)
    ```
    """

    name = "aws.s3_delete_bucket"
    operators = canonical("S3DeleteBucketOperator")
    what = "S3 bucket deletion"
    required = ("bucket_name",)
    templated = ("bucket_name",)
    reason = "the same bucket is deleted through the AWS connection"
    consumes = frozenset({"force_delete"})
    emits = "an asset deleting the rendered bucket through S3Hook if it exists"

    def body(self, task: TaskInput, t: Translation, w: _Writer) -> None:
        t.body += [
            f"bucket = {w.rendered('bucket_name')}",
            "if hook.check_for_bucket(bucket):",
            f"    hook.delete_bucket(bucket_name=bucket, force_delete={w.plain('force_delete', False)})",
        ]


class SqsPublish(_AwsRule, Rule):
    """What it does: sends the rendered message to the rendered queue URL with ``SqsHook.send_message``; SQS's
    answer (``MessageId``…) is the asset value, as it is the operator's XCom.

    Why: the message is the task; delay, attributes, group and deduplication ids are sent as SqsPublishOperator
    sends them.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.amazon.aws.operators.sqs import SqsPublishOperator

    with DAG("events", schedule="@daily", start_date=datetime(2024, 1, 1)):
        SqsPublishOperator(
            task_id="announce",
            sqs_queue="https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
            message_content='{"day": "{{ ds }}"}',
        )
    ```

    Becomes:
    ```python
    # events.py:7 · task announce · rule aws.sqs_publish · MECH
    @task_asset(
        DAG,
        "announce",
        key=["events", "announce"],
        group_name="events",
        kinds={"sqs"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "events.py:7",
            "airflow/task_id": "announce",
            "airflow/operator": "airflow.providers.amazon.aws.operators.sqs.SqsPublishOperator",
            "airflow/rule": "aws.sqs_publish",
            "airflow/disposition": "MECH",
            "airflow/reason": "the same message is sent through the AWS connection",
        },
    )
    def announce(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "announce")
        hook = SqsHook(aws_conn_id="aws_default")
        return hook.send_message(
            queue_url=render("https://sqs.eu-west-1.amazonaws.com/123456789012/orders", airflow, DAG, template_ext=()),
            message_body=render('{"day": "{{ ds }}"}', airflow, DAG, template_ext=()),
        )
    ```
    """

    name = "aws.sqs_publish"
    operators = canonical("SqsPublishOperator")
    hook = "SqsHook"
    kind = "sqs"
    what = "SQS message"
    required = ("sqs_queue", "message_content")
    templated = (
        "sqs_queue",
        "message_content",
        "delay_seconds",
        "message_attributes",
        "message_group_id",
        "message_deduplication_id",
    )
    reason = "the same message is sent through the AWS connection"
    emits = "an asset sending the rendered message through SqsHook; SQS's answer is its value"

    def body(self, task: TaskInput, t: Translation, w: _Writer) -> None:
        arguments = [f"queue_url={w.rendered('sqs_queue')}", f"message_body={w.rendered('message_content')}"]
        arguments += [f"{a}={w.rendered(a)}" for a in self.templated[2:] if task.args.get(a) is not None]
        t.body.append(f"return hook.send_message({', '.join(arguments)})")


class SnsPublish(_AwsRule, Rule):
    """What it does: publishes the rendered message to the rendered topic (or target) ARN with
    ``SnsHook.publish_to_target``; the message id is the asset value.

    Why: the notification is the task; subject, attributes (typed as Airflow types them), group and deduplication
    ids are sent as SnsPublishOperator sends them.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.amazon.aws.operators.sns import SnsPublishOperator

    with DAG("events", schedule="@daily", start_date=datetime(2024, 1, 1)):
        SnsPublishOperator(
            task_id="notify",
            target_arn="arn:aws:sns:eu-west-1:123456789012:loads",
            message="orders loaded for {{ ds }}",
            subject="orders",
        )
    ```

    Becomes:
    ```python
    # events.py:7 · task notify · rule aws.sns_publish · MECH
    @task_asset(
        DAG,
        "notify",
        key=["events", "notify"],
        group_name="events",
        kinds={"sns"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "events.py:7",
            "airflow/task_id": "notify",
            "airflow/operator": "airflow.providers.amazon.aws.operators.sns.SnsPublishOperator",
            "airflow/rule": "aws.sns_publish",
            "airflow/disposition": "MECH",
            "airflow/reason": "the same message is published through the AWS connection",
        },
    )
    def notify(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "notify")
        hook = SnsHook(aws_conn_id="aws_default")
        return hook.publish_to_target(
            target_arn=render("arn:aws:sns:eu-west-1:123456789012:loads", airflow, DAG, template_ext=()),
            message=render("orders loaded for {{ ds }}", airflow, DAG, template_ext=()),
            subject=render("orders", airflow, DAG, template_ext=()),
        )["MessageId"]
    ```
    """

    name = "aws.sns_publish"
    operators = canonical("SnsPublishOperator")
    hook = "SnsHook"
    kind = "sns"
    what = "SNS message"
    required = ("target_arn", "message")
    templated = (
        "target_arn",
        "message",
        "subject",
        "message_attributes",
        "message_deduplication_id",
        "message_group_id",
    )
    reason = "the same message is published through the AWS connection"
    emits = "an asset publishing the rendered message through SnsHook; the message id is its value"

    def body(self, task: TaskInput, t: Translation, w: _Writer) -> None:
        arguments = [f"{a}={w.rendered(a)}" for a in self.templated if task.args.get(a) is not None]
        t.body.append(f'return hook.publish_to_target({", ".join(arguments)})["MessageId"]')


class SqsSensorRule(_AwsRule, Rule):
    """What it does: polls the rendered queue inside the asset until messages arrive; the messages are the asset
    value (the sensor's ``messages`` XCom).

    Why: the arrival is the condition: each poke asks ``num_batches`` times for up to ``max_messages`` messages
    (``wait_time_seconds``, ``visibility_timeout``) and deletes what it received unless
    ``delete_message_on_reception`` is false, as SqsSensor does. The step waits while polling (REDESIGN);
    ``message_filtering`` is not reproduced, so a task that filters stays in Airflow.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.amazon.aws.sensors.sqs import SqsSensor

    with DAG("events", schedule=None, start_date=datetime(2024, 1, 1)):
        SqsSensor(
            task_id="wait_for_orders",
            sqs_queue="https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
            max_messages=10,
            poke_interval=30,
        )
    ```

    Becomes:
    ```python
    # events.py:7 · task wait_for_orders · rule aws.sqs_sensor · REDESIGN
    # note: the sensor polls inside a running step (reschedule mode and slot release are not reproduced)
    @task_asset(
        DAG,
        "wait_for_orders",
        key=["events", "wait_for_orders"],
        group_name="events",
        kinds={"sensor"},
        metadata={
            "airflow/source": "events.py:7",
            "airflow/task_id": "wait_for_orders",
            "airflow/operator": "airflow.providers.amazon.aws.sensors.sqs.SqsSensor",
            "airflow/rule": "aws.sqs_sensor",
            "airflow/disposition": "REDESIGN",
            "airflow/reason": "polls the queue inside the step",
            "airflow/notes": [
                "the sensor polls inside a running step (reschedule mode and slot release are not reproduced)"
            ],
        },
    )
    def wait_for_orders(context: dg.AssetExecutionContext):
        airflow = task_context(context, DAG, "wait_for_orders")
        hook = SqsHook(aws_conn_id="aws_default")
        queue = render("https://sqs.eu-west-1.amazonaws.com/123456789012/orders", airflow, DAG, template_ext=())
        return wait_until(
            lambda: sqs_receive(
                hook,
                queue,
                max_messages=10,
                num_batches=1,
                wait_time_seconds=1,
                visibility_timeout=None,
                delete_message_on_reception=True,
            ),
            poke_interval=30,
            timeout=604800,
            what="messages on the queue",
        )
    ```
    """

    name = "aws.sqs_sensor"
    operators = canonical("SqsSensor")
    disposition = REDESIGN
    hook = "SqsHook"
    kind = "sensor"
    what = "SQS sensor"
    required = ("sqs_queue",)
    templated = ("sqs_queue", "max_messages")
    reason = "polls the queue inside the step"
    consumes = frozenset(
        {"num_batches", "wait_time_seconds", "visibility_timeout", "delete_message_on_reception"}
    ) | frozenset(SENSOR_ARGS)
    emits = "an asset polling the rendered queue through SqsHook; the messages received are its value"

    def translate(self, task: TaskInput) -> Translation:
        # message_filtering keeps only some messages (and deletes only those): without it the asset would take all.
        if task.args.get("message_filtering") is not None:
            return Translation(NONE, "the SQS sensor filters messages (message_filtering), which is not reproduced")
        return super().translate(task)

    def body(self, task: TaskInput, t: Translation, w: _Writer) -> None:
        t.imports.add("from ..support.providers import sqs_receive")
        options = [f"max_messages={w.rendered('max_messages', 5)}"]
        defaults = {"num_batches": 1, "wait_time_seconds": 1, "visibility_timeout": None}
        options += [f"{a}={w.plain(a, default)}" for a, default in defaults.items()]
        options.append(f"delete_message_on_reception={w.plain('delete_message_on_reception', True)}")
        t.body.append(f"queue = {w.rendered('sqs_queue')}")
        _poll(task, t, f"lambda: sqs_receive(hook, queue, {', '.join(options)})", "messages on the queue")


ORDER = 75
RULES = [S3List, S3CopyObject, S3DeleteObjects, S3CreateBucket, S3DeleteBucket, SqsPublish, SnsPublish, SqsSensorRule]
