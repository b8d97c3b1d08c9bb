"""Keyset (cursor) pages on the API's lists: the same rows in the same order as page numbers,
without counting rows off from the start (issue 19: the last page took 451/597 ms)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from rest_framework.test import APIClient

from deviations.models import Unit
from tests.factories import DeviationFactory


@pytest.fixture
def many(taby_unit: Unit) -> None:
    # Many deviations share a day, as they do at scale: ties are broken by the reference.
    for i in range(130):
        DeviationFactory(unit=taby_unit, occurred_on=date(2026, 1, 1) + timedelta(days=i % 7))


def cursor_of(link: str) -> str:
    return parse_qs(urlparse(link).query)["cursor"][0]


@pytest.mark.usefixtures("many")
def test_walking_the_cursor_gives_every_row_once_in_the_list_order(analyst_api: APIClient) -> None:
    by_page = []
    for page in (1, 2, 3):
        body = analyst_api.get("/api/v1/deviations/", {"page": page}).json()
        by_page += [row["reference"] for row in body["results"]]
    walked, pages, cursor = [], [], ""
    while True:
        body = analyst_api.get("/api/v1/deviations/", {"cursor": cursor}).json()
        assert "count" not in body
        pages.append(body)
        walked += [row["reference"] for row in body["results"]]
        if not body["next"]:
            break
        cursor = cursor_of(body["next"])
    assert walked == by_page
    assert len(walked) == len(set(walked)) == 130
    assert len(pages) == 3
    # Back from the last page: the page before it, in the same order.
    back = analyst_api.get("/api/v1/deviations/", {"cursor": cursor_of(pages[-1]["previous"])})
    assert [row["reference"] for row in back.json()["results"]] == walked[50:100]


@pytest.mark.usefixtures("many")
def test_keyset_pages_keep_the_filters_and_the_page_size(analyst_api: APIClient) -> None:
    body = analyst_api.get(
        "/api/v1/deviations/", {"cursor": "", "page_size": 20, "occurred_after": "2026-01-03"}
    ).json()
    assert len(body["results"]) == 20
    assert "occurred_after=2026-01-03" in body["next"]
    assert "page_size=20" in body["next"]
    assert all(row["occurred_on"] >= "2026-01-03" for row in body["results"])


@pytest.mark.usefixtures("many")
@pytest.mark.parametrize(
    ("params", "status"),
    [({"cursor": "not-a-cursor"}, 404), ({"cursor": "", "page": 2}, 400)],
)
def test_a_bad_cursor_is_refused_with_a_reason(
    analyst_api: APIClient, params: dict[str, object], status: int
) -> None:
    response = analyst_api.get("/api/v1/deviations/", params)
    assert response.status_code == status
    assert response.json()["detail"]
    if status == 400:
        assert response.json()["errors"]["cursor"]


def test_barriers_page_by_cursor_too(analyst_api: APIClient) -> None:
    response = analyst_api.get("/api/v1/barriers/", {"cursor": ""})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_thousand_deviations_on_one_day_page_through_without_a_gap(
    analyst_api: APIClient, taby_unit: Unit
) -> None:
    # DRF's own cursor positions on the first field only and gives up on ties beyond 1,000.
    for _ in range(120):
        DeviationFactory(unit=taby_unit, occurred_on=date(2026, 2, 2))
    walked, cursor = [], ""
    for _ in range(10):
        body = analyst_api.get("/api/v1/deviations/", {"cursor": cursor, "page_size": 7}).json()
        walked += [row["reference"] for row in body["results"]]
        if not body["next"]:
            break
        cursor = cursor_of(body["next"])
    assert len(walked) == 70
    rest = []
    while cursor:
        body = analyst_api.get("/api/v1/deviations/", {"cursor": cursor, "page_size": 7}).json()
        rest += [row["reference"] for row in body["results"]]
        cursor = cursor_of(body["next"]) if body["next"] else ""
    assert len(set(walked + rest)) == len(walked + rest) == 120
    assert walked + rest == sorted(walked + rest, reverse=True)  # newest reference first


def test_a_list_ordered_by_a_field_that_may_be_empty_refuses_cursor_pages(
    analyst_api: APIClient,
) -> None:
    response = analyst_api.get("/api/v1/escalations/", {"cursor": ""})
    assert response.status_code == 400
    assert response.json()["errors"]["cursor"]
