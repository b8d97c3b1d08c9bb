"""A barrier's tags in a real browser: chips and the catalogue search as on the filing form."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from barriers.models import Barrier
from barriers.services import barrier_create
from deviations.models import User
from tests.browser.conftest import log_in, serious_violations
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def analyst_user(catalogue: None) -> User:
    return UserFactory(username="anna", roles=["analyst"])


def test_barrier_tags_are_chips_found_by_any_word_of_a_title(
    page: Page, analyst_user: User, axe_source: str
) -> None:
    barrier = barrier_create(by=analyst_user, title="Glapp", tags=["agency:AF"])
    log_in(page, "anna")
    page.goto(f"/systemhinder/{barrier.pk}/")
    chips = page.locator(".tag-chips-field .chips")
    expect(chips).to_contain_text("Arbetsförmedlingen")
    expect(page.locator(".tag-chip-seeds")).to_have_count(0)  # the checkboxes became chips
    search = page.locator(".tag-chips-field input[type=search]")
    search.fill("offentlighets")
    option = page.locator(".tag-search-results button.tag-option").first
    expect(option).to_contain_text("OSL")
    search.press("Enter")  # picks the first match, does not submit
    expect(chips).to_contain_text("OSL")
    chips.get_by_role("button", name="Ta bort Arbetsförmedlingen").click()
    assert serious_violations(page, axe_source) == []
    page.locator(".tag-chips-field").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()
    page.wait_for_url(f"**/systemhinder/{barrier.pk}/")
    barrier = Barrier.objects.get(pk=barrier.pk)
    assert barrier.tags == ["law:2009:400"]
