"""The deviation API: filters return exactly the matching rows, bad input gets a 400."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from catalogue.models import Municipality
from deviations.models import Deviation, Tagging, Unit
from tests.factories import DeviationFactory, TaggingFactory


@pytest.fixture
def corpus(taby_unit: Unit, haninge_unit: Unit) -> dict[str, Deviation]:
    """Five deviations whose attributes and tags differ one at a time."""
    taby, danderyd = (Municipality.objects.get(code=c) for c in ("0160", "0162"))
    rows = {
        "a": DeviationFactory(
            unit=taby_unit,
            municipality=taby,
            occurred_on=date(2024, 1, 10),
            category="work_capacity",
            severity=4,
        ),
        "b": DeviationFactory(
            unit=taby_unit,
            municipality=danderyd,
            occurred_on=date(2025, 5, 1),
            category="payment_gap",
            severity=2,
        ),
        "c": DeviationFactory(
            unit=haninge_unit,
            occurred_on=date(2025, 8, 15),
            category="work_capacity",
            severity=3,
            status=Deviation.Status.TRIAGED,
        ),
        "d": DeviationFactory(
            unit=haninge_unit,
            occurred_on=date(2026, 2, 1),
            category="information_secrecy",
            severity=1,
        ),
        "e": DeviationFactory(
            unit=taby_unit,
            municipality=taby,
            occurred_on=date(2026, 3, 1),
            category="other",
            severity=None,
        ),
    }
    for key, tags in {
        "a": ["agency:FK", "agency:AF", "law:2010:110", "prov:2010:110#K27P48"],
        "b": ["agency:FK", "law:2010:110"],
        "c": ["agency:KOMMUN", "law:2001:453", "prov:2001:453#K4P1"],
        "d": ["agency:REGION", "law:2009:400"],
    }.items():
        for tag in tags:
            TaggingFactory(deviation=rows[key], tag_id=tag)
    # A suggested or rejected tag is not a fact yet: filters must not match it.
    TaggingFactory(deviation=rows["e"], tag_id="agency:FK", state=Tagging.State.SUGGESTED)
    TaggingFactory(deviation=rows["d"], tag_id="agency:AF", state=Tagging.State.REJECTED)
    return rows


def _refs(api: APIClient, params: dict[str, object]) -> set[str]:
    response = api.get("/api/v1/deviations/", params)
    assert response.status_code == 200, response.json()
    return {row["reference"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, "abcde"),
        ({"occurred_after": "2025-05-01"}, "bcde"),
        ({"occurred_before": "2025-05-01"}, "ab"),
        ({"occurred_after": "2025-01-01", "occurred_before": "2025-12-31"}, "bc"),
        ({"municipality": "0162"}, "b"),
        ({"municipality": ["0160", "0136"]}, "acde"),
        ({"status": "triaged"}, "c"),
        ({"status": ["triaged", "submitted"]}, "abcde"),
        ({"category": "work_capacity"}, "ac"),
        ({"severity": 3}, "ac"),
        ({"agency": "FK"}, "ab"),
        ({"agency": "af"}, "a"),
        ({"law": "2010:110"}, "ab"),
        ({"law": "2001:453"}, "c"),
        ({"provision": "prov:2010:110#K27P48"}, "a"),
        ({"tag": "law:2009:400"}, "d"),
        ({"agency": "FK", "occurred_after": "2025-01-01"}, "b"),
        ({"agency": "CSN"}, ""),
    ],
)
def test_filters_return_exactly_the_matching_rows(
    analyst_api: APIClient, corpus, params, expected
) -> None:
    assert _refs(analyst_api, params) == {corpus[key].reference for key in expected}


def test_unit_filter(analyst_api: APIClient, corpus, haninge_unit: Unit) -> None:
    assert _refs(analyst_api, {"unit": haninge_unit.pk}) == {
        corpus["c"].reference,
        corpus["d"].reference,
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"occurred_after": "not-a-date"}, "occurred_after"),
        ({"municipality": "9999"}, "municipality"),
        ({"status": "lost"}, "status"),
        ({"provision": "law:2010:110"}, "provision"),
        ({"law": "Ingen sådan lag"}, "law"),
        ({"agency": "F K"}, "agency"),
    ],
)
def test_invalid_filter_values_get_a_400_naming_the_field(
    analyst_api: APIClient, params, field
) -> None:
    response = analyst_api.get("/api/v1/deviations/", params)
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"]
    assert body["detail"].startswith(field)


def test_unknown_filter_names_are_refused(analyst_api: APIClient, corpus) -> None:
    response = analyst_api.get("/api/v1/deviations/", {"agnecy": "FK"})
    assert response.status_code == 400
    assert "agnecy" in response.json()["detail"]


def test_detail_shows_tags_with_their_explanation(analyst_api: APIClient, corpus) -> None:
    body = analyst_api.get(f"/api/v1/deviations/{corpus['a'].reference}/").json()
    assert body["municipality"] == "0160"
    assert {t["tag_id"] for t in body["tags"]} == {
        "agency:AF",
        "agency:FK",
        "law:2010:110",
        "prov:2010:110#K27P48",
    }
    assert all(t["rule"] for t in body["tags"])


def test_list_query_count_does_not_grow_with_rows(
    analyst_api: APIClient, taby_unit: Unit, django_assert_max_num_queries
) -> None:
    for deviation in DeviationFactory.create_batch(30, unit=taby_unit):
        TaggingFactory(deviation=deviation, tag_id="agency:FK")
    with django_assert_max_num_queries(8):
        response = analyst_api.get("/api/v1/deviations/")
    assert response.json()["count"] == 30


def test_deviations_cannot_be_deleted_or_rewritten(analyst_api: APIClient, corpus) -> None:
    url = f"/api/v1/deviations/{corpus['a'].reference}/"
    assert analyst_api.delete(url).status_code == 405
    assert analyst_api.put(url, {"description": "x"}, format="json").status_code == 405


def test_only_staff_can_file(analyst_api: APIClient) -> None:
    response = analyst_api.post("/api/v1/deviations/", {}, format="json")
    assert response.status_code == 403
