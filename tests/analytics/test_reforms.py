"""A reform does not split a knot: versions of a rule are mined as one concept (docs/knots.md,
docs/contracts.md §4 `concepts`).

SoL (2001:453) 4 kap. 1 § was continued by SoL (2025:400) 12 kap. 1 § on 2025-07-01. Municipal
social services (KOMMUN) cite the old section before the reform and the new one after it. Without
the concordance the engine sees two half-knots with broken trends; with it, one knot whose
monthly series runs on across the reform.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from analytics.knots import find_knots, knots_as_json, mining_baskets
from analytics.types import DeviationTable, KnotParams

KOMMUN = "agency:KOMMUN"
FK = "agency:FK"
OLD = "prov:2001:453#K4P1"
NEW = "prov:2025:400#K12P1"
OLD_LAW, NEW_LAW = "law:2001:453", "law:2025:400"
OTHER_OLD = "prov:2001:453#K4P4"  # no line in the concordance: stays itself
CONCEPTS = {OLD: NEW, OLD_LAW: NEW_LAW}
REFORM = date(2025, 7, 1)
TODAY = date(2026, 1, 31)
PARAMS = KnotParams(min_support=5, q=1.0, min_municipalities=1)
MUNICIPALITIES = ("0114", "0160", "0180", "0136")


def _table() -> DeviationTable:
    """Four a month from 2025-01 to 2026-01: the old section before the reform, the new one
    after; FK-only deviations and FK + SoL-law deviations as background."""
    rows = []
    day = date(2025, 1, 10)
    number = 0
    while day <= date(2026, 1, 20):
        for k in range(4):
            number += 1
            provision, law = (OLD, OLD_LAW) if day < REFORM else (NEW, NEW_LAW)
            rows.append(
                (f"AV-{number:05d}", day, MUNICIPALITIES[k], k, 2, "", (KOMMUN, provision, law))
            )
        for k in range(6):
            number += 1
            rows.append((f"AV-{number:05d}", day, MUNICIPALITIES[k % 4], 9, None, "", (FK,)))
        day += timedelta(days=30)
    return DeviationTable.from_records(rows)


def _knot(knots: list, *tags: str):  # noqa: ANN202
    return next(k for k in knots if set(tags) <= set(k.tags))


def test_without_the_concordance_the_reform_splits_the_knot() -> None:
    knots = find_knots(_table(), params=PARAMS, today=TODAY, include_local=True)
    old, new = _knot(knots, KOMMUN, OLD), _knot(knots, KOMMUN, NEW)
    assert old is not new
    assert old.last_seen < REFORM <= new.first_seen
    assert old.versions == ()
    assert new.versions == ()


def test_with_the_concordance_one_knot_runs_across_the_reform() -> None:
    table = _table()
    knots = find_knots(table, params=PARAMS, today=TODAY, include_local=True, concepts=CONCEPTS)
    assert not any(OLD in k.tags for k in knots)  # mined on the concept, never on a version
    knot = _knot(knots, KOMMUN, NEW)
    assert knot.tags == (KOMMUN, NEW)
    assert knot.versions == ((KOMMUN,), (OLD, NEW))
    assert knot.version_tags == (KOMMUN, OLD, NEW)
    assert knot.first_seen < REFORM < knot.last_seen
    assert knot.support == sum(1 for r in table.records() if KOMMUN in r[6])
    # The monthly series has no gap at the reform: four every month on both sides.
    months = dict(knot.monthly)
    assert months["2025-06"] == 4
    assert months["2025-07"] == 4
    assert months["2025-08"] == 4
    # Old and new halves are one rate: no trend is invented by the reform.
    assert abs(knot.trend) < 0.2


def test_json_lists_every_version_and_the_concepts_mined_on() -> None:
    knots = find_knots(_table(), params=PARAMS, today=TODAY, include_local=True, concepts=CONCEPTS)
    data = next(d for d in knots_as_json(knots) if d.get("concepts") == [KOMMUN, NEW])
    assert data["tags"] == sorted([KOMMUN, OLD, NEW])
    plain = find_knots(_table(), params=PARAMS, today=TODAY, include_local=True)
    assert all("concepts" not in d for d in knots_as_json(plain))


def test_versions_list_only_what_the_supporting_deviations_name() -> None:
    rows = [r for r in _table().records() if r[1] < REFORM]  # before the reform only
    knots = find_knots(
        DeviationTable.from_records(rows),
        params=PARAMS,
        today=date(2025, 6, 30),
        include_local=True,
        concepts=CONCEPTS,
    )
    knot = _knot(knots, KOMMUN, NEW)
    assert knot.versions == ((KOMMUN,), (OLD,))
    assert knot.version_tags == (KOMMUN, OLD)


def test_a_row_naming_both_versions_counts_once() -> None:
    rows = [
        ("AV-1", date(2025, 7, 2), "0114", 1, None, "", (KOMMUN, OLD, NEW)),
        ("AV-2", date(2025, 7, 3), "0114", 1, None, "", (OLD, FK)),
    ]
    bridged = DeviationTable.from_records(rows).on_concepts(CONCEPTS)
    assert bridged.tags_of(0) == (KOMMUN, NEW)
    assert bridged.tags_of(1) == (FK, NEW)
    assert bridged.vocabulary == (FK, KOMMUN, NEW)


def test_a_table_without_versioned_tags_is_returned_as_it_is() -> None:
    table = DeviationTable.from_records([("AV-1", TODAY, "0114", 1, None, "", (FK, KOMMUN))])
    assert table.on_concepts(CONCEPTS) is table


def test_an_old_provision_without_a_line_still_implies_its_laws_concept() -> None:
    """4 kap. 4 § of the old SoL implies 'SoL' whichever version the law tag named, so no
    knot holds the SoL concept together with a provision of SoL (docs/contracts.md §4)."""
    rows = [("AV-1", TODAY, "0114", 1, None, "", (KOMMUN, OTHER_OLD, OLD_LAW))]
    bridged = DeviationTable.from_records(rows).on_concepts(CONCEPTS)
    assert bridged.tags_of(0) == (KOMMUN, NEW_LAW, OTHER_OLD)
    indptr, indices = mining_baskets(bridged, concepts=CONCEPTS)
    kept = {bridged.vocabulary[t] for t in indices[indptr[0] : indptr[1]]}
    assert kept == {KOMMUN, OTHER_OLD}
    # Without the concepts the law's concept would be taken for another law and kept.
    indptr, indices = mining_baskets(bridged)
    assert NEW_LAW in {bridged.vocabulary[t] for t in indices[indptr[0] : indptr[1]]}


def test_tags_in_rows() -> None:
    table = _table()
    rows = np.array([0, 1, len(table) - 1])
    assert set(table.tags_in(rows)) <= {KOMMUN, OLD, OLD_LAW, NEW, NEW_LAW, FK}
    assert OLD in table.tags_in(rows[:1])


def test_mining_with_concepts_equals_mining_the_renamed_records() -> None:
    """The engine's bridging is exactly 'write each tag as its concept, then mine'."""
    table = _table()
    renamed = DeviationTable.from_records(
        (*r[:6], tuple(CONCEPTS.get(t, t) for t in r[6])) for r in table.records()
    )
    bridged = find_knots(table, params=PARAMS, today=TODAY, include_local=True, concepts=CONCEPTS)
    direct = find_knots(renamed, params=PARAMS, today=TODAY, include_local=True)
    assert [(k.tags, k.support, k.trend, k.monthly) for k in bridged] == [
        (k.tags, k.support, k.trend, k.monthly) for k in direct
    ]
