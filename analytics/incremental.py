"""Knot counts kept current as deviations change, without counting again (docs/knots.md §9).

A `KnotState` holds what the engine reads (the deviation table) and what the method needs of
it (every frequent itemset's exact count, each tag's count, every row's mining basket). When
deviations change, `apply` takes their new rows: each changed basket adds or removes its own
subsets (at most 218 for a row of eight tags), and an itemset that was below the threshold is
counted afresh only when every one of its subsets is frequent (apriori), which is rare. The
knots then need only the gates and the evidence (`find_knots(..., counts=state.counts())`).

Invariant: every itemset the state knows (the frequent ones when it was built, `_sets`, and
those that became frequent since, `_extra`) has its exact count; an itemset it does not know
has a count below the threshold, so a decrement can never make one frequent. `rebuilt()`
counts from scratch, for the check that both agree.

Pure: tables and records in, counts out; the database side is analytics.live.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from analytics.knots import _count, count_itemsets, mining_baskets
from analytics.mining import bitmap_count, merge_rows, postings, rows_holding, tag_bitmaps
from analytics.types import (
    DeviationRecord,
    DeviationTable,
    ItemsetCounts,
    KnotParams,
    implied_law,
)

Basket = tuple[int, ...]
# Rows changed since the last compaction are kept aside up to this many (a compaction costs
# about 0.5 s at a million rows), and itemsets that became frequent up to EXTRA_MAX.
COMPACT_AFTER = 10_000
EXTRA_MAX = 20_000
SEEK_ROWS_MAX = 1_000


@dataclass(frozen=True, slots=True)
class Change:
    """One deviation's new state: its record, or None when it left the analysis (withdrawn,
    marked as a duplicate, removed). `key` is the deviation's id: rows stay in key order."""

    key: int
    record: DeviationRecord | None


class RebuildNeeded(Exception):  # noqa: N818 - a signal to the caller, not an error
    """The change cannot be applied in place (a tag the state has never seen, a key out of
    order): build the state again from the database."""


class KnotState:
    """The table and the counts of one view, kept current by `apply`.

    Rows are the table's rows in key order, then the rows of deviations that joined since
    (appended in key order). A row that changed keeps its new record and basket aside until
    `COMPACT_AFTER` rows have changed; then the table is rebuilt from them (`_compact`).
    """

    def __init__(
        self,
        table: DeviationTable,
        keys: np.ndarray,
        *,
        params: KnotParams,
        concepts: Mapping[str, str],
    ) -> None:
        keys = np.asarray(keys, dtype=np.int64)
        if len(keys) != len(table):
            raise ValueError("one key per row")
        if len(keys) > 1 and np.any(np.diff(keys) <= 0):
            raise ValueError("keys must ascend")
        self.params = params
        self.concepts = dict(concepts)
        self._start(table, keys)
        # Counted from the baskets `_start` made, the ones every change is compared with.
        tag_counts, itemsets, counts = _count(
            self._indptr,
            self._indices,
            len(self.vocabulary),
            min_support=params.min_support,
            max_size=params.max_size,
            max_tags_enumerated=params.max_tags_enumerated,
        )
        self._keep_counts(ItemsetCounts(self.vocabulary, len(table), tag_counts, itemsets, counts))
        self.n = len(table)

    def _keep_counts(self, counts: ItemsetCounts) -> None:
        """Take these counts as the known itemsets, each found by its tags in `_known`."""
        self._tag_counts = counts.tag_counts.astype(np.int64).copy()
        self._sets = {j: counts.itemsets[j] for j in counts.itemsets}
        self._set_counts = {j: counts.counts[j].astype(np.int64).copy() for j in counts.counts}
        self._known: dict[Basket, tuple[int, int]] = {}
        for j, rows in self._sets.items():
            self._known.update(
                zip(map(tuple, rows.tolist()), ((j, i) for i in range(len(rows))), strict=True)
            )
        self._extra: dict[Basket, int] = {}

    def _count_of(self, itemset: Basket) -> int | None:
        """The exact count of an itemset the state knows, else None (below the threshold)."""
        place = self._known.get(itemset)
        if place is not None:
            return int(self._set_counts[place[0]][place[1]])
        return self._extra.get(itemset)

    def _start(self, table: DeviationTable, keys: np.ndarray) -> None:
        """Take `table` as the rows, with nothing changed aside."""
        self._table = table
        self._keys = keys
        self._alive = np.ones(len(table), dtype=bool)
        self._pending: dict[int, DeviationRecord | None] = {}  # table row → its record now
        self._appended: list[tuple[int, DeviationRecord | None]] = []  # key, record now
        self._appended_row: dict[int, int] = {}  # key → row
        self._baskets: dict[int, Basket | None] = {}  # row → its basket now, where changed
        self._holding: dict[int, set[int]] = {}  # tag → the changed rows whose basket has it
        self._changed = np.zeros(len(table), dtype=bool)  # table rows in `_baskets`
        self._changed_bits = np.zeros(max((len(table) + 63) // 64, 1), dtype=np.uint64)
        self._bits: np.ndarray | None = None  # tag bitmaps of the table rows, when needed
        self._postings: tuple[np.ndarray, np.ndarray] | None = None
        self._table_now: DeviationTable | None = table  # `table()` until the next change
        self._counts_now: ItemsetCounts | None = None  # `counts()` until the next change
        self._bridged = table.on_concepts(self.concepts)
        if hasattr(self, "vocabulary") and self._bridged.vocabulary != self.vocabulary:
            raise RebuildNeeded("the vocabulary changed")
        self.vocabulary = self._bridged.vocabulary
        self._number = {tag: i for i, tag in enumerate(self.vocabulary)}
        self._indptr, self._indices = mining_baskets(self._bridged, concepts=self.concepts)

    def _compact(self) -> None:
        """Fold the rows changed aside into the table, so they are read like the others (and,
        when there are many, the itemsets that became frequent into the known ones)."""
        self._start(self.table(), self.keys())
        if len(self._extra) > EXTRA_MAX:
            self._keep_counts(self.counts())

    # -- reading --------------------------------------------------------------------------

    def table(self) -> DeviationTable:
        """The deviation table as it is now, rows in key order: what a fresh extraction reads
        (its vocabulary may still hold a tag that no row names any more). Merged once per
        change: a recomputation asks for it for the knots, the graph and the figures."""
        if self._table_now is None:
            self._table_now = self._merged()
        return self._table_now

    def _merged(self) -> DeviationTable:
        if not self._pending and not self._appended:
            return self._table
        rows = sorted(row for row, record in self._pending.items() if record is not None)
        records = [self._pending[row] for row in rows]
        records += [record for _, record in self._appended if record is not None]
        changed = DeviationTable.from_records(records)  # type: ignore[arg-type]
        return merged_rows(self._table, self._alive, rows, changed, len(rows))

    def keys(self) -> np.ndarray:
        """The deviation id of each row of `table()`."""
        if not self._pending and not self._appended:
            return self._keys
        appended = [key for key, record in self._appended if record is not None]
        return np.concatenate((self._keys[self._alive], np.array(appended, dtype=np.int64)))

    def counts(self) -> ItemsetCounts:
        """The frequent itemsets and their counts, as `count_itemsets` gives them."""
        if self._counts_now is None:
            self._counts_now = self._frequent()
        return self._counts_now

    def _frequent(self) -> ItemsetCounts:
        minimum = self.params.min_support
        itemsets: dict[int, np.ndarray] = {}
        counts: dict[int, np.ndarray] = {}
        extra: dict[int, list[tuple[Basket, int]]] = {}
        for itemset, count in self._extra.items():
            if count >= minimum:
                extra.setdefault(len(itemset), []).append((itemset, count))
        for j in range(2, self.params.max_size + 1):
            sets = self._sets.get(j, np.zeros((0, j), dtype=np.int32))
            set_counts = self._set_counts.get(j, np.zeros(0, dtype=np.int64))
            frequent = set_counts >= minimum
            sets, set_counts = sets[frequent], set_counts[frequent]
            if j in extra:
                sets = np.concatenate((sets, np.array([s for s, _ in extra[j]], dtype=np.int32)))
                set_counts = np.concatenate((set_counts, [c for _, c in extra[j]]))
                order = np.lexsort(sets.T[::-1])
                sets, set_counts = sets[order], set_counts[order]
            itemsets[j] = sets
            counts[j] = set_counts.astype(np.int64)
        return ItemsetCounts(
            vocabulary=self.vocabulary,
            n=self.n,
            tag_counts=self._tag_counts.copy(),
            itemsets=itemsets,
            counts=counts,
        )

    def rebuilt(self) -> ItemsetCounts:
        """The counts of the current table from scratch: the check for `counts`."""
        bridged = self.table().on_concepts(self.concepts)
        return count_itemsets(bridged, params=self.params, concepts=self.concepts)

    # -- changing -------------------------------------------------------------------------

    def apply(self, changes: Iterable[Change]) -> int:
        """Bring the counts up to date with these deviations' new rows; returns how many rows
        changed. Raises RebuildNeeded when only a new state can take the change."""
        latest: dict[int, DeviationRecord | None] = {}
        for change in changes:
            latest[change.key] = change.record
        if not latest:
            return 0
        keys = sorted(latest)
        baskets = self._baskets_of([latest[key] for key in keys])
        delta: Counter[Basket] = Counter()
        for key, basket in zip(keys, baskets, strict=True):
            record = latest[key]
            row = self._row_of(key)
            if row is None:
                if record is None:
                    continue  # never in the analysis: nothing to take away
                last = self._appended[-1][0] if self._appended else self._last_table_key()
                if key <= last:
                    raise RebuildNeeded("a deviation joined the analysis out of key order")
                row = len(self._table) + len(self._appended)
                self._appended.append((key, None))
                self._appended_row[key] = row
            old = self._basket(row)
            self._set_row(row, record, basket)
            if old is not None:
                self.n -= 1
            if basket is not None:
                self.n += 1
            self._subsets(old, -1, delta)
            self._subsets(basket, +1, delta)
        self._table_now = self._counts_now = None
        self._delta(delta)
        if len(self._pending) + len(self._appended) > COMPACT_AFTER:
            self._compact()
        return len(keys)

    def _baskets_of(self, records: Sequence[DeviationRecord | None]) -> list[Basket | None]:
        """Each record's mining basket in the state's numbering, None for a record that left
        the analysis: its tags as concepts, without the laws its provisions imply (what
        `mining_baskets` does to a row of the bridged table)."""
        concepts, number = self.concepts, self._number
        out: list[Basket | None] = []
        for record in records:
            if record is None:
                out.append(None)
                continue
            bridged = {concepts.get(tag, tag) for tag in record[6]}
            implied = set()
            for tag in bridged:
                law = implied_law(tag)
                if law is not None:
                    implied.add(concepts.get(law, law))
            try:
                out.append(tuple(sorted(number[tag] for tag in bridged - implied)))
            except KeyError:
                raise RebuildNeeded("a tag the counts have never seen") from None
        return out

    def _last_table_key(self) -> int:
        return int(self._keys[-1]) if len(self._keys) else -1

    def _row_of(self, key: int) -> int | None:
        position = int(np.searchsorted(self._keys, key))
        if position < len(self._keys) and self._keys[position] == key:
            return position
        return self._appended_row.get(key)

    def _basket(self, row: int) -> Basket | None:
        if row in self._baskets:
            return self._baskets[row]
        if row >= len(self._table):
            return None
        start, end = int(self._indptr[row]), int(self._indptr[row + 1])
        return tuple(int(t) for t in self._indices[start:end])

    def _set_row(self, row: int, record: DeviationRecord | None, basket: Basket | None) -> None:
        for tag in self._baskets.get(row) or ():
            self._holding[tag].discard(row)
        for tag in basket or ():
            self._holding.setdefault(tag, set()).add(row)
        self._baskets[row] = basket
        if row < len(self._table):
            self._pending[row] = record
            self._alive[row] = record is not None
            self._changed[row] = True
            self._changed_bits[row // 64] |= np.uint64(1) << np.uint64(row % 64)
        else:
            index = row - len(self._table)
            self._appended[index] = (self._appended[index][0], record)

    def _subsets(self, basket: Basket | None, sign: int, delta: Counter[Basket]) -> None:
        if basket is None:
            return
        for tag in basket:
            self._tag_counts[tag] += sign
        params = self.params
        top = params.max_size if len(basket) <= params.max_tags_enumerated else 3
        for j in range(2, min(top, params.max_size, len(basket)) + 1):
            for itemset in combinations(basket, j):
                delta[itemset] += sign

    def _delta(self, delta: Counter[Basket]) -> None:
        minimum = self.params.min_support
        known, extra, set_counts = self._known, self._extra, self._set_counts
        rising: list[Basket] = []
        for itemset, change in delta.items():
            if not change:
                continue
            place = known.get(itemset)
            if place is not None:
                set_counts[place[0]][place[1]] += change
            elif itemset in extra:
                extra[itemset] += change
            elif change > 0:
                rising.append(itemset)

        def frequent(itemset: Basket) -> bool:
            count = self._count_of(itemset)
            return count is not None and count >= minimum

        # Unknown before, so below the threshold: frequent now only if every subset is.
        for itemset in sorted(rising, key=len):
            if len(itemset) == 2:
                if min(self._tag_counts[itemset[0]], self._tag_counts[itemset[1]]) < minimum:
                    continue
            elif not all(frequent(sub) for sub in combinations(itemset, len(itemset) - 1)):
                continue
            # Kept even when below the threshold: its count is exact from now on, so the next
            # change to it is an addition, not another recount.
            extra[itemset] = self._recount(itemset)

    def _recount(self, itemset: Basket) -> int:
        """How many rows hold every tag of the itemset now (long rows only up to size 3)."""
        cap = self.params.max_tags_enumerated
        max_length = len(self.vocabulary) if len(itemset) <= 3 else cap
        if self._postings is None:
            v = len(self.vocabulary)
            self._postings = postings(self._indptr, self._indices, v, np.arange(v))
        rows, pointer = self._postings
        rarest = min(itemset, key=lambda t: pointer[t + 1] - pointer[t])
        candidates = rows[pointer[rarest] : pointer[rarest + 1]]
        # Rows changed since the CSR was built count by their basket now (below). Few rows:
        # read them; more: AND the tags' bitmaps (0.05 ms at a million rows), which streams
        # memory instead of seeking it (about 40 ns a row, measured).
        if len(candidates) < SEEK_ROWS_MAX:
            count = rows_holding(
                self._indptr,
                self._indices,
                candidates,
                itemset,
                max_length=max_length,
                skip=self._changed,
            )
        else:
            if self._bits is None:
                self._bits = tag_bitmaps(self._indptr, self._indices, len(self.vocabulary), cap=cap)
            count = bitmap_count(
                self._bits, itemset, skip=self._changed_bits, leave_out_long=len(itemset) > 3
            )
        holders = [self._holding.get(tag, set()) for tag in itemset]
        for row in set.intersection(*holders):
            basket = self._baskets[row]
            if basket is not None and len(basket) <= max_length:
                count += 1
        return count


def merged_rows(
    base: DeviationTable,
    alive: np.ndarray,
    rows: list[int],
    changed: DeviationTable,
    n_replaced: int,
) -> DeviationTable:
    """`base` with rows[i] replaced by changed's row i, rows not alive left out, and changed's
    rows from `n_replaced` on appended; the vocabulary is the union of both."""
    vocabulary = tuple(sorted(set(base.vocabulary) | set(changed.vocabulary)))
    number = {tag: i for i, tag in enumerate(vocabulary)}
    base_indices = base.indices
    if vocabulary != base.vocabulary:
        base_map = np.array([number[t] for t in base.vocabulary], dtype=np.int32)
        base_indices = base_map[base_indices]
    changed_map = np.array([number[t] for t in changed.vocabulary], dtype=np.int32)
    changed_indices = changed_map[changed.indices] if len(changed_map) else changed.indices
    # Each output row is a base row or a changed row: (from_new, source row) in output order.
    replaced = np.full(len(base), -1, dtype=np.int64)
    if rows:
        replaced[np.array(rows, dtype=np.int64)] = np.arange(len(rows), dtype=np.int64)
    base_rows = np.flatnonzero(alive)
    by_new = replaced[base_rows]
    appended = np.arange(n_replaced, len(changed), dtype=np.int64)
    from_new = np.concatenate((by_new >= 0, np.ones(len(appended), dtype=bool)))
    source = np.concatenate((np.where(by_new >= 0, by_new, base_rows), appended))
    indptr, indices = merge_rows(
        base.indptr, base_indices, source, from_new, changed.indptr, changed_indices
    )

    def column(name: str) -> np.ndarray:
        a, b = getattr(base, name), getattr(changed, name)
        out = np.empty(len(source), dtype=np.result_type(a.dtype, b.dtype))
        out[~from_new] = a[source[~from_new]]
        out[from_new] = b[source[from_new]]
        return out

    return DeviationTable.unchecked(
        references=column("references"),
        occurred_on=column("occurred_on"),
        municipality=column("municipality"),
        unit=column("unit"),
        severity=column("severity"),
        gender=column("gender"),
        age_band=column("age_band"),
        vocabulary=vocabulary,
        indptr=indptr,
        indices=indices,
    )
