"""A barrier marked as an equality issue, and whom it hits in its dossier (issue 20)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from analytics.types import EqualityFinding
from barriers.dossier import dossier_context
from barriers.models import Barrier
from barriers.services import barrier_create, barrier_create_from_knot
from catalogue.models import Municipality
from deviations.models import Deviation, Unit, User
from deviations.services import DeviationInput, TagInput, deviations_file_many
from tests.barriers.conftest import KNOT_TAGS, FileDeviations, make_knot

WOMEN_TWICE = EqualityFinding(
    dimension="gender",
    group="kvinna",
    ratio=2.0,
    p_value=0.001,
    significant=True,
    inside=60,
    inside_total=90,
    others=330,
    others_total=990,
)


def _filed(unit: Unit, count: int, women: int, tags: tuple[str, ...]) -> list[Deviation]:
    place = Municipality.objects.get(code="0160")
    return deviations_file_many(
        by=None,
        items=[
            DeviationInput(
                occurred_on=date(2026, 3, 2 + i % 20),
                unit=unit,
                municipality=place,
                description="FK och Af bedömer arbetsförmågan olika.",
                gender="kvinna" if i < women else "man",
                tags=tuple(TagInput(tag_id=t) for t in tags),
            )
            for i in range(count)
        ],
        tag_origin="import",
        tag_state="confirmed",
    )


def test_a_barrier_from_an_unequal_knot_is_marked_and_the_mark_can_go(
    file_deviations: FileDeviations, analyst: User, analyst_client: Client
) -> None:
    knot = make_knot(file_deviations(6))
    plain = barrier_create_from_knot(knot=knot, by=analyst)
    assert not plain.equality_issue
    plain.delete()
    marked = barrier_create_from_knot(knot=replace(knot, equality=WOMEN_TWICE), by=analyst)
    assert marked.equality_issue
    assert "hits women 2.0 times as often as other deviations" in marked.description
    # The analyst decides: the mark is a suggestion and comes off in the form.
    response = analyst_client.post(
        reverse("barriers:barrier_update", args=[marked.pk]),
        {"title": marked.title, "mandate_level": marked.mandate_level, "tags": KNOT_TAGS},
    )
    assert response.status_code == 302
    marked.refresh_from_db()
    assert not marked.equality_issue


def test_lists_show_equality_issues_only_when_asked(analyst: User, analyst_client: Client) -> None:
    barrier_create(by=analyst, title="Jämställdhet", equality_issue=True)
    barrier_create(by=analyst, title="Annat hinder")
    page = analyst_client.get(reverse("barriers:list"), {"equality_issue": "1"})
    titles = [b.title for b in page.context["page_obj"]]
    assert titles == ["Jämställdhet"]
    assert "Equality issue" in page.content.decode()
    api = APIClient()
    api.force_authenticate(analyst)
    assert len(api.get("/api/v1/barriers/", {"equality_issue": "true"}).json()["results"]) == 1
    assert len(api.get("/api/v1/barriers/", {"equality_issue": "0"}).json()["results"]) == 2
    made = api.post(
        "/api/v1/barriers/", {"title": "Via API", "equality_issue": True}, format="json"
    )
    assert made.status_code == 201
    assert made.json()["equality_issue"] is True


@pytest.mark.django_db
def test_the_dossier_of_a_hand_made_barrier_compares_its_own_evidence(
    analyst: User, staff: User, taby_unit: Unit
) -> None:
    evidence = _filed(taby_unit, 20, 15, KNOT_TAGS)  # three in four women
    _filed(taby_unit, 60, 15, ("agency:CSN",))  # the rest of March in Täby: one in four
    barrier = barrier_create(by=analyst, title="Dag 180", tags=list(KNOT_TAGS), deviations=evidence)
    shown = dossier_context(user=analyst, barrier=barrier)["equality"]
    assert shown is not None
    assert not shown.from_knot
    assert shown.sentence == "hits women 3.0 times as often as other deviations"
    assert "15 of 20" in shown.explanation
    assert "15 of 60" in shown.explanation
    # Outside the analyst role every count is rounded to 5 (here they already are).
    protected = dossier_context(user=staff, barrier=barrier)["equality"]
    assert protected is not None
    assert "15 of 20" in protected.explanation
    # Even evidence: no finding, and nothing said.
    even = _filed(taby_unit, 20, 5, ("agency:REGION",))
    level = barrier_create(by=analyst, title="Jämnt", deviations=even)
    found = dossier_context(user=analyst, barrier=level)["equality"]
    assert found is None or not found.sentence


def test_a_barrier_from_a_knot_shows_the_knots_finding_in_the_dossier(
    file_deviations: FileDeviations, analyst: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    knot = replace(make_knot(file_deviations(6)), equality=WOMEN_TWICE)
    barrier = barrier_create_from_knot(knot=knot, by=analyst)

    class Served:
        result = type("Result", (), {"knots": (knot,)})()

    monkeypatch.setattr("barriers.dossier.knot_result_served", lambda **_kw: Served())
    monkeypatch.setattr("barriers.dossier.knot_picture", lambda *_a, **_kw: "")
    shown = dossier_context(user=analyst, barrier=barrier)["equality"]
    assert shown is not None
    assert shown.from_knot
    assert "60 of 90" in shown.explanation
    assert Barrier.objects.get(pk=barrier.pk).equality_issue
