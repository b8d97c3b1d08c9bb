"""The whole loop in a browser: an analyst creates a barrier from a knot and escalates it, a
steering member decides, and the staff member who reported sees the outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from barriers.catalogue import steering_groups_load
from barriers.models import Escalation
from catalogue.models import Municipality
from deviations.models import User
from deviations.services import DeviationInput, TagInput, deviations_file_many
from tests.browser.conftest import log_in, screenshot, serious_violations
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.browser
KNOT = ("agency:AF", "agency:FK", "prov:2010:110#K27P48")


@pytest.fixture
def world(catalogue: None) -> dict[str, User]:
    steering_groups_load()
    municipalities = list(Municipality.objects.filter(code__in=["0160", "0162", "0136", "0180"]))
    unit = UnitFactory(name="MIA Länet", municipalities=municipalities)
    reporter = UserFactory(username="rapportor", roles=["staff"], units=[unit])
    analyst = UserFactory(username="anna", roles=["analyst"])
    member = UserFactory(username="ledamot", roles=["steering"])
    today = timezone.localdate()
    items = [
        DeviationInput(
            occurred_on=today - timedelta(days=3 * i),
            unit=unit,
            municipality=municipalities[i % 4],
            description=f"Fall {i}: FK drog in sjukpenningen vid dag 180, Af kräver inskrivning.",
            tags=tuple(TagInput(tag_id=t) for t in (KNOT if i < 24 else ("agency:CSN",))),
        )
        for i in range(60)
    ]
    deviations_file_many(by=reporter, items=items, tag_origin="import", tag_state="confirmed")
    return {"reporter": reporter, "analyst": analyst, "member": member}


def test_from_knot_to_decision_and_back_to_the_reporter(
    page: Page, world: dict[str, User], axe_source: str
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "anna")
    page.goto("/analys/knutar/?min_support=10")
    page.locator(".knot h2 a", has_text="27 kap. 48 §").first.click()
    page.get_by_role("button", name="Skapa systemhinder av knuten").click()
    expect(page.locator(".messages")).to_contain_text("Systemhindret skapades")
    page.get_by_label("Ny status").select_option(value="analysed")
    page.get_by_role("button", name="Ändra status").click()
    expect(page.locator(".messages")).to_contain_text("Status ändrad")
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    page.get_by_label("Ska tas upp senast").fill(due)
    page.get_by_role("button", name="Eskalera").click()
    expect(page.locator(".messages")).to_contain_text("Eskalerat till")
    screenshot(page, "loop-01-barrier")
    assert serious_violations(page, axe_source) == []

    escalation = Escalation.objects.get()
    escalation.group.members.add(world["member"])
    page.context.clear_cookies()
    log_in(page, "ledamot")
    page.goto(f"/styrgrupper/{escalation.group.slug}/")
    screenshot(page, "loop-02-inbox")
    assert serious_violations(page, axe_source) == []
    page.get_by_role("link", name="Registrera beslut").click()
    page.get_by_label("Avvisa", exact=True).check()
    page.get_by_role("button", name="Registrera beslut").click()
    expect(page.locator("#error-summary")).to_contain_text("skäl")
    page.get_by_label("Avvisa", exact=True).check()
    page.get_by_label("Motivering (när ni skickar vidare, skickar tillbaka eller avvisar)").fill(
        "Frågan ligger hos regeringen; vi skriver till departementet."
    )
    page.get_by_role("button", name="Registrera beslut").click()
    expect(page.locator(".messages")).to_contain_text("Beslut registrerat")
    page.goto(f"/systemhinder/{escalation.barrier_id}/underlag/")
    screenshot(page, "loop-03-dossier")
    assert serious_violations(page, axe_source) == []

    page.context.clear_cookies()
    log_in(page, "rapportor")
    page.goto("/avvikelser/mina/")
    expect(page.locator("main")).to_contain_text(escalation.barrier.title)
    page.locator("main table a").first.click()
    outcome = page.locator(".outcome")
    expect(outcome).to_contain_text(escalation.group.name)
    expect(outcome).to_contain_text("Avvisa")
    screenshot(page, "loop-04-reporter")
