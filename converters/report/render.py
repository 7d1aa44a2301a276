"""Lay the report's data out as one self-contained HTML page (inline CSS and SVG, no network) and as Markdown
with the SVG pictures beside it. Nothing here decides a number: ``model.build`` does."""

from __future__ import annotations

import re
from html import escape

from converters.gates.registry import GATES
from converters.ledger import ledger

from . import svg

SECTIONS = (
    ("inventory", "1. Inventory"),
    ("dispositions", "2. Dispositions"),
    ("go-no-go", "3. Go / no-go"),
    ("waves", "4. Waves"),
    ("progress", "5. Progress"),
    ("pictures", "6. Pictures"),
)
DISPOSITION_MEANING = {
    "MECH": "translated mechanically, reviewed like any code",
    "JUDG": "translated, with a decision a person must confirm",
    "LIFT": "runs in Dagster, depends on Airflow's library",
    "REDESIGN": "translated into a different shape that must be rebuilt and reviewed",
    "NONE": "no honest equivalent: stays in Airflow, observed by Dagster",
}
STATE_ORDER = ledger.STATES  # the order a task goes through
GATE_COLUMNS = [str(gate.number) for gate in GATES]  # the gates table: one column per gate of the registry

CSS = """
:root { --ink: #212121; --muted: #616161; --line: #e0e0e0; --accent: #5e35b1; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); }
body { background: #fafafa; }
header { background: #311b92; color: #fff; padding: 20px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; opacity: .85; }
nav { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line); padding: 8px 32px; z-index: 1; }
nav a { margin-right: 18px; color: var(--accent); text-decoration: none; font-weight: 600; }
main { max-width: 1180px; margin: 0 auto; padding: 8px 32px 48px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 24px 20px; margin: 20px 0; }
h2 { border-bottom: 2px solid var(--accent); padding-bottom: 4px; }
h3 { margin-top: 22px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
svg { max-width: 100%; height: auto; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.figure { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 120px; background: #fff; }
.figure b { display: block; font-size: 24px; }
.figure span { color: var(--muted); font-size: 12.5px; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; color: #fff; }
.verdict { font-size: 20px; font-weight: 700; padding: 10px 14px; border-radius: 8px; display: inline-block; }
.verdict.migrate { background: #e8f5e9; color: #1b5e20; }
.verdict.migrate-with-conditions { background: #fff8e1; color: #8d6e00; }
.verdict.stay { background: #ffebee; color: #b71c1c; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
.scroll { overflow-x: auto; }
details { margin: 10px 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; }
summary { cursor: pointer; font-weight: 600; }
.pair { display: flex; flex-wrap: wrap; gap: 16px; }
.legend span { margin-right: 10px; font-size: 12.5px; }
.muted { color: var(--muted); }
input[type=search] { padding: 4px 8px; width: 320px; border: 1px solid #bdbdbd; border-radius: 4px; }
code { background: #f5f5f5; padding: 0 4px; border-radius: 3px; }
@media print { nav { display: none; } section { break-inside: avoid; } }
"""

SCRIPT = """
(function () {
  var box = document.getElementById('task-filter');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#task-table tbody tr'));
  box.addEventListener('input', function () {
    var needle = box.value.toLowerCase();
    rows.forEach(function (row) { row.hidden = needle && row.textContent.toLowerCase().indexOf(needle) < 0; });
  });
  document.body.setAttribute('data-ready', 'yes');
})();
"""


def _e(value: object) -> str:
    return escape(str(value))


def badge(kind: str) -> str:
    key = kind.split(":", 1)[0]
    colour = svg.colour(key)
    text = "#212121" if key in svg.DARK_TEXT else "#fff"
    return f"<span class='badge' style='background:{colour};color:{text}'>{_e(kind)}</span>"


def _table(headers: list[str], rows: list[list[str]], *, numeric: set[int] = frozenset(), attrs: str = "") -> str:
    head = "".join(f"<th{' class=num' if i in numeric else ''}>{_e(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=num' if i in numeric else ''}>{cell}</td>" for i, cell in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<div class='scroll'><table{attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def _figure(name: str, value: object, label: str) -> str:
    return f"<div class='figure'><b data-figure='{_e(name)}'>{_e(value)}</b><span>{_e(label)}</span></div>"


def _sections(report: dict) -> tuple[dict, dict, dict, dict, dict]:
    return tuple(report[k] for k in ("inventory", "dispositions", "go_no_go", "waves", "progress"))


def html(report: dict) -> str:
    inv, disp, go, waves, progress = _sections(report)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        # Nothing is fetched: the page is one file, readable offline and safe to mail.
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">",
        f"<title>{_e(report['title'])}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{_e(report['title'])}</h1><p>DAGs folder <code style='background:none;color:#fff'>"
        f"{_e(report['dags_folder'])}</code> · generated {_e(report['generated_at'])} by airflow-to-dagster</p>",
        "</header>",
        "<nav>" + "".join(f"<a href='#{i}'>{_e(t)}</a>" for i, t in SECTIONS) + "</nav><main>",
        "<section id='summary'><h2>Summary</h2><div class='figures'>",
        _figure("dags", inv["dags"], "DAGs"),
        _figure("tasks", inv["tasks"], "tasks"),
        _figure("files", inv["files"], "DAG files"),
        *(_figure(d.lower(), n, d) for d, n in disp["counts"].items()),
        _figure("waves", len(waves["waves"]), "waves"),
        _figure("effort", waves["effort_days"], "person-days (estimate)"),
        _figure("proxied", progress["proxied"], "tasks proxied to Dagster"),
        "</div>",
        f"<p>Recommendation: <span class='verdict {go['recommendation'].replace(' ', '-')}' data-recommendation>"
        f"{_e(go['recommendation'])}</span> — {_e(go['why'])}.</p></section>",
        _inventory_html(inv),
        _dispositions_html(disp),
        _go_html(go),
        _waves_html(waves),
        _progress_html(report),
        _pictures_html(report["graphs"]),
        f"</main><script>{SCRIPT}</script></body></html>",
    ]
    return "".join(parts)


def _inventory_html(inv: dict) -> str:
    families = svg.bars([(f, n, "#5e35b1") for f, n in inv["families"].items()], "Tasks by operator family")
    styles = svg.bars([(s, n, "#00897b") for s, n in inv["styles"].items()], "Files by Airflow code style")
    constructs = svg.bars([(c, n, "#3949ab") for c, n in inv["constructs"].items()], "DAGs using each construct")
    operators = _table(["operator", "tasks"], [[_e(o), _e(n)] for o, n in inv["operators"].items()], numeric={1})
    diagnostics = _table(
        ["file:line", "code", "severity", "message"],
        [
            [_e(f"{d['file']}:{d['line']}"), _e(d["code"]), _e(d["severity"]), _e(d["message"])]
            for d in inv["diagnostics"]
        ],
    )
    attention = _table(
        ["file", "why"], [[_e(a["file"]), "<br>".join(_e(w) for w in a["why"])] for a in inv["attention"]]
    )
    dags = _table(
        ["DAG", "file:line", "schedule", "tasks", "fully resolved"],
        [
            [
                _e(d["dag_id"]),
                _e(f"{d['file']}:{d['line']}"),
                _e(d["schedule"]),
                _e(d["tasks"]),
                "yes" if d["complete"] else "no",
            ]
            for d in inv["dag_list"]
        ],
        numeric={3},
    )
    return (
        "<section id='inventory'><h2>1. Inventory</h2>"
        f"<p>{inv['files']} files scanned ({inv['files_with_dags']} define DAGs), {inv['dags']} DAGs "
        f"({inv['dags_complete']} fully resolved without running them), {inv['tasks']} tasks, "
        f"{len(inv['diagnostics'])} diagnostics. Nothing was executed to read the estate.</p>"
        f"<div class='charts'>{families}{styles}{constructs}</div>"
        f"<h3>Operators</h3>{operators}"
        f"<h3>Files that need the DagBag or a person ({len(inv['attention'])})</h3>"
        + (attention if inv["attention"] else "<p>None.</p>")
        + f"<h3>Diagnostics ({len(inv['diagnostics'])})</h3>"
        + (diagnostics if inv["diagnostics"] else "<p>None.</p>")
        + f"<h3>DAGs</h3>{dags}</section>"
    )


def _dispositions_html(disp: dict) -> str:
    counts = svg.bars([(d, n, d) for d, n in disp["counts"].items()], "Tasks by disposition")
    meaning = _table(
        ["disposition", "tasks", "meaning"],
        [[badge(d), _e(n), _e(DISPOSITION_MEANING[d])] for d, n in disp["counts"].items()],
        numeric={1},
    )
    equivalences = _table(
        ["construct", "occurs", "Airflow", "Dagster", "behaviour difference"],
        [
            [
                _e(r["kind"])
                + (" <span class='badge' style='background:#c62828'>no equivalent</span>" if r["loss"] else ""),
                _e(f"{r['count']} {r['unit']}"),
                f"<code>{_e(r['airflow'])}</code>",
                _e(r["dagster"]),
                _e(r["difference"]),
            ]
            for r in disp["equivalences"]
        ],
    )
    tasks = _table(
        ["DAG", "task", "operator", "disposition", "rule", "reason", "state"],
        [
            [
                _e(t["dag_id"]),
                _e(t["task_id"]) + f"<div class='muted'>{_e(t['file'])}:{_e(t['line'])}</div>",
                _e(t["operator"]),
                badge(t["disposition"]),
                f"<code>{_e(t['rule'])}</code>",
                _e(t["reason"]) + "".join(f"<div class='muted'>· {_e(n)}</div>" for n in t["notes"]),
                badge(t["state"]),
            ]
            for t in disp["tasks"]
        ],
        attrs=" id='task-table'",
    )
    return (
        "<section id='dispositions'><h2>2. Dispositions</h2>"
        f"<div class='charts'>{counts}<div style='flex:1;min-width:340px'>{meaning}</div></div>"
        "<h3>Equivalences used in this estate</h3>"
        "<p class='muted'>One row per construct kind that occurs: how Airflow spells it, what the generated Dagster "
        f"code does instead, and the behaviour difference.</p>{equivalences}"
        "<h3>Every task</h3><p><input type='search' id='task-filter' placeholder='filter tasks (DAG, rule, reason…)' "
        f"aria-label='filter tasks'></p>{tasks}</section>"
    )


def _go_html(go: dict) -> str:
    losses = _table(
        ["loss", "count", "how it is answered", "where"],
        [
            [
                _e(item["what"]),
                _e(item["count"]),
                _e(item["answer"]),
                _e(", ".join(item["where"][:12])) + (" …" if len(item["where"]) > 12 else ""),
            ]
            for item in go["losses"]
        ],
        numeric={1},
    )
    numbers = go["numbers"]
    conditions = "".join(f"<li>{_e(c)}</li>" for c in go["conditions"])
    return (
        "<section id='go-no-go'><h2>3. Go / no-go</h2>"
        f"<p><span class='verdict {go['recommendation'].replace(' ', '-')}'>{_e(go['recommendation'])}</span></p>"
        f"<p>{_e(go['why'])}.</p>"
        + (f"<h3>Conditions</h3><ol>{conditions}</ol>" if conditions else "")
        + f"<h3>Load-bearing losses ({len(go['losses'])})</h3>"
        + (losses if go["losses"] else "<p>None: every construct in the estate has a Dagster equivalent.</p>")
        + "<p class='muted'>Derived from: "
        f"{numbers['tasks']} tasks, {numbers['none_share']:.0%} without an equivalent, "
        f"{numbers['redesign_share']:.0%} to rebuild, {numbers.get('lift_share', 0):.0%} running in Dagster on "
        f"Airflow's library (LIFT), {numbers['incomplete_dags']} DAGs known only at runtime, "
        f"{numbers['error_diagnostics']} error diagnostics (thresholds in the playbook, “Go / no-go”).</p></section>"
    )


def _waves_html(waves: dict) -> str:
    parts = [
        "<section id='waves'><h2>4. Waves</h2>",
        "<p>Upstream first (a task never moves before a task it depends on, across DAGs too) and lowest risk first "
        "(MECH, then JUDG, then LIFT, then REDESIGN); a DAG proxied as a whole moves with its riskiest task. Effort: "
        + ", ".join(f"{d} {w:g} d/task" for d, w in waves["weights"]["per_task"].items())
        + f", plus {waves['weights']['per_dag']:g} d per DAG for gates, parity and a rollback drill.</p>",
        svg.bars([(f"wave {w['wave']}", w["effort_days"], "#5e35b1") for w in waves["waves"]], "Effort per wave", " d"),
    ]
    for wave in waves["waves"]:
        mix = ", ".join(f"{n} {d}" for d, n in sorted(wave["dispositions"].items()))
        parts.append(
            f"<h3 data-wave='{wave['wave']}'>Wave {wave['wave']}: {len(wave['tasks'])} tasks "
            f"in {len(wave['dags'])} DAGs "
            f"({_e(mix)}) — {wave['effort_days']:g} person-days</h3>"
        )
        parts.append(
            _table(
                ["order", "DAG", "task", "disposition", "state"],
                [
                    [_e(i + 1), _e(t["dag_id"]), _e(t["task_id"]), badge(t["disposition"]), badge(t["state"])]
                    for i, t in enumerate(wave["tasks"])
                ],
                numeric={0},
            )
        )
    parts.append(f"<h3>Staying in Airflow ({len(waves['staying'])})</h3>")
    parts.append(
        _table(["DAG", "task", "why"], [[_e(s["dag_id"]), _e(s["task_id"]), _e(s["reason"])] for s in waves["staying"]])
        if waves["staying"]
        else "<p>None.</p>"
    )
    parts.append("</section>")
    return "".join(parts)


def _anchor(dag_id: str, task_id: str, gate: str) -> str:
    return "ev-" + re.sub(r"[^A-Za-z0-9_-]", "_", f"{dag_id}-{task_id}-{gate}")


def _progress_html(report: dict) -> str:
    progress, tasks = report["progress"], report["dispositions"]["tasks"]
    states = progress["states"]
    ordered = [(s, states[s]) for s in STATE_ORDER if s in states] + [
        (s, n) for s, n in states.items() if s not in STATE_ORDER
    ]
    burndown = svg.line(
        [(p["event"] + (f" ({p['at']})" if p["at"] else ""), p["remaining"]) for p in progress["burndown"]],
        "Burn-down: tasks still run by Airflow",
    )
    gated = [t for t in tasks if t["gates"]]
    symbols = {"pass": "✓", "fail": "✗", "n/a": "n/a", "skipped": "·"}
    gate_rows = [
        [_e(t["dag_id"]), _e(t["task_id"])]
        + [
            (
                f"<a href='#{_anchor(t['dag_id'], t['task_id'], n)}' title='{_e(t['gates'][n]['status'])}'>"
                f"{symbols.get(t['gates'][n]['status'], '?')}</a>"
            )
            if n in t["gates"]
            else ""
            for n in GATE_COLUMNS
        ]
        + [badge(t["state"])]
        for t in gated
    ]
    evidence = "".join(
        f"<li id='{_anchor(t['dag_id'], t['task_id'], n)}'><b>{_e(t['dag_id'])}.{_e(t['task_id'])} gate {n}</b>: "
        f"{_e(r['status'])} at {_e(r['at'])}" + (f" — {_e(r['evidence'])}" if r["evidence"] else "") + "</li>"
        for t in gated
        for n, r in t["gates"].items()
    )
    forced = _table(
        ["DAG", "task", "by", "at", "reason"],
        [[_e(f["dag_id"]), _e(f["task_id"]), _e(f["by"]), _e(f["at"]), _e(f["reason"])] for f in progress["forced"]],
    )
    return (
        "<section id='progress'><h2>5. Progress</h2><div class='figures'>"
        + _figure("movable", progress["movable"], "tasks with a Dagster asset to move")
        + _figure("in_airflow", progress["in_airflow"], "still run by Airflow")
        + _figure("proxied_tasks", progress["proxied"], "proxied to Dagster")
        + _figure("decommissioned", progress["decommissioned_dags"], "DAGs decommissioned")
        + _figure("modernized", len(progress.get("modernized_dags", [])), "DAGs modernized")
        + _figure("gated", progress["gated_tasks"], "tasks with gate evidence")
        + _figure("ledger", progress["ledger_entries"], "ledger entries")
        + "</div><div class='charts'>"
        + svg.bars([(s, n, s) for s, n in ordered], "Tasks by state")
        + burndown
        + "</div>"
        + f"<h3>Gates ({len(gated)} tasks; ✓ pass, ✗ fail, n/a not applicable — each links to its evidence)</h3>"
        + (
            _table(["DAG", "task", *GATE_COLUMNS, "state"], gate_rows)
            if gated
            else "<p>No gate has run yet: <code>airflow-to-dagster gates</code> records them in the ledger.</p>"
        )
        + (f"<h3>Proxied without passing gates ({len(progress['forced'])})</h3>{forced}" if progress["forced"] else "")
        + _modernized_html(progress.get("modernize", []))
        + (f"<details><summary>Evidence ({len(gated)} tasks)</summary><ul>{evidence}</ul></details>" if gated else "")
        + "</section>"
    )


def _modernize_rows(modernized: list[dict]) -> list[list[str]]:
    rows = []
    for m in modernized:
        tables = "; ".join(
            f"{name}: {(t.get('after') or {}).get('rows')} rows, {(t.get('after') or {}).get('checksum')}"
            + ("" if t.get("same") else " (differs from before)")
            for name, t in sorted(m["tables"].items())
        )
        outcome = "same rows and checksums" if m["same"] else ("reverted to faithful" if m["reverted"] else "differs")
        faithful = "; ".join(f"{task}: {why}" for task, why in sorted(m["faithful"].items())) or "none"
        rows.append([m["dag_id"], m["date"] or "", ", ".join(m["checks"]) or "none", faithful, tables, outcome])
    return rows


MODERNIZE_COLUMNS = ["DAG", "date", "asset checks", "kept faithful", "tables after", "outcome"]


def _modernized_html(modernized: list[dict]) -> str:
    if not modernized:
        return ""
    rows = [[_e(cell) for cell in row] for row in _modernize_rows(modernized)]
    return f"<h3>Modernized ({len(modernized)} DAGs; gates 2-6 re-run after the rewrite)</h3>" + _table(
        MODERNIZE_COLUMNS, rows
    )


def drawings(item: dict, index: int) -> tuple[str, str]:
    """The two SVGs of one DAG: Airflow's task graph and the Dagster asset graph."""
    airflow = svg.graph(
        item["airflow"]["nodes"], item["airflow"]["edges"], f"Airflow DAG {item['dag_id']}", uid=f"a{index}"
    )
    dagster = svg.graph(
        item["dagster"]["nodes"], item["dagster"]["edges"], f"Dagster assets of {item['dag_id']}", uid=f"d{index}"
    )
    return airflow, dagster


def _legend(keys: list[str]) -> str:
    return "<p class='legend'>" + "".join(badge(k) + " " for k in keys) + "</p>"


def _pictures_html(graphs: list[dict]) -> str:
    parts = [
        "<section id='pictures'><h2>6. Pictures</h2>",
        "<p>Per DAG: Airflow's task graph coloured by disposition, and the Dagster asset graph it became coloured by "
        "state (dashed: assets of other DAGs it depends on; pass-through tasks such as Empty have no asset).</p>",
        _legend(["MECH", "JUDG", "LIFT", "REDESIGN", "NONE"]),
        _legend(list(STATE_ORDER)),
    ]
    for index, item in enumerate(graphs):
        airflow, dagster = drawings(item, index)
        parts.append(
            f"<details{' open' if index < 3 else ''} data-dag='{_e(item['dag_id'])}'><summary>{_e(item['dag_id'])} "
            f"— {len(item['airflow']['nodes'])} tasks, {len(item['dagster']['nodes'])} assets</summary>"
            f"<div class='pair scroll'>{airflow}{dagster}</div></details>"
        )
    parts.append("</section>")
    return "".join(parts)


# --- Markdown ------------------------------------------------------------------------------------------------


def _md(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(headers: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def graph_file(item: dict, side: str) -> str:
    """``graphs/<module>.<side>.svg``: named by the generated module, which is unique per DAG and file-safe."""
    return f"graphs/{item['module']}.{side}.svg"


def markdown(report: dict) -> str:
    """The report as Markdown, in page order.

    Longer than the ~80-line guide on purpose: it is one literal list of the page's lines, section after section,
    so the Markdown reads top to bottom like the document it writes; cutting it into helpers would only scatter
    the page's order."""
    inv, disp, go, waves, progress = _sections(report)
    out = [
        f"# {report['title']}",
        "",
        f"DAGs folder `{report['dags_folder']}` · generated {report['generated_at']} by airflow-to-dagster. "
        "The HTML version (index.html) has the same content with charts inline.",
        "",
        f"**Recommendation: {go['recommendation']}** — {go['why']}.",
        "",
        "## 1. Inventory",
        "",
        f"{inv['files']} files ({inv['files_with_dags']} define DAGs), {inv['dags']} DAGs "
        f"({inv['dags_complete']} fully resolved statically), {inv['tasks']} tasks, "
        f"{len(inv['diagnostics'])} diagnostics.",
        "",
        _md_table(["operator family", "tasks"], list(inv["families"].items())),
        "",
        _md_table(["code style", "files"], list(inv["styles"].items())),
        "",
        _md_table(["construct", "DAGs"], list(inv["constructs"].items())),
        "",
        _md_table(["operator", "tasks"], list(inv["operators"].items())),
        "",
        f"### Files that need the DagBag or a person ({len(inv['attention'])})",
        "",
        _md_table(["file", "why"], [[a["file"], "; ".join(a["why"])] for a in inv["attention"]])
        if inv["attention"]
        else "None.",
        "",
        f"### Diagnostics ({len(inv['diagnostics'])})",
        "",
        _md_table(
            ["file:line", "code", "severity", "message"],
            [[f"{d['file']}:{d['line']}", d["code"], d["severity"], d["message"]] for d in inv["diagnostics"]],
        )
        if inv["diagnostics"]
        else "None.",
        "",
        "## 2. Dispositions",
        "",
        _md_table(
            ["disposition", "tasks", "meaning"], [[d, n, DISPOSITION_MEANING[d]] for d, n in disp["counts"].items()]
        ),
        "",
        "### Equivalences used in this estate",
        "",
        _md_table(
            ["construct", "occurs", "Airflow", "Dagster", "behaviour difference"],
            [
                [
                    r["kind"] + (" (no equivalent)" if r["loss"] else ""),
                    f"{r['count']} {r['unit']}",
                    f"`{r['airflow']}`",
                    r["dagster"],
                    r["difference"],
                ]
                for r in disp["equivalences"]
            ],
        ),
        "",
        "### Every task",
        "",
        _md_table(
            ["DAG", "task", "operator", "disposition", "rule", "reason", "state"],
            [
                [t["dag_id"], t["task_id"], t["operator"], t["disposition"], f"`{t['rule']}`", t["reason"], t["state"]]
                for t in disp["tasks"]
            ],
        ),
        "",
        "## 3. Go / no-go",
        "",
        f"**{go['recommendation']}** — {go['why']}.",
        "",
        *(f"{i}. {c}" for i, c in enumerate(go["conditions"], 1)),
        "",
        f"### Load-bearing losses ({len(go['losses'])})",
        "",
        _md_table(["loss", "count", "how it is answered"], [[x["what"], x["count"], x["answer"]] for x in go["losses"]])
        if go["losses"]
        else "None: every construct in the estate has a Dagster equivalent.",
        "",
        "## 4. Waves",
        "",
        f"Total estimate: {waves['effort_days']:g} person-days (weights: "
        + ", ".join(f"{d} {w:g}" for d, w in waves["weights"]["per_task"].items())
        + f" per task, {waves['weights']['per_dag']:g} per DAG).",
        "",
    ]
    for wave in waves["waves"]:
        out += [
            f"### Wave {wave['wave']}: {len(wave['tasks'])} tasks in {len(wave['dags'])} DAGs — "
            f"{wave['effort_days']:g} person-days",
            "",
            _md_table(
                ["order", "DAG", "task", "disposition", "state"],
                [[i + 1, t["dag_id"], t["task_id"], t["disposition"], t["state"]] for i, t in enumerate(wave["tasks"])],
            ),
            "",
        ]
    out += [
        f"### Staying in Airflow ({len(waves['staying'])})",
        "",
        _md_table(["DAG", "task", "why"], [[s["dag_id"], s["task_id"], s["reason"]] for s in waves["staying"]])
        if waves["staying"]
        else "None.",
        "",
        "## 5. Progress",
        "",
        f"{progress['movable']} tasks have a Dagster asset to move; {progress['in_airflow']} still run in Airflow, "
        f"{progress['proxied']} are proxied to Dagster, {progress['decommissioned_dags']} DAGs are decommissioned "
        f"({len(progress.get('modernized_dags', []))} of them modernized); "
        f"{progress['gated_tasks']} tasks have gate evidence ({progress['ledger_entries']} ledger entries).",
        "",
        _md_table(["state", "tasks"], list(progress["states"].items())),
        "",
    ]
    if progress.get("modernize"):
        out += [
            "### Modernized (gates 2-6 re-run after the rewrite)",
            "",
            _md_table(MODERNIZE_COLUMNS, _modernize_rows(progress["modernize"])),
            "",
        ]
    gated = [t for t in disp["tasks"] if t["gates"]]
    if gated:
        out += [
            _md_table(
                ["DAG", "task", *GATE_COLUMNS, "state"],
                [
                    [
                        t["dag_id"],
                        t["task_id"],
                        *(t["gates"].get(n, {}).get("status", "") for n in GATE_COLUMNS),
                        t["state"],
                    ]
                    for t in gated
                ],
            ),
            "",
        ]
    out += ["## 6. Pictures", ""]
    for item in report["graphs"]:
        out += [
            f"### {item['dag_id']}",
            "",
            f"![Airflow DAG {item['dag_id']}]({graph_file(item, 'airflow')}) "
            f"![Dagster assets of {item['dag_id']}]({graph_file(item, 'dagster')})",
            "",
        ]
    return "\n".join(out)
