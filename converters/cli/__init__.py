"""The ``airflow-to-dagster`` command line. Thin: parse arguments, call one function, print.

Exit codes: 0 ok, 1 findings (e.g. a run failed), 2 usage or input/environment error.

One module per face of the toolkit; a verb is one function there that calls one function elsewhere:

- ``demo``: demo (the whole story on the example estate);
- ``estate``: scan, verify, convert, rules, report;
- ``side_by_side``: runtime (up, down, status), proxy, rollback, decommission, gates, status;
- ``views``: consoles, tables, progress bars and spinners, JSON output; ``common``: the app and shared options.
"""

from __future__ import annotations

# Importing the modules registers their verbs, in this order (the order `--help` lists them).
from converters.cli import demo, estate, side_by_side  # noqa: F401
from converters.cli.common import app


def main() -> None:
    app()
