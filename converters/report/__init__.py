"""``report``: what a client reads after day one, refreshed as the migration proceeds.

Reads the inventory (scan), the plan (rules) and the ledger (gates, proxy/rollback/decommission); recomputes
nothing. Writes ``index.html`` (one self-contained page: inline CSS and SVG, no network), ``report.md`` with the
pictures in ``graphs/`` beside it, and ``report.json`` (the data both are laid out from).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from converters.files import write_atomic
from converters.inventory import ir
from converters.inventory.secrets import redact_json

from . import model, render


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    markdown: Path
    data: Path
    graphs: list[Path]
    report: dict


def write_report(
    dags_folder: Path, out: Path, *, defs_folder: Path | None = None, project: ir.Project | None = None
) -> ReportFiles:
    """``project``: the folder's inventory when the caller has scanned it already (else it is scanned here)."""
    # The scan already keeps secrets out of the inventory; the report masks any that reached it another way
    # (a diagnostic quoting source text, a reason naming a value) before anything is written.
    report = redact_json(model.build(dags_folder, defs_folder=defs_folder, project=project))
    out.mkdir(parents=True, exist_ok=True)
    (out / "graphs").mkdir(exist_ok=True)
    graphs = []
    for index, item in enumerate(report["graphs"]):
        for side, drawing in zip(("airflow", "dagster"), render.drawings(item, index), strict=True):
            target = out / render.graph_file(item, side)
            write_atomic(target, drawing, sync=False)
            graphs.append(target)
    for stale in set((out / "graphs").glob("*.svg")) - set(graphs):  # a refreshed report pictures today's DAGs
        stale.unlink()
    html, markdown, data = out / "index.html", out / "report.md", out / "report.json"
    write_atomic(html, render.html(report), sync=False)
    write_atomic(markdown, render.markdown(report), sync=False)
    write_atomic(data, json.dumps(report, indent=1, default=str), sync=False)
    return ReportFiles(html, markdown, data, graphs, report)
