"""Draw the estate's dependency graph as a server-rendered SVG (no JavaScript needed, prints).

Layered layout: a system's column is the length of its longest chain of dependencies
(foundations such as the data centre on the left), services in the last column grouped by
organisation. Cycles are cut where the depth-first walk meets a node already on its stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape

# Sized so the West London estate (six layers of systems, then the services) fits the
# 960px page column at full size: boxes hold two short lines instead of one long one.
COL_WIDTH = 124
BOX_WIDTH = 112
SERVICE_BOX_WIDTH = 190
ROW_HEIGHT = 34
BOX_HEIGHT = 28
MARGIN = 10
LINE_CHARS = 20  # what fits on a line of a system box at 10px Arial
SERVICE_LINE_CHARS = 34


@dataclass(frozen=True)
class Node:
    """A box on the picture."""

    key: str
    label: str
    group: str  # organisation code for services, kind for systems
    state: str = ""  # "", "down" (lost), "root" (compromised/off itself), "suspected"
    note: str = ""  # why it is lost, shown when hovering (and read out by screen readers)


def _depths(system_deps: Mapping[str, Iterable[str]]) -> dict[str, int]:
    depth: dict[str, int] = {}
    on_stack: set[str] = set()

    def visit(key: str) -> int:
        if key in depth:
            return depth[key]
        if key in on_stack:  # a cycle: treat the back edge as absent
            return -1
        on_stack.add(key)
        best = 0
        for dep in system_deps.get(key, ()):
            best = max(best, visit(dep) + 1)
        on_stack.discard(key)
        depth[key] = best
        return best

    for key in list(system_deps):
        visit(key)
    return depth


STATE_WORDS = {
    "root": "compromised or switched off",
    "down": "lost",
    "suspected": "suspected",
}


def _state_words(node: Node) -> str:
    if not node.state:
        return ""
    words = f" - {STATE_WORDS.get(node.state, node.state)}"
    return words + (f": {escape(node.note)}" if node.note else "")


def _lines(label: str, width: int) -> list[str]:
    """The label on at most two lines of about ``width`` characters, cut with an ellipsis
    (the whole label is in the box's title, which screen readers and hovering show)."""
    lines: list[str] = []
    current = ""
    for word in label.split():
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width or not current:
            current = candidate
            continue
        lines.append(current)
        current = word
    lines.append(current)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return [line if len(line) <= width else line[: width - 1] + "…" for line in lines]


def render(
    systems: list[Node],
    services: list[Node],
    system_deps: Mapping[str, Iterable[str]],
    service_deps: Mapping[str, Iterable[str]],
) -> str:
    """The SVG markup; ``state`` on a node colours it and the edges into lost nodes."""
    deps_all = {s.key: list(system_deps.get(s.key, ())) for s in systems}
    depth = _depths(deps_all)
    columns: dict[int, list[Node]] = {}
    for node in sorted(systems, key=lambda n: (n.group, n.label)):
        columns.setdefault(depth.get(node.key, 0), []).append(node)
    service_col = (max(columns) + 1) if columns else 0
    columns[service_col] = sorted(services, key=lambda n: (n.group, n.label))
    pos: dict[str, tuple[float, float]] = {}
    for col, nodes in columns.items():
        for row, node in enumerate(nodes):
            pos[node.key] = (MARGIN + col * COL_WIDTH, MARGIN + 30 + row * ROW_HEIGHT)
    width = MARGIN * 2 + service_col * COL_WIDTH + SERVICE_BOX_WIDTH
    height = MARGIN * 2 + 40 + max((len(n) for n in columns.values()), default=1) * ROW_HEIGHT
    lost = {n.key for n in [*systems, *services] if n.state in {"down", "root"}}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'role="img" aria-labelledby="estate-graph-title" font-family="Arial, sans-serif" font-size="10">',
        '<title id="estate-graph-title">Dependency graph: systems (left, foundations first) and the services that need them (right)</title>',
        f'<text x="{MARGIN}" y="{MARGIN + 10}" font-weight="bold">Foundations</text>',
        f'<text x="{MARGIN + service_col * COL_WIDTH}" y="{MARGIN + 10}" font-weight="bold">Services</text>',
    ]
    edges = [(k, d) for k, ds in deps_all.items() for d in ds] + [
        (k, d) for k, ds in service_deps.items() for d in ds
    ]
    for src, dst in edges:
        if src not in pos or dst not in pos:
            continue
        x1, y1 = pos[src]
        x2, y2 = pos[dst]
        dst_width = SERVICE_BOX_WIDTH if dst.startswith("svc-") else BOX_WIDTH
        hot = src in lost and dst in lost
        colour, w = ("#d4351c", 2) if hot else ("#b1b4b6", 1)
        parts.append(
            f'<line x1="{x1:.0f}" y1="{y1 + BOX_HEIGHT / 2:.0f}" x2="{x2 + dst_width:.0f}" y2="{y2 + BOX_HEIGHT / 2:.0f}" '
            f'stroke="{colour}" stroke-width="{w}" opacity="0.8"/>'
        )
    fills = {
        "root": ("#d4351c", "#ffffff"),
        "down": ("#f6d7d2", "#0b0c0c"),
        "suspected": ("#ffdd00", "#0b0c0c"),
    }
    service_keys = {n.key for n in services}
    for node in [*systems, *services]:
        x, y = pos[node.key]
        fill, text = fills.get(node.state, ("#ffffff", "#0b0c0c"))
        is_service = node.key in service_keys
        box = SERVICE_BOX_WIDTH if is_service else BOX_WIDTH
        lines = _lines(node.label, SERVICE_LINE_CHARS if is_service else LINE_CHARS)
        top = y + (11 if len(lines) == 2 else 17)
        spans = "".join(
            f'<tspan x="{x + 4}" y="{top + i * 12}">{escape(line)}</tspan>' for i, line in enumerate(lines)
        )
        parts.append(
            f'<g data-key="{escape(node.key)}" data-state="{escape(node.state)}">'
            f"<title>{escape(node.label)} ({escape(node.group)}){_state_words(node)}</title>"
            f'<rect x="{x}" y="{y}" width="{box}" height="{BOX_HEIGHT}" fill="{fill}" stroke="#0b0c0c"/>'
            f'<text fill="{text}">{spans}</text></g>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
