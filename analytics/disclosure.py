"""The one rule for figures that leave the analyst role: “<5” for 1–4, the rest rounded to 5,
and in a figure with a “<5” row one more row hidden beside it.

Suppressing small counts alone is undone by subtraction (a total minus the shown cells, two
periods, two filters one apart). So every other count is rounded to the nearest multiple of 5,
totals from their own exact value, and each figure with a hidden row gets a complementary
suppression as statistics offices do: its smallest other row is hidden as well, so the hidden
rows can trade counts with it without changing anything shown. A figure whose rows are all
small shows no breakdown at all (docs/privacy.md, “Disclosure control”).
Every figure for someone outside the analyst role goes through `protect_count` (one count)
or `protect_figure` (rows with their total, shares and bar lengths).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext

# Defined with the engine's types, which the pure modules read; the rule is this module's.
from analytics.types import SMALL_COUNT as SMALL_COUNT
from deviations.models import User

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
    value: int | None  # the protected count; None when suppressed or hidden beside one
    text: str  # the count, “<5”, “hidden” or a multiple of 5
    drawn: int  # the bar's length: the shown value, 0 when suppressed
    share: float | None  # of the figure's shown total; None when suppressed

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True, slots=True)
class ShownFigure:
    rows: list[ShownCount]  # empty when the breakdown is withheld
    total: ShownCount  # the exact sum of the rows, protected on its own
    withheld: bool = False  # every row was small: only the total is shown


def complement_text() -> str:
    """How a row hidden to protect a “<5” beside it reads."""
    return gettext("hidden")


def withheld_note() -> str:
    """Said in place of a breakdown whose rows are all below the limit."""
    return gettext(
        "Every group here has fewer than %(limit)s deviations, so the breakdown is not shown."
    ) % {"limit": SMALL_COUNT}


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
    small = [count for _, count in rows if 0 < count < SMALL_COUNT]
    if exact or not small:
        shown = [_shown(label, count, exact=exact, total=total_value) for label, count in rows]
        return ShownFigure(rows=shown, total=total)
    others = [(count, index) for index, (_, count) in enumerate(rows) if count >= SMALL_COUNT]
    if not others:
        # Only small rows: with their total beside them, two rows under 8–12 are both 4. With
        # one row the row is the total and already reads “<5”.
        if len(small) > 1:
            return ShownFigure(rows=[], total=total, withheld=True)
        return ShownFigure(
            rows=[_shown(label, count, exact=False, total=None) for label, count in rows],
            total=total,
        )
    complement = min(others)[1]  # the smallest other row, so the least is lost
    shown = []
    for index, (label, count) in enumerate(rows):
        if index == complement:
            shown.append(ShownCount(label, None, complement_text(), 0, None))
        else:
            shown.append(_shown(label, count, exact=False, total=total_value))
    return ShownFigure(rows=shown, total=total)


def present_share(row: ShownCount) -> str:
    """A share as a whole percentage, or nothing for a suppressed row."""
    return "" if row.share is None else f"{100 * row.share:.0f} %"
