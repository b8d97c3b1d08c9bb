"""The federation on the start page: a national instance's latest national knots, and a site's
national barriers it contributes to (core.start panels)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from barriers.models import Barrier
from catalogue.selectors import labels_for
from core.start import StartItem, StartPanel, start_panel
from deviations.models import User
from federation.models import NationalNotice, Round

ITEMS = 5


@start_panel("national_knots", order=10)
def national_knots(user: User, since: datetime | None) -> StartPanel | None:
    """On the national instance: the knots of the latest finished round."""
    if not settings.NATIONAL_MODE or not user.has_perm("federation.view_round"):
        return None
    latest = Round.objects.filter(stage=Round.Stage.DONE).order_by("-finished_at").first()
    knots = latest.knots if latest else []
    url = reverse("federation:round", args=[latest.key]) if latest else reverse("federation:rounds")
    return StartPanel(
        key="national_knots",
        title=_("National knots"),
        count=len(knots),
        url=url,
        items=tuple(
            StartItem(text=" + ".join(labels_for(k["tags"])), url=url, note=str(k["support"]))
            for k in knots[:ITEMS]
        ),
        empty=_("No national round has finished yet."),
        more=_("All national knots"),
    )


@start_panel("national_notices", order=60)
def national_notices(user: User, since: datetime | None) -> StartPanel | None:
    """On a site: the national barriers it contributes to, newest change first."""
    if not user.has_perm("federation.view_nationalnotice"):
        return None
    notices = NationalNotice.objects.order_by("-sent_at")
    statuses = dict(Barrier.Status.choices)
    url = reverse("federation:notices")
    return StartPanel(
        key="national_notices",
        title=_("National barriers we contribute to"),
        count=notices.count(),
        url=url,
        items=tuple(
            StartItem(text=n.title, url=url, note=str(statuses.get(n.status, "")))
            for n in notices[:ITEMS]
        ),
        more=_("All national barriers"),
    )
