"""A job's page in a real browser: the bar moves while the job runs, without a reload, and the
outcome appears when it ends; checked with axe-core."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from deviations.models import User
from jobs.models import Job
from jobs.services import Progress, _finish
from tests.browser.conftest import log_in, screenshot, serious_violations
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def analyst_user(catalogue: None) -> User:
    return UserFactory(username="anna", roles=["analyst"])


def test_the_progress_bar_follows_a_running_job(
    page: Page, analyst_user: User, axe_source: str
) -> None:
    job = Job.objects.create(
        kind="retag",
        created_by=analyst_user,
        status=Job.Status.RUNNING,
        started_at=timezone.now(),
    )
    progress = Progress(job)
    progress.step("Taggar avvikelser", 400)
    log_in(page, "anna")
    page.goto(job.get_absolute_url())
    bar = page.locator("#job-progress")
    expect(bar).to_have_attribute("max", "400")
    page.evaluate("window.notReloaded = true")

    progress.advance(300)
    progress._write(force=True)  # what the worker writes while it runs
    expect(page.locator("#job-counts")).to_contain_text("300 av 400", timeout=10_000)
    assert bar.evaluate("el => el.value") == 300
    assert page.evaluate("window.notReloaded") is True  # moved without a reload
    screenshot(page, "job-running")
    assert serious_violations(page, axe_source) == []

    job.refresh_from_db()
    job.result = {"deviations": 400, "added": 12, "updated": 0, "removed": 3, "kept": 90}
    _finish(job, status=Job.Status.SUCCEEDED, result=job.result)
    expect(page.locator("#job-status")).to_have_text("klart", timeout=10_000)
    expect(page.locator("dl.facts")).to_contain_text("Tillagda förslag")  # the page reloaded
    screenshot(page, "job-done")
    assert serious_violations(page, axe_source) == []


def test_a_failed_import_shows_its_rows_and_passes_axe(
    page: Page, analyst_user: User, axe_source: str
) -> None:
    from jobs.services import job_enqueue

    bad = ("external_id,occurred_on,municipality,description\nb-1,igår,Atlantis,\n").encode()
    job = job_enqueue(kind="import", by=analyst_user, input=bad, input_name="fel.csv")
    log_in(page, "anna")
    page.goto(job.get_absolute_url())
    expect(page.locator("#job-status")).to_have_text("misslyckades")
    expect(page.locator(".error-summary")).to_contain_text("3 problem")
    expect(page.locator("table")).to_contain_text("occurred_on")
    expect(page.get_by_role("link", name="Ladda upp en rättad fil")).to_be_visible()
    expect(page.get_by_role("button", name="Kör igen")).to_have_count(0)
    screenshot(page, "job-import-failed")
    assert serious_violations(page, axe_source) == []
