"""The reversible edit `proxy` makes to a DAG file: airlift's ``proxying_to_dagster`` block, appended once.

The block is appended after the last byte of the file, between two marker lines, in the file's own line
endings. Nothing else changes, so removing the block gives back the original bytes; the begin marker records
whether a final newline had to be added. libcst checks the file before (it must parse, and define its DAGs
where airlift can find them) and after (the edited file must parse and keep every original statement).

The block finds the file's DAGs among its globals and among the DAGs Airflow registered while the file ran
(``@dag`` functions and ``with DAG(...)`` blocks register theirs even when no global name holds them), and
reads the proxied state from the ``proxied_state/`` folder at the root of the DAGs folder. Its operators are
airlift's defaults except for the partition a run gets: airlift wants the logical date to parse back from
the partition key exactly, which fails for schedules at an hour offset (`0 6 * * *` with daily keys) and for
manual runs; here the partition is the one named like the run's ds, else the one whose window holds it.

Two more changes make the proxied task safe when Dagster fails under it. A webserver that does not answer
fails the task with a message naming Dagster's URL (airlift's own is a bare connection error), and Airflow
retries it per the task's retry policy. A retry does not launch a second run when an earlier try of the same
retry cycle already launched one that succeeded or is still going (the Airflow task failed while Dagster
kept working): it waits for that run instead, so one Airflow task instance makes one successful Dagster run.
Each run is tagged with the Airflow try that launched it; a cleared task starts a new cycle (Airflow raises
its ``max_tries``, the first try of a cycle is ``max_tries - retries + 1``) and runs again.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

BEGIN = "# >>> airflow-to-dagster proxy block: managed by `airflow-to-dagster proxy/rollback`; do not edit"
BEGIN_NEWLINE_ADDED = BEGIN + " (final newline added)"
END = "# <<< airflow-to-dagster proxy block"

BLOCK = """\
from datetime import datetime as _A2dDatetime, timezone as _A2dTimezone  # noqa: E402
from pathlib import Path as _A2dPath  # noqa: E402

import requests as _A2dRequests  # noqa: E402

from dagster_airlift.in_airflow import (  # noqa: E402
    DefaultProxyDAGToDagsterOperator,
    DefaultProxyTaskToDagsterOperator,
    proxying_to_dagster,
)
from dagster_airlift.in_airflow.proxied_state import load_proxied_state_from_yaml  # noqa: E402

try:  # Airflow 3
    from airflow.sdk.definitions._internal.contextmanager import DagContext as _A2dDagContext  # noqa: E402
except ImportError:  # Airflow 2
    from airflow.models.dag import DagContext as _A2dDagContext  # noqa: E402


def _a2d_partition_key(operator, context, partitioning_info):
    \"\"\"The Dagster partition for this Airflow run: the one named like its logical date (its ds), else the
    one whose window holds that date (a manual run between two scheduled ones).\"\"\"
    logical_date = context.get("logical_date") or context["dag_run"].run_after
    fmt = partitioning_info.time_window_partitioning_info.fmt
    keys = partitioning_info.partition_keys
    if logical_date.strftime(fmt) in keys:
        return logical_date.strftime(fmt)
    started = [k for k in keys if _A2dDatetime.strptime(k, fmt).replace(tzinfo=_A2dTimezone.utc) <= logical_date]
    if not started:
        raise ValueError(f"no Dagster partition holds the logical date {logical_date.isoformat()}")
    return started[-1]


class _A2dDagsterUnreachable(Exception):
    \"\"\"Dagster's webserver did not answer: the task fails, and Airflow retries it per its retry policy.\"\"\"


class _A2dDagsterRunFailed(Exception):
    \"\"\"The Dagster run this task launched (or waited for) did not succeed.\"\"\"


class _A2dDagsterSession(_A2dRequests.Session):
    \"\"\"A session whose connection errors name the Dagster they could not reach.\"\"\"

    def __init__(self, dagster_url):
        super().__init__()
        self.dagster_url = dagster_url

    def request(self, method, url, *args, **kwargs):
        try:
            return super().request(method, url, *args, **kwargs)
        except (_A2dRequests.ConnectionError, _A2dRequests.Timeout) as exc:
            raise _A2dDagsterUnreachable(
                f"Dagster at {self.dagster_url} is unreachable ({type(exc).__name__}: {exc}); "
                "the task fails and Airflow retries it per its retry policy"
            ) from exc


_A2D_TRY_TAG = "airflow-to-dagster/airflow-try-number"
_A2D_RUN_TAGS = [f"dagster-airlift/airflow-{name}" for name in ("dag-id", "dag-run-id", "task-id")]
_A2D_RUNS_QUERY = (
    "query A2dRuns($filter: RunsFilter) { runsOrError(filter: $filter) { __typename "
    "... on Runs { results { runId status tags { key value } } } ... on PythonError { message } } }"
)


class _A2dLaunchOnce:
    \"\"\"A proxy operator that names Dagster when it is unreachable and launches one run per retry cycle.\"\"\"

    def get_dagster_session(self, context):
        return _A2dDagsterSession(self.get_dagster_url(context))

    def default_dagster_run_tags(self, context):
        return {**super().default_dagster_run_tags(context), _A2D_TRY_TAG: str(context["ti"].try_number)}

    def launch_dagster_run(self, context, session, dagster_url, execution_params):
        tags = {tag["key"]: tag["value"] for tag in execution_params["executionMetadata"]["tags"]}
        ti = context["ti"]
        first_try = ti.max_tries - (self.retries or 0) + 1  # Airflow's own rule for the current retry cycle
        response = session.post(
            f"{dagster_url}/graphql",
            json={
                "query": _A2D_RUNS_QUERY,
                "variables": {"filter": {"tags": [{"key": k, "value": tags[k]} for k in _A2D_RUN_TAGS]}},
            },
            timeout=10,
        )
        runs = self.get_valid_graphql_response(response, "runsOrError").get("results") or []
        earlier = []
        for run in runs:
            launched_by = {tag["key"]: tag["value"] for tag in run["tags"]}.get(_A2D_TRY_TAG, "")
            if launched_by.isdigit() and first_try <= int(launched_by) < ti.try_number:
                earlier.append(run)
        for wanted in ("SUCCESS", "QUEUED", "NOT_STARTED", "STARTING", "STARTED"):
            for run in earlier:
                if run["status"] == wanted:
                    self.log.info(
                        "An earlier try of this task launched Dagster run %s (%s): "
                        "waiting for it instead of launching another",
                        run["runId"],
                        run["status"],
                    )
                    return run["runId"]
        return super().launch_dagster_run(context, session, dagster_url, execution_params)

    def wait_for_run_and_retries_to_complete(self, session, dagster_url, run_id):
        try:
            return super().wait_for_run_and_retries_to_complete(session=session, dagster_url=dagster_url, run_id=run_id)
        except _A2dDagsterUnreachable:
            raise
        except Exception as exc:
            raise _A2dDagsterRunFailed(f"the Dagster run {dagster_url}/runs/{run_id} did not succeed: {exc}") from exc


class _A2dTaskProxy(_A2dLaunchOnce, DefaultProxyTaskToDagsterOperator):
    get_partition_key = _a2d_partition_key

    @classmethod
    def build_from_task(cls, task):
        # airlift's copy, with the task's own id: the copy joins the task's TaskGroup, which prefixes the
        # (already prefixed) id a second time, and Airflow then cannot load the serialized DAG.
        operator = super().build_from_task(task)
        if operator.task_id != task.task_id:
            group = operator.task_group
            if group is not None and group.children.get(operator.task_id) is operator:
                del group.children[operator.task_id]
                group.children[task.task_id] = operator
            operator.task_id = task.task_id
        return operator


class _A2dDagProxy(_A2dLaunchOnce, DefaultProxyDAGToDagsterOperator):
    get_partition_key = _a2d_partition_key

    @classmethod
    def build_from_dag(cls, dag):
        return cls(task_id=f"DAGSTER_OVERRIDE_DAG_{dag.dag_id}", dag=dag)


proxying_to_dagster(
    global_vars={
        id(value): value
        for value in [
            *globals().values(),
            *(dag for dag, module in _A2dDagContext.autoregistered_dags if module.__name__ == __name__),
        ]
    },
    proxied_state=load_proxied_state_from_yaml(_A2dPath(__file__).resolve(){parents} / "proxied_state"),
    build_from_task_fn=_A2dTaskProxy.build_from_task,
    build_from_dag_fn=_A2dDagProxy.build_from_dag,
)
"""

# Module-level constructs that create DAGs airlift's globals() scan can reach (directly or via DagContext).
DAG_CALLEES = {"DAG", "dag"}


class ProxyBlockError(ValueError):
    """The file cannot take (or give back) the proxy block; the message says why. The file is untouched."""


@dataclass(frozen=True)
class Layout:
    newline: str
    has_block: bool


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _parse(text: str, what: str) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise ProxyBlockError(f"{what} does not parse (line {exc.raw_line}): {exc.message}") from exc


def block_text(depth: int, newline: str = "\n") -> str:
    """The block for a DAG file ``depth`` folders below the DAGs folder's root."""
    parents = "".join(".parent" for _ in range(depth + 1))
    return BLOCK.replace("{parents}", parents).replace("\n", newline)


def has_block(text: str) -> bool:
    return BEGIN in text


def add_block(text: str, *, depth: int = 0, file: str = "the DAG file") -> str:
    """``text`` with the proxy block appended; refuses files airlift could not proxy."""
    if has_block(text):
        raise ProxyBlockError(f"{file} already has the proxy block")
    module = _parse(text, file)
    _check_layout(module, file)
    newline = _newline(text)
    added = bool(text) and not text.endswith(("\n", "\r"))
    begin = BEGIN_NEWLINE_ADDED if added else BEGIN
    edited = text + (newline if added else "") + newline + begin + newline + block_text(depth, newline) + END + newline
    after = _parse(edited, f"{file} with the proxy block")
    if len(after.body) <= len(module.body) or [s.__class__ for s in after.body[: len(module.body)]] != [
        s.__class__ for s in module.body
    ]:
        raise ProxyBlockError(f"{file}: the proxy block would not stand on its own at the end of the file")
    if remove_block(edited, file=file) != text:
        raise ProxyBlockError(f"{file}: the proxy block could not be removed again byte for byte; refusing to add it")
    return edited


def remove_block(text: str, *, file: str = "the DAG file") -> str:
    """``text`` without the proxy block: exactly the bytes it had before `add_block`."""
    start = text.find(BEGIN)
    if start < 0:
        raise ProxyBlockError(f"{file} has no proxy block")
    newline = _newline(text)
    line_end = text.find(newline, start)
    marker = text[start:line_end]
    if marker not in (BEGIN, BEGIN_NEWLINE_ADDED):
        raise ProxyBlockError(f"{file}: the proxy block's first line was edited; remove the block by hand")
    end = text.find(END, line_end)
    if end < 0 or text[end + len(END) :] not in (newline, ""):
        raise ProxyBlockError(f"{file}: the proxy block is not the end of the file any more; remove it by hand")
    depth = text[line_end:end].count(".parent") - 1
    if text[line_end + len(newline) : end] != block_text(depth, newline):
        raise ProxyBlockError(f"{file}: the proxy block was edited by hand; remove it by hand")
    before = text[:start]
    if not before.endswith(newline) and before:
        raise ProxyBlockError(f"{file}: the proxy block does not start on its own line; remove it by hand")
    before = before[: -len(newline)] if before else before  # the blank line the block added
    if marker == BEGIN_NEWLINE_ADDED:
        before = before[: -len(newline)]
    return before


def _check_layout(module: cst.Module, file: str) -> None:
    """Refuse files where airlift would find no DAG at run time (it raises then, breaking the DAG file)."""
    for node in module.body:
        if _creates_dag(node):
            return
    raise ProxyBlockError(
        f"{file}: no DAG is created at module level (`with DAG(...)`, `x = DAG(...)` or a call of a `@dag` "
        "function); airlift only proxies DAGs it finds there"
    )


def _creates_dag(node: cst.CSTNode) -> bool:
    finder = _DagFinder()
    node.visit(finder)
    return finder.found


class _DagFinder(cst.CSTVisitor):
    """A DAG constructor, a ``@dag``-decorated function, or the call of one, anywhere in a top-level statement."""

    def __init__(self) -> None:
        self.found = False

    def visit_Call(self, node: cst.Call) -> bool:
        name = node.func
        if isinstance(name, cst.Attribute):
            name = name.attr
        if isinstance(name, cst.Name) and name.value in DAG_CALLEES:
            self.found = True
        return not self.found

    def visit_Decorator(self, node: cst.Decorator) -> bool:
        target = node.decorator.func if isinstance(node.decorator, cst.Call) else node.decorator
        if isinstance(target, cst.Attribute):
            target = target.attr
        if isinstance(target, cst.Name) and target.value == "dag":
            self.found = True
        return False
