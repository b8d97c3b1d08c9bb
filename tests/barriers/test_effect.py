"""The effect check: deviations in the knot before and after a decision to act."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from barriers.effect import barrier_effect, compare_windows
from barriers.models import Barrier, Decision, SteeringGroup
from barriers.services import (
    barrier_create_from_knot,
    barrier_escalate,
    barrier_transition,
    decision_record,
)
from deviations.models import User
from tests.barriers.conftest import FileDeviations, make_knot


def test_equal_windows_before_and_after() -> None:
    decided = date(2026, 3, 1)
    dates = [
        date(2026, 1, 28),  # before the window (31 days before the decision)
        date(2026, 1, 29),
        date(2026, 2, 10),
        date(2026, 2, 28),
        date(2026, 3, 1),  # the decision day counts as after
        date(2026, 4, 1),  # after the check
    ]
    check = compare_windows(dates, decided_on=decided, checked_on=date(2026, 3, 31))
    assert (check.window_days, check.before, check.after, check.fell) == (31, 3, 1, True)
    assert check.monthly == (("2026-01", 1), ("2026-02", 2), ("2026-03", 1))
    assert check.change == pytest.approx(-2 / 3)
    assert check.per_month_before == pytest.approx(3 / 31 * 365.25 / 12)


def test_no_deviations_before_means_no_relative_change() -> None:
    check = compare_windows(
        [date(2026, 3, 5)], decided_on=date(2026, 3, 1), checked_on=date(2026, 3, 10)
    )
    assert (check.before, check.after, check.fell, check.change) == (0, 1, False, None)


@pytest.fixture
def acted(
    analyst: User, ladder: dict[str, SteeringGroup], file_deviations: FileDeviations
) -> Barrier:
    """A barrier with three deviations a month before today's decision to act."""
    today = timezone.localdate()
    deviations = file_deviations(3, occurred_on=today - timedelta(days=30))
    barrier = barrier_create_from_knot(knot=make_knot(deviations), by=analyst)
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)
    decision_record(
        escalation=escalation,
        kind=Decision.Kind.ACT,
        by=analyst,
        action="Skrivelse",
        owner="Förbundet",
        due_on=today + timedelta(days=30),
        effect_check_on=today + timedelta(days=90),
    )
    return barrier


def test_effect_is_shown_after_the_check_date(
    acted: Barrier, file_deviations: FileDeviations
) -> None:
    today = timezone.localdate()
    file_deviations(1, occurred_on=today + timedelta(days=10))
    file_deviations(1, occurred_on=today + timedelta(days=10), tags=["agency:FK"])  # not the knot
    assert barrier_effect(barrier=acted, today=today + timedelta(days=89)) is None
    check = barrier_effect(barrier=acted, today=today + timedelta(days=90))
    assert check is not None
    assert (check.decided_on, check.before, check.after, check.fell) == (today, 3, 1, True)


def test_no_effect_check_without_a_decision_to_act(
    analyst: User, file_deviations: FileDeviations
) -> None:
    barrier = barrier_create_from_knot(knot=make_knot(file_deviations(2)), by=analyst)
    assert barrier_effect(barrier=barrier, today=timezone.localdate() + timedelta(days=999)) is None
