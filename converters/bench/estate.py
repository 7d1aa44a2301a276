"""A synthetic Airflow estate of any size, shaped like real ones (../shared/corpus-facts.md), from a seed.

Same ``(files, tasks_per_dag, seed)`` → same bytes, so two runs (or two machines) measure the same input.
Each file holds one DAG (a few hold two) of about ``tasks_per_dag`` tasks. The mix follows the corpus:

- import styles: 2.x paths in ~68 % of files, 1.10 paths (``*_operator`` modules, ``airflow.contrib``) in ~24 %,
  Airflow 3 ``airflow.sdk`` / ``providers.standard`` in ~8 %;
- task families weighted by their share in production estates (Python callables, SQL, pods, HTTP, Bash,
  Empty/Dummy, sensors, SSH, TaskFlow ``@task``, cross-DAG operators, a custom operator subclass);
- constructs: ``>>`` chains with lists, ``chain(...)``, ``TaskGroup``, loops over literals, ``default_args``,
  Jinja templates, pools, trigger rules, retries, cron/preset/timedelta/``None`` schedules.

The files only have to be *read*: they are scanned and converted, never run (``ensure_files`` below writes
the one small estate the runtime measures do run).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

STYLES = (("v2", 68), ("v1", 24), ("v3", 8))
# family -> weight (share of tasks in production estates, rounded; the long tail is a custom subclass)
FAMILIES = (
    ("python", 17),
    ("taskflow", 8),
    ("sql", 15),
    ("pod", 12),
    ("http", 12),
    ("bash", 6),
    ("empty", 7),
    ("sensor", 5),
    ("ssh", 3),
    ("short_circuit", 2),
    ("trigger", 1),
    ("custom", 12),
)
SCHEDULES = (
    ('"0 3 * * *"', 40),
    ("None", 22),
    ('"@daily"', 12),
    ("timedelta(hours=6)", 6),
    ('"@once"', 6),
    ('"@hourly"', 4),
    ('"15 */2 * * 1-5"', 10),
)

IMPORTS = {
    "v2": {
        "dag": "from airflow import DAG",
        "python": "from airflow.operators.python import PythonOperator, ShortCircuitOperator",
        "bash": "from airflow.operators.bash import BashOperator",
        "empty": "from airflow.operators.empty import EmptyOperator",
        "sql": "from airflow.providers.postgres.operators.postgres import PostgresOperator",
        "pod": "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator",
        "http": "from airflow.providers.http.operators.http import SimpleHttpOperator",
        "sensor": "from airflow.sensors.external_task import ExternalTaskSensor",
        "ssh": "from airflow.providers.ssh.operators.ssh import SSHOperator",
        "trigger": "from airflow.operators.trigger_dagrun import TriggerDagRunOperator",
        "taskflow": "from airflow.decorators import task",
        "group": "from airflow.utils.task_group import TaskGroup",
        "chain": "from airflow.models.baseoperator import chain",
        "base": "from airflow.models.baseoperator import BaseOperator",
    },
    "v1": {
        "dag": "from airflow import DAG",
        "python": "from airflow.operators.python_operator import PythonOperator, ShortCircuitOperator",
        "bash": "from airflow.operators.bash_operator import BashOperator",
        "empty": "from airflow.operators.dummy_operator import DummyOperator as EmptyOperator",
        "sql": "from airflow.operators.postgres_operator import PostgresOperator",
        "pod": "from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator",
        "http": "from airflow.operators.http_operator import SimpleHttpOperator",
        "sensor": "from airflow.sensors.external_task_sensor import ExternalTaskSensor",
        "ssh": "from airflow.contrib.operators.ssh_operator import SSHOperator",
        "trigger": "from airflow.operators.dagrun_operator import TriggerDagRunOperator",
        "taskflow": "from airflow.decorators import task",
        "group": "from airflow.utils.task_group import TaskGroup",
        "chain": "from airflow.utils.helpers import chain",
        "base": "from airflow.models import BaseOperator",
    },
    "v3": {
        "dag": "from airflow.sdk import DAG",
        "python": "from airflow.providers.standard.operators.python import PythonOperator, ShortCircuitOperator",
        "bash": "from airflow.providers.standard.operators.bash import BashOperator",
        "empty": "from airflow.providers.standard.operators.empty import EmptyOperator",
        "sql": "from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator as PostgresOperator",
        "pod": "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator",
        "http": "from airflow.providers.http.operators.http import HttpOperator as SimpleHttpOperator",
        "sensor": "from airflow.providers.standard.sensors.external_task import ExternalTaskSensor",
        "ssh": "from airflow.providers.ssh.operators.ssh import SSHOperator",
        "trigger": "from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator",
        "taskflow": "from airflow.sdk import task",
        "group": "from airflow.sdk import TaskGroup",
        "chain": "from airflow.sdk import chain",
        "base": "from airflow.sdk import BaseOperator",
    },
}
# Which import lines a family needs (besides the DAG's).
NEEDS = {
    "python": "python",
    "short_circuit": "python",
    "taskflow": "taskflow",
    "sql": "sql",
    "pod": "pod",
    "http": "http",
    "bash": "bash",
    "empty": "empty",
    "sensor": "sensor",
    "ssh": "ssh",
    "trigger": "trigger",
    "custom": "base",
}
WORDS = (
    "orders customers payments invoices refunds sessions clicks events inventory shipments ledger fx "
    "products prices campaigns leads accounts users devices stores returns claims"
).split()


@dataclass(frozen=True)
class EstateStats:
    files: int
    dags: int
    tasks: int
    bytes: int


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


class _FileWriter:
    """One DAG file's text: imports, callables, a custom operator, one or two DAGs."""

    def __init__(self, rng: random.Random, index: int, tasks_per_dag: int) -> None:
        self.rng = rng
        self.index = index
        self.tasks_per_dag = tasks_per_dag
        self.style = _pick(rng, STYLES)
        self.needed: set[str] = {"dag"}
        self.helpers: list[str] = []
        self.tasks = 0

    def render(self) -> str:
        dag_count = 2 if self.rng.random() < 0.06 else 1
        bodies = [self._dag(n) for n in range(dag_count)]
        imports = sorted(IMPORTS[self.style][name] for name in self.needed)
        head = [
            f'"""Synthetic DAG file {self.index:05d} (generated for benchmarks; style {self.style})."""',
            "",
            "from datetime import datetime, timedelta",
            "",
            *imports,
            "",
            f'OWNER = "team-{self.index % 17}"',
            "",
        ]
        return "\n".join(head + self.helpers + bodies) + "\n"

    def _dag(self, number: int) -> str:
        rng = self.rng
        dag_id = f"synthetic_{self.index:05d}_{number}"
        size = max(2, int(rng.gauss(self.tasks_per_dag, self.tasks_per_dag / 4)))
        schedule = _pick(rng, SCHEDULES)
        lines = [
            "default_args = {",
            '    "owner": OWNER,',
            f'    "retries": {rng.choice((0, 1, 2, 3))},',
            f'    "retry_delay": timedelta(minutes={rng.choice((1, 5, 10))}),',
            "}",
            "",
            "with DAG(",
            f'    dag_id="{dag_id}",',
            f"    schedule={schedule},",
            f"    start_date=datetime(2024, {rng.randint(1, 12)}, 1),",
            f"    catchup={rng.random() < 0.3},",
            "    default_args=default_args,",
            f'    tags=["{rng.choice(WORDS)}", "synthetic"],',
            ") as dag:",
        ]
        names: list[str] = []
        remaining = size
        in_group = rng.random() < 0.25
        if in_group:
            self.needed.add("group")
            lines.append(f'    with TaskGroup(group_id="{rng.choice(WORDS)}_group"):')
            for _ in range(min(4, remaining)):
                names.append(self._task(lines, "        ", dag_id))
                remaining -= 1
        if remaining > 3 and rng.random() < 0.3:
            # A loop over a literal list: three tasks from one statement, as real estates write it.
            entities = rng.sample(WORDS, 3)
            self.needed.add("bash")
            lines.append(f"    loaded = []\n    for entity in {entities!r}:")
            lines.append(
                '        loaded.append(BashOperator(task_id=f"load_{entity}", '
                'bash_command=f"load.sh {entity} {{{{ ds }}}}"))'
            )
            self.tasks += 3
            remaining -= 3
            names.append("loaded")
        while remaining > 0:
            names.append(self._task(lines, "    ", dag_id))
            remaining -= 1
        lines.extend(self._wiring(names))
        return "\n".join(lines) + "\n\n"

    def _wiring(self, names: list[str]) -> list[str]:
        rng = self.rng
        out = []
        position = 0
        while position < len(names) - 1:
            step = rng.choice((1, 1, 1, 2, 3))
            if step == 1:
                out.append(f"    {names[position]} >> {names[position + 1]}")
            elif (rng.random() < 0.4 or names[position] == "loaded") and position + step < len(names):
                # chain() takes the loop's list where `list >> list` would not work
                self.needed.add("chain")
                out.append(f"    chain({', '.join(names[position : position + step + 1])})")
            elif names[position] == "loaded":
                out.append(f"    {names[position]} >> {names[position + 1]}")
                step = 1
            else:
                fan = names[position + 1 : position + 1 + step]
                out.append(f"    {names[position]} >> [{', '.join(fan)}]")
            position += step
        return out

    def _task(self, lines: list[str], indent: str, dag_id: str) -> str:
        rng = self.rng
        family = _pick(rng, FAMILIES)
        self.needed.add(NEEDS[family])
        self.tasks += 1
        name = f"t{self.tasks}_{family}"
        task_id = f"{rng.choice(WORDS)}_{family}_{self.tasks}"
        extra = ""
        if rng.random() < 0.1:
            extra += ', trigger_rule="all_done"'
        if rng.random() < 0.05:
            extra += ', pool="warehouse"'
        if family == "python" or family == "short_circuit":
            function = f"step_{self.tasks}"
            self.helpers.append(
                f"def {function}(ds, **context):\n"
                f'    rows = [(ds, "{rng.choice(WORDS)}", n) for n in range({rng.randint(1, 50)})]\n'
                f"    return len(rows)\n\n"
            )
            cls = "PythonOperator" if family == "python" else "ShortCircuitOperator"
            lines.append(f'{indent}{name} = {cls}(task_id="{task_id}", python_callable={function}{extra})')
        elif family == "taskflow":
            lines.append(f'{indent}@task(task_id="{task_id}"{extra})\n{indent}def {name}_fn(ds=None):')
            lines.append(f"{indent}    return {{'ds': ds, 'n': {rng.randint(1, 99)}}}\n")
            lines.append(f"{indent}{name} = {name}_fn()")
        elif family == "sql":
            table = f"{rng.choice(WORDS)}_{rng.randint(1, 9)}"
            lines.append(
                f'{indent}{name} = PostgresOperator(task_id="{task_id}", postgres_conn_id="warehouse", '
                f"sql=\"insert into mart.{table} select * from raw.{table} where ds = '{{{{ ds }}}}'\"{extra})"
            )
        elif family == "pod":
            lines.append(
                f'{indent}{name} = KubernetesPodOperator(task_id="{task_id}", name="{task_id}", '
                f'namespace="jobs", image="registry.local/{rng.choice(WORDS)}:1.{rng.randint(0, 9)}", '
                f'cmds=["python", "-m", "job"], arguments=["--date", "{{{{ ds }}}}"]{extra})'
            )
        elif family == "http":
            lines.append(
                f'{indent}{name} = SimpleHttpOperator(task_id="{task_id}", http_conn_id="partner_api", '
                f'endpoint="v1/{rng.choice(WORDS)}", method="POST", data=\'{{"date": "{{{{ ds }}}}"}}\'{extra})'
            )
        elif family == "bash":
            lines.append(
                f'{indent}{name} = BashOperator(task_id="{task_id}", '
                f'bash_command="run_{rng.choice(WORDS)}.sh {{{{ ds_nodash }}}}"{extra})'
            )
        elif family == "empty":
            lines.append(f'{indent}{name} = EmptyOperator(task_id="{task_id}"{extra})')
        elif family == "sensor":
            lines.append(
                f'{indent}{name} = ExternalTaskSensor(task_id="{task_id}", external_dag_id="upstream_'
                f'{rng.choice(WORDS)}", external_task_id=None, mode="reschedule", timeout=3600{extra})'
            )
        elif family == "ssh":
            lines.append(
                f'{indent}{name} = SSHOperator(task_id="{task_id}", ssh_conn_id="batch_host", '
                f'command="/opt/jobs/{rng.choice(WORDS)} --date {{{{ ds }}}}"{extra})'
            )
        elif family == "trigger":
            lines.append(
                f'{indent}{name} = TriggerDagRunOperator(task_id="{task_id}", '
                f'trigger_dag_id="{dag_id}_downstream"{extra})'
            )
        else:  # custom: a subclass defined in the file, as plugin operators are
            cls = f"Sync{self.index}Operator"
            if not any(h.startswith(f"class {cls}(") for h in self.helpers):
                self.helpers.append(
                    f"class {cls}(BaseOperator):\n"
                    '    template_fields = ("target",)\n\n'
                    "    def __init__(self, target, **kwargs):\n"
                    "        super().__init__(**kwargs)\n"
                    "        self.target = target\n\n"
                    "    def execute(self, context):\n"
                    "        return self.target\n\n"
                )
            lines.append(
                f'{indent}{name} = {cls}(task_id="{task_id}", target="{rng.choice(WORDS)}/{{{{ ds }}}}"{extra})'
            )
        return name


def write_estate(folder: Path, files: int = 1000, tasks_per_dag: int = 20, seed: int = 8) -> EstateStats:
    """Write ``files`` DAG files into ``folder`` (created; existing synthetic files are overwritten)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    dags = tasks = size = 0
    for index in range(files):
        writer = _FileWriter(random.Random(rng.getrandbits(64)), index, tasks_per_dag)
        text = writer.render()
        path = folder / f"synthetic_{index:05d}.py"
        path.write_text(text, encoding="utf-8")
        dags += text.count("\nwith DAG(")
        tasks += writer.tasks
        size += len(text.encode())
    return EstateStats(files, dags, tasks, size)


FACTORY_MODULE = '''"""The one factory every DAG file of the estate calls: a DAG from a literal config."""

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.operators.postgres import PostgresOperator

from common.settings import DEFAULT_ARGS, START


def log_step(step, **context):
    print(step, context["ds"])


def _step(step):
    if step["kind"] == "bash":
        return BashOperator(task_id=step["id"], bash_command=step["command"])
    if step["kind"] == "sql":
        return PostgresOperator(task_id=step["id"], sql=step["command"], postgres_conn_id="warehouse")
    if step["kind"] == "python":
        return PythonOperator(task_id=step["id"], python_callable=log_step, op_args=[step["id"]])
    return EmptyOperator(task_id=step["id"])


def build_dag(config):
    with DAG(
        config["dag_id"],
        schedule=config.get("schedule"),
        start_date=START,
        catchup=False,
        default_args={**DEFAULT_ARGS, "retries": config.get("retries", 1)},
        tags=["factory", config["team"]],
    ) as dag:
        start = EmptyOperator(task_id="start")
        previous = [start]
        for wave in config["waves"]:
            tasks = [_step(step) for step in wave]
            for task in previous:
                task >> tasks
            previous = tasks
        done = EmptyOperator(task_id="done", trigger_rule="all_done")
        previous >> done
    return dag
'''

SETTINGS_MODULE = '''"""Settings shared by every DAG of the estate."""

from datetime import datetime, timedelta

START = datetime(2024, 1, 1)
DEFAULT_ARGS = {"owner": "data", "retry_delay": timedelta(minutes=5)}
'''


def write_factory_estate(folder: Path, files: int = 1000, tasks_per_dag: int = 20, seed: int = 8) -> EstateStats:
    """An estate whose DAGs are built by a factory in a sibling module: ``dags/*.py`` each call
    ``common/factory.py:build_dag(config)`` with a literal config (waves of steps), and register the result under
    a module-level name, as estates that generate their DAGs from configs do. Same arguments, same bytes."""
    (folder / "dags").mkdir(parents=True, exist_ok=True)
    (folder / "common").mkdir(parents=True, exist_ok=True)
    (folder / "common" / "__init__.py").write_text("", encoding="utf-8")
    (folder / "common" / "factory.py").write_text(FACTORY_MODULE, encoding="utf-8")
    (folder / "common" / "settings.py").write_text(SETTINGS_MODULE, encoding="utf-8")
    rng = random.Random(seed)
    tasks = size = 0
    kinds = ("bash", "sql", "python", "empty")
    for index in range(files):
        steps = max(2, int(rng.gauss(tasks_per_dag, tasks_per_dag / 5))) - 2  # start and done are added
        waves: list[list[dict]] = []
        for number in range(steps):
            if not waves or rng.random() < 0.4:
                waves.append([])
            kind = rng.choice(kinds)
            step = {"id": f"{rng.choice(WORDS)}_{number}", "kind": kind}
            if kind == "bash":
                step["command"] = f"echo {rng.choice(WORDS)} {{{{ ds }}}}"
            elif kind == "sql":
                step["command"] = f"SELECT count(*) FROM {rng.choice(WORDS)} WHERE day = '{{{{ ds }}}}'"
            waves[-1].append(step)
        config = {
            "dag_id": f"factory_{index:05d}",
            "team": rng.choice(("sales", "finance", "ops", "marketing")),
            "schedule": rng.choice(("@daily", "0 3 * * *", None)),
            "retries": rng.randint(0, 3),
            "waves": waves,
        }
        text = (
            f'"""Factory-built DAG {index} (synthetic, seed {seed})."""\n\n'
            "from common.factory import build_dag\n\n"
            f"CONFIG = {config!r}\n\n"
            "dag = build_dag(CONFIG)\n"
        )
        path = folder / "dags" / f"factory_{index:05d}.py"
        path.write_text(text, encoding="utf-8")
        tasks += steps + 2
        size += len(text.encode())
    return EstateStats(files, files, tasks, size)
