"""The analyst workspace in a real browser: triage by keyboard, knots, overview and statistics,
each page checked with axe-core."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from catalogue.models import Municipality
from deviations.models import Deviation, Tagging, User
from deviations.services import DeviationInput, TagInput, deviations_file_many
from tests.browser.conftest import log_in, screenshot, serious_violations
from tests.factories import TaggingFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.browser
KNOT = ("agency:AF", "agency:FK", "prov:2010:110#K27P48")


@pytest.fixture
def analyst_user(catalogue: None) -> User:
    return UserFactory(username="anna", roles=["analyst"])


@pytest.fixture
def corpus(catalogue: None) -> Deviation:
    municipalities = list(Municipality.objects.order_by("code")[:6])
    unit = UnitFactory(name="Länsteam", municipalities=municipalities)
    today = timezone.localdate()
    items = [
        DeviationInput(
            occurred_on=today - timedelta(days=(i * 5) % 300),
            unit=unit,
            municipality=municipalities[i % 6],
            description=f"Fall {i}: FK drog in sjukpenningen enligt 27 kap. 48 § SFB, Af kräver "
            "inskrivning.",
            severity=1 + i % 4,
            gender=["kvinna", "man"][i % 2],
            tags=tuple(TagInput(tag_id=t) for t in (KNOT if i < 30 else ("agency:CSN",))),
        )
        for i in range(60)
    ]
    deviations_file_many(by=None, items=items, tag_origin="import", tag_state="confirmed")
    waiting = Deviation.objects.order_by("pk").first()
    waiting.status = Deviation.Status.SUBMITTED
    waiting.save()
    TaggingFactory(deviation=waiting, tag_id="agency:KOMMUN", state="suggested", origin="tagger")
    return waiting


def test_triage_with_the_keyboard(page: Page, analyst_user: User, corpus: Deviation) -> None:
    log_in(page, "anna")
    page.goto(f"/analys/triage/{corpus.reference}/")
    page.locator("tr.triage-tag[data-tag='agency:KOMMUN']").focus()
    page.keyboard.press("x")  # reject the focused suggestion
    page.keyboard.press("n")  # save and go on
    expect(page.locator(".messages")).to_contain_text("avvisade Kommunen")  # by its label
    tagging = Tagging.objects.get(deviation=corpus, tag_id="agency:KOMMUN")
    assert tagging.state == "rejected"
    corpus.refresh_from_db()
    assert corpus.status == "triaged"


def test_analyst_pages_pass_axe(
    page: Page, analyst_user: User, corpus: Deviation, axe_source: str
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "anna")
    problems: dict[str, list[str]] = {}

    def check(name: str) -> None:
        screenshot(page, f"analyst-{name}")
        found = serious_violations(page, axe_source)
        if found:
            problems[name] = found

    page.goto("/analys/triage/")
    check("triage-queue")
    page.goto(f"/analys/triage/{corpus.reference}/")
    check("triage-deviation")
    page.goto("/analys/knutar/?min_support=10")
    expect(page.locator(".knot").first).to_contain_text("Arbetsförmedlingen")
    check("knots")
    page.locator(".knot h2 a").first.click()
    expect(page.locator("figure svg").first).to_be_visible()
    check("knot")
    page.goto("/analys/oversikt/")
    check("overview")
    page.goto("/analys/statistik/")
    check("statistics")
    assert problems == {}
