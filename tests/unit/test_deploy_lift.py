"""The team deployment's code-location image carries the Airflow libraries LIFT tasks run with.

No container engine here: `make compose-check` validates docker-compose.yml; these tests read the files and check
that the pieces meet — the Dagster services build the Dockerfile's ``lift`` stage, that stage installs a lock of
the right Airflow line into a venv of its own, and it points the variable the generated ``support/lift.py`` reads
at that venv's Python.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "dagster.Dockerfile"
# support/lift.py runs inside a generated package (it imports the package's settings): its constant, read as text.
LIFT_SUPPORT = (ROOT / "converters" / "codegen" / "support" / "lift.py").read_text(encoding="utf-8")
PYTHON_VARIABLE = re.search(r'^PYTHON_VARIABLE = "(\w+)"$', LIFT_SUPPORT, re.MULTILINE)[1]


def _stage(name: str) -> list[str]:
    """The instructions of one stage of the Dagster Dockerfile (continuation lines joined)."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    starts = [i for i, line in enumerate(lines) if line.startswith("FROM ")]
    for begin, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        if lines[begin].endswith(f" AS {name}"):
            return lines[begin:end]
    raise AssertionError(f"no stage {name!r} in {DOCKERFILE}")


def test_the_dagster_services_build_the_lift_stage_of_the_estates_airflow_line():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    for service in ("dagster-webserver", "dagster-daemon"):
        build = compose["services"][service]["build"]
        assert build["dockerfile"] == "deploy/dagster.Dockerfile"
        assert build["target"] == "${DAGSTER_TARGET:-lift}"
        assert build["args"]["AIRFLOW_LINE"] == "${AIRFLOW_MAJOR_VERSION:-2}"
        default_requirements = re.fullmatch(r"\$\{LIFT_REQUIREMENTS:-(.+)\}", build["args"]["LIFT_REQUIREMENTS"])
        assert default_requirements and (ROOT / default_requirements[1]).is_file()
    _stage("dagster")  # the target without Airflow exists too


def test_the_lift_stage_installs_airflow_apart_and_points_support_lift_at_its_python():
    stage = _stage("lift")
    assert stage[0] == "FROM dagster AS lift"
    env = next(line for line in stage if line.startswith("ENV "))
    variable, python = env.removeprefix("ENV ").split("=", 1)
    assert variable == PYTHON_VARIABLE
    venv = python.removesuffix("/bin/python")
    run = " ".join(line for line in stage if line.startswith("RUN "))
    assert f"uv venv {venv} " in run, "a venv of its own, never Dagster's site-packages"
    assert run.count(f"--python {python} --compile-bytecode") == 2, "the lock and the estate's extras, compiled"
    assert "-c /tmp/airflow.lock" in run, "the estate's extras keep the lock's pins"
    assert "COPY requirements/airflow-${AIRFLOW_LINE}.lock /tmp/airflow.lock" in stage
    for line in (2, 3):  # both lines' locks exist, with the Pipes library the runner reports through
        assert "dagster-pipes==" in (ROOT / "requirements" / f"airflow-{line}.lock").read_text(encoding="utf-8")
