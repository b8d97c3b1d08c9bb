"""Federated knots (analytics.federation): three simulated instances, planted knots local to one,
shared by all, and frequent only in the union; the national knots equal the pooled ones, and
nothing a site sends reveals its own counts."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from analytics.federation import (
    MODULUS,
    SiteCounts,
    agreement_key_new,
    agreement_public,
    itemset_cell,
    masked,
    pair_key,
    secure_sum,
    secure_sum_vector,
    simulate_round,
    site_level_vector,
)
from analytics.knots import count_itemsets, gated_knots
from analytics.types import DeviationTable, KnotParams
from demo.synthetic import PlantedKnot, generate_table

PARAMS = KnotParams(min_support=25)
LOCAL = ("prov:2001:453#K4P1", "prov:2010:110#K27P48")
SHARED = ("agency:FK", "prov:2010:110#K28P1", "prov:2017:900#K9P1")
UNION_ONLY = ("prov:1993:387#K1P9", "prov:2000:625#K1P1")


def _planted(*knots: tuple[tuple[str, ...], float, int]) -> list[PlantedKnot]:
    return [
        PlantedKnot(f"k{i}", tags, share, "stable", spread)
        for i, (tags, share, spread) in enumerate(knots)
    ]


@pytest.fixture(scope="module")
def sites() -> dict[str, DeviationTable]:
    """Three instances of 3,000 deviations each (different seeds): LOCAL only at Roslagen,
    SHARED everywhere, UNION_ONLY at about 12 rows in each: under 25 at every site alone."""
    plans = {
        "roslagen": _planted((LOCAL, 0.02, 10), (SHARED, 0.012, 10), (UNION_ONLY, 0.004, 10)),
        "malmo": _planted((SHARED, 0.012, 10), (UNION_ONLY, 0.004, 10)),
        "goteborg": _planted((SHARED, 0.012, 10), (UNION_ONLY, 0.004, 10)),
    }
    tables = {}
    for seed, (site, planted) in enumerate(plans.items(), start=11):
        table, _ = generate_table(3000, seed=seed, planted=planted, vocabulary_size=150)
        # references and unit ids are each instance's own: disjoint in the pool
        offset = 1000 * seed
        records = [(f"{site}-{r[0]}", r[1], r[2], r[3] + offset, *r[4:]) for r in table.records()]
        tables[site] = DeviationTable.from_records(records)
    return tables


@pytest.fixture(scope="module")
def keys(sites: dict[str, DeviationTable]) -> dict[str, dict[str, bytes]]:
    """Each site's mask keys, agreed pairwise from published X25519 public keys."""
    private = {site: agreement_key_new() for site in sites}
    public = {site: agreement_public(key) for site, key in private.items()}
    return {
        site: {peer: pair_key(private[site], public[peer]) for peer in sites if peer != site}
        for site in sites
    }


def _pooled(sites: dict[str, DeviationTable]) -> DeviationTable:
    return DeviationTable.from_records(r for table in sites.values() for r in table.records())


def test_the_pair_keys_agree_from_both_sides(keys: dict[str, dict[str, bytes]]) -> None:
    for a, b in combinations(sorted(keys), 2):
        assert keys[a][b] == keys[b][a]
    assert len({keys["malmo"]["roslagen"], keys["malmo"]["goteborg"]}) == 2


def test_national_knots_equal_the_pooled_knots(
    sites: dict[str, DeviationTable], keys: dict[str, dict[str, bytes]]
) -> None:
    national, _wire = simulate_round(sites, params=PARAMS, pair_keys=keys, round_id="r1")
    pooled = gated_knots(count_itemsets(_pooled(sites), params=PARAMS), PARAMS)
    assert national == pooled
    found = {knot.tags for knot in national}
    assert {LOCAL, SHARED, UNION_ONLY} <= found


def test_the_union_only_knot_is_found_by_no_site_alone(sites: dict[str, DeviationTable]) -> None:
    for table in sites.values():
        alone = {knot.tags for knot in gated_knots(count_itemsets(table, params=PARAMS), PARAMS)}
        assert UNION_ONLY not in alone


def test_what_a_site_sends_reveals_none_of_its_counts(
    sites: dict[str, DeviationTable], keys: dict[str, dict[str, bytes]]
) -> None:
    """Each masked number alone, and the sum of any proper group of sites' numbers, differs
    from the true count; only all sites together give the counts."""
    _national, wire = simulate_round(sites, params=PARAMS, pair_keys=keys, round_id="r1")
    names = sorted(sites)
    levels: dict[int, list] = {}
    for itemset in wire["union"]:
        levels.setdefault(len(itemset), []).append(itemset)
    for position, (_size, candidates) in enumerate(sorted(levels.items())):
        true = {s: site_level_vector(sites[s], candidates, params=PARAMS) for s in names}
        sent = {s: wire["sent"][s][position] for s in names}
        for size in (1, 2):
            for group in combinations(names, size):
                guessed = sum(sent[s].astype(np.uint64) for s in group)
                actual = sum(true[s] for s in group).astype(np.uint64)
                assert not np.any(guessed == actual), (group, position)
        everyone = sum(sent[s].astype(np.uint64) for s in names).astype(np.int64)
        assert np.array_equal(everyone, sum(true[s] for s in names))


def test_successive_rounds_cannot_be_differenced(keys: dict[str, dict[str, bytes]]) -> None:
    """One more deviation on a knot between two exchanges: the difference of what the site sent
    in the two rounds is not that one."""
    before = SiteCounts(n=100, itemsets={("a", "b"): 4})
    after = SiteCounts(n=101, itemsets={("a", "b"): 5})
    cell = itemset_cell(("a", "b"))
    first = masked(before, site="malmo", pair_keys=keys["malmo"], round_id="2026-11")
    second = masked(after, site="malmo", pair_keys=keys["malmo"], round_id="2026-12")
    assert (second[cell] - first[cell]) % MODULUS != 1
    assert first[cell] not in (4, 5)


def test_a_missing_site_or_cell_is_refused_not_summed(
    sites: dict[str, DeviationTable], keys: dict[str, dict[str, bytes]]
) -> None:
    _national, wire = simulate_round(sites, params=PARAMS, pair_keys=keys, round_id="r1")
    pairs = {site: vectors[1] for site, vectors in wire["sent"].items()}  # level 2
    with pytest.raises(ValueError, match="site is missing"):
        secure_sum_vector([pairs["roslagen"], pairs["malmo"]])
    with pytest.raises(ValueError, match="same number"):
        secure_sum_vector([pairs["roslagen"], pairs["malmo"], pairs["goteborg"][:-1]])
    named = {"n": 1, "t:agency:FK": 2}
    with pytest.raises(ValueError, match="same cells"):
        secure_sum([named, {"n": 1}])


def test_national_knots_with_evidence_equal_the_pooled_analysis(
    sites: dict[str, DeviationTable], keys: dict[str, dict[str, bytes]]
) -> None:
    """Round 3: spread, units, severity, trend, months and score summed over the sites equal
    one instance's analysis of the union (the references stay home; first and last seen are
    by month)."""
    from datetime import date

    from analytics.knots import find_knots

    today = date(2026, 10, 31)
    _gated, wire = simulate_round(sites, params=PARAMS, pair_keys=keys, round_id="r1", today=today)
    national = wire["knots"]
    pooled = find_knots(_pooled(sites), params=PARAMS, today=today, include_local=True)
    assert [k.tags for k in national] == [k.tags for k in pooled]
    for ours, theirs in zip(national, pooled, strict=True):
        for name in ("support", "municipalities", "units", "split", "monthly", "local"):
            assert getattr(ours, name) == getattr(theirs, name), (ours.tags, name)
        for name in (
            "lift",
            "expected",
            "p_value",
            "trend",
            "trend_p",
            "severity_weight",
            "m_eff",
            "score",
        ):
            assert getattr(ours, name) == pytest.approx(getattr(theirs, name), rel=1e-9), name
        assert ours.deviations == ()
        assert ours.first_seen <= theirs.first_seen
        assert (ours.first_seen.year, ours.first_seen.month) == (
            theirs.first_seen.year,
            theirs.first_seen.month,
        )
        assert ours.last_seen >= theirs.last_seen
