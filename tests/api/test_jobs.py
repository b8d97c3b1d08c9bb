"""The API hands imports to a background job and lets the caller follow it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from deviations.models import Deviation, Unit
from jobs.models import Job

CSV = (
    "external_id,occurred_on,municipality,description\n"
    "api-1,2024-02-01,Täby,FK drog in sjukpenningen vid dag 180 och Af kräver inskrivning.\n"
)


def _upload(client: APIClient, text: str, name: str = "a.csv"):  # noqa: ANN202
    upload = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return client.post(reverse("imports"), {"file": upload}, format="multipart")


@pytest.fixture(autouse=True)
def _units(taby_unit: Unit) -> None:
    """The rows name no unit: they go to the one unit working in Täby (never a new one)."""


def test_import_answers_202_with_a_job_to_follow(analyst_api: APIClient) -> None:
    response = _upload(analyst_api, CSV)
    assert response.status_code == 202
    body = response.json()
    assert response["Location"] == body["url"]
    assert (body["kind"], body["status"], body["finished"]) == ("import", "succeeded", True)
    followed = analyst_api.get(body["url"]).json()
    assert followed["result"]["created"] == 1
    assert followed["page"].startswith("/jobb/")
    assert Deviation.objects.filter(external_id="api-1").exists()
    assert [job["key"] for job in analyst_api.get(reverse("job-list")).json()["results"]] == [
        body["key"]
    ]


def test_a_bad_file_is_a_failed_job_with_the_rows(analyst_api: APIClient) -> None:
    body = _upload(analyst_api, CSV + "api-2,igår,Atlantis,\n").json()
    assert body["status"] == "failed"
    assert body["error"]
    assert {(row, column) for row, column, _message in body["result"]["errors"]} == {
        (3, "occurred_on"),
        (3, "municipality"),
        (3, "description"),
    }
    retry = analyst_api.post(reverse("job-retry", args=[body["key"]]))
    assert retry.status_code == 400  # a corrected file is needed, not another run
    assert retry.json()["code"] == "not_retryable"
    assert not Deviation.objects.exists()


def test_a_wrong_file_type_is_refused_before_any_job(analyst_api: APIClient) -> None:
    response = _upload(analyst_api, "%PDF", name="a.pdf")
    assert response.status_code == 400
    assert ".csv" in str(response.json())
    assert not Job.objects.exists()


def test_running_a_job_again_twice_queues_it_once(analyst_api: APIClient, analyst) -> None:
    job = Job.objects.create(
        kind="knots", status=Job.Status.FAILED, error="Stopped.", created_by=analyst
    )
    first = analyst_api.post(reverse("job-retry", args=[job.key]))
    assert first.status_code == 202
    assert first.json()["status"] == "succeeded"  # the immediate backend ran it
    second = analyst_api.post(reverse("job-retry", args=[job.key]))
    assert second.status_code == 409  # not failed any more: nothing is queued twice
    assert second.json()["code"] == "not_failed"
    job.refresh_from_db()
    assert job.attempts == 1
