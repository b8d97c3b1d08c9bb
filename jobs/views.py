"""Pages for background jobs: a list, one job with a live progress bar, run again, start one."""

from __future__ import annotations

import mimetypes
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.requests import request_user
from jobs.heartbeat import last_worker_seen, worker_alive, workers_needed
from jobs.models import Job
from jobs.registry import job_kind_get, job_kinds
from jobs.selectors import job_get, job_list
from jobs.services import (
    job_can_retry,
    job_enqueue,
    job_may_retry,
    job_retry,
    job_state,
    job_time_left,
    jobs_reap,
)


def counts_text(job: Job) -> str:
    """ "1 234 of 5 000 · 25 % · about 0:00:12 left", the same on the page and in the JSON."""
    if not job.total:
        if job.status == Job.Status.RUNNING and job.step_started_at:
            # A step that cannot count (one transaction): at least show that it is alive.
            seconds = int((timezone.now() - job.step_started_at).total_seconds())
            return _("this step has run for %(seconds)d s") % {"seconds": seconds}
        return ""
    done = job.total if job.status == Job.Status.SUCCEEDED else job.done
    parts = [_("%(done)d of %(total)d") % {"done": done, "total": job.total}]
    parts.append(f"{round(100 * done / job.total)} %")
    if (left := job_time_left(job)) is not None:
        parts.append(_left_text(int(left.total_seconds())))
    return " · ".join(parts)


def _left_text(seconds: int) -> str:
    if seconds < 60:
        return _("less than a minute left")
    if seconds < 3600:
        minutes = round(seconds / 60)
        return ngettext("about %(n)d minute left", "about %(n)d minutes left", minutes) % {
            "n": minutes
        }
    hours, rest = divmod(seconds, 3600)
    return _("about %(h)d h %(m)d min left") % {"h": hours, "m": round(rest / 60)}


def _job(request: HttpRequest, key: uuid.UUID, *, reap: bool = True) -> Job:
    if reap:
        jobs_reap()  # an abandoned job shows as failed, with "Run again"
    return job_get(user=request_user(request), key=key)


@login_required
def job_list_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    page = Paginator(job_list(user=user), 50).get_page(request.GET.get("page"))
    startable = [(kind.name, kind.label) for kind in job_kinds() if kind.maintenance]
    return render(
        request,
        "jobs/job_list.html",
        {
            "page_obj": page,
            "startable": startable if user.has_perm("jobs.add_job") else [],
            # Queued jobs wait for a worker: say so when none has been heard from.
            "worker_missing": workers_needed() and not worker_alive(),
            "worker_seen": last_worker_seen() if workers_needed() else None,
        },
    )


@login_required
def job_detail_view(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    job = _job(request, key)
    kind = job_kind_get(job.kind)
    labels = kind.result_labels() if kind else {}
    extra = kind.result_context(job) if kind and kind.result_context else {}
    return render(
        request,
        "jobs/job_detail.html",
        {
            "job": job,
            "counts": counts_text(job),
            "result_template": kind.result_template if kind else "",
            **extra,
            "result_rows": [
                (labels[name], value) for name, value in job.result.items() if name in labels
            ],
            "can_retry": job_can_retry(job) and _may_retry(request, job),
        },
    )


@login_required
def job_status_view(request: HttpRequest, key: uuid.UUID) -> JsonResponse:
    """Polled by the job page (static/js/job.js) to move the bar without a reload."""
    job = _job(request, key, reap=False)  # polled every second: the page load reaped
    response = JsonResponse({**job_state(job), "text": counts_text(job)})
    response["Cache-Control"] = "no-store"
    return response


def _may_retry(request: HttpRequest, job: Job) -> bool:
    return job_may_retry(user=request_user(request), job=job)


@login_required
@require_POST
def job_retry_view(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    job = _job(request, key)
    if not _may_retry(request, job):
        raise PermissionDenied
    try:
        job = job_retry(job=job, by=request_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(job)


@login_required
@require_POST
def job_start_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not user.has_perm("jobs.add_job"):
        raise PermissionDenied
    kind = request.POST.get("kind", "")
    if kind not in {k.name for k in job_kinds() if k.maintenance}:
        messages.error(request, _("Choose one of the jobs in the list."))
        return redirect("jobs:list")
    job = job_enqueue(kind=kind, by=user, dedupe_key=f"{kind}:manual")
    return redirect(job)


@login_required
def job_output_view(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """The file a job made (a dossier PDF), for whoever may see the job."""
    job = _job(request, key)
    output = Job.objects.filter(pk=job.pk).values_list("output", flat=True).first()
    if not output:
        raise Http404(_("This job has made no file."))
    content_type = mimetypes.guess_type(job.output_name)[0] or "application/octet-stream"
    response = HttpResponse(bytes(output), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.output_name}"'
    return response
