"""A job's files and results (issue 14): the input is kept only while a retry needs it, the
file name, the result and every file a job makes go through the personal-data gate, and a
runner reads its input in pieces."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from core.errors import DomainError, PersonalDataError
from deviations import import_readers, imports
from deviations.models import Deviation, Unit, User
from jobs.models import Job, JobInput
from jobs.registry import job_kind
from jobs.services import (
    JOB_RETRY_DAYS,
    Progress,
    job_can_retry,
    job_enqueue,
    job_input_open,
    job_output_save,
    job_retry,
    jobs_prune,
)

PERSONNUMMER = "850312-2387"
HEADER = "external_id,occurred_on,municipality,description\n"
GOOD = (
    HEADER
    + "".join(
        f"f-{n},2024-02-{n:02d},Täby,FK drog in sjukpenningen och Af kräver inskrivning.\n"
        for n in range(1, 6)
    )
).encode()


@pytest.fixture(autouse=True)
def _units(taby_unit: Unit) -> Iterator[None]:
    with translation.override("en"):
        yield


def _stored_input(job: Job) -> bytes | None:
    value = JobInput.objects.filter(pk=job.pk).values_list("content", flat=True).first()
    return None if value is None else bytes(value)


def _import(data: bytes, name: str = "f.csv", by: User | None = None) -> Job:
    return job_enqueue(kind="import", by=by, input=data, input_name=name)


# --- The input file: only as long as a retry needs it ----------------------------------------


def test_the_input_goes_when_the_import_succeeds(analyst: User) -> None:
    job = _import(GOOD, by=analyst)
    assert job.status == Job.Status.SUCCEEDED
    assert _stored_input(job) is None


def test_the_input_goes_with_a_refusal_for_personal_data(analyst: User) -> None:
    data = GOOD + f"f-9,2024-02-09,Täby,Gäller {PERSONNUMMER} hos FK.\n".encode()
    job = _import(data, by=analyst)
    assert job.status == Job.Status.FAILED
    assert job.result["retryable"] is False
    assert _stored_input(job) is None
    assert not job_can_retry(job)


def test_the_input_goes_when_the_gate_refuses_while_writing(
    analyst: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(**kwargs: Any) -> None:
        raise PersonalDataError("refused", code="personal_data")

    monkeypatch.setattr(imports, "deviations_file_many", refused)
    job = _import(GOOD, by=analyst)
    assert (job.status, job.result["retryable"]) == (Job.Status.FAILED, False)
    assert _stored_input(job) is None


def test_the_input_goes_when_reading_fails_in_a_way_no_retry_can_fix(
    analyst: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected error inside the reader (a parser's own exception) is the file's: reading
    the same bytes again fails the same way."""

    def broken(self: Any) -> Iterator[Any]:
        yield 2, {"external_id": "x"}
        raise KeyError("a parser's surprise")

    monkeypatch.setattr(import_readers._CsvRows, "_numbered", broken)
    job = _import(GOOD, by=analyst)
    assert job.status == Job.Status.FAILED
    assert "could not be read after row 2" in job.error
    assert job.result["retryable"] is False
    assert _stored_input(job) is None


def test_the_input_stays_for_a_retry_after_a_database_failure_then_goes(
    analyst: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = imports.deviations_file_many

    def database_gone(**kwargs: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(imports, "deviations_file_many", database_gone)
    job = _import(GOOD, by=analyst)
    assert job.status == Job.Status.FAILED
    assert _stored_input(job) == GOOD
    assert job_can_retry(job)
    monkeypatch.setattr(imports, "deviations_file_many", real)
    again = job_retry(job=job, by=analyst)
    assert again.status == Job.Status.SUCCEEDED
    assert Deviation.objects.count() == 5
    assert _stored_input(again) is None


def test_after_the_retry_window_the_input_is_gone_and_no_retry_is_offered(
    analyst: User, analyst_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def database_gone(**kwargs: Any) -> None:
        raise OperationalError("gone")

    monkeypatch.setattr(imports, "deviations_file_many", database_gone)
    job = _import(GOOD, by=analyst)
    recent = timezone.now() - timedelta(days=JOB_RETRY_DAYS - 1)
    Job.objects.filter(pk=job.pk).update(finished_at=recent)
    jobs_prune()
    assert _stored_input(job) == GOOD  # still inside the window
    Job.objects.filter(pk=job.pk).update(finished_at=recent - timedelta(days=2))
    jobs_prune()
    assert _stored_input(job) is None
    job.refresh_from_db()
    assert not job_can_retry(job)
    with pytest.raises(DomainError):
        job_retry(job=job, by=analyst)
    page = analyst_client.get(job.get_absolute_url())
    assert page.context["can_retry"] is False


def test_a_runner_reads_its_input_in_pieces(analyst: User) -> None:
    data = GOOD * 40_000  # about 3 MB
    job = Job.objects.create(kind="import", created_by=analyst, input_name="a.csv")
    JobInput.objects.create(job=job, content=data)
    tracemalloc.start()
    try:
        with job_input_open(job) as stream:
            size = 0
            while piece := stream.read(64 * 2**10):
                size += len(piece)
            peak = tracemalloc.get_traced_memory()[1]
            stream.seek(len(data) - 10)
            tail = stream.read()
            stream.seek(0)
            head = stream.read(len(HEADER))
    finally:
        tracemalloc.stop()
    assert size == len(data)
    assert tail == data[-10:]
    assert head == HEADER.encode()
    assert peak < len(data) / 2, peak


# --- The file name ------------------------------------------------------------------------------


def test_a_file_named_after_a_personnummer_is_refused_everywhere(
    analyst: User, analyst_client: Client, tmp_path: Any
) -> None:
    name = f"{PERSONNUMMER}.csv"
    page = analyst_client.post(
        reverse("deviations:import"), {"file": SimpleUploadedFile(name, GOOD)}
    )
    assert page.status_code == 400
    assert "filnamn" in page.context["problem"]  # the page speaks Swedish
    assert "2387" not in page.content.decode()

    api = APIClient()
    api.force_authenticate(analyst)
    response = api.post(reverse("imports"), {"file": SimpleUploadedFile(name, GOOD)})
    assert response.status_code == 400
    assert response.json()["code"] == "personal_data"
    assert "2387" not in response.content.decode()

    path = tmp_path / name
    path.write_bytes(GOOD)
    with pytest.raises(CommandError, match="personnummer|personal identity number"):
        call_command("import_deviations", str(path))
    assert not Job.objects.exists()
    assert not Deviation.objects.exists()


# --- Results and files through the gate -------------------------------------------------------


def test_planted_personal_data_reaches_neither_result_nor_report(
    analyst: User, analyst_client: Client
) -> None:
    data = (
        GOOD
        + (
            f"{PERSONNUMMER},2024-02-09,Täby,FK 070-123 45 67\n"
            f"f-10,2024-02-10,{PERSONNUMMER},Ring 070-123 45 67 eller ann@exempel.se\n"
            f"f-11,2024-02-11,Täby,Gäller Storgatan 12 B\n"
        ).encode()
    )
    job = _import(data, by=analyst)
    assert job.status == Job.Status.FAILED
    assert job.output_name.endswith(".csv")
    report = bytes(Job.objects.filter(pk=job.pk).values_list("output", flat=True).get())
    text = report.decode("utf-8-sig")
    assert "row,column,problem" in text
    for line in ("7,external_id,", "8,municipality,", "9,description,"):
        assert line in text
    everything = str(job.result) + job.error + text
    for planted in ("2387", "45 67", "exempel", "Storgatan"):
        assert planted not in everything
    page = analyst_client.get(job.get_absolute_url())
    assert reverse("jobs:output", args=[job.key]) in page.content.decode()
    download = analyst_client.get(reverse("jobs:output", args=[job.key]))
    assert download.status_code == 200
    assert bytes(download.content) == report


def test_a_result_holding_personal_data_is_not_kept(analyst: User) -> None:
    @job_kind("test_leaky", "A job that quotes what it should not")
    def leaky(job: Job, progress: Progress) -> dict[str, Any]:
        return {"note": f"rad med {PERSONNUMMER}"}

    job = job_enqueue(kind="test_leaky", by=analyst)
    stored = Job.objects.get(pk=job.pk)
    assert "2387" not in str(stored.result) + stored.error
    assert "personal data" in stored.error


def test_a_job_file_is_made_only_from_rows_the_gate_passes(analyst: User) -> None:
    job = Job.objects.create(kind="export", created_by=analyst)
    with pytest.raises(PersonalDataError, match="Row 3"):
        job_output_save(
            job=job,
            rows=[["a"], ["vanlig text"], ["ring 070-123 45 67"]],
            kind="csv",
            name="lista",
        )
    assert Job.objects.filter(pk=job.pk, output__isnull=True, output_name="").exists()
    size = job_output_save(job=job, rows=[["a"], ["vanlig text"]], kind="xlsx", name="lista")
    assert size > 0
    assert Job.objects.get(pk=job.pk).output_name.endswith(".xlsx")


def test_a_long_report_shows_counts_per_kind_the_first_problems_and_the_file(
    analyst: User, analyst_client: Client
) -> None:
    data = HEADER.encode() + b"".join(
        f"b-{n},igår,Täby,FK drog in sjukpenningen.\n".encode() for n in range(60)
    )
    job = _import(data, by=analyst)
    assert (job.result["problems"], len(job.result["errors"])) == (60, 50)
    html = analyst_client.get(job.get_absolute_url()).content.decode()
    assert "Problem per slag" in html
    assert "De första 50 av 60 problem" in html
    assert reverse("jobs:output", args=[job.key]) in html
    report = analyst_client.get(reverse("jobs:output", args=[job.key])).content
    assert report.decode("utf-8-sig").count("occurred_on") == 60
