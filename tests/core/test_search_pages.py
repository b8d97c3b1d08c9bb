"""Search and saved views ("Mina vyer") as people use them: the search page, the lists' `q`,
the API, and saved filters — each showing only what the person may see."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import SavedView
from core.saved_views import VIEWS_MAX, saved_view_save
from deviations.models import Unit, User
from tests.barriers.factories import BarrierFactory
from tests.factories import DeviationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def texts(taby_unit: Unit, haninge_unit: Unit) -> dict[str, str]:
    own = DeviationFactory(
        unit=taby_unit,
        municipality=taby_unit.municipalities.first(),
        description="Färdtjänsten nekades eftersom intyget från vårdcentralen saknades.",
    )
    foreign = DeviationFactory(
        unit=haninge_unit,
        municipality=haninge_unit.municipalities.first(),
        description="Färdtjänsten i Haninge krävde ett nytt intyg.",
    )
    DeviationFactory(unit=taby_unit, description="Något helt annat hände med CSN.")
    return {"own": own.reference, "foreign": foreign.reference}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_search_page_finds_only_what_the_person_may_see(staff, analyst, texts):
    page = _client(staff).get(reverse("search"), {"q": "färdtjänst intyget"})
    body = page.content.decode()
    assert page.status_code == 200
    assert texts["own"] in body
    assert texts["foreign"] not in body
    assert "<mark>Färdtjänsten</mark>" in body
    everything = _client(analyst).get(reverse("search"), {"q": "färdtjänst"}).content.decode()
    assert texts["own"] in everything
    assert texts["foreign"] in everything


def test_the_search_page_explains_words_it_cannot_use(staff, texts):
    common = _client(staff).get(reverse("search"), {"q": "och att"})
    assert common.status_code == 200
    assert "för vanliga" in common.content.decode()
    long = _client(staff).get(reverse("search"), {"q": "ord " * 80})
    assert long.status_code == 400
    assert "högst 200 tecken" in long.content.decode()
    assert 'value="ord ord' in long.content.decode()  # what was typed stays in the box


def test_the_list_ranks_and_marks_and_the_triage_queue_filters(analyst, texts):
    client = _client(analyst)
    listed = client.get(reverse("deviations:list"), {"q": "intyg"}).content.decode()
    assert texts["own"] in listed  # "intyget" and "intyg" share their stem
    assert texts["foreign"] in listed
    assert "Där orden finns" in listed
    narrow = client.get(reverse("deviations:list"), {"q": "intyg vårdcentral"}).content.decode()
    assert texts["own"] in narrow
    assert texts["foreign"] not in narrow
    queue = client.get(reverse("triage:queue"), {"q": "färdtjänsten"}).content.decode()
    assert texts["own"] in queue
    assert "<mark>" in queue


def test_the_api_orders_the_best_answers_first(analyst, taby_unit, texts):
    best = DeviationFactory(
        unit=taby_unit, description="Färdtjänst, färdtjänst och åter färdtjänst: tre gånger."
    )
    client = APIClient()
    client.force_authenticate(analyst)
    answer = client.get("/api/v1/deviations/", {"q": "färdtjänst"})
    assert answer.status_code == 200, answer.content
    refs = [row["reference"] for row in answer.json()["results"]]
    assert refs[0] == best.reference
    assert set(refs) == {best.reference, texts["own"], texts["foreign"]}


def test_barriers_are_searched_for_those_who_see_them(analyst, steering_member, db):
    BarrierFactory(title="Färdtjänst och intyg", description="Intygen krävs två gånger.")
    BarrierFactory(title="Studiemedel", description="CSN och sjukskrivning.")
    listed = _client(analyst).get(reverse("barriers:list"), {"q": "intygen"}).content.decode()
    assert "Färdtjänst och intyg" in listed
    assert "Studiemedel" not in listed
    assert "<mark>Intygen</mark>" in listed
    hidden = _client(steering_member).get(reverse("search"), {"q": "intyg"}).content.decode()
    assert "Färdtjänst och intyg" not in hidden  # nothing was escalated to their group


def test_a_view_is_saved_opened_replaced_and_removed(analyst, texts):
    client = _client(analyst)
    saved = client.post(
        reverse("saved_view_save"),
        {"page": "deviations:list", "name": " Färdtjänst  ", "query": "q=färdtjänst&page=3"},
    )
    view = SavedView.objects.get(user=analyst)
    assert (view.name, view.query) == ("Färdtjänst", "q=f%C3%A4rdtj%C3%A4nst")  # no page
    assert saved.status_code == 302
    assert saved.url == reverse("deviations:list") + "?" + view.query
    listed = client.get(saved.url).content.decode()
    assert 'aria-current="page">Färdtjänst</a>' in listed
    client.post(
        reverse("saved_view_save"),
        {"page": "deviations:list", "name": "Färdtjänst", "query": "q=intyg"},
    )
    assert SavedView.objects.get(user=analyst).query == "q=intyg"  # same name: replaced
    start = client.get(reverse("home")).content.decode()
    assert "Mina vyer" in start
    mine = client.get(reverse("saved_views")).content.decode()
    assert "Färdtjänst" in mine
    client.post(reverse("saved_views"), {"delete": view.pk})
    assert not SavedView.objects.filter(user=analyst).exists()


def test_saving_a_view_refuses_clearly_and_keeps_the_name(staff, analyst):
    client = _client(staff)
    pnr = client.post(
        reverse("saved_view_save"),
        {"page": "deviations:list", "name": "Ärende 19121212-1212", "query": "q=csn"},
    )
    assert pnr.status_code == 400
    assert "personnummer" in pnr.content.decode().lower()
    assert 'value="Ärende 19121212-1212"' in pnr.content.decode()
    unknown = client.post(
        reverse("saved_view_save"), {"page": "admin:index", "name": "x", "query": ""}
    )
    assert unknown.status_code == 400
    empty = client.post(reverse("saved_view_save"), {"page": "deviations:list", "name": " "})
    assert empty.status_code == 400
    assert not SavedView.objects.exists()
    for n in range(VIEWS_MAX):
        saved_view_save(user=analyst, page="deviations:list", name=f"v{n}", query="q=a")
    too_many = _client(analyst).post(
        reverse("saved_view_save"), {"page": "deviations:list", "name": "en till", "query": ""}
    )
    assert too_many.status_code == 400
    assert SavedView.objects.filter(user=analyst).count() == VIEWS_MAX


def test_nobody_removes_or_sees_another_persons_view(staff, analyst):
    view = saved_view_save(user=analyst, page="deviations:list", name="Annas lista", query="q=csn")
    client = _client(staff)
    client.post(reverse("saved_views"), {"delete": view.pk})
    client.post(reverse("saved_views"), {"delete": "inte ett tal"})
    assert SavedView.objects.filter(pk=view.pk).exists()
    assert "Annas lista" not in client.get(reverse("saved_views")).content.decode()


def test_the_barrier_api_and_list_share_one_filter(analyst, db):
    BarrierFactory(title="Färdtjänst och intyg", description="Intygen krävs två gånger.")
    BarrierFactory(title="Studiemedel", description="CSN och sjukskrivning.")
    client = APIClient()
    client.force_authenticate(analyst)
    found = client.get("/api/v1/barriers/", {"q": "intyget"})
    assert found.status_code == 200, found.content
    assert [b["title"] for b in found.json()["results"]] == ["Färdtjänst och intyg"]
    wrong = client.get("/api/v1/barriers/", {"status": "nonsense"})
    assert wrong.status_code == 400
    assert "status" in wrong.json()["detail"].lower() or "status" in str(wrong.json()).lower()
    page = _client(analyst).get(reverse("barriers:list"), {"status": "nonsense", "q": "intyg"})
    assert page.status_code == 200
    body = page.content.decode()
    assert 'role="alert"' in body
    assert 'value="intyg"' in body  # what was typed stays
    assert "Färdtjänst och intyg" not in body


def test_the_api_counts_a_search_only_so_far(analyst, texts, monkeypatch):
    import core.search

    monkeypatch.setattr(core.search, "COUNT_MAX", 1)
    client = APIClient()
    client.force_authenticate(analyst)
    searched = client.get("/api/v1/deviations/", {"q": "färdtjänst"}).json()
    assert (searched["count"], searched["count_capped"]) == (1, True)
    assert len(searched["results"]) == 1  # one page of what was counted
    whole = client.get("/api/v1/deviations/").json()
    assert (whole["count"], whole["count_capped"]) == (3, False)  # no search: counted in full
