"""`/healthz/ready` and the worker's heartbeat (issue 21): red within two minutes of the worker
stopping, when a job waits too long or a migration is missing; the jobs page says so too."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from jobs import health
from jobs.heartbeat import WORKER_SILENT, HeartbeatThread, heartbeat_beat
from jobs.models import Job, WorkerHeartbeat
from jobs.services import job_enqueue

pytestmark = pytest.mark.django_db
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _ready(client: Client) -> tuple[int, dict[str, Any]]:
    response = client.get("/healthz/ready")
    return response.status_code, response.json()


def test_ready_without_a_worker_to_wait_for(client: Client) -> None:
    """With jobs run in the request (the immediate backend) no worker is needed."""
    status, body = _ready(client)
    assert status == 200
    assert body["status"] == "ok"
    assert body["checks"]["migrations_unapplied"] == 0
    assert "not needed" in body["checks"]["worker"]


def test_a_stopped_worker_turns_it_red_within_two_minutes(client: Client, settings: Any) -> None:
    settings.TASKS = DATABASE_BACKEND
    assert _ready(client)[0] == 503  # no worker ever heard from
    heartbeat_beat("worker-1", started_at=timezone.now())
    status, body = _ready(client)
    assert status == 200
    assert body["checks"]["worker_seen_seconds_ago"] == 0
    assert timedelta(minutes=2) > WORKER_SILENT
    with time_machine.travel(timezone.now() + WORKER_SILENT + timedelta(seconds=1), tick=False):
        status, body = _ready(client)
    assert status == 503
    assert "no task worker has been heard from" in body["reasons"][0]


def test_a_job_waiting_too_long_turns_it_red(client: Client, settings: Any) -> None:
    settings.TASKS = DATABASE_BACKEND
    settings.KNUTPUNKT_QUEUE_MAX_AGE_MINUTES = 15
    heartbeat_beat("worker-1", started_at=timezone.now())
    job = job_enqueue(kind="knots", dedupe_key="knots:default")
    assert _ready(client)[0] == 200
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    status, body = _ready(client)
    assert status == 503
    assert "oldest queued job has waited" in body["reasons"][0]
    assert body["checks"]["oldest_queued_seconds"] >= 16 * 60


def test_a_missing_migration_turns_it_red(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(
        health.MigrationExecutor, "migration_plan", lambda self, targets: [("deviations", "x")]
    )
    status, body = _ready(client)
    assert status == 503
    assert "1 migrations are not applied" in body["reasons"][0]


def test_the_jobs_page_tells_staff_when_no_worker_is_heard(
    analyst_client: Client, settings: Any
) -> None:
    settings.TASKS = DATABASE_BACKEND
    page = analyst_client.get("/jobb/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Ingen bakgrundsarbetare har hörts av" in page
    heartbeat_beat("worker-1", started_at=timezone.now())
    page = analyst_client.get("/jobb/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Ingen bakgrundsarbetare" not in page


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_beats_on_its_own_connection() -> None:
    beat = HeartbeatThread("worker-thread")
    beat.start()
    deadline = time.monotonic() + 10
    while not WorkerHeartbeat.objects.filter(worker_id="worker-thread").exists():
        assert time.monotonic() < deadline, "no heartbeat within 10 s"
        time.sleep(0.05)
    beat.stop()
    beat.join(timeout=10)
    assert not beat.is_alive()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_catalogue")
def test_the_worker_runs_jobs_and_takes_its_heartbeat_away_when_it_stops(settings: Any) -> None:
    settings.TASKS = DATABASE_BACKEND
    job = job_enqueue(kind="knots", dedupe_key="knots:default")
    call_command(
        "worker", "--batch", "--no-startup-delay", "--interval", "0", "--worker-id", "worker-t"
    )
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert not WorkerHeartbeat.objects.filter(worker_id="worker-t").exists()
