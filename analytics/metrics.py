"""How current the knots are, read at each /metrics scrape (core.metrics): the age of the
default view's kept result and how many data versions it is behind. A result that stays
behind while jobs run means the recomputation fails or cannot keep up."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone
from prometheus_client.core import Metric

from analytics.results import default_result_kept
from core.metrics import gauge
from deviations.services import tag_version


def knots_collect() -> Iterator[Metric]:
    kept = default_result_kept()
    version = tag_version()
    if kept is None:
        yield gauge("knots_stale", "1 when the default view's knots are behind the data.", 1.0)
        return
    yield gauge(
        "knots_stale",
        "1 when the default view's knots are behind the data.",
        0.0 if kept.current(timezone.localdate(), version) else 1.0,
    )
    yield gauge(
        "knots_versions_behind",
        "Changes of confirmed tags or deviations since the default view's knots were computed.",
        float(max(version - kept.tag_version, 0)),
    )
    yield gauge(
        "knots_result_age_seconds",
        "Seconds since the default view's knots were computed.",
        (timezone.now() - kept.computed_at).total_seconds(),
    )
