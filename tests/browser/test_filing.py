"""Staff filing in a real browser at phone width: chips, refusal of personal data, drafts,
keyboard-only use and an axe-core check of every staff page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from catalogue.models import Municipality, Provision
from deviations.models import Deviation, Draft, Unit, User
from tests.browser.conftest import log_in, screenshot, serious_violations
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.browser

TEXT = (
    "FK drog in sjukpenningen vid dag 180 enligt 27 kap. 48 § SFB. Af kräver att hen skriver "
    "in sig som arbetssökande men bedömer att hen inte klarar ett arbete."
)


@pytest.fixture
def unit(catalogue: None) -> Unit:
    return UnitFactory(
        name="MIA Täby",
        municipalities=[Municipality.objects.get(code="0160")],
    )


@pytest.fixture
def reporter(unit: Unit) -> User:
    return UserFactory(username="stina", roles=["staff"], units=[unit])


def _open_new_form(page: Page) -> None:
    page.get_by_role("link", name="Ny avvikelse").first.click()
    expect(page.get_by_role("heading", name="Ny avvikelse")).to_be_visible()


def _chip(page: Page, label: str) -> Any:
    return page.locator("#chips .chip").filter(has=page.locator(".chip-label", has_text=label))


def test_file_a_deviation_with_suggestions_accepted_and_one_removed(
    page: Page, reporter: User
) -> None:
    log_in(page, "stina")
    screenshot(page, "01-start")
    _open_new_form(page)
    page.get_by_label("Vad hände?").fill(TEXT)
    expect(_chip(page, "Försäkringskassan")).to_be_visible()
    expect(_chip(page, "Arbetsförmedlingen")).to_be_visible()
    expect(_chip(page, "27 kap. 48 §")).to_be_visible()
    screenshot(page, "02-form-with-chips")
    page.get_by_role("button", name="Ta bort Arbetsförmedlingen").click()
    expect(_chip(page, "Arbetsförmedlingen")).to_have_count(0)
    page.get_by_label("Kommun").select_option(label="Täby")
    page.get_by_label("Kategori").select_option(value="work_capacity")
    page.get_by_role("button", name="Skicka in avvikelse").click()

    expect(page.get_by_role("heading", name="Avvikelsen är mottagen")).to_be_visible()
    reference = page.locator("#reference").inner_text()
    assert re.fullmatch(r"AV-\d{4}-\d{5}", reference)
    screenshot(page, "03-receipt")

    deviation = Deviation.objects.get(reference=reference)
    states = {t.tag_id: t.state for t in deviation.taggings.all()}
    assert states["agency:FK"] == "suggested"
    assert states["prov:2010:110#K27P48"] == "suggested"
    assert states["agency:AF"] == "rejected"
    assert deviation.reporter == reporter
    assert not Draft.objects.exists()

    page.get_by_role("link", name="Följ den här avvikelsen").click()
    expect(page.get_by_role("heading", name=f"Avvikelse {reference}")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("Inskickad")
    screenshot(page, "04-deviation-page")


def test_a_personnummer_is_refused_and_the_text_is_kept(page: Page, reporter: User) -> None:
    log_in(page, "stina")
    _open_new_form(page)
    text = "Gäller 870514-9832. " + TEXT
    page.get_by_label("Vad hände?").fill(text)
    expect(page.locator("#pii-live")).to_contain_text("personnummer")
    page.get_by_label("Kommun").select_option(label="Täby")
    page.get_by_label("Kategori").select_option(value="work_capacity")
    page.get_by_role("button", name="Skicka in avvikelse").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("personuppgifter")
    expect(page.locator("#pii-marked mark")).to_have_text("870514-9832")
    expect(page.get_by_label("Vad hände?")).to_have_value(text)
    screenshot(page, "05-personnummer-refused")
    assert not Deviation.objects.exists()
    for draft in Draft.objects.all():
        assert "870514" not in str(draft.data)


def test_a_draft_survives_a_reload_and_a_new_login(page: Page, reporter: User) -> None:
    log_in(page, "stina")
    _open_new_form(page)
    page.get_by_label("Vad hände?").fill(TEXT)
    page.get_by_label("Kategori").select_option(value="waiting_time")
    expect(page.locator("#draft-status")).to_contain_text("Utkastet sparades", timeout=10_000)
    expect(page).to_have_url(re.compile(r"/avvikelser/utkast/[0-9a-f-]+/$"))

    page.reload()
    expect(page.get_by_label("Vad hände?")).to_have_value(TEXT)
    expect(page.get_by_label("Kategori")).to_have_value("waiting_time")

    # Close the page first: an autosave still in flight would otherwise bring the session
    # cookie back with its answer (the idle limit saves the session on every request).
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")
    page.context.clear_cookies()  # the session is gone, as after a closed browser
    log_in(page, "stina")
    drafts = page.locator(".draft-list")
    expect(drafts).to_contain_text("FK drog in sjukpenningen")
    screenshot(page, "06-start-with-draft")
    drafts.get_by_role("link").first.click()
    expect(page.get_by_label("Vad hände?")).to_have_value(TEXT)


def test_a_provision_outside_the_catalogue_keeps_its_chip_and_files(
    page: Page, reporter: User
) -> None:
    """Issue 15: the chip for a section the catalogue does not list survives a refused submit
    and a draft reload, and the deviation files with it (the section added unconfirmed)."""
    text = "Kommunen hänvisar till 13 kap. 1 § SoL och har inte svarat på flera veckor."
    log_in(page, "stina")
    _open_new_form(page)
    page.get_by_label("När hände det?").fill("2025-09-01")
    page.get_by_label("Vad hände?").fill(text)
    expect(_chip(page, "13 kap. 1 § SoL (2025:400)")).to_be_visible()
    page.get_by_role("button", name="Skicka in avvikelse").click()  # no category: refused
    expect(page.locator("#error-summary")).to_be_visible()
    expect(_chip(page, "13 kap. 1 § SoL (2025:400)")).to_be_visible()
    page.goto(f"/avvikelser/utkast/{Draft.objects.get().key}/")  # the saved draft, reopened
    expect(page.get_by_label("Vad hände?")).to_have_value(text)
    expect(_chip(page, "13 kap. 1 § SoL (2025:400)")).to_be_visible()
    # A section no catalogue entry names is added by writing its citation in the search box.
    page.locator("#tag-search").fill("27 kap. 20 § SFB")
    expect(page.locator("#tag-search-results button")).to_have_text("27 kap. 20 § SFB")
    page.locator("#tag-search").press("Enter")
    expect(_chip(page, "27 kap. 20 § SFB")).to_be_visible()
    page.get_by_label("Kategori").select_option(value="work_capacity")
    page.get_by_role("button", name="Skicka in avvikelse").click()
    expect(page.get_by_role("heading", name="Avvikelsen är mottagen")).to_be_visible()
    deviation = Deviation.objects.get()
    for tag_id in ("prov:2025:400#K13P1", "prov:2010:110#K27P20"):
        assert deviation.taggings.get(tag_id=tag_id).state != "rejected"
        assert Provision.objects.get(tag_id=tag_id).confirmed is False


def _tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{selector} cannot be reached with the Tab key")


def test_the_whole_flow_with_the_keyboard_only(page: Page, reporter: User) -> None:
    page.goto("/konto/logga-in/")
    _tab_to(page, "#id_username")
    page.keyboard.type("stina")
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("^Välkommen"))).to_be_visible()

    _tab_to(page, "a.start-action-link, .start-action a")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Ny avvikelse")).to_be_visible()
    _tab_to(page, "#id_description")
    page.keyboard.type(TEXT)
    expect(_chip(page, "Arbetsförmedlingen")).to_be_visible()
    expect(page.locator("#id_municipality option:checked")).to_have_text("Täby")  # from the unit
    _tab_to(page, "#id_category")
    page.keyboard.type("Olika")
    expect(page.locator("#id_category")).to_have_value("work_capacity")

    # Remove a suggested chip and add one from the catalogue, by keyboard.
    _tab_to(page, "button[aria-label='Ta bort Arbetsförmedlingen']")
    page.keyboard.press("Enter")
    expect(_chip(page, "Arbetsförmedlingen")).to_have_count(0)
    expect(page.locator("#tag-search")).to_be_focused()
    page.keyboard.type("Kommunen")
    page.keyboard.press("Enter")
    expect(_chip(page, "Kommunen")).to_be_visible()

    _tab_to(page, "button[value=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Avvikelsen är mottagen")).to_be_visible()
    deviation = Deviation.objects.get()
    states = {t.tag_id: (t.origin, t.state) for t in deviation.taggings.all()}
    assert states["agency:AF"] == ("tagger", "rejected")
    assert states["agency:KOMMUN"][1] == "suggested"


def test_no_serious_accessibility_violations_on_staff_pages(
    page: Page, reporter: User, axe_source: str
) -> None:
    problems: dict[str, list[str]] = {}

    def check(name: str) -> None:
        screenshot(page, f"axe-{name}")
        found = serious_violations(page, axe_source)
        if found:
            problems[name] = found

    page.goto("/konto/logga-in/")
    check("login")
    log_in(page, "stina")
    check("start")
    _open_new_form(page)
    check("form")
    page.get_by_label("Vad hände?").fill("Gäller 870514-9832 och FK.")
    expect(_chip(page, "Försäkringskassan")).to_be_visible()
    page.get_by_role("button", name="Skicka in avvikelse").click()
    expect(page.locator("#error-summary")).to_be_visible()
    check("form-with-errors")
    page.get_by_label("Vad hände?").fill(TEXT)
    page.get_by_label("Kommun").select_option(label="Täby")
    page.get_by_label("Kategori").select_option(value="work_capacity")
    page.get_by_role("button", name="Skicka in avvikelse").click()
    expect(page.get_by_role("heading", name="Avvikelsen är mottagen")).to_be_visible()
    check("receipt")
    page.get_by_role("link", name="Följ den här avvikelsen").click()
    check("deviation")
    page.goto("/avvikelser/mina/")
    check("my-deviations")
    page.goto("/avvikelser/")
    check("deviation-list")
    assert problems == {}
