"""Start pages that say what needs each role now, with counts on the navigation (issue 16)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from barriers.models import Barrier, SteeringGroup
from barriers.services import barrier_create_from_knot, barrier_escalate, barrier_transition
from core.start import nav_counts_forget
from deviations.models import Deviation, User
from tests.barriers.conftest import FileDeviations, make_knot
from tests.factories import DeviationFactory, UserFactory


def _page(user: User) -> str:
    nav_counts_forget(user)
    client = Client()
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_a_reporter_sees_what_happened_to_their_deviations_since_last_time(
    staff: User, taby_unit, analyst: User
) -> None:
    deviation = DeviationFactory(unit=taby_unit, reporter=staff)
    first = _page(staff)
    assert "News on my deviations" in first
    assert "Nothing new on your deviations" in first  # only submitted so far
    Deviation.objects.filter(pk=deviation.pk).update(
        status=Deviation.Status.TRIAGED, updated_at=timezone.now()
    )
    second = _page(staff)
    assert deviation.reference in second
    assert "Triaged" in second
    third = _page(staff)  # seen now: no longer news
    assert "Nothing new on your deviations" in third


def test_an_analyst_sees_the_triage_queue_with_a_count_in_the_navigation(
    analyst: User, staff: User, taby_unit
) -> None:
    waiting = [DeviationFactory(unit=taby_unit, reporter=staff) for _ in range(3)]
    page = _page(analyst)
    assert "Waiting for triage" in page
    assert waiting[0].reference in page
    assert '<span class="nav-count" title="waiting">3</span>' in page
    Deviation.objects.filter(pk=waiting[0].pk).update(status=Deviation.Status.TRIAGED)
    assert '<span class="nav-count" title="waiting">2</span>' in _page(analyst)


def test_a_steering_member_sees_escalations_awaiting_decision_overdue_first(
    analyst: User, file_deviations: FileDeviations, ladder: dict[str, SteeringGroup]
) -> None:
    member = UserFactory(username="ledamot", roles=["steering"])
    barrier = barrier_create_from_knot(knot=make_knot(file_deviations(2)), by=analyst)
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(
        barrier=barrier, group=None, due_on=timezone.localdate() + timedelta(days=3), by=analyst
    )
    escalation.group.members.add(member)
    type(escalation).objects.filter(pk=escalation.pk).update(
        due_on=timezone.localdate() - timedelta(days=2)
    )
    page = _page(member)
    assert "Awaiting your group&#x27;s decision" in page
    assert barrier.title in page
    assert 'class="urgent"' in page  # overdue
    assert reverse("barriers:decide", args=[escalation.group.slug, escalation.pk]) in page
    assert '<span class="nav-count" title="awaiting decision">1</span>' in page
    assert "You can see 0" not in page  # no meaningless count of deviations


def test_someone_without_work_sees_no_empty_boxes(outsider: User) -> None:
    page = _page(outsider)
    assert "What needs you now" not in page


@pytest.mark.django_db
def test_an_analyst_without_computed_knots_gets_no_knot_panel(analyst: User) -> None:
    assert "New and growing knots" not in _page(analyst)
