"""Did the decision help? The barrier's share of the deviations in the deciding group's area,
before and after the decision to act.

Two windows of equal length are compared: from the day of the decision to the day of the check,
and as many days just before the decision. A raw count would fall whenever fewer deviations are
filed at all (a unit stops reporting, a holiday month), so the measure is a rate: deviations
matching the barrier (every deviation whose confirmed tags contain the barrier's tags, not only
the linked evidence) per 1,000 filed deviations (not duplicates, not withdrawn) in the same
window and area. The area is the deciding group's municipalities; a group without listed
municipalities (regional and national bodies) is measured on the whole data set.

Whether the change is more than chance is the knot trend's share test (analytics.trend): given
the m matching deviations of both windows, the after-count is Binomial(m, p0) with p0 = after
total / (before total + after total) if the share did not change. The 95 % interval for the rate
ratio is the exact conditional (Clopper–Pearson) one from the same model, so it excludes "no
change" exactly when p < 0.05. The arithmetic is pure (dates and counts); `barrier_effect`
collects the counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from analytics.extract import AnalysisFilter, filtered_deviations
from analytics.trend import share_ratio_interval, share_trend
from barriers.models import ACTING_KINDS, Barrier, Decision
from barriers.selectors import deviations_matching

PER = 1000  # rates are per 1,000 filed deviations
SIGNIFICANCE = 0.05  # a change is "more than chance" below this p-value (the 95 % interval)


@dataclass(frozen=True, slots=True)
class RateEffect:
    """Matching deviations per 1,000 filed, before and after, with the test of the change."""

    before: int  # matching deviations in the window before the decision
    after: int  # … from the decision to the check
    total_before: int  # every filed deviation in the area in the window before
    total_after: int
    rate_before: float | None  # per 1,000; None when nothing was filed in the window
    rate_after: float | None
    change: float | None  # relative change of the rate, -0.5 for half; None without a base
    change_low: float | None  # the 95 % interval of the change; None without a base
    change_high: float | None  # may be inf
    p_value: float  # two-sided; 1 when there is nothing to test

    @property
    def significant(self) -> bool:
        return self.p_value < SIGNIFICANCE

    @property
    def fell(self) -> bool:
        return self.change is not None and self.change < 0

    @property
    def rose(self) -> bool:
        """Rose: a higher rate, or matching deviations after none before."""
        if self.change is None:
            return bool(self.after and self.total_before and self.total_after)
        return self.change > 0


def rate_effect(*, before: int, after: int, total_before: int, total_after: int) -> RateEffect:
    """Pure: the four counts → the two rates, the change, its interval and p-value."""
    rate_before = PER * before / total_before if total_before else None
    rate_after = PER * after / total_after if total_after else None
    trend = share_trend(after, before, total_after, total_before)
    change = low = high = None
    if before and total_before and total_after:
        change = trend.tau  # (after/total after) / (before/total before) − 1
        ratio_low, ratio_high = share_ratio_interval(after, before, total_after, total_before)
        low, high = ratio_low - 1.0, ratio_high - 1.0
    return RateEffect(
        before=before,
        after=after,
        total_before=total_before,
        total_after=total_after,
        rate_before=rate_before,
        rate_after=rate_after,
        change=change,
        change_low=low,
        change_high=high,
        p_value=trend.p_value,
    )


@dataclass(frozen=True, slots=True)
class EffectCheck:
    decided_on: date
    checked_on: date
    window_days: int
    before: int  # matching deviations in the window before the decision
    after: int  # from the decision to the check
    total_before: int  # every filed deviation in the area, same windows
    total_after: int
    monthly: tuple[tuple[str, int], ...]  # ("2026-01", n) over both windows, every month shown
    group: str = ""  # the deciding group's name
    area: tuple[str, ...] = ()  # its municipalities' names; empty: the whole data set

    @property
    def rates(self) -> RateEffect:
        return rate_effect(
            before=self.before,
            after=self.after,
            total_before=self.total_before,
            total_after=self.total_after,
        )


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _months(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def effect_windows(*, decided_on: date, checked_on: date) -> tuple[date, int]:
    """(first day of the window before, days per window): the decision day counts as after."""
    days = max((checked_on - decided_on).days + 1, 1)
    return decided_on - timedelta(days=days), days


def compare_windows(
    dates: Iterable[date],
    *,
    decided_on: date,
    checked_on: date,
    total_before: int,
    total_after: int,
    group: str = "",
    area: Sequence[str] = (),
) -> EffectCheck:
    """Pure: the matching deviations' dates and the filed totals of the two windows → the
    check. Dates outside both windows are ignored."""
    start, days = effect_windows(decided_on=decided_on, checked_on=checked_on)
    in_range = [d for d in dates if start <= d <= checked_on]
    before = sum(1 for d in in_range if d < decided_on)
    counts = Counter(_month(d) for d in in_range)
    return EffectCheck(
        decided_on=decided_on,
        checked_on=checked_on,
        window_days=days,
        before=before,
        after=len(in_range) - before,
        total_before=total_before,
        total_after=total_after,
        monthly=tuple((m, counts.get(m, 0)) for m in _months(start, checked_on)),
        group=group,
        area=tuple(area),
    )


def effect_decision(barrier: Barrier) -> Decision | None:
    """The decision whose effect is checked: the latest decision to act."""
    return (
        Decision.objects.filter(escalation__barrier=barrier, kind__in=ACTING_KINDS)
        .select_related("escalation__group")
        .order_by("-decided_at", "-pk")
        .first()
    )


def barrier_effect(*, barrier: Barrier, today: date | None = None) -> EffectCheck | None:
    """The effect check once its date has come; None before that or without a decision to act.
    Counted in the deciding group's area (module docstring)."""
    today = today or timezone.localdate()
    decision = effect_decision(barrier)
    if decision is None or decision.effect_check_on is None or today < decision.effect_check_on:
        return None
    decided_on = timezone.localdate(decision.decided_at)
    start, _days = effect_windows(decided_on=decided_on, checked_on=today)
    group = decision.escalation.group
    places = list(group.municipalities.order_by("name").values_list("code", "name"))
    codes = tuple(code for code, _name in places)
    filed = filtered_deviations(AnalysisFilter(since=start, until=today, municipalities=codes))
    dates = deviations_matching(
        tags=barrier.tags, since=start, until=today, municipalities=codes
    ).values_list("occurred_on", flat=True)
    return compare_windows(
        dates,
        decided_on=decided_on,
        checked_on=today,
        total_before=filed.filter(occurred_on__lt=decided_on).count(),
        total_after=filed.filter(occurred_on__gte=decided_on).count(),
        group=group.name,
        area=[name for _code, name in places],
    )
