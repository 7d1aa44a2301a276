"""``python -m converters.bench``: the benchmark suite (``make bench``). See docs/benchmarks.md.

Exit codes: 0 every measure ran (goals met or not: the table says which), 2 bad arguments or a missing venv,
1 a measure could not run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from converters.bench.runner import BenchReport, run
from converters.runtime.envs import EnvironmentMissing


def render(report: BenchReport, console: Console) -> None:
    table = Table(
        title="airflow-to-dagster bench: the side-by-side runtime only"
        if not report.estate["files"]
        else f"airflow-to-dagster bench: {report.estate['files']} files, {report.estate['dags']} DAGs, "
        f"{report.estate['tasks']} tasks (seed {report.seed})"
    )
    for column in ("measure", "time", "baseline", "baseline time", "ratio", "peak RSS", "goal", "met"):
        table.add_column(
            column, justify="right" if column in {"time", "baseline time", "ratio", "peak RSS"} else "left"
        )
    for m in report.measures:
        table.add_row(
            m.name + (f"\n[dim]{m.note}[/dim]" if m.note else ""),
            f"{m.seconds:.2f} s",
            m.baseline_name,
            "—" if m.baseline_seconds is None else f"{m.baseline_seconds:.2f} s",
            "—" if m.ratio is None else f"{m.ratio:.2f}×",
            "—" if m.rss_mib is None else f"{m.rss_mib:.0f} MiB",
            m.goal,
            {True: "[green]yes[/green]", False: "[red]no[/red]", None: "—"}[m.met],
        )
    console.print(table)
    for m in report.measures:
        if m.details and "phase_medians" in m.details:
            phases = Table(title=f"{m.name}: where it goes (median seconds per phase, Airflow task start → end)")
            phases.add_column("phase")
            phases.add_column("median", justify="right")
            phases.add_column("min", justify="right")
            phases.add_column("max", justify="right")
            for phase, median in m.details["phase_medians"].items():
                spread = [b[phase] for b in m.details["breakdowns"]]
                phases.add_row(phase, f"{median:.2f} s", f"{min(spread):.2f} s", f"{max(spread):.2f} s")
            console.print(phases)
    machine = report.machine
    console.print(
        f"machine: {machine['cpus']} × {machine['cpu']}, {machine['memory_mib']} MiB, Python {machine['python']}, "
        f"load average {machine['load_average_at_start']} at start, {machine.get('load_average_at_end')} at end; "
        f"bench took {report.total_seconds:.0f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m converters.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000, help="DAG files in the synthetic estate (default 1000)")
    parser.add_argument("--tasks", type=int, default=20, help="tasks per DAG, on average (default 20)")
    parser.add_argument("--seed", type=int, default=8, help="the estate's random seed (default 8)")
    parser.add_argument("--jobs", type=int, default=None, help="scan workers (default: all cores)")
    parser.add_argument("--airflow", type=int, choices=(2, 3), default=2, help="Airflow line for DagBag and runtime")
    parser.add_argument("--no-runtime", action="store_true", help="skip the two side-by-side runtime measures")
    parser.add_argument(
        "--runtime-only", action="store_true", help="only the two side-by-side runtime measures (no estate)"
    )
    parser.add_argument("--runs", type=int, default=10, help="Airflow runs for the runtime measures (default 10)")
    parser.add_argument("--sensor-interval", type=int, default=5, help="airlift sensor interval, s (default 5)")
    parser.add_argument(
        "--lift-runs", type=int, default=10, help="materializations of the LIFT and the MECH asset (default 10)"
    )
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--json", dest="json_out", default=None, help="also write the figures as JSON (- = stdout)")
    args = parser.parse_args(argv)
    if args.runtime_only and args.no_runtime:
        parser.error("--runtime-only and --no-runtime exclude each other")
    if args.files < 1 or args.tasks < 2 or args.runs < 1 or args.sensor_interval < 1 or args.lift_runs < 1:
        parser.error("--files ≥ 1, --tasks ≥ 2, --runs ≥ 1, --sensor-interval ≥ 1 and --lift-runs ≥ 1")
    console = Console(stderr=args.json_out == "-", width=200)
    try:
        with tempfile.TemporaryDirectory(prefix="a2d-bench-") as scratch:
            report = run(
                args.work or Path(scratch),
                files=args.files,
                tasks_per_dag=args.tasks,
                seed=args.seed,
                jobs=args.jobs,
                airflow_version=args.airflow,
                runtime=not args.no_runtime,
                runtime_only=args.runtime_only,
                runtime_runs=args.runs,
                sensor_interval=args.sensor_interval,
                lift_runs=args.lift_runs,
                on_event=lambda message: console.print(f"[dim]· {message}[/dim]"),
            )
    except EnvironmentMissing as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    except (RuntimeError, TimeoutError, OSError) as exc:
        console.print(f"[red]a measure could not run: {exc}[/red]")
        return 1
    render(report, console)
    if args.json_out == "-":
        print(json.dumps(report.to_json(), indent=2))
    elif args.json_out:
        Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json_out).write_text(json.dumps(report.to_json(), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
