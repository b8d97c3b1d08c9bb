"""Start-page panel of the analysis: knots that are new or growing since the last visit."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.disclosure import ANALYST_PERMISSION
from analytics.extract import AnalysisFilter
from analytics.knots import TREND_ALPHA
from analytics.presentation import knot_key, knot_title, trend_text
from analytics.results import knot_result_kept
from core.start import StartItem, StartPanel, start_panel
from deviations.models import User

ITEMS = 5


@start_panel("knots", order=30)
def knots_new_or_growing(user: User, since: datetime | None) -> StartPanel | None:
    """From the last computed knots (never computed here): those first seen since the last
    visit, and those whose share grows beyond chance."""
    if not user.has_perm(ANALYST_PERMISSION):
        return None
    result = knot_result_kept(AnalysisFilter().scoped(user))  # the person's own organisations
    if result is None:
        return None
    first_day = timezone.localdate(since) if since else None
    is_new = [first_day is not None and k.first_seen >= first_day for k in result.knots]
    picked = [
        (k, fresh)
        for k, fresh in zip(result.knots, is_new, strict=True)
        if fresh or (k.trend > 0 and k.trend_p < TREND_ALPHA)
    ]
    picked.sort(key=lambda pair: not pair[1])  # new ones first, each group in rank order
    items = [
        StartItem(
            text=knot_title(k),
            url=reverse("analytics:knot", args=[knot_key(k.tags)]),
            note=_("new") if fresh else trend_text(k),
            urgent=fresh,
        )
        for k, fresh in picked[:ITEMS]
    ]
    return StartPanel(
        key="knots",
        title=_("New and growing knots"),
        count=len(picked),
        url=reverse("analytics:knots"),
        items=tuple(items),
        empty=_("No knot is new or growing."),
        more=_("All knots"),
    )
