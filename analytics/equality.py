"""Whom a knot hits hardest: gender and age band among a knot's deviations against the rest.

For each knot the deviations of the same calendar months and the same municipalities that are
not the knot's own are the comparison ("övriga avvikelser"): a knot in three municipalities in
2025 is compared with what else those three reported in 2025, not with the whole country, so
a municipality that simply reports more women's cases does not make every knot there look
unequal. Deviations whose gender or age band was not given are left out of that dimension.

Each group is tested with Fisher's exact test, one-sided (is the group's share among the knot's
deviations higher than among the others?), the groups of one knot together by Holm's method. A
finding counts only when it is significant and the group is at least `MIN_RATIO` times as
common, so that a million deviations do not turn a trivial difference into a finding. No cell
of the comparison may hold fewer than `SMALL_COUNT` deviations (the disclosure rule): a group
that small is not tested at all, so a ratio never gives a small count away (docs/knots.md §10).

Pure functions over counts and numpy arrays; scipy.special only (scipy.stats costs 0.7 s to
import).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from analytics.types import (
    SMALL_COUNT,
    DeviationTable,
    Dimension,
    EqualityFinding,
    Knot,
    KnotListing,
)

ALPHA = 0.05  # family-wise, over the groups of one knot (Holm)
MIN_RATIO = 1.25  # a group this many times as common among the knot's deviations, or more
UNKNOWN = frozenset({"", "okänt"})  # not given: left out of the comparison

DIMENSIONS: tuple[Dimension, ...] = ("gender", "age_band")


def fisher_greater(inside: int, inside_total: int, others: int, others_total: int) -> float:
    """P(at least `inside` of the knot's deviations in the group) if the group were spread
    over the knot's and the other deviations at random: the hypergeometric upper tail, from
    its first term and the ratio of each term to the one before."""
    from scipy import special  # imported at the first use, as in analytics.knots

    total, in_group = inside_total + others_total, inside + others
    top = min(inside_total, in_group)
    if inside > top:
        return 0.0
    first = (
        special.gammaln(in_group + 1)
        - special.gammaln(inside + 1)
        - special.gammaln(in_group - inside + 1)
        + special.gammaln(total - in_group + 1)
        - special.gammaln(inside_total - inside + 1)
        - special.gammaln(total - in_group - inside_total + inside + 1)
        - special.gammaln(total + 1)
        + special.gammaln(inside_total + 1)
        + special.gammaln(total - inside_total + 1)
    )
    x = np.arange(inside, top, dtype=np.float64)
    steps = ((in_group - x) * (inside_total - x)) / (
        (x + 1) * (total - in_group - inside_total + x + 1)
    )
    return float(min(1.0, np.exp(first) * (1.0 + np.cumprod(steps).sum())))


def _holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment: each p times the number of hypotheses not yet rejected,
    kept monotone, capped at 1."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [1.0] * len(p_values)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def equality_finding(
    inside: Mapping[Dimension, Mapping[str, int]],
    area: Mapping[Dimension, Mapping[str, int]],
    *,
    min_cell: int = SMALL_COUNT,
) -> EqualityFinding | None:
    """The most marked over-representation among a knot's deviations (`inside`: counts per
    dimension and group) against all deviations of its period and area (`area`, the knot's own
    included), or None when no group can be compared or none is more common in the knot.

    A significant finding wins over one that is not; then the smaller p, then the larger
    ratio. A group is compared only when every cell of its two-by-two table holds at least
    `min_cell` deviations."""
    cells: list[tuple[Dimension, str, int, int, int, int, float, float]] = []
    for dimension in DIMENSIONS:
        mine = {g: c for g, c in inside.get(dimension, {}).items() if g not in UNKNOWN}
        everyone = {g: c for g, c in area.get(dimension, {}).items() if g not in UNKNOWN}
        n = sum(mine.values())
        m = sum(everyone.values()) - n
        for group in sorted(everyone):
            k = mine.get(group, 0)
            b = everyone[group] - k
            if min(k, n - k, b, m - b) < min_cell:
                continue
            ratio = (k / n) / (b / m)
            # A group no more common in the knot is tested too (it counts in Holm's family),
            # but its one-sided p is at least about one half: 1 is the cheap, safe side.
            p = fisher_greater(k, n, b, m) if ratio > 1 else 1.0
            cells.append((dimension, group, k, n, b, m, ratio, p))
    if not cells:
        return None
    adjusted = _holm([cell[7] for cell in cells])
    findings = [
        EqualityFinding(
            dimension=dimension,
            group=group,
            ratio=ratio,
            p_value=p,
            significant=p < ALPHA and ratio >= MIN_RATIO,
            inside=k,
            inside_total=n,
            others=b,
            others_total=m,
        )
        for (dimension, group, k, n, b, m, ratio, _raw), p in zip(cells, adjusted, strict=True)
        if ratio > 1
    ]
    if not findings:
        return None
    return min(findings, key=lambda f: (not f.significant, f.p_value, -f.ratio, f.group))


def _coded(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A low-cardinality string column as (distinct values, code per row), sorted like
    np.unique's. Sorting a million strings costs 0.1-0.3 s; here each short Latin-1 value
    becomes one integer, whose distinct values a sample nearly always finds (checked, with a
    sort of the integers when it did not)."""
    n = len(column)
    width = column.dtype.itemsize // 4
    if column.dtype.kind != "U" or not 0 < width <= 8 or not n:
        return np.unique(column, return_inverse=True)
    chars = np.ascontiguousarray(column).view(np.uint32)
    if (chars > 255).any():  # a character beyond Latin-1
        return np.unique(column, return_inverse=True)
    raw = chars.view(np.uint8).reshape(n, width, 4)
    packed = np.zeros((n, 8), dtype=np.uint8)
    packed[:, 8 - width :] = raw[:, :, 0]  # big-endian: the integers sort as the strings do
    key = packed.view(">u8").ravel().astype(np.uint64)
    distinct = np.unique(key[:: max(1, n // 4096)])
    code = np.searchsorted(distinct, key)
    if not np.array_equal(distinct[np.minimum(code, len(distinct) - 1)], key):
        distinct, code = np.unique(key, return_inverse=True)
    letters = distinct.astype(">u8").view(np.uint8).reshape(len(distinct), 8)[:, 8 - width :]
    values = letters.astype(np.uint32).view(f"<U{width}").reshape(len(distinct))
    return values, code


def knot_equality(
    table: DeviationTable, support_rows: Sequence[np.ndarray], *, min_cell: int = SMALL_COUNT
) -> list[EqualityFinding | None]:
    """`equality_finding` for every knot of a table, given each knot's supporting rows: the
    table is counted once by municipality, month and group, so a knot costs a few sums over
    its own municipalities and months, not a pass over the table."""
    if not len(table) or not support_rows:
        return [None] * len(support_rows)
    places, place = _coded(table.municipality)
    month = table.occurred_on.astype("datetime64[M]").astype(np.int64)
    month -= month.min()
    n_months = int(month.max()) + 1
    genders, gender = _coded(table.gender)
    ages, age = _coded(table.age_band)
    cube = np.bincount(
        ((place * n_months + month) * len(genders) + gender) * len(ages) + age,
        minlength=len(places) * n_months * len(genders) * len(ages),
    ).reshape(len(places), n_months, len(genders), len(ages))
    columns = {}
    for dimension, groups, code, counts in (
        ("gender", genders, gender, cube.sum(axis=3)),
        ("age_band", ages, age, cube.sum(axis=2)),
    ):
        # Counts up to and including each month, a zero month in front: a knot's period is
        # one subtraction per municipality.
        running = np.zeros((len(places), n_months + 1, len(groups)), dtype=np.int64)
        np.cumsum(counts, axis=1, out=running[:, 1:, :])
        columns[dimension] = (groups, code, running)
    findings: list[EqualityFinding | None] = []
    for rows in support_rows:
        rows = np.asarray(rows, dtype=np.int64)
        own_places = np.unique(place[rows])
        first, last = int(month[rows].min()), int(month[rows].max())
        inside: dict[Dimension, dict[str, int]] = {}
        area: dict[Dimension, dict[str, int]] = {}
        for dimension in DIMENSIONS:
            groups, code, running = columns[dimension]
            mine = np.bincount(code[rows], minlength=len(groups))
            theirs = (running[own_places, last + 1] - running[own_places, first]).sum(axis=0)
            inside[dimension] = dict(zip(groups.tolist(), mine.tolist(), strict=True))
            area[dimension] = dict(zip(groups.tolist(), theirs.tolist(), strict=True))
        findings.append(equality_finding(inside, area, min_cell=min_cell))
    return findings


def knots_listed(knots: Sequence[Knot], listing: KnotListing) -> list[Knot]:
    """The knots a list shows: with `equality_only` those with a significant finding; ordered
    by the ranking, or by the finding (significant first, the largest ratio first), the
    ranking breaking ties."""
    shown = (
        [k for k in knots if k.equality and k.equality.significant]
        if listing.equality_only
        else list(knots)
    )
    if listing.order == "equality":
        rank = {id(knot): i for i, knot in enumerate(shown)}
        shown.sort(
            key=lambda k: (
                not (k.equality and k.equality.significant),
                -(k.equality.ratio if k.equality else 0.0),
                rank[id(k)],
            )
        )
    return shown
