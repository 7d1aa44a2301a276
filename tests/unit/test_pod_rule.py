"""A pod task is MECH only when the Pipes call carries everything that shapes its pod."""

from __future__ import annotations

from converters.inventory import ir
from converters.inventory.scan import scan_source
from converters.plan import plan_project

DAG = """
from datetime import datetime

from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.cncf.kubernetes.secret import Secret
from kubernetes.client import models as k8s

with DAG("pods", schedule=None, start_date=datetime(2024, 1, 1)):
    KubernetesPodOperator(
        task_id="with_secret", image="acme/score:1", secrets=[Secret("env", "TOKEN", "score-secrets", "token")]
    )
    KubernetesPodOperator(task_id="with_volume", image="acme/score:1", volumes=[k8s.V1Volume(name="data")])
    KubernetesPodOperator(task_id="with_env_from", image="acme/score:1", env_from=[k8s.V1EnvFromSource()])
    KubernetesPodOperator(
        task_id="with_resources",
        image="acme/score:1",
        container_resources=k8s.V1ResourceRequirements(limits={"memory": "4Gi"}),
        tolerations=[k8s.V1Toleration(key="gpu")],
    )
    KubernetesPodOperator(
        task_id="carried",
        image="acme/score:1",
        arguments=["--ds", "{{ ds }}"],
        annotations={"team": "risk"},
        labels={"app": "score"},
        service_account_name="scorer",
        node_selector={"pool": "batch"},
    )
"""


def _tasks():
    file = scan_source(DAG, "pods.py")
    plan = plan_project(ir.Project("/dags", (file,)))
    return {t.task.task_id: t for t in plan.dags[0].tasks}


def test_a_pod_needing_secrets_volumes_or_env_from_stays_in_airflow_naming_them():
    tasks = _tasks()
    for task_id, argument in (("with_secret", "secrets"), ("with_volume", "volumes"), ("with_env_from", "env_from")):
        assert tasks[task_id].disposition == "NONE", task_id
        assert f"the pod's {argument} are not carried by the Pipes call" == tasks[task_id].reason


def test_a_pod_with_resources_it_does_not_carry_is_judg_naming_them():
    task = _tasks()["with_resources"]
    assert task.disposition == "JUDG"
    assert any("not carried to the pod: container_resources, tolerations" in n for n in task.translation.notes)


def test_annotations_labels_service_account_and_node_selector_are_carried():
    task = _tasks()["carried"]
    assert task.disposition == "MECH" and not task.unconsumed, task.unconsumed
    call = task.translation.body[-1]
    assert 'base_pod_meta=render({"labels": {"app": "score"}, "annotations": {"team": "risk"}}' in call
    assert '"service_account_name": "scorer"' in call and '"node_selector": {"pool": "batch"}' in call
    # No cmds: the image's entrypoint runs with the arguments (a command would replace it).
    assert '"containers": [{"args": ["--ds", "{{ ds }}"]}]' in call and "command=" not in call
