"""The deviation pages: filters with clear errors, the detail page with tags and timeline."""

import pytest
from django.test import Client
from django.urls import reverse

from deviations.models import Tagging, Unit, User
from tests.factories import DeviationFactory, TaggingFactory, tag_decide


def test_list_filters_by_agency(analyst_client: Client, taby_unit: Unit) -> None:
    tagged, untagged = DeviationFactory(unit=taby_unit), DeviationFactory(unit=taby_unit)
    TaggingFactory(deviation=tagged, tag_id="agency:AF")
    page = analyst_client.get(reverse("deviations:list"), {"agency": "AF"}).content.decode()
    assert tagged.reference in page
    assert untagged.reference not in page


@pytest.mark.parametrize(
    "params",
    [
        {"occurred_after": "igår"},
        {"municipality": "0000"},
        {"provision": "<script>alert(1)</script>"},
    ],
)
def test_bad_filter_values_are_explained_not_crashed(
    analyst_client: Client, taby_unit: Unit, params: dict[str, str]
) -> None:
    DeviationFactory(unit=taby_unit)
    response = analyst_client.get(reverse("deviations:list"), params)
    assert response.status_code == 200
    page = response.content.decode()
    assert "error-summary" in page
    assert "<script>alert(1)</script>" not in page


def test_detail_shows_tags_explanations_and_the_timeline(
    analyst_client: Client, analyst: User, taby_unit: Unit
) -> None:
    deviation = DeviationFactory(unit=taby_unit)
    tagging = TaggingFactory(
        deviation=deviation,
        tag_id="prov:2010:110#K27P48",
        state=Tagging.State.SUGGESTED,
        rule="chapter-section + law abbreviation",
        confidence=0.95,
    )
    tag_decide(tagging=tagging, state=Tagging.State.CONFIRMED, by=analyst)
    page = analyst_client.get(deviation.get_absolute_url()).content.decode()
    assert 'title="prov:2010:110#K27P48"' in page  # the id on hover, for analysts
    assert "regel: kapitel och paragraf + lagförkortning" in page
    assert "säkerhet 0,95" in page
    assert "Taggen 27 kap. 48 § SFB bekräftad" in page


def test_pagination_keeps_the_filters(analyst_client: Client, taby_unit: Unit) -> None:
    for deviation in DeviationFactory.create_batch(55, unit=taby_unit):
        TaggingFactory(deviation=deviation, tag_id="agency:FK")
    page = analyst_client.get(reverse("deviations:list"), {"agency": "FK"}).content.decode()
    assert "agency=FK&amp;page=2" in page


def test_home_lists_my_own_deviations(staff_client: Client, staff: User, taby_unit: Unit) -> None:
    mine = DeviationFactory(unit=taby_unit, reporter=staff)
    page = staff_client.get(reverse("home")).content.decode()
    assert mine.reference in page
    assert "Mina avvikelser" in page
