"""Search and "Mina vyer" in a browser, on a phone and at desktop width: the words are found in
any form, the hits are marked, a view is saved and opened again from the start page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from deviations.models import Deviation, User
from tests.browser.conftest import log_in, page_width, screenshot, serious_violations
from tests.browser.test_analysis import analyst_user, corpus  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("name", "width"), [("phone", 375), ("desktop", 1280)])
def test_search_save_a_view_and_open_it_from_the_start_page(
    page: Page,
    analyst_user: User,  # noqa: F811
    corpus: Deviation,  # noqa: F811
    axe_source: str,
    name: str,
    width: int,
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, "anna")
    page.get_by_role("link", name="Sök", exact=True).first.click()
    page.get_by_label("Ord att söka efter").fill("sjukpenning inskrivningen")
    page.get_by_role("button", name="Sök", exact=True).click()
    hits = page.locator("#hits-deviations")
    expect(hits).to_contain_text("60 avvikelser")  # "sjukpenningen", "inskrivning": any form
    expect(page.locator(".search-hits mark").first).to_have_text("sjukpenningen")
    problems = {"search": serious_violations(page, axe_source)}
    widths = {"search": page_width(page)}
    screenshot(page, f"search-{name}-page")

    page.get_by_role("link", name="Visa alla i avvikelselistan, med filter").click()
    expect(page.get_by_role("status").first).to_contain_text("60 avvikelser matchar")
    expect(page.locator("td.snippet mark").first).to_be_visible()
    page.get_by_text("Spara filtren som en vy").click()
    page.get_by_label("Vyns namn").fill("FK och Af")
    page.get_by_role("button", name="Spara vy").click()
    expect(page.locator(".messages")).to_contain_text("Vyn ”FK och Af” sparades")
    problems["list"] = serious_violations(page, axe_source)
    widths["list"] = page_width(page)
    screenshot(page, f"search-{name}-list")

    page.goto("/")
    page.get_by_role("link", name="FK och Af").click()
    expect(page.locator("td.snippet mark").first).to_be_visible()
    assert page.url.endswith("/avvikelser/?q=sjukpenning+inskrivningen")
    page.goto("/konto/vyer/")
    problems["views"] = serious_violations(page, axe_source)
    widths["views"] = page_width(page)
    page.get_by_role("button", name="Ta bort vyn FK och Af").click()
    expect(page.locator(".messages")).to_contain_text("Vyn togs bort")
    assert {k: v for k, v in problems.items() if v} == {}
    assert {k: w for k, w in widths.items() if w > width} == {}
