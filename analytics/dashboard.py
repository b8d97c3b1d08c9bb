"""Dashboard figures from the deviation table: pure counting, no Django (docs/architecture.md
R9)."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import numpy as np

from analytics.types import DeviationTable, tag_kind


def tag_counts(table: DeviationTable, *, kind: str | None = None) -> list[tuple[str, int]]:
    """Deviations per tag, most first (ties by tag id), optionally one kind only."""
    if not len(table):
        return []
    counts = np.bincount(table.indices, minlength=len(table.vocabulary))
    rows = [
        (tag, int(count))
        for tag, count in zip(table.vocabulary, counts, strict=True)
        if count and (kind is None or tag_kind(tag) == kind)
    ]
    return sorted(rows, key=lambda row: (-row[1], row[0]))


def pair_counts(table: DeviationTable, *, kind: str = "agency") -> list[tuple[str, str, int]]:
    """Deviations per pair of tags of one kind (e.g. agency pairs), most first."""
    wanted = np.array([tag_kind(tag) == kind for tag in table.vocabulary], dtype=bool)
    counter: Counter[tuple[int, int]] = Counter()
    indptr, indices = table.indptr, table.indices
    for row in range(len(table)):
        tags = [t for t in indices[indptr[row] : indptr[row + 1]] if wanted[t]]
        counter.update(combinations(tags, 2))
    rows = [(table.vocabulary[a], table.vocabulary[b], count) for (a, b), count in counter.items()]
    return sorted(rows, key=lambda row: (-row[2], row[0], row[1]))


def monthly_counts(table: DeviationTable) -> list[tuple[str, int]]:
    """Deviations per calendar month over the whole range, empty months included."""
    if not len(table):
        return []
    months = table.occurred_on.astype("datetime64[M]")
    first, last = months.min(), months.max()
    span = np.arange(first, last + np.timedelta64(1, "M"), dtype="datetime64[M]")
    counts = np.bincount((months - first).astype(np.int64), minlength=len(span))
    return [(str(month), int(count)) for month, count in zip(span, counts, strict=True)]


def value_counts(values: np.ndarray) -> list[tuple[str, int]]:
    """Counts of a column (municipality, gender …), most first, ties by value."""
    counter = Counter(str(v) for v in values)
    return sorted(counter.items(), key=lambda row: (-row[1], row[0]))


def shares(rows: list[tuple[str, int]]) -> list[tuple[str, int, float]]:
    total = sum(count for _, count in rows) or 1
    return [(label, count, count / total) for label, count in rows]
