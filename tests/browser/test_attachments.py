"""Attachments in a browser at 375 px: a steering member attaches the letter explaining the
group's decision from the dossier, a refused file keeps what was typed, a scanned file is
marked, the download is a download, and every page stays within the screen with no axe
violation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from barriers.models import Barrier, Decision
from barriers.services import barrier_create, barrier_escalate, barrier_transition, decision_record
from deviations.models import Deviation, User
from tests.attachment_files import PERSONNUMMER, pdf, scanned_pdf
from tests.browser.conftest import log_in, page_width, screenshot, serious_violations
from tests.browser.test_loop import KNOT, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
PHONE = 375
LONG = "Styrgruppensbeslutsbrevtillförsäkringskassanocharbetsförmedlingen"


def test_a_steering_member_attaches_the_decision_letter_on_a_phone(
    page: Page,
    world: dict[str, User],  # noqa: F811
    axe_source: str,
) -> None:
    analyst, member = world["analyst"], world["member"]
    barrier = barrier_create(
        by=analyst,
        title="Sjukpenning vid dag 180",
        tags=KNOT,
        deviations=Deviation.objects.filter(taggings__tag_id="agency:AF").distinct(),
    )
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(
        barrier=barrier, group=None, due_on=timezone.localdate() + timedelta(days=7), by=analyst
    )
    decision_record(
        escalation=escalation, kind=Decision.Kind.REJECT, by=member, reason="Utanför mandatet."
    )
    widths: dict[str, int] = {}
    problems: dict[str, list[str]] = {}

    def check(name: str) -> None:
        screenshot(page, f"phone-attachments-{name}")
        widths[name] = page_width(page)
        if found := serious_violations(page, axe_source):
            problems[name] = found

    log_in(page, "ledamot")
    page.goto(f"/systemhinder/{barrier.pk}/underlag/")
    form = page.locator("#attachments form")
    # A letter with a personnummer: refused, the description kept, nothing listed.
    form.get_by_label("Vad det är").fill("Brevet som förklarar beslutet")
    form.get_by_label("Fil").set_input_files(
        files=[{"name": "brev.pdf", "mimeType": "application/pdf",
                "buffer": pdf(f"Gäller {PERSONNUMMER}.")}]
    )  # fmt: skip
    form.get_by_role("button", name="Bifoga filen").click()
    expect(page.locator(".error-summary")).to_contain_text("personnummer")
    expect(page.locator("#attachments form").get_by_label("Vad det är")).to_have_value(
        "Brevet som förklarar beslutet"
    )
    check("refused")
    # The scanned letter, to the decision: taken, and marked as not checked.
    form = page.locator("#attachments form")
    form.get_by_label("Bifoga till").select_option(index=1)  # the group's decision
    form.get_by_label("Fil").set_input_files(
        files=[{"name": f"{LONG}.pdf", "mimeType": "application/pdf", "buffer": scanned_pdf()}]
    )
    form.get_by_role("button", name="Bifoga filen").click()
    expect(page.get_by_text("Filen bifogades.")).to_be_visible()
    box = page.locator(".decision-box")
    expect(box).to_contain_text(LONG)
    expect(box).to_contain_text("Texten kunde inte granskas")
    check("dossier")
    with page.expect_download() as download:
        box.get_by_role("link", name=f"{LONG}.pdf").click()
    assert download.value.suggested_filename == f"{LONG}.pdf"
    # The analyst's barrier page shows the decision's file too, within the screen.
    page.context.clear_cookies()
    log_in(page, "anna")
    page.goto(f"/systemhinder/{barrier.pk}/")
    expect(page.locator(".decision-box")).to_contain_text(LONG)
    check("barrier")
    assert {name: w for name, w in widths.items() if w > PHONE} == {}
    assert problems == {}
