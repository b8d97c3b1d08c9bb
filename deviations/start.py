"""Start-page panels of deviations: news on a reporter's own deviations, and triage waiting."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.start import StartItem, StartPanel, start_panel
from deviations.models import Deviation, User
from deviations.selectors import own_deviation_list, triage_queue

NEWS_WITHOUT_VISIT = timedelta(days=14)  # a first visit shows the last fortnight's news
ITEMS = 5


@start_panel("own_news", order=10)
def own_news(user: User, since: datetime | None) -> StartPanel | None:
    """Own deviations something happened to since the last visit: triaged, linked, closed."""
    if not user.has_perm("deviations.add_deviation"):
        return None
    since = since or timezone.now() - NEWS_WITHOUT_VISIT
    changed = (
        own_deviation_list(user=user)
        .exclude(status=Deviation.Status.SUBMITTED)
        .filter(updated_at__gt=since)
        .order_by("-updated_at")
    )
    return StartPanel(
        key="own_news",
        title=_("News on my deviations"),
        count=changed.count(),
        url=reverse("deviations:mine"),
        items=tuple(
            StartItem(
                text=d.reference,
                url=reverse("deviations:detail", args=[d.reference]),
                note=d.get_status_display(),
            )
            for d in changed[:ITEMS]
        ),
        empty=_("Nothing new on your deviations since your last visit."),
        more=_("All my deviations"),
    )


@start_panel("triage", order=20)
def triage_waiting(user: User, since: datetime | None) -> StartPanel | None:
    """Deviations waiting for an analyst's triage, oldest first."""
    if not user.has_perm("deviations.triage_deviation"):
        return None
    queue = triage_queue(user=user).select_related("municipality")
    today = timezone.localdate()
    return StartPanel(
        key="triage",
        title=_("Waiting for triage"),
        count=queue.count(),
        url=reverse("triage:queue"),
        items=tuple(
            StartItem(
                text=f"{d.reference} · {d.municipality.name}",
                url=reverse("triage:deviation", args=[d.reference]),
                note=_("reported %(date)s") % {"date": date_format(d.reported_at.date())},
                urgent=(today - timezone.localdate(d.reported_at)).days > 14,
            )
            for d in queue[:ITEMS]
        ),
        empty=_("No deviation is waiting for triage."),
        nav="triage",
        more=_("Open the triage queue"),
    )
