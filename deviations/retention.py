"""Retention: free text older than a configurable age is removed; the facts stay.

What a deviation says about a person's situation is only needed while it is being handled.
After RETENTION_DAYS the description is replaced (also in its audit history) and old drafts are
deleted, while date, place, category, severity and confirmed tags remain, so statistics and
knots are unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deviations.models import Deviation, DeviationChange, Draft
from jobs.services import jobs_prune

DEFAULT_RETENTION_DAYS = 5 * 365


@dataclass(frozen=True, slots=True)
class RetentionReport:
    cutoff: date
    deviations: int
    history_rows: int
    drafts: int
    job_files: int = 0
    jobs: int = 0


def retention_cutoff(*, today: date | None = None, days: int | None = None) -> date:
    days = days if days is not None else getattr(settings, "RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    return (today or timezone.localdate()) - timedelta(days=days)


@transaction.atomic
def retention_apply(*, today: date | None = None, days: int | None = None) -> RetentionReport:
    """Remove descriptions of deviations that occurred before the cutoff, and old drafts."""
    cutoff = retention_cutoff(today=today, days=days)
    removed = _("[Removed after the retention period; the facts and tags are kept.]")
    old = Deviation.objects.filter(occurred_on__lt=cutoff).exclude(description=removed)
    ids = list(old.values_list("pk", flat=True))
    count = old.update(description=removed)
    history = Deviation.history.filter(id__in=ids).exclude(description=removed)
    history_rows = history.update(description=removed)
    drafts, _by_model = Draft.objects.filter(
        updated_at__lt=timezone.now() - timedelta(days=90)
    ).delete()
    job_files, jobs = jobs_prune()
    # A kept analysis is rebuilt daily (analytics.live), so older change rows are never read.
    DeviationChange.objects.filter(at__lt=timezone.now() - timedelta(days=2)).delete()
    return RetentionReport(
        cutoff=cutoff,
        deviations=count,
        history_rows=history_rows,
        drafts=drafts,
        job_files=job_files,
        jobs=jobs,
    )
