"""Guldkorn (issue 20): filed by staff, tagged and gated, confirmed by an analyst, shown on the
matching barrier and in its dossier; a steering group decides to spread one and its reporter is
told."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from barriers.dossier import dossier_context
from barriers.models import Barrier, Decision, Escalation, SteeringGroup
from barriers.services import (
    barrier_create,
    barrier_escalate,
    barrier_transition,
    decision_record,
)
from core.errors import DomainError
from core.models import Notification
from deviations.models import GoodPractice, Unit, User
from deviations.practices import PracticeInput, practice_confirm, practice_file
from tests.barriers.conftest import FileDeviations
from tests.factories import UserFactory

TAGS = ["agency:AF", "agency:FK"]
FORM = {
    "title": "Gemensamt möte före dag 180",
    "what_was_done": "Handläggare från FK och Af träffade deltagaren tillsammans före dag 180 "
    "och kom överens om en plan för sjukpenningen och inskrivningen.",
    "who": "Försäkringskassan, Arbetsförmedlingen och socialtjänsten",
    "what_it_solved": "Sjukpenningen drogs inte in medan Af väntade på inskrivning.",
    "occurred_on": "2026-03-02",
}


def later(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def _form(unit: Unit, **overrides: str) -> dict[str, str]:
    return {
        **FORM,
        "unit": str(unit.pk),
        "municipality": str(unit.municipalities.get(code="0160").pk),
        **overrides,
    }


def _filed(staff: User, unit: Unit) -> GoodPractice:
    return practice_file(
        by=staff,
        data=PracticeInput(
            title=FORM["title"],
            what_was_done=FORM["what_was_done"],
            who=FORM["who"],
            what_it_solved=FORM["what_it_solved"],
            occurred_on=date(2026, 3, 2),
            unit=unit,
            municipality=unit.municipalities.get(code="0160"),
        ),
    )


@pytest.fixture
def escalation(
    analyst: User,
    steering_member: User,
    ladder: dict[str, SteeringGroup],
    file_deviations: FileDeviations,
) -> Escalation:
    ladder["styrelse-roslagen"].members.add(steering_member)
    barrier = barrier_create(
        by=analyst,
        title="Inskrivning och sjukpenning",
        tags=TAGS,
        deviations=file_deviations(6, tags=TAGS),
    )
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    return barrier_escalate(barrier=barrier, group=None, due_on=later(30), by=analyst)


def test_staff_file_a_guldkorn_and_the_tagger_explains_its_suggestions(
    staff_client: Client, staff: User, taby_unit: Unit, analyst_client: Client
) -> None:
    response = staff_client.post(reverse("practices:create"), _form(taby_unit))
    assert response.status_code == 302
    practice = GoodPractice.objects.get()
    assert practice.reference.startswith("GK-")
    assert practice.reporter == staff
    assert practice.status == GoodPractice.Status.SUBMITTED
    suggested = {tag["tag_id"] for tag in practice.suggested_tags}
    assert {"agency:AF", "agency:FK"} <= suggested
    page = analyst_client.get(practice.get_absolute_url()).content.decode()
    assert "Arbetsförmedlingen" in page  # a label people read, with why it is there
    assert "found “Af”" in page or "found “FK”" in page


@pytest.mark.parametrize("field", ["title", "what_was_done", "who", "what_it_solved"])
@pytest.mark.parametrize("spelling", ["850312–2387", "070.123.45.67", "anna@exempel.se"])
def test_personal_data_in_any_field_is_refused_with_the_text_kept(
    staff_client: Client, taby_unit: Unit, field: str, spelling: str
) -> None:
    dirty = f"{FORM[field][:80]} {spelling}"
    response = staff_client.post(reverse("practices:create"), _form(taby_unit, **{field: dirty}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "personal data" in page
    assert "what_was_done" not in page.split("<form")[0]  # fields by their labels, not ids
    assert not GoodPractice.objects.exists()


def test_staff_report_only_for_their_own_units(other_unit_staff: User, taby_unit: Unit) -> None:
    with pytest.raises(DomainError, match="own units"):
        _filed(other_unit_staff, taby_unit)


def test_only_analysts_confirm_and_the_reporter_is_told(
    staff: User, taby_unit: Unit, analyst: User, staff_client: Client, analyst_client: Client
) -> None:
    practice = _filed(staff, taby_unit)
    url = practice.get_absolute_url()
    assert staff_client.post(url, {"tags": TAGS}).status_code == 403
    refused = analyst_client.post(url, {"action": "confirm"})  # no tag chosen
    assert refused.status_code == 400
    assert analyst_client.post(url, {"tags": TAGS, "action": "confirm"}).status_code == 302
    practice.refresh_from_db()
    assert practice.status == GoodPractice.Status.CONFIRMED
    assert practice.confirmed_tags == sorted(TAGS)
    told = Notification.objects.get(user=staff)
    assert practice.title in told.text


def test_a_confirmed_guldkorn_is_shown_on_the_barrier_and_spread_by_the_steering_group(
    escalation: Escalation,
    staff: User,
    taby_unit: Unit,
    analyst: User,
    steering_member: User,
    analyst_client: Client,
) -> None:
    barrier = escalation.barrier
    practice = _filed(staff, taby_unit)
    # Not confirmed yet: shown nowhere.
    assert dossier_context(user=analyst, barrier=barrier)["practices"] == []
    practice_confirm(practice=practice, by=analyst, tags=TAGS)
    assert (
        FORM["title"]
        in analyst_client.get(reverse("barriers:detail", args=[barrier.pk])).content.decode()
    )
    assert dossier_context(user=steering_member, barrier=barrier)["practices"] == [practice]
    member = Client()
    member.force_login(steering_member)
    dossier = member.get(reverse("barriers:dossier", args=[barrier.pk])).content.decode()
    assert FORM["what_it_solved"] in dossier
    decide = reverse("barriers:decide", args=[escalation.group.slug, escalation.pk])
    page = member.get(decide).content.decode()
    assert "Spread a guldkorn" in page
    # Spreading needs the follow-up an action needs.
    incomplete = member.post(decide, {"kind": "spread", "practice": practice.pk})
    assert incomplete.status_code == 400
    done = member.post(
        decide,
        {
            "kind": "spread",
            "practice": practice.pk,
            "action": "Alla team i förbundet håller gemensamt möte före dag 180.",
            "owner": "Förbundschefen",
            "due_on": later(60).isoformat(),
            "effect_check_on": later(180).isoformat(),
        },
    )
    assert done.status_code == 302
    decision = Decision.objects.get()
    assert (decision.kind, decision.practice) == ("spread", practice)
    practice.refresh_from_db()
    assert practice.status == GoodPractice.Status.SPREAD
    barrier.refresh_from_db()
    assert barrier.status == Barrier.Status.DECIDED
    told = Notification.objects.filter(user=staff, kind="practice_told").order_by("-pk").first()
    assert told is not None
    assert escalation.group.name in told.text
    assert "gemensamt möte" in told.text


def test_a_guldkorn_that_does_not_meet_the_barrier_cannot_be_spread_from_it(
    escalation: Escalation, staff: User, taby_unit: Unit, analyst: User, steering_member: User
) -> None:
    practice = _filed(staff, taby_unit)
    practice_confirm(practice=practice, by=analyst, tags=["agency:CSN", "agency:KOMMUN"])
    with pytest.raises(DomainError, match="shown beside this barrier"):
        decision_record(
            escalation=escalation,
            kind="spread",
            by=steering_member,
            practice=practice,
            action="Sprid",
            owner="Chefen",
            due_on=later(10),
            effect_check_on=later(90),
        )
    assert GoodPractice.objects.get().status == GoodPractice.Status.CONFIRMED


def test_the_api_spreads_by_reference(
    escalation: Escalation, staff: User, taby_unit: Unit, analyst: User, steering_member: User
) -> None:
    practice = _filed(staff, taby_unit)
    practice_confirm(practice=practice, by=analyst, tags=TAGS)
    api = APIClient()
    api.force_authenticate(steering_member)
    made = api.post(
        f"/api/v1/escalations/{escalation.pk}/decide/",
        {
            "kind": "spread",
            "practice": practice.reference,
            "action": "Sprid rutinen",
            "owner": "Förbundschefen",
            "due_on": later(30).isoformat(),
            "effect_check_on": later(90).isoformat(),
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["practice"] == practice.reference


def test_people_see_confirmed_guldkorn_and_their_own(
    staff: User, taby_unit: Unit, analyst: User
) -> None:
    from deviations.practices import practice_list

    mine = _filed(staff, taby_unit)
    other = UserFactory(username="annan", roles=["staff"], units=[taby_unit])
    assert list(practice_list(user=other)) == []
    assert list(practice_list(user=staff)) == [mine]
    practice_confirm(practice=mine, by=analyst, tags=TAGS)
    assert list(practice_list(user=other)) == [mine]


def test_statistics_and_exports_include_guldkorn(
    staff: User, taby_unit: Unit, analyst: User, analyst_client: Client
) -> None:
    from analytics.extract import AnalysisFilter
    from analytics.results import dashboard_figures

    for _ in range(6):
        practice_confirm(practice=_filed(staff, taby_unit), by=analyst, tags=TAGS)
    _filed(staff, taby_unit)
    figures = {f.name: f for f in dashboard_figures(AnalysisFilter())}
    assert dict(figures["practices"].rows) == {"Confirmed": 6, "Waiting for an analyst": 1}
    elsewhere = dashboard_figures(AnalysisFilter(municipalities=("0180",)))
    assert dict(next(f for f in elsewhere if f.name == "practices").rows) == {}
    response = analyst_client.get(reverse("practices:list"), {"export": "csv"})
    assert response.status_code == 200
    content = response.content.decode("utf-8-sig")
    assert content.count(FORM["title"]) == 7
    assert staff.username not in content  # never who reported it


def test_a_spread_is_followed_up_like_an_action(
    escalation: Escalation,
    staff: User,
    taby_unit: Unit,
    analyst: User,
    steering_member: User,
    analyst_client: Client,
) -> None:
    from barriers.effect import effect_decision

    practice = _filed(staff, taby_unit)
    queue = analyst_client.get(reverse("triage:queue")).content.decode()
    assert "One guldkorn waits to be confirmed." in queue  # confirmed in triage, like deviations
    practice_confirm(practice=practice, by=analyst, tags=TAGS)
    decision = decision_record(
        escalation=escalation,
        kind="spread",
        by=steering_member,
        practice=practice,
        action="Sprid rutinen",
        owner="Förbundschefen",
        due_on=later(10),
        effect_check_on=later(90),
    )
    assert effect_decision(escalation.barrier) == decision  # its effect is checked
    barrier_transition(barrier=escalation.barrier, status=Barrier.Status.IN_ACTION, by=analyst)
    escalation.barrier.refresh_from_db()
    assert escalation.barrier.status == Barrier.Status.IN_ACTION


def test_the_api_reports_confirms_and_refuses_alike(
    staff: User, taby_unit: Unit, analyst: User
) -> None:
    api = APIClient()
    api.force_authenticate(staff)
    body = {
        **FORM,
        "unit": taby_unit.pk,
        "municipality": "0160",
    }
    dirty = api.post("/api/v1/practices/", {**body, "who": "Ring 070-123 45 67"}, format="json")
    assert dirty.status_code == 400
    assert dirty.json()["code"] == "personal_data"
    made = api.post("/api/v1/practices/", body, format="json")
    assert made.status_code == 201
    reference = made.json()["reference"]
    assert api.post(f"/api/v1/practices/{reference}/confirm/", {"tags": TAGS}).status_code == 403
    analyst_api = APIClient()
    analyst_api.force_authenticate(analyst)
    confirmed = analyst_api.post(
        f"/api/v1/practices/{reference}/confirm/", {"tags": TAGS}, format="json"
    )
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert [p["reference"] for p in api.get("/api/v1/practices/").json()["results"]] == [reference]


def test_a_possible_name_asks_for_confirmation_on_the_page_and_in_the_api(
    staff: User, staff_client: Client, taby_unit: Unit
) -> None:
    named = _form(taby_unit, who="Handläggaren Kalle Andersson på FK och Af")
    asked = staff_client.post(reverse("practices:create"), named)
    assert asked.status_code == 400
    assert "Kalle Andersson" in asked.content.decode()  # named in the question, text kept
    assert not GoodPractice.objects.exists()
    confirmed = staff_client.post(reverse("practices:create"), {**named, "names_confirmed": "on"})
    assert confirmed.status_code == 302
    api = APIClient()
    api.force_authenticate(staff)
    body = {**FORM, "who": named["who"], "unit": taby_unit.pk, "municipality": "0160"}
    refused = api.post("/api/v1/practices/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "possible_name"
    made = api.post("/api/v1/practices/", {**body, "names_confirmed": True}, format="json")
    assert made.status_code == 201
