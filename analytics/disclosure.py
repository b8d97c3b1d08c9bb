"""The one rule for figures that leave the analyst role: “<5” for 1–4, the rest rounded to 5.

Suppressing small counts alone is undone by subtraction (a total minus the shown cells, two
periods, two filters one apart). So, as Statistics Sweden, ONS and ABS protect published
tables, every other count is rounded to the nearest multiple of 5 as well, totals and
subtotals from their own exact value. Every shown number is then known only to ±2, and no
hidden cell can be worked out from what is shown (docs/privacy.md, “Disclosure control”).
Every figure for someone outside the analyst role goes through `protect_count` (one count)
or `protect_figure` (rows with their total, shares and bar lengths).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.formats import number_format

from deviations.models import User

SMALL_COUNT = 5  # counts from 1 up to, not including, this are hidden outside the analyst role
ROUNDING_BASE = 5  # every other count outside the analyst role is a multiple of this
SUPPRESSED = f"<{SMALL_COUNT}"
ANALYST_PERMISSION = "deviations.view_all_deviations"


def viewer_sees_exact(user: User) -> bool:
    """Analysts (and administrators) see exact counts; everyone else protected ones."""
    return user.has_perm(ANALYST_PERMISSION)


def protect_count(count: int, *, exact: bool) -> int | None:
    """The count as it may be shown: None for 1–4, else the nearest multiple of 5 (0 stays 0)."""
    if exact or count == 0:
        return count
    if count < SMALL_COUNT:
        return None
    return ROUNDING_BASE * ((count + ROUNDING_BASE // 2) // ROUNDING_BASE)


def present_count(count: int, *, exact: bool) -> str:
    """A count as text: “<5”, a multiple of 5, or the exact count for analysts."""
    shown = protect_count(count, exact=exact)
    return SUPPRESSED if shown is None else number_format(shown, force_grouping=True)


@dataclass(frozen=True, slots=True)
class ShownCount:
    """One row of a figure as it may be shown: the value, its text, the bar, the share."""

    label: str
    value: int | None  # the protected count; None when suppressed
    text: str  # the count, “<5” or a multiple of 5
    drawn: int  # the bar's length: the shown value, 0 when suppressed
    share: float | None  # of the figure's shown total; None when suppressed

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True, slots=True)
class ShownFigure:
    rows: list[ShownCount]
    total: ShownCount  # the exact sum of the rows, protected on its own


def _shown(label: str, count: int, *, exact: bool, total: int | None) -> ShownCount:
    value = protect_count(count, exact=exact)
    return ShownCount(
        label=label,
        value=value,
        text=present_count(count, exact=exact),
        drawn=value or 0,
        share=value / total if value is not None and total else None,
    )


def protect_figure(
    counts: Iterable[tuple[str, int]], *, exact: bool, total_label: str = ""
) -> ShownFigure:
    """Rows and total as the viewer may see them; shares are of the shown total, from shown
    values only, so a share tells nothing the numbers beside it do not."""
    rows = list(counts)
    total = _shown(total_label, sum(count for _, count in rows), exact=exact, total=None)
    total_value = total.value
    if total_value:
        total = ShownCount(total_label, total_value, total.text, total.drawn, 1.0)
    return ShownFigure(
        rows=[_shown(label, count, exact=exact, total=total_value) for label, count in rows],
        total=total,
    )


def present_share(row: ShownCount) -> str:
    """A share as a whole percentage, or nothing for a suppressed row."""
    return "" if row.share is None else f"{100 * row.share:.0f} %"
