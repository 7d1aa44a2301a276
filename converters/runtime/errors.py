"""The errors a side-by-side verb ends with when its input or its servers are not what it needs.

Two kinds, both shown by the CLI as one line with exit 2 (``user_error``, called once at the CLI's boundary):

- ``ServerApiError``: Airflow's REST API or Dagster's GraphQL API refused a request or did not answer. The API
  clients raise it (``AirflowApiError`` is also a ``requests.HTTPError``, ``ServerUnreachable`` a
  ``requests.ConnectionError``, so code that waits for a server by catching those keeps working).
- ``PreflightError``: a verb's precondition does not hold (see ``preflight``); raised before anything changed.
"""

from __future__ import annotations

import json

import requests


class ServerApiError(RuntimeError):
    """Airflow's or Dagster's API refused a request or did not answer; the message is one line."""


class AirflowApiError(requests.HTTPError, ServerApiError):
    """Airflow's REST API answered a request with an HTTP error status."""


class ServerUnreachable(requests.ConnectionError, ServerApiError):
    """A server of the runtime did not answer at all (refused, reset, timed out)."""


class PreflightError(ValueError):
    """A verb's precondition does not hold (unknown DAG or task, a DAG the running Airflow lacks…); nothing
    was changed."""


def api_error(server: str, method: str, path: str, response: requests.Response) -> AirflowApiError:
    """One line for an error answer: the server, the request, the status and the API's own explanation."""
    reason = f"{response.status_code} {response.reason or ''}".strip()
    detail = _detail(response)
    return AirflowApiError(
        f"{server} answered {method} {path} with {reason}{': ' + detail if detail else ''}", response=response
    )


def unreachable(server: str, method: str, path: str, exc: requests.RequestException) -> ServerUnreachable:
    what = "timed out" if isinstance(exc, requests.Timeout) else "refused the connection"
    return ServerUnreachable(
        f"{server} {what} ({method} {path}): is the runtime up? (`airflow-to-dagster runtime status`)"
    )


def _detail(response: requests.Response) -> str:
    """The API's explanation: ``detail`` (or ``title``) of a problem+json body, else the text's first line."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        detail = body.get("detail") or body.get("title") or body.get("message")
        if detail is not None:
            return one_line(detail if isinstance(detail, str) else json.dumps(detail, default=str))
    return one_line(response.text or "")


def one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def user_error(exc: BaseException) -> str | None:
    """The one line the CLI prints for an error of the servers or the input, None for anything else (a bug
    whose traceback must be seen)."""
    if isinstance(exc, (ServerApiError, PreflightError)):
        return one_line(str(exc), limit=2000)
    if isinstance(exc, requests.RequestException):  # a request made around the clients
        return one_line(f"request to {getattr(exc.request, 'url', 'a server')} failed: {exc}")
    return None
