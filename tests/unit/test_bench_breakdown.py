"""The proxied-task overhead's breakdown in `make bench`: the Airflow task's start and end and the Dagster run's
events put in order, each phase the time between two of them (no servers: events shaped like Dagster's)."""

from __future__ import annotations

import pytest

from converters.bench.runtime_measures import PHASES, STEP, breakdown, milestones


def _event(kind: str | None, at: float, message: str = "") -> dict:
    return {"eventType": kind, "timestamp": at, "message": message, "stepKey": None}


EVENTS = [
    _event("ASSET_MATERIALIZATION_PLANNED", 100.1),
    _event("RUN_ENQUEUED", 100.2),
    _event("RUN_STARTING", 101.0),
    _event("ENGINE_EVENT", 102.5, "Started process for run (pid: 42)."),
    _event("RUN_START", 102.7, 'Started execution of run for "__ASSET_JOB".'),
    _event("ENGINE_EVENT", 102.8, "Executing steps using multiprocess executor: parent process (pid: 42)"),
    _event("STEP_START", 104.0, 'Started execution of step "a".'),
    _event(None, 104.1, "a log line"),
    _event("STEP_SUCCESS", 104.3),
    _event("RUN_SUCCESS", 104.9),
]


def test_every_phase_is_the_time_between_two_moments_in_order():
    phases = breakdown(milestones(99.5, 106.0, 100.0, EVENTS))
    assert list(phases) == list(PHASES)
    assert list(phases.values()) == pytest.approx([0.5, 1.0, 1.5, 0.2, 1.3, 0.3, 0.6, 1.1])
    assert sum(phases.values()) == pytest.approx(106.0 - 99.5), "the phases add up to the Airflow task's wall time"
    assert phases[STEP] == pytest.approx(0.3)


def test_a_moment_the_run_did_not_go_through_adds_its_phase_to_the_next():
    without_worker_event = [e for e in EVENTS if not e["message"].startswith("Started process")]
    phases = breakdown(milestones(99.5, 106.0, 100.0, without_worker_event))
    worker, load = PHASES[2], PHASES[3]
    assert phases[worker] == 0.0 and phases[load] == pytest.approx(1.7)
    assert sum(phases.values()) == pytest.approx(6.5)


def test_several_steps_count_from_the_first_start_to_the_last_success():
    events = [*EVENTS[:-1], _event("STEP_START", 104.4), _event("STEP_SUCCESS", 104.8), EVENTS[-1]]
    assert breakdown(milestones(99.5, 106.0, 100.0, events))[STEP] == pytest.approx(0.8)
