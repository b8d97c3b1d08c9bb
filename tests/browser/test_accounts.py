"""An administrator manages accounts without the Django admin, on a phone and at desktop width:
invite, give a role, deactivate; every page without axe violations and no wider than the screen."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from deviations.models import Unit, User
from tests.browser.conftest import log_in, page_width, screenshot, serious_violations
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def chief(catalogue: None) -> User:
    UnitFactory(name="MIA Länsteamet med ett mycket långt namn som måste radbrytas")
    return UserFactory(username="chef", roles=["admin"], is_staff=True)


@pytest.mark.parametrize(("name", "width"), [("phone", 375), ("desktop", 1280)])
def test_invite_give_a_role_and_deactivate(
    page: Page, chief: User, axe_source: str, name: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, "chef")
    problems: dict[str, list[str]] = {}
    widths: dict[str, int] = {}

    def look(step: str) -> None:
        problems[step] = serious_violations(page, axe_source)
        widths[step] = page_width(page)
        screenshot(page, f"accounts-{name}-{step}")

    page.get_by_role("link", name="Användare", exact=True).click()
    look("list")
    page.get_by_role("link", name="Bjud in").first.click()
    page.get_by_label("E-post").fill("kim.nyberg@example.org")
    page.get_by_label("Förnamn").fill("Kim")
    page.get_by_label("Efternamn").fill("Nyberg")
    page.get_by_label("Personal").check()
    page.get_by_label("MIA Länsteamet med ett mycket långt namn som måste radbrytas").check()
    look("invite")
    page.get_by_role("button", name="Skicka inbjudan").click()
    expect(page.locator(".messages")).to_contain_text("kim.nyberg@example.org")
    assert mail.outbox[-1].to == ["kim.nyberg@example.org"]
    look("person")

    page.get_by_label("Analytiker", exact=True).check()
    page.get_by_role("button", name="Spara").first.click()
    expect(page.locator("main")).to_contain_text("Analytiker")
    page.get_by_role("button", name="Inaktivera").click()
    expect(page.get_by_role("button", name="Aktivera")).to_be_visible()  # it can be undone
    look("deactivated")
    person = User.objects.get(email="kim.nyberg@example.org")
    assert person.is_active is False
    assert set(person.groups.values_list("name", flat=True)) == {"staff", "analyst"}
    assert person.units.filter(name__startswith="MIA Länsteamet").exists()
    assert Unit.objects.count() >= 1
    assert {k: v for k, v in problems.items() if v} == {}
    assert {k: w for k, w in widths.items() if w > width} == {}
