"""Closing the loop: what a reporter sees of the barriers their deviation feeds.

Registered with deviations from `BarriersConfig.ready()` (deviations/extensions.py), and
subscribed there to `tags_changed`, so deviations never imports barriers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from barriers.models import BarrierEvidence
from barriers.selectors import barrier_timeline_entries, deviation_outcome
from barriers.services import barrier_evidence_accrue
from deviations.extensions import DeviationExtension
from deviations.history import TimelineEntry
from deviations.models import Deviation, User


def timeline_entries(deviation: Deviation) -> list[TimelineEntry]:
    return barrier_timeline_entries(deviation=deviation)


def outcome(deviation: Deviation, user: User) -> dict[str, Any] | None:
    found = deviation_outcome(deviation=deviation)
    if not found:
        return None
    return {"template": "barriers/includes/outcome.html", "outcomes": found}


def list_notes(deviations: Sequence[Deviation]) -> dict[int, str]:
    """One line per deviation: the barrier it feeds and where that barrier stands."""
    rows = BarrierEvidence.objects.filter(deviation__in=deviations).select_related("barrier")
    notes: dict[int, str] = {}
    for row in rows:
        note = _("%(barrier)s: %(status)s") % {
            "barrier": row.barrier.title,
            "status": row.barrier.get_status_display(),
        }
        notes[row.deviation_id] = (
            f"{notes[row.deviation_id]}; {note}" if row.deviation_id in notes else note
        )
    return notes


def tags_changed_received(*, deviation_ids: Sequence[int], **_signal: object) -> None:
    """A deviation whose confirmed tags now match a barrier's becomes its evidence at once."""
    for start in range(0, len(deviation_ids), 5000):
        batch = deviation_ids[start : start + 5000]
        # Only confirmed tags make evidence: a filing with suggestions alone costs one query.
        tagged = list(Deviation.objects.filter(pk__in=batch).exclude(confirmed_tags="").only("pk"))
        if tagged:
            barrier_evidence_accrue(deviations=tagged)


EXTENSION = DeviationExtension(
    timeline_entries=timeline_entries, outcome=outcome, list_notes=list_notes
)
