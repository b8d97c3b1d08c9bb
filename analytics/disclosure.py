"""The one rule for small counts that leave the analyst role: 1–4 are shown as “<5”.

Every figure a steering group or anyone else outside the analyst role sees (the dashboard, its
downloads, the barrier dossier, knot sentences) goes through `suppress_small` or
`present_count`, so nobody can be singled out by a small number, a bar's length or a share.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.formats import number_format

from deviations.models import User

SMALL_COUNT = 5  # counts from 1 up to, not including, this are hidden outside the analyst role
SUPPRESSED = f"<{SMALL_COUNT}"
ANALYST_PERMISSION = "deviations.view_all_deviations"


def viewer_may_see_small(user: User) -> bool:
    """Analysts (and administrators) see exact small counts; everyone else sees “<5”."""
    return user.has_perm(ANALYST_PERMISSION)


def is_suppressed(count: int, *, viewer_may_see_small: bool) -> bool:
    return not viewer_may_see_small and 0 < count < SMALL_COUNT


def present_count(count: int, *, viewer_may_see_small: bool) -> str:
    """A count as text: “<5” for 1–4 when the viewer may not see small counts."""
    if is_suppressed(count, viewer_may_see_small=viewer_may_see_small):
        return SUPPRESSED
    return number_format(count, force_grouping=True)


@dataclass(frozen=True, slots=True)
class ShownCount:
    """One row of a figure as it may be shown: the text, the bar length, the share."""

    label: str
    text: str  # the count, or “<5”
    drawn: int  # the bar's length: 0 when suppressed, so it cannot leak through the picture
    share: float | None  # of the figure's total; None when suppressed

    @property
    def suppressed(self) -> bool:
        return self.share is None


def suppress_small(
    counts: Iterable[tuple[str, int]], *, viewer_may_see_small: bool
) -> list[ShownCount]:
    """The rows of a figure as the viewer may see them (shares of the full total)."""
    rows = list(counts)
    total = sum(count for _, count in rows) or 1
    shown = []
    for label, count in rows:
        hidden = is_suppressed(count, viewer_may_see_small=viewer_may_see_small)
        shown.append(
            ShownCount(
                label=label,
                text=present_count(count, viewer_may_see_small=viewer_may_see_small),
                drawn=0 if hidden else count,
                share=None if hidden else count / total,
            )
        )
    return shown
