"""Hand-computed knots on a table of 40 literal deviations (docs/knots.md §6, docs/contracts.md §4).

The table, with P = SFB 27 kap. 48 §, L = its law, S = SoL 4 kap. 1 §, AF, FK and REGION:

    r1–r2  P L AF FK     (L is implied by P and left out for mining)
    r3–r4  P AF FK
    r5–r8  P AF
    r9–r10 AF FK
    r11    FK S
    r12    L S           (L stands alone: S belongs to another law)
    r13–40 REGION

Mining counts: n(P)=8, n(AF)=10, n(FK)=7, n(P,AF)=8, n(P,FK)=4, n(AF,FK)=6, n(P,AF,FK)=4; N=40.

- {P,AF}:    E* = 8·10/40 = 2.0, L* = 4.0, surplus 6.0.
- {P,FK}:    E* = 8·7/40 = 1.4, L* = 2.857, surplus 2.6; folded: n(P,AF,FK)=4 ≥ 0.85·2.6.
- {P,AF,FK}: splits P|AF FK = 8·6/40 = 1.2, P AF|FK = 8·7/40 = 1.4, P FK|AF = 4·10/40 = 1.0, so
             E* = 1.4 from (AF P | FK), L* = 4/1.4, surplus 2.6.
- {P,AF} is not folded at δ = 0.15: 4 < 0.85·6 = 5.1; at δ = 0.4 it is: 4 ≥ 0.6·6 = 3.6.
- {AF,FK} has support 6 but is agency-only: never a knot.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
import pytest
from scipy import stats

from analytics.knots import count_itemsets, find_knots, knots_as_json, mining_baskets
from analytics.trend import share_trend
from analytics.types import DeviationTable, Knot, KnotParams

P = "prov:2010:110#K27P48"
L = "law:2010:110"
S = "prov:2001:453#K4P1"
AF = "agency:AF"
FK = "agency:FK"
REGION = "agency:REGION"
TODAY = date(2026, 6, 30)  # recent window 2026-04-02..06-30, previous 2026-01-02..04-01

# (tags, municipality, unit, severity, date) for r1..r12
HEAD = [
    ((P, L, AF, FK), "0160", 1, 2, date(2026, 1, 15)),
    ((P, L, AF, FK), "0162", 2, 4, date(2026, 2, 15)),
    ((P, AF, FK), "0160", 1, None, date(2026, 5, 1)),
    ((P, AF, FK), "0136", 3, 1, date(2026, 6, 1)),
    ((P, AF), "0180", 4, 3, date(2026, 5, 10)),
    ((P, AF), "0160", 1, None, date(2026, 6, 10)),
    ((P, AF), "0162", 2, None, date(2026, 3, 1)),
    ((P, AF), "0180", 5, 4, date(2025, 12, 1)),
    ((AF, FK), "0160", 1, 2, date(2026, 3, 15)),
    ((AF, FK), "0162", 2, 2, date(2026, 3, 15)),
    ((FK, S), "0136", 3, 1, date(2026, 5, 15)),
    ((L, S), "0136", 3, 1, date(2026, 4, 15)),
]
# r13..r40: 13 in the previous window, 13 in the recent one, 2 before both.
FILLER_DATES = [date(2026, 2, 1)] * 13 + [date(2026, 5, 20)] * 13 + [date(2025, 11, 1)] * 2


def records() -> list[tuple[Any, ...]]:
    rows = [
        (f"AV-2026-{i + 1:05d}", day, muni, unit, severity, "kvinna", tags)
        for i, (tags, muni, unit, severity, day) in enumerate(HEAD)
    ]
    rows += [
        (f"AV-2026-{len(HEAD) + i + 1:05d}", day, "0114", 9, None, "", (REGION,))
        for i, day in enumerate(FILLER_DATES)
    ]
    return rows


def table() -> DeviationTable:
    return DeviationTable.from_records(records())


PARAMS = KnotParams(min_support=4, q=1.0, min_municipalities=1)


def knots(**changes: Any) -> dict[tuple[str, ...], Knot]:
    params = replace(PARAMS, **changes)
    return {k.tags: k for k in find_knots(table(), params=params, today=TODAY, include_local=True)}


def test_counts_leave_out_the_law_its_own_provision_implies() -> None:
    counts = count_itemsets(table(), params=KnotParams(min_support=1))
    got = counts.as_dict()
    assert got[(AF, P)] == 8
    assert got[(FK, P)] == 4
    assert got[(AF, FK)] == 6
    assert got[(AF, FK, P)] == 4
    assert got[(L, S)] == 1  # a law that stands alone stays
    assert not any(L in tags and P in tags for tags in got)
    vocabulary = counts.vocabulary
    assert counts.tag_counts[vocabulary.index(L)] == 1
    assert counts.tag_counts[vocabulary.index(P)] == 8


def test_mining_baskets_drop_only_the_implied_law() -> None:
    t = table()
    indptr, indices = mining_baskets(t)
    baskets = [{t.vocabulary[i] for i in indices[indptr[r] : indptr[r + 1]]} for r in range(len(t))]
    assert baskets[0] == {P, AF, FK}
    assert baskets[11] == {L, S}
    assert t.tags_of(0) == tuple(sorted((P, L, AF, FK)))  # the table itself is unchanged


def test_null_model_numbers() -> None:
    found = knots()
    assert set(found) == {(AF, P), (AF, FK, P)}
    pair, triple = found[(AF, P)], found[(AF, FK, P)]
    assert pair.support == 8
    assert pair.expected == pytest.approx(2.0)
    assert pair.lift == pytest.approx(4.0)
    assert pair.surplus == pytest.approx(6.0)
    assert pair.split == ((AF,), (P,))
    assert pair.p_value == pytest.approx(stats.poisson.sf(7, 2.0))
    assert triple.support == 4
    assert triple.expected == pytest.approx(1.4)
    assert triple.lift == pytest.approx(4 / 1.4)
    assert triple.surplus == pytest.approx(2.6)
    assert triple.split == ((AF, P), (FK,))


def test_spread_severity_and_dates() -> None:
    found = knots()
    pair, triple = found[(AF, P)], found[(AF, FK, P)]
    # r1–r4: 0160 twice, 0162, 0136; units 1, 2, 1, 3.
    assert (triple.municipalities, triple.units) == (3, 3)
    assert triple.m_eff == pytest.approx(1 / (0.5**2 + 0.25**2 + 0.25**2))
    # r1–r8: 0160 ×3, 0162 ×2, 0136, 0180 ×2; units 1–5.
    assert (pair.municipalities, pair.units) == (4, 5)
    assert pair.m_eff == pytest.approx(64 / 18)
    # Weights 1, 2, 4, 8; not assessed rows are left out of the mean.
    assert triple.severity_weight == pytest.approx((2 + 8 + 1) / 3)
    assert pair.severity_weight == pytest.approx((2 + 8 + 1 + 4 + 8) / 5)
    assert (triple.first_seen, triple.last_seen) == (date(2026, 1, 15), date(2026, 6, 1))
    assert (pair.first_seen, pair.last_seen) == (date(2025, 12, 1), date(2026, 6, 10))
    assert triple.deviations == ("AV-2026-00001", "AV-2026-00002", "AV-2026-00003", "AV-2026-00004")
    assert triple.monthly == (
        ("2025-11", 0),
        ("2025-12", 0),
        ("2026-01", 1),
        ("2026-02", 1),
        ("2026-03", 0),
        ("2026-04", 0),
        ("2026-05", 1),
        ("2026-06", 1),
    )


def test_trend_is_share_based() -> None:
    # All deviations: 19 in the recent window, 18 in the previous one.
    found = knots()
    pair, triple = found[(AF, P)], found[(AF, FK, P)]
    assert triple.trend == pytest.approx((2 / 19) / (2 / 18) - 1)  # -0.0526
    assert pair.trend == pytest.approx((4 / 19) / (3 / 18) - 1)  # +0.263
    share = 19 / 37
    lower, upper = stats.binom.cdf(4, 7, share), stats.binom.sf(3, 7, share)
    assert pair.trend_p == pytest.approx(min(1.0, 2 * min(lower, upper)))


def test_ranking_and_score() -> None:
    found = knots()
    raw_pair = 6.0 * 4.6 * min(1.0, (64 / 18) / 5)
    raw_triple = 2.6 * (11 / 3) * min(1.0, (1 / 0.375) / 5)
    ordered = find_knots(table(), params=PARAMS, today=TODAY)
    assert [k.tags for k in ordered] == [(AF, P), (AF, FK, P)]
    assert found[(AF, P)].score == pytest.approx(1.0)
    assert found[(AF, FK, P)].score == pytest.approx(raw_triple / raw_pair)


def test_fold_rule_depends_on_delta() -> None:
    assert (FK, P) not in knots()  # 4 ≥ 0.85 · 2.6: folded into {AF, FK, P}
    assert (FK, P) not in knots(delta=0.0)  # 4 ≥ 1.0 · 2.6: still folded
    assert set(knots(delta=0.4)) == {(AF, FK, P)}  # 4 ≥ 0.6 · 6: {AF, P} folds too
    assert (AF, P) in knots(delta=0.33)  # 4 < 0.67 · 6 = 4.02


def test_agency_only_sets_are_never_knots() -> None:
    assert count_itemsets(table(), params=PARAMS).as_dict()[(AF, FK)] == 6
    assert (AF, FK) not in knots(min_support=2)
    only_agencies = DeviationTable.from_records(
        (f"AV-{i}", date(2026, 1, 1), "0160", 1, None, "", (AF, FK)) for i in range(20)
    )
    assert find_knots(only_agencies, params=PARAMS, today=TODAY, include_local=True) == []


def test_a_law_that_stands_alone_can_be_in_a_knot() -> None:
    osl = "law:2009:400"
    day = date(2026, 1, 1)
    rows = [(f"AV-{i:03d}", day, f"01{i % 5}0", i % 5, None, "", (osl, FK)) for i in range(6)]
    rows += [(f"AV-{i:03d}", day, "0160", 1, None, "", (REGION,)) for i in range(6, 30)]
    found = find_knots(DeviationTable.from_records(rows), params=PARAMS, today=TODAY)
    assert [k.tags for k in found] == [(FK, osl)]


def test_min_support_boundary() -> None:
    assert (AF, P) in knots(min_support=8)
    assert (AF, P) not in knots(min_support=9)
    assert knots(min_support=9) == {}


def test_local_flag() -> None:
    params = KnotParams(min_support=4, q=1.0, min_municipalities=4)
    everything = find_knots(table(), params=params, today=TODAY, include_local=True)
    assert [(k.tags, k.local) for k in everything] == [((AF, P), False), ((AF, FK, P), True)]
    assert [k.tags for k in find_knots(table(), params=params, today=TODAY)] == [(AF, P)]
    # The score does not depend on whether local knots are shown.
    shown = find_knots(table(), params=params, today=TODAY)
    assert shown[0].score == everything[0].score


def test_json_has_exactly_the_contract_fields() -> None:
    out = knots_as_json(find_knots(table(), params=PARAMS, today=TODAY))
    assert out[0] == {
        "tags": [AF, P],
        "support": 8,
        "municipalities": 4,
        "units": 5,
        "lift": 4.0,
        "trend": 0.26,
        "score": 1.0,
        "first_seen": "2025-12-01",
        "last_seen": "2026-06-10",
        "deviations": [f"AV-2026-{i:05d}" for i in range(1, 9)],
        "equality": None,  # no gender or age band given: nothing to compare
    }
    assert out[1]["lift"] == 2.86
    assert out[1]["trend"] == -0.05
    json.dumps(out)


def test_share_trend_edges() -> None:
    assert share_trend(4, 3, 19, 18).tau == pytest.approx((4 / 19) / (3 / 18) - 1)
    new = share_trend(5, 0, 10, 10)
    assert new.tau == pytest.approx(4.0)  # as if the previous window had one
    assert new.p_value == pytest.approx(2 * 0.5**5)
    assert share_trend(0, 4, 10, 10).tau == -1.0
    nothing_before = share_trend(3, 0, 10, 0)
    assert (nothing_before.tau, nothing_before.p_value) == (0.0, 1.0)
    assert share_trend(0, 0, 10, 10).p_value == 1.0


def test_input_is_not_mutated_and_arrays_are_read_only() -> None:
    t = table()
    before = (t.indptr.copy(), t.indices.copy(), t.references.copy())
    find_knots(t, params=PARAMS, today=TODAY)
    assert np.array_equal(t.indptr, before[0])
    assert np.array_equal(t.indices, before[1])
    assert list(t.references) == list(before[2])
    with pytest.raises(ValueError, match="read-only"):
        t.indices[0] = 3
