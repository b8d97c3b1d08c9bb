"""Which jobs a person may follow."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from jobs.models import Job

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User


# Which other people's jobs a watcher may follow (None: everyone's), registered by the app that
# knows organisations (deviations), since jobs sit below it and cannot ask.
_watch_scope: Callable[[User], Q | None] = lambda _user: None  # noqa: E731


def job_watch_scope_register(scope: Callable[[User], Q | None]) -> None:
    global _watch_scope  # noqa: PLW0603 - one hook, set once at start-up
    _watch_scope = scope


def job_list(*, user: User) -> QuerySet[Job]:
    """The jobs a user may follow: their own, or with the view_job permission (analysts and
    administrators watch the knot recomputation and the scheduled work) also the jobs of the
    people of their organisations; the installation's own jobs only for the installation's."""
    jobs = Job.objects.select_related("created_by").defer("output")
    if user.has_perm("jobs.view_job"):
        scope = _watch_scope(user)
        return jobs if scope is None else jobs.filter(Q(created_by=user) | scope)
    return jobs.filter(created_by=user)


def job_get(*, user: User, key: object) -> Job:
    """One job this user may follow, or 404: someone else's job looks like no job."""
    return get_object_or_404(job_list(user=user), key=key)
