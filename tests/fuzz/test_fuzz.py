"""Fuzzing scan, convert and report: no input file may crash them; every problem is a diagnostic with file:line.

Sizes: ``make test`` runs a fixed-seed sample; ``make fuzz`` sets ``A2D_FUZZ_INPUTS=10000`` (and any
``A2D_FUZZ_SEED``) and the session refuses to pass with fewer inputs checked (see conftest.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converters.inventory.project import MAX_FILE_BYTES, scan_project
from tests.fuzz import harness, inputs

# One worker runs the whole fuzz session under xdist: the tally of inputs checked (A2D_FUZZ_INPUTS) and the folder
# of failing inputs (build/fuzz-failures/, emptied when the session starts) belong to one process.
pytestmark = pytest.mark.xdist_group("fuzz")

CI_INPUTS = 1_500  # all kinds together in `make test`; make fuzz: 10,000
# Shares of the target; hypothesis may stop a little short of max_examples, hence the 5 % margin.
MUTATION_SHARE, GENERATED_SHARE, RAW_SHARE = 0.72, 0.22, 0.11


def _settings(share: float) -> settings:
    return settings(
        max_examples=max(10, int(harness.target_inputs(CI_INPUTS) * share)),
        derandomize="A2D_FUZZ_SEED" not in os.environ,  # CI: the same examples every run
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


@pytest.fixture(scope="module")
def seeds() -> list[tuple[str, bytes]]:
    return inputs.seed_corpus()


def test_the_seed_corpus_is_the_example_estate_and_the_wheels_examples(seeds):
    names = {name.split("/")[0] for name, _ in seeds}
    assert names == {"airflow_dags", "example_dags"}
    assert len(seeds) > 100


def test_mutations_of_real_dag_files(seeds, tmp_path: Path):
    count = int(harness.target_inputs(CI_INPUTS) * MUTATION_SHARE)
    failures = []
    for n, (name, data) in enumerate(inputs.mutants(seeds, count, harness.fuzz_seed())):
        if harness.check_bytes(name, data, tmp_path / str(n % 50)):
            failures.append((name, harness.TALLY.failures[-1][1]))
    assert not failures, harness.report(failures)


# -- generated DAG programs (hypothesis) -------------------------------------------------------------------

IDS = st.sampled_from(["a", "b", "c", "extract", "load", "a", "group.a", "x-y", "ü", ""])
IMPORTS = st.sampled_from(
    [
        "from airflow import DAG\nfrom airflow.operators.empty import EmptyOperator as Op\n",
        "from airflow.models import DAG\nfrom airflow.operators.dummy_operator import DummyOperator as Op\n",
        "from airflow.sdk import DAG, task, TaskGroup, chain\nfrom airflow.providers.standard.operators.empty"
        " import EmptyOperator as Op\n",
        "from airflow import *\nfrom airflow.operators.bash import BashOperator as Op\n",
    ]
)
SCHEDULES = st.one_of(
    st.sampled_from(["None", "'@daily'", "'0 * * * *'", "timedelta(hours=1)", "[Dataset('s3://x')]", "'bogus'"]),
    st.text(max_size=12).map(repr),
)


@st.composite
def dag_programs(draw) -> str:
    """A DAG file of random shape: duplicate ids, cycles, groups, loops, chains, several DAGs, odd literals."""
    lines = [draw(IMPORTS), "from datetime import timedelta\n"]
    for d in range(draw(st.integers(1, 3))):
        dag_id = draw(st.sampled_from(["same", "other", f"d{d}"]))
        lines.append(f"with DAG({dag_id!r}, schedule={draw(SCHEDULES)}, default_args={{'retries': 1}}):\n")
        names = []
        for n in range(draw(st.integers(0, 6))):
            task_id = draw(IDS)
            extra = draw(st.sampled_from(["", ", retries=-1", ", pool=None", ", trigger_rule='one_failed'"]))
            literal = draw(st.text(max_size=20))
            if draw(st.booleans()):
                lines.append(f"    t{n} = Op(task_id={task_id!r}, doc={literal!r}{extra})\n")
            else:
                group = draw(st.sampled_from(["g", "h"]))
                lines.append(f"    with TaskGroup({group!r}) as grp{n}:\n        t{n} = Op(task_id={task_id!r})\n")
            names.append(f"t{n}")
        for _ in range(draw(st.integers(0, 8))):
            if len(names) >= 2:
                up, down = draw(st.sampled_from(names)), draw(st.sampled_from(names))
                operator = draw(st.sampled_from([">>", "<<"]))
                lines.append(f"    {up} {operator} {down}\n")  # self-loops and cycles included
        if names and draw(st.booleans()):
            lines.append(f"    chain({', '.join(names)}, [{', '.join(names[:2])}])\n")
        if draw(st.booleans()):
            bound = draw(st.sampled_from(["3", "0", "10**6", "n", "len('abc')"]))
            lines.append(f"    for i in range({bound}):\n        Op(task_id=f'loop_{{i}}')\n")
    return "".join(lines)


@given(program=dag_programs())
@_settings(GENERATED_SHARE)
def test_generated_dag_programs(program: str, tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    problems = harness.check_bytes("generated program", program.encode("utf-8", "surrogatepass"), folder)
    assert not problems, f"{program}\n\n{problems[0]}"


@given(data=st.one_of(st.binary(max_size=4096), st.text(max_size=2048).map(lambda t: t.encode("utf-8", "replace"))))
@_settings(RAW_SHARE)
def test_raw_bytes_and_text(data: bytes, tmp_path_factory):
    folder = tmp_path_factory.mktemp("raw")
    problems = harness.check_bytes("raw bytes", data, folder)
    assert not problems, f"{data[:200]!r}\n\n{problems[0]}"


# -- files built to hurt: each is also a documented limit ---------------------------------------------------


def _scan_one(tmp_path: Path, name: str, data: bytes) -> tuple[list[str], object]:
    problems = harness.check_bytes(name, data, tmp_path, name)
    return problems, harness.TALLY.last


@pytest.mark.parametrize("name", sorted(inputs.deep_inputs()))
def test_5000_deep_nesting_is_a_diagnostic(tmp_path: Path, name: str):
    problems, result = _scan_one(tmp_path, name, inputs.deep_inputs()[name])
    assert not problems, problems[0]
    assert {d.code for d in result.diagnostics} & {"A2D001", "A2D002", "A2D003", "A2D030"}, result.diagnostics


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("over_limit.py", {"A2D004"}),
        ("just_under_limit_comment.py", {"A2D030"}),
        ("just_under_limit_literal.py", {"A2D030"}),
        ("many_tasks.py", {"A2D008"}),
        ("nested_loops.py", {"A2D008"}),
        ("busy_loops.py", {"A2D007"}),
        ("string_bomb.py", {"A2D030"}),
    ],
)
def test_size_limits_are_diagnostics_not_hangs(tmp_path: Path, name: str, codes: set[str]):
    data = inputs.huge_inputs(MAX_FILE_BYTES)[name]
    problems, result = _scan_one(tmp_path, name, data)
    assert not problems, problems[0]
    assert codes <= {d.code for d in result.diagnostics}, result.diagnostics


def test_structural_oddities(tmp_path: Path):
    for name, data in inputs.structural_inputs().items():
        assert not harness.check_bytes(name, data, tmp_path / name.removesuffix(".py"), name), name
    inputs.write_estate(tmp_path / "estate", inputs.structural_inputs())
    project = scan_project(tmp_path / "estate", jobs=1, use_cache=False)
    by_file = {f.path: {d.code for d in f.diagnostics} for f in project.files}
    assert "A2D242" in by_file["duplicate_task_ids.py"]
    assert "A2D006" in by_file["latin1.py"]
    assert "A2D002" in by_file["null_bytes.py"] or "A2D001" in by_file["null_bytes.py"]
    assert "A2D001" in by_file["python312_fstring.py"]
    assert [d.code for d in project.diagnostics] == ["A2D020"]  # the DAG id reused across files
    dags = {d.dag_id: d for f in project.files for d in f.dags}
    assert {(e.upstream, e.downstream) for e in dags["cyclic"].edges} == {("a", "b"), ("b", "a")}
    assert {"bom", "crlf", "cr", "déjà"} <= set(dags)


def test_folder_hazards_symlink_loops_unreadable_files_and_fifos(tmp_path: Path):
    estate = tmp_path / "estate"
    inputs.write_estate(estate, {"good.py": inputs.HEADER + b"with DAG('good'):\n    EmptyOperator(task_id='a')\n"})
    (estate / "loop").mkdir()
    (estate / "loop" / "again").symlink_to(estate, target_is_directory=True)
    (estate / "self").symlink_to(estate / "self")  # a symlink to itself
    (estate / "dangling.py").symlink_to(tmp_path / "missing.py")
    (estate / "folder.py").mkdir()  # a folder named like a DAG file
    os.mkfifo(estate / "pipe.py")  # reading it would block forever
    unreadable = estate / "secret.py"
    unreadable.write_bytes(b"x = 1\n")
    unreadable.chmod(0)
    project = scan_project(estate, jobs=1, use_cache=False)
    codes = {f.path: [d.code for d in f.diagnostics] for f in project.files}
    assert codes["dangling.py"] == ["A2D005"] and codes["pipe.py"] == ["A2D005"]
    # root reads a mode-000 file anyway; anyone else gets A2D005 for it
    assert codes["secret.py"] == (["A2D030"] if os.geteuid() == 0 else ["A2D005"])
    assert "A2D010" in {d.code for d in project.diagnostics}
    assert [d.dag_id for f in project.files for d in f.dags] == ["good"]


# -- the CLI on a fuzzed estate: exit codes, no traceback, and convert survives -------------------------------


@pytest.fixture(scope="module")
def fuzzed_estate(seeds, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fuzzed") / "dags"
    files = {f"m{n:04d}.py": data for n, (_, data) in enumerate(inputs.mutants(seeds, 120, harness.fuzz_seed() + 1))}
    files.update(inputs.structural_inputs())
    files.update({f"deep/{k}": v for k, v in list(inputs.deep_inputs().items())[:4]})
    files["seed_ok.py"] = dict(seeds)["airflow_dags/orders_daily.py"]
    inputs.write_estate(folder, files)
    return folder


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "XDG_CACHE_HOME": str(cwd / "cache"), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "converters", *args], cwd=cwd, env=environment, capture_output=True, text=True
    )


def test_scan_cli_on_a_fuzzed_estate(fuzzed_estate: Path):
    work = fuzzed_estate.parent
    result = _cli("scan", str(fuzzed_estate), "--json", "inventory.json", "--jobs", "2", cwd=work)
    assert result.returncode == 0 and "Traceback" not in result.stderr + result.stdout, result.stderr
    data = json.loads((work / "inventory.json").read_text())
    assert data["files"] == len(list(fuzzed_estate.rglob("*.py")))
    assert all(d["file"] and isinstance(d["line"], int) for d in data["diagnostics"])
    assert "orders_daily" in {d["dag_id"] for d in data["dags"]}
    strict = _cli("scan", str(fuzzed_estate), "--strict", "--jobs", "2", cwd=work)
    assert strict.returncode == 1 and "Traceback" not in strict.stderr, strict.stderr


# CI converts the estate above; make fuzz converts this many more, each of 150 other mutants.
EXTRA_ESTATES = harness.target_inputs(CI_INPUTS) // 2_000


@pytest.mark.parametrize("extra", range(EXTRA_ESTATES + 1))
def test_convert_cli_on_a_fuzzed_estate(fuzzed_estate: Path, seeds, tmp_path: Path, extra: int):
    if extra:
        work = tmp_path
        mutated = inputs.mutants(seeds, 150, harness.fuzz_seed() + 100 + extra)
        inputs.write_estate(work / "dags", {f"m{n:04d}.py": data for n, (_, data) in enumerate(mutated)})
        dags = work / "dags"
    else:
        work, dags = fuzzed_estate.parent, fuzzed_estate
    result = _cli("convert", str(dags), "--out", "fuzzed_defs", "--json", "plan.json", cwd=work)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    plan = json.loads((work / "plan.json").read_text())
    assert plan["generated"]["problems"] == [], plan["generated"]["problems"]  # every module passes ruff
    assert result.returncode == 0, result.stderr
    for module in (work / "fuzzed_defs").rglob("*.py"):
        compile(module.read_text(), str(module), "exec")
    # The client report survives the same estate: every file it writes, every DAG it pictures.
    reported = _cli("report", str(dags), "--out", "fuzzed_report", "--json", "report.json", cwd=work)
    assert reported.returncode == 0 and "Traceback" not in reported.stderr + reported.stdout, reported.stderr
    report = json.loads((work / "report.json").read_text())
    assert report["inventory"]["dags"] == len(plan["dags"])
    assert len(list((work / "fuzzed_report" / "graphs").glob("*.svg"))) == 2 * len(report["graphs"])
    assert (work / "fuzzed_report" / "index.html").read_text().endswith("</html>")
