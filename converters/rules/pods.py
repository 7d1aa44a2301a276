"""Containers: KubernetesPodOperator, GKEStartPodOperator, EcsRunTaskOperator, DockerOperator → Pipes clients."""

from __future__ import annotations

import inspect

from converters.inventory import ir
from converters.inventory.operators import canonical
from converters.rules.base import (
    BASE_OPERATOR_ARGS,
    JUDG,
    MECH,
    NONE,
    Code,
    Resource,
    Rule,
    TaskInput,
    Translation,
    Untranslatable,
    template_xcoms,
)

(GKE,) = canonical("GKEStartPodOperator")
# What the pod needs to do its work (credentials, files, the whole spec): without them it is another pod.
POD_NEEDS = (
    "secrets",
    "volumes",
    "volume_mounts",
    "env_from",
    "configmaps",
    "image_pull_secrets",
    "init_containers",
    "pod_template_file",
    "pod_template_dict",
    "full_pod_spec",
)
# Pod arguments that change how the operator waits or logs, not what the pod does.
POD_HARMLESS = {"random_name_suffix", "log_events_on_failure", "container_logs", "deferrable", "poll_interval"}
POD_HARMLESS |= {
    "reattach_on_restart",
    "logging_interval",
    "base_container_name",
    "do_xcom_push",
    "log_pod_spec_on_failure",
}


class KubernetesPod(Rule):
    """What it does: runs the pod's image and command through ``PipesK8sClient``.

    Why: the container is the task. Image, ``cmds`` + ``arguments`` (rendered), namespace and ``env_vars`` are
    passed to the Pipes client, which launches the pod, streams its logs and fails the asset when it fails;
    ``labels``/``annotations`` become ``base_pod_meta``, ``service_account_name``/``node_selector`` and the
    ``arguments`` of a pod without ``cmds`` (the image's entrypoint runs them) ``base_pod_spec``. Kubernetes
    ``Secret`` objects name secrets the cluster holds: they become the first container's ``secretKeyRef`` env
    entries / ``envFrom`` and secret volumes in ``base_pod_spec``, as Airflow attaches them. Kubernetes objects
    written in the file (``volumes``, ``volume_mounts``, ``env_from``, ``configmaps``, ``image_pull_secrets``,
    ``container_resources``, ``tolerations``, ``affinity``, security contexts) go to ``base_pod_spec`` as their
    fields. A pod needing such an object computed at run time, or a pod template, stays in Airflow (NONE, naming
    them); any other pod
    argument not carried (resources, tolerations, another cluster...) makes it JUDG with a note naming it. For
    GKE the Dagster host's kubeconfig must point at the cluster (JUDG).

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

    with DAG("pods", schedule=None, start_date=datetime(2024, 1, 1)):
        KubernetesPodOperator(
            task_id="score",
            image="acme/score:1.2",
            cmds=["python", "score.py"],
            arguments=["--ds", "{{ ds }}"],
            namespace="jobs",
            env_vars={"MODE": "full"},
        )
    ```

    Becomes:
    ```python
    # pods.py:7 · task score · rule pods.kubernetes · MECH
    @task_asset(
        DAG,
        "score",
        key=["pods", "score"],
        group_name="pods",
        kinds={"kubernetes"},
        metadata={
            "airflow/source": "pods.py:7",
            "airflow/task_id": "score",
            "airflow/operator": "airflow.providers.cncf.kubernetes.operators.pod.KubernetesPodOperator",
            "airflow/rule": "pods.kubernetes",
            "airflow/disposition": "MECH",
            "airflow/reason": "the same image and command run through Pipes",
        },
    )
    def score(context: dg.AssetExecutionContext, pipes_k8s: PipesClient):
        airflow = task_context(context, DAG, "score")
        pipes_k8s.run(
            context=context,
            image="acme/score:1.2",
            command=render(["python", "score.py", "--ds", "{{ ds }}"], airflow, DAG),
            namespace="jobs",
            env=render({"MODE": "full"}, airflow, DAG),
        )
    ```
    """

    name = "pods.kubernetes"
    operators = canonical("KubernetesPodOperator", "GKEStartPodOperator")
    families = ("pod",)
    emits = "an asset launching the same image and command with PipesK8sClient"

    def translate(self, task: TaskInput) -> Translation:
        image = task.args.get("image")
        # A pod whose image is neither a literal nor the file's code cannot be launched the same way.
        if not isinstance(image, (str, ir.CodeValue)):
            return Translation(NONE, f"the image is not a literal: {_written(image)}")
        gke = task.task.operator == GKE
        t = Translation(JUDG if gke else MECH, "the same image and command run through Pipes", kinds=("kubernetes",))
        if gke:
            t.notes.append("GKE: the Dagster host's kubeconfig must target the cluster (project, location, name)")
        code = Code(t)
        t.resources.append(Resource("pipes_k8s", "PipesK8sClient", "PipesK8sClient()"))
        t.imports.add("from dagster_k8s import PipesK8sClient")
        t.support.add("render")
        pod_parts, carried, why = _pod_parts(task.args)
        needed = [k for k in POD_NEEDS if task.args.get(k) not in (None, [], {}, "") and k not in carried]
        # A pod without its volumes, secrets or template is not the same pod: the Pipes call must carry them.
        if needed:
            reasons = "; ".join(why[k] for k in needed if k in why)
            detail = f" ({reasons})" if reasons else ""
            return Translation(NONE, f"the pod's {', '.join(needed)} are not carried by the Pipes call{detail}")
        try:
            cmds, arguments = task.args.get("cmds"), task.args.get("arguments")
            for name, value in (("cmds", cmds), ("arguments", arguments)):
                # A list computed by code the scan could not carry cannot be written out.
                if value and not isinstance(value, (list, tuple, ir.CodeValue)):
                    raise Untranslatable(f"{name} is not a literal list")
            parts = [f"image={code.value(image)}"]
            if cmds:  # cmds replace the image's entrypoint; arguments follow them
                parts.append(f"command=render({_joined(code, cmds, arguments)}, airflow, DAG)")
            if isinstance(task.args.get("namespace"), str):
                parts.append(f"namespace={code.value(task.args['namespace'])}")
            if task.args.get("env_vars"):
                env = task.args["env_vars"]
                if not isinstance(env, (dict, ir.Value)):  # a Value: Code.value says why it is not translated
                    raise Untranslatable("env_vars is not a literal dict")
                parts.append(f"env=render({code.value(env)}, airflow, DAG)")
            meta = {k: task.args[k] for k in ("labels", "annotations") if isinstance(task.args.get(k), dict)}
            if meta:
                parts.append(f"base_pod_meta=render({code.value(meta)}, airflow, DAG)")
            spec, container = pod_parts
            if arguments and not cmds:  # the image's entrypoint runs with these arguments, as in Airflow
                container["args"] = arguments
            if container:
                spec["containers"] = [container]
            if isinstance(task.args.get("service_account_name"), str):
                spec["service_account_name"] = task.args["service_account_name"]
            if isinstance(task.args.get("node_selector"), dict):
                spec["node_selector"] = task.args["node_selector"]
            if spec:
                parts.append(f"base_pod_spec=render({code.value(spec)}, airflow, DAG)")
        except Untranslatable as exc:
            # If a pod argument can't be written as code, the pod can't be launched the same way.
            return Translation(NONE, f"a pod argument {exc}")
        t.consumed |= {"image", "cmds", "arguments", "namespace", "env_vars", "name", "get_logs"}
        t.consumed |= {"is_delete_operator_pod", "on_finish_action", "in_cluster", "startup_timeout_seconds"}
        t.consumed |= set(meta) | {"service_account_name", "node_selector"} & set(spec) | carried | POD_HARMLESS
        both = sorted({e["name"] for e in container.get("env", [])} & set(_keys(task.args.get("env_vars"))))
        if both:  # Airflow appends the secrets after env_vars, Dagster env after the base spec's: the other wins
            t.disposition = JUDG
            t.notes.append(f"set by both env_vars and a secret: {', '.join(both)} (the pod sees one of them)")
        if task.args.get("do_xcom_push"):
            t.disposition = JUDG
            t.notes.append("do_xcom_push: the pod's /airflow/xcom/return.json is not read, the asset has no value")
        if gke:
            t.consumed |= {"project_id", "location", "cluster_name", "gcp_conn_id"}
        # `resources` is BaseOperator's too, but a pod's (request_memory, limit_cpu...) sizes its container.
        base_args = BASE_OPERATOR_ARGS - {"resources"}
        left = sorted(k for k, v in task.args.items() if k not in t.consumed | base_args and v is not None)
        if left:  # resources, affinity, tolerations, another cluster...: the same container, run differently
            t.disposition = JUDG
            t.notes.append(f"not carried to the pod: {', '.join(left)} (add them to base_pod_spec/base_pod_meta)")
        t.body.append(f"pipes_k8s.run(context=context, {', '.join(parts)})")
        return t


class Ecs(Rule):
    """What it does: runs the ECS task definition through ``PipesECSClient``.

    Why: the ECS task is the Airflow task. Task definition, cluster, launch type, overrides and network
    configuration become ``run_task_params``; AWS credentials come from the Dagster host's environment.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.amazon.aws.operators.ecs import EcsRunTaskOperator

    with DAG("ecs", schedule=None, start_date=datetime(2024, 1, 1)):
        EcsRunTaskOperator(task_id="crunch", task_definition="crunch:3", cluster="batch", overrides={})
    ```

    Becomes:
    ```python
    # ecs.py:7 · task crunch · rule pods.ecs · MECH
    @task_asset(
        DAG,
        "crunch",
        key=["ecs", "crunch"],
        group_name="ecs",
        kinds={"ecs"},
        metadata={
            "airflow/source": "ecs.py:7",
            "airflow/task_id": "crunch",
            "airflow/operator": "airflow.providers.amazon.aws.operators.ecs.EcsRunTaskOperator",
            "airflow/rule": "pods.ecs",
            "airflow/disposition": "MECH",
            "airflow/reason": "the same task definition runs through Pipes",
        },
    )
    def crunch(context: dg.AssetExecutionContext, pipes_ecs: PipesClient):
        airflow = task_context(context, DAG, "crunch")
        pipes_ecs.run(
            context=context,
            run_task_params=render({"taskDefinition": "crunch:3", "cluster": "batch", "overrides": {}}, airflow, DAG),
        )
    ```
    """

    name = "pods.ecs"
    operators = canonical("EcsRunTaskOperator")
    emits = "an asset running the same task definition with PipesECSClient"

    def translate(self, task: TaskInput) -> Translation:
        t = Translation(MECH, "the same task definition runs through Pipes", kinds=("ecs",))
        code = Code(t)
        t.resources.append(Resource("pipes_ecs", "PipesECSClient", "pipes_ecs_client()"))
        t.imports.add("from dagster_aws.pipes import PipesECSClient")
        t.support.add("render")
        mapping = {
            "task_definition": "taskDefinition",
            "cluster": "cluster",
            "launch_type": "launchType",
            "overrides": "overrides",
            "network_configuration": "networkConfiguration",
            "capacity_provider_strategy": "capacityProviderStrategy",
            "platform_version": "platformVersion",
            "group": "group",
            "tags": "tags",
        }
        # Without a literal task definition we can't know what ECS runs.
        if not isinstance(task.args.get("task_definition"), str):
            return Translation(NONE, "the task definition is not a literal")
        try:
            params = {api: task.args[arg] for arg, api in mapping.items() if arg in task.args}
            t.body.append(f"pipes_ecs.run(context=context, run_task_params=render({code.value(params)}, airflow, DAG))")
        except Untranslatable as exc:
            # If an ECS argument can't be written as code, the task can't be run the same way.
            return Translation(NONE, f"an ECS argument {exc}")
        t.consumed |= set(mapping) | {"aws_conn_id", "region", "region_name", "awslogs_group", "awslogs_stream_prefix"}
        return t


class Docker(Rule):
    """What it does: runs the image and command through ``PipesDockerClient``.

    Why: the container is the task; image, command (rendered) and environment are kept.

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.docker.operators.docker import DockerOperator

    with DAG("docker", schedule=None, start_date=datetime(2024, 1, 1)):
        DockerOperator(task_id="convert", image="acme/convert:2", command="convert --day {{ ds }}")
    ```

    Becomes:
    ```python
    # docker.py:7 · task convert · rule pods.docker · MECH
    @task_asset(
        DAG,
        "convert",
        key=["docker", "convert"],
        group_name="docker",
        kinds={"docker"},
        metadata={
            "airflow/source": "docker.py:7",
            "airflow/task_id": "convert",
            "airflow/operator": "airflow.providers.docker.operators.docker.DockerOperator",
            "airflow/rule": "pods.docker",
            "airflow/disposition": "MECH",
            "airflow/reason": "the same image and command run through Pipes",
        },
    )
    def convert(context: dg.AssetExecutionContext, pipes_docker: PipesClient):
        airflow = task_context(context, DAG, "convert")
        pipes_docker.run(context=context, image="acme/convert:2", command=render("convert --day {{ ds }}", airflow, DAG))
    ```
    """

    name = "pods.docker"
    operators = canonical("DockerOperator")
    emits = "an asset running the same image and command with PipesDockerClient"

    def translate(self, task: TaskInput) -> Translation:
        image = task.args.get("image")
        # Without a literal image (or the file's code computing it) we can't know what the container runs.
        if not isinstance(image, (str, ir.CodeValue)):
            return Translation(NONE, f"the image is not a literal: {_written(image)}")
        t = Translation(MECH, "the same image and command run through Pipes", kinds=("docker",))
        code = Code(t)
        t.resources.append(Resource("pipes_docker", "PipesDockerClient", "PipesDockerClient()"))
        t.imports.add("from dagster_docker import PipesDockerClient")
        t.support.add("render")
        try:
            parts = [f"image={code.value(image)}"]
            if task.args.get("command") is not None:
                parts.append(f"command=render({code.value(task.args['command'])}, airflow, DAG)")
            if task.args.get("environment"):
                parts.append(f"env=render({code.value(task.args['environment'])}, airflow, DAG)")
        except Untranslatable as exc:
            # If a container argument can't be written as code, the container can't be run the same way.
            return Translation(NONE, f"a container argument {exc}")
        pulled = template_xcoms([task.args.get("command"), task.args.get("environment")])
        # Pulls from tasks named only at run time cannot become asset inputs.
        if pulled is None:
            return Translation(NONE, "the container's templates pull XComs from tasks known only at run time")
        if pulled:  # `f"... {xcom_arg}"` is such a template: Airflow renders the upstream's value into it
            t.disposition = JUDG
            t.notes.append("ti.xcom_pull in the template reads the upstream assets' values (" + ", ".join(pulled) + ")")
            t.inputs.extend(p for p in pulled if p not in t.inputs)
        t.consumed |= {"image", "command", "environment", "auto_remove", "docker_url", "api_version"}
        t.body.append(f"pipes_docker.run(context=context, {', '.join(parts)})")
        return t


def _written(value: object) -> str:
    """How a value the scan could not evaluate was written (its source, the imported name), for a reason."""
    if isinstance(value, ir.SourceValue):
        return f"{value.source:.100}"
    if isinstance(value, ir.RefValue):
        return f"{value.name} (imported)"
    return "missing" if value is None else f"{ir.to_json(value)!s:.100}"


SECRET_PARAMETERS = ("deploy_type", "deploy_target", "secret", "key", "items")
# Pod arguments holding Kubernetes objects (or their dicts) -> where they go in the pod spec / its first container.
POD_SPEC_ARGS = {
    "volumes": "volumes",
    "tolerations": "tolerations",
    "affinity": "affinity",
    "security_context": "security_context",
    "host_aliases": "host_aliases",
    "image_pull_secrets": "image_pull_secrets",
    "priority_class_name": "priority_class_name",
}
CONTAINER_ARGS = {
    "volume_mounts": "volume_mounts",
    "env_from": "env_from",
    "container_resources": "resources",
    "container_security_context": "security_context",
    "image_pull_policy": "image_pull_policy",
}


def _pod_parts(args: dict) -> tuple[tuple[dict, dict], set[str], dict[str, str]]:
    """The pod spec and first container fields Airflow builds from the pod's Kubernetes arguments (``volumes``,
    ``tolerations``, ``container_resources``..., ``configmaps`` and ``secrets``), and the arguments carried.

    An argument is carried only when all of it is written data (``k8s.V1Volume(...)`` records or dicts);
    otherwise it is left out, with why (the caller names it).
    """
    spec: dict = {}
    container: dict = {}
    carried: set[str] = set()
    why: dict[str, str] = {}
    for arg, key in [
        *((a, ("spec", k)) for a, k in POD_SPEC_ARGS.items()),
        *((a, ("container", k)) for a, k in CONTAINER_ARGS.items()),
    ]:
        value = args.get(arg)
        if value in (None, [], {}, ""):
            continue
        if arg == "image_pull_secrets" and isinstance(value, str):  # "a,b": Airflow's comma-separated names
            value = [{"name": name} for name in value.split(",")]
        try:
            data = _k8s_data(value)
        except Untranslatable as exc:
            why[arg] = f"{arg} {exc}"
            continue
        (spec if key[0] == "spec" else container)[key[1]] = data
        carried.add(arg)
    configmaps = args.get("configmaps")
    if configmaps and isinstance(configmaps, (list, tuple)) and all(isinstance(c, str) for c in configmaps):
        # Airflow appends one envFrom per config map after env_from
        container["env_from"] = [*container.get("env_from", []), *({"config_map_ref": {"name": c}} for c in configmaps)]
        carried.add("configmaps")
    try:
        secret_container, secret_volumes = _secrets(args.get("secrets"))
    except Untranslatable as exc:
        why["secrets"] = str(exc)
        return (spec, container), carried, why
    for key, items in secret_container.items():  # Secret.attach_to_pod appends them after the pod's own
        container[key] = [*container.get(key, []), *items]
    if secret_volumes:
        spec["volumes"] = [*spec.get("volumes", []), *secret_volumes]
    if args.get("secrets"):
        carried.add("secrets")
    return (spec, container), carried, why


def _k8s_data(value: object) -> object:
    """A Kubernetes object written in the file (``ir.CallValue`` of ``kubernetes.client``) as the dict of its fields
    (snake_case, as ``PipesK8sClient`` reads them); lists and dicts of them; plain values as they are."""
    if isinstance(value, ir.CallValue) and value.name.startswith("kubernetes.client") and "V1" in value.name:
        fields = dict(value.kwargs)
        if value.args:
            names = _model_parameters(value.name.rsplit(".", 1)[-1])
            # Positional fields are known only from the model's own signature.
            if names is None or len(value.args) > len(names):
                raise Untranslatable(f"holds {value.name} with positional fields: {_written(value)}")
            fields = dict(zip(names, value.args, strict=False)) | fields
        return {str(k): _k8s_data(v) for k, v in fields.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_k8s_data(v) for v in value]
    if isinstance(value, dict) and not any(str(k).startswith("$") for k in value):
        return {str(k): _k8s_data(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool, ir.SecretValue)):  # a secret: read from the env
        return value
    raise Untranslatable(f"holds code the scan could not evaluate: {_written(value)}")


def _model_parameters(cls: str) -> list[str] | None:
    """The constructor parameters of a ``kubernetes.client`` model, in order (None without the package)."""
    try:
        import kubernetes.client  # the Dagster environment has it (dagster-k8s)
    except ImportError:
        return None
    model = getattr(kubernetes.client, cls, None)
    if model is None:
        return None
    return [p for p in inspect.signature(model).parameters if p != "local_vars_configuration"]


def _secrets(value: object) -> tuple[dict, list]:
    """The first container's ``env``/``env_from``/``volume_mounts`` and the pod's ``volumes`` that Airflow's
    ``Secret(deploy_type, deploy_target, secret, key)`` objects add to the pod (``Secret.attach_to_pod``).

    ``env`` with a key: the variable ``deploy_target`` (upper-cased) read from the secret's key; ``env`` without
    one: every key of the secret (``envFrom``); ``volume``: the secret mounted read-only at ``deploy_target``.
    The secret's values stay in the cluster: only their names are written.
    """
    container: dict = {}
    volumes: list = []
    if not value:
        return container, volumes
    if not isinstance(value, (list, tuple)):
        raise Untranslatable("secrets is not a literal list")
    for item in value:
        # Only Kubernetes Secret objects written in the file say which secret goes where.
        if not isinstance(item, ir.CallValue) or not item.name.endswith(".Secret"):
            raise Untranslatable(f"secrets holds code the scan could not evaluate: {_written(item)}")
        named = dict(zip(SECRET_PARAMETERS, item.args, strict=False)) | dict(item.kwargs)
        kind, target, secret, key = (named.get(k) for k in SECRET_PARAMETERS[:4])
        if not isinstance(secret, str) or not all(isinstance(v, (str, type(None))) for v in (kind, target, key)):
            raise Untranslatable(f"secrets holds a Secret whose names are not literals: {_written(item)}")
        if named.get("items"):  # a subset of keys mapped to paths (V1KeyToPath objects)
            raise Untranslatable(f"secrets holds a Secret with items: {_written(item)}")
        if kind == "env" and key is not None and target is not None:
            reference = {"secret_key_ref": {"name": secret, "key": key}}
            container.setdefault("env", []).append({"name": target.upper(), "value_from": reference})
        elif kind == "env" and key is None:
            container.setdefault("env_from", []).append({"secret_ref": {"name": secret}})
        elif kind == "volume" and target is not None:
            volume = f"secretvol{len(volumes)}"  # Airflow names it secretvol<uuid>: any unique name
            volumes.append({"name": volume, "secret": {"secret_name": secret}})
            mount = {"name": volume, "mount_path": target, "read_only": True}
            container.setdefault("volume_mounts", []).append(mount)
        else:  # Airflow refuses it when the task is built
            raise Untranslatable(f"secrets holds a Secret Airflow rejects: {_written(item)}")
    return container, volumes


def _keys(value: object) -> list[str]:
    """The literal keys of a dict argument (none for code)."""
    return [str(k) for k in value] if isinstance(value, dict) and not isinstance(value, ir.Value) else []


def _joined(code: Code, *lists: object) -> str:
    """Code for the concatenation of list arguments (``cmds`` + ``arguments``); "" when they are all empty.

    A list carried as code as a whole (``arguments=build_args(...)``) is unpacked at run time.
    """
    if not any(isinstance(v, ir.Value) for v in lists):
        merged = [item for value in lists for item in (value or [])]  # type: ignore[attr-defined]
        return code.value(merged) if merged else ""
    items = [f"*{code.value(v)}" for v in lists if v]
    return "[" + ", ".join(items) + "]"


ORDER = 50
RULES = [KubernetesPod, Ecs, Docker]
