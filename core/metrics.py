"""Metrics in Prometheus' text format at `/metrics`, for the operator's monitoring.

Two kinds of figures:
- **counted as they happen** in whichever process does the work (requests and their database
  queries per view, jobs per kind, knot recomputations, filings, lock-outs): prometheus_client's
  counters and histograms. Under gunicorn every worker process has its own, so they are kept in
  files under `PROMETHEUS_MULTIPROC_DIR` (prometheus_client's multiprocess mode; the web
  instances and the task worker on one machine share the directory) and summed at scrape time;
- **read from the database at scrape time** (queue depth, the oldest queued job, the worker's
  last heartbeat, knot staleness, filings in the last hour): each app registers a
  `scrape_collector` in its `ready()`, so this module needs no app above it.

The endpoint is for monitoring only: it answers with a bearer token (`METRICS_TOKEN`), or,
without one configured, only to a direct connection from this machine (nginx's forwarded
requests carry X-Forwarded-For and are refused). Labels are view names, job kinds and
statuses, never a path, a person or anything typed.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)
disable_created_metrics()  # no `_created` twin of every series: half the page, no use here

PREFIX = "knutpunkt"
# A request that passed a proxy says so in one of these; the proxy itself connects locally.
_PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Seconds: a page within 200 ms is the target (docs/performance), a job may take minutes.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
JOB_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)

requests_total = Counter(
    f"{PREFIX}_http_requests",
    "Requests answered, by view, method and status.",
    ["view", "method", "status"],
)
request_seconds = Histogram(
    f"{PREFIX}_http_request_duration_seconds",
    "Time from the request's arrival to its answer, by view.",
    ["view", "method"],
    buckets=REQUEST_BUCKETS,
)
db_queries_total = Counter(
    f"{PREFIX}_db_queries",
    "Database queries, by database alias and the view or job kind that made them.",
    ["alias", "source"],
)
db_query_seconds_total = Counter(
    f"{PREFIX}_db_query_seconds",
    "Time spent in database queries, by database alias and the view or job kind.",
    ["alias", "source"],
)
jobs_total = Counter(
    f"{PREFIX}_jobs_finished",
    "Background jobs finished, by kind and outcome (succeeded, failed).",
    ["kind", "outcome"],
)
job_seconds = Histogram(
    f"{PREFIX}_job_duration_seconds",
    "How long a background job ran, by kind and outcome.",
    ["kind", "outcome"],
    buckets=JOB_BUCKETS,
)
knots_compute_seconds = Histogram(
    f"{PREFIX}_knots_compute_seconds",
    "Time to compute one view's knots (the default view or a filtered one).",
    ["view"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0),
)
filings_total = Counter(
    f"{PREFIX}_filings",
    "Deviations filed, by the way they came (staff: the form or the API; import).",
    ["channel"],
)
lockouts_total = Counter(
    f"{PREFIX}_lockouts",
    "Sign-ins locked out after too many wrong passwords or codes.",
)

_source: ContextVar[str] = ContextVar("metrics_source", default="other")
_wrapping: ContextVar[bool] = ContextVar("metrics_wrapping", default=False)


def _safely(count: Callable[..., None], *args: Any) -> None:
    """Counting must never fail what it counts (a full or removed multiprocess directory)."""
    try:
        count(*args)
    except Exception:
        logger.exception("a metric could not be counted")


def _query_count(alias: str, source: str, seconds: float) -> None:
    db_queries_total.labels(alias, source).inc()
    db_query_seconds_total.labels(alias, source).inc(seconds)


# --- Counted as they happen -------------------------------------------------------------------


def _query_counter(alias: str) -> Callable[..., Any]:
    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seconds = time.perf_counter() - started
            _safely(_query_count, alias, _source.get(), seconds)

    return wrapper


@contextmanager
def measured(source: str) -> Iterator[None]:
    """Queries made inside count toward `source` (a view name, `job:<kind>`), on every
    database alias this process uses; inside another such block (a job run in the request)
    only the source changes, so no query is counted twice."""
    token = _source.set(source)
    wrapping = _wrapping.set(True)
    try:
        if wrapping.old_value is True:
            yield
            return
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(_query_counter(alias)))
            yield
    finally:
        _wrapping.reset(wrapping)
        _source.reset(token)


class MetricsMiddleware:
    """Counts every request and times it, by the view that answered (`<unmatched>` for a path
    no view claims: the path itself would let anyone create labels without end)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/metrics":
            # Answered here, before the host check and the rest of the chain: a scraper
            # addresses each instance by its own address, which ALLOWED_HOSTS need not list,
            # and the scrape is not the traffic it measures.
            return metrics_view(request)
        started = time.perf_counter()
        with measured("request"):
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match and match.view_name else "<unmatched>"
        method = request.method if request.method in _METHODS else "other"
        _safely(_request_count, view, method, response.status_code, time.perf_counter() - started)
        return response

    def process_view(self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any) -> None:
        match = getattr(request, "resolver_match", None)
        if match and match.view_name:
            _source.set(match.view_name)  # the queries from here on are this view's


def _request_count(view: str, method: str, status: int, seconds: float) -> None:
    requests_total.labels(view, method, str(status)).inc()
    request_seconds.labels(view, method).observe(seconds)


def job_finished(kind: str, outcome: str, seconds: float | None) -> None:
    def count() -> None:
        jobs_total.labels(kind, outcome).inc()
        if seconds is not None:
            job_seconds.labels(kind, outcome).observe(max(seconds, 0.0))

    _safely(count)


def knots_computed(view: str, seconds: float) -> None:
    _safely(knots_compute_seconds.labels(view).observe, seconds)


def filed(channel: str, count: int = 1) -> None:
    if count:
        _safely(filings_total.labels(channel).inc, count)


def locked_out(request: HttpRequest | None = None, **_signal: object) -> None:
    """django-axes' `user_locked_out` signal, sent again for every try while locked out:
    counted once, at the failure that reached the limit."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures == settings.AXES_FAILURE_LIMIT:
        _safely(lockouts_total.inc)


# --- Read at scrape time ------------------------------------------------------------------------

type ScrapeCollector = Callable[[], Iterable[Metric]]
_scrape_collectors: list[ScrapeCollector] = []


def scrape_collector(collect: ScrapeCollector) -> ScrapeCollector:
    """Register figures read when Prometheus asks (from an app's `ready()`); a collector that
    fails is logged and left out, and the others are still served."""
    if collect not in _scrape_collectors:
        _scrape_collectors.append(collect)
    return collect


class _AtScrape:
    def collect(self) -> Iterator[Metric]:
        for collect in _scrape_collectors:
            try:
                yield from list(collect())
            except Exception:  # one broken figure must not blank the whole page of figures
                logger.exception("metrics collector %s failed", collect.__qualname__)


class _ThisProcess:
    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def exposition() -> bytes:
    """Every figure in Prometheus' text format: the counted ones of every process (or of this
    one, without a multiprocess directory) and those read from the database now."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess():
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())  # type: ignore[arg-type]
    registry.register(_AtScrape())  # type: ignore[arg-type]
    return generate_latest(registry)


# --- The endpoint -----------------------------------------------------------------------------


def scrape_allowed(request: HttpRequest) -> tuple[bool, str]:
    """(allowed, why not): the configured token, or else a direct local connection."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if given.startswith("Bearer ") and hmac.compare_digest(
            given.removeprefix("Bearer ").strip().encode(), token.encode()
        ):
            return True, ""
        return False, "The metrics need the bearer token configured as METRICS_TOKEN."
    proxied = any(name in request.headers for name in _PROXY_HEADERS)
    if _loopback(request.META.get("REMOTE_ADDR", "")) and not proxied:
        return True, ""
    return False, (
        "Without METRICS_TOKEN the metrics answer only a direct connection from this machine."
    )


def _loopback(address: str) -> bool:
    """127.0.0.0/8 and ::1, also written as an IPv4-mapped IPv6 address (a dual-stack bind)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    allowed, reason = scrape_allowed(request)
    if not allowed:
        return HttpResponse(reason + "\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


def gauge(name: str, documentation: str, value: float, **labels: str) -> Metric:
    """One gauge sample, for scrape-time collectors."""
    family = GaugeMetricFamily(f"{PREFIX}_{name}", documentation, labels=list(labels))
    family.add_metric(list(labels.values()), value)
    return family


def gauge_by(name: str, documentation: str, label: str, values: dict[str, float]) -> Metric:
    """A gauge with one sample per value of `label` (e.g. queued jobs per kind)."""
    family = GaugeMetricFamily(f"{PREFIX}_{name}", documentation, labels=[label])
    for key, value in sorted(values.items()):
        family.add_metric([key], value)
    return family


def lockouts_collect() -> Iterator[Metric]:
    """Sign-ins locked out now: a user name and address with as many failures as the limit
    within the cool-off (django-axes' own rule, read from its table)."""
    from axes.models import AccessAttempt
    from django.utils import timezone

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    active = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).count()
    yield gauge("lockouts_active", "Sign-ins locked out now (user name and address).", active)
