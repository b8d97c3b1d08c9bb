"""What needs a person now: the panels of the start page and the counts in the navigation.

Each app registers its own panels in `AppConfig.ready()` (`start_panel`), so the start page,
which lives low in the house, shows the work of the apps above it without importing them —
the same direction as the tag signals (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import caches
from django.utils import timezone

NAV_SECONDS = 60  # the navigation's counts may lag a minute; the start page is always fresh


@dataclass(frozen=True, slots=True)
class StartItem:
    """One thing in a panel: what it is, where to act on it, and a short note (a due date)."""

    text: str
    url: str
    note: str = ""
    urgent: bool = False  # overdue, or otherwise the first to take


@dataclass(frozen=True, slots=True)
class StartPanel:
    """A kind of work waiting for the person, with how much and where to go."""

    key: str
    title: str
    count: int
    url: str
    items: tuple[StartItem, ...] = ()
    empty: str = ""  # shown when count is 0; a panel without it is left out when empty
    nav: str = ""  # the navigation entry that shows the count ("triage", "groups", …)
    order: int = 100
    more: str = ""  # the link text to the full list


# (user, last visit or None) → a panel, or None when it is not for this user.
PanelSource = Callable[[Any, datetime | None], StartPanel | None]
_sources: dict[str, tuple[int, PanelSource]] = {}


def start_panel(key: str, *, order: int = 100) -> Callable[[PanelSource], PanelSource]:
    """Register a panel source under `key` (registering a key again replaces it)."""

    def register(source: PanelSource) -> PanelSource:
        _sources[key] = (order, source)
        return source

    return register


def start_panels(user: Any, *, since: datetime | None) -> list[StartPanel]:
    """The panels for this user, in order; empty panels without an `empty` text left out."""
    panels = []
    for _order, source in sorted(_sources.values(), key=lambda pair: pair[0]):
        panel = source(user, since)
        if panel is not None and (panel.count or panel.empty):
            panels.append(panel)
    return panels


def nav_counts(user: Any) -> dict[str, int]:
    """Counts for the navigation, per entry; kept a minute per user in the local cache."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cache = caches["local"]
    key = f"start:nav:{user.pk}"
    counts = cache.get(key)
    if counts is None:
        counts = {}
        for panel in start_panels(user, since=None):
            if panel.nav and panel.count:
                counts[panel.nav] = counts.get(panel.nav, 0) + panel.count
        cache.set(key, counts, NAV_SECONDS)
    return counts


def nav_counts_forget(user: Any) -> None:
    """After the person acted (a decision, a triage), show fresh counts on the next page."""
    caches["local"].delete(f"start:nav:{user.pk}")


def last_visit(user: Any, page: str = "start") -> datetime | None:
    """When the person last opened `page`, and mark now as the new visit."""
    from core.models import PageVisit

    now = timezone.now()
    visit, created = PageVisit.objects.get_or_create(
        user_id=user.pk, page=page, defaults={"seen_at": now}
    )
    if created:
        return None
    previous = visit.seen_at
    PageVisit.objects.filter(pk=visit.pk).update(seen_at=now)
    return previous
