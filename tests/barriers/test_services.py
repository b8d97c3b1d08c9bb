"""Barriers by hand and from knots, their lifecycle, merge and split, with the audit history."""

from __future__ import annotations

import pytest

from analytics.presentation import knot_key
from barriers.models import Barrier, BarrierEvidence, Escalation, MandateLevel, SteeringGroup
from barriers.services import (
    barrier_create,
    barrier_create_from_knot,
    barrier_escalate,
    barrier_evidence_add,
    barrier_evidence_remove,
    barrier_examples_set,
    barrier_merge,
    barrier_split,
    barrier_transition,
    barrier_update,
    mandate_infer,
)
from core.errors import DomainError, StateError
from deviations.models import Deviation, User
from tests.barriers.conftest import KNOT_TAGS, FileDeviations, make_knot

Status = Barrier.Status


def test_barrier_from_a_knot_is_prefilled(analyst: User, file_deviations: FileDeviations) -> None:
    deviations = file_deviations(3)
    barrier = barrier_create_from_knot(knot=make_knot(deviations), by=analyst)
    assert barrier.tags == sorted(KNOT_TAGS)
    assert barrier.knot_key == knot_key(KNOT_TAGS)
    assert "Arbetsförmedlingen" in barrier.title  # the knot's labels
    assert barrier.description  # the knot's sentence
    assert barrier.mandate_level == MandateLevel.LAG  # SFB is an act
    assert barrier.analyst == analyst
    assert barrier.status == Status.IDENTIFIED
    assert set(barrier.evidence.all()) == set(deviations)
    assert set(barrier.evidence_rows.values_list("how", flat=True)) == {"knot"}


def test_evidence_marks_deviations_as_linked_with_history(
    analyst: User, file_deviations: FileDeviations
) -> None:
    deviations = file_deviations(2)
    barrier_create_from_knot(knot=make_knot(deviations), by=analyst)
    deviation = Deviation.objects.get(pk=deviations[0].pk)
    assert deviation.status == Deviation.Status.LINKED
    latest = deviation.history.first()
    assert latest is not None
    assert (latest.status, latest.history_user) == ("linked", analyst)


def test_a_knot_gets_one_open_barrier(analyst: User, file_deviations: FileDeviations) -> None:
    knot = make_knot(file_deviations(2))
    barrier_create_from_knot(knot=knot, by=analyst)
    with pytest.raises(StateError) as excinfo:
        barrier_create_from_knot(knot=knot, by=analyst)
    assert excinfo.value.code == "knot_has_barrier"


def test_analyst_may_set_the_mandate_level_and_title(
    analyst: User, file_deviations: FileDeviations
) -> None:
    barrier = barrier_create_from_knot(
        knot=make_knot(file_deviations(2)),
        by=analyst,
        title="Dag 180",
        mandate_level=MandateLevel.AGENCY_GUIDELINE,
    )
    assert (barrier.title, barrier.mandate_level) == ("Dag 180", MandateLevel.AGENCY_GUIDELINE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["agency:AF", "agency:FK"], MandateLevel.LOCAL_ROUTINE),
        (["agency:AF", "law:2017:819"], MandateLevel.FORORDNING),  # Ersättningsförordningen
        (["law:2017:819", "prov:2001:453#K4P1"], MandateLevel.LAG),  # plus SoL, an act
        (["agency:FK", "law:1800:1"], MandateLevel.LOCAL_ROUTINE),  # unknown law: no guess
    ],
)
def test_mandate_is_inferred_from_the_cited_laws(tags: list[str], expected: MandateLevel) -> None:
    assert mandate_infer(tags=tags) == expected


def test_manual_barrier_validates_tags(analyst: User) -> None:
    with pytest.raises(DomainError) as excinfo:
        barrier_create(by=analyst, title="Hinder", tags=["SFB"])
    assert excinfo.value.code == "invalid_tag"
    assert not Barrier.objects.exists()


def test_manual_barrier_with_evidence(analyst: User, file_deviations: FileDeviations) -> None:
    deviations = file_deviations(2)
    barrier = barrier_create(
        by=analyst, title="  Hinder  ", tags=["agency:FK", "agency:AF"], deviations=deviations
    )
    assert barrier.title == "Hinder"
    assert barrier.tags == ["agency:AF", "agency:FK"]
    assert set(barrier.evidence_rows.values_list("how", flat=True)) == {"manual"}


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ([Status.ANALYSED], True),
        ([Status.ANALYSED, Status.IDENTIFIED], True),
        ([Status.IN_ACTION], False),  # only after a decision to act
        ([Status.RESOLVED], False),  # only by a decision with an effect evaluation
        ([Status.ESCALATED], False),  # only by barrier_escalate
        ([Status.DECIDED], False),
    ],
)
def test_lifecycle_moves_by_hand(analyst: User, path: list[str], allowed: bool) -> None:
    barrier = barrier_create(by=analyst, title="Hinder")
    *before, last = path
    for status in before:
        barrier_transition(barrier=barrier, status=status, by=analyst)
    if allowed:
        assert barrier_transition(barrier=barrier, status=last, by=analyst).status == last
    else:
        with pytest.raises(StateError) as excinfo:
            barrier_transition(barrier=barrier, status=last, by=analyst)
        assert excinfo.value.code == "invalid_transition"


def test_closing_needs_a_reason_and_can_be_reopened(analyst: User) -> None:
    barrier = barrier_create(by=analyst, title="Hinder")
    with pytest.raises(DomainError) as excinfo:
        barrier_transition(barrier=barrier, status=Status.CLOSED, by=analyst, reason="  ")
    assert excinfo.value.code == "reason_required"
    barrier_transition(barrier=barrier, status=Status.CLOSED, by=analyst, reason="Dubblett")
    barrier.refresh_from_db()
    assert (barrier.status, barrier.closed_reason) == (Status.CLOSED, "Dubblett")
    assert barrier.history.first().history_change_reason == "Dubblett"
    barrier_transition(barrier=barrier, status=Status.IDENTIFIED, by=analyst)
    assert (barrier.status, barrier.closed_reason) == (Status.IDENTIFIED, "")


def test_a_long_reason_is_kept_whole_on_the_barrier_and_shortened_in_the_history(
    analyst: User,
) -> None:
    """The history's reason column holds 100 characters (PostgreSQL refused longer ones)."""
    barrier = barrier_create(by=analyst, title="Hinder")
    reason = "Samma problem som ett annat systemhinder, se beslutet i styrgruppen. " * 4
    barrier_transition(barrier=barrier, status=Status.CLOSED, by=analyst, reason=reason)
    barrier.refresh_from_db()
    assert barrier.closed_reason == reason.strip()
    assert barrier.history.first().history_change_reason == reason[:100]


def test_closing_an_escalated_barrier_withdraws_the_escalation(
    analyst: User, ladder: dict[str, SteeringGroup], file_deviations: FileDeviations
) -> None:
    barrier = barrier_create(by=analyst, title="Hinder", deviations=file_deviations(1))
    barrier_transition(barrier=barrier, status=Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)
    barrier_transition(barrier=barrier, status=Status.CLOSED, by=analyst, reason="Löst lokalt")
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.WITHDRAWN
    assert escalation.withdrawn_reason == "Löst lokalt"


def test_update_changes_only_what_is_given(analyst: User) -> None:
    barrier = barrier_create(by=analyst, title="Hinder", root_cause="Olika bedömningar")
    barrier_update(barrier=barrier, by=analyst, proposed_change="Gemensam rutin")
    barrier.refresh_from_db()
    assert (barrier.root_cause, barrier.proposed_change) == ("Olika bedömningar", "Gemensam rutin")


def test_closed_barrier_cannot_be_edited(analyst: User) -> None:
    barrier = barrier_create(by=analyst, title="Hinder")
    barrier_transition(barrier=barrier, status=Status.CLOSED, by=analyst, reason="Fel")
    with pytest.raises(StateError) as excinfo:
        barrier_update(barrier=barrier, by=analyst, title="Nytt")
    assert excinfo.value.code == "barrier_closed"


def test_merge_moves_evidence_and_closes_the_duplicate(
    analyst: User, file_deviations: FileDeviations
) -> None:
    first, shared, second = file_deviations(3)
    target = barrier_create(by=analyst, title="Dag 180", deviations=[first, shared])
    source = barrier_create(by=analyst, title="Dag 180 igen", deviations=[shared, second])
    barrier_merge(source=source, target=target, by=analyst)
    source.refresh_from_db()
    assert set(target.evidence.all()) == {first, shared, second}
    assert target.evidence_rows.get(deviation=second).how == BarrierEvidence.How.MERGE
    assert not source.evidence_rows.exists()
    assert (source.status, source.merged_into) == (Status.CLOSED, target)
    assert "Dag 180" in source.closed_reason
    assert "merged" in target.history.first().history_change_reason
    with pytest.raises(StateError):
        barrier_transition(barrier=source, status=Status.IDENTIFIED, by=analyst)


def test_merge_into_itself_or_a_merged_barrier_is_refused(analyst: User) -> None:
    a = barrier_create(by=analyst, title="A")
    b = barrier_create(by=analyst, title="B")
    with pytest.raises(DomainError):
        barrier_merge(source=a, target=a, by=analyst)
    barrier_merge(source=a, target=b, by=analyst)
    with pytest.raises(StateError):
        barrier_merge(source=b, target=a, by=analyst)


def test_split_moves_chosen_evidence_to_a_new_barrier(
    analyst: User, file_deviations: FileDeviations
) -> None:
    keep, move = file_deviations(2)
    barrier = barrier_create(
        by=analyst, title="Brett hinder", tags=list(KNOT_TAGS), deviations=[keep, move]
    )
    new = barrier_split(
        barrier=barrier, deviations=[move], by=analyst, title="Smalare", tags=["agency:FK"]
    )
    assert list(barrier.evidence.all()) == [keep]
    assert list(new.evidence.all()) == [move]
    assert (new.split_from, new.tags, new.analyst) == (barrier, ["agency:FK"], analyst)
    assert new.evidence_rows.get().how == BarrierEvidence.How.SPLIT
    assert "split off" in barrier.history.first().history_change_reason


def test_split_needs_evidence_and_leaves_some(
    analyst: User, file_deviations: FileDeviations
) -> None:
    mine, other = file_deviations(2)
    barrier = barrier_create(by=analyst, title="Hinder", deviations=[mine])
    with pytest.raises(DomainError) as excinfo:
        barrier_split(barrier=barrier, deviations=[other], by=analyst, title="X")
    assert excinfo.value.code == "not_evidence"
    with pytest.raises(DomainError) as excinfo:
        barrier_split(barrier=barrier, deviations=[mine], by=analyst, title="X")
    assert excinfo.value.code == "split_takes_all"


def test_examples_are_chosen_among_the_evidence(
    analyst: User, file_deviations: FileDeviations
) -> None:
    deviations = file_deviations(7)
    barrier = barrier_create(by=analyst, title="Hinder", deviations=deviations[:6])
    barrier_examples_set(barrier=barrier, deviations=deviations[:2], by=analyst)
    barrier_examples_set(barrier=barrier, deviations=deviations[1:3], by=analyst)
    chosen = set(barrier.evidence_rows.filter(is_example=True).values_list("deviation", flat=True))
    assert chosen == {deviations[1].pk, deviations[2].pk}
    with pytest.raises(DomainError) as excinfo:
        barrier_examples_set(barrier=barrier, deviations=deviations[6:], by=analyst)
    assert excinfo.value.code == "not_evidence"
    with pytest.raises(DomainError) as excinfo:
        barrier_examples_set(barrier=barrier, deviations=deviations[:6], by=analyst)
    assert excinfo.value.code == "too_many_examples"


def test_removed_evidence_is_no_longer_linked(
    analyst: User, file_deviations: FileDeviations
) -> None:
    deviation, other = file_deviations(2)
    barrier = barrier_create(by=analyst, title="Hinder", deviations=[deviation])
    barrier_evidence_add(barrier=barrier, deviations=[other, deviation], by=analyst)
    assert barrier.evidence_rows.count() == 2
    assert barrier_evidence_remove(barrier=barrier, deviations=[deviation], by=analyst) == 1
    deviation.refresh_from_db()
    assert deviation.status == Deviation.Status.TRIAGED
