"""Background jobs: progress, failure with a reason, run again without duplicates, one run per
job however often its task is delivered, and the real database worker end to end."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from deviations import imports
from deviations.models import Deviation, Unit, User
from jobs.models import Job
from jobs.registry import job_kind
from jobs.services import Progress, job_enqueue, job_execute, job_retry, job_run_here

CSV = (
    "external_id,occurred_on,municipality,description\n"
    + "".join(
        f"j-{n},2024-02-{n:02d},Täby,FK drog in sjukpenningen och Af kräver inskrivning.\n"
        for n in range(1, 11)
    )
).encode()


@pytest.fixture(autouse=True)
def _units(taby_unit: Unit) -> None:
    """The import files its rows under the one unit working in Täby (it never creates one)."""


def _import(by: User | None = None) -> Job:
    return job_enqueue(kind="import", by=by, input=CSV, input_name="tio.csv")


def test_an_import_job_runs_with_progress_and_a_result(analyst: User) -> None:
    seen: list[tuple[str, int, int | None]] = []
    job = job_run_here(
        kind="import",
        by=analyst,
        input=CSV,
        input_name="tio.csv",
        echo=lambda j: seen.append((j.step, j.done, j.total)),
    )
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["created"] == 10
    assert ("Checking rows", 10, 10) in seen or ("Kontrollerar raderna", 10, 10) in seen
    assert job.started_at <= job.finished_at
    job = _import(analyst)
    assert job.task_id  # handed over through Django's tasks framework
    assert Deviation.objects.filter(external_id__startswith="j-").count() == 10


def test_a_failed_job_says_why_and_runs_again_without_duplicates(
    analyst: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = imports.deviations_file_many

    def database_gone(**kwargs: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(imports, "deviations_file_many", database_gone)
    job = _import(analyst)
    assert job.status == Job.Status.FAILED
    assert "OperationalError" in job.error
    assert not Deviation.objects.exists()  # the write is one transaction

    monkeypatch.setattr(imports, "deviations_file_many", real)
    again = job_retry(job=job, by=analyst)
    assert (again.pk, again.status, again.attempts) == (job.pk, Job.Status.SUCCEEDED, 2)
    assert again.error == ""
    assert Deviation.objects.count() == 10
    # Uploading the same file once more imports nothing new.
    third = _import(analyst).result
    assert (third["created"], third["unchanged"]) == (0, 10)
    assert Deviation.objects.count() == 10


def test_a_job_runs_once_however_often_its_task_arrives(analyst: User) -> None:
    job = _import(analyst)
    assert job_execute(job.pk).attempts == 1  # delivered again: already done, left alone
    job.refresh_from_db()
    assert job.attempts == 1
    assert Deviation.objects.count() == 10


def test_progress_reaches_the_page_and_the_json(
    analyst: User, analyst_client: Client, staff_client: Client
) -> None:
    job = Job.objects.create(kind="retag", created_by=analyst, status=Job.Status.RUNNING)
    progress = Progress(job)
    progress.step("Tagging deviations", 400)
    progress.advance(100)
    progress._write(force=True)
    state = analyst_client.get(reverse("jobs:status", args=[job.key])).json()
    assert (state["done"], state["total"], state["percent"], state["finished"]) == (
        100,
        400,
        25,
        False,
    )
    assert state["step"] == "Tagging deviations"
    assert "100" in state["text"]
    assert "400" in state["text"]
    page = analyst_client.get(reverse("jobs:detail", args=[job.key]))
    html = page.content.decode()
    assert 'id="job-progress"' in html
    assert 'max="400"' in html
    assert 'value="100"' in html
    assert "js/job.js" in html
    # Someone else's job looks like no job at all.
    assert staff_client.get(reverse("jobs:status", args=[job.key])).status_code == 404


def test_a_bad_file_fails_with_the_rows_and_cannot_be_run_again(
    analyst: User, analyst_client: Client
) -> None:
    job = job_enqueue(
        kind="import", by=analyst, input=CSV + b"x,igar,Atlantis,\n", input_name="a.csv"
    )
    assert job.status == Job.Status.FAILED
    assert job.result["retryable"] is False
    assert [row for row, _column, _message in job.result["errors"]] == [12, 12, 12]
    response = analyst_client.post(reverse("jobs:retry", args=[job.key]), follow=True)
    assert response.status_code == 200
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.attempts == 1


def test_a_runner_crash_is_a_failed_job_not_a_500(analyst: User, analyst_client: Client) -> None:
    @job_kind("test_crash", "A job that crashes")
    def broken(job: Job, progress: Progress) -> dict[str, Any]:
        raise ZeroDivisionError

    job = job_enqueue(kind="test_crash", by=analyst)
    assert job.status == Job.Status.FAILED
    assert "ZeroDivisionError" in job.error
    page = analyst_client.get(job.get_absolute_url())
    assert page.status_code == 200
    assert job.error in page.content.decode()


def test_dedupe_keeps_one_job_queued(analyst: User, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    first = job_enqueue(kind="knots", dedupe_key="knots:default")
    second = job_enqueue(kind="knots", dedupe_key="knots:default")
    assert first.pk == second.pk
    assert first.status == Job.Status.QUEUED
    assert Job.objects.filter(kind="knots").count() == 1


def test_admins_start_maintenance_jobs_others_cannot(
    admin_user: User, analyst_client: Client
) -> None:
    admin = Client()
    admin.force_login(admin_user)
    response = admin.post(reverse("jobs:start"), {"kind": "retention"}, follow=True)
    job = response.context["job"]
    assert (job.kind, job.status, job.created_by) == ("retention", "succeeded", admin_user)
    refused = admin.post(reverse("jobs:start"), {"kind": "import"}, follow=True)
    assert [m.level_tag for m in refused.context["messages"]] == ["error"]
    assert not Job.objects.filter(kind="import").exists()
    assert analyst_client.post(reverse("jobs:start"), {"kind": "retention"}).status_code == 403


def test_commands_draw_progress_and_can_queue_instead(
    tmp_path: Any, settings: Any, analyst: User
) -> None:
    path = tmp_path / "tio.csv"
    path.write_bytes(CSV)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_deviations", str(path), stdout=out, stderr=err)
    assert "Imported 10 of 10 rows" in out.getvalue()
    assert "] 10/10" in err.getvalue()  # the progress bar
    assert Job.objects.get(kind="import").status == Job.Status.SUCCEEDED

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    out = io.StringIO()
    call_command("retag", "--background", stdout=out)
    job = Job.objects.get(kind="retag")
    assert job.status == Job.Status.QUEUED
    assert str(job.key) in out.getvalue()


@pytest.mark.usefixtures("committed_catalogue")
def test_the_database_worker_runs_queued_jobs(settings: Any) -> None:
    """django-tasks-db's own worker picks the task up from the table and runs the job."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = job_enqueue(kind="import", input=CSV, input_name="tio.csv")
    assert job.status == Job.Status.QUEUED
    assert not Deviation.objects.exists()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert Deviation.objects.count() == 10


def test_a_step_without_counts_shows_how_long_it_has_run(
    analyst: User, analyst_client: Client
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    job = Job.objects.create(
        kind="import",
        created_by=analyst,
        status=Job.Status.RUNNING,
        step="Saving deviations and tags",
        step_started_at=timezone.now() - timedelta(seconds=42),
    )
    state = analyst_client.get(reverse("jobs:status", args=[job.key])).json()
    assert state["total"] is None
    assert "42 s" in state["text"]


def test_a_job_whose_worker_died_is_failed_and_frees_its_dedupe_key(
    analyst: User, analyst_client: Client, settings: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    silent_since = timezone.now() - timedelta(minutes=settings.JOB_STALE_MINUTES + 1)
    stuck = Job.objects.create(
        kind="knots",
        status=Job.Status.RUNNING,
        dedupe_key="knots:default",
        started_at=silent_since,
        progressed_at=silent_since,
    )
    fresh = job_enqueue(kind="knots", dedupe_key="knots:default")
    assert fresh.pk != stuck.pk  # the abandoned job no longer blocks the recomputation
    stuck.refresh_from_db()
    assert stuck.status == Job.Status.FAILED
    assert str(settings.JOB_STALE_MINUTES) in stuck.error
    page = analyst_client.get(stuck.get_absolute_url())
    assert page.context["can_retry"]


def test_a_stopped_worker_leaves_a_failed_job_not_a_running_one(analyst: User) -> None:
    @job_kind("test_interrupted", "A job whose worker stops")
    def interrupted(job: Job, progress: Progress) -> dict[str, Any]:
        raise SystemExit(1)  # what db_worker does on its second stop signal

    job = Job.objects.create(kind="test_interrupted", created_by=analyst)
    with pytest.raises(SystemExit):
        job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error


def test_the_same_work_queued_at_the_same_moment_is_one_job(
    db: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes both find no active job and both insert: the unique index lets one win
    and the other gets the winner back."""
    from jobs import services as jobs

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    first = job_enqueue(kind="knots", dedupe_key="knots:default")
    real = jobs._active
    calls: list[str] = []

    def racing(key: str) -> Job | None:  # the other insert lands between check and insert
        calls.append(key)
        return None if len(calls) == 1 else real(key)

    monkeypatch.setattr(jobs, "_active", racing)
    second = job_enqueue(kind="knots", dedupe_key="knots:default")
    assert second.pk == first.pk
    assert len(calls) == 2  # it went through the IntegrityError path
    assert Job.objects.filter(kind="knots").count() == 1


def test_maintenance_jobs_are_run_again_by_administrators_only(
    analyst: User, admin_user: User, analyst_client: Client
) -> None:
    from jobs.services import job_may_retry

    retention = Job.objects.create(
        kind="retention", status=Job.Status.FAILED, created_by=admin_user
    )
    knots = Job.objects.create(kind="knots", status=Job.Status.FAILED)
    assert not job_may_retry(user=analyst, job=retention)
    assert job_may_retry(user=admin_user, job=retention)
    assert job_may_retry(user=analyst, job=knots)
    response = analyst_client.post(reverse("jobs:retry", args=[retention.key]))
    assert response.status_code == 403


def test_a_job_whose_task_ended_without_it_is_failed_at_once(db: None, settings: Any) -> None:
    """The worker was killed mid-job: its task row says ended while the job says running."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from jobs.services import job_task, jobs_reap

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    task = job_task.enqueue(0)
    DBTaskResult.objects.filter(id=task.id).update(status="FAILED")
    job = Job.objects.create(
        kind="retag",
        status=Job.Status.RUNNING,
        task_id=str(task.id),
        progressed_at=timezone.now(),  # not silent long enough for the other rule
    )
    assert jobs_reap() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_every_registered_kind_fits_the_job_row() -> None:
    """PostgreSQL refuses a kind longer than the column (SQLite would store it): registering
    one fails at start-up instead of at the first job."""
    from jobs.models import Job
    from jobs.registry import _KINDS, job_kind

    assert _KINDS  # every app's kinds are registered by now
    column = Job._meta.get_field("kind").max_length
    assert all(len(name) <= column for name in _KINDS)
    with pytest.raises(ValueError, match="longer than"):
        job_kind("x" * (column + 1), "too long")
