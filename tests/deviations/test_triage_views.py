"""The triage pages: analysts only, radios per tag, bulk actions and undo."""

import pytest
from django.test import Client
from django.urls import reverse

from deviations.models import Deviation, TriageAction, Unit
from tests.factories import DeviationFactory, TaggingFactory


@pytest.fixture
def waiting(taby_unit: Unit) -> list[Deviation]:
    rows = []
    for _ in range(3):
        deviation = DeviationFactory(unit=taby_unit)
        for tag_id in ("agency:FK", "agency:AF"):
            TaggingFactory(deviation=deviation, tag_id=tag_id, state="suggested", origin="tagger")
        rows.append(deviation)
    return rows


def test_staff_cannot_triage(staff_client: Client, waiting: list[Deviation]) -> None:
    assert staff_client.get(reverse("triage:queue")).status_code == 403
    url = reverse("triage:deviation", kwargs={"reference": waiting[0].reference})
    assert staff_client.post(url, {"tag:agency:FK": "confirmed"}).status_code == 403


def test_queue_lists_oldest_first_with_suggestion_counts(
    analyst_client: Client, waiting: list[Deviation]
) -> None:
    response = analyst_client.get(reverse("triage:queue"))
    assert response.status_code == 200
    assert [d.reference for d in response.context["rows"]] == [d.reference for d in waiting]
    assert [d.suggested_count for d in response.context["rows"]] == [2, 2, 2]


def test_save_and_next_goes_to_the_next_in_the_queue(
    analyst_client: Client, waiting: list[Deviation]
) -> None:
    first, second, _ = waiting
    url = reverse("triage:deviation", kwargs={"reference": first.reference})
    page = analyst_client.get(url)
    assert 'data-tag="agency:FK"' in page.content.decode()
    response = analyst_client.post(
        url,
        {
            "tag:agency:FK": "confirmed",
            "tag:agency:AF": "rejected",
            "add": "Kommunen; law:2010:110",
            "duplicate_of": "none",
            "action": "save_next",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "triage:deviation", kwargs={"reference": second.reference}
    )
    first.refresh_from_db()
    assert first.status == "triaged"
    assert first.confirmed_tags == "agency:FK;agency:KOMMUN;law:2010:110"


def test_unknown_added_tag_is_reported_and_nothing_changes(
    analyst_client: Client, waiting: list[Deviation]
) -> None:
    url = reverse("triage:deviation", kwargs={"reference": waiting[0].reference})
    response = analyst_client.post(
        url, {"tag:agency:FK": "confirmed", "add": "Påhittad myndighet", "action": "save"}
    )
    assert response.status_code == 200
    assert "Påhittad myndighet" in response.content.decode()
    assert not TriageAction.objects.exists()


def test_undo_from_the_page(analyst_client: Client, waiting: list[Deviation]) -> None:
    url = reverse("triage:deviation", kwargs={"reference": waiting[0].reference})
    analyst_client.post(url, {"tag:agency:FK": "confirmed", "action": "save"})
    action = TriageAction.objects.get()
    page = analyst_client.get(url)
    assert reverse("triage:undo", kwargs={"action_id": action.pk}) in page.content.decode()
    analyst_client.post(reverse("triage:undo", kwargs={"action_id": action.pk}))
    waiting[0].refresh_from_db()
    assert waiting[0].confirmed_tags == ""


def test_bulk_action(analyst_client: Client, waiting: list[Deviation]) -> None:
    response = analyst_client.post(
        reverse("triage:bulk"),
        {"deviations": [d.reference for d in waiting[:2]], "action": "confirm_and_done"},
    )
    assert response.status_code == 302
    statuses = [Deviation.objects.get(pk=d.pk).status for d in waiting]
    assert statuses == ["triaged", "triaged", "submitted"]
    empty = analyst_client.post(reverse("triage:bulk"), {"action": "done"})
    assert empty.status_code == 302


def test_the_queue_is_searched_and_filtered_with_the_lists_own_filters(
    analyst_client: Client, waiting: list[Deviation], haninge_unit: Unit
) -> None:
    Deviation.objects.filter(pk=waiting[1].pk).update(
        description="Försäkringskassan och kommunen bedömde arbetsförmågan olika."
    )
    other = DeviationFactory(unit=haninge_unit)
    url = reverse("triage:queue")
    found = analyst_client.get(url, {"q": "ARBETSFÖRMÅGAN kommunen"})
    assert [d.reference for d in found.context["rows"]] == [waiting[1].reference]
    assert found.context["total"] == 4  # the whole queue is still counted
    by_unit = analyst_client.get(url, {"unit": haninge_unit.pk})
    assert [d.reference for d in by_unit.context["rows"]] == [other.reference]
    # A filter of the list that means nothing before triage is not offered here.
    assert "agency" not in found.context["filter"].form.fields
    bad = analyst_client.get(url, {"occurred_after": "igår", "q": "kvar"})
    assert bad.status_code == 200
    page = bad.content.decode()
    assert 'value="kvar"' in page  # what was typed stays
    assert bad.context["rows"] == []


def test_the_deviation_list_and_api_honour_q(
    analyst_client: Client, waiting: list[Deviation], analyst_api
) -> None:
    Deviation.objects.filter(pk=waiting[2].pk).update(description="Ett unikt ord: blåbärssoppa.")
    listed = analyst_client.get(reverse("deviations:list"), {"q": "blåbärssoppa"})
    assert [d.reference for d in listed.context["page_obj"]] == [waiting[2].reference]
    api = analyst_api.get("/api/v1/deviations/", {"q": "blåbärssoppa"}).json()
    assert [d["reference"] for d in api["results"]] == [waiting[2].reference]
