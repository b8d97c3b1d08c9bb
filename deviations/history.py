"""The story of a deviation, read from its audit history, for the reporter and analysts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from catalogue.selectors import labels_for
from deviations.models import Deviation, Tagging


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    text: str
    by: str
    tag: str = ""  # the tag's id behind a tag decision, shown on hover to analysts


def _name(user: object | None) -> str:
    if user is None:
        return _("the system")
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or getattr(user, "username", ""))


def deviation_timeline(*, deviation: Deviation) -> list[TimelineEntry]:
    """Submitted, status changes and tag decisions, oldest first."""
    entries: list[TimelineEntry] = []
    previous_status: str | None = None
    for record in deviation.history.order_by("history_date", "history_id").select_related(
        "history_user"
    ):
        if record.status != previous_status:
            label = Deviation.Status(record.status).label
            text = (
                _("Filed as %(status)s")
                if previous_status is None
                else _("Status changed to %(status)s")
            ) % {"status": label}
            entries.append(TimelineEntry(record.history_date, text, _name(record.history_user)))
            previous_status = record.status
    decided = (
        Tagging.history.filter(deviation_id=deviation.pk)
        .exclude(state=Tagging.State.SUGGESTED)
        .order_by("history_date")
        .select_related("history_user")
    )
    seen: set[tuple[str, str]] = set()
    for record in decided:
        key = (record.tag_id, record.state)
        if key in seen:
            continue
        seen.add(key)
        template = (
            _("Tag %(tag)s confirmed")
            if record.state == Tagging.State.CONFIRMED
            else _("Tag %(tag)s rejected")
        )
        entries.append(
            TimelineEntry(
                record.history_date,
                template % {"tag": labels_for([record.tag_id])[0]},
                _name(record.history_user),
                record.tag_id,
            )
        )
    return sorted(entries, key=lambda e: e.at)
