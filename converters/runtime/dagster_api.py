"""A small client for the Dagster webserver's GraphQL API: location status, reloads, runs, materializations."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import requests

from converters.runtime.errors import ServerApiError, one_line, unreachable

REPOSITORY = "__repository__"  # the repository name Dagster gives a code location's Definitions
RELOAD_TIMEOUT = 300.0  # seconds a reload may take: the location's load, on a loaded machine

LOCATIONS = """
query Locations {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError { __typename ... on PythonError { message stack } }
      }
    }
    ... on PythonError { message }
  }
}
"""

RELOAD = """
mutation Reload($name: String!) {
  reloadRepositoryLocation(repositoryLocationName: $name) {
    __typename
    ... on WorkspaceLocationEntry {
      loadStatus
      locationOrLoadError { __typename ... on PythonError { message stack } }
    }
    ... on PythonError { message }
    ... on RepositoryLocationNotFound { message }
    ... on ReloadNotSupported { message }
    ... on UnauthorizedError { message }
  }
}
"""

MATERIALIZATIONS = """
query Materializations($key: AssetKeyInput!, $limit: Int) {
  assetOrError(assetKey: $key) {
    __typename
    ... on Asset {
      assetMaterializations(limit: $limit) {
        runId
        timestamp
        partition
        tags { key value }
        metadataEntries {
          label
          __typename
          ... on TextMetadataEntry { text }
          ... on UrlMetadataEntry { url }
          ... on JsonMetadataEntry { jsonString }
          ... on IntMetadataEntry { intValue }
          ... on FloatMetadataEntry { floatValue }
          ... on TimestampMetadataEntry { timestamp }
        }
      }
    }
  }
}
"""

RUNS = """
query Runs($filter: RunsFilter, $limit: Int) {
  runsOrError(filter: $filter, limit: $limit) {
    __typename
    ... on Runs { results { runId status creationTime startTime endTime tags { key value } assetSelection { path } } }
    ... on PythonError { message }
  }
}
"""

RUN_EVENTS = """
query RunEvents($runId: ID!, $cursor: String) {
  logsForRun(runId: $runId, afterCursor: $cursor, limit: 1000) {
    __typename
    ... on EventConnection {
      events { __typename ... on MessageEvent { eventType timestamp message stepKey } }
      cursor
      hasMore
    }
    ... on PythonError { message }
    ... on RunNotFoundError { message }
  }
}
"""

INSTIGATORS = """
query Instigators($selector: RepositorySelector!) {
  repositoryOrError(repositorySelector: $selector) {
    __typename
    ... on Repository {
      schedules { name scheduleState { status } }
      sensors { name sensorState { status } }
    }
    ... on PythonError { message }
  }
}
"""

SENSOR_TICKS = """
query SensorTicks($selector: SensorSelector!, $limit: Int) {
  sensorOrError(sensorSelector: $selector) {
    __typename
    ... on Sensor {
      sensorState { status ticks(limit: $limit) { tickId status timestamp error { message } } }
    }
    ... on PythonError { message }
    ... on SensorNotFoundError { message }
  }
}
"""


class DagsterApiError(ServerApiError):
    """The GraphQL API answered with an error (the message carries Dagster's)."""


@dataclass
class DagsterClient:
    url: str
    timeout: float = 30.0
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    def query(self, query: str, variables: dict | None = None, timeout: float | None = None) -> dict:
        try:
            response = self.session.post(
                f"{self.url}/graphql",
                json={"query": query, "variables": variables or {}},
                timeout=timeout or self.timeout,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise unreachable(f"Dagster at {self.url}", "POST", "/graphql", exc) from exc
        if response.status_code != 200:
            raise DagsterApiError(
                f"Dagster at {self.url} answered GraphQL with {response.status_code}: {one_line(response.text)}"
            )
        body = response.json()
        if body.get("errors"):
            raise DagsterApiError(f"Dagster GraphQL errors: {body['errors']}")
        return body["data"]

    def healthy(self) -> bool:
        try:
            return self.session.get(f"{self.url}/server_info", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def locations(self) -> list[dict]:
        data = self.query(LOCATIONS)["workspaceOrError"]
        if data["__typename"] != "Workspace":
            raise DagsterApiError(data.get("message", str(data)))
        return data["locationEntries"]

    def wait_for_location(self, name: str, timeout: float = 180) -> None:
        """Wait until ``name`` is loaded; raise with Dagster's error when it failed to load."""
        deadline = time.monotonic() + timeout
        while True:
            entries = {entry["name"]: entry for entry in self.locations()} if self.healthy() else {}
            entry = entries.get(name)
            if entry and entry["loadStatus"] == "LOADED":
                error = entry["locationOrLoadError"]
                if error and error["__typename"] == "PythonError":
                    raise DagsterApiError(f"code location {name} failed to load: {error['message']}\n{error['stack']}")
                return
            if time.monotonic() > deadline:
                raise DagsterApiError(f"code location {name} not loaded after {timeout:.0f}s: {entry}")
            time.sleep(1)

    def reload(self, name: str) -> None:
        # The answer comes once the location has loaded again: as slow as loading it (peering asks Airflow afresh).
        data = self.query(RELOAD, {"name": name}, timeout=RELOAD_TIMEOUT)["reloadRepositoryLocation"]
        if data["__typename"] != "WorkspaceLocationEntry":
            raise DagsterApiError(f"reloading {name}: {data.get('message', data)}")
        self.wait_for_location(name)

    def materializations(self, key: list[str], limit: int = 100) -> list[dict] | None:
        """The asset's latest materializations, newest first (None when Dagster has no such asset)."""
        data = self.query(MATERIALIZATIONS, {"key": {"path": key}, "limit": limit})["assetOrError"]
        if data["__typename"] != "Asset":
            return None
        events = data["assetMaterializations"]
        for event in events:
            event["tags"] = {t["key"]: t["value"] for t in event["tags"]}
            event["metadata"] = {m["label"]: _metadata_value(m) for m in event.pop("metadataEntries")}
        return events

    def runs(self, tags: dict[str, str] | None = None, limit: int = 100) -> list[dict]:
        variables = {"filter": {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]}, "limit": limit}
        data = self.query(RUNS, variables)["runsOrError"]
        if data["__typename"] != "Runs":
            raise DagsterApiError(data.get("message", str(data)))
        runs = data["results"]
        for run in runs:
            run["tags"] = {t["key"]: t["value"] for t in run["tags"]}
        return runs

    def run_events(self, run_id: str) -> list[dict]:
        """Every event of one run, oldest first: ``eventType`` (RUN_ENQUEUED, STEP_START…; None for a plain log
        message), ``timestamp`` (epoch seconds), ``message``, ``stepKey``."""
        events: list[dict] = []
        cursor = None
        while True:
            data = self.query(RUN_EVENTS, {"runId": run_id, "cursor": cursor})["logsForRun"]
            if data["__typename"] != "EventConnection":
                raise DagsterApiError(data.get("message", str(data)))
            for event in data["events"]:
                if "timestamp" in event:
                    events.append({**event, "timestamp": float(event["timestamp"]) / 1000})
            cursor = data["cursor"]
            if not data["hasMore"]:
                return events

    def instigators(self, location: str) -> dict[str, str]:
        """Status (RUNNING/STOPPED) of every schedule and sensor of the location, by name."""
        selector = {"repositoryLocationName": location, "repositoryName": REPOSITORY}
        data = self.query(INSTIGATORS, {"selector": selector})["repositoryOrError"]
        if data["__typename"] != "Repository":
            raise DagsterApiError(data.get("message", str(data)))
        states = {s["name"]: s["scheduleState"]["status"] for s in data["schedules"]}
        states.update({s["name"]: s["sensorState"]["status"] for s in data["sensors"]})
        return states

    def sensor_ticks(self, location: str, sensor: str, limit: int = 20) -> tuple[str, list[dict]]:
        """The sensor's status (RUNNING/STOPPED) and its latest ticks, newest first: ``status`` (SUCCESS,
        SKIPPED, FAILURE, STARTED), ``timestamp`` and ``error`` (None or Dagster's message)."""
        selector = {"repositoryLocationName": location, "repositoryName": REPOSITORY, "sensorName": sensor}
        data = self.query(SENSOR_TICKS, {"selector": selector, "limit": limit})["sensorOrError"]
        if data["__typename"] != "Sensor":
            raise DagsterApiError(data.get("message", str(data)))
        ticks = data["sensorState"]["ticks"]
        for tick in ticks:
            tick["error"] = (tick.get("error") or {}).get("message")
        return data["sensorState"]["status"], ticks


def _metadata_value(entry: dict):
    for key in ("text", "url", "jsonString", "intValue", "floatValue", "timestamp"):
        if key in entry:
            return entry[key]
    return None
