"""The knot engine: exact, bounded itemset enumeration plus gates, folding, evidence and ranking.

Follows docs/knots.md §6 step by step; pure functions over a `DeviationTable`
(docs/architecture.md R9):

1. *Mining baskets.* A law tag implied by a provision on the same deviation is left out
   (docs/contracts.md §4), so no knot holds a law together with one of its own provisions; a
   law that stands alone stays.
2. *Count.* Every basket's subsets of size 2..max_size, exactly. Pairs are Horner keys
   t₁·V + t₂ counted with `np.bincount`. Larger sets are int keys built from the ranks of their
   frequent pairs ({a,b,c} → rank(ab)·V + c, {a,b,c,d} → rank(ab)·F + rank(cd), …), counted
   with `np.bincount` (triples, when F·V is small enough) or by sorting; occurrences with an
   infrequent pair, or for sizes 4–5 an infrequent triple, cannot belong to a frequent set and are
   dropped first. Rows with more than `max_tags_enumerated` tags enumerate sizes ≤ 3 only.
3. *Candidates.* Count ≥ min_support, and at least one `prov:` or `law:` tag.
4. *Null model.* Over all 2^(j−1) − 1 splits of S into A and S∖A: E* = max n(A)·n(S∖A)/N,
   L* = n/E*, surplus = n − E*, p = Poisson(E*).sf(n − 1).
5. *Gates.* Benjamini–Hochberg at q over all candidates of step 3, and L* ≥ min_lift.
6. *Fold.* S is folded if a gated S∪{x} has n(S∪{x}) ≥ (1 − δ)·surplus(S); all levels are marked
   before any is removed.
7. *Evidence* from the supporting deviations (posting-list intersection): municipalities, units,
   m_eff = 1/Σ share², the share-based trend (analytics.trend), first/last seen, mean severity
   weight, references and monthly counts.
8. *Rank* by raw = surplus × w̄ × min(1, m_eff/5) × f_τ, f_τ = clip(1 + τ, 0.5, 2) when the trend's
   p < 0.05, else 1; score = raw / max(raw) over all knots (local ones included, so a knot's score
   does not depend on whether local knots are shown). Ties break on the sorted tags.

Severity weights are 1, 2, 4, 8 for severity 1..4; deviations whose severity was not assessed (0)
are left out of the mean, and a knot without any assessed deviation gets weight 1.

`support` is the exact number of supporting deviations. Only when some basket has more than
`max_tags_enumerated` tags can it exceed the enumerated count the gates saw for a 4- or 5-set
(those rows only enumerate sizes ≤ 3); lift, expected and surplus are then reported for the exact
support.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import combinations
from typing import Any

import numpy as np

from analytics.equality import knot_equality
from analytics.mining import available as mining_available
from analytics.mining import frequent_itemsets, implied_entries, postings
from analytics.trend import month_labels, share_trends, windows
from analytics.types import (
    DeviationTable,
    EqualityFinding,
    ItemsetCounts,
    Knot,
    KnotParams,
    implied_law,
    tag_kind,
)


@cache
def _special() -> Any:
    """scipy.special, imported at the first use: importing scipy costs every process that
    never runs the engine (a command, a web worker at start) 0.2 s."""
    from scipy import special

    return special


__all__ = [
    "ENGINE_VERSION",
    "SEVERITY_WEIGHTS",
    "benjamini_hochberg",
    "count_itemsets",
    "find_knots",
    "knots_as_json",
    "mining_baskets",
]

ENGINE_VERSION = "knots-1"
SEVERITY_WEIGHTS = (0.0, 1.0, 2.0, 4.0, 8.0)  # index = severity; 0 = not assessed (left out)
TREND_ALPHA = 0.05
SPREAD_CAP = 5.0
# Count with the compiled miner where numba imports (tests switch it off for the numpy path).
MINING_COMPILED = True
_PAIR_BINCOUNT_LIMIT = 1 << 26  # V² up to this: dense pair counting with bincount
_TRIPLE_BINCOUNT_LIMIT = 1 << 25  # F·V up to this: triples counted with bincount (≤ 256 MiB)
_INT64_MAX = (1 << 63) - 1


# --------------------------------------------------------------------------- 1. baskets


def mining_baskets(
    table: DeviationTable, *, concepts: Mapping[str, str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(indptr, indices) of the baskets to mine: each deviation's tags without the law tags that
    one of its provisions implies. Returns the table's own arrays when nothing is left out.
    On a table of concepts, a provision implies its law's concept (SoL 2001:453's 4 kap. 4 §
    implies the SoL concept, whatever version the deviation named)."""
    vocabulary = table.vocabulary
    number = {tag: i for i, tag in enumerate(vocabulary)}
    law_of = np.full(len(vocabulary), -1, dtype=np.int64)
    for i, tag in enumerate(vocabulary):
        law = implied_law(tag)
        if law is not None and concepts:
            law = concepts.get(law, law)
        if law is not None and law in number:
            law_of[i] = number[law]
    indices = table.indices
    if not len(indices) or not np.any(law_of >= 0):
        return table.indptr, indices
    laws = np.unique(law_of[law_of >= 0])
    if MINING_COMPILED and mining_available():
        drop = implied_entries(table.indptr, indices, law_of)
    elif len(laws) <= 63:
        drop = _implied_by_bits(table.indptr, indices, law_of, laws)
    else:
        drop = _implied_by_search(table.indptr, indices, law_of, len(vocabulary))
    if not drop.any():
        return table.indptr, indices
    kept_before = np.concatenate(([0], np.cumsum(~drop)))
    return kept_before[table.indptr], indices[~drop]


def _implied_by_bits(
    indptr: np.ndarray, indices: np.ndarray, law_of: np.ndarray, laws: np.ndarray
) -> np.ndarray:
    """Entries that are a law implied by a provision in the same row: one bit per law."""
    bit = np.zeros(len(law_of), dtype=np.uint64)
    bit[laws] = np.left_shift(np.uint64(1), np.arange(len(laws), dtype=np.uint64))
    implied_bit = np.where(law_of >= 0, bit[np.maximum(law_of, 0)], np.uint64(0))
    lengths = np.diff(indptr)
    filled = lengths > 0
    row_bits = np.zeros(len(lengths), dtype=np.uint64)
    row_bits[filled] = np.bitwise_or.reduceat(implied_bit[indices], indptr[:-1][filled])
    return (bit[indices] & np.repeat(row_bits, lengths)) != 0


def _implied_by_search(
    indptr: np.ndarray, indices: np.ndarray, law_of: np.ndarray, v: int
) -> np.ndarray:
    """The same as `_implied_by_bits` for more than 63 laws, by searching (row, law) keys."""
    rows = np.repeat(np.arange(len(indptr) - 1, dtype=np.int64), np.diff(indptr))
    entry_keys = rows * v + indices  # globally sorted: rows ascending, tags sorted within a row
    implied = law_of[indices]
    has_law = implied >= 0
    wanted = rows[has_law] * v + implied[has_law]
    position = np.minimum(np.searchsorted(entry_keys, wanted), len(entry_keys) - 1)
    drop = np.zeros(len(indices), dtype=bool)
    drop[position[entry_keys[position] == wanted]] = True
    return drop


# --------------------------------------------------------------------------- 2. counting


def _key_dtype(v: int, j: int) -> type[np.integer[Any]]:
    if v**j <= 1 << 32:
        return np.uint32
    if v**j <= _INT64_MAX:
        return np.int64
    raise ValueError(
        f"a vocabulary of {v} tags overflows int64 keys for sets of {j}; lower max_size"
    )


def _horner(columns: Sequence[np.ndarray], v: int, dtype: type[np.integer[Any]]) -> np.ndarray:
    key = columns[0].astype(dtype)
    for column in columns[1:]:
        key *= dtype(v)
        key += column.astype(dtype, copy=False)
    return key


def _decode(keys: np.ndarray, v: int, j: int) -> np.ndarray:
    out = np.empty((len(keys), j), dtype=np.int32)
    rest = keys.astype(np.int64)
    for column in range(j - 1, -1, -1):
        out[:, column] = rest % v
        rest //= v
    return out


def _count_sorted(keys: np.ndarray, min_support: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys with count ≥ min_support, ascending, and their counts."""
    if not len(keys):
        return keys, np.zeros(0, dtype=np.int64)
    keys.sort()
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    counts = np.diff(np.append(starts, len(keys)))
    frequent = counts >= min_support
    return keys[starts[frequent]], counts[frequent].astype(np.int64)


def _count(
    indptr: np.ndarray,
    indices: np.ndarray,
    v: int,
    *,
    min_support: int,
    max_size: int,
    max_tags_enumerated: int,
) -> tuple[np.ndarray, dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Tag counts, and per size j the frequent itemsets (m × j, in key order) and their counts:
    from the compiled miner (analytics.mining) where numba is installed, else vectorised."""
    arguments = {
        "min_support": min_support,
        "max_size": max_size,
        "max_tags_enumerated": max_tags_enumerated,
    }
    if MINING_COMPILED and mining_available():
        found = frequent_itemsets(indptr, indices, v, **arguments)
        if found is not None:
            return found
    return _count_vectorised(indptr, indices, v, **arguments)


def _count_vectorised(
    indptr: np.ndarray,
    indices: np.ndarray,
    v: int,
    *,
    min_support: int,
    max_size: int,
    max_tags_enumerated: int,
) -> tuple[np.ndarray, dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Tag counts, and per size j the frequent itemsets (m × j, in key order) and their counts."""
    n = len(indptr) - 1
    lengths = np.diff(indptr)
    tag_counts = np.bincount(indices, minlength=v).astype(np.int64)
    itemsets: dict[int, np.ndarray] = {}
    counts: dict[int, np.ndarray] = {}
    if n == 0 or v == 0:
        return tag_counts, itemsets, counts

    def sizes_for(k: int) -> range:
        top = max_size if k <= max_tags_enumerated else min(3, max_size)
        return range(2, min(k, top) + 1)

    matrices = {}
    for k in (int(k) for k in np.unique(lengths) if k >= 2):
        rows = np.flatnonzero(lengths == k)
        matrices[k] = indices[indptr[rows][:, None] + np.arange(k)]
    if v * v > _PAIR_BINCOUNT_LIMIT:
        return tag_counts, *_count_horner(matrices, v, min_support, max_size, sizes_for)

    # Pairs: one bincount over V² per row length.
    pair_counts = np.zeros(v * v, dtype=np.int64)
    for k, matrix in matrices.items():
        wide = matrix.astype(np.int64)
        keys = np.concatenate([wide[:, a] * v + wide[:, b] for a, b in combinations(range(k), 2)])
        pair_counts += np.bincount(keys, minlength=v * v)
    frequent_pairs = np.flatnonzero(pair_counts >= min_support)
    itemsets[2] = _decode(frequent_pairs, v, 2)
    counts[2] = pair_counts[frequent_pairs]
    if max_size < 3:
        return tag_counts, itemsets, counts

    # Larger sets are keyed on the ranks of their frequent pairs, which keeps keys small:
    #   {a,b,c}     → rank(ab)·V + c
    #   {a,b,c,d}   → rank(ab)·F + rank(cd)
    #   {a,b,c,d,e} → (rank(ab)·F + rank(cd))·V + e
    # Ranks follow the pairs' key order, so key order is lexicographic order of the tag numbers.
    # Occurrences that cannot belong to a frequent set are dropped before counting (apriori):
    # those with an infrequent pair, and for sizes 4 and 5 those with an infrequent triple.
    f = len(frequent_pairs)
    rank = np.full(v * v, -1, dtype=np.int64)
    rank[frequent_pairs] = np.arange(f)
    bounds = {3: f * v, 4: f * f, 5: f * f * v}
    if bounds[min(max_size, 5)] > _INT64_MAX:
        raise ValueError("too many frequent pairs for int64 keys; raise min_support")
    prepared = {}
    for k, matrix in matrices.items():
        if max(sizes_for(k)) >= 3:
            wide = matrix.astype(np.int64)
            ranks = {
                (a, b): rank[wide[:, a] * v + wide[:, b]] for a, b in combinations(range(k), 2)
            }
            prepared[k] = (wide, ranks, {pair: r >= 0 for pair, r in ranks.items()})
    frequent_triples: np.ndarray | None = None
    for j in range(3, max_size + 1):
        parts = []
        for k, (wide, ranks, frequent) in prepared.items():
            if j not in sizes_for(k):
                continue
            for combo in combinations(range(k), j):
                rows = np.flatnonzero(
                    np.logical_and.reduce([frequent[pair] for pair in combinations(combo, 2)])
                )
                if frequent_triples is not None:
                    for x, y, z in combinations(combo, 3):
                        rows = rows[frequent_triples[ranks[x, y][rows] * v + wide[rows, z]]]
                if j == 3:
                    key = ranks[combo[:2]][rows] * v + wide[rows, combo[2]]
                elif j == 4:
                    key = ranks[combo[:2]][rows] * f + ranks[combo[2:]][rows]
                else:
                    key = ranks[combo[:2]][rows] * f + ranks[combo[2:4]][rows]
                    key = key * v + wide[rows, combo[4]]
                parts.append(key)
        if j == 3 and bounds[3] <= _TRIPLE_BINCOUNT_LIMIT:
            keys = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
            triple_counts = np.bincount(keys, minlength=bounds[3])
            found = np.flatnonzero(triple_counts >= min_support)
            found_counts = triple_counts[found]
            del keys, triple_counts
        else:
            dtype = np.uint32 if bounds[j] <= 1 << 32 else np.int64
            keys = np.concatenate([p.astype(dtype) for p in parts]) if parts else np.zeros(0, dtype)
            found, found_counts = _count_sorted(keys, min_support)
            del keys
            found = found.astype(np.int64)
        out = np.empty((len(found), j), dtype=np.int32)
        if j == 3:
            out[:, :2] = itemsets[2][found // v]
            out[:, 2] = found % v
            frequent_triples = np.zeros(bounds[3], dtype=bool)
            frequent_triples[found] = True
        elif j == 4:
            out[:, :2] = itemsets[2][found // f]
            out[:, 2:] = itemsets[2][found % f]
        else:
            out[:, 4] = found % v
            out[:, :2] = itemsets[2][found // v // f]
            out[:, 2:4] = itemsets[2][found // v % f]
        itemsets[j] = out
        counts[j] = found_counts
    return tag_counts, itemsets, counts


def _count_horner(
    matrices: dict[int, np.ndarray],
    v: int,
    min_support: int,
    max_size: int,
    sizes_for: Any,
) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Plain Horner keys of the tag numbers, for vocabularies too large for dense pair ranks."""
    itemsets: dict[int, np.ndarray] = {}
    counts: dict[int, np.ndarray] = {}
    for j in range(2, max_size + 1):
        dtype = _key_dtype(v, j)
        total = sum(len(m) * math.comb(k, j) for k, m in matrices.items() if j in sizes_for(k))
        keys = np.empty(total, dtype=dtype)
        offset = 0
        for k, matrix in matrices.items():
            if j not in sizes_for(k):
                continue
            for combo in combinations(range(k), j):
                keys[offset : offset + len(matrix)] = _horner(
                    [matrix[:, c] for c in combo], v, dtype
                )
                offset += len(matrix)
        frequent, frequent_counts = _count_sorted(keys, min_support)
        itemsets[j] = _decode(frequent, v, j)
        counts[j] = frequent_counts
    return itemsets, counts


def count_itemsets(
    table: DeviationTable,
    *,
    params: KnotParams | None = None,
    concepts: Mapping[str, str] | None = None,
) -> ItemsetCounts:
    """Exact counts of every itemset of size 2..max_size with count ≥ min_support (step 2).

    Counted over the mining baskets (implied laws left out), before any gate or fold. On a
    table of concepts, pass the concepts: a provision then implies its law's concept, as in
    `find_knots`.
    """
    params = params or KnotParams()
    indptr, indices = mining_baskets(table, concepts=concepts)
    tag_counts, itemsets, counts = _count(
        indptr,
        indices,
        len(table.vocabulary),
        min_support=params.min_support,
        max_size=params.max_size,
        max_tags_enumerated=params.max_tags_enumerated,
    )
    return ItemsetCounts(
        vocabulary=table.vocabulary,
        n=len(table),
        tag_counts=tag_counts,
        itemsets=itemsets,
        counts=counts,
    )


# --------------------------------------------------------------------------- 3–6. statistics


@dataclass(frozen=True, slots=True, eq=False)
class _Candidates:
    """All candidates of steps 3–5, flattened over sizes (internal)."""

    size: np.ndarray  # int
    rows: dict[int, np.ndarray]  # per size: positions in itemsets[j] of that size's candidates
    offset: dict[int, int]  # per size: where its candidates start in the flat arrays
    support: np.ndarray
    expected: np.ndarray
    split: np.ndarray  # index into _splits(size)
    p_value: np.ndarray


def _splits(j: int) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """The 2^(j−1) − 1 ways to cut positions 0..j−1 into two non-empty parts, 0 in the first."""
    out = []
    for mask in range((1 << (j - 1)) - 1):
        first = (0, *(i for i in range(1, j) if mask >> (i - 1) & 1))
        second = tuple(i for i in range(1, j) if not mask >> (i - 1) & 1)
        out.append((first, second))
    return out


class _Lookup:
    """n(A) for sub-itemsets A given as column matrices (internal)."""

    def __init__(self, counts: ItemsetCounts) -> None:
        self.v = len(counts.vocabulary)
        self.tag_counts = counts.tag_counts
        self.itemsets = counts.itemsets
        self.counts = counts.counts
        self.keys: dict[int, np.ndarray] = {}  # Horner keys per size (≤ 4), ascending

    def __call__(self, columns: np.ndarray) -> np.ndarray:
        j = columns.shape[1]
        if j == 1:
            return self.tag_counts[columns[:, 0]]
        if j not in self.keys:
            rows = self.itemsets[j]
            self.keys[j] = _horner([rows[:, c] for c in range(j)], self.v, np.int64)
        key = _horner([columns[:, c] for c in range(j)], self.v, np.int64)
        table = self.keys[j]
        position = np.searchsorted(table, key)
        if len(key) and (position.max(initial=0) >= len(table) or np.any(table[position] != key)):
            raise RuntimeError("a sub-itemset of a frequent itemset was not counted")
        return self.counts[j][position]


def benjamini_hochberg(p_values: np.ndarray, q: float) -> np.ndarray:
    """Which hypotheses BH rejects at false discovery rate q."""
    m = len(p_values)
    if m == 0:
        return np.zeros(0, dtype=bool)
    ordered = np.sort(p_values)
    passing = np.flatnonzero(ordered <= q * np.arange(1, m + 1) / m)
    if not len(passing):
        return np.zeros(m, dtype=bool)
    return p_values <= ordered[passing[-1]]


def _candidates(counts: ItemsetCounts, statute: np.ndarray) -> _Candidates:
    lookup = _Lookup(counts)
    n_total = counts.n
    sizes, supports, expecteds, splits, rows_by_size, offsets = [], [], [], [], {}, {}
    offset = 0
    for j in sorted(counts.itemsets):
        itemsets = counts.itemsets[j]
        rows = np.flatnonzero(statute[itemsets].any(axis=1))
        columns = itemsets[rows]
        support = counts.counts[j][rows]
        best = np.zeros(len(rows), dtype=np.float64)
        best_split = np.zeros(len(rows), dtype=np.int64)
        for s, (first, second) in enumerate(_splits(j)):
            expected = (
                lookup(columns[:, list(first)]).astype(np.float64)
                * lookup(columns[:, list(second)])
                / n_total
            )
            better = expected > best
            best[better] = expected[better]
            best_split[better] = s
        rows_by_size[j] = rows
        offsets[j] = offset
        offset += len(rows)
        sizes.append(np.full(len(rows), j, dtype=np.int64))
        supports.append(support)
        expecteds.append(best)
        splits.append(best_split)
    support = np.concatenate(supports) if supports else np.zeros(0, dtype=np.int64)
    expected = np.concatenate(expecteds) if expecteds else np.zeros(0)
    return _Candidates(
        size=np.concatenate(sizes) if sizes else np.zeros(0, dtype=np.int64),
        rows=rows_by_size,
        offset=offsets,
        support=support,
        expected=expected,
        split=np.concatenate(splits) if splits else np.zeros(0, dtype=np.int64),
        p_value=_special().pdtrc(support - 1, expected) if len(support) else np.zeros(0),
    )


def _fold(
    counts: ItemsetCounts, candidates: _Candidates, gated: np.ndarray, delta: float
) -> np.ndarray:
    """Flat mask of gated candidates folded into a gated superset (step 6)."""
    v = len(counts.vocabulary)
    folded = np.zeros(len(gated), dtype=bool)
    surplus = candidates.support - candidates.expected
    by_size: dict[int, tuple[np.ndarray, np.ndarray | None]] = {}
    for j, rows in candidates.rows.items():
        flat = candidates.offset[j] + np.arange(len(rows))
        keep = gated[flat]
        columns = counts.itemsets[j][rows[keep]]
        # Keys only for sizes that can be subsets; ascending, as itemsets are in key order.
        keys = (
            _horner([columns[:, c] for c in range(j)], v, np.int64)
            if j + 1 in candidates.rows
            else None
        )
        by_size[j] = (flat[keep], keys)
    for j in sorted(by_size):
        if j - 1 not in by_size or j < 3:
            continue
        flat_super, _ = by_size[j]
        flat_sub, sub_keys = by_size[j - 1]
        if not len(flat_super) or not len(flat_sub) or sub_keys is None:
            continue
        columns = counts.itemsets[j][candidates.rows[j][flat_super - candidates.offset[j]]]
        support_super = candidates.support[flat_super]
        for drop in range(j):
            kept = [c for c in range(j) if c != drop]
            key = _horner([columns[:, c] for c in kept], v, np.int64)
            position = np.minimum(np.searchsorted(sub_keys, key), len(sub_keys) - 1)
            found = sub_keys[position] == key
            target = flat_sub[position[found]]
            explains = support_super[found] >= (1.0 - delta) * surplus[target]
            folded[target[explains]] = True
    return folded


# --------------------------------------------------------------------------- 7. evidence


def _postings(
    indptr: np.ndarray, indices: np.ndarray, v: int, n: int, wanted: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Rows per tag (see analytics.mining.postings); only the `wanted` tags where compiled."""
    if MINING_COMPILED and wanted is not None and mining_available():
        return postings(indptr, indices, v, wanted)
    lengths = np.diff(indptr)
    rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
    compact = indices.astype(np.int16) if v <= np.iinfo(np.int16).max else indices
    order = np.argsort(compact, kind="stable")
    pointer = np.zeros(v + 1, dtype=np.int64)
    np.cumsum(np.bincount(indices, minlength=v), out=pointer[1:])
    return rows[order], pointer


def _supporting_rows(
    tags: np.ndarray, tag_counts: np.ndarray, postings: np.ndarray, pointer: np.ndarray
) -> np.ndarray:
    order = sorted(tags.tolist(), key=lambda t: (tag_counts[t], t))
    rows = postings[pointer[order[0]] : pointer[order[0] + 1]]
    for tag in order[1:]:
        posting = postings[pointer[tag] : pointer[tag + 1]]
        if not len(rows) or not len(posting):
            return rows[:0]
        position = np.minimum(np.searchsorted(posting, rows), len(posting) - 1)
        rows = rows[posting[position] == rows]
    return rows


def _group_distinct(group: np.ndarray, values: np.ndarray, n_groups: int):
    """Per group: number of distinct values, and Σ share² of the values' counts."""
    _, inverse = np.unique(values, return_inverse=True)
    width = int(inverse.max(initial=0)) + 1
    pair, pair_counts = np.unique(group * width + inverse, return_counts=True)
    owner = pair // width
    distinct = np.bincount(owner, minlength=n_groups)
    totals = np.bincount(group, minlength=n_groups).astype(np.float64)
    shares = pair_counts / totals[owner]
    concentration = np.bincount(owner, weights=shares * shares, minlength=n_groups)
    return distinct, concentration


# --------------------------------------------------------------------------- the engine


def _gate(counts: ItemsetCounts, params: KnotParams) -> tuple[_Candidates, np.ndarray]:
    """Steps 3–6 on the counts alone: the candidates and the flat positions of those that pass
    the gates and are not folded into a superset."""
    statute = np.array([tag_kind(t) in ("provision", "law") for t in counts.vocabulary])
    candidates = _candidates(counts, statute)
    if not len(candidates.support):
        return candidates, np.zeros(0, dtype=np.int64)
    lift = candidates.support / candidates.expected
    gated = benjamini_hochberg(candidates.p_value, params.q) & (lift >= params.min_lift)
    return candidates, np.flatnonzero(gated & ~_fold(counts, candidates, gated, params.delta))


@dataclass(frozen=True, slots=True)
class GatedKnot:
    """A knot as the counts alone decide it (steps 3–6), before its evidence is read: what a
    national instance can compute from the sites' summed counts (analytics.federation)."""

    tags: tuple[str, ...]
    support: int
    expected: float
    lift: float
    p_value: float
    split: tuple[tuple[str, ...], tuple[str, ...]]


def gated_knots(counts: ItemsetCounts, params: KnotParams | None = None) -> list[GatedKnot]:
    """The knots the counts support, by tags: the gates and folding of `find_knots`, without
    the evidence step (spread, trend and score need the deviations themselves)."""
    params = params or KnotParams()
    candidates, kept = _gate(counts, params)
    out = []
    for flat in kept.tolist():
        j = int(candidates.size[flat])
        columns = counts.itemsets[j][candidates.rows[j][flat - candidates.offset[j]]]
        support, expected = int(candidates.support[flat]), float(candidates.expected[flat])
        first, second = _splits(j)[int(candidates.split[flat])]
        parts = sorted(
            tuple(sorted(counts.vocabulary[columns[c]] for c in part)) for part in (first, second)
        )
        out.append(
            GatedKnot(
                tags=tuple(sorted(counts.vocabulary[c] for c in columns.tolist())),
                support=support,
                expected=expected,
                lift=support / expected,
                p_value=float(candidates.p_value[flat]),
                split=(parts[0], parts[1]),
            )
        )
    return sorted(out, key=lambda knot: knot.tags)


def find_knots(
    table: DeviationTable,
    *,
    params: KnotParams | None = None,
    today: date,
    include_local: bool = False,
    concepts: Mapping[str, str] | None = None,
    counts: ItemsetCounts | None = None,
    equality: bool = True,
) -> list[Knot]:
    """Recurring combinations of confirmed tags, best first; ties break on the sorted tags.

    Local knots (fewer than `params.min_municipalities` municipalities) are left out unless
    `include_local`; they keep the same score either way. With `concepts` (tag → concept id,
    catalogue.concordance) the versions of a rule across a reform are mined as one tag, so a
    knot and its trend run on across the reform; each knot then lists the versions that occur.
    `counts` are the table's itemset counts where they are already known (the counting step
    is then skipped); counts for another vocabulary or number of rows are counted again.
    """
    params = params or KnotParams()
    versions_from = None
    if concepts:
        bridged = table.on_concepts(concepts)
        if bridged is not table:
            versions_from, table = table, bridged
    n = len(table)
    v = len(table.vocabulary)
    if n == 0 or v == 0:
        return []
    indptr, indices = mining_baskets(table, concepts=concepts)
    if counts is None or counts.vocabulary != table.vocabulary or counts.n != n:
        tag_counts, itemsets, item_counts = _count(
            indptr,
            indices,
            v,
            min_support=params.min_support,
            max_size=params.max_size,
            max_tags_enumerated=params.max_tags_enumerated,
        )
        counts = ItemsetCounts(table.vocabulary, n, tag_counts, itemsets, item_counts)
    else:  # kept current as the deviations changed (analytics.incremental)
        tag_counts, itemsets = counts.tag_counts, counts.itemsets
    candidates, kept = _gate(counts, params)
    if not len(kept):
        return []

    # Tag columns of each kept knot, and its supporting rows.
    knot_columns: list[np.ndarray] = []
    for flat in kept.tolist():
        j = int(candidates.size[flat])
        knot_columns.append(itemsets[j][candidates.rows[j][flat - candidates.offset[j]]])
    wanted = np.unique(np.concatenate(knot_columns))
    tag_rows, pointer = _postings(indptr, indices, v, n, wanted)
    support_rows = [
        _supporting_rows(columns, tag_counts, tag_rows, pointer) for columns in knot_columns
    ]
    return _knots_from_evidence(
        table,
        params=params,
        today=today,
        include_local=include_local,
        candidates=candidates,
        kept=kept,
        knot_columns=knot_columns,
        support_rows=support_rows,
        versions_from=versions_from,
        concepts=concepts or {},
        equality=equality,
    )


def _versions(
    tags: tuple[str, ...], rows: np.ndarray, table: DeviationTable, concepts: Mapping[str, str]
) -> tuple[tuple[str, ...], ...]:
    """For each concept of a knot, the versions its supporting rows name; () when every
    concept occurs only as itself."""
    groups: dict[str, list[str]] = {tag: [] for tag in tags}
    for tag in table.tags_in(rows):
        concept = concepts.get(tag, tag)
        if concept in groups:
            groups[concept].append(tag)
    versions = tuple(tuple(groups[tag]) for tag in tags)
    unchanged = all(group == (tag,) for group, tag in zip(versions, tags, strict=True))
    return () if unchanged else versions


@dataclass(frozen=True, slots=True, eq=False)
class KnotFeatures:
    """What the score needs of each kept knot, as arrays over the knots: read from the
    supporting rows at one instance (`_knots_from_evidence`), or summed over many
    (analytics.federation). Months run over `labels`, the data's whole month range."""

    tags: list[tuple[str, ...]]
    split: list[tuple[tuple[str, ...], tuple[str, ...]]]
    support: np.ndarray  # int
    expected: np.ndarray
    municipalities: np.ndarray  # distinct
    concentration: np.ndarray  # Σ share² over municipalities
    units: np.ndarray  # distinct
    assessed: np.ndarray  # supporting deviations with a severity
    weight_sum: np.ndarray  # Σ SEVERITY_WEIGHTS over them
    recent: np.ndarray
    previous: np.ndarray
    total_recent: int
    total_previous: int
    labels: tuple[str, ...]
    monthly: np.ndarray  # knots × months
    first_seen: list[date]
    last_seen: list[date]
    deviations: list[tuple[str, ...]]
    versions: list[tuple[tuple[str, ...], ...]]
    equality: Sequence[EqualityFinding | None] = ()  # per knot; none known when empty


def _knots_from_evidence(
    table: DeviationTable,
    *,
    params: KnotParams,
    today: date,
    include_local: bool,
    candidates: _Candidates,
    kept: np.ndarray,
    knot_columns: list[np.ndarray],
    support_rows: list[np.ndarray],
    versions_from: DeviationTable | None = None,
    concepts: Mapping[str, str],
    equality: bool = True,
) -> list[Knot]:
    vocabulary = table.vocabulary
    n_knots = len(kept)
    support = np.array([len(r) for r in support_rows], dtype=np.int64)
    group = np.repeat(np.arange(n_knots, dtype=np.int64), support)
    rows = np.concatenate(support_rows)

    municipalities, concentration = _group_distinct(group, table.municipality[rows], n_knots)
    units, _ = _group_distinct(group, table.unit[rows], n_knots)

    severity = table.severity[rows].astype(np.int64)
    weights = np.asarray(SEVERITY_WEIGHTS)[severity]
    assessed = np.bincount(group, weights=severity > 0, minlength=n_knots)
    weight_sum = np.bincount(group, weights=weights, minlength=n_knots)

    previous_start, recent_start, end = (
        np.datetime64(d, "D") for d in windows(today, params.horizon_days)
    )
    all_days = table.occurred_on
    total_recent = int(np.count_nonzero((all_days >= recent_start) & (all_days <= end)))
    total_previous = int(np.count_nonzero((all_days >= previous_start) & (all_days < recent_start)))
    days = all_days[rows]
    in_recent = (days >= recent_start) & (days <= end)
    in_previous = (days >= previous_start) & (days < recent_start)
    recent = np.bincount(group, weights=in_recent, minlength=n_knots).astype(np.int64)
    previous = np.bincount(group, weights=in_previous, minlength=n_knots).astype(np.int64)

    first_day, last_day = all_days.min(), all_days.max()
    labels = month_labels(first_day.item(), last_day.item())
    month = (days.astype("datetime64[M]") - first_day.astype("datetime64[M]")).astype(np.int64)
    monthly = np.bincount(group * len(labels) + month, minlength=n_knots * len(labels)).reshape(
        n_knots, len(labels)
    )

    tags, splits, first_seen, last_seen, deviations, versions = [], [], [], [], [], []
    for i in range(n_knots):
        flat = int(kept[i])
        columns = knot_columns[i].tolist()
        first, second = _splits(len(columns))[int(candidates.split[flat])]
        splits.append(
            tuple(
                sorted(
                    (
                        tuple(sorted(vocabulary[columns[c]] for c in first)),
                        tuple(sorted(vocabulary[columns[c]] for c in second)),
                    )
                )
            )
        )
        knot_rows = support_rows[i]
        knot_days = all_days[knot_rows]
        knot_tags = tuple(sorted(vocabulary[t] for t in columns))
        tags.append(knot_tags)
        first_seen.append(knot_days.min().item())
        last_seen.append(knot_days.max().item())
        deviations.append(tuple(sorted(str(r) for r in table.references[knot_rows])))
        versions.append(
            _versions(knot_tags, knot_rows, versions_from, concepts) if versions_from else ()
        )
    features = KnotFeatures(
        tags=tags,
        split=splits,
        support=support,
        expected=candidates.expected[kept],
        municipalities=municipalities,
        concentration=concentration,
        units=units,
        assessed=assessed,
        weight_sum=weight_sum,
        recent=recent,
        previous=previous,
        total_recent=total_recent,
        total_previous=total_previous,
        labels=labels,
        monthly=monthly,
        first_seen=first_seen,
        last_seen=last_seen,
        deviations=deviations,
        versions=versions,
        equality=knot_equality(table, support_rows) if equality else (),
    )
    return knots_scored(features, params=params, include_local=include_local)


def knots_scored(features: KnotFeatures, *, params: KnotParams, include_local: bool) -> list[Knot]:
    """Step 7–8: spread, severity, trend and score from the knots' features, best first; local
    knots left out unless `include_local`."""
    n_knots = len(features.tags)
    if not n_knots:
        return []
    support = features.support
    m_eff = 1.0 / features.concentration
    assessed = features.assessed
    severity_weight = np.where(assessed > 0, features.weight_sum / np.maximum(assessed, 1), 1.0)
    tau, trend_p = share_trends(
        features.recent, features.previous, features.total_recent, features.total_previous
    )
    support_f = support.astype(np.float64)
    expected = features.expected
    surplus = support_f - expected
    factor = np.where(trend_p < TREND_ALPHA, np.clip(1.0 + tau, 0.5, 2.0), 1.0)
    raw = surplus * severity_weight * np.minimum(1.0, m_eff / SPREAD_CAP) * factor
    top = float(raw.max())
    score = raw / top if top > 0 else np.zeros(n_knots)

    knots = []
    for i in range(n_knots):
        knots.append(
            Knot(
                tags=features.tags[i],
                support=int(support[i]),
                municipalities=int(features.municipalities[i]),
                units=int(features.units[i]),
                lift=float(support_f[i] / expected[i]),
                expected=float(expected[i]),
                surplus=float(surplus[i]),
                p_value=float(_special().pdtrc(support_f[i] - 1, expected[i])),
                split=features.split[i],
                trend=float(tau[i]),
                trend_p=float(trend_p[i]),
                severity_weight=float(severity_weight[i]),
                m_eff=float(m_eff[i]),
                score=float(score[i]),
                first_seen=features.first_seen[i],
                last_seen=features.last_seen[i],
                deviations=features.deviations[i],
                monthly=tuple(
                    zip(features.labels, (int(c) for c in features.monthly[i]), strict=True)
                ),
                local=int(features.municipalities[i]) < params.min_municipalities,
                versions=features.versions[i],
                equality=features.equality[i] if features.equality else None,
            )
        )
    order = sorted(range(n_knots), key=lambda i: (-raw[i], knots[i].tags))
    return [knots[i] for i in order if include_local or not knots[i].local]


# --------------------------------------------------------------------------- JSON


def _round(value: float, digits: int) -> float:
    return round(value, digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def knots_as_json(knots: Sequence[Knot]) -> list[dict[str, Any]]:
    """The `knots --json` objects of docs/contracts.md §4, in the given order: `tags` every
    version that occurs, and for a knot mined across a reform its `concepts`."""
    return [
        {
            "tags": list(knot.version_tags),
            **({"concepts": list(knot.tags)} if knot.versions else {}),
            "support": knot.support,
            "municipalities": knot.municipalities,
            "units": knot.units,
            "lift": _round(knot.lift, 2),
            "trend": _round(knot.trend, 2),
            "score": _round(knot.score, 3),
            "first_seen": knot.first_seen.isoformat(),
            "last_seen": knot.last_seen.isoformat(),
            "deviations": list(knot.deviations),
            "equality": knot.equality.as_json() if knot.equality else None,
        }
        for knot in knots
    ]
