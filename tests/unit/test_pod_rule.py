"""A pod task is MECH only when the Pipes call carries everything that shapes its pod."""

from __future__ import annotations

from datetime import datetime, timedelta

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
        task_id="with_secret",
        image="acme/score:1",
        secrets=[
            Secret("env", "token", "score-secrets", "api-token"),
            Secret("env", None, "score-env"),
            Secret(deploy_type="volume", deploy_target="/etc/creds", secret="score-files"),
        ],
        env_vars={"MODE": "full"},
    )
    KubernetesPodOperator(
        task_id="secret_also_in_env", image="acme/score:1", env_vars={"TOKEN": "x"},
        secrets=[Secret("env", "TOKEN", "score-secrets", "token")],
    )
    KubernetesPodOperator(
        task_id="secret_with_items", image="acme/score:1",
        secrets=[Secret("volume", "/etc/creds", "score-files", items=[k8s.V1KeyToPath(key="a", path="a")])],
    )
    KubernetesPodOperator(
        task_id="with_volume",
        image="acme/score:1",
        volumes=[k8s.V1Volume(name="data", persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource("scores"))],
        volume_mounts=[k8s.V1VolumeMount(name="data", mount_path="/data", read_only=True)],
        env_from=[k8s.V1EnvFromSource(config_map_ref=k8s.V1ConfigMapEnvSource(name="score-settings"))],
        configmaps=["shared-settings"],
        image_pull_secrets="registry-a,registry-b",
        secrets=[Secret("volume", "/etc/creds", "score-files")],
    )
    KubernetesPodOperator(task_id="legacy_resources", image="acme/score:1", resources={"request_memory": "4G"})
    KubernetesPodOperator(
        task_id="with_runtime_volume", image="acme/score:1", volumes=[k8s.V1Volume(name=volume_name())]
    )
    KubernetesPodOperator(task_id="with_template", image="acme/score:1", pod_template_file="/pods/score.yaml")
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


def test_a_pod_needing_a_volume_computed_at_run_time_or_a_template_stays_in_airflow_naming_it():
    tasks = _tasks()
    assert tasks["with_runtime_volume"].disposition == "NONE"
    reason = tasks["with_runtime_volume"].reason
    assert reason.startswith("the pod's volumes are not carried by the Pipes call (volumes holds code")
    assert tasks["with_template"].reason == "the pod's pod_template_file are not carried by the Pipes call"


def test_volumes_mounts_env_from_configmaps_and_pull_secrets_are_carried_in_the_pod_spec():
    task = _tasks()["with_volume"]
    assert task.disposition == "MECH" and not task.unconsumed, (task.reason, task.unconsumed)
    call = task.translation.body[-1]
    # Positional fields are named from the model's signature; the secret's volume follows the pod's own.
    volumes = '"volumes": [{"name": "data", "persistent_volume_claim": {"claim_name": "scores"}}, {"name": "secretvol0"'
    assert volumes in call
    mounts = '"volume_mounts": [{"name": "data", "mount_path": "/data", "read_only": True}, {"name": "secretvol0"'
    assert mounts in call
    env_from = (
        '"env_from": [{"config_map_ref": {"name": "score-settings"}}, {"config_map_ref": {"name": "shared-settings"}}]'
    )
    assert env_from in call
    assert '"image_pull_secrets": [{"name": "registry-a"}, {"name": "registry-b"}]' in call


def test_resources_and_tolerations_are_carried_in_the_pod_spec():
    task = _tasks()["with_resources"]
    assert task.disposition == "MECH" and not task.unconsumed, (task.reason, task.unconsumed)
    call = task.translation.body[-1]
    assert '"tolerations": [{"key": "gpu"}]' in call and '"resources": {"limits": {"memory": "4Gi"}}' in call


def test_annotations_labels_service_account_and_node_selector_are_carried():
    task = _tasks()["carried"]
    assert task.disposition == "MECH" and not task.unconsumed, task.unconsumed
    call = task.translation.body[-1]
    assert 'base_pod_meta=render({"labels": {"app": "score"}, "annotations": {"team": "risk"}}' in call
    assert '"service_account_name": "scorer"' in call and '"node_selector": {"pool": "batch"}' in call
    # No cmds: the image's entrypoint runs with the arguments (a command would replace it).
    assert '"containers": [{"args": ["--ds", "{{ ds }}"]}]' in call and "command=" not in call


def test_secrets_are_referenced_by_name_in_the_pod_spec_as_airflow_attaches_them():
    task = _tasks()["with_secret"]
    assert task.disposition == "MECH" and not task.unconsumed, (task.reason, task.unconsumed)
    call = task.translation.body[-1]
    # env with a key: the upper-cased target read from the secret's key; without one: every key (envFrom)
    assert '{"name": "TOKEN", "value_from": {"secret_key_ref": {"name": "score-secrets", "key": "api-token"}}}' in call
    assert '"env_from": [{"secret_ref": {"name": "score-env"}}]' in call
    # volume: the secret mounted read-only at the target
    assert '"volume_mounts": [{"name": "secretvol0", "mount_path": "/etc/creds", "read_only": True}]' in call
    assert '"volumes": [{"name": "secretvol0", "secret": {"secret_name": "score-files"}}]' in call
    assert 'env=render({"MODE": "full"}, airflow, DAG)' in call


def test_the_pod_spec_with_secrets_is_one_dagster_k8s_builds():
    from dagster_k8s.pipes import build_pod_body

    spec = {
        "containers": [
            {
                "env": [{"name": "TOKEN", "value_from": {"secret_key_ref": {"name": "s", "key": "k"}}}],
                "env_from": [{"secret_ref": {"name": "all"}}],
                "volume_mounts": [{"name": "secretvol0", "mount_path": "/etc/creds", "read_only": True}],
            }
        ],
        "volumes": [{"name": "secretvol0", "secret": {"secret_name": "files"}}],
    }
    pod = build_pod_body("p", "acme/score:1", ["run"], {"MODE": "full"}, None, spec)
    container = pod.spec.containers[0]
    assert [e.name for e in container.env] == ["TOKEN", "MODE"] and container.image == "acme/score:1"
    assert container.env[0].value_from.secret_key_ref.key == "k" and container.env_from[0].secret_ref.name == "all"
    assert pod.spec.volumes[0].secret.secret_name == "files" and container.volume_mounts[0].read_only


def test_a_secret_also_set_by_env_vars_is_judg_naming_it():
    task = _tasks()["secret_also_in_env"]
    assert task.disposition == "JUDG"
    assert any("set by both env_vars and a secret: TOKEN" in n for n in task.translation.notes)


def test_a_secret_with_items_stays_in_airflow():
    task = _tasks()["secret_with_items"]
    assert task.disposition == "NONE" and "secrets holds a Secret with items" in task.reason


HELPER_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator


def settings(dag):
    return {"dag": dag, "image": Variable.get("pod_image"), "namespace": "jobs"}


def make_pod(cfg, task_id, image=None):
    return KubernetesPodOperator(
        task_id=task_id, image=image or cfg["image"], namespace=cfg["namespace"], cmds=["run"], dag=cfg["dag"]
    )


with DAG("helper_pods", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    cfg = settings(dag)
    for name in ["a", "b"]:
        make_pod(cfg, f"pod_{name}")
"""


def test_an_argument_read_from_a_helpers_container_is_carried_as_the_code_that_computed_it():
    file = scan_source(HELPER_DAG, "helper_pods.py")
    plan = plan_project(ir.Project("/dags", (file,)))
    tasks = {t.task.task_id: t for t in plan.dags[0].tasks}
    for task_id in ("pod_a", "pod_b"):
        task = tasks[task_id]
        # `cfg` holds the DAG, so it cannot be copied; what the expression reads of it (`cfg["image"]`) is bound to
        # the code that computed it (`Variable.get("pod_image")`), carried too.
        assert isinstance(task.task.arguments["image"], ir.CodeValue), task.reason
        carried = next(c for c in file.callables if c.name == task.task.arguments["image"].name)
        assert carried.expression == 'image or cfg["image"]'
        function = file.logic.split(f"def {carried.name}(", 1)[1].split("\n\n", 1)[0]
        inner = function.split("cfg = {'image': ", 1)[1].split("()}", 1)[0]
        assert f'def {inner}():\n    return (Variable.get("pod_image"))' in file.logic
        assert function.startswith("image=None):") and 'return (image or cfg["image"])' in function
        assert task.disposition == "JUDG" and any("reads Airflow Variables" in n for n in task.translation.notes)
        assert f"image=logic.{carried.name}()" in task.translation.body[-1]
        assert 'namespace="jobs"' in task.translation.body[-1]


CONNECTION_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.sdk import Connection
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator


def settings(dag):
    warehouse = Connection.get("warehouse")
    return {"dag": dag, "host": warehouse.host, "port": warehouse.port}


def submit_pod(cfg, task_id, script):
    command = f"submit --host {cfg['host']}:{cfg['port']} {script}"
    return KubernetesPodOperator(
        task_id=task_id, image="acme/spark:3", cmds=["bash", "-c"], arguments=[command], dag=cfg["dag"]
    )


with DAG("connection_pods", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    submit_pod(settings(dag), "load", "load.py")
"""


def test_an_argument_built_from_connection_fields_is_carried_reading_the_connection_from_the_environment(
    tmp_path, monkeypatch
):
    file = scan_source(CONNECTION_DAG, "connection_pods.py")
    plan = plan_project(ir.Project("/dags", (file,)))
    task = plan.dags[0].tasks[0]
    assert task.disposition == "JUDG", task.reason
    assert any("reads Airflow Connections: set AIRFLOW_CONN_<ID>" in n for n in task.translation.notes)
    (argument,) = task.task.arguments["arguments"]
    assert isinstance(argument, ir.CodeValue)
    # The carried code runs against the support package's Connection (AIRFLOW_CONN_<ID>), as Airflow's would.
    from converters.codegen.support import hooks as support_hooks

    namespace = {"Connection": support_hooks.Connection}
    exec(compile(file.logic, "logic.py", "exec"), namespace)
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", "postgres://u:p@db.internal:5439/dw")
    assert namespace[argument.name]() == "submit --host db.internal:5439 load.py"


def test_a_value_the_dag_file_computed_is_carried_into_a_task_an_estate_factory_creates(tmp_path):
    from converters.inventory.estate import EstateModules

    (tmp_path / "factories.py").write_text(
        "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n\n\n"
        "def consumer(task_id, image, dag):\n"
        "    return KubernetesPodOperator(task_id=task_id, image=image, cmds=['consume'], dag=dag)\n",
        encoding="utf-8",
    )
    dag_file = (
        "from datetime import datetime\n"
        "from airflow import DAG\n"
        "from airflow.models import Variable\n"
        "from factories import consumer\n\n"
        'with DAG("consumers", schedule=None, start_date=datetime(2024, 1, 1)) as dag:\n'
        '    consumer("consume", Variable.get("consumer_image"), dag)\n'
    )
    (tmp_path / "consumers.py").write_text(dag_file, encoding="utf-8")
    file = scan_source(dag_file, "consumers.py", EstateModules(tmp_path), tmp_path)
    task = plan_project(ir.Project(str(tmp_path), (file,))).dags[0].tasks[0]
    image = task.task.arguments["image"]
    assert isinstance(image, ir.CodeValue), task.reason
    assert next(c for c in file.callables if c.name == image.name).expression == 'Variable.get("consumer_image")'
    assert task.disposition == "JUDG" and f"image=logic.{image.name}()" in task.translation.body[-1]


def test_secrets_defined_in_an_estate_module_are_carried_by_name(tmp_path):
    from converters.inventory.estate import EstateModules

    (tmp_path / "cluster_secrets.py").write_text(
        "from airflow.providers.cncf.kubernetes.secret import Secret\n\n"
        'WAREHOUSE_USER = Secret("env", "WAREHOUSE_USER", "etl-secrets", "warehouse-user")\n',
        encoding="utf-8",
    )
    dag_file = (
        "from datetime import datetime\n"
        "from airflow import DAG\n"
        "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n"
        "from cluster_secrets import WAREHOUSE_USER\n\n"
        'with DAG("loads", schedule=None, start_date=datetime(2024, 1, 1)):\n'
        '    KubernetesPodOperator(task_id="load", image="acme/load:1", secrets=[WAREHOUSE_USER])\n'
    )
    file = scan_source(dag_file, "loads.py", EstateModules(tmp_path), tmp_path)
    task = plan_project(ir.Project(str(tmp_path), (file,))).dags[0].tasks[0]
    assert task.disposition == "MECH", task.reason
    assert '"secret_key_ref": {"name": "etl-secrets", "key": "warehouse-user"}' in task.translation.body[-1]


def test_an_estate_subclass_argument_is_carried_over_the_names_of_its_call(tmp_path):
    from converters.inventory.estate import EstateModules

    (tmp_path / "platform_pods.py").write_text(
        "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n\n\n"
        "class PlatformPod(KubernetesPodOperator):\n"
        "    def __init__(self, task_id, image, team, *args, **kwargs):\n"
        "        run_date = 'not the caller one'\n"
        '        super().__init__(task_id=task_id, image=image, namespace=f"team-{team}", *args, **kwargs)\n',
        encoding="utf-8",
    )
    dag_file = (
        "from datetime import datetime, timedelta\n"
        "from airflow import DAG\n"
        "from platform_pods import PlatformPod\n\n"
        'YESTERDAY = (datetime.today() - timedelta(days=1)).strftime("%Y-%m-%d")\n\n\n'
        "def job(task_id, step, run_date=YESTERDAY):\n"
        "    return PlatformPod(\n"
        '        task_id=task_id, image="acme/job:2", team="data", cmds=["bash", "-c"],\n'
        '        arguments=[f"run --date {run_date} --step {step}"],\n'
        "    )\n\n\n"
        'with DAG("jobs", schedule=None, start_date=datetime(2024, 1, 1)):\n'
        '    job("extract", "extract")\n'
    )
    file = scan_source(dag_file, "jobs.py", EstateModules(tmp_path), tmp_path)
    task = plan_project(ir.Project(str(tmp_path), (file,))).dags[0].tasks[0]
    (argument,) = task.task.arguments["arguments"]
    assert isinstance(argument, ir.CodeValue), task.reason
    # `run_date` is the helper's default, computed when Airflow parsed the file: carried as that code (the clock).
    namespace: dict = {}
    exec(compile(file.logic, "logic.py", "exec"), namespace)
    expected = (datetime.today() - timedelta(days=1)).strftime("%Y-%m-%d")
    assert namespace[argument.name]() == f"run --date {expected} --step extract"
    assert task.disposition == "JUDG" and any("when the asset runs" in n for n in task.translation.notes)


def test_a_pods_legacy_resources_are_named_not_dropped():
    task = _tasks()["legacy_resources"]
    assert task.disposition == "JUDG"
    assert any("not carried to the pod: resources" in n for n in task.translation.notes)
