"""Every analyst page fits a 375 px phone: nothing wider than the screen, no axe violation,
and the long lists come in pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from deviations.models import Deviation, User
from tests.browser.conftest import log_in, screenshot, serious_violations
from tests.browser.test_analysis import analyst_user, corpus  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
PHONE = 375


def _width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_analyst_pages_fit_a_phone(
    page: Page,
    analyst_user: User,  # noqa: F811
    corpus: Deviation,  # noqa: F811
    axe_source: str,
) -> None:
    # A long unbroken word in the text must wrap rather than widen the page.
    corpus.description = "Ärendet " + "Försäkringskassebeslutsunderlag" * 4 + " avslogs."
    corpus.save()
    log_in(page, "anna")
    widths: dict[str, int] = {}
    problems: dict[str, list[str]] = {}

    def check(name: str) -> None:
        screenshot(page, f"phone-{name}")
        widths[name] = _width(page)
        found = serious_violations(page, axe_source)
        if found:
            problems[name] = found

    page.goto(f"/analys/triage/{corpus.reference}/")
    check("triage-deviation")
    page.goto("/analys/knutar/?min_support=10")
    check("knots")
    page.locator(".knot h2 a").first.click()
    expect(page.locator("figure svg").first).to_be_visible()
    # 30 supporting deviations: the first 25 on this page, the rest one click away.
    expect(page.get_by_text("Visar 1–25 av 30")).to_be_visible()
    assert page.locator("#supporting tbody tr").count() == 25
    check("knot")
    page.get_by_role("link", name="Nästa").first.click()
    expect(page.get_by_text("Visar 26–30 av 30")).to_be_visible()
    assert "min_support=10" in page.url  # the filter stays with the page links
    page.get_by_role("button", name="Skapa systemhinder av knuten").click()
    expect(page.get_by_text("Visar 1–25 av 30")).to_be_visible()
    check("barrier")
    page.goto("/analys/oversikt/")
    expect(page.locator(".legend")).to_contain_text("Storlek")
    check("overview")
    page.goto("/analys/statistik/")
    check("dashboard")
    assert {name: w for name, w in widths.items() if w > PHONE} == {}
    assert problems == {}
