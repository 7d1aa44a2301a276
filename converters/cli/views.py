"""What the CLI shows: the consoles, progress bars and spinners, tables, and JSON written to a file or stdout."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from converters.files import write_atomic
from converters.runtime.envs import AIRFLOW_LINES

# Piped output (CI logs, `make demo`) gets a readable width instead of rich's 80-column fallback.
console = Console(width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 120)

DISPOSITION_COLOURS = {"MECH": "green", "JUDG": "yellow", "LIFT": "cyan", "REDESIGN": "magenta", "NONE": "red"}


def write_json(target: Path, data: dict) -> None:
    """``data`` as JSON into ``target`` ('-': stdout), secrets masked."""
    from converters.inventory.secrets import redact_json

    # The scan scrubs secrets at the source; this also covers what Airflow's DagBag reports (verify).
    text = json.dumps(redact_json(data), indent=2, default=str)
    if str(target) == "-":
        sys.stdout.write(text + "\n")
        return
    write_atomic(target, text + "\n")  # never a half-written inventory


def print_json(data, default=None) -> None:
    """``data`` as (highlighted) JSON on stdout."""
    console.print_json(json.dumps(data, default=default))


class progress:
    """A progress bar on a terminal, nothing when piped."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.bar = None

    def __enter__(self):
        from rich.progress import Progress

        if not err.is_terminal:
            return lambda done, total: None
        self.bar = Progress(console=err, transient=True)
        self.bar.start()
        task = self.bar.add_task(self.what, total=None)
        return lambda done, total: self.bar.update(task, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


class spinner:
    """A spinner on a terminal while something long runs, nothing when piped."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.status = None

    def __enter__(self):
        if err.is_terminal:
            self.status = err.status(self.what)
            self.status.__enter__()

    def __exit__(self, *exc) -> None:
        if self.status is not None:
            self.status.__exit__(*exc)


def event_log(quiet: bool):
    """``on_event`` for long steps: each event as a dim bullet on stderr, nothing when ``quiet``."""
    return (lambda message: None) if quiet else (lambda message: err.print(f"[dim]•[/dim] {message}"))


# -- estate: scan, verify, convert, rules, report ---------------------------------------------------------


def print_inventory(project, data: dict) -> None:
    table = Table(title=f"Inventory of {project.root}")
    for column in ("DAG", "file:line", "schedule", "tasks", "operators", "edges", "constructs", "complete"):
        table.add_column(column, overflow="fold")
    edges = {d.dag_id: len(d.edges) for f in project.files for d in f.dags}
    for dag in data["dags"]:
        table.add_row(
            dag["dag_id"],
            f"{dag['file']}:{dag['line']}",
            str(dag["schedule"]),
            str(len(dag["tasks"])),
            _families(dag["tasks"]),
            str(edges[dag["dag_id"]]),
            ", ".join(dag["constructs"]),
            "yes" if dag["complete"] else "[yellow]no[/yellow]",
        )
    console.print(table)
    for diagnostic in data["diagnostics"]:
        colour = {"error": "red", "warning": "yellow"}.get(diagnostic["severity"], "dim")
        where = f"{diagnostic['file']}:{diagnostic['line']}"
        console.print(f"[{colour}]{where}: {diagnostic['code']} {diagnostic['message']}[/{colour}]")
    tasks = sum(len(d["tasks"]) for d in data["dags"])
    complete = sum(d["complete"] for d in data["dags"])
    console.print(
        f"{data['files']} files, {len(data['dags'])} DAGs ({complete} fully resolved), {tasks} tasks, "
        f"{len(data['diagnostics'])} diagnostics"
    )


def _families(tasks: list[dict]) -> str:
    counts: dict[str, int] = {}
    for task in tasks:
        family = task["family"] or task["operator"].rsplit(".", 1)[-1]
        counts[family] = counts.get(family, 0) + 1
    return ", ".join(f"{name}×{n}" if n > 1 else name for name, n in sorted(counts.items()))


def print_parity(result) -> None:
    table = Table(title=f"Static scan vs Airflow {result.airflow_version} DagBag")
    for column in ("DAG", "file", "parity", "differences / explanation"):
        table.add_column(column, overflow="fold")
    colours = {"match": "green", "differs": "red", "incomplete": "yellow", "dagbag_only": "yellow"}
    for dag in result.dags:
        colour = colours.get(dag.status, "dim")
        detail = "; ".join(dag.differences) or ", ".join(dag.explained_by)
        table.add_row(dag.dag_id, dag.file, f"[{colour}]{dag.status}[/{colour}]", detail[:300])
    console.print(table)
    for file, error in sorted(result.import_errors.items()):
        console.print(f"[red]import error in {file}: {error.strip().splitlines()[-1]}[/red]")
    score = "n/a (no DAG fully resolved)" if result.score is None else f"{result.score:.1%}"
    console.print(f"parity score: {score} of {len(result.compared)} DAGs compared")


def print_plan(data: dict) -> None:
    table = Table(title=f"Plan for {data['root']}")
    for column in ("DAG", "task", "rule", "disposition", "reason"):
        table.add_column(column, overflow="fold")
    for dag in data["dags"]:
        for task in dag["tasks"]:
            colour = DISPOSITION_COLOURS[task["disposition"]]
            table.add_row(
                dag["dag_id"], task["task_id"], task["rule"], f"[{colour}]{task['disposition']}[/]", task["reason"]
            )
    console.print(table)
    counts = ", ".join(f"{n} {d}" for d, n in data["counts"].items())
    generated = data["generated"]
    console.print(
        f"{counts} · wrote {len(generated['written'])} files, {len(generated['unchanged'])} unchanged "
        f"into {generated['out']}"
    )
    for relative in generated["kept_hand_edited"]:
        console.print(
            f"[yellow]{relative} was edited by hand: kept; the new version is {relative}.new "
            "(--force overwrites)[/yellow]"
        )
    for problem in [*generated["problems"], *data["problems"]]:
        console.print(f"[red]{problem}[/red]")


def print_rules(rows: list[dict]) -> None:
    table = Table(title=f"{len(rows)} rules")
    for column in ("rule", "matches", "disposition", "emits"):
        table.add_column(column, overflow="fold")
    for row in rows:
        matches = ", ".join(row["operators"]) or "(anything unmatched)"
        if row["families"]:
            matches += f" + family {', '.join(row['families'])}"
        table.add_row(row["rule"], matches, row["disposition"], row["emits"])
    console.print(table)


def print_report(files) -> None:
    data = files.report
    go, counts = data["go_no_go"], data["dispositions"]["counts"]
    console.print(
        f"{data['inventory']['dags']} DAGs, {data['inventory']['tasks']} tasks: "
        + ", ".join(f"{n} {d}" for d, n in counts.items())
        + f"; {len(data['waves']['waves'])} waves, {data['waves']['effort_days']:g} person-days"
    )
    console.print(f"Recommendation: [bold]{go['recommendation']}[/bold] — {go['why']}")
    console.print(
        f"Progress: {data['progress']['proxied']} proxied, {data['progress']['decommissioned_dags']} DAGs "
        f"decommissioned ({len(data['progress'].get('modernized_dags', []))} modernized), "
        f"{data['progress']['gated_tasks']} tasks with gate evidence"
    )
    console.print(f"Report: {files.html.resolve()} (Markdown: {files.markdown.resolve()})")


# -- side by side: runtime, proxy, rollback, decommission, status -----------------------------------------


def print_runtime(state, as_json: bool, what: str) -> None:
    alive = state.alive()
    if as_json:
        data = asdict(state)
        data["alive"] = alive
        data.pop("password")
        data.pop("database_password")
        console.print_json(json.dumps(data))
        return
    database = "PostgreSQL" if state.database == "postgres" else "SQLite"
    table = Table(
        title=f"Side-by-side runtime ({what}), Airflow {AIRFLOW_LINES[state.airflow_version]}, metadata in {database}"
    )
    for column in ("server", "process group", "state", "log"):
        table.add_column(column, overflow="fold")
    for server in state.servers:
        ok = alive[f"{server.side}/{server.name}"]
        table.add_row(
            f"{server.side} {server.name}", str(server.pid), "[green]up[/]" if ok else "[red]stopped[/]", server.log
        )
    console.print(table)
    console.print(f"Airflow UI: {state.airflow_url} (user {state.username}, password {state.password})")
    console.print(f"Dagster UI: {state.dagster_url}")
    if state.database == "postgres":
        console.print(f"PostgreSQL: 127.0.0.1:{state.database_port}, databases airflow and dagster")


def print_change(change, verb: str, as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps(asdict(change)))
        return
    if change.proxied == ["*"]:
        now = "the whole DAG runs in Dagster (DAG-level proxy)"
    elif change.proxied:
        now = f"proxied to Dagster: {', '.join(change.proxied)}"
    else:
        now = "every task runs in Airflow again"
    block = {"added": "proxy block added to", "removed": "proxy block removed from (original bytes)"}.get(
        change.block, "unchanged:"
    )
    console.print(f"{verb} {change.dag_id}: {now}; {block} {change.file}")
    for note in change.notes:  # what the codemod skipped in the DAG file (also in --json's "notes")
        err.print(f"warning: {note}", style="yellow", markup=False, highlight=False)


def print_decommission(result, as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps(asdict(result)))
        return
    console.print(
        f"decommissioned {result.dag_id}: paused in Airflow; its Dagster schedule/automation are on "
        f"({len(result.regenerated)} generated files rewritten"
        + (", Dagster reloaded)" if result.dagster_reloaded else "; reload the code location in Dagster)")
    )
    for relative in result.kept_hand_edited:
        console.print(f"[yellow]{relative} was edited by hand: kept; the new version is {relative}.new[/yellow]")


def print_modernized(result, as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps(asdict(result) | {"ok": result.ok}, default=str))
        return
    for relative in result.kept_hand_edited:
        console.print(f"[yellow]{relative} was edited by hand: kept; the modern version is {relative}.new[/yellow]")
    if result.kept_hand_edited:
        return
    checks = ", ".join(result.checks) or "none"
    console.print(
        f"rewrote {result.dag_id}: {len(result.modern)} assets call their code directly, asset checks: {checks}"
        + (f", sensors: {', '.join(result.sensors)}" if result.sensors else "")
        + (" (forced: recorded in the ledger)" if result.forced else "")
    )
    for task, why in sorted(result.faithful.items()):
        console.print(f"  kept faithful: {task}: {why}", markup=False)
    for table, t in sorted(result.tables.items()):
        after = t.get("after") or {}
        console.print(
            f"  {table}: {after.get('rows')} rows, {after.get('checksum')} — "
            + ("same as before" if t["same"] else f"before {t.get('before')}"),
            markup=False,
        )
    failed = {task: g for task, g in result.gates.items() if any(s not in ("pass", "n/a") for s in g.values())}
    for task, gates in sorted(failed.items()):
        console.print(f"  {task}: gates {gates}", style="red", markup=False)
    if result.reverted:
        console.print(f"[red]{result.dag_id} did not prove equal after the rewrite: generated faithful again[/red]")
    else:
        console.print(f"gates 2-6 pass again for {result.date}: same rows, same checksums (recorded in the ledger)")


def print_status(root: Path, data: dict) -> None:
    table = Table(title=f"Migration status of {root}")
    for column in (
        "DAG",
        "task",
        "disposition",
        "state",
        "runs in",
        "observed",
        "last Airflow run",
        "last materialization",
    ):
        table.add_column(column, overflow="fold")
    for dag in data["dags"]:
        for task in dag["tasks"]:
            table.add_row(
                dag["dag_id"],
                task["task_id"],
                f"[{DISPOSITION_COLOURS[task['disposition']]}]{task['disposition']}[/]",
                task["state"],
                task["runs_in"],
                {True: "yes", False: "no", None: "-"}[task["observed"]],
                _run_text(dag.get("last_airflow_run")),
                _materialization_text(task.get("last_materialization")),
            )
    console.print(table)
    if not data["runtime"]["running"]:
        console.print("[dim]runtime not up: Airflow runs and Dagster materializations are not shown[/dim]")


def _run_text(run: dict | None) -> str:
    if not run:
        return "-"
    return f"{run['state']} {run.get('logical_date') or run.get('run_id')}"


def _materialization_text(event: dict | None) -> str:
    if not event:
        return "-"
    return f"{event['when']} ({event['source']})"
