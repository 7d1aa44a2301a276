"""The IR's typed argument values: what the scan produces, their JSON form (unchanged ``$`` dicts), the round trip."""

from __future__ import annotations

import json
import textwrap

from converters.inventory import ir
from converters.inventory.scan import scan_source

DAG_FILE = textwrap.dedent(
    """
    from datetime import datetime, timedelta
    from pathlib import Path

    from airflow import DAG
    from airflow.datasets import Dataset
    from airflow.operators.python import PythonOperator
    from mypackage.alerts import notify

    HERE = Path(__file__).parent

    def work(**context):
        return 1

    with DAG("values", start_date=datetime(2024, 1, 1), schedule=None):
        first = PythonOperator(
            task_id="first",
            python_callable=work,
            retry_delay=timedelta(minutes=5),
            on_failure_callback=notify,
            outlets=[Dataset("s3://bucket/a")],
            op_kwargs={"where": HERE / "sql", "later": some_runtime_value},
        )
        second = PythonOperator(task_id="second", python_callable=notify, op_args=[first.output, first])
    """
)


def _tasks() -> dict[str, ir.Task]:
    file = scan_source(DAG_FILE, "dags/values.py")
    return {task.task_id: task for task in file.dags[0].tasks}


def test_the_scan_produces_typed_values_written_as_the_dollar_dicts():
    first, second = _tasks().values()
    assert first.arguments["python_callable"] == ir.CallableValue("work")
    assert first.arguments["retry_delay"] == ir.CallValue("datetime.timedelta", (), {"minutes": 5})
    assert first.arguments["on_failure_callback"] == ir.RefValue("mypackage.alerts.notify")
    assert first.arguments["outlets"] == [ir.DatasetValue("s3://bucket/a")]
    assert first.arguments["op_kwargs"]["where"] == ir.PathValue("dags/sql")
    unbound = "names the file does not bind: some_runtime_value"  # why it is not carried as code either
    assert first.arguments["op_kwargs"]["later"] == ir.SourceValue("some_runtime_value", unbound)
    assert second.arguments["op_args"] == [ir.XComValue("first"), ir.TaskValue("first")]
    assert ir.to_json(first.arguments) == {
        "python_callable": {"$callable": "work"},
        "retry_delay": {"$call": "datetime.timedelta", "args": [], "kwargs": {"minutes": 5}},
        "on_failure_callback": {"$ref": "mypackage.alerts.notify"},
        "outlets": [{"$dataset": "s3://bucket/a"}],
        "op_kwargs": {"where": {"$path": "dags/sql"}, "later": {"$source": "some_runtime_value", "needs": unbound}},
    }
    assert ir.to_json(second.arguments)["op_args"] == [{"$xcom": "first"}, {"$task": "first"}]
    assert first.retry.retry_delay_seconds == 300.0 and first.outlets == ("s3://bucket/a",)


def test_from_json_rebuilds_the_typed_values():
    for task in _tasks().values():
        data = json.loads(json.dumps(ir.to_json(task)))
        rebuilt = ir.from_json(ir.Task, data)
        assert rebuilt == task
        assert ir.to_json(rebuilt) == data
    rebuilt = ir.from_json(ir.Task, ir.to_json(_tasks()["first"]))
    assert isinstance(rebuilt.arguments["retry_delay"], ir.CallValue)
    assert isinstance(rebuilt.arguments["op_kwargs"]["where"], ir.PathValue)


def test_secret_values_and_their_json():
    value = ir.SecretValue(("postgres://etl:", ir.SecretEnv("A2D_SECRET_X_L3"), "@db"))
    data = {"$secret": ["postgres://etl:", {"env": "A2D_SECRET_X_L3"}, "@db"]}
    assert ir.to_json(value) == data
    assert ir.value_from_json(data) == value
    assert value != data  # a value is not a dict: it neither equals its JSON form nor iterates over its keys
    assert not isinstance(value, dict) and not hasattr(value, "__iter__")
    assert ir.SourceValue("x") != {"$source": "x"} and ir.SourceValue("x") == ir.SourceValue("x")


def test_plain_dicts_stay_dicts_and_calls_keep_the_dict_repr():
    assert ir.value_from_json({"a": [1, {"$ref": "x.y"}]}) == {"a": [1, ir.RefValue("x.y")]}
    assert type(ir.value_from_json({"$ref": "x", "other": 1})) is dict
    call = ir.CallValue("datetime.datetime", (2024, 1, 1), {})
    assert repr(call) == "{'$call': 'datetime.datetime', 'args': [2024, 1, 1], 'kwargs': {}}"
    assert repr(ir.DatasetValue("s3://a")) == "{'$dataset': 's3://a'}"


POD_AND_SENSOR = textwrap.dedent(
    """
    from airflow import DAG
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
    from airflow.sensors.external_task import ExternalTaskSensor
    from estate_settings import *  # binds CMDS, ARGS, IDS: names the scan cannot see, so not carried as code

    with DAG("pods", schedule=None):
        KubernetesPodOperator(task_id="pod", image="acme/etl:1", cmds=CMDS)
        KubernetesPodOperator(task_id="pod_args", image="acme/etl:1", cmds=["run"], arguments=ARGS)
        ExternalTaskSensor(task_id="wait", external_dag_id="upstream", external_task_ids=IDS)
    """
)


def test_a_value_that_is_not_a_literal_is_never_read_as_its_json_keys():
    """A pod's non-literal ``cmds`` once rendered as ``["$source"]``; a sensor's non-literal ``external_task_ids``
    gave a dependency on a task called "$source". Both now say which argument is not a literal."""
    from converters.plan import plan_project

    file = scan_source(POD_AND_SENSOR, "pods.py")
    plan = plan_project(ir.Project("/dags", (file,)))
    tasks = {t.task.task_id: t for d in plan.dags for t in d.tasks}
    assert (tasks["pod"].disposition, tasks["pod"].reason) == ("NONE", "a pod argument cmds is not a literal list")
    assert tasks["pod_args"].disposition == "NONE" and "arguments is not a literal list" in tasks["pod_args"].reason
    wait = tasks["wait"]
    assert (wait.disposition, wait.reason) == ("NONE", "external_task_ids is not a literal list")
    assert not any("$source" in str(dep.value) for t in tasks.values() for dep in t.deps)
    assert all("$source" not in line for t in tasks.values() for line in t.translation.body)
