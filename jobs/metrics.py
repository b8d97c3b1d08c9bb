"""The job queue as the operator's monitoring sees it, read from the database at each scrape
(core.metrics): how many wait and run per kind, how long the oldest has waited, when a task
worker was last heard from, and the failures of the last hour per kind (also when the worker
runs on another machine, whose own counters this one cannot read)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import Metric

from core.metrics import gauge, gauge_by
from jobs.heartbeat import WORKER_SILENT, last_worker_seen, workers_needed
from jobs.models import Job


def jobs_collect() -> Iterator[Metric]:
    now = timezone.now()
    by_status: dict[str, dict[str, float]] = {Job.Status.QUEUED: {}, Job.Status.RUNNING: {}}
    rows = (
        Job.objects.filter(status__in=list(by_status))
        .values("status", "kind")
        .annotate(n=Count("pk"), oldest=Min("created_at"))
    )
    oldest = None
    for row in rows:
        by_status[row["status"]][row["kind"]] = row["n"]
        if row["status"] == Job.Status.QUEUED and (oldest is None or row["oldest"] < oldest):
            oldest = row["oldest"]
    yield gauge_by(
        "jobs_queued", "Jobs waiting for a worker, by kind.", "kind", by_status["queued"]
    )
    yield gauge_by("jobs_running", "Jobs running now, by kind.", "kind", by_status["running"])
    yield gauge(
        "jobs_oldest_queued_seconds",
        "How long the oldest waiting job has waited (0 when none waits).",
        0.0 if oldest is None else (now - oldest).total_seconds(),
    )
    failed = (
        Job.objects.filter(status=Job.Status.FAILED, finished_at__gte=now - timedelta(hours=1))
        .values("kind")
        .annotate(n=Count("pk"))
    )
    yield gauge_by(
        "jobs_failed_last_hour",
        "Jobs that failed in the last hour, by kind.",
        "kind",
        {row["kind"]: row["n"] for row in failed},
    )
    if workers_needed():
        seen = last_worker_seen()
        yield gauge(
            "worker_up",
            "1 when a task worker has been heard from lately (the readiness check's rule).",
            1.0 if seen is not None and now - seen <= WORKER_SILENT else 0.0,
        )
        if seen is not None:
            yield gauge(
                "worker_last_seen_seconds",
                "Seconds since a task worker's last heartbeat.",
                (now - seen).total_seconds(),
            )
