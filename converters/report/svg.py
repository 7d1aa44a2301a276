"""SVG pictures for the report, drawn here (no JavaScript, no network): layered graphs and bar/line charts.

Colours are attributes, not CSS, so the same SVG is valid inline in the HTML and as a file beside the Markdown.
"""

from __future__ import annotations

from html import escape

COLOURS = {
    # dispositions
    "MECH": "#2e7d32",
    "JUDG": "#f9a825",
    "LIFT": "#0097a7",
    "REDESIGN": "#ef6c00",
    "NONE": "#9e9e9e",
    # states
    "pending": "#bdbdbd",
    "planned": "#90a4ae",
    "generated": "#64b5f6",
    "validated": "#1e88e5",
    "run-in-dagster": "#00897b",
    "parity-proven": "#43a047",
    "proxied": "#8e24aa",
    "decommissioned": "#37474f",
    "modernized": "#263238",
    "deferred": "#9e9e9e",
    "external": "#eeeeee",
}
DARK_TEXT = {"JUDG", "pending", "planned", "generated", "external", "deferred", "NONE"}
FONT = "font-family='system-ui, -apple-system, Segoe UI, sans-serif'"

NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 180, 26, 56, 12, 10


def colour(kind: str) -> str:
    return COLOURS.get(kind.split(":", 1)[0], COLOURS["pending"])


def _text_colour(kind: str) -> str:
    return "#212121" if kind.split(":", 1)[0] in DARK_TEXT else "#ffffff"


def _short(label: str, limit: int = 24) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def layers(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Longest path from a source, ignoring the edges that close a cycle (the estate may have one).
    Iterative throughout: a 5,000-task chain must not hit the recursion limit."""
    children: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        if a in children and b in children and a != b:
            children[a].append(b)
    visiting, done = 1, 2
    mark: dict[str, int] = {}
    kept: list[tuple[str, str]] = []
    for root in nodes:
        if root in mark:
            continue
        mark[root] = visiting
        stack = [(root, iter(children[root]))]
        while stack:
            node, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                mark[node] = done
                stack.pop()
            elif mark.get(child) != visiting:  # an edge back to the current path closes a cycle
                kept.append((node, child))
                if child not in mark:
                    mark[child] = visiting
                    stack.append((child, iter(children[child])))
    incoming = {n: 0 for n in nodes}
    after: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in kept:
        incoming[b] += 1
        after[a].append(b)
    layer = dict.fromkeys(nodes, 0)
    ready = [n for n in nodes if incoming[n] == 0]
    while ready:
        node = ready.pop()
        for child in after[node]:
            layer[child] = max(layer[child], layer[node] + 1)
            incoming[child] -= 1
            if incoming[child] == 0:
                ready.append(child)
    return layer


def graph(nodes: list[dict], edges: list[list[str]], title: str, uid: str = "g") -> str:
    """Left-to-right layered drawing: ``nodes`` have id, label, kind (a colour key); ``edges`` are [from, to].
    ``uid`` keeps the arrow marker's id unique when several drawings share one page."""
    ids = [n["id"] for n in nodes]
    pairs = [(a, b) for a, b in edges]
    layer = layers(ids, pairs)
    columns: dict[int, list[str]] = {}
    for node in ids:
        columns.setdefault(layer[node], []).append(node)
    parents: dict[str, list[str]] = {}
    for a, b in pairs:
        parents.setdefault(b, []).append(a)
    position: dict[str, float] = {}
    for _, column in sorted(columns.items()):
        placed = {n: [p for p in parents.get(n, []) if p in position] for n in column}
        # barycentre of the parents already placed: fewer crossings, stable for equal keys
        column.sort(key=lambda n: sum(position[p] for p in placed[n]) / len(placed[n]) if placed[n] else -1)
        for row, node in enumerate(column):
            position[node] = row
    rows = max((len(c) for c in columns.values()), default=1)
    width = PAD * 2 + len(columns) * NODE_W + max(0, len(columns) - 1) * GAP_X
    height = PAD * 2 + 20 + rows * NODE_H + max(0, rows - 1) * GAP_Y
    by_id = {n["id"]: n for n in nodes}

    def xy(node: str) -> tuple[float, float]:
        return PAD + layer[node] * (NODE_W + GAP_X), PAD + 20 + position[node] * (NODE_H + GAP_Y)

    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='{width}' height='{height}' "
        f"role='img' aria-label='{escape(title, quote=True)}' {FONT} font-size='12'>",
        f"<title>{escape(title)}</title>",
        f"<defs><marker id='{uid}-arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='6' markerHeight='6' "
        "orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='#616161'/></marker></defs>",
        f"<text x='{PAD}' y='{PAD + 10}' font-weight='600'>{escape(title)}</text>",
    ]
    for a, b in pairs:
        if a not in layer or b not in layer:
            continue
        (x1, y1), (x2, y2) = xy(a), xy(b)
        x1, y1, y2 = x1 + NODE_W, y1 + NODE_H / 2, y2 + NODE_H / 2
        if x2 <= x1:  # an edge that closes a cycle: drawn back over the top
            parts.append(
                f"<path d='M{x1:.0f},{y1:.0f} C{x1 + 40:.0f},{y1 - 60:.0f} {x2 - 40:.0f},{y2 - 60:.0f} "
                f"{x2:.0f},{y2:.0f}' "
                f"fill='none' stroke='#c62828' stroke-dasharray='4 3' marker-end='url(#{uid}-arrow)'/>"
            )
            continue
        middle = (x1 + x2) / 2
        parts.append(
            f"<path d='M{x1:.0f},{y1:.0f} C{middle:.0f},{y1:.0f} {middle:.0f},{y2:.0f} {x2:.0f},{y2:.0f}' "
            f"fill='none' stroke='#9e9e9e' marker-end='url(#{uid}-arrow)'/>"
        )
    for node in ids:
        x, y = xy(node)
        kind = by_id[node].get("kind", "pending")
        dashed = " stroke-dasharray='3 2'" if by_id[node].get("external") else ""
        parts.append(
            f"<g><title>{escape(by_id[node]['label'])} — {escape(kind)}</title>"
            f"<rect x='{x:.0f}' y='{y:.0f}' width='{NODE_W}' height='{NODE_H}' rx='5' fill='{colour(kind)}' "
            f"stroke='#424242' stroke-width='0.6'{dashed}/>"
            f"<text x='{x + 8:.0f}' y='{y + 17:.0f}' fill='{_text_colour(kind)}'>"
            f"{escape(_short(by_id[node]['label']))}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def bars(items: list[tuple[str, float, str]], title: str, unit: str = "") -> str:
    """Horizontal bars: (label, value, colour key or #rgb)."""
    label_w, bar_w, row_h = 170, 320, 22
    top = 28
    height = top + max(1, len(items)) * row_h + 8
    width = label_w + bar_w + 70
    peak = max((v for _, v, _ in items), default=0) or 1
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='{width}' height='{height}' "
        f"role='img' aria-label='{escape(title, quote=True)}' {FONT} font-size='12'>",
        f"<title>{escape(title)}</title>",
        f"<text x='4' y='16' font-weight='600'>{escape(title)}</text>",
    ]
    for row, (label, value, key) in enumerate(items):
        y = top + row * row_h
        length = bar_w * value / peak
        fill = key if key.startswith("#") else colour(key)
        shown = f"{value:g}{unit}"
        parts.append(
            f"<text x='{label_w - 6}' y='{y + 14}' text-anchor='end'>{escape(_short(label, 26))}</text>"
            f"<rect x='{label_w}' y='{y + 3}' width='{max(length, 1):.1f}' height='{row_h - 7}' fill='{fill}'/>"
            f"<text x='{label_w + length + 5:.1f}' y='{y + 14}'>{escape(shown)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def line(points: list[tuple[str, float]], title: str) -> str:
    """A step line of values over events (the burn-down)."""
    width, height, left, top, bottom = 620, 220, 44, 28, 30
    inner_w, inner_h = width - left - 16, height - top - bottom
    peak = max((v for _, v in points), default=0) or 1
    step = inner_w / max(1, len(points) - 1)
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='{width}' height='{height}' "
        f"role='img' aria-label='{escape(title, quote=True)}' {FONT} font-size='11'>",
        f"<title>{escape(title)}</title>",
        f"<text x='4' y='16' font-weight='600' font-size='12'>{escape(title)}</text>",
        f"<line x1='{left}' y1='{top + inner_h}' x2='{left + inner_w}' y2='{top + inner_h}' stroke='#9e9e9e'/>",
        f"<line x1='{left}' y1='{top}' x2='{left}' y2='{top + inner_h}' stroke='#9e9e9e'/>",
        f"<text x='{left - 6}' y='{top + 4}' text-anchor='end'>{peak:g}</text>",
        f"<text x='{left - 6}' y='{top + inner_h}' text-anchor='end'>0</text>",
    ]
    coords = []
    for index, (_, value) in enumerate(points):
        x = left + index * step
        y = top + inner_h - inner_h * value / peak
        if coords:
            coords.append(f"{x:.1f},{coords[-1].split(',')[1]}")
        coords.append(f"{x:.1f},{y:.1f}")
    if len(points) == 1:
        coords.append(f"{left + inner_w:.1f},{coords[0].split(',')[1]}")
    parts.append(f"<polyline points='{' '.join(coords)}' fill='none' stroke='#8e24aa' stroke-width='2'/>")
    for index, (label, value) in enumerate(points):
        x = left + index * step
        y = top + inner_h - inner_h * value / peak
        parts.append(
            f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3' fill='#8e24aa'><title>{escape(label)}: {value:g}</title></circle>"
        )
    if points:
        parts.append(f"<text x='{left}' y='{height - 10}'>{escape(_short(points[0][0], 40))}</text>")
        parts.append(
            f"<text x='{left + inner_w}' y='{height - 10}' text-anchor='end'>{escape(_short(points[-1][0], 40))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
