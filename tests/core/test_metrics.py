"""`/metrics` (issue 21): who may read it, and that each figure moves when what it counts
happens — requests per view, their queries, jobs per kind, knots, filings, lock-outs — with
no path, name or typed text in a label."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from analytics.results import knot_result
from catalogue.models import Municipality
from core import metrics
from deviations.services import DeviationInput, deviation_submit
from jobs.heartbeat import WORKER_SILENT, heartbeat_beat
from jobs.models import Job
from jobs.registry import job_kind
from jobs.services import job_enqueue, job_execute

pytestmark = pytest.mark.django_db
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def scrape(client: Client, **headers: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# --- Who may read it --------------------------------------------------------------------------


def test_without_a_token_only_a_direct_local_connection_is_answered(client: Client) -> None:
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::ffff:127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::ffff:10.1.2.3").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="").status_code == 403
    remote = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    assert remote.status_code == 403
    assert b"METRICS_TOKEN" in remote.content  # says why
    # nginx on the same machine forwards from loopback, but says whom for: not direct.
    proxied = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.7")
    assert proxied.status_code == 403
    forwarded = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_FORWARDED="for=192.0.2.7")
    assert forwarded.status_code == 403
    assert client.post("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 405


def test_an_instance_scraped_by_its_own_address_answers(client: Client, settings: Any) -> None:
    """Prometheus addresses each instance by host and port, which ALLOWED_HOSTS need not
    list: the metrics answer before the host check (the pages still refuse such a host)."""
    settings.ALLOWED_HOSTS = ["knutpunkt.example.se"]
    assert client.get("/metrics", HTTP_HOST="10.0.0.5:8001").status_code == 200
    assert client.get("/healthz", HTTP_HOST="10.0.0.5:8001").status_code == 400


def test_with_a_token_only_the_token_opens_it(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = "s3cret-scrape-token-for-tests"
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-it")
    assert wrong.status_code == 403
    right = client.get(
        "/metrics",
        REMOTE_ADDR="10.1.2.3",
        HTTP_X_FORWARDED_FOR="192.0.2.7",
        HTTP_AUTHORIZATION="Bearer s3cret-scrape-token-for-tests",
    )
    assert right.status_code == 200
    assert b"knutpunkt_http_requests_total" in right.content


def test_a_signed_in_person_without_the_token_is_refused(
    analyst_client: Client, settings: Any
) -> None:
    settings.METRICS_TOKEN = "s3cret-scrape-token-for-tests"
    assert analyst_client.get("/metrics").status_code == 403


# --- Requests and queries ---------------------------------------------------------------------


def test_requests_are_counted_and_timed_per_view_and_status(client: Client) -> None:
    before = scrape(client)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert client.get("/finns-inte/190101-2384/").status_code == 404
    after = scrape(client)
    counted = "knutpunkt_http_requests_total"
    assert (
        value(after, counted, view="healthz", method="GET", status="200")
        - value(before, counted, view="healthz", method="GET", status="200")
        == 3
    )
    timed = "knutpunkt_http_request_duration_seconds_count"
    assert (
        value(after, timed, view="healthz", method="GET")
        - value(before, timed, view="healthz", method="GET")
        == 3
    )
    assert value(after, counted, view="<unmatched>", method="GET", status="404") >= 1
    # The scrape is not counted as traffic, and no label holds a path or what was in it.
    assert not any(dict(labels).get("view") == "metrics" for _name, labels in after)
    text = client.get("/metrics").content.decode()
    assert "finns-inte" not in text
    assert "190101" not in text


def test_queries_are_counted_for_the_view_that_made_them(client: Client) -> None:
    before = scrape(client)
    client.get("/healthz")
    after = scrape(client)
    name = "knutpunkt_db_queries_total"
    assert (
        value(after, name, alias="default", source="healthz")
        - value(before, name, alias="default", source="healthz")
        >= 1
    )
    assert value(after, "knutpunkt_db_query_seconds_total", alias="default", source="healthz") > 0


# --- Jobs ---------------------------------------------------------------------------------------


@job_kind("t:fails", label="Fails on purpose")
def _fails(job: Job, progress: Any) -> dict[str, Any]:
    raise RuntimeError("on purpose")


def test_jobs_are_counted_per_kind_and_outcome_with_their_durations(client: Client) -> None:
    before = scrape(client)
    ok = job_enqueue(kind="knots", params={})
    job_execute(ok.pk)
    failing = job_enqueue(kind="t:fails", params={})
    assert job_execute(failing.pk).status == Job.Status.FAILED
    after = scrape(client)
    finished = "knutpunkt_jobs_finished_total"
    for kind, outcome in (("knots", "succeeded"), ("t:fails", "failed")):
        assert (
            value(after, finished, kind=kind, outcome=outcome)
            - value(before, finished, kind=kind, outcome=outcome)
            == 1
        )
        duration = "knutpunkt_job_duration_seconds_count"
        assert (
            value(after, duration, kind=kind, outcome=outcome)
            - value(before, duration, kind=kind, outcome=outcome)
            == 1
        )
    assert value(after, "knutpunkt_jobs_failed_last_hour", kind="t:fails") >= 1
    queries = "knutpunkt_db_queries_total"
    assert value(after, queries, alias="default", source="job:knots") > value(
        before, queries, alias="default", source="job:knots"
    )


def test_a_query_inside_a_job_inside_a_request_is_counted_once(client: Client) -> None:
    from django.db import connection

    before = scrape(client)
    with metrics.measured("outer"), metrics.measured("job:inner"), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    after = scrape(client)
    queries = "knutpunkt_db_queries_total"
    assert (
        value(after, queries, alias="default", source="job:inner")
        - value(before, queries, alias="default", source="job:inner")
        == 1
    )
    assert value(after, queries, alias="default", source="outer") == value(
        before, queries, alias="default", source="outer"
    )


def test_a_metric_that_cannot_be_counted_fails_nothing(client: Client, monkeypatch: Any) -> None:
    def broken(*args: Any) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(metrics, "_request_count", broken)
    monkeypatch.setattr(metrics, "_query_count", broken)
    assert client.get("/healthz").status_code == 200


def test_the_queue_depth_the_oldest_job_and_the_worker(client: Client, settings: Any) -> None:
    settings.TASKS = DATABASE_BACKEND
    samples = scrape(client)
    assert value(samples, "knutpunkt_worker_up") == 0  # never heard from
    assert value(samples, "knutpunkt_jobs_oldest_queued_seconds") == 0
    first = job_enqueue(kind="knots", params={}, dedupe_key="a")
    job_enqueue(kind="knots", params={"x": 1}, dedupe_key="b")
    Job.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(minutes=20))
    heartbeat_beat("worker-1", started_at=timezone.now())
    samples = scrape(client)
    assert value(samples, "knutpunkt_jobs_queued", kind="knots") == 2
    assert 20 * 60 <= value(samples, "knutpunkt_jobs_oldest_queued_seconds") < 21 * 60
    assert value(samples, "knutpunkt_worker_up") == 1
    assert value(samples, "knutpunkt_worker_last_seen_seconds") < WORKER_SILENT.total_seconds()


# --- Knots, filings, lock-outs ----------------------------------------------------------------


def _input(unit: Any) -> DeviationInput:
    return DeviationInput(
        occurred_on=date(2026, 3, 2),
        unit=unit,
        municipality=Municipality.objects.get(code="0160"),
        description="FK drog in sjukpenningen vid dag 180 enligt 27 kap. 48 § SFB.",
        category="work_capacity",
        severity=3,
    )


def test_knot_staleness_and_recomputation_time(
    client: Client,
    staff: Any,
    taby_unit: Any,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.TASKS = DATABASE_BACKEND  # the recomputation waits for a worker: stale meanwhile
    before = scrape(client)
    knot_result(use_cache=False)
    samples = scrape(client)
    computed = "knutpunkt_knots_compute_seconds_count"
    assert value(samples, computed, view="default") - value(before, computed, view="default") == 1
    assert value(samples, "knutpunkt_knots_stale") == 0
    assert value(samples, "knutpunkt_knots_versions_behind") == 0
    with django_capture_on_commit_callbacks(execute=True):
        deviation_submit(by=staff, data=_input(taby_unit))
    samples = scrape(client)
    assert value(samples, "knutpunkt_knots_stale") == 1
    assert value(samples, "knutpunkt_knots_versions_behind") == 1
    filed = "knutpunkt_filings_total"
    assert value(samples, filed, channel="staff") - value(before, filed, channel="staff") == 1
    assert value(samples, "knutpunkt_filings_last_hour") == 1
    job_execute(Job.objects.get(kind="knots", status=Job.Status.QUEUED).pk)  # the worker's turn
    samples = scrape(client)
    assert value(samples, "knutpunkt_knots_stale") == 0


def test_a_lockout_is_counted(client: Client, settings: Any) -> None:
    from tests.factories import UserFactory

    UserFactory(username="kim")
    before = scrape(client)
    # Past the limit too: every further try while locked out is not another lock-out.
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        client.post(reverse("login"), {"username": "kim", "password": "wrong"})
    after = scrape(client)
    assert value(after, "knutpunkt_lockouts_total") - value(before, "knutpunkt_lockouts_total") == 1
    assert value(after, "knutpunkt_lockouts_active") == 1


def test_a_failing_figure_leaves_the_others(client: Client) -> None:
    def broken() -> Any:
        raise RuntimeError("the database is away")

    metrics.scrape_collector(broken)
    try:
        samples = scrape(client)
    finally:
        metrics._scrape_collectors.remove(broken)
    assert ("knutpunkt_filings_last_hour", ()) in samples
