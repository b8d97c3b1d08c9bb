"""The knots page and the knots API a page at a time (issue 19: 237 knots at 100k, 3 MiB)."""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.presentation import knot_key
from analytics.results import KnotResult, ServedKnots
from analytics.types import Knot

PROVISIONS = [
    f"prov:2010:110#K{chapter}P{section}" for chapter in (27, 28, 30) for section in range(1, 21)
]


def knot(rank: int) -> Knot:
    tags = tuple(sorted(("agency:AF", "agency:FK", PROVISIONS[rank])))
    return Knot(
        tags=tags,
        support=100 - rank,
        municipalities=4,
        units=2,
        lift=3.0,
        expected=10.0,
        surplus=90.0 - rank,
        p_value=0.001,
        split=((tags[0],), tags[1:]),
        trend=0.1,
        trend_p=0.5,
        severity_weight=2.0,
        m_eff=4.0,
        score=1.0 - rank / 100,
        first_seen=date(2026, 1, 5),
        last_seen=date(2026, 3, 2),
        deviations=tuple(f"AV-2026-{i:05d}" for i in range(5)),
        monthly=(),
        local=False,
    )


KNOTS = tuple(knot(rank) for rank in range(60))


@pytest.fixture
def served():
    result = KnotResult(
        knots=KNOTS,
        deviations=5000,
        computed_at=timezone.now(),
        tag_version=1,
        today=date(2026, 4, 1),
    )
    value = ServedKnots(result, stale=False, job=None)
    with (
        mock.patch("analytics.views.knot_result_served", return_value=value),
        mock.patch("api.views.analysis.knot_result_served", return_value=value),
    ):
        yield


@pytest.mark.usefixtures("served")
def test_the_knots_page_shows_25_at_a_time_and_keeps_the_filters(analyst_client: Client) -> None:
    first = analyst_client.get("/analys/knutar/", {"min_support": "10"}).content.decode()
    assert first.count('class="knot"') == 25
    assert knot_key(KNOTS[0].tags) in first
    assert knot_key(KNOTS[25].tags) not in first
    assert "60 " in first  # the count is of all knots, not of this page
    assert "min_support=10&amp;page=2" in first
    third = analyst_client.get("/analys/knutar/", {"min_support": "10", "page": "3"})
    body = third.content.decode()
    assert body.count('class="knot"') == 10
    assert 'start="51"' in body  # the ranks go on from the pages before
    # A knot's link keeps the filters but not the list's page number.
    assert f'/analys/knutar/{knot_key(KNOTS[50].tags)}/?min_support=10"' in body
    # A page past the end or not a number shows the nearest page, as every list does.
    assert analyst_client.get("/analys/knutar/", {"page": "99"}).status_code == 200
    assert analyst_client.get("/analys/knutar/", {"page": "x"}).status_code == 200


@pytest.mark.usefixtures("served")
def test_the_knots_api_pages_with_link_headers(analyst_api: APIClient) -> None:
    response = analyst_api.get("/api/v1/knots/", {"min_support": 10})
    assert response.status_code == 200
    assert len(response.json()) == 50
    assert response["Knots-Total"] == "60"
    assert 'rel="next"' in response["Link"]
    assert "page=2" in response["Link"]
    assert "min_support=10" in response["Link"]
    second = analyst_api.get("/api/v1/knots/", {"min_support": 10, "page": 2})
    assert [k["key"] for k in second.json()] == [knot_key(k.tags) for k in KNOTS[50:]]
    assert 'rel="prev"' in second["Link"]
    assert 'rel="next"' not in second["Link"]
    small = analyst_api.get("/api/v1/knots/", {"page_size": 7, "page": 3}).json()
    assert [k["key"] for k in small] == [knot_key(k.tags) for k in KNOTS[14:21]]


@pytest.mark.usefixtures("served")
@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"page": "0"}, 400),
        ({"page": "två"}, 400),
        ({"page_size": "501"}, 400),
        ({"page_size": "-1"}, 400),
        ({"page": "3"}, 404),
    ],
)
def test_bad_knot_pages_are_refused_with_a_reason(
    analyst_api: APIClient, params: dict[str, str], status: int
) -> None:
    response = analyst_api.get("/api/v1/knots/", params)
    assert response.status_code == status
    assert response.json()
