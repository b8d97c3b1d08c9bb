"""The barriers app's background jobs: digests to reporters, reminders of the dates people plan
by, and dossier PDFs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from barriers.dossier import dossier_context, dossier_pdf
from barriers.notifications import digests_send
from barriers.reminders import reminders_send
from barriers.selectors import barrier_list
from jobs.models import Job
from jobs.registry import job_kind
from jobs.services import JobFailed, Progress

DIGEST_DAYS = 7
DIGESTS_JOB = "digests"
REMINDERS_JOB = "reminders"
DOSSIER_JOB = "dossier"


def _digest_labels() -> dict[str, str]:
    return {"digests": _("Digests sent"), "since": _("Since")}


def _reminder_labels() -> dict[str, str]:
    return {"reminders": _("Reminders sent"), "notifications": _("Notifications")}


def _dossier_labels() -> dict[str, str]:
    return {"pages": _("Pages"), "bytes": _("Size in bytes")}


@job_kind(
    DIGESTS_JOB, gettext_lazy("Weekly digests"), maintenance=True, result_labels=_digest_labels
)
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


@job_kind(
    REMINDERS_JOB, gettext_lazy("Reminders"), maintenance=True, result_labels=_reminder_labels
)
def reminders_run(job: Job, progress: Progress) -> dict[str, Any]:
    """Each reminder is told once (barriers/reminders.py): running it twice tells nothing twice."""
    today = date.fromisoformat(job.params["today"]) if job.params.get("today") else None
    report = reminders_send(today=today, progress=progress)
    return {"reminders": report.reminders, "notifications": report.notifications}


@job_kind(DOSSIER_JOB, gettext_lazy("Dossier PDF"), result_labels=_dossier_labels)
def dossier_run(job: Job, progress: Progress) -> dict[str, Any]:
    """The dossier as PDF, as the person who asked may see it, in their language."""
    user = job.created_by
    barrier = barrier_list(user=user).filter(pk=job.params.get("barrier")).first() if user else None
    if barrier is None:
        raise JobFailed(_("The barrier is gone, or no longer yours to see."), retryable=False)
    with translation.override(job.params.get("language") or None):
        progress.step(_("Collecting the evidence and figures"))
        context = dossier_context(user=user, barrier=barrier)
        progress.step(_("Rendering the PDF"))
        pdf, pages = dossier_pdf(context)
    job.output, job.output_name = pdf, f"beslutsunderlag-{barrier.pk}.pdf"
    job.save(update_fields=["output", "output_name"])
    return {"pages": pages, "bytes": len(pdf), "barrier": barrier.pk}
