"""The side-by-side runtime's Dagster run launcher: a run worker forked from a process with Dagster imported.

Dagster's default launcher asks the code server to start each run worker, and the code server spawns a fresh
interpreter (``multiprocessing``'s "spawn", fixed in Dagster) that imports Dagster and its CLI again before the
run can start: 1.5 s on a quiet 2-core machine, 3-4 s at load 8, the largest part of a proxied task's overhead
(`make bench`). This launcher starts the run worker from a `forkserver` that imported Dagster once: the worker
is a fork of it, and only imports the code location (from the run's own code origin, as `dagster api
execute_run` does). Everything after that is Dagster's own run worker body (events, the cancellation thread,
the executor), so runs look the same in Dagster's UI.

`runtime up` names it in ``dagster.yaml``; it runs inside Dagster's processes (the webserver launches the runs a
proxied Airflow task submits, the daemon those of sensors and schedules) and imports nothing of the toolkit but
this module. Terminating a run sends its worker SIGINT, as Dagster's code server does. The team deployment
(``docker-compose.yml``) keeps Dagster's default launcher.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Mapping
from typing import Any

from dagster._core.launcher import LaunchRunContext, RunLauncher
from dagster._serdes import ConfigurableClass, ConfigurableClassData

PID_TAG = "airflow-to-dagster/run-worker-pid"
# The launching process's main module (Dagster's webserver or daemon CLI), which a worker would otherwise import
# again before it runs, and the run worker's body, with Dagster. `launch_run` adds the instance's storages.
PRELOAD = ("__main__", "dagster._cli.api")


def _run_worker(run_id: str, instance_ref: Any) -> None:
    """The forked run worker: what `dagster api execute_run` does once Dagster is imported.

    It leaves the launching server's process group first: a run keeps going when the webserver (or daemon) that
    launched it stops or restarts, as runs launched by Dagster's code server do (a proxied Airflow task's retry
    then waits for that run instead of launching another: docs/reliability.md)."""
    os.setsid()
    from dagster._cli.api import _execute_run_command_body
    from dagster._core.instance import DagsterInstance
    from dagster._utils.interrupts import capture_interrupts

    # As `dagster api execute_run`: a SIGINT (`terminate`) becomes Dagster's interruption of the run.
    with capture_interrupts(), DagsterInstance.from_ref(instance_ref) as instance:
        _execute_run_command_body(run_id, instance, lambda event: None, set_exit_code_on_failure=False)


class ForkedRunLauncher(RunLauncher, ConfigurableClass):
    """Launches each run in a worker forked from a forkserver that has Dagster imported."""

    def __init__(self, inst_data: ConfigurableClassData | None = None):
        self._inst_data = inst_data
        self._context = multiprocessing.get_context("forkserver")
        self._preloaded = False
        super().__init__()

    @property
    def inst_data(self) -> ConfigurableClassData | None:
        return self._inst_data

    @classmethod
    def config_type(cls) -> dict:
        return {}

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value: Mapping[str, Any]):
        return cls(inst_data=inst_data)

    def launch_run(self, context: LaunchRunContext) -> None:
        multiprocessing.active_children()  # reaps the workers that finished since the last launch
        if not self._preloaded:  # before the forkserver starts, with the first run: the modules every worker needs
            self._context.set_forkserver_preload([*PRELOAD, *self._storage_modules()])
            self._preloaded = True
        run = context.dagster_run
        worker = self._context.Process(target=_run_worker, args=(run.run_id, self._instance.get_ref()), daemon=False)
        worker.start()
        self._instance.add_run_tags(run.run_id, {PID_TAG: str(worker.pid)})

    def _storage_modules(self) -> list[str]:
        """The modules of the instance's storages (SQLite or PostgreSQL: SQLAlchemy, Alembic…), ~0.6 s to import
        in each worker otherwise."""
        instance = self._instance
        parts = (instance.run_storage, instance.event_log_storage, instance.schedule_storage)
        return sorted({type(part).__module__ for part in (*parts, instance.compute_log_manager)})

    def terminate(self, run_id: str) -> bool:
        run = self._instance.get_run_by_id(run_id)
        if not run or run.is_finished or PID_TAG not in run.tags:
            return False
        self._instance.report_run_canceling(run)
        try:
            os.kill(int(run.tags[PID_TAG]), signal.SIGINT)  # the worker turns it into a canceled run
        except ProcessLookupError:
            return False
        return True
