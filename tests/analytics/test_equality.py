"""Equality in every knot (analytics.equality): planted knots, the test's arithmetic and the
disclosure rule."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from scipy import stats

from analytics.equality import equality_finding, fisher_greater, knot_equality
from analytics.knots import find_knots, knots_as_json
from analytics.types import DeviationTable

TODAY = date(2026, 6, 30)
UNEVEN = ("agency:AF", "agency:FK", "prov:2010:110#K27P48")  # hits women twice as often
EVEN = ("agency:KOMMUN", "agency:REGION", "law:2001:453")  # spread like everything else
PLACES = ("0160", "0162", "0114", "0117", "0120", "0125")


def _record(i: int, tags: tuple[str, ...], gender: str, age: str = "", place: str = "") -> tuple:
    return (
        f"AV-2026-{i:05d}",
        TODAY - timedelta(days=i % 28),  # all in June: one period
        place or PLACES[i % len(PLACES)],
        1 + i % 3,
        None,
        gender,
        tags,
        age,
    )


def _planted() -> DeviationTable:
    """One knot two thirds women, one a third women, among deviations a third women."""
    records, i = [], 0
    for n, tags, women in ((90, UNEVEN, 60), (90, EVEN, 30), (900, ("agency:CSN",), 300)):
        for j in range(n):
            records.append(_record(i, tags, "kvinna" if j < women else "man"))
            i += 1
    return DeviationTable.from_records(records)


def test_a_knot_that_hits_women_twice_as_often_is_flagged_and_an_even_one_is_not() -> None:
    knots = {k.tags: k for k in find_knots(_planted(), today=TODAY, include_local=True)}
    uneven, even = knots[UNEVEN].equality, knots[EVEN].equality
    assert uneven is not None
    assert uneven.significant
    assert (uneven.dimension, uneven.group) == ("gender", "kvinna")
    # 60 of 90 against the others of the same months and places: 30 + 300 of 990.
    assert uneven.ratio == pytest.approx((60 / 90) / (330 / 990))
    assert (uneven.inside, uneven.inside_total, uneven.others, uneven.others_total) == (
        60,
        90,
        330,
        990,
    )
    assert even is None or not even.significant
    as_json = {tuple(k["tags"]): k for k in knots_as_json(list(knots.values()))}
    assert as_json[UNEVEN]["equality"]["group"] == "kvinna"
    assert as_json[UNEVEN]["equality"]["significant"] is True
    assert set(as_json[UNEVEN]["equality"]) == {"dimension", "group", "ratio", "p", "significant"}
    assert as_json[EVEN]["equality"] is None or not as_json[EVEN]["equality"]["significant"]


def test_the_comparison_is_the_knots_own_places_and_months() -> None:
    """A knot in a municipality that reports mostly women's cases is not unequal for that:
    the country's other deviations are mostly men's, those of its own place are not."""
    records, i = [], 0
    for j in range(60):  # the knot: 40 women, in 0160 only
        records.append(_record(i, UNEVEN, "kvinna" if j < 40 else "man", place="0160"))
        i += 1
    for j in range(300):  # 0160's other deviations: two thirds women too
        records.append(_record(i, ("agency:CSN",), "kvinna" if j < 200 else "man", place="0160"))
        i += 1
    for j in range(600):  # elsewhere: one woman in six
        records.append(_record(i, ("agency:CSN",), "kvinna" if j < 100 else "man", place="0162"))
        i += 1
    table = DeviationTable.from_records(records)
    knot = next(k for k in find_knots(table, today=TODAY, include_local=True) if k.tags == UNEVEN)
    assert knot.equality is None or not knot.equality.significant
    # Later months than the knot's are not its period either.
    late = [_record(i + j, ("agency:CSN",), "man", place="0160") for j in range(500)]
    late = [(*r[:1], TODAY + timedelta(days=400), *r[2:]) for r in late]
    findings = knot_equality(
        DeviationTable.from_records([*records, *late]),
        [np.arange(60)],
    )
    assert findings[0] is None or not findings[0].significant


def test_age_bands_are_compared_too() -> None:
    records, i = [], 0
    for j in range(80):  # the knot: half of it 16-19
        records.append(_record(i, UNEVEN, "", "16-19" if j % 2 else "30-39"))
        i += 1
    for j in range(800):  # the rest: one in ten 16-19
        records.append(_record(i, ("agency:CSN",), "", "16-19" if j % 10 == 0 else "30-39"))
        i += 1
    knot = next(
        k
        for k in find_knots(DeviationTable.from_records(records), today=TODAY, include_local=True)
        if k.tags == UNEVEN
    )
    assert knot.equality is not None
    assert knot.equality.significant
    assert (knot.equality.dimension, knot.equality.group) == ("age_band", "16-19")
    assert knot.equality.ratio == pytest.approx((40 / 80) / (80 / 800))


def test_no_cell_below_the_disclosure_limit_is_compared() -> None:
    # Four men in the knot: "women" would be compared against a cell of four.
    inside = {"gender": {"kvinna": 56, "man": 4}}
    area = {"gender": {"kvinna": 356, "man": 604}}
    assert equality_finding(inside, area) is None
    # Five men: every cell holds at least five, and the finding is there.
    found = equality_finding({"gender": {"kvinna": 55, "man": 5}}, area)
    assert found is not None
    assert found.group == "kvinna"
    assert found.significant
    # Four of the group among the others is as small.
    assert (
        equality_finding(
            {"gender": {"kvinna": 10, "man": 50}}, {"gender": {"kvinna": 14, "man": 500}}
        )
        is None
    )


def test_not_given_is_left_out_and_a_trivial_difference_is_no_finding() -> None:
    area = {"gender": {"kvinna": 55_000, "man": 45_000, "": 50_000, "okänt": 900}}
    inside = {"gender": {"kvinna": 5_900, "man": 4_100, "": 9_000, "okänt": 10}}
    found = equality_finding(inside, area)
    assert found is not None
    assert found.group == "kvinna"
    assert found.p_value < 0.05  # significant with ten thousand deviations …
    assert found.ratio < 1.25
    assert not found.significant


@pytest.mark.parametrize(
    ("k", "n", "b", "m"), [(60, 90, 330, 990), (5, 20, 30, 200), (12, 12, 5, 400), (0, 10, 10, 20)]
)
def test_fisher_tail_equals_scipy(k: int, n: int, b: int, m: int) -> None:
    expected = stats.fisher_exact([[k, n - k], [b, m - b]], alternative="greater")[1]
    assert fisher_greater(k, n, b, m) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_lists_keep_only_unequal_knots_or_put_them_first() -> None:
    from analytics.equality import knots_listed
    from analytics.types import KnotListing

    knots = find_knots(_planted(), today=TODAY, include_local=True)
    assert len(knots) >= 2
    only = knots_listed(knots, KnotListing(equality_only=True))
    assert [k.tags for k in only] == [UNEVEN]
    first = knots_listed(knots, KnotListing(order="equality"))
    assert first[0].tags == UNEVEN
    assert len(first) == len(knots)
    assert knots_listed(knots, KnotListing()) == knots


@pytest.mark.django_db
def test_the_sentence_says_whom_the_knot_hits_in_swedish() -> None:
    from django.utils import translation

    from analytics.presentation import equality_explanation, knot_sentence

    knots = {k.tags: k for k in find_knots(_planted(), today=TODAY, include_local=True)}
    with translation.override("sv"):
        sentence = knot_sentence(knots[UNEVEN])
        explained = equality_explanation(knots[UNEVEN].equality, exact=False)
        assert "drabbar kvinnor 2,0 gånger oftare än övriga avvikelser" in sentence
        assert "drabbar" not in knot_sentence(knots[EVEN])
        assert "60" in explained
        assert "330" in explained


@pytest.mark.django_db
def test_page_and_api_filter_and_refuse_alike(client, settings) -> None:  # noqa: ANN001
    from rest_framework.test import APIClient

    from tests.factories import UserFactory

    analyst = UserFactory(roles=["analyst"])
    client.force_login(analyst)
    page = client.get("/analys/knutar/?equality=maybe")
    assert page.status_code == 200
    assert "equality" in page.context["form"].errors
    api = APIClient()
    api.force_authenticate(analyst)
    refused = api.get("/api/v1/knots/?order=loudest")
    assert refused.status_code == 400
    assert "order" in str(refused.json())


@pytest.mark.django_db
def test_a_result_kept_before_knots_had_a_finding_is_not_served(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Kept results are pickled knots: one from before an upgrade would lack `equality`."""
    from django.core.cache import cache

    from analytics import results

    monkeypatch.setattr(results, "RESULT_FORMAT", results.RESULT_FORMAT - 1)
    old_key = results._key(results.AnalysisFilter(), results.KnotParams())
    cache.set(old_key, "a result in the old form")
    monkeypatch.undo()
    assert results._key(results.AnalysisFilter(), results.KnotParams()) != old_key
    assert results.knot_result_kept() is None
