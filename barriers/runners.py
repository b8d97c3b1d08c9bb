"""The barriers app's background jobs: digests to reporters and reminders to steering groups."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from barriers.notifications import digests_send, reminders_send
from deviations.jobs import Progress, job_runner
from deviations.models import Job

DIGEST_DAYS = 7


@job_runner(Job.Kind.DIGESTS)
def digests_run(job: Job, progress: Progress) -> dict[str, Any]:
    """Nothing already told is told again, so running it twice sends nothing twice."""
    now = timezone.now()
    day = (
        date.fromisoformat(job.params["since"])
        if job.params.get("since")
        else timezone.localdate(now) - timedelta(days=DIGEST_DAYS)
    )
    since = timezone.make_aware(datetime.combine(day, time.min))
    digests = digests_send(since=since, until=now, progress=progress)
    return {"digests": len(digests), "since": day.isoformat()}


@job_runner(Job.Kind.REMINDERS)
def reminders_run(job: Job, progress: Progress) -> dict[str, Any]:
    today = date.fromisoformat(job.params["today"]) if job.params.get("today") else None
    reminders = reminders_send(today=today, progress=progress)
    return {"reminders": len(reminders), "reminder_ids": [r.pk for r in reminders]}
