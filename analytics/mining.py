"""Frequent itemsets by depth-first projection, compiled with numba (docs/knots.md §4, step 2).

The counting step of the knot method, written so that every count lands in a small array that
stays in the processor's cache: for each frequent prefix (in lexicographic order) the rows that
contain it are kept as positions just after its last tag, and one pass over those suffixes
counts every extension at once (Eclat with horizontal projection). Nothing is hashed, sorted or
keyed, so a million deviations are counted in a fraction of the time of the vectorised numpy
path in `analytics.knots`, which stays as the reference (tests compare the two) and as the
fallback where numba cannot be imported.

Pure: arrays in, arrays out; the compiled kernel is cached on disk by numba.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from types import SimpleNamespace
from typing import Any

import numpy as np

# numba is a dependency; the numpy path in analytics.knots is the fallback without it. It is
# imported at the first count, not at start-up: importing it costs every process 0.3 s.
# The kernel's f × f count matrices for f frequent tags stay within 32 MiB each.
DENSE_LIMIT = 1 << 23


def _rows_by_tag(
    items: np.ndarray, indptr: np.ndarray, long_row: np.ndarray, f: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each tag y, the rows' suffixes after y, copied into one stretch of `arena` (rows
    led by -1, or -2 for a row too long for sets beyond three): y's rows are
    arena[starts[y]:starts[y + 1]], read in memory order by `_mine`."""
    n_rows = len(indptr) - 1
    need = np.zeros(f + 1, dtype=np.int64)
    for r in range(n_rows):
        s, e = indptr[r], indptr[r + 1]
        for q in range(s, e - 1):
            need[items[q] + 1] += e - q
    starts = np.cumsum(need)
    fill = starts[:-1].copy()
    arena = np.empty(max(starts[f], 1), dtype=items.dtype)
    for r in range(n_rows):
        s, e = indptr[r], indptr[r + 1]
        header = -2 if long_row[r] else -1
        for q in range(s, e - 1):
            y = items[q]
            at = fill[y]
            arena[at] = header
            for c in range(q + 1, e):
                arena[at + c - q] = items[c]
            fill[y] = at + e - q
    return arena, starts


def _mine(
    arena: np.ndarray,
    starts: np.ndarray,
    y_low: int,
    y_high: int,
    f: int,
    min_support: int,
    max_size: int,
    room: int,
) -> np.ndarray:
    """Every itemset of size 2..max_size with count ≥ min_support whose first tag is in
    y_low..y_high-1, from `_rows_by_tag`'s arena. Returns one row per set: five tag columns
    (the first `size` used), the size and the count, in lexicographic order within a size.

    One pass over y's rows counts the pairs (y, a); a second counts every (a, b) of y's
    frequent extensions in a dense f × f matrix, giving the triples (y, a, b) without a hash
    or a sort. For sizes 4 and 5, each frequent triple gets its rows (the tags after b that
    can still complete a frequent set) in a scratch arena, and the same two passes give its
    quads and quints. Ranges of first tags are independent: threads mine them side by side.
    """
    out = np.zeros((1 << 12, 7), dtype=np.int64)
    found = 0
    counts = np.zeros(f, dtype=np.int64)
    mark = np.zeros(f, dtype=np.bool_)
    quad = np.zeros(f, dtype=np.bool_)
    extensions = np.zeros(f, dtype=np.int32)
    completions = np.zeros(f, dtype=np.int32)
    seen = np.zeros(f, dtype=np.int32)
    dense = f if max_size >= 3 else 1
    pair = np.zeros(dense * dense, dtype=np.int32)
    triple = np.full(dense * dense if max_size >= 4 else 1, -1, dtype=np.int32)
    row_buf = np.zeros(f + 1, dtype=np.int32)
    scratch = np.empty(1 << 16, dtype=arena.dtype)
    # The frequent triples of one first tag: at most every pair of its extensions (grown to
    # that for the first tag that needs more, not allocated for all f tags up front).
    most = 1024 if max_size >= 4 else 1
    tri_a = np.zeros(most, dtype=np.int32)
    tri_b = np.zeros(most, dtype=np.int32)
    tri_start = np.zeros(most + 1, dtype=np.int64)
    tri_fill = np.zeros(most, dtype=np.int64)
    tri_count = np.zeros(most, dtype=np.int64)

    for y in range(y_low, y_high):
        begin, end = starts[y], starts[y + 1]
        if begin == end:
            continue
        # Pairs (y, z).
        t = begin
        while t < end:
            t += 1
            while t < end and arena[t] >= 0:
                counts[arena[t]] += 1
                t += 1
        n_ext = 0
        for z in range(y + 1, f):
            c = counts[z]
            if c == 0:
                continue
            counts[z] = 0
            if c < min_support:
                continue
            if found + 1 > len(out):
                out = _grown(out, found + 1)
            out[found, 0] = y
            out[found, 1] = z
            out[found, 5] = 2
            out[found, 6] = c
            found += 1
            extensions[n_ext] = z
            mark[z] = True
            n_ext += 1
        if max_size < 3 or n_ext < 2:
            for i in range(n_ext):
                mark[extensions[i]] = False
            continue
        if max_size >= 4 and n_ext * (n_ext - 1) // 2 + 1 > len(tri_a):
            most = n_ext * (n_ext - 1) // 2 + 1
            tri_a = np.zeros(most, dtype=np.int32)
            tri_b = np.zeros(most, dtype=np.int32)
            tri_start = np.zeros(most + 1, dtype=np.int64)
            tri_fill = np.zeros(most, dtype=np.int64)
            tri_count = np.zeros(most, dtype=np.int64)
        # Triples (y, a, b): pairs of y's frequent extensions, counted densely.
        t = begin
        while t < end:
            t += 1
            length = 0
            while t < end and arena[t] >= 0:
                z = arena[t]
                if mark[z]:
                    row_buf[length] = z
                    length += 1
                t += 1
            for i in range(length - 1):
                base = row_buf[i] * f
                for j in range(i + 1, length):
                    pair[base + row_buf[j]] += 1
        n_tri = 0
        for ia in range(n_ext - 1):
            a = extensions[ia]
            for ib in range(ia + 1, n_ext):
                b = extensions[ib]
                c = pair[a * f + b]
                if c == 0:
                    continue
                pair[a * f + b] = 0
                if c < min_support:
                    continue
                if found + 1 > len(out):
                    out = _grown(out, found + 1)
                out[found, 0] = y
                out[found, 1] = a
                out[found, 2] = b
                out[found, 5] = 3
                out[found, 6] = c
                found += 1
                if max_size >= 4:
                    triple[a * f + b] = n_tri
                    tri_a[n_tri] = a
                    tri_b[n_tri] = b
                    tri_count[n_tri] = c
                    n_tri += 1
        if n_tri:
            # Each frequent triple's rows: the tags after b that make a frequent triple with
            # y and a and with y and b (every subset of a frequent set is frequent). Rows too
            # long for sets beyond three are left out.
            # Room for each: its count times the longest suffix a row of the method's
            # length can have after three tags, so one sweep writes them all.
            tri_start[0] = 0
            for ci in range(n_tri):
                tri_start[ci + 1] = tri_start[ci] + tri_count[ci] * room
                tri_fill[ci] = tri_start[ci]
            if tri_start[n_tri] > len(scratch):
                scratch = np.empty(2 * tri_start[n_tri], dtype=arena.dtype)
            t = begin
            while t < end:
                is_long = arena[t] == -2
                t += 1
                length = 0
                while t < end and arena[t] >= 0:
                    z = arena[t]
                    if mark[z]:
                        row_buf[length] = z
                        length += 1
                    t += 1
                if is_long:
                    continue
                for i in range(length - 2):
                    a = row_buf[i]
                    for j in range(i + 1, length - 1):
                        b = row_buf[j]
                        ci = triple[a * f + b]
                        if ci < 0:
                            continue
                        at = tri_fill[ci] + 1
                        for k in range(j + 1, length):
                            w = row_buf[k]
                            if triple[a * f + w] >= 0 and triple[b * f + w] >= 0:
                                scratch[at] = w
                                at += 1
                        if at > tri_fill[ci] + 1:  # a row with nothing left is not copied
                            scratch[tri_fill[ci]] = -1
                            tri_fill[ci] = at
            for ci in range(n_tri):
                a, b = tri_a[ci], tri_b[ci]
                t_begin, t_end = tri_start[ci], tri_fill[ci]
                if t_begin == t_end:
                    continue
                # Quads (y, a, b, w).
                # The tags seen, in order (few: an insertion sort), and their counts.
                n_seen = 0
                t = t_begin
                while t < t_end:
                    t += 1
                    while t < t_end and scratch[t] >= 0:
                        w = scratch[t]
                        if counts[w] == 0:
                            i = n_seen
                            while i > 0 and seen[i - 1] > w:
                                seen[i] = seen[i - 1]
                                i -= 1
                            seen[i] = w
                            n_seen += 1
                        counts[w] += 1
                        t += 1
                n_quad = 0
                for ie in range(n_seen):
                    w = seen[ie]
                    c = counts[w]
                    counts[w] = 0
                    if c < min_support:
                        continue
                    if found + 1 > len(out):
                        out = _grown(out, found + 1)
                    out[found, 0] = y
                    out[found, 1] = a
                    out[found, 2] = b
                    out[found, 3] = w
                    out[found, 5] = 4
                    out[found, 6] = c
                    found += 1
                    completions[n_quad] = w
                    quad[w] = True
                    n_quad += 1
                if max_size >= 5 and n_quad >= 2:
                    # Quints (y, a, b, w, x): pairs of the quads' completions, densely.
                    t = t_begin
                    while t < t_end:
                        t += 1
                        length = 0
                        while t < t_end and scratch[t] >= 0:
                            z = scratch[t]
                            if quad[z]:
                                row_buf[length] = z
                                length += 1
                            t += 1
                        for i in range(length - 1):
                            base = row_buf[i] * f
                            for j in range(i + 1, length):
                                pair[base + row_buf[j]] += 1
                    for iw in range(n_quad - 1):
                        w = completions[iw]
                        for ix in range(iw + 1, n_quad):
                            x = completions[ix]
                            c = pair[w * f + x]
                            if c == 0:
                                continue
                            pair[w * f + x] = 0
                            if c < min_support:
                                continue
                            if found + 1 > len(out):
                                out = _grown(out, found + 1)
                            out[found, 0] = y
                            out[found, 1] = a
                            out[found, 2] = b
                            out[found, 3] = w
                            out[found, 4] = x
                            out[found, 5] = 5
                            out[found, 6] = c
                            found += 1
                for i in range(n_quad):
                    quad[completions[i]] = False
            for ci in range(n_tri):
                triple[tri_a[ci] * f + tri_b[ci]] = -1
        for i in range(n_ext):
            mark[extensions[i]] = False
    return out[:found]


def _renumber_kernel(
    indptr: np.ndarray, indices: np.ndarray, number: np.ndarray, max_tags: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The baskets with every tag renumbered by `number` and those numbered -1 left out;
    whether each row is longer than `max_tags` (counted before leaving any out)."""
    n_rows = len(indptr) - 1
    items = np.empty(len(indices), dtype=number.dtype)
    kept_indptr = np.zeros(n_rows + 1, dtype=np.int64)
    long_row = np.zeros(n_rows, dtype=np.bool_)
    at = 0
    for r in range(n_rows):
        s, e = indptr[r], indptr[r + 1]
        long_row[r] = e - s > max_tags
        for q in range(s, e):
            tag = number[indices[q]]
            if tag >= 0:
                items[at] = tag
                at += 1
        kept_indptr[r + 1] = at
    return items[:at], kept_indptr, long_row


def _implied_kernel(indptr: np.ndarray, indices: np.ndarray, law_of: np.ndarray) -> np.ndarray:
    """Which entries are a law that a provision in the same row implies."""
    drop = np.zeros(len(indices), dtype=np.bool_)
    stamp = np.full(len(law_of), -1, dtype=np.int64)
    for r in range(len(indptr) - 1):
        s, e = indptr[r], indptr[r + 1]
        for q in range(s, e):
            law = law_of[indices[q]]
            if law >= 0:
                stamp[law] = r
        for q in range(s, e):
            if stamp[indices[q]] == r:
                drop[q] = True
    return drop


def _holding_kernel(
    indptr: np.ndarray,
    indices: np.ndarray,
    rows: np.ndarray,
    itemset: np.ndarray,
    max_length: int,
    skip: np.ndarray,
) -> int:
    """How many of `rows` hold every tag of `itemset` (both sorted), leaving out rows longer
    than `max_length` and rows marked in `skip`."""
    count = 0
    k = len(itemset)
    for r in rows:
        if skip[r]:
            continue
        s, e = indptr[r], indptr[r + 1]
        if e - s > max_length or e - s < k:
            continue
        i = 0
        for q in range(s, e):
            if indices[q] == itemset[i]:
                i += 1
                if i == k:
                    break
            elif indices[q] > itemset[i]:
                break
        count += i == k
    return count


def _bitmaps_kernel(indptr: np.ndarray, indices: np.ndarray, v: int, cap: int) -> np.ndarray:
    """One bit per row for every tag (row v: rows longer than `cap`), 64 rows to a word."""
    n = len(indptr) - 1
    words = (n + 63) // 64
    bits = np.zeros((v + 1, max(words, 1)), dtype=np.uint64)
    for r in range(n):
        word, bit = r // 64, np.uint64(1) << np.uint64(r % 64)
        for q in range(indptr[r], indptr[r + 1]):
            bits[indices[q], word] |= bit
        if indptr[r + 1] - indptr[r] > cap:
            bits[v, word] |= bit
    return bits


def _bitmap_count_kernel(
    bits: np.ndarray, itemset: np.ndarray, skip: np.ndarray, leave_out_long: bool
) -> int:
    """Rows whose bits are set for every tag of the itemset and not in `skip` (nor long)."""
    v = bits.shape[0] - 1
    count = 0
    m1 = np.uint64(0x5555555555555555)
    m2 = np.uint64(0x3333333333333333)
    m4 = np.uint64(0x0F0F0F0F0F0F0F0F)
    h01 = np.uint64(0x0101010101010101)
    for w in range(bits.shape[1]):
        x = ~skip[w]
        if leave_out_long:
            x &= ~bits[v, w]
        for t in itemset:
            x &= bits[t, w]
        if x:
            x = x - ((x >> np.uint64(1)) & m1)
            x = (x & m2) + ((x >> np.uint64(2)) & m2)
            x = (x + (x >> np.uint64(4))) & m4
            count += int((x * h01) >> np.uint64(56))
    return count


def _merge_kernel(
    base_indptr: np.ndarray,
    base_indices: np.ndarray,
    source: np.ndarray,
    from_new: np.ndarray,
    new_indptr: np.ndarray,
    new_indices: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """CSR rows gathered from two tables: output row i is new row source[i] where
    from_new[i], else base row source[i]."""
    n = len(source)
    indptr = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        r = source[i]
        if from_new[i]:
            indptr[i + 1] = indptr[i] + new_indptr[r + 1] - new_indptr[r]
        else:
            indptr[i + 1] = indptr[i] + base_indptr[r + 1] - base_indptr[r]
    indices = np.empty(indptr[n], dtype=np.int32)
    for i in range(n):
        r = source[i]
        at = indptr[i]
        if from_new[i]:
            for q in range(new_indptr[r], new_indptr[r + 1]):
                indices[at] = new_indices[q]
                at += 1
        else:
            for q in range(base_indptr[r], base_indptr[r + 1]):
                indices[at] = base_indices[q]
                at += 1
    return indptr, indices


def _postings_kernel(
    indptr: np.ndarray, indices: np.ndarray, wanted: np.ndarray, pointer: np.ndarray
) -> np.ndarray:
    """The rows of every wanted tag, grouped by tag in `pointer`'s order, rows ascending."""
    fill = pointer[:-1].copy()
    rows = np.empty(pointer[-1], dtype=np.int64)
    for r in range(len(indptr) - 1):
        for q in range(indptr[r], indptr[r + 1]):
            tag = indices[q]
            if wanted[tag]:
                rows[fill[tag]] = r
                fill[tag] += 1
    return rows


def _grown(out: np.ndarray, at_least: int) -> np.ndarray:
    grown = np.zeros((max(2 * len(out), at_least), out.shape[1]), dtype=out.dtype)
    grown[: len(out)] = out
    return grown


def _kernels() -> SimpleNamespace:
    kernels = _compiled()
    if kernels is None:  # pragma: no cover - numba is a dependency
        raise RuntimeError("analytics.mining needs numba: pip install numba")
    return kernels


def available() -> bool:
    """Whether the compiled kernels can be used (numba imports)."""
    return _compiled() is not None


_COMPILING = threading.Lock()  # two threads asking first must not wrap `_grown` twice


@cache
def _compiled() -> SimpleNamespace | None:
    """The kernels compiled for this machine (numba keeps them on disk, so only the first
    process after an install pays the few seconds of compiling); None without numba."""
    try:
        from numba import njit
    except ImportError:  # pragma: no cover - an installation without the dependency
        return None

    def compile_(function: Any) -> Any:
        return njit(cache=True, nogil=True)(function)

    global _grown  # _mine calls it, so it must be compiled first, and only once
    with _COMPILING:
        if not hasattr(_grown, "py_func"):
            _grown = compile_(_grown)
    return SimpleNamespace(
        rows_by_tag=compile_(_rows_by_tag),
        mine=compile_(_mine),
        renumber=compile_(_renumber_kernel),
        implied=compile_(_implied_kernel),
        postings=compile_(_postings_kernel),
        holding=compile_(_holding_kernel),
        merge=compile_(_merge_kernel),
        bitmaps=compile_(_bitmaps_kernel),
        bitmap_count=compile_(_bitmap_count_kernel),
    )


def tag_bitmaps(indptr: np.ndarray, indices: np.ndarray, v: int, *, cap: int) -> np.ndarray:
    """(v + 1) × words uint64: bit r of row t is set when row r holds tag t; row v marks the
    rows longer than `cap` (analytics.incremental's recount of frequent tags)."""
    return _kernels().bitmaps(indptr, indices, int(v), int(cap))


def bitmap_count(
    bits: np.ndarray, itemset: Sequence[int], *, skip: np.ndarray, leave_out_long: bool
) -> int:
    """How many rows hold every tag of the itemset, not counting rows whose bit is set in
    `skip` (a words-long uint64 array) nor, with `leave_out_long`, the long rows."""
    numbers = np.array(sorted(itemset), dtype=np.int64)
    return int(_kernels().bitmap_count(bits, numbers, skip, bool(leave_out_long)))


def rows_holding(
    indptr: np.ndarray,
    indices: np.ndarray,
    rows: np.ndarray,
    itemset: Sequence[int],
    *,
    max_length: int,
    skip: np.ndarray,
) -> int:
    """How many of `rows` (of the CSR baskets) hold every tag of `itemset`, leaving out rows
    longer than `max_length` and rows marked in `skip` (analytics.incremental's recount)."""
    return int(
        _kernels().holding(
            indptr,
            indices,
            np.asarray(rows, dtype=np.int64),
            np.array(sorted(itemset), dtype=indices.dtype),
            int(max_length),
            skip,
        )
    )


def merge_rows(
    base_indptr: np.ndarray,
    base_indices: np.ndarray,
    source: np.ndarray,
    from_new: np.ndarray,
    new_indptr: np.ndarray,
    new_indices: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(indptr, indices) of rows gathered from two CSR tables: output row i is row
    `source[i]` of the new table where `from_new[i]`, else of the base table."""
    return _kernels().merge(
        base_indptr,
        np.asarray(base_indices, dtype=np.int32),
        np.asarray(source, dtype=np.int64),
        np.asarray(from_new, dtype=np.bool_),
        new_indptr,
        np.asarray(new_indices, dtype=np.int32),
    )


def implied_entries(indptr: np.ndarray, indices: np.ndarray, law_of: np.ndarray) -> np.ndarray:
    """Entries that are a law implied by a provision in the same row (`law_of[t]`: the law
    tag t implies, or -1), in one pass (analytics.knots.mining_baskets)."""
    return _kernels().implied(indptr, indices, np.asarray(law_of, dtype=np.int64))


def postings(
    indptr: np.ndarray, indices: np.ndarray, v: int, wanted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, pointer): the rows holding tag t are rows[pointer[t]:pointer[t + 1]], ascending,
    for the tags in `wanted` (empty for the others). One pass, no sort."""
    want = np.zeros(v, dtype=np.bool_)
    want[np.asarray(wanted, dtype=np.int64)] = True
    counts = np.bincount(indices, minlength=v)
    pointer = np.zeros(v + 1, dtype=np.int64)
    np.cumsum(np.where(want, counts, 0), out=pointer[1:])
    return _kernels().postings(indptr, indices, want, pointer), pointer


def warm() -> None:
    """Load (or compile) the kernels now, so that the first analysis does not pay for it."""
    indptr = np.array([0, 3], dtype=np.int64)
    indices = np.array([0, 1, 2], dtype=np.int32)
    frequent_itemsets(indptr, indices, 3, **_SMALL)
    postings(indptr, indices, 3, np.array([1]))
    rows_holding(indptr, indices, np.array([0]), [1], max_length=3, skip=np.zeros(1, bool))
    merge_rows(indptr, indices, np.array([0]), np.array([True]), indptr, indices)
    bits = tag_bitmaps(indptr, indices, 3, cap=8)
    bitmap_count(bits, [1], skip=np.zeros(1, np.uint64), leave_out_long=True)


_SMALL = {"min_support": 1, "max_size": 5, "max_tags_enumerated": 8}
# Below this many tag entries one thread is quicker than handing out work.
_THREADED_FROM = 200_000


def _threads() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1))


def frequent_itemsets(
    indptr: np.ndarray,
    indices: np.ndarray,
    v: int,
    *,
    min_support: int,
    max_size: int,
    max_tags_enumerated: int,
) -> tuple[np.ndarray, dict[int, np.ndarray], dict[int, np.ndarray]] | None:
    """Tag counts, and per size j the frequent itemsets (m × j, lexicographic) and their counts:
    the same answer as `analytics.knots._count`, from the compiled kernel. None when more
    tags are frequent than the dense matrices are meant for (about 2,900)."""
    tag_counts = np.bincount(indices, minlength=v).astype(np.int64)
    itemsets: dict[int, np.ndarray] = {}
    counts: dict[int, np.ndarray] = {}
    n = len(indptr) - 1
    if n == 0 or v == 0 or not len(indices):
        return tag_counts, itemsets, counts
    # Tags below the threshold can be in no frequent set: leave them out of the baskets. A
    # row's length for the enumeration limit is its length before that.
    # They are numbered 0..f-1 in the same order, so the dense matrices are f × f.
    frequent = np.flatnonzero(tag_counts >= min_support)
    if len(frequent) ** 2 > DENSE_LIMIT:
        return None
    # int16 where the tags fit: half the memory to stream through (the kernel is bound by it).
    small = np.int16 if len(frequent) < np.iinfo(np.int16).max else np.int32
    number = np.full(v, -1, dtype=small)
    number[frequent] = np.arange(len(frequent), dtype=small)
    kernels = _kernels()
    items, kept_indptr, long_row = kernels.renumber(
        indptr, indices, number, int(max_tags_enumerated)
    )
    if not len(items):
        return tag_counts, itemsets, counts
    f = len(frequent)
    arena, starts = kernels.rows_by_tag(items, kept_indptr, long_row, f)
    longest = int(np.diff(kept_indptr).max())
    room = 1 + max(0, min(longest, max_tags_enumerated) - 3)
    threads = _threads() if len(items) >= _THREADED_FROM else 1
    # Ranges of first tags with about equal numbers of rows; threads take them in turn (the
    # kernels release the GIL), and their results are joined in order.
    cuts = np.searchsorted(starts, np.linspace(0, starts[-1], 4 * threads + 1)[1:-1])
    bounds = np.unique(np.concatenate(([0], cuts, [f])))
    ranges = list(itertools.pairwise(bounds.tolist()))

    def mine_range(low_high: tuple[int, int]) -> np.ndarray:
        low, high = low_high
        return kernels.mine(arena, starts, low, high, f, int(min_support), int(max_size), room)

    if threads > 1:
        with ThreadPoolExecutor(threads) as pool:
            parts = list(pool.map(mine_range, ranges))
    else:
        parts = [mine_range(r) for r in ranges]
    found = np.concatenate(parts) if parts else np.zeros((0, 7), dtype=np.int64)
    sizes = found[:, 5]
    for j in range(2, max_size + 1):
        chosen = found[sizes == j]
        # Back to the table's tag numbers; sets of one size are in lexicographic order.
        itemsets[j] = np.ascontiguousarray(frequent[chosen[:, :j]].astype(np.int32))
        counts[j] = chosen[:, 6].copy()
    return tag_counts, itemsets, counts
