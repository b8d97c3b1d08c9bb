"""Charts as SVG strings: they read without JavaScript, print well and scale on a phone.

Pure functions from numbers and labels to markup. Every chart carries a <title> and <desc> for
screen readers; the numbers behind it are always also offered as a table and a download.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = (
    "#0b5394",
    "#b45f06",
    "#38761d",
    "#990000",
    "#674ea7",
    "#0c7c84",
    "#7f6000",
    "#a64d79",
    "#3d3d3d",
    "#1155cc",
)
INK = "#1b1f24"
MUTED = "#4a5360"
GRID = "#c9d0d8"


def _svg(width: int, height: int, title: str, desc: str, body: str) -> str:
    # Ids derived from the content, so several charts on one page never share one.
    ident = (
        "c"
        + hashlib.sha1(f"{title}|{desc}|{body}".encode(), usedforsecurity=False).hexdigest()[:10]
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{ident}t {ident}d" class="chart" '
        f'preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif" font-size="13">'
        f'<title id="{ident}t">{escape(title)}</title><desc id="{ident}d">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def bar_chart(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    value_label: Sequence[str] | None = None,
    width: int = 640,
    bar_height: int = 22,
) -> str:
    """Horizontal bars, label on the left, value at the end of the bar."""
    labels = [label for label, _ in rows]
    values = [value for _, value in rows]
    shown = list(value_label) if value_label is not None else [_number(v) for v in values]
    label_width = min(260, max((len(label) for label in labels), default=4) * 7 + 12)
    chart_width = width - label_width - 70
    top = max(values, default=0) or 1
    height = len(rows) * (bar_height + 6) + 10
    parts = []
    for i, (label, value) in enumerate(rows):
        y = 5 + i * (bar_height + 6)
        bar = max(1.0, chart_width * value / top) if value else 0
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" '
            f'fill="{INK}">{escape(_clip(label, 36))}</text>'
            f'<rect x="{label_width}" y="{y}" width="{bar:.1f}" height="{bar_height}" '
            f'fill="{PALETTE[0]}"><title>{escape(label)}: {escape(shown[i])}</title></rect>'
            f'<text x="{label_width + bar + 6:.1f}" y="{y + bar_height * 0.7:.1f}" '
            f'fill="{INK}">{escape(shown[i])}</text>'
        )
    desc = "; ".join(f"{label}: {shown[i]}" for i, label in enumerate(labels[:30]))
    return _svg(width, max(height, 30), title, desc, "".join(parts))


def column_chart(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    value_label: Sequence[str] | None = None,
    width: int = 640,
    height: int = 220,
) -> str:
    """Vertical columns over time (e.g. months), with every few labels shown."""
    values = [value for _, value in rows]
    shown = list(value_label) if value_label is not None else [_number(v) for v in values]
    top = max(values, default=0) or 1
    left, bottom, right = 40, 36, 10
    inner_w = width - left - right
    inner_h = height - bottom - 10
    step = inner_w / max(1, len(rows))
    every = max(1, math.ceil(len(rows) / 12))
    parts = [
        f'<line x1="{left}" y1="{10 + inner_h}" x2="{width - right}" y2="{10 + inner_h}" '
        f'stroke="{GRID}"/>',
        f'<text x="{left - 6}" y="16" text-anchor="end" fill="{MUTED}">{_number(top)}</text>',
        f'<text x="{left - 6}" y="{10 + inner_h}" text-anchor="end" fill="{MUTED}">0</text>',
    ]
    for i, (label, value) in enumerate(rows):
        h = inner_h * value / top
        x = left + i * step
        parts.append(
            f'<rect x="{x + step * 0.1:.1f}" y="{10 + inner_h - h:.1f}" '
            f'width="{max(1.0, step * 0.8):.1f}" height="{h:.1f}" fill="{PALETTE[0]}">'
            f"<title>{escape(label)}: {escape(shown[i])}</title></rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{height - 12}" text-anchor="middle" '
                f'fill="{MUTED}" font-size="11">{escape(label)}</text>'
            )
    desc = "; ".join(
        f"{label}: {text}" for (label, _), text in list(zip(rows, shown, strict=True))[-36:]
    )
    return _svg(width, height, title, desc, "".join(parts))


def sparkline(values: Sequence[float], *, title: str, width: int = 120, height: int = 28) -> str:
    """A small trend line for a list row."""
    if not values:
        return _svg(width, height, title, "", "")
    top = max(values) or 1
    step = width / max(1, len(values) - 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (height - 4) * v / top:.1f}" for i, v in enumerate(values)
    )
    desc = ", ".join(_number(v) for v in values)
    body = f'<polyline points="{points}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>'
    return _svg(width, height, title, desc, body)


@dataclass(frozen=True, slots=True)
class PlacedNode:
    key: str
    label: str
    x: float
    y: float
    size: float
    group: int
    emphasis: bool


def network(
    nodes: Sequence[PlacedNode],
    edges: Sequence[tuple[str, str, float]],
    *,
    title: str,
    width: int = 640,
    height: int = 480,
) -> str:
    """Nodes placed in [0, 1]² with edges weighted 0..1; emphasised nodes are named."""
    at = {node.key: node for node in nodes}
    pad = 48

    def px(node: PlacedNode) -> tuple[float, float]:
        return pad + node.x * (width - 2 * pad), pad + node.y * (height - 2 * pad)

    parts = []
    for a, b, weight in edges:
        if a not in at or b not in at:
            continue
        (x1, y1), (x2, y2) = px(at[a]), px(at[b])
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{GRID}" '
            f'stroke-width="{0.5 + 3 * weight:.2f}"/>'
        )
    for node in nodes:
        x, y = px(node)
        color = PALETTE[node.group % len(PALETTE)]
        radius = 4 + 14 * node.size
        stroke = f' stroke="{INK}" stroke-width="2"' if node.emphasis else ""
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{color}"{stroke}>'
            f"<title>{escape(node.label)}</title></circle>"
        )
        if node.emphasis:
            # Labels near an edge grow inwards, so they are never cut off.
            anchor = "start" if node.x < 0.2 else "end" if node.x > 0.8 else "middle"
            parts.append(
                f'<text x="{x:.1f}" y="{y - radius - 4:.1f}" text-anchor="{anchor}" '
                f'fill="{INK}" font-weight="600">{escape(_clip(node.label, 28))}</text>'
            )
    named = [node.label for node in nodes if node.emphasis]
    desc = ", ".join(named[:20])
    return _svg(width, height, title, desc, "".join(parts))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
