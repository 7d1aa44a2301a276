"""The whole suite: what keeps parallel workers (`make test`: ``-n 2 --dist loadgroup``) from sharing state.

Under pytest-xdist each worker gets a temporary folder of its own as ``TMPDIR``, before any test runs, for itself
and every process it starts (Airflow keeps ``TMPDIR``; see ``base_environment``). Fixed paths under the temporary
folder are then per worker instead of per machine: cosmos's dbt cache (``<tmp>/cosmos``), the dbt target folders
of a generated location (``<tmp>/airflow-to-dagster-dbt/<project>-<hash of its path>``: both lines' workers
materialize the checkout's ``dagster_defs`` at the same time), Dagster's code-server sockets. The prefix is short:
a Unix socket path must stay under 108 bytes.

Everything else a test writes is already per test or per fixture (``tmp_path``, ``tmp_path_factory``: per worker
under xdist), per Airflow line (the demo's ``.runtime/demo/airflow<N>/``: one line's tests share one worker, see
``tests/integration/conftest.py``), or safe to share (the scan cache: content-keyed entries replaced atomically).

Servers take free loopback ports, the Airflow scheduler's log server included.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, … in an xdist worker; unset otherwise

if WORKER:
    _worker_tmp = tempfile.mkdtemp(prefix=f"a2d-{WORKER}-")
    os.environ["TMPDIR"] = _worker_tmp
    tempfile.tempdir = None  # gettempdir() reads TMPDIR again


def pytest_sessionfinish(session, exitstatus):
    if WORKER:
        shutil.rmtree(_worker_tmp, ignore_errors=True)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """``--dist loadgroup`` with pytest 9.2: put each grouped test's ``@<group>`` suffix where pytest reads it.

    xdist 3.8 tells the scheduler a test's group by appending ``@<group>`` to ``item._nodeid``; pytest 9.2 derives
    ``nodeid`` from a structured ``item._id`` instead, so the suffix is lost and grouped tests are spread over the
    workers as if unmarked (pytest-xdist issue 1386, fix proposed in PR 1388). Where the suffix is missing, this
    sets it on the structured id, as xdist does on older pytest. Remove it once xdist sets the suffix itself."""
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import NodeId

    for item in items:
        groups = sorted(
            {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in item.iter_markers("xdist_group")}
        )
        if groups and item.nodeid.rfind("@") <= item.nodeid.rfind("]"):
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(groups)}")
