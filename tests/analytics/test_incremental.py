"""Incremental knot counts: after any sequence of changes they equal a count from scratch."""

from __future__ import annotations

from datetime import date
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import incremental
from analytics.incremental import Change, KnotState, RebuildNeeded
from analytics.knots import count_itemsets, find_knots
from analytics.types import DeviationTable, KnotParams

TAGS = (
    "agency:AF",
    "agency:FK",
    "agency:KOMMUN",
    "agency:REGION",
    "law:2001:453",
    "law:2010:110",
    "law:2025:400",
    "prov:2001:453#K4P1",
    "prov:2025:400#K4P1",
    "prov:2010:110#K27P48",
    "prov:2010:110#K30P8",
    "prov:2017:30#K16P4",
)
# SoL 2001:453 was replaced by 2025:400: both versions count as one concept.
CONCEPTS = {"law:2001:453": "law:2025:400", "prov:2001:453#K4P1": "prov:2025:400#K4P1"}
PARAMS = KnotParams(min_support=3, max_tags_enumerated=5)

tag_sets = st.sets(st.sampled_from(TAGS), max_size=8)


def record(key: int, tags: set[str], municipality: str = "0160"):
    return (
        f"AV-{key:05d}",
        date(2026, 1, 1 + key % 28),
        municipality,
        1 + key % 3,
        None,
        "",
        tuple(tags),
    )


def state_of(rows: dict[int, set[str]]) -> KnotState:
    keys = sorted(rows)
    table = DeviationTable.from_records(record(k, rows[k]) for k in keys)
    return KnotState(table, np.array(keys, dtype=np.int64), params=PARAMS, concepts=CONCEPTS)


def from_scratch(rows: dict[int, set[str]]) -> dict[tuple[str, ...], int]:
    table = DeviationTable.from_records(record(k, rows[k]) for k in sorted(rows))
    return count_itemsets(table.on_concepts(CONCEPTS), params=PARAMS, concepts=CONCEPTS).as_dict()


changes = st.lists(
    st.tuples(st.integers(0, 60), st.one_of(st.none(), tag_sets)), min_size=1, max_size=60
)


@settings(max_examples=120, deadline=None)
@given(
    start=st.dictionaries(st.integers(0, 40), tag_sets, max_size=40),
    batches=st.lists(changes, min_size=1, max_size=4),
    bitmaps=st.booleans(),
)
def test_counts_after_random_changes_equal_a_count_from_scratch(
    start: dict[int, set[str]], batches: list[list[tuple[int, set[str] | None]]], bitmaps: bool
) -> None:
    with mock.patch.object(incremental, "SEEK_ROWS_MAX", 0 if bitmaps else 10**9):
        check_random_changes(start, batches)


def check_random_changes(
    start: dict[int, set[str]], batches: list[list[tuple[int, set[str] | None]]]
) -> None:
    # Retagging, new deviations (also with keys below the last: a rebuild), withdrawals and
    # deviations coming back; several batches; the truth is kept aside as plain dicts.
    state = state_of(start)
    truth = dict(start)
    for batch in batches:
        for key, tags in batch:
            if tags is None:
                truth.pop(key, None)
            else:
                truth[key] = tags
        try:
            state.apply(Change(k, None if t is None else record(k, t)) for k, t in batch)
        except RebuildNeeded:
            state = state_of(truth)
        assert state.counts().as_dict() == from_scratch(truth)
        assert state.n == len(truth)
    assert state.rebuilt().as_dict() == state.counts().as_dict()
    table = state.table()
    assert table.references.tolist() == [f"AV-{k:05d}" for k in sorted(truth)]


def test_the_knots_from_kept_counts_are_the_knots_from_scratch() -> None:
    rng = np.random.default_rng(7)
    knot = {"agency:FK", "agency:AF", "prov:2010:110#K27P48"}
    rows = {k: set(rng.choice(TAGS, size=3, replace=False)) for k in range(300)}
    state = state_of(rows)
    new = {k: knot | {"agency:KOMMUN"} for k in range(300, 340)}
    state.apply(
        Change(k, record(k, tags, municipality=("0160", "0180", "1280")[k % 3]))
        for k, tags in new.items()
    )
    today = date(2026, 3, 1)
    kept = find_knots(
        state.table(), params=PARAMS, today=today, concepts=CONCEPTS, counts=state.counts()
    )
    fresh = find_knots(state.table(), params=PARAMS, today=today, concepts=CONCEPTS)
    assert kept
    assert [k.tags for k in kept] == [k.tags for k in fresh]
    assert [k.deviations for k in kept] == [k.deviations for k in fresh]


def test_a_tag_never_seen_asks_for_a_rebuild() -> None:
    state = state_of({1: {"agency:FK", "agency:AF"}})
    with pytest.raises(RebuildNeeded):
        state.apply([Change(2, record(2, {"agency:FK", "prov:2099:1#P1"}))])


@mock.patch.object(incremental, "COMPACT_AFTER", 150)
@mock.patch.object(incremental, "EXTRA_MAX", 3)
def test_many_changes_fold_into_the_table_and_stay_exact() -> None:
    rng = np.random.default_rng(11)
    rows = {k: set(rng.choice(TAGS, size=4, replace=False)) for k in range(200)}
    state = state_of(rows)
    for step in range(1000):
        key = int(rng.integers(0, 200)) if step % 3 else 200 + step
        rows[key] = set(rng.choice(TAGS, size=int(rng.integers(1, 7)), replace=False))
        state.apply([Change(key, record(key, rows[key]))])
        if step % 97 == 0:
            assert state.counts().as_dict() == from_scratch(rows)
    assert len(state._pending) < 150  # folded into the table several times
    assert state.counts().as_dict() == from_scratch(rows)
    assert state.table().references.tolist() == [f"AV-{k:05d}" for k in sorted(rows)]


def test_kept_counts_leave_out_the_law_a_provision_of_an_old_version_implies() -> None:
    # 4 kap. 1 § of the old SoL implies the SoL concept: the law is not counted beside it.
    rows = {k: {"prov:2001:453#K4P1", "law:2001:453", "agency:FK"} for k in range(4)}
    state = state_of(rows)
    counts = state.counts().as_dict()
    assert ("agency:FK", "prov:2025:400#K4P1") in counts
    assert not any("law:2025:400" in tags for tags in counts)
    state.apply([Change(0, None)])
    assert state.counts().as_dict() == from_scratch({k: v for k, v in rows.items() if k})
