"""Decision follow-up (issue 16): no dates in the past, "forward" only below the top of the
ladder, sending a barrier back down with a reason, and the receiving group told why it has it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from barriers.explain import escalation_reasons
from barriers.models import Barrier, Decision, Escalation, MandateLevel, SteeringGroup
from barriers.services import (
    barrier_create,
    barrier_escalate,
    barrier_transition,
    barrier_update,
    decision_record,
    forward_possible,
    send_back_targets,
)
from core.errors import DomainError
from deviations.models import User
from tests.barriers.conftest import FileDeviations
from tests.factories import UserFactory

Ladder = dict[str, SteeringGroup]
Kind = Decision.Kind
Status = Barrier.Status


def day(offset: int) -> date:
    return timezone.localdate() + timedelta(days=offset)


@pytest.fixture
def board_member(ladder: Ladder) -> User:
    user = UserFactory(username="styrelse", roles=["steering"], email="styrelse@example.se")
    ladder["styrelse-roslagen"].members.add(user)
    return user


@pytest.fixture
def region_member(ladder: Ladder) -> User:
    user = UserFactory(username="region", roles=["steering"], email="region@example.se")
    ladder["region-stockholm-fk-samverkansgrupp"].members.add(user)
    return user


@pytest.fixture
def at_board(
    analyst: User, ladder: Ladder, file_deviations: FileDeviations, board_member: User
) -> Escalation:
    """A local routine between AF and FK in Täby, before the Roslagen board (the proposal)."""
    analyst.email = "analytiker@example.se"
    analyst.save()
    barrier = barrier_create(
        by=analyst,
        title="Inskrivning och sjukpenning",
        tags=["agency:AF", "agency:FK"],
        deviations=file_deviations(2, tags=["agency:AF", "agency:FK"]),
    )
    barrier_transition(barrier=barrier, status=Status.ANALYSED, by=analyst)
    return barrier_escalate(barrier=barrier, group=None, due_on=day(30), by=analyst)


@pytest.fixture
def at_region(at_board: Escalation, board_member: User, region_member: User) -> Escalation:
    decision_record(
        escalation=at_board,
        kind=Kind.FORWARD,
        by=board_member,
        reason="Rutinen måste gälla hela länet.",
        next_due_on=day(60),
    )
    return Escalation.objects.get(forwarded_from=at_board)


# --- Dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"kind": Kind.ACT, "due_on": day(-1)}, "due_on", "The due date cannot be in the past."),
        (
            {"kind": Kind.ACT, "effect_check_on": day(-1)},
            "effect_check_on",
            "The effect check date cannot be in the past.",
        ),
        (
            {"kind": Kind.FORWARD, "next_due_on": day(-1), "action": "", "owner": ""},
            "next_due_on",
            "The due date cannot be in the past.",
        ),
        (
            {"kind": Kind.SEND_BACK, "next_due_on": day(-1), "action": "", "owner": ""},
            "next_due_on",
            "The due date cannot be in the past.",
        ),
    ],
)
def test_decision_dates_in_the_past_are_refused(
    at_board: Escalation, board_member: User, values: dict[str, Any], field: str, message: str
) -> None:
    decision: dict[str, Any] = {
        "action": "Gemensam rutin",
        "owner": "Förbundschefen",
        "due_on": day(0),  # today is allowed
        "effect_check_on": day(90),
        "reason": "Skäl",
        **values,
    }
    with pytest.raises(DomainError) as excinfo:
        decision_record(escalation=at_board, by=board_member, **decision)
    assert (excinfo.value.code, excinfo.value.extra, excinfo.value.message) == (
        "due_in_past",
        {"field": field},
        message,
    )
    assert not Decision.objects.exists()
    assert Escalation.objects.get(pk=at_board.pk).status == Escalation.Status.OPEN


def test_escalating_with_a_past_due_date_is_refused(
    analyst: User, ladder: Ladder, file_deviations: FileDeviations
) -> None:
    barrier = barrier_create(by=analyst, title="Hinder", deviations=file_deviations(1))
    barrier_transition(barrier=barrier, status=Status.ANALYSED, by=analyst)
    with pytest.raises(DomainError) as excinfo:
        barrier_escalate(barrier=barrier, group=None, due_on=day(-1), by=analyst)
    assert (excinfo.value.code, excinfo.value.extra) == ("due_in_past", {"field": "due_on"})


def test_a_past_due_date_on_the_page_is_refused_in_swedish_and_keeps_the_input(
    client: Client, at_board: Escalation, board_member: User
) -> None:
    client.force_login(board_member)
    url = reverse("barriers:decide", args=["styrelse-roslagen", at_board.pk])
    response = client.post(
        url,
        {
            "kind": "act",
            "action": "Gemensam inskrivningsrutin",
            "owner": "Förbundschefen",
            "due_on": day(-3).isoformat(),
            "effect_check_on": day(-3).isoformat(),
        },
        HTTP_ACCEPT_LANGUAGE="sv",
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["due_on"] == ["Sista datum kan inte ligga i det förflutna."]
    assert errors["effect_check_on"] == [
        "Datumet för effektuppföljning kan inte ligga i det förflutna."
    ]
    assert "Gemensam inskrivningsrutin" in response.content.decode()
    assert not Decision.objects.exists()


def test_the_api_refuses_a_past_due_date_with_a_reason(
    at_board: Escalation, board_member: User
) -> None:
    api = APIClient()
    api.force_authenticate(board_member)
    response = api.post(
        f"/api/v1/escalations/{at_board.pk}/decide/",
        {
            "kind": "act",
            "action": "Rutin",
            "owner": "Förbundschefen",
            "due_on": day(-1).isoformat(),
            "effect_check_on": day(30).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The due date cannot be in the past.",
        "code": "due_in_past",
        "field": "due_on",
    }


# --- Forward only where there is a higher group -------------------------------------------------


def _at_the_top(analyst: User, ladder: Ladder, file_deviations: FileDeviations) -> Escalation:
    barrier = barrier_create(
        by=analyst,
        title="Lagändring",
        tags=["agency:FK"],
        mandate_level=MandateLevel.LAG,
        deviations=file_deviations(1, tags=["agency:FK"]),
    )
    barrier_transition(barrier=barrier, status=Status.ANALYSED, by=analyst)
    return barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)


def test_forward_is_offered_only_below_the_top_of_the_ladder(
    client: Client,
    analyst: User,
    ladder: Ladder,
    file_deviations: FileDeviations,
    at_board: Escalation,
    board_member: User,
) -> None:
    top = _at_the_top(analyst, ladder, file_deviations)
    assert top.group == ladder["riksdagen"]
    assert (forward_possible(top), forward_possible(at_board)) == (False, True)
    ladder["riksdagen"].members.add(board_member)
    client.force_login(board_member)
    url = reverse("barriers:decide", args=["riksdagen", top.pk])
    page = client.get(url)
    kinds = [value for value, _label in page.context["form"].fields["kind"].choices]
    assert kinds == ["act", "send_back", "reject", "resolved"]
    assert "forward_to" not in page.context["form"].fields
    assert "is the top of the ladder: there is no higher body" in page.content.decode()
    refused = client.post(url, {"kind": "forward", "reason": "Upp"})
    assert refused.status_code == 400
    assert refused.context["form"].errors["kind"] == ["This decision cannot be taken here."]
    assert "Upp" in refused.content.decode()
    below = client.get(reverse("barriers:decide", args=["styrelse-roslagen", at_board.pk]))
    assert "forward" in [value for value, _label in below.context["form"].fields["kind"].choices]
    higher = {g.level for g in below.context["form"].fields["forward_to"].queryset}
    assert "forbund_board" not in higher
    assert higher == {"regional", "national", "agency_hq", "government", "riksdag"}


def test_forward_to_a_chosen_group_on_the_page(
    client: Client, at_board: Escalation, board_member: User, ladder: Ladder
) -> None:
    client.force_login(board_member)
    url = reverse("barriers:decide", args=["styrelse-roslagen", at_board.pk])
    response = client.post(
        url,
        {
            "kind": "forward",
            "reason": "FK:s vägledning styr",
            "forward_to": ladder["fk-huvudkontor"].pk,
            "next_due_on": day(20).isoformat(),
        },
    )
    assert response.status_code == 302
    forwarded = Escalation.objects.get(forwarded_from=at_board)
    assert (forwarded.group, forwarded.due_on) == (ladder["fk-huvudkontor"], day(20))


# --- Sending back down ---------------------------------------------------------------------------


def test_send_back_needs_a_reason(at_region: Escalation, region_member: User) -> None:
    with pytest.raises(DomainError) as excinfo:
        decision_record(escalation=at_region, kind=Kind.SEND_BACK, by=region_member)
    assert (excinfo.value.code, excinfo.value.extra) == (
        "decision_incomplete",
        {"missing": ["reason"]},
    )


def test_send_back_returns_the_barrier_to_the_group_below(
    at_board: Escalation,
    at_region: Escalation,
    region_member: User,
    ladder: Ladder,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decision_record(
            escalation=at_region,
            kind=Kind.SEND_BACK,
            by=region_member,
            reason="Styrelsen kan ändra rutinen själv.",
            next_due_on=day(14),
        )
    at_region.refresh_from_db()
    back = Escalation.objects.get(returned_from=at_region)
    assert at_region.status == Escalation.Status.RETURNED
    assert (back.status, back.group, back.due_on) == (
        Escalation.Status.OPEN,
        ladder["styrelse-roslagen"],
        day(14),
    )
    assert back.forwarded_from is None  # routed as the board's own escalation again
    assert back.proposed_group == ladder["styrelse-roslagen"]
    assert back.override_reason == ""
    assert Barrier.objects.get(pk=at_board.barrier_id).status == Status.ESCALATED
    record = back.history.first()
    assert (record.history_change_reason, record.history_user) == (
        "Styrelsen kan ändra rutinen själv.",
        region_member,
    )
    assert escalation_reasons(back)[0] == (
        "Sent back by Regional samverkansgrupp Region Stockholm–Försäkringskassan, because: "
        "Styrelsen kan ändra rutinen själv."
    )
    # One mail to each (core.notifications), both with the reason and where it is now.
    assert sorted(m.to[0] for m in mail.outbox) == ["analytiker@example.se", "styrelse@example.se"]
    for message in mail.outbox:
        assert "Styrelsen kan ändra rutinen själv." in message.body
        assert "It is back before Förbundsstyrelsen, Samordningsförbundet Roslagen." in message.body


def test_send_back_from_the_first_group_returns_it_to_the_analyst(
    at_board: Escalation,
    board_member: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decision_record(
            escalation=at_board, kind=Kind.SEND_BACK, by=board_member, reason="Analysera mer."
        )
    at_board.refresh_from_db()
    barrier = Barrier.objects.get(pk=at_board.barrier_id)
    assert at_board.status == Escalation.Status.RETURNED
    assert not Escalation.objects.filter(status=Escalation.Status.OPEN).exists()
    assert barrier.status == Status.ANALYSED
    assert barrier.history.first().history_change_reason == "Analysera mer."
    assert [m.to for m in mail.outbox] == [["analytiker@example.se"]]
    assert "It is back with the analyst, marked as analysed." in mail.outbox[0].body


def test_send_back_on_the_page_and_in_the_route_taken(
    client: Client, at_region: Escalation, region_member: User, board_member: User
) -> None:
    client.force_login(region_member)
    url = reverse("barriers:decide", args=[at_region.group.slug, at_region.pk])
    done = client.post(url, {"kind": "send_back", "reason": "Lokal fråga"})
    assert done.status_code == 302
    back = Escalation.objects.get(returned_from=at_region)
    client.force_login(board_member)
    page = client.get(reverse("barriers:decide", args=["styrelse-roslagen", back.pk])).content
    assert "Sent back by Regional samverkansgrupp" in page.decode()
    assert "Lokal fråga" in page.decode()


# --- The receiving group reads why it has the barrier --------------------------------------------


def test_an_overridden_proposal_is_shown_with_its_reason(
    client: Client, analyst: User, ladder: Ladder, file_deviations: FileDeviations
) -> None:
    barrier = barrier_create(
        by=analyst, title="Hinder", tags=["agency:FK"], deviations=file_deviations(1)
    )
    barrier_transition(barrier=barrier, status=Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(
        barrier=barrier,
        group=ladder["nns"],
        due_on=None,
        by=analyst,
        override_reason="NNS driver frågan nationellt.",
    )
    lines = escalation_reasons(escalation)
    assert lines[0] == (
        "Sent to Nationella nätverket för samordningsförbund (NNS) rather than the proposed "
        "group, because: NNS driver frågan nationellt."
    )
    assert lines[1].startswith(
        "The proposal: Förbundsstyrelsen, Samordningsförbundet Roslagen is the lowest group"
    )
    member = UserFactory(roles=["steering"])
    ladder["nns"].members.add(member)
    client.force_login(member)
    page = client.get(reverse("barriers:decide", args=["nns", escalation.pk])).content.decode()
    assert "NNS driver frågan nationellt." in page
    assert "The proposal: Förbundsstyrelsen" in page


def test_a_proposal_that_changed_after_arrival_is_said_to_have_changed(
    at_board: Escalation, analyst: User, ladder: Ladder
) -> None:
    assert escalation_reasons(at_board) == [at_board.route_reason]
    barrier_update(
        barrier=at_board.barrier, by=analyst, mandate_level=MandateLevel.REGIONAL_AGREEMENT
    )
    at_board.refresh_from_db()
    assert at_board.proposed_group == ladder["region-stockholm-fk-samverkansgrupp"]
    lines = escalation_reasons(at_board)
    assert lines[0].startswith("The proposal changed after the barrier came to Förbundsstyrelsen")
    assert lines[1] == f"The proposal: {at_board.route_reason}"


# --- Sending back to a chosen group --------------------------------------------------------------


@pytest.fixture
def hq_member(ladder: Ladder) -> User:
    user = UserFactory(username="fk-hk", roles=["steering"], email="fk-hk@example.se")
    ladder["fk-huvudkontor"].members.add(user)
    return user


@pytest.fixture
def at_hq(
    at_region: Escalation, region_member: User, hq_member: User, ladder: Ladder
) -> Escalation:
    """The board forwarded to the region, the region to FK's head office."""
    decision_record(
        escalation=at_region,
        kind=Kind.FORWARD,
        by=region_member,
        reason="Vägledningen styr.",
        forward_to=ladder["fk-huvudkontor"],
    )
    return Escalation.objects.get(forwarded_from=at_region)


def test_the_groups_to_send_back_to_are_those_below_on_the_route(
    at_board: Escalation, at_region: Escalation, at_hq: Escalation
) -> None:
    assert send_back_targets(at_hq) == [at_region, at_board]  # nearest first
    assert send_back_targets(at_region) == [at_board]
    assert send_back_targets(at_board) == []


def test_send_back_past_the_group_below_to_a_chosen_one(
    at_board: Escalation,
    at_region: Escalation,
    at_hq: Escalation,
    hq_member: User,
    ladder: Ladder,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decision_record(
            escalation=at_hq,
            kind=Kind.SEND_BACK,
            by=hq_member,
            reason="En lokal rutin räcker.",
            send_back_to="styrelse-roslagen",
            next_due_on=day(21),
        )
    back = Escalation.objects.get(status=Escalation.Status.OPEN)
    assert (back.group, back.returned_from, back.forwarded_from, back.due_on) == (
        ladder["styrelse-roslagen"],
        at_hq,
        None,  # the board's own escalation again, routed from the start
        day(21),
    )
    assert back.history.first().history_change_reason == "En lokal rutin räcker."
    assert escalation_reasons(back)[0] == (
        "Sent back by Försäkringskassan, huvudkontor (rättsavdelningen), because: "
        "En lokal rutin räcker."
    )
    # The board and the analyst are told; the region it passed by is not.
    assert sorted(m.to[0] for m in mail.outbox) == ["analytiker@example.se", "styrelse@example.se"]
    assert "It is back before Förbundsstyrelsen, Samordningsförbundet Roslagen." in (
        mail.outbox[0].body
    )


def test_send_back_by_default_goes_to_the_group_that_forwarded_it(
    at_region: Escalation, at_hq: Escalation, hq_member: User
) -> None:
    decision_record(escalation=at_hq, kind=Kind.SEND_BACK, by=hq_member, reason="Regional fråga")
    assert Escalation.objects.get(status=Escalation.Status.OPEN).group == at_region.group


def test_send_back_to_the_analysts_past_every_group(
    at_hq: Escalation, hq_member: User, analyst: User
) -> None:
    decision_record(
        escalation=at_hq,
        kind=Kind.SEND_BACK,
        by=hq_member,
        reason="Underlaget räcker inte.",
        send_back_to="analysts",
    )
    barrier = Barrier.objects.get(pk=at_hq.barrier_id)
    assert barrier.status == Status.ANALYSED
    assert not Escalation.objects.filter(status=Escalation.Status.OPEN).exists()
    assert barrier.history.first().history_change_reason == "Underlaget räcker inte."


@pytest.mark.parametrize("target", ["nns", "fk-huvudkontor", "riksdagen", "ingen-sadan"])
def test_send_back_only_to_a_group_below_on_the_route(
    at_region: Escalation, at_hq: Escalation, hq_member: User, target: str
) -> None:
    """Not a group the barrier never passed, not the deciding group, not one above."""
    with pytest.raises(DomainError) as excinfo:
        decision_record(
            escalation=at_hq,
            kind=Kind.SEND_BACK,
            by=hq_member,
            reason="Tillbaka",
            send_back_to=target,
        )
    assert (excinfo.value.code, excinfo.value.extra) == (
        "send_back_not_below",
        {"field": "send_back_to"},
    )
    assert excinfo.value.message == (
        "A barrier can only be sent back to the analysts or to a group lower on its route that "
        "had it before."
    )
    assert not Decision.objects.filter(escalation=at_hq).exists()
    assert Escalation.objects.get(pk=at_hq.pk).status == Escalation.Status.OPEN


def test_the_decide_page_offers_only_the_groups_below_and_the_analysts(
    client: Client, at_board: Escalation, at_hq: Escalation, hq_member: User, board_member: User
) -> None:
    client.force_login(hq_member)
    url = reverse("barriers:decide", args=["fk-huvudkontor", at_hq.pk])
    field = client.get(url).context["form"].fields["send_back_to"]
    assert list(field.choices) == [
        (
            "region-stockholm-fk-samverkansgrupp",
            "Regional samverkansgrupp Region Stockholm–Försäkringskassan",
        ),
        ("styrelse-roslagen", "Förbundsstyrelsen, Samordningsförbundet Roslagen"),
        ("analysts", "The analysts"),
    ]
    assert field.initial == "region-stockholm-fk-samverkansgrupp"
    swedish = client.get(url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert '<option value="analysts">Analytikerna</option>' in swedish
    refused = client.post(url, {"kind": "send_back", "reason": "Ned", "send_back_to": "nns"})
    assert refused.status_code == 400
    assert refused.context["form"].errors["send_back_to"] == [
        "Choose a group lower on the barrier's route, or the analysts."
    ]
    assert "Ned" in refused.content.decode()
    done = client.post(
        url, {"kind": "send_back", "reason": "Ned", "send_back_to": "styrelse-roslagen"}
    )
    assert done.status_code == 302
    back = Escalation.objects.get(status=Escalation.Status.OPEN)
    assert back.group.slug == "styrelse-roslagen"
    client.force_login(board_member)  # the first group has no one below: nothing to choose
    page = client.get(reverse("barriers:decide", args=["styrelse-roslagen", back.pk]))
    assert "send_back_to" not in page.context["form"].fields


def test_the_api_sends_back_to_a_chosen_group_and_refuses_another(
    at_hq: Escalation, hq_member: User
) -> None:
    api = APIClient()
    api.force_authenticate(hq_member)
    url = f"/api/v1/escalations/{at_hq.pk}/decide/"
    bad = api.post(
        url, {"kind": "send_back", "reason": "Ned", "send_back_to": "nns"}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json() == {
        "detail": "A barrier can only be sent back to the analysts or to a group lower on its "
        "route that had it before.",
        "code": "send_back_not_below",
        "field": "send_back_to",
    }
    assert not Decision.objects.filter(escalation=at_hq).exists()
    done = api.post(
        url,
        {"kind": "send_back", "reason": "Ned", "send_back_to": "styrelse-roslagen"},
        format="json",
    )
    assert done.status_code == 201
    assert Escalation.objects.get(status=Escalation.Status.OPEN).group.slug == "styrelse-roslagen"
