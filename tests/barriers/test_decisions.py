"""Decisions per kind with their required fields, and what each does to the barrier."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from barriers.models import Barrier, Decision, Escalation, MandateLevel, SteeringGroup
from barriers.services import (
    MandateError,
    NotAMemberError,
    barrier_create,
    barrier_escalate,
    barrier_transition,
    decision_record,
)
from core.errors import DomainError, StateError
from deviations.models import User
from tests.barriers.conftest import FileDeviations
from tests.factories import UserFactory

Ladder = dict[str, SteeringGroup]
Status = Barrier.Status
Kind = Decision.Kind


def later(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def escalation(
    analyst: User, steering_member: User, ladder: Ladder, file_deviations: FileDeviations
) -> Escalation:
    """A local-routine barrier between AF and FK in Täby, before the Roslagen board, where the
    steering persona sits."""
    ladder["styrelse-roslagen"].members.add(steering_member)
    barrier = barrier_create(
        by=analyst,
        title="Inskrivning och sjukpenning",
        tags=["agency:AF", "agency:FK"],
        deviations=file_deviations(2, tags=["agency:AF", "agency:FK"]),
    )
    barrier_transition(barrier=barrier, status=Status.ANALYSED, by=analyst)
    return barrier_escalate(barrier=barrier, group=None, due_on=later(30), by=analyst)


def act(escalation: Escalation, by: User, **overrides: object) -> Decision:
    values: dict[str, object] = {
        "action": "Gemensam rutin för inskrivning vid dag 180",
        "owner": "Förbundschefen",
        "due_on": later(60),
        "effect_check_on": later(180),
    }
    values.update(overrides)
    return decision_record(escalation=escalation, kind=Kind.ACT, by=by, **values)  # type: ignore[arg-type]


def test_act_decides_and_the_barrier_can_go_into_action(
    escalation: Escalation, steering_member: User
) -> None:
    decision = act(escalation, steering_member)
    escalation.refresh_from_db()
    barrier = escalation.barrier
    barrier.refresh_from_db()
    assert (decision.kind, decision.decided_by) == (Kind.ACT, steering_member)
    assert (escalation.status, barrier.status) == (Escalation.Status.DECIDED, Status.DECIDED)
    barrier_transition(barrier=barrier, status=Status.IN_ACTION, by=steering_member)
    assert barrier.status == Status.IN_ACTION


@pytest.mark.parametrize("missing", ["action", "owner", "due_on", "effect_check_on"])
def test_act_needs_action_owner_and_dates(
    escalation: Escalation, steering_member: User, missing: str
) -> None:
    with pytest.raises(DomainError) as excinfo:
        act(escalation, steering_member, **{missing: None if "_on" in missing else " "})
    assert excinfo.value.code == "decision_incomplete"
    assert excinfo.value.extra["missing"] == [missing]
    assert not Decision.objects.exists()


def test_act_outside_the_groups_mandate_is_refused(
    analyst: User, ladder: Ladder, file_deviations: FileDeviations
) -> None:
    barrier = barrier_create(
        by=analyst,
        title="FK:s vägledning",
        tags=["agency:AF", "agency:FK"],
        mandate_level=MandateLevel.AGENCY_GUIDELINE,
        deviations=file_deviations(1, tags=["agency:AF", "agency:FK"]),
    )
    barrier_transition(barrier=barrier, status=Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(
        barrier=barrier,
        group=ladder["styrelse-roslagen"],
        due_on=None,
        by=analyst,
        override_reason="Styrelsen vill först ta ställning.",
    )
    with pytest.raises(MandateError) as excinfo:
        act(escalation, analyst)
    assert excinfo.value.code == "outside_mandate"


def test_forward_needs_a_reason_and_goes_up_the_ladder(
    escalation: Escalation, steering_member: User, ladder: Ladder
) -> None:
    with pytest.raises(DomainError) as excinfo:
        decision_record(escalation=escalation, kind=Kind.FORWARD, by=steering_member)
    assert excinfo.value.code == "decision_incomplete"
    decision_record(
        escalation=escalation,
        kind=Kind.FORWARD,
        by=steering_member,
        reason="Rutinen måste gälla hela länet.",
        next_due_on=later(90),
    )
    escalation.refresh_from_db()
    forwarded = Escalation.objects.get(forwarded_from=escalation)
    assert escalation.status == Escalation.Status.FORWARDED
    assert forwarded.status == Escalation.Status.OPEN
    # The next rung up whose mandate reaches a local routine: a regional group, inviting AF.
    assert (
        forwarded.group == forwarded.proposed_group == ladder["region-stockholm-fk-samverkansgrupp"]
    )
    assert forwarded.route["invite"] == ["AF"]
    assert forwarded.due_on == later(90)
    assert forwarded.route["reason"]["params"]["above"] == "styrelse-roslagen"
    assert "Forwarded from" in forwarded.route_reason
    assert Barrier.objects.get(pk=escalation.barrier_id).status == Status.ESCALATED


def test_forward_to_a_chosen_higher_group(
    escalation: Escalation, steering_member: User, ladder: Ladder
) -> None:
    decision_record(
        escalation=escalation,
        kind=Kind.FORWARD,
        by=steering_member,
        reason="Det är FK:s vägledning som styr.",
        forward_to=ladder["fk-huvudkontor"],
    )
    forwarded = Escalation.objects.get(forwarded_from=escalation)
    assert (forwarded.group, forwarded.proposed_group) == (
        ladder["fk-huvudkontor"],
        ladder["region-stockholm-fk-samverkansgrupp"],
    )
    assert forwarded.override_reason == "Det är FK:s vägledning som styr."


def test_forward_downwards_is_refused(
    escalation: Escalation, steering_member: User, ladder: Ladder
) -> None:
    with pytest.raises(DomainError) as excinfo:
        decision_record(
            escalation=escalation,
            kind=Kind.FORWARD,
            by=steering_member,
            reason="x",
            forward_to=ladder["styrelse-roslagen"],
        )
    assert excinfo.value.code == "forward_not_higher"
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.OPEN  # nothing half-done


def test_nothing_is_above_the_riksdag(
    analyst: User, ladder: Ladder, file_deviations: FileDeviations
) -> None:
    barrier = barrier_create(
        by=analyst,
        title="Lagändring",
        tags=["agency:FK", "prov:2010:110#K27P48"],
        mandate_level=MandateLevel.LAG,
        deviations=file_deviations(1),
    )
    barrier_transition(barrier=barrier, status=Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)
    assert escalation.group == ladder["riksdagen"]
    with pytest.raises(StateError) as excinfo:
        decision_record(escalation=escalation, kind=Kind.FORWARD, by=analyst, reason="Uppåt")
    assert excinfo.value.code == "nowhere_to_forward"


def test_reject_needs_a_reason_and_the_barrier_may_go_elsewhere(
    escalation: Escalation, steering_member: User, analyst: User, ladder: Ladder
) -> None:
    with pytest.raises(DomainError):
        decision_record(escalation=escalation, kind=Kind.REJECT, by=steering_member)
    decision_record(
        escalation=escalation, kind=Kind.REJECT, by=steering_member, reason="Inte vårt ansvar."
    )
    barrier = Barrier.objects.get(pk=escalation.barrier_id)
    assert barrier.status == Status.DECIDED
    with pytest.raises(StateError):
        barrier_transition(barrier=barrier, status=Status.IN_ACTION, by=analyst)
    again = barrier_escalate(
        barrier=barrier, group=ladder["nsg-fk-af"], due_on=None, by=analyst, override_reason="NSG"
    )
    assert again.status == Escalation.Status.OPEN


def test_resolved_needs_an_effect_evaluation(escalation: Escalation, steering_member: User) -> None:
    act(escalation, steering_member)
    barrier = Barrier.objects.get(pk=escalation.barrier_id)
    barrier_transition(barrier=barrier, status=Status.IN_ACTION, by=steering_member)
    escalation.refresh_from_db()
    with pytest.raises(DomainError) as excinfo:
        decision_record(escalation=escalation, kind=Kind.RESOLVED, by=steering_member)
    assert excinfo.value.extra["missing"] == ["effect_evaluation"]
    decision_record(
        escalation=escalation,
        kind=Kind.RESOLVED,
        by=steering_member,
        effect_evaluation="Inga nya avvikelser på sex månader.",
    )
    barrier.refresh_from_db()
    assert barrier.status == Status.RESOLVED


def test_a_decided_escalation_takes_no_second_decision_to_act(
    escalation: Escalation, steering_member: User
) -> None:
    act(escalation, steering_member)
    escalation.refresh_from_db()
    with pytest.raises(StateError) as excinfo:
        act(escalation, steering_member)
    assert excinfo.value.code == "escalation_closed"


def test_only_members_decide_for_a_group(escalation: Escalation, analyst: User) -> None:
    outsider_member = UserFactory(roles=["steering"])
    with pytest.raises(NotAMemberError) as excinfo:
        act(escalation, outsider_member)
    assert (excinfo.value.code, excinfo.value.http_status) == ("not_group_member", 403)
    assert act(escalation, analyst).decided_by == analyst  # recorded on the group's behalf


def test_unknown_kind_is_refused(escalation: Escalation, steering_member: User) -> None:
    with pytest.raises(DomainError) as excinfo:
        decision_record(escalation=escalation, kind="maybe", by=steering_member)
    assert excinfo.value.code == "invalid_kind"
