"""Escalation by mandate: the proposal and its reason, overrides, and routes re-evaluated."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from barriers.explain import route_details, route_summary
from barriers.models import Barrier, Escalation, MandateLevel, SteeringGroup
from barriers.services import (
    barrier_create,
    barrier_escalate,
    barrier_evidence_add,
    barrier_route,
    barrier_transition,
    barrier_update,
    escalation_withdraw,
    steering_group_update,
)
from core.errors import DomainError, StateError
from deviations.models import Unit, User
from tests.barriers.conftest import FileDeviations

Ladder = dict[str, SteeringGroup]


@pytest.fixture
def barrier(analyst: User, ladder: Ladder, file_deviations: FileDeviations) -> Barrier:
    """Analysed, in Täby, between AF and FK, needing a local routine: the Roslagen board's."""
    barrier = barrier_create(
        by=analyst,
        title="Inskrivning och sjukpenning",
        tags=["agency:AF", "agency:FK"],
        mandate_level=MandateLevel.LOCAL_ROUTINE,
        deviations=file_deviations(2, tags=["agency:AF", "agency:FK"]),
    )
    return barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)


def in_two_weeks() -> date:
    return timezone.localdate() + timedelta(days=14)


def test_route_proposes_the_lowest_group_with_mandate(barrier: Barrier, ladder: Ladder) -> None:
    proposal = barrier_route(barrier=barrier)
    assert proposal.group == ladder["styrelse-roslagen"]
    assert proposal.route.outcome == "routed"
    assert "Förbundsstyrelsen, Samordningsförbundet Roslagen" in proposal.reason


def test_escalating_takes_the_proposal_and_stores_why(
    barrier: Barrier, analyst: User, ladder: Ladder
) -> None:
    escalation = barrier_escalate(barrier=barrier, group=None, due_on=in_two_weeks(), by=analyst)
    barrier.refresh_from_db()
    assert barrier.status == Barrier.Status.ESCALATED
    assert escalation.group == escalation.proposed_group == ladder["styrelse-roslagen"]
    assert escalation.override_reason == ""
    assert escalation.route["reason"]["code"] == "lowest_with_mandate"
    assert escalation.route_reason == route_summary(escalation.route)
    lines = {line.group: line for line in route_details(escalation.route)}
    assert lines["Förbundsstyrelsen, Samordningsförbundet Roslagen"].chosen
    assert (
        "Täby" in lines["Förbundsstyrelsen, Samordningsförbundet Huddinge, Botkyrka och Salem"].text
    )


def test_choosing_another_group_needs_a_reason(
    barrier: Barrier, analyst: User, ladder: Ladder
) -> None:
    with pytest.raises(DomainError) as excinfo:
        barrier_escalate(barrier=barrier, group=ladder["nns"], due_on=in_two_weeks(), by=analyst)
    assert excinfo.value.code == "override_reason_required"
    assert not Escalation.objects.exists()
    escalation = barrier_escalate(
        barrier=barrier,
        group=ladder["nns"],
        due_on=in_two_weeks(),
        by=analyst,
        override_reason="NNS samlar förbundens röst nationellt.",
    )
    assert (escalation.group, escalation.proposed_group) == (
        ladder["nns"],
        ladder["styrelse-roslagen"],
    )
    assert escalation.override_reason == "NNS samlar förbundens röst nationellt."


def test_choosing_the_proposed_group_keeps_no_override_reason(
    barrier: Barrier, analyst: User, ladder: Ladder
) -> None:
    escalation = barrier_escalate(
        barrier=barrier,
        group=ladder["styrelse-roslagen"],
        due_on=None,
        by=analyst,
        override_reason="onödigt",
    )
    assert escalation.override_reason == ""


def test_one_open_escalation_at_a_time(barrier: Barrier, analyst: User) -> None:
    barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)
    barrier.status = Barrier.Status.ANALYSED  # as if someone bypassed the lifecycle
    with pytest.raises(StateError) as excinfo:
        barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)
    assert excinfo.value.code == "already_escalated"


def test_identified_barrier_is_analysed_before_escalation(analyst: User, ladder: Ladder) -> None:
    barrier = barrier_create(by=analyst, title="Ny")
    with pytest.raises(StateError) as excinfo:
        barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)
    assert excinfo.value.code == "cannot_escalate"


def test_due_date_in_the_past_is_refused(barrier: Barrier, analyst: User) -> None:
    with pytest.raises(DomainError) as excinfo:
        barrier_escalate(
            barrier=barrier,
            group=None,
            due_on=timezone.localdate() - timedelta(days=1),
            by=analyst,
        )
    assert excinfo.value.code == "due_in_past"


def test_withdrawing_needs_a_reason_and_returns_the_barrier(
    barrier: Barrier, analyst: User
) -> None:
    escalation = barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)
    with pytest.raises(DomainError):
        escalation_withdraw(escalation=escalation, by=analyst, reason="")
    escalation_withdraw(escalation=escalation, by=analyst, reason="Fel grupp")
    barrier.refresh_from_db()
    assert (escalation.status, barrier.status) == ("withdrawn", Barrier.Status.ANALYSED)


def test_retagging_reroutes_the_open_escalation(
    barrier: Barrier, analyst: User, ladder: Ladder
) -> None:
    escalation = barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)
    barrier_update(barrier=barrier, by=analyst, description="Ingen ny routning")
    escalation.refresh_from_db()
    assert escalation.rerouted_at is None
    barrier_update(barrier=barrier, by=analyst, tags=["agency:FK", "agency:REGION"])
    escalation.refresh_from_db()
    # Same proposal, but the groups passed over are passed over for other reasons now.
    assert escalation.proposed_group == ladder["styrelse-roslagen"]
    assert escalation.rerouted_at is not None
    assert escalation.route["considered"] != []
    # The group keeps the escalation; the proposal and its reason change.
    barrier_update(barrier=barrier, by=analyst, mandate_level=MandateLevel.REGIONAL_AGREEMENT)
    escalation.refresh_from_db()
    assert escalation.group == ladder["styrelse-roslagen"]
    assert escalation.proposed_group == ladder["region-stockholm-fk-samverkansgrupp"]
    assert escalation.rerouted_at is not None
    assert "Region Stockholm" in escalation.route_reason
    record = escalation.history.first()
    assert (record.history_change_reason, record.history_user) == ("Route re-evaluated.", analyst)


def test_a_groups_new_mandate_reroutes_open_escalations(
    analyst: User, admin_user: User, ladder: Ladder, file_deviations: FileDeviations
) -> None:
    barrier = barrier_create(
        by=analyst,
        title="Vägledning",
        tags=["agency:AF", "agency:FK"],
        mandate_level=MandateLevel.AGENCY_GUIDELINE,
        deviations=file_deviations(1, tags=["agency:AF", "agency:FK"]),
    )
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)
    assert escalation.proposed_group == ladder["nationella-radet"]
    steering_group_update(
        group=ladder["nationella-radet"], by=admin_user, mandate=MandateLevel.LOCAL_ROUTINE
    )
    escalation.refresh_from_db()
    assert escalation.group == ladder["nationella-radet"]
    assert escalation.proposed_group == ladder["nsg-fk-af"]
    council = next(c for c in escalation.route["considered"] if c["group"] == "nationella-radet")
    assert [r["code"] for r in council["reasons"]] == ["mandate_too_low"]


def test_closed_escalations_are_not_rerouted(barrier: Barrier, analyst: User) -> None:
    escalation = barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)
    escalation_withdraw(escalation=escalation, by=analyst, reason="Fel")
    barrier_update(barrier=barrier, by=analyst, mandate_level=MandateLevel.LAG)
    escalation.refresh_from_db()
    assert escalation.rerouted_at is None


def test_evidence_from_another_place_reroutes(
    barrier: Barrier,
    analyst: User,
    other_unit_staff: User,
    haninge_unit: Unit,
    ladder: Ladder,
    file_deviations: FileDeviations,
) -> None:
    escalation = barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)
    haninge = file_deviations(
        1,
        tags=["agency:AF", "agency:FK"],
        by=other_unit_staff,
        unit=haninge_unit,
        municipality="0136",
    )
    barrier_evidence_add(barrier=barrier, deviations=haninge, by=analyst)
    escalation.refresh_from_db()
    # No board covers both places; the regional group that has FK does, and invites AF.
    assert escalation.proposed_group == ladder["region-stockholm-fk-samverkansgrupp"]
