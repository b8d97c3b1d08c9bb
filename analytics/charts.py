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
EDGE = "#9aa5b1"  # lines between circles: visible on white, quieter than the circles
LABEL_SIZE = 12


def _svg(width: int, height: int, title: str, desc: str, body: str, *, kind: str = "") -> str:
    # Ids derived from the content, so several charts on one page never share one.
    ident = (
        "c"
        + hashlib.sha1(f"{title}|{desc}|{body}".encode(), usedforsecurity=False).hexdigest()[:10]
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{ident}t {ident}d" class="chart{kind}" '
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
    note: str = ""  # more words for the tooltip, e.g. how many deviations


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle in picture coordinates (x, y is the top left corner)."""

    x: float
    y: float
    width: float
    height: float

    def intersects(self, other: Box) -> bool:
        return (
            self.x < other.x + other.width
            and other.x < self.x + self.width
            and self.y < other.y + other.height
            and other.y < self.y + self.height
        )

    def inside(self, width: float, height: float) -> bool:
        return (
            self.x >= 0
            and self.y >= 0
            and self.x + self.width <= width
            and (self.y + self.height <= height)
        )


@dataclass(frozen=True, slots=True)
class LabelWish:
    """A label that would like to sit next to a circle at (x, y) of radius r; lower rank first."""

    key: str
    text: str
    x: float
    y: float
    r: float
    rank: int


@dataclass(frozen=True, slots=True)
class PlacedLabel:
    key: str
    text: str
    box: Box
    anchor: str  # the SVG text-anchor the box was measured for

    @property
    def text_x(self) -> float:
        return {
            "start": self.box.x,
            "middle": self.box.x + self.box.width / 2,
            "end": self.box.x + self.box.width,
        }[self.anchor]

    @property
    def baseline(self) -> float:
        return self.box.y + self.box.height * 0.78


# Rough advance widths in ems for a sans-serif face: enough to keep labels apart without a font.
_NARROW = set("ijlI.,:;!|'()[]ft ")
_WIDE = set("mwMW@%")


def text_width(text: str, font_size: float = LABEL_SIZE) -> float:
    """The approximate width of `text` in a system sans-serif, erring on the wide side."""
    ems = 0.0
    for char in text:
        if char in _NARROW:
            ems += 0.34
        elif char in _WIDE:
            ems += 0.95
        elif char.isupper() or char.isdigit() or char in "§/–—…":
            ems += 0.72
        else:
            ems += 0.6
    return ems * font_size


def place_labels(
    wishes: Sequence[LabelWish],
    *,
    width: float,
    height: float,
    font_size: float = LABEL_SIZE,
) -> list[PlacedLabel]:
    """Greedy label placement: in rank order, each label takes the first spot around its circle
    (above, below, right, left, then the diagonals) that stays in the picture and meets no label
    already placed, preferring spots that also keep clear of the circles. A label with no free
    spot is left out; the picture keeps it in the circle's tooltip. No two placed boxes overlap."""
    line = font_size * 1.25
    circles = [Box(w.x - w.r, w.y - w.r, 2 * w.r, 2 * w.r) for w in wishes]
    placed: list[PlacedLabel] = []
    for wish in sorted(wishes, key=lambda w: (w.rank, w.key)):
        w = text_width(wish.text, font_size)
        gap = wish.r + 3
        spots = [
            ("middle", Box(wish.x - w / 2, wish.y - gap - line, w, line)),  # above
            ("middle", Box(wish.x - w / 2, wish.y + gap, w, line)),  # below
            ("start", Box(wish.x + gap, wish.y - line / 2, w, line)),  # right
            ("end", Box(wish.x - gap - w, wish.y - line / 2, w, line)),  # left
            ("start", Box(wish.x + gap * 0.7, wish.y - gap * 0.7 - line, w, line)),
            ("end", Box(wish.x - gap * 0.7 - w, wish.y - gap * 0.7 - line, w, line)),
            ("start", Box(wish.x + gap * 0.7, wish.y + gap * 0.7, w, line)),
            ("end", Box(wish.x - gap * 0.7 - w, wish.y + gap * 0.7, w, line)),
        ]
        free = [
            (anchor, box)
            for anchor, box in spots
            if box.inside(width, height) and not any(box.intersects(p.box) for p in placed)
        ]
        clear = [(a, b) for a, b in free if not any(b.intersects(c) for c in circles)]
        chosen = (clear or free or [None])[0]
        if chosen is not None:
            placed.append(PlacedLabel(wish.key, wish.text, chosen[1], chosen[0]))
    return placed


def network(
    nodes: Sequence[PlacedNode],
    edges: Sequence[tuple[str, str, float]],
    *,
    title: str,
    width: int = 640,
    height: int = 480,
    label_limit: int = 26,
) -> str:
    """Nodes placed in [0, 1]² with edges weighted 0..1. Emphasised nodes are named first, then
    the others by size, as far as their names fit without colliding; every circle's full name
    is in its tooltip."""
    at = {node.key: node for node in nodes}
    pad = 40

    def px(node: PlacedNode) -> tuple[float, float]:
        return pad + node.x * (width - 2 * pad), pad + node.y * (height - 2 * pad)

    def radius(node: PlacedNode) -> float:
        return 4 + 14 * node.size

    parts = []
    for a, b, weight in edges:
        if a not in at or b not in at:
            continue
        (x1, y1), (x2, y2) = px(at[a]), px(at[b])
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{EDGE}" '
            f'stroke-width="{0.5 + 5 * weight:.2f}"/>'
        )
    for node in nodes:
        x, y = px(node)
        color = PALETTE[node.group % len(PALETTE)]
        stroke = f' stroke="{INK}" stroke-width="3"' if node.emphasis else ' stroke="#ffffff"'
        tooltip = f"{node.label} ({node.note})" if node.note else node.label
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius(node):.1f}" fill="{color}"{stroke}>'
            f"<title>{escape(tooltip)}</title></circle>"
        )
    ranked = sorted(nodes, key=lambda n: (not n.emphasis, -n.size, n.key))
    wishes = [
        LabelWish(n.key, _clip(n.label, label_limit), *px(n), radius(n), rank)
        for rank, n in enumerate(ranked)
    ]
    labels = place_labels(wishes, width=width, height=height)
    for label in labels:
        node = at[label.key]
        weight = ' font-weight="700"' if node.emphasis else ""
        parts.append(
            f'<text x="{label.text_x:.1f}" y="{label.baseline:.1f}" text-anchor="{label.anchor}" '
            f'font-size="{LABEL_SIZE}" fill="{INK}" stroke="#ffffff" stroke-width="3" '
            f'paint-order="stroke"{weight}><title>{escape(node.label)}</title>'
            f"{escape(label.text)}</text>"
        )
    named = {label.key for label in labels}
    desc = ", ".join(node.label for node in ranked if node.key in named)
    return _svg(width, height, title, desc, "".join(parts), kind=" network")


def network_legend(*, emphasis: str, community: str, size: str, line: str) -> str:
    """The key to a network picture as HTML (it wraps on a phone, and reads without the
    picture); each entry shows the mark it explains."""

    def swatch(body: str) -> str:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 44 20" width="44" height="20" '
            f'aria-hidden="true" focusable="false">{body}</svg>'
        )

    entries = [
        (
            "".join(
                f'<circle cx="{6 + 12 * i}" cy="10" r="5" fill="{PALETTE[i]}"/>' for i in range(3)
            ),
            community,
        ),
        (
            f'<circle cx="8" cy="10" r="3" fill="{MUTED}"/>'
            f'<circle cx="30" cy="10" r="9" fill="{MUTED}"/>',
            size,
        ),
        (
            f'<line x1="2" y1="5" x2="42" y2="5" stroke="{EDGE}" stroke-width="1"/>'
            f'<line x1="2" y1="14" x2="42" y2="14" stroke="{EDGE}" stroke-width="5"/>',
            line,
        ),
        (
            f'<circle cx="22" cy="10" r="7" fill="{PALETTE[0]}" stroke="{INK}" stroke-width="3"/>',
            emphasis,
        ),
    ]
    items = "".join(f"<li>{swatch(body)} {escape(text)}</li>" for body, text in entries)
    return f'<ul class="legend">{items}</ul>'


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
