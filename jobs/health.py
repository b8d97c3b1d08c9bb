"""`/healthz/ready`: whether this installation can do its work, for orchestrators and monitoring.

`/healthz` (core.views) stays the cheap check a load balancer polls: the database answers.
Readiness also asks whether the migrations are applied, whether a task worker has been heard
from lately (jobs.heartbeat) and whether the oldest queued job has waited too long, and
answers 503 with the reasons when any is wrong. Operators read it; nothing personal is in it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from jobs.heartbeat import WORKER_SILENT, last_worker_seen, workers_needed
from jobs.models import Job

_migrated = False  # once every migration is applied it stays so for this process


def queue_max_age() -> timedelta:
    return timedelta(minutes=settings.KNUTPUNKT_QUEUE_MAX_AGE_MINUTES)


def _unapplied_migrations() -> int:
    global _migrated  # noqa: PLW0603 - a per-process memo of a fact that only becomes true
    if _migrated:
        return 0
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    _migrated = not plan
    return len(plan)


def readiness() -> tuple[bool, dict[str, Any], list[str]]:
    """(ready, what was checked, why not): the checks in plain values, reasons in English
    for the operator's log."""
    checks: dict[str, Any] = {}
    reasons: list[str] = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False, {"database": "unreachable"}, ["the database does not answer"]
    checks["database"] = "ok"
    unapplied = _unapplied_migrations()
    checks["migrations_unapplied"] = unapplied
    if unapplied:
        reasons.append(f"{unapplied} migrations are not applied (run manage.py migrate)")
    now = timezone.now()
    if workers_needed():
        seen = last_worker_seen()
        checks["worker_seen_seconds_ago"] = (
            None if seen is None else int((now - seen).total_seconds())
        )
        if seen is None or now - seen > WORKER_SILENT:
            reasons.append(
                "no task worker has been heard from"
                + ("" if seen is None else f" for {int((now - seen).total_seconds())} s")
                + " (start manage.py worker)"
            )
        oldest = (
            Job.objects.filter(status=Job.Status.QUEUED)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        waited = None if oldest is None else now - oldest
        checks["oldest_queued_seconds"] = None if waited is None else int(waited.total_seconds())
        if waited is not None and waited > queue_max_age():
            reasons.append(f"the oldest queued job has waited {int(waited.total_seconds())} s")
    else:
        checks["worker"] = "not needed: jobs run in the request"
    return not reasons, checks, reasons


@never_cache
@require_GET
def healthz_ready(request: HttpRequest) -> JsonResponse:
    ready, checks, reasons = readiness()
    body = {"status": "ok" if ready else "unavailable", "checks": checks, "reasons": reasons}
    return JsonResponse(body, status=200 if ready else 503)
