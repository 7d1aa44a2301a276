"""The side-by-side runtime's Dagster instance (`dagster.yaml` written by `runtime up`): runs are launched as
they are submitted, by the launcher that forks run workers from a process with Dagster imported."""

from __future__ import annotations

import dagster as dg
from dagster._core.run_coordinator import DefaultRunCoordinator

from converters.runtime.run_launcher import PID_TAG, ForkedRunLauncher
from converters.runtime.side_by_side import dagster_instance_yaml, sensor_minimum_interval


def test_the_instance_launches_runs_as_submitted_with_the_forked_launcher(tmp_path):
    (tmp_path / "dagster.yaml").write_text(dagster_instance_yaml("sqlite"))
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert isinstance(instance.run_coordinator, DefaultRunCoordinator)
        assert isinstance(instance.run_launcher, ForkedRunLauncher)


def test_on_postgres_the_storage_url_comes_from_the_environment():
    text = dagster_instance_yaml("postgres")
    assert "postgres_url:\n      env: DAGSTER_POSTGRES_URL" in text and "ForkedRunLauncher" in text


def test_terminating_a_run_without_a_worker_is_a_no_op(tmp_path):
    (tmp_path / "dagster.yaml").write_text(dagster_instance_yaml("sqlite"))
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        run = instance.create_run_for_job(dg.JobDefinition(graph_def=dg.GraphDefinition(name="g")))
        assert PID_TAG not in run.tags
        assert instance.run_launcher.terminate(run.run_id) is False


def test_the_sensor_minimum_interval_leaves_room_for_the_daemons_late_look():
    assert [sensor_minimum_interval(s) for s in (1, 2, 5, 30)] == [1, 1, 4, 29]
