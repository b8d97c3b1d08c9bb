"""Did the decision help? Deviations in the barrier's knot before and after the decision to act.

Two windows of equal length are compared: from the day of the decision to the day of the check,
and as many days just before the decision. Equal lengths make the two counts directly
comparable; the monthly series is there for the dossier's chart. Counted over every deviation
whose confirmed tags contain the barrier's tags (the knot), not only the linked evidence, so a
fall cannot come from evidence not yet linked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from barriers.models import Barrier, Decision
from barriers.selectors import deviations_matching

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True, slots=True)
class EffectCheck:
    decided_on: date
    checked_on: date
    window_days: int
    before: int  # deviations in the window before the decision
    after: int  # from the decision to the check
    monthly: tuple[tuple[str, int], ...]  # ("2026-01", n) over both windows, every month shown
    per_month_before: float
    per_month_after: float
    fell: bool

    @property
    def change(self) -> float | None:
        """Relative change, e.g. -0.4 for 40 % fewer; None when there were none before."""
        return (self.after - self.before) / self.before if self.before else None


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _months(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def compare_windows(dates: Iterable[date], *, decided_on: date, checked_on: date) -> EffectCheck:
    """Pure: the deviation dates of the knot → counts before and after the decision."""
    days = max((checked_on - decided_on).days + 1, 1)
    start = decided_on - timedelta(days=days)
    in_range = [d for d in dates if start <= d <= checked_on]
    before = sum(1 for d in in_range if d < decided_on)
    after = len(in_range) - before
    counts = Counter(_month(d) for d in in_range)
    return EffectCheck(
        decided_on=decided_on,
        checked_on=checked_on,
        window_days=days,
        before=before,
        after=after,
        monthly=tuple((m, counts.get(m, 0)) for m in _months(start, checked_on)),
        per_month_before=before / days * DAYS_PER_MONTH,
        per_month_after=after / days * DAYS_PER_MONTH,
        fell=after < before,
    )


def effect_decision(barrier: Barrier) -> Decision | None:
    """The decision whose effect is checked: the latest decision to act."""
    return (
        Decision.objects.filter(escalation__barrier=barrier, kind=Decision.Kind.ACT)
        .order_by("-decided_at", "-pk")
        .first()
    )


def barrier_effect(*, barrier: Barrier, today: date | None = None) -> EffectCheck | None:
    """The effect check once its date has come; None before that or without a decision to act."""
    today = today or timezone.localdate()
    decision = effect_decision(barrier)
    if decision is None or decision.effect_check_on is None or today < decision.effect_check_on:
        return None
    decided_on = timezone.localdate(decision.decided_at)
    window = (today - decided_on).days + 1
    dates = deviations_matching(
        tags=barrier.tags, since=decided_on - timedelta(days=window), until=today
    ).values_list("occurred_on", flat=True)
    return compare_windows(dates, decided_on=decided_on, checked_on=today)
