"""Which jobs a person may follow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from jobs.models import Job

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User


def job_list(*, user: User) -> QuerySet[Job]:
    """The jobs a user may follow: their own, or every job with the view_job permission
    (analysts and administrators watch the knot recomputation and the scheduled work)."""
    jobs = Job.objects.select_related("created_by").defer("output")
    if user.has_perm("jobs.view_job"):
        return jobs
    return jobs.filter(created_by=user)


def job_get(*, user: User, key: object) -> Job:
    """One job this user may follow, or 404: someone else's job looks like no job."""
    return get_object_or_404(job_list(user=user), key=key)
