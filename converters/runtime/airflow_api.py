"""A small client for Airflow's stable REST API: ``/api/v1`` with basic auth on 2.x, ``/api/v2`` with a JWT on 3.x."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

import requests

from converters.runtime.errors import AirflowApiError, api_error, unreachable

TERMINAL_RUN_STATES = {"success", "failed"}
FAILED_TASK_STATES = {"failed", "upstream_failed", "up_for_retry"}


# A call answered with a server error is tried this often in all, 2 s, 4 s, … apart: an idempotent one
# (AirflowClient.request) and a trigger (AirflowClient.trigger, which checks whether a failed try made its run).
SERVER_ERROR_ATTEMPTS = 3
IDEMPOTENT = frozenset({"GET", "HEAD", "PATCH", "PUT", "DELETE"})


def _pause_after(attempt: int) -> None:
    time.sleep(2 * attempt)


def _same_instant(one: str, other: str) -> bool:
    try:
        return datetime.fromisoformat(one.replace("Z", "+00:00")) == datetime.fromisoformat(
            other.replace("Z", "+00:00")
        )
    except ValueError:
        return one == other


class AirflowRunFailed(RuntimeError):
    """A DAG run ended (or is about to end) in failure; the message carries the failing tasks' logs."""


@dataclass
class AirflowClient:
    url: str
    version: int
    username: str
    password: str
    timeout: float = 30.0
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    @property
    def api(self) -> str:
        return f"{self.url}/api/v1" if self.version == 2 else f"{self.url}/api/v2"

    # -- auth -------------------------------------------------------------------------------------------
    def _authenticate(self) -> None:
        if self.version == 2:
            self.session.auth = (self.username, self.password)
            return
        # Airflow 3 rejects basic auth on /api/v2; the simple auth manager hands out JWTs.
        response = self.session.post(
            f"{self.url}/auth/token",
            json={"username": self.username, "password": self.password},
            timeout=self.timeout,
        )
        if response.status_code >= 400:
            raise api_error(self.name, "POST", "/auth/token", response)
        self.session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    @property
    def name(self) -> str:
        return f"Airflow {self.version} at {self.url}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        """One API call; an error status raises ``AirflowApiError``, no answer ``ServerUnreachable`` (one line each).

        A call that means the same however often it is made (GET, PATCH, PUT, DELETE) is tried again after a
        server error: Airflow on SQLite answers 500 "Database error" when its one lock stays taken by the scheduler
        and the tasks, and the call was rolled back. A POST is tried once (see ``trigger`` for how it retries)."""
        attempts = SERVER_ERROR_ATTEMPTS if method.upper() in IDEMPOTENT else 1
        for attempt in range(1, attempts + 1):
            response = self._send(method, path, **kwargs)
            if response.status_code < 500 or attempt == attempts:
                break
            _pause_after(attempt)
        if response.status_code >= 400:
            raise api_error(self.name, method, path, response)
        return response

    def _send(self, method: str, path: str, **kwargs) -> requests.Response:
        try:
            if "Authorization" not in self.session.headers and self.session.auth is None:
                self._authenticate()
            response = self.session.request(method, f"{self.api}{path}", timeout=self.timeout, **kwargs)
            if response.status_code == 401 and self.version == 3:  # token expired: get a new one once
                self._authenticate()
                response = self.session.request(method, f"{self.api}{path}", timeout=self.timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise unreachable(self.name, method, path, exc) from exc
        return response

    def has_dag(self, dag_id: str) -> bool:
        """Airflow knows the DAG from a file it still parses (a DAG whose file went away is kept, inactive)."""
        try:
            dag = self.request("GET", f"/dags/{quote(dag_id)}").json()
        except requests.HTTPError as exc:
            if exc.response is not None and exc.response.status_code == 404:
                return False
            raise
        return dag.get("is_active") is not False and dag.get("is_stale") is not True  # Airflow 2 / Airflow 3

    # -- reads ------------------------------------------------------------------------------------------
    def health(self) -> dict:
        path = "/health" if self.version == 2 else "/api/v2/monitor/health"
        response = self.session.get(f"{self.url}{path}", timeout=5)
        response.raise_for_status()
        return response.json()

    def _paged(self, path: str, key: str, params: dict | None = None) -> list[dict]:
        items: list[dict] = []
        while True:
            page = self.request("GET", path, params={**(params or {}), "limit": 100, "offset": len(items)}).json()
            items.extend(page[key])
            if not page[key] or len(items) >= page.get("total_entries", 0):
                return items

    def dags(self) -> list[dict]:
        return self._paged("/dags", "dags")

    def import_errors(self) -> list[dict]:
        return self._paged("/importErrors", "import_errors")

    def dag_runs(self, dag_id: str) -> list[dict]:
        return self._paged(f"/dags/{quote(dag_id)}/dagRuns", "dag_runs")

    def dag_run(self, dag_id: str, run_id: str) -> dict:
        return self.request("GET", f"/dags/{quote(dag_id)}/dagRuns/{quote(run_id)}").json()

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return self._paged(f"/dags/{quote(dag_id)}/dagRuns/{quote(run_id)}/taskInstances", "task_instances")

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int, map_index: int = -1) -> str:
        path = f"/dags/{quote(dag_id)}/dagRuns/{quote(run_id)}/taskInstances/{quote(task_id)}/logs/{max(try_number, 1)}"
        params = {"full_content": "true"}
        if map_index >= 0:
            params["map_index"] = str(map_index)
        if self.version == 2:
            return self.request("GET", path, params=params, headers={"Accept": "text/plain"}).text
        # Airflow 3 serves logs as JSON: a list of structured events (or plain strings).
        content = self.request("GET", path, params=params, headers={"Accept": "application/json"}).json()["content"]
        if isinstance(content, str):
            return content
        return "\n".join(
            item if isinstance(item, str) else " ".join(str(item.get(k, "")) for k in ("timestamp", "level", "event"))
            for item in content
        )

    # -- writes -----------------------------------------------------------------------------------------
    def set_paused(self, dag_id: str, paused: bool) -> None:
        self.request("PATCH", f"/dags/{quote(dag_id)}", json={"is_paused": paused})

    def trigger(
        self, dag_id: str, logical_date: str | None, conf: dict | None = None, run_id: str | None = None
    ) -> dict:
        body: dict = {"conf": conf or {}}
        if self.version == 3 or logical_date is not None:
            body["logical_date"] = logical_date  # Airflow 3 requires the key, null allowed
        if run_id:
            body["dag_run_id"] = run_id
        path = f"/dags/{quote(dag_id)}/dagRuns"
        for attempt in range(1, SERVER_ERROR_ATTEMPTS + 1):
            try:
                return self.request("POST", path, json=body).json()
            except AirflowApiError as exc:
                status = exc.response.status_code if exc.response is not None else 0
                if attempt > 1 and status == 409:
                    # The try that failed had created the run after all (a run per DAG and logical date).
                    made = self._run_of(dag_id, run_id, logical_date)
                    if made is not None:
                        return made
                if status < 500 or attempt == SERVER_ERROR_ATTEMPTS:
                    raise
                # A server error, e.g. Airflow on SQLite answering 500 "database is locked" while its scheduler
                # and task processes write: the trigger was rolled back; try again.
                _pause_after(attempt)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _run_of(self, dag_id: str, run_id: str | None, logical_date: str | None) -> dict | None:
        for run in self.dag_runs(dag_id):
            if run_id and run.get("dag_run_id") == run_id:
                return run
            when = run.get("logical_date") or run.get("execution_date")
            if not run_id and logical_date and when and _same_instant(when, logical_date):
                return run
        return None

    def set_pool_slots(self, pool: str, slots: int) -> None:
        # Airflow 3.3 validates the whole pool body (its name as "pool", include_deferred) even when the update
        # mask names slots only; 2.x wants the name.
        if self.version == 3:
            current = self.request("GET", f"/pools/{quote(pool)}").json()
            body = {"pool": pool, "slots": slots, "include_deferred": bool(current.get("include_deferred"))}
        else:
            body = {"name": pool, "slots": slots}
        self.request("PATCH", f"/pools/{quote(pool)}", params={"update_mask": "slots"}, json=body)

    def clear(self, dag_id: str, run_id: str, task_ids: list[str]) -> list[dict]:
        """Clear task instances of a run (they run again, the run goes back to queued)."""
        body = {
            "dry_run": False,
            "task_ids": task_ids,
            "dag_run_id": run_id,
            "include_downstream": False,
            "include_upstream": False,
            "only_failed": False,
            "reset_dag_runs": True,
        }
        return self.request("POST", f"/dags/{quote(dag_id)}/clearTaskInstances", json=body).json()["task_instances"]

    # -- waiting ----------------------------------------------------------------------------------------
    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 600, poll: float = 2.0) -> dict:
        """Wait for a run to finish; raise AirflowRunFailed with the failing tasks' logs as soon as one fails."""
        deadline = time.monotonic() + timeout
        while True:
            run = self.dag_run(dag_id, run_id)
            failing = [ti for ti in self.task_instances(dag_id, run_id) if ti.get("state") in FAILED_TASK_STATES]
            if run["state"] == "failed" or failing:
                raise AirflowRunFailed(self.describe_failure(dag_id, run_id, failing))
            if run["state"] == "success":
                return run
            if time.monotonic() > deadline:
                states = {ti["task_id"]: ti.get("state") for ti in self.task_instances(dag_id, run_id)}
                raise TimeoutError(f"{dag_id} run {run_id} still {run['state']} after {timeout:.0f}s: {states}")
            time.sleep(poll)

    def describe_failure(self, dag_id: str, run_id: str, failing: list[dict]) -> str:
        lines = [f"{dag_id} run {run_id} failed:"]
        for ti in failing:
            lines.append(f"--- task {ti['task_id']} (map index {ti.get('map_index', -1)}) is {ti['state']}")
            try:
                log = self.task_log(dag_id, run_id, ti["task_id"], ti.get("try_number") or 1, ti.get("map_index", -1))
            except requests.HTTPError as exc:
                log = f"(log unavailable: {exc})"
            lines.append("\n".join(log.splitlines()[-40:]))
        return "\n".join(lines)
