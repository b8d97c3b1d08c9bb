"""Evidence keeps accruing as new deviations match a barrier's tags; resolved barriers recur."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from barriers.extensions import tags_changed_received
from barriers.models import Barrier, BarrierEvidence, Decision, SteeringGroup
from barriers.services import (
    barrier_create,
    barrier_create_from_knot,
    barrier_escalate,
    barrier_evidence_accrue,
    barrier_transition,
    decision_record,
)
from core.models import Notification
from deviations.models import Deviation, User
from deviations.signals import tags_changed
from tests.barriers.conftest import KNOT_TAGS, FileDeviations, make_knot

Ladder = dict[str, SteeringGroup]


@pytest.fixture(autouse=True)
def batch_only() -> Iterator[None]:
    """These tests are about the batch (`accrue_evidence`), so deviations filed here do not
    accrue at once through `tags_changed` (tests/barriers/test_tags_changed.py covers that)."""
    tags_changed.disconnect(dispatch_uid="barriers.evidence")
    yield
    tags_changed.connect(tags_changed_received, dispatch_uid="barriers.evidence")


@pytest.fixture
def barrier(analyst: User, file_deviations: FileDeviations) -> Barrier:
    return barrier_create_from_knot(knot=make_knot(file_deviations(2)), by=analyst)


def resolve(barrier: Barrier, *, by: User) -> None:
    """Through the services, as a steering group would: escalate, act, act on it, resolve."""
    today = timezone.localdate()
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=by)
    escalation = barrier_escalate(barrier=barrier, group=None, due_on=None, by=by)
    decision_record(
        escalation=escalation,
        kind=Decision.Kind.ACT,
        by=by,
        action="Förslag till lagändring",
        owner="Förbundet",
        due_on=today + timedelta(days=30),
        effect_check_on=today + timedelta(days=180),
    )
    barrier_transition(barrier=barrier, status=Barrier.Status.IN_ACTION, by=by)
    escalation.refresh_from_db()
    decision_record(
        escalation=escalation,
        kind=Decision.Kind.RESOLVED,
        by=by,
        effect_evaluation="Lagen ändrad.",
    )
    barrier.refresh_from_db()


def test_new_matching_deviations_are_linked_once(
    barrier: Barrier, file_deviations: FileDeviations
) -> None:
    matching = file_deviations(2)
    file_deviations(1, tags=["agency:AF", "agency:FK"])  # lacks the provision
    file_deviations(1, tags=["agency:AFX", "agency:FK", "prov:2010:110#K27P48"])  # not agency:AF
    report = barrier_evidence_accrue()
    assert (report.linked, report.barriers) == (2, [barrier])
    accrued = barrier.evidence_rows.filter(how=BarrierEvidence.How.ACCRUED)
    assert {row.deviation for row in accrued} == set(matching)
    assert {d.status for d in Deviation.objects.filter(pk__in=[d.pk for d in matching])} == {
        Deviation.Status.LINKED
    }
    assert barrier_evidence_accrue().linked == 0


def test_accrual_can_be_limited_to_just_confirmed_deviations(
    barrier: Barrier, file_deviations: FileDeviations
) -> None:
    first, second = file_deviations(2)
    assert barrier_evidence_accrue(deviations=[first]).linked == 1
    assert not barrier.evidence_rows.filter(deviation=second).exists()


def test_confirming_costs_no_query_per_barrier_the_deviation_does_not_match(
    barrier: Barrier,
    analyst: User,
    file_deviations: FileDeviations,
    django_assert_max_num_queries: object,
) -> None:
    """Accrual by match, not by scan: a hundred open barriers on other tags add nothing to
    the work of confirming one deviation's tags."""
    for n in range(100):
        barrier_create(by=analyst, title=f"Annat {n}", tags=["agency:CSN", f"law:1999:{1000 + n}"])
    (new,) = file_deviations(1)
    with django_assert_max_num_queries(20):  # 16: the matching barrier's link; others none
        report = barrier_evidence_accrue(deviations=[new])
    assert (report.linked, report.barriers) == (1, [barrier])
    assert barrier.evidence_rows.filter(deviation=new).exists()


def test_barriers_with_one_tag_or_closed_do_not_accrue(
    analyst: User, file_deviations: FileDeviations
) -> None:
    barrier_create(by=analyst, title="Bara FK", tags=["agency:FK"])
    closed = barrier_create(by=analyst, title="Stängt", tags=list(KNOT_TAGS))
    barrier_transition(barrier=closed, status=Barrier.Status.CLOSED, by=analyst, reason="Fel")
    file_deviations(1)
    assert barrier_evidence_accrue().linked == 0


def test_a_resolved_barrier_that_receives_new_deviations_recurs(
    barrier: Barrier,
    analyst: User,
    steering_member: User,
    ladder: Ladder,
    file_deviations: FileDeviations,
    mailoutbox: list,
    django_capture_on_commit_callbacks,
) -> None:
    analyst.email = "analytiker@example.org"
    analyst.save()
    steering_member.email = "ledamot@example.org"
    steering_member.save()
    ladder["riksdagen"].members.add(steering_member)
    resolve(barrier, by=analyst)
    assert barrier.status == Barrier.Status.RESOLVED
    mailoutbox.clear()

    (new,) = file_deviations(1, occurred_on=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        report = barrier_evidence_accrue()
    barrier.refresh_from_db()
    assert report.recurring == [barrier]
    assert barrier.recurring
    assert barrier.recurring_since is not None
    assert barrier.status == Barrier.Status.RESOLVED
    # One mail each (as each chose), and the same notice in each one's list in the tool.
    assert sorted(m.to[0] for m in mailoutbox) == ["analytiker@example.org", "ledamot@example.org"]
    assert all(new.reference in m.body for m in mailoutbox)
    assert {n.user for n in Notification.objects.filter(kind="recurring")} == {
        analyst,
        steering_member,
    }

    with django_capture_on_commit_callbacks(execute=True):
        file_deviations(1, occurred_on=timezone.localdate())
        assert barrier_evidence_accrue().recurring == []
    assert len(mailoutbox) == 2  # told once


def test_an_old_deviation_confirmed_late_is_no_recurrence(
    barrier: Barrier, analyst: User, ladder: Ladder, file_deviations: FileDeviations
) -> None:
    resolve(barrier, by=analyst)
    file_deviations(1, occurred_on=date(2025, 1, 10))
    report = barrier_evidence_accrue()
    barrier.refresh_from_db()
    assert (report.linked, report.recurring, barrier.recurring) == (1, [], False)


def test_reopening_a_recurring_barrier_clears_the_flag(
    barrier: Barrier, analyst: User, ladder: Ladder, file_deviations: FileDeviations
) -> None:
    resolve(barrier, by=analyst)
    file_deviations(1, occurred_on=timezone.localdate())
    barrier_evidence_accrue()
    barrier.refresh_from_db()
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    assert (barrier.status, barrier.recurring) == (Barrier.Status.ANALYSED, False)


def test_command_reports_what_it_linked(barrier: Barrier, file_deviations: FileDeviations) -> None:
    file_deviations(3)
    out = StringIO()
    call_command("accrue_evidence", stdout=out)
    assert "3 deviations linked to 1 barriers" in out.getvalue()


def test_evidence_accrues_across_a_reform(analyst: User, file_deviations: FileDeviations) -> None:
    """A barrier on 4 kap. 1 § SoL (2001:453) gathers deviations that cite its continuation,
    12 kap. 1 § SoL (2025:400), and only those (catalogue.concordance)."""
    old_tags = ("agency:KOMMUN", "prov:2001:453#K4P1")
    before = file_deviations(2, tags=old_tags, occurred_on=date(2025, 5, 5))
    barrier = barrier_create_from_knot(knot=make_knot(before, tags=old_tags), by=analyst)
    assert barrier.tags == sorted(old_tags)
    after = file_deviations(
        2, tags=("agency:KOMMUN", "prov:2025:400#K12P1"), occurred_on=date(2025, 9, 1)
    )
    elsewhere = file_deviations(
        1, tags=("agency:KOMMUN", "prov:2025:400#K12P3"), occurred_on=date(2025, 9, 1)
    )
    report = barrier_evidence_accrue(barriers=[barrier])
    evidence = BarrierEvidence.objects.filter(barrier=barrier)
    linked = set(evidence.values_list("deviation", flat=True))
    assert {d.pk for d in before + after} == linked
    assert elsewhere[0].pk not in linked  # 12 kap. 3 § is a rule of its own
    assert report.linked == 2


def test_deviations_close_with_their_resolved_barrier_and_reopen_when_it_recurs(
    barrier: Barrier, analyst: User, ladder: Ladder, file_deviations: FileDeviations
) -> None:
    evidence = list(Deviation.objects.filter(barrier_evidence__barrier=barrier))
    assert {d.status for d in evidence} == {Deviation.Status.LINKED}
    # One of them is also evidence of a barrier still open: it stays linked.
    other = barrier_create(
        by=analyst, title="Ett annat hinder", tags=["agency:FK"], deviations=evidence[:1]
    )
    assert other.status == Barrier.Status.IDENTIFIED
    resolve(barrier, by=analyst)
    statuses = dict(
        Deviation.objects.filter(pk__in=[d.pk for d in evidence]).values_list("pk", "status")
    )
    assert statuses[evidence[0].pk] == Deviation.Status.LINKED
    assert statuses[evidence[1].pk] == Deviation.Status.CLOSED
    closed = Deviation.objects.get(pk=evidence[1].pk)
    assert closed.history.first().history_change_reason == "barrier resolved"
    file_deviations(1, occurred_on=timezone.localdate())
    barrier_evidence_accrue()
    assert Deviation.objects.get(pk=evidence[1].pk).status == Deviation.Status.LINKED
