"""Run every measure of issue 8 with its baseline from the same run, and compute the ratios.

Each measure runs in a process of its own (``converters/bench/probe.py``, or Dagster's / Airflow's CLI), so
caches and imports of one measure never help the next, and peak RSS belongs to the operation measured.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from converters.bench.estate import write_estate, write_factory_estate
from converters.runtime.airflow import base_environment
from converters.runtime.envs import airflow_venv, venv_dir

GIB = 1024.0  # MiB
LIFT_MEASURE = "lifted task (Airflow operator via Pipes)"


@dataclass
class Measure:
    name: str
    seconds: float
    baseline_name: str
    baseline_seconds: float | None
    goal: str
    met: bool | None  # None: no goal to check (or not measurable here)
    rss_mib: float | None = None
    note: str = ""
    details: dict | None = None  # more figures of the measure (the proxied overhead's breakdown), in the JSON too

    @property
    def ratio(self) -> float | None:
        if not self.baseline_seconds:
            return None
        return self.seconds / self.baseline_seconds


@dataclass
class BenchReport:
    files: int
    tasks_per_dag: int
    seed: int
    machine: dict
    estate: dict
    measures: list[Measure] = field(default_factory=list)
    total_seconds: float = 0.0

    def to_json(self) -> dict:
        data = asdict(self)
        for entry, measure in zip(data["measures"], self.measures, strict=True):
            entry["ratio"] = measure.ratio
        return data


def machine() -> dict:
    memory = next(
        (int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line),
        None,
    )
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        "unknown",
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "memory_mib": memory,
        "python": sys.version.split()[0],
        # Other work on the machine slows every figure; the ratios (same run) hold better than the seconds.
        "load_average_at_start": round(os.getloadavg()[0], 1),
    }


def _probe(*args: str, cache: Path | None = None, timeout: float = 1200) -> dict:
    env = dict(os.environ)
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)  # the scan cache of convert (default_cache_dir) goes there
    result = subprocess.run(
        [sys.executable, "-m", "converters.bench.probe", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"probe {args[0]} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _timed(argv: list[str], *, env: dict[str, str], cwd: Path, timeout: float = 900) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])}… failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return seconds, result.stdout + result.stderr


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed_cpu(argv: list[str], *, env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one command: on a shared machine the CPU time moves less."""
    before = _children_cpu()
    seconds, _ = _timed(argv, env=env, cwd=cwd)
    return seconds, _children_cpu() - before


def measure_scan(estate: Path, work: Path, jobs: int | None) -> list[Measure]:
    jobs_args = [str(jobs)] if jobs else []
    parse = _probe("parse", str(estate))
    cache = work / "scan-cache"
    shutil.rmtree(cache, ignore_errors=True)
    cold = _probe("scan", str(estate), str(cache), *jobs_args)
    warm = _probe("scan", str(estate), str(cache), *jobs_args)
    return [
        Measure(
            "scan cold",
            cold["seconds"],
            "ast.parse (read + parse, 1 process)",
            parse["seconds"],
            "≤ 5× baseline, RSS ≤ 1 GiB",
            cold["seconds"] <= 5 * parse["seconds"] and cold["rss_mib"] <= GIB,
            cold["rss_mib"],
            f"{cold['files']} files, {cold['dags']} DAGs, {cold['tasks']} tasks",
        ),
        Measure(
            "scan again, nothing changed",
            warm["seconds"],
            "scan cold",
            cold["seconds"],
            "≤ 0.5 s and ≤ 5 % of cold",
            warm["seconds"] <= 0.5 and warm["seconds"] <= 0.05 * cold["seconds"],
            warm["rss_mib"],
        ),
    ]


def measure_factory_scan(
    work: Path, files: int, tasks_per_dag: int, seed: int, jobs: int | None, plain_per_task: float
) -> list[Measure]:
    """The same two scan measures on an estate whose DAGs a factory in a sibling module builds: every DAG file
    makes the scan interpret ``common/factory.py``'s ``build_dag(config)``, and a rescan must still answer from
    the cache (the cache key covers the estate modules a file read). Its DAG files are short configs, so
    ``ast.parse`` of them is cheap: the goal compares the cost per task with the plain estate's cold scan
    (``plain_per_task`` seconds), so a factory costs no more than the same tasks written out."""
    estate = work / "factory-estate"
    shutil.rmtree(estate, ignore_errors=True)
    stats = write_factory_estate(estate, files, tasks_per_dag, seed)
    jobs_args = [str(jobs)] if jobs else []
    parse = _probe("parse", str(estate))
    cache = work / "factory-scan-cache"
    shutil.rmtree(cache, ignore_errors=True)
    cold = _probe("scan", str(estate), str(cache), *jobs_args)
    warm = _probe("scan", str(estate), str(cache), *jobs_args)
    found = f"{cold['dags']} of {stats.dags} DAGs, {cold['tasks']} of {stats.tasks} tasks"
    per_task = cold["seconds"] / max(cold["tasks"], 1)
    return [
        Measure(
            "factory estate: scan cold",
            cold["seconds"],
            "ast.parse (read + parse, 1 process)",
            parse["seconds"],
            "every task found; per task ≤ 1.5× scan cold's, RSS ≤ 1 GiB",
            cold["tasks"] == stats.tasks and per_task <= 1.5 * plain_per_task and cold["rss_mib"] <= GIB,
            cold["rss_mib"],
            f"{stats.files} DAG files calling common/factory.py:build_dag(config); {found}; "
            f"{per_task * 1000:.2f} ms per task (scan cold: {plain_per_task * 1000:.2f} ms)",
        ),
        Measure(
            "factory estate: scan again, nothing changed",
            warm["seconds"],
            "factory estate: scan cold",
            cold["seconds"],
            "≤ 0.5 s and ≤ 5 % of cold",
            warm["seconds"] <= 0.5 and warm["seconds"] <= 0.05 * cold["seconds"],
            warm["rss_mib"],
        ),
    ]


def airflow_examples(version: int) -> Path:
    python = airflow_venv(version) / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    return Path(site) / "airflow" / "example_dags"


def measure_airflow_examples(work: Path, version: int, jobs: int | None) -> Measure:
    folder = airflow_examples(version)
    home = work / f"airflow-{version}-home"
    home.mkdir(parents=True, exist_ok=True)
    env = base_environment(version, home, folder)
    python = airflow_venv(version) / "bin" / "python"
    timer = Path(__file__).with_name("dagbag_timer.py")
    _, output = _timed([str(python), str(timer), str(folder)], env=env, cwd=home, timeout=600)
    dagbag = json.loads(next(line for line in reversed(output.splitlines()) if line.startswith("{")))
    cache = work / f"examples-{version}-cache"
    shutil.rmtree(cache, ignore_errors=True)
    scan = _probe("scan", str(folder), str(cache), *([str(jobs)] if jobs else []))
    return Measure(
        f"scan Airflow {version}'s example DAGs",
        scan["seconds"],
        f"DagBag fill (Airflow {version} venv)",
        dagbag["seconds"],
        "faster than DagBag",
        scan["seconds"] < dagbag["seconds"],
        scan["rss_mib"],
        f"{scan['dags']} DAGs static / {dagbag['dags']} in DagBag; importing Airflow first took "
        f"{dagbag['import_seconds']:.1f}s more",
    )


def measure_convert(estate: Path, work: Path, cold_scan: float, jobs: int | None) -> tuple[Measure, Path, dict]:
    package = work / "synthetic_defs"
    shutil.rmtree(package, ignore_errors=True)
    cache = work / "convert-cache"
    shutil.rmtree(cache, ignore_errors=True)
    result = _probe("convert", str(estate), str(package), *([str(jobs)] if jobs else []), cache=cache)
    measure = Measure(
        "convert (scan + plan + generate + format)",
        result["seconds"],
        "scan cold",
        cold_scan,
        "≤ 4× baseline, RSS ≤ 1 GiB",
        result["seconds"] <= 4 * cold_scan and result["rss_mib"] <= GIB,
        result["rss_mib"],
        f"{result['assets']} assets, {result['written']} files written, {result['problems']} problems",
    )
    return measure, package, result


def write_plain_location(generated: Path, target: Path) -> int:
    """The baseline location: for every generated DAG module, one module with the same number of plain assets."""
    shutil.rmtree(target, ignore_errors=True)
    (target / "dags").mkdir(parents=True)
    (target / "__init__.py").write_text("")
    (target / "dags" / "__init__.py").write_text("")
    modules = sorted(p.stem for p in (generated / "dags").glob("*.py") if p.stem != "__init__")
    total = 0
    for module in modules:
        text = (generated / "dags" / f"{module}.py").read_text(encoding="utf-8")
        # assets run here (task_asset: until handed over, observed) and the specs of tasks staying in Airflow
        count = text.count("\n@dg.asset(") + text.count("\n@task_asset(") + text.count("dg.AssetSpec(")
        total += count
        body = ["import dagster as dg", ""]
        for number in range(count):
            body += [f'@dg.asset(key=["{module}", "task_{number}"])', f"def task_{number}():", "    return None", ""]
        body.append(f"defs = dg.Definitions(assets=[{', '.join(f'task_{n}' for n in range(count))}])")
        (target / "dags" / f"{module}.py").write_text("\n".join(body) + "\n")
    imports = "\n".join(f"from .dags import {module}" for module in modules)
    merged = ", ".join(f"{module}.defs" for module in modules)
    (target / "definitions.py").write_text(
        f"import dagster as dg\n{imports}\n\ndefs = dg.Definitions.merge({merged})\n"
    )
    return total


PEERED_AIRFLOW_URL = "http://127.0.0.1:9"  # never called: every load-time answer comes from the snapshot


def measure_load(package: Path, estate: Path, work: Path) -> Measure:
    """`dagster definitions validate` of the generated location against a plain one of the same size.

    The goal's figure is the location as Dagster's daemon, webserver and code servers load it beside Airflow
    (``AIRFLOW_URL`` set, Airflow's answers replayed from ``AIRLIFT_SNAPSHOT``: ``airflow_answers.py``): every
    task Airflow still runs is an observed AssetSpec. The same location loaded on its own (no peering: every
    asset executable, as the toolkit's gates load it) is printed beside."""
    plain = work / "plain_defs"
    assets = write_plain_location(package, plain)
    dagster = venv_dir("dagster") / "bin" / "dagster"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DAGSTER", "AIRLIFT"))}
    env["DAGSTER_HOME"] = str(work / "dagster-home")
    Path(env["DAGSTER_HOME"]).mkdir(exist_ok=True)
    # Bytecode compiled first for both, as every load after the first finds it (a fresh conversion has none).
    python = venv_dir("dagster") / "bin" / "python"
    _timed([str(python), "-m", "compileall", "-q", plain.name, package.name], env=env, cwd=work)
    snapshot = work / "airlift-snapshot.json"
    snapshot.unlink(missing_ok=True)
    args = [str(package), str(estate), PEERED_AIRFLOW_URL, str(snapshot)]
    _timed([str(python), "-m", "converters.bench.airflow_answers", *args], env=env, cwd=work)  # the toolkit: installed
    peered = env | {
        "AIRFLOW_URL": PEERED_AIRFLOW_URL,
        "AIRLIFT_SNAPSHOT": str(snapshot),
        "AIRFLOW_DAGS_FOLDER": str(estate),
    }
    validate = [str(dagster), "definitions", "validate", "-m"]
    baseline, baseline_cpu = _timed_cpu([*validate, "plain_defs.definitions"], env=env, cwd=work)
    seconds, cpu = _timed_cpu([*validate, f"{package.name}.definitions"], env=peered, cwd=work)
    alone, alone_cpu = _timed_cpu([*validate, f"{package.name}.definitions"], env=env, cwd=work)
    return Measure(
        "load the generated location",
        seconds,
        f"a location of {assets} plain assets",
        baseline,
        "< 1× baseline and ≤ 15 s, no Airflow call at load",
        seconds < baseline and seconds <= 15,
        None,
        f"dagster definitions validate, bytecode compiled, peered as beside Airflow (AIRFLOW_URL set, Airflow's "
        f"answers from AIRLIFT_SNAPSHOT: no call at load; tasks Airflow runs are observed AssetSpecs); CPU "
        f"{cpu:.1f} s vs {baseline_cpu:.1f} s ({cpu / max(baseline_cpu, 1e-9):.2f}×). Loaded on its own "
        f"(AIRFLOW_URL unset: every asset executable, as the gates load it): {alone:.1f} s, CPU {alone_cpu:.1f} s "
        f"({alone_cpu / max(baseline_cpu, 1e-9):.2f}×)",
    )


def measure_lift(work: Path, version: int, runs: int) -> Measure:
    """A LIFT asset against the same task as a MECH asset, materialized in turn in one process
    (``converters/bench/lift_measure.py``)."""
    lift = _probe("lift", str(work / "lift-project"), str(version), str(runs), timeout=60 + 120 * runs)
    overhead = lift["lift_median"] - lift["mech_median"]
    return Measure(
        LIFT_MEASURE,
        lift["lift_median"],
        "the same PythonOperator task as a MECH asset",
        lift["mech_median"],
        "LIFT − MECH ≤ 2 s (median)",
        overhead <= 2,
        None,
        f"overhead {overhead:+.2f} s per task (median of {runs} materializations each, Airflow {version}); "
        f"Airflow process CPU {lift['lift_cpu_median']:.2f} s; LIFT min {min(lift['lift']):.2f} s, "
        f"max {max(lift['lift']):.2f} s",
    )


def run(
    work: Path,
    *,
    files: int = 1000,
    tasks_per_dag: int = 20,
    seed: int = 8,
    jobs: int | None = None,
    airflow_version: int = 2,
    runtime: bool = True,
    runtime_only: bool = False,
    runtime_runs: int = 10,
    sensor_interval: int = 5,
    lift_runs: int = 10,
    on_event: Callable[[str], None] = lambda message: None,
) -> BenchReport:
    started = time.perf_counter()
    work.mkdir(parents=True, exist_ok=True)
    if runtime_only:
        report = BenchReport(0, tasks_per_dag, seed, machine(), {"files": 0, "dags": 0, "tasks": 0, "bytes": 0})
    else:
        report = _measure_estate(work, files, tasks_per_dag, seed, jobs, airflow_version, lift_runs, on_event)
    if runtime or runtime_only:
        report.measures += measure_runtime(work, airflow_version, runtime_runs, sensor_interval, on_event)
    report.total_seconds = time.perf_counter() - started
    report.machine["load_average_at_end"] = round(os.getloadavg()[0], 1)
    return report


def _measure_estate(
    work: Path,
    files: int,
    tasks_per_dag: int,
    seed: int,
    jobs: int | None,
    airflow_version: int,
    lift_runs: int,
    on_event: Callable[[str], None],
) -> BenchReport:
    """Every measure that needs no runtime: scan, convert and load of the synthetic estate, DagBag, lift."""
    estate = work / "estate"
    shutil.rmtree(estate, ignore_errors=True)
    stats = write_estate(estate, files, tasks_per_dag, seed)
    on_event(f"synthetic estate: {stats.files} files, {stats.dags} DAGs, {stats.tasks} tasks, {stats.bytes} bytes")
    report = BenchReport(files, tasks_per_dag, seed, machine(), asdict(stats))
    on_event("scan: ast.parse baseline, cold, again")
    report.measures += measure_scan(estate, work, jobs)
    on_event("scan of an estate built by a factory in a sibling module: baseline, cold, again")
    plain_per_task = report.measures[0].seconds / max(stats.tasks, 1)
    report.measures += measure_factory_scan(work, files, tasks_per_dag, seed, jobs, plain_per_task)
    on_event(f"scan vs DagBag on Airflow {airflow_version}'s example DAGs")
    report.measures.append(measure_airflow_examples(work, airflow_version, jobs))
    on_event("convert")
    convert, package, _ = measure_convert(estate, work, report.measures[0].seconds, jobs)
    report.measures.append(convert)
    on_event("dagster definitions validate: generated vs plain")
    report.measures.append(measure_load(package, estate, work))
    on_event(f"a lifted task vs the same task as MECH (Airflow {airflow_version}), {lift_runs} materializations each")
    report.measures.append(measure_lift(work, airflow_version, lift_runs))
    return report


def measure_runtime(
    work: Path, airflow_version: int, runs: int, sensor_interval: int, on_event: Callable[[str], None]
) -> list[Measure]:
    """Observation latency and proxied-task overhead in the real side-by-side runtime, with the overhead's
    breakdown (median seconds per phase) and the load average after each run."""
    from converters.bench import runtime_measures

    on_event(f"side-by-side runtime (Airflow {airflow_version}), {runs} runs")
    figures = runtime_measures.measure(
        work / "runtime-project",
        runs=runs,
        sensor_interval=sensor_interval,
        airflow_version=airflow_version,
        on_event=on_event,
    )
    loads = f"load average {min(figures.load_averages)}-{max(figures.load_averages)} during the runs"
    load = statistics.median(figures.load_averages)
    # The goal depends on how busy the machine is: ≤ 1.5 s quiet, ≤ 3 s at load ~4; busier, it cannot be judged.
    overhead_goal = 1.5 if load < 2 else 3.0 if load <= 5 else None
    return [
        Measure(
            f"observation latency (median of {len(figures.latencies)})",
            figures.latency_median,
            "sensor interval",
            float(sensor_interval),
            "≤ interval + 1 s",
            figures.latency_median <= sensor_interval + 1,
            None,
            f"min {min(figures.latencies):.2f}s, max {max(figures.latencies):.2f}s; {loads}",
            {"latencies": figures.latencies, "load_averages": figures.load_averages},
        ),
        Measure(
            f"proxied task overhead (median of {len(figures.overheads)})",
            figures.overhead_median,
            "— (Airflow task wall − the Dagster step's own time)",
            None,
            "≤ 1.5 s at load < 2, ≤ 3 s at load ≤ 5",
            None if overhead_goal is None else figures.overhead_median <= overhead_goal,
            None,
            f"min {min(figures.overheads):.2f}s, max {max(figures.overheads):.2f}s; {loads}; Airflow task wall − "
            f"Dagster run wall (as measured before): median {statistics.median(figures.run_overheads):.2f}s; "
            f"runtime up took {figures.up_seconds:.0f}s",
            {
                "overheads": figures.overheads,
                "run_wall_overheads": figures.run_overheads,
                "phase_medians": figures.phase_medians(),
                "breakdowns": figures.breakdowns,
                "load_averages": figures.load_averages,
            },
        ),
    ]
