"""Who sees which barriers, escalations and evidence, per role; and the loop back to reporters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from barriers.models import Barrier, Decision, Escalation, SteeringGroup
from barriers.selectors import (
    barrier_evidence_list,
    barrier_get,
    barrier_list,
    barrier_route_taken,
    barrier_timeline_entries,
    decision_list,
    deviation_outcome,
    escalation_list,
    group_agenda,
    group_inbox,
    inbox_group_list,
    steering_group_list,
)
from barriers.services import (
    barrier_create,
    barrier_escalate,
    barrier_evidence_add,
    barrier_transition,
    decision_record,
)
from deviations.models import Deviation, Unit, User
from tests.barriers.conftest import FileDeviations
from tests.factories import UserFactory

Ladder = dict[str, SteeringGroup]
TAGS = ["agency:AF", "agency:FK"]


def later(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


@dataclass
class World:
    taby: Barrier  # the staff persona's deviations; before the Roslagen board
    haninge: Barrier  # the other unit's deviations; not escalated
    escalation: Escalation
    own: Deviation
    foreign: Deviation


@pytest.fixture
def world(
    analyst: User,
    steering_member: User,
    other_unit_staff: User,
    haninge_unit: Unit,
    ladder: Ladder,
    file_deviations: FileDeviations,
) -> World:
    ladder["styrelse-roslagen"].members.add(steering_member)
    (own,) = file_deviations(1, tags=TAGS)
    (foreign,) = file_deviations(
        1, tags=TAGS, by=other_unit_staff, unit=haninge_unit, municipality="0136"
    )
    taby = barrier_create(by=analyst, title="Täby", tags=TAGS, deviations=[own])
    haninge = barrier_create(by=analyst, title="Haninge", tags=TAGS, deviations=[foreign])
    barrier_transition(barrier=taby, status=Barrier.Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(barrier=taby, group=None, due_on=later(30), by=analyst)
    return World(taby, haninge, escalation, own, foreign)


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("analyst", {"Täby", "Haninge"}),
        ("admin_user", {"Täby", "Haninge"}),
        ("steering_member", {"Täby"}),  # escalated to the Roslagen board, where they sit
        ("staff", {"Täby"}),  # their own deviation feeds it
        ("other_unit_staff", {"Haninge"}),
        ("outsider", set()),
    ],
)
def test_barrier_visibility_per_role(
    world: World, request: pytest.FixtureRequest, persona: str, visible: set[str]
) -> None:
    user = request.getfixturevalue(persona)
    assert {b.title for b in barrier_list(user=user)} == visible


def test_steering_member_of_another_group_sees_nothing(world: World) -> None:
    other = UserFactory(roles=["steering"])
    assert list(barrier_list(user=other)) == []
    assert list(escalation_list(user=other)) == []
    with pytest.raises(Http404):
        barrier_get(user=other, pk=world.taby.pk)


def test_steering_members_see_barriers_they_decided_on_after_forwarding(
    world: World, steering_member: User
) -> None:
    decision_record(
        escalation=world.escalation, kind=Decision.Kind.FORWARD, by=steering_member, reason="Upp"
    )
    assert barrier_get(user=steering_member, pk=world.taby.pk) == world.taby


def test_inactive_users_see_nothing(world: World, analyst: User) -> None:
    analyst.is_active = False
    assert list(barrier_list(user=analyst)) == []
    assert list(escalation_list(user=analyst)) == []


def test_steering_sees_all_evidence_of_its_barriers(
    world: World, analyst: User, steering_member: User, staff: User
) -> None:
    barrier_evidence_add(barrier=world.taby, deviations=[world.foreign], by=analyst)
    everything = {world.own, world.foreign}
    assert {row.deviation for row in barrier_evidence_list(user=analyst, barrier=world.taby)} == (
        everything
    )
    seen = barrier_evidence_list(user=steering_member, barrier=world.taby)
    assert {row.deviation for row in seen} == everything
    # The reporter sees the barrier, but of its evidence only what they may see anyway.
    assert [row.deviation for row in barrier_evidence_list(user=staff, barrier=world.taby)] == [
        world.own
    ]


def test_escalations_and_decisions_follow_barrier_visibility(
    world: World, staff: User, other_unit_staff: User, steering_member: User
) -> None:
    decision_record(
        escalation=world.escalation,
        kind=Decision.Kind.REJECT,
        by=steering_member,
        reason="Inte vår fråga",
    )
    assert list(escalation_list(user=staff)) == [world.escalation]  # the loop closes
    assert list(escalation_list(user=other_unit_staff)) == []
    assert [d.kind for d in decision_list(user=staff)] == ["reject"]
    assert list(decision_list(user=other_unit_staff)) == []


def test_inbox_marks_overdue_and_is_only_for_members(
    world: World, steering_member: User, analyst: User, staff: User, ladder: Ladder
) -> None:
    board = ladder["styrelse-roslagen"]
    assert list(inbox_group_list(user=steering_member)) == [board]
    assert inbox_group_list(user=analyst).count() == len(ladder)  # every county's and the nation's
    assert list(inbox_group_list(user=staff)) == []
    (item,) = group_inbox(user=steering_member, group=board, today=later(31))
    assert item.overdue
    (item,) = group_inbox(user=steering_member, group=board, today=later(30))
    assert not item.overdue
    assert list(group_inbox(user=staff, group=board)) == []
    assert list(group_agenda(user=steering_member, group=board, meeting_on=later(29))) == []
    assert list(group_agenda(user=steering_member, group=board, meeting_on=later(30))) == [
        world.escalation
    ]


def test_steering_group_list(
    world: World, staff: User, steering_member: User, ladder: Ladder
) -> None:
    assert steering_group_list(user=steering_member).count() == len(ladder)
    assert list(steering_group_list(user=staff)) == []


def test_deviation_outcome_tells_where_it_went_and_what_was_decided(
    world: World, steering_member: User, ladder: Ladder
) -> None:
    decision_record(
        escalation=world.escalation,
        kind=Decision.Kind.ACT,
        by=steering_member,
        action="Gemensam rutin",
        owner="Förbundschefen",
        due_on=later(60),
        effect_check_on=later(200),
    )
    (outcome,) = deviation_outcome(deviation=world.own)
    assert outcome.barrier == world.taby
    assert outcome.current is not None
    assert outcome.current.escalation.group == ladder["styrelse-roslagen"]
    assert [d.kind for d in outcome.current.decisions] == ["act"]


def test_a_deviation_without_barrier_has_no_outcome(file_deviations: FileDeviations) -> None:
    (deviation,) = file_deviations(1)
    assert deviation_outcome(deviation=deviation) == []
    assert barrier_timeline_entries(deviation=deviation) == []


def test_timeline_entries_merge_with_the_deviations_own(
    world: World, steering_member: User, analyst: User
) -> None:
    decision_record(
        escalation=world.escalation, kind=Decision.Kind.REJECT, by=steering_member, reason="Nej"
    )
    barrier_transition(barrier=world.taby, status=Barrier.Status.CLOSED, by=analyst, reason="Nej")
    texts = [entry.text for entry in barrier_timeline_entries(deviation=world.own)]
    assert texts == [
        "Linked to the barrier “Täby”",
        "The barrier “Täby” was escalated to Förbundsstyrelsen, Samordningsförbundet Roslagen",
        "Förbundsstyrelsen, Samordningsförbundet Roslagen decided on “Täby”: Reject",
        "The barrier “Täby” was closed: Nej",
    ]
    assert barrier_timeline_entries(deviation=world.foreign)[0].by == analyst.get_full_name()


def test_route_taken_is_in_order(world: World, steering_member: User) -> None:
    decision_record(
        escalation=world.escalation, kind=Decision.Kind.FORWARD, by=steering_member, reason="Upp"
    )
    groups = [e.group.slug for e in barrier_route_taken(barrier=world.taby)]
    assert groups == ["styrelse-roslagen", "region-stockholm-fk-samverkansgrupp"]
