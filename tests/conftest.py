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
"""

from __future__ import annotations

import os
import shutil
import tempfile

WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, … in an xdist worker; unset otherwise

if WORKER:
    _worker_tmp = tempfile.mkdtemp(prefix=f"a2d-{WORKER}-")
    os.environ["TMPDIR"] = _worker_tmp
    tempfile.tempdir = None  # gettempdir() reads TMPDIR again


def pytest_sessionfinish(session, exitstatus):
    if WORKER:
        shutil.rmtree(_worker_tmp, ignore_errors=True)
