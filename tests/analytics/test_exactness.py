"""Exactness: the engine's itemset counts equal a brute-force Counter over subsets."""

from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import combinations
from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import knots as knots_module
from analytics import mining as mining_module
from analytics.knots import _implied_by_bits, _implied_by_search, count_itemsets, find_knots
from analytics.mining import frequent_itemsets
from analytics.types import DeviationTable, KnotParams, implied_law

TAGS = (
    "agency:AF",
    "agency:FK",
    "agency:KOMMUN",
    "law:2001:453",
    "law:2010:110",
    "law:2009:400",
    "prov:2001:453#K4P1",
    "prov:2010:110#K27P48",
    "prov:2010:110#K30P8",
    "prov:2017:30#K16P4",
    "prov:2009:400#K10P2",
)

baskets = st.lists(st.sets(st.sampled_from(TAGS), max_size=len(TAGS)), min_size=0, max_size=40)


def as_table(rows: list[set[str]]) -> DeviationTable:
    return DeviationTable.from_records(
        (f"AV-{i:04d}", date(2026, 1, 1 + i % 28), "0160", 1, None, "", tuple(tags))
        for i, tags in enumerate(rows)
    )


def brute_force(
    rows: list[set[str]], *, min_support: int, max_size: int, cap: int
) -> dict[tuple[str, ...], int]:
    counter: Counter[tuple[str, ...]] = Counter()
    for tags in rows:
        implied = {implied_law(t) for t in tags}
        basket = sorted(t for t in tags if t not in implied)
        top = max_size if len(basket) <= cap else min(3, max_size)
        for size in range(2, top + 1):
            counter.update(combinations(basket, size))
    return {tags: n for tags, n in counter.items() if n >= min_support}


@settings(max_examples=150, deadline=None)
@given(
    rows=baskets,
    min_support=st.integers(1, 4),
    max_size=st.integers(2, 5),
    cap=st.integers(3, 9),
    compiled=st.booleans(),
)
def test_counts_equal_brute_force(
    rows: list[set[str]], min_support: int, max_size: int, cap: int, compiled: bool
) -> None:
    # Both counters: the compiled miner (analytics.mining) and the vectorised numpy path.
    params = KnotParams(min_support=min_support, max_size=max_size, max_tags_enumerated=cap)
    with mock.patch.object(knots_module, "MINING_COMPILED", compiled):
        got = count_itemsets(as_table(rows), params=params).as_dict()
    assert got == brute_force(rows, min_support=min_support, max_size=max_size, cap=cap)


def test_enumeration_cap_keeps_a_wide_row_to_sizes_up_to_three() -> None:
    wide = set(TAGS)  # 11 tags, 8 after the implied laws are left out
    rows = [wide] * 3
    params = KnotParams(min_support=1, max_tags_enumerated=7)
    got = count_itemsets(as_table(rows), params=params).as_dict()
    assert max(len(tags) for tags in got) == 3
    assert got[("agency:AF", "agency:FK", "prov:2001:453#K4P1")] == 3
    assert len(got) == 28 + 56  # C(8, 2) pairs and C(8, 3) triples, nothing larger


def test_a_thirty_tag_row_cannot_blow_up() -> None:
    many = tuple(f"prov:2010:110#K{c}P1" for c in range(1, 31))
    table = as_table([set(many)] * 12)
    knots = find_knots(
        table, params=KnotParams(q=1.0, min_municipalities=1), today=date(2026, 2, 1)
    )
    assert knots == []  # every set is in every row: no surplus over chance, no knot
    counts = count_itemsets(table, params=KnotParams())
    assert max(j for j, found in counts.counts.items() if len(found)) == 3
    assert len(counts.counts[3]) == 30 * 29 * 28 // 6


def test_support_of_a_knot_is_its_number_of_deviations() -> None:
    rng = np.random.default_rng(3)
    rows = [set(rng.choice(TAGS, size=rng.integers(2, 5), replace=False)) for _ in range(400)]
    rows += [{"agency:AF", "agency:FK", "prov:2017:30#K16P4"}] * 100
    table = as_table(rows)
    knots = find_knots(table, params=KnotParams(min_municipalities=1), today=date(2026, 2, 1))
    assert knots
    counts = count_itemsets(table).as_dict()
    for knot in knots:
        assert knot.support == counts[knot.tags] == len(knot.deviations)


@settings(max_examples=80, deadline=None)
@given(rows=baskets)
def test_both_ways_of_leaving_out_implied_laws_agree(rows: list[set[str]]) -> None:
    table = as_table(rows)
    law_of = np.full(len(table.vocabulary), -1, dtype=np.int64)
    for i, tag in enumerate(table.vocabulary):
        if (law := implied_law(tag)) in table.vocabulary:
            law_of[i] = table.vocabulary.index(law)
    laws = np.unique(law_of[law_of >= 0])
    by_bits = _implied_by_bits(table.indptr, table.indices, law_of, laws)
    by_search = _implied_by_search(table.indptr, table.indices, law_of, len(table.vocabulary))
    assert by_bits.tolist() == by_search.tolist()


def test_more_than_63_laws_take_the_search_path() -> None:
    provisions = [f"prov:2000:{i}#P1" for i in range(70)]
    laws = [f"law:2000:{i}" for i in range(70)]
    rows = [{provisions[i], laws[i], laws[(i + 1) % 70], "agency:FK"} for i in range(70)] * 2
    got = count_itemsets(as_table(rows), params=KnotParams(min_support=2)).as_dict()
    assert brute_force(rows, min_support=2, max_size=5, cap=8) == got
    assert ("law:2000:1", "prov:2000:0#P1") in got
    assert ("law:2000:0", "prov:2000:0#P1") not in got


@settings(max_examples=60, deadline=None)
@given(rows=baskets, min_support=st.integers(1, 3), path=st.sampled_from(["horner", "sorted"]))
def test_the_fallback_counting_paths_are_exact(
    rows: list[set[str]], min_support: int, path: str
) -> None:
    # Force what a huge vocabulary would take: plain Horner keys, or sorting instead of bincount.
    limit = "_PAIR_BINCOUNT_LIMIT" if path == "horner" else "_TRIPLE_BINCOUNT_LIMIT"
    with (
        mock.patch.object(knots_module, limit, 0),
        mock.patch.object(knots_module, "MINING_COMPILED", False),
    ):
        got = count_itemsets(as_table(rows), params=KnotParams(min_support=min_support))
    assert got.as_dict() == brute_force(rows, min_support=min_support, max_size=5, cap=8)


def test_the_compiled_miner_is_the_one_in_use() -> None:
    # numba is a dependency: an installation without it would silently count 2-3x slower.
    assert knots_module.MINING_COMPILED
    assert mining_module.available()


@settings(max_examples=40, deadline=None)
@given(
    lengths=st.lists(st.integers(0, 12), min_size=1, max_size=60),
    seed=st.integers(0, 2**16),
    min_support=st.integers(1, 5),
    max_size=st.integers(2, 5),
    cap=st.integers(3, 9),
)
def test_compiled_and_vectorised_counting_agree_on_wide_vocabularies(
    lengths: list[int], seed: int, min_support: int, max_size: int, cap: int
) -> None:
    # Many tags, rows of any length (empty ones too, and rows past the enumeration cap).
    rng = np.random.default_rng(seed)
    v = 40
    rows = [np.sort(rng.choice(v, size=k, replace=False)) for k in lengths]
    indptr = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    indices = np.concatenate(rows).astype(np.int32) if sum(lengths) else np.zeros(0, np.int32)
    kwargs = {"min_support": min_support, "max_size": max_size, "max_tags_enumerated": cap}
    found = frequent_itemsets(indptr, indices, v, **kwargs)
    assert found is not None
    tags_a, sets_a, counts_a = found
    tags_b, sets_b, counts_b = knots_module._count_vectorised(indptr, indices, v, **kwargs)
    assert tags_a.tolist() == tags_b.tolist()
    for j in range(2, max_size + 1):
        assert sets_a.get(j, np.zeros((0, j))).tolist() == sets_b.get(j, np.zeros((0, j))).tolist()
        assert counts_a.get(j, np.zeros(0)).tolist() == counts_b.get(j, np.zeros(0)).tolist()


def test_too_many_frequent_tags_for_the_dense_matrices_fall_back_exactly() -> None:
    rows = [set(TAGS[:6])] * 3 + [set(TAGS[4:])] * 2
    table = as_table(rows)
    indptr, indices = knots_module.mining_baskets(table)
    v = len(table.vocabulary)
    with mock.patch.object(mining_module, "DENSE_LIMIT", 4):  # two frequent tags at most
        assert frequent_itemsets(indptr, indices, v, **DEFAULTS) is None
        got = count_itemsets(table, params=KnotParams(min_support=2)).as_dict()
    assert got == brute_force(rows, min_support=2, max_size=5, cap=8)
    assert frequent_itemsets(indptr, indices, v, **DEFAULTS) is not None


DEFAULTS = {"min_support": 2, "max_size": 5, "max_tags_enumerated": 8}
