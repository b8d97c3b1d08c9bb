"""Filings as the operator's monitoring sees them, read at each /metrics scrape (core.metrics):
deviations reported in the last hour, whatever process or machine filed them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.utils import timezone
from prometheus_client.core import Metric

from core.metrics import gauge
from deviations.models import Deviation


def filings_collect() -> Iterator[Metric]:
    since = timezone.now() - timedelta(hours=1)
    yield gauge(
        "filings_last_hour",
        "Deviations reported in the last hour (filed by staff or imported).",
        float(Deviation.objects.filter(reported_at__gte=since).count()),
    )
