"""Share-based trends and monthly counts (docs/knots.md §2 and §6 step 7), pure and deterministic.

Reporting volume grows as the system is adopted, so a knot's trend is measured on its *share* of
all deviations, not on raw counts: with r and p the knot's deviations in the last `horizon` days and
in the `horizon` days before, and R and P all deviations in the same windows,

    τ = (r / R) / (p / P) − 1

which, as both windows are equally long, is also the relative change of the monthly rate of the
knot's share. When p = 0 and r > 0, τ is computed as if p were 1 (a lower bound on the growth).
Without any deviations in one of the windows there is no basis for a trend: τ = 0, p-value 1.

The p-value is conditional on m = r + p: under "the share did not change", r ~ Binomial(m, π)
with π = R / (R + P). It is two-sided, twice the smaller tail, capped at 1.

The same conditioning gives an exact interval for the ratio of the two shares, θ = (r/R)/(p/P):
r ~ Binomial(m, π(θ)) with π(θ) = θR / (θR + P), so the Clopper–Pearson interval for π, turned
into θ = π/(1 − π) · P/R, is the interval whose θ the test does not reject (θ = 1 lies outside a
95 % interval exactly when the p-value is below 0.05).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

import numpy as np


@cache
def _special() -> Any:
    """scipy.special, imported at the first use: importing scipy costs every process that
    never runs the engine (a command, a web worker at start) 0.2 s."""
    from scipy import special

    return special


__all__ = [
    "Trend",
    "month_labels",
    "monthly_counts",
    "share_ratio_interval",
    "share_trend",
    "share_trends",
    "window_counts",
    "windows",
]


@dataclass(frozen=True, slots=True)
class Trend:
    tau: float
    p_value: float
    recent: int  # the knot's deviations in the last horizon
    previous: int  # … and in the horizon before
    total_recent: int  # all deviations in the last horizon
    total_previous: int


def windows(today: date, horizon_days: int) -> tuple[date, date, date]:
    """(start of the previous window, start of the recent window, today), all inclusive.

    The recent window is the `horizon_days` days ending on `today`; the previous one the
    `horizon_days` days before it.
    """
    recent_start = today - timedelta(days=horizon_days - 1)
    previous_start = recent_start - timedelta(days=horizon_days)
    return previous_start, recent_start, today


def window_counts(dates: np.ndarray, *, today: date, horizon_days: int) -> tuple[int, int]:
    """How many of `dates` (datetime64[D]) fall in the recent and in the previous window."""
    previous_start, recent_start, end = (
        np.datetime64(d, "D") for d in windows(today, horizon_days)
    )
    days = np.asarray(dates, dtype="datetime64[D]")
    recent = int(np.count_nonzero((days >= recent_start) & (days <= end)))
    previous = int(np.count_nonzero((days >= previous_start) & (days < recent_start)))
    return recent, previous


def share_trends(
    recent: np.ndarray, previous: np.ndarray, total_recent: int, total_previous: int
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised τ and two-sided p-values for many knots sharing the same totals."""
    r = np.asarray(recent, dtype=np.int64)
    p = np.asarray(previous, dtype=np.int64)
    tau = np.zeros(r.shape, dtype=np.float64)
    p_value = np.ones(r.shape, dtype=np.float64)
    if total_recent <= 0 or total_previous <= 0:
        return tau, p_value
    active = (r + p) > 0
    denominator = np.maximum(p, 1).astype(np.float64)
    ratio = (r / total_recent) / (denominator / total_previous)
    tau[active] = ratio[active] - 1.0
    if np.any(active):
        m = (r + p)[active]
        k = r[active]
        share = total_recent / (total_recent + total_previous)
        lower = _special().bdtr(k, m, share)  # P(X ≤ r)
        upper = np.where(k > 0, _special().bdtrc(np.maximum(k - 1, 0), m, share), 1.0)  # P(X ≥ r)
        p_value[active] = np.minimum(1.0, 2.0 * np.minimum(lower, upper))
    return tau, p_value


def share_trend(recent: int, previous: int, total_recent: int, total_previous: int) -> Trend:
    """τ and its p-value for one knot (see the module docstring)."""
    tau, p_value = share_trends(
        np.array([recent]), np.array([previous]), total_recent, total_previous
    )
    return Trend(
        tau=float(tau[0]),
        p_value=float(p_value[0]),
        recent=recent,
        previous=previous,
        total_recent=total_recent,
        total_previous=total_previous,
    )


def share_ratio_interval(
    recent: int, previous: int, total_recent: int, total_previous: int, *, level: float = 0.95
) -> tuple[float, float]:
    """The exact (Clopper–Pearson, conditional on r + p) interval for θ = (r/R)/(p/P), see the
    module docstring. (0, inf) when there is nothing to go on; the upper end is inf when p = 0."""
    m = recent + previous
    if m <= 0 or total_recent <= 0 or total_previous <= 0:
        return 0.0, float("inf")
    alpha = 1.0 - level
    low = float(_special().betaincinv(recent, m - recent + 1, alpha / 2)) if recent > 0 else 0.0
    high = (
        float(_special().betaincinv(recent + 1, m - recent, 1 - alpha / 2)) if previous > 0 else 1.0
    )
    odds = total_previous / total_recent

    def ratio(share: float) -> float:
        return float("inf") if share >= 1.0 else share / (1.0 - share) * odds

    return ratio(low), ratio(high)


def month_labels(first: date, last: date) -> tuple[str, ...]:
    """("2026-01", "2026-02", …) from the month of `first` to the month of `last`, inclusive."""
    start = np.datetime64(first, "M")
    end = np.datetime64(last, "M")
    if end < start:
        return ()
    months = np.arange(start, end + np.timedelta64(1, "M"), dtype="datetime64[M]")
    return tuple(str(m) for m in np.datetime_as_string(months, unit="M"))


def monthly_counts(dates: np.ndarray, *, first: date, last: date) -> tuple[tuple[str, int], ...]:
    """Counts of `dates` per month over the months from `first` to `last` (others ignored)."""
    labels = month_labels(first, last)
    if not labels:
        return ()
    offsets = (
        np.asarray(dates, dtype="datetime64[D]").astype("datetime64[M]") - np.datetime64(first, "M")
    ).astype(np.int64)
    inside = (offsets >= 0) & (offsets < len(labels))
    counts = np.bincount(offsets[inside], minlength=len(labels))
    return tuple(zip(labels, (int(c) for c in counts), strict=True))
