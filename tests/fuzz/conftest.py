"""The fuzz session proves its size: with ``A2D_FUZZ_INPUTS`` set, fewer inputs checked is a failure."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.fuzz import harness


@pytest.fixture(scope="session", autouse=True)
def enough_inputs():
    shutil.rmtree(harness.FAILURES, ignore_errors=True)  # only this session's failing inputs are kept
    yield
    wanted = os.environ.get("A2D_FUZZ_INPUTS")
    checked = harness.TALLY.inputs
    print(f"\nfuzz: {checked} inputs checked, {len(harness.TALLY.failures)} failing; diagnostics {harness.TALLY.codes}")
    if wanted is not None and checked < int(wanted):
        pytest.fail(f"only {checked} fuzz inputs were checked, A2D_FUZZ_INPUTS asks for {wanted}")
