"""The whole loop in a browser, on a phone and on a desktop: a reporter files a deviation, an
analyst asks about it and the reporter answers, the analyst triages it, finds the knot, makes a
barrier of it and escalates it, a steering member decides and later records the effect, and the
reporter sees what became of the deviation. Every page is checked with axe-core, and on the
phone nothing may be wider than the screen."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from barriers.catalogue import steering_groups_load
from barriers.models import Barrier, SteeringGroup
from catalogue.models import Municipality
from deviations.models import Deviation, User
from deviations.services import DeviationInput, TagInput, deviations_file_many
from tests.browser.conftest import log_in, page_width, screenshot, serious_violations
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.browser
KNOT = ("agency:AF", "agency:FK", "prov:2010:110#K27P48")
TEXT = (
    "FK drog in sjukpenningen vid dag 180 enligt 27 kap. 48 § SFB. Af kräver att hen skriver "
    "in sig som arbetssökande men bedömer att hen inte klarar ett arbete."
)
QUESTION = "Hade hen fått ett läkarintyg innan dag 180?"
ANSWER = "Ja, intyget kom dag 170 men FK bedömde det inte."
VIEWPORTS = [
    pytest.param({"width": 375, "height": 740}, id="phone"),
    pytest.param({"width": 1280, "height": 900}, id="desktop"),
]


@pytest.fixture
def world(catalogue: None) -> dict[str, User]:
    """The rest of the knot's deviations, filed and triaged before the test's own; a steering
    member who sits in every group, so that whichever group is proposed is told."""
    steering_groups_load()
    municipalities = list(Municipality.objects.filter(code__in=["0160", "0162", "0136", "0180"]))
    unit = UnitFactory(name="MIA Länet", municipalities=municipalities)
    reporter = UserFactory(username="rapportor", roles=["staff"], units=[unit])
    colleague = UserFactory(username="kollega", roles=["staff"], units=[unit])
    analyst = UserFactory(username="anna", roles=["analyst"])
    member = UserFactory(username="ledamot", roles=["steering"])
    for group in SteeringGroup.objects.all():
        group.members.add(member)
    today = timezone.localdate()
    items = [
        DeviationInput(
            occurred_on=today - timedelta(days=3 * i + 1),
            unit=unit,
            municipality=municipalities[i % 4],
            description=f"Fall {i}: FK drog in sjukpenningen vid dag 180, Af kräver inskrivning.",
            tags=tuple(TagInput(tag_id=t) for t in (KNOT if i < 24 else ("agency:CSN",))),
        )
        for i in range(60)
    ]
    deviations_file_many(by=colleague, items=items, tag_origin="import", tag_state="confirmed")
    Deviation.objects.update(status=Deviation.Status.TRIAGED)
    return {"reporter": reporter, "analyst": analyst, "member": member}


class Walk:
    """Checks every page the loop visits: axe-core's serious findings, and at phone width
    anything wider than the screen. Findings are gathered so one run shows them all."""

    def __init__(self, page: Page, axe_source: str, viewport: dict[str, int]) -> None:
        self.page, self.axe_source, self.viewport = page, axe_source, viewport
        self.prefix = "phone" if viewport["width"] < 600 else "desktop"
        self.problems: dict[str, list[str]] = {}
        self.too_wide: dict[str, int] = {}
        self.count = 0

    def check(self, name: str) -> None:
        self.count += 1
        screenshot(self.page, f"loop-{self.prefix}-{self.count:02d}-{name}")
        if (
            self.viewport["width"] < 600
            and (width := page_width(self.page)) > self.viewport["width"]
        ):
            self.too_wide[name] = width
        if found := serious_violations(self.page, self.axe_source):
            self.problems[name] = found

    def log_in_as(self, username: str) -> None:
        self.page.context.clear_cookies()
        log_in(self.page, username)
        self.check(f"start-{username}")

    def open_menu_link(self, name: str | re.Pattern[str]) -> None:
        nav = self.page.get_by_role("navigation", name="Huvudmeny")
        nav.get_by_role("link", name=name).click()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_whole_loop(
    page: Page, world: dict[str, User], axe_source: str, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    walk = Walk(page, axe_source, viewport)
    messages = page.locator(".messages")
    today = timezone.localdate()

    # 1. The reporter files a deviation through the form.
    walk.log_in_as("rapportor")
    page.get_by_role("link", name="Ny avvikelse").first.click()
    expect(page.get_by_role("heading", name="Ny avvikelse")).to_be_visible()
    page.get_by_label("Vad hände?").fill(TEXT)
    chips = page.locator("#chips .chip-label")
    for label in ("Försäkringskassan", "Arbetsförmedlingen", "27 kap. 48 §"):
        expect(chips.filter(has_text=label)).to_have_count(1)
    page.get_by_label("Kommun").select_option(label="Täby")
    page.get_by_label("Kategori").select_option(value="work_capacity")
    walk.check("form")
    page.get_by_role("button", name="Skicka in avvikelse").click()
    expect(page.get_by_role("heading", name="Avvikelsen är mottagen")).to_be_visible()
    reference = page.locator("#reference").inner_text()
    walk.check("receipt")

    # 2. The analyst finds it waiting for triage and asks the reporter a question.
    walk.log_in_as("anna")
    walk.open_menu_link(re.compile("^Triage"))
    walk.check("triage-queue")
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=f"Triage {reference}")).to_be_visible()
    walk.check("triage-deviation")
    page.get_by_role("link", name="Ställ en fråga till den som rapporterade").click()
    expect(page.get_by_role("heading", name=f"Avvikelse {reference}")).to_be_visible()
    page.get_by_label("Skriv en kommentar").fill(QUESTION)
    page.get_by_role("button", name="Skicka", exact=True).click()
    expect(messages).to_contain_text("Din kommentar har lagts till")
    expect(page.locator(".comment-list")).to_contain_text(QUESTION)
    walk.check("question")

    # 3. The reporter is told, reads the question and answers it; the analyst is told.
    walk.log_in_as("rapportor")
    notifications = page.get_by_role("link", name=re.compile("^Aviseringar"))
    expect(notifications.locator(".nav-count")).to_have_text("1")
    notifications.click()
    walk.check("notifications-reporter")
    page.locator(".notification-list a", has_text=reference).click()
    expect(page.locator(".comment-list")).to_contain_text(QUESTION)
    expect(notifications.locator(".nav-count")).to_have_count(0)  # read by opening it
    page.get_by_label("Skriv en kommentar").fill(ANSWER)
    page.get_by_role("button", name="Skicka", exact=True).click()
    expect(messages).to_contain_text("Din kommentar har lagts till")
    walk.check("answer")

    walk.log_in_as("anna")
    expect(notifications.locator(".nav-count")).to_have_text("1")
    notifications.click()
    page.locator(".notification-list a", has_text=reference).click()
    expect(page.locator(".comment-list")).to_contain_text(ANSWER)
    walk.check("answer-read")

    # 4. Triage: the suggested tags are confirmed.
    walk.open_menu_link(re.compile("^Triage"))
    page.get_by_role("link", name=reference).click()
    confirms = page.get_by_role("radio", name="Bekräfta")
    expect(confirms.first).to_be_visible()
    for radio in confirms.all():  # the three of the knot, and whatever else was suggested
        radio.check()
    page.get_by_role("button", name="Spara och nästa").click()
    expect(messages).to_contain_text("Sparat")
    expect(page.get_by_text("Inget väntar på triage.")).to_be_visible()
    walk.check("triaged")
    filed = Deviation.objects.get(reference=reference)
    assert filed.status == Deviation.Status.TRIAGED
    assert set(filed.taggings.filter(state="confirmed").values_list("tag_id", flat=True)) >= set(
        KNOT
    )

    # 5. The knot, a barrier made of it (with the filed deviation as evidence), escalated.
    walk.open_menu_link("Knutar")
    walk.check("knots")
    page.locator(".knot h2 a", has_text="27 kap. 48 §").first.click()
    expect(page.get_by_role("link", name=reference)).to_have_count(1)
    walk.check("knot")
    page.get_by_role("button", name="Skapa systemhinder av knuten").click()
    expect(messages).to_contain_text("Systemhindret skapades")
    expect(page.locator("#evidence").get_by_role("link", name=reference)).to_be_visible()
    page.get_by_label("Ny status").select_option(value="analysed")
    page.get_by_role("button", name="Ändra status").click()
    expect(messages).to_contain_text("Status ändrad")
    page.get_by_label("Ska tas upp senast").fill((today + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Eskalera").click()
    expect(messages).to_contain_text("Eskalerat till")
    walk.check("escalated")
    barrier = Barrier.objects.get()
    escalation = barrier.escalations.get()
    group = escalation.group.name

    # 6. The steering member is told, finds it on the start page and decides to act.
    walk.log_in_as("ledamot")
    waiting = page.locator("section.start-panel", has_text="Väntar på din grupps beslut")
    expect(waiting).to_contain_text(barrier.title)
    expect(notifications.locator(".nav-count")).to_have_text("1")  # the barrier arrived
    walk.open_menu_link(re.compile("^Styrgrupper"))
    walk.check("groups")
    page.get_by_role("link", name=group, exact=True).click()
    expect(page.get_by_role("heading", name=group)).to_be_visible()
    walk.check("inbox")
    page.get_by_role("link", name="Dagordning för nästa möte").click()
    expect(page.locator("main")).to_contain_text(barrier.title)
    walk.check("agenda")
    page.go_back()
    page.get_by_role("link", name="Registrera beslut").click()
    walk.check("decide")
    page.get_by_role("link", name="Läs underlaget").click()
    expect(page.locator("main")).to_contain_text(barrier.title)
    walk.check("dossier")
    page.go_back()
    page.get_by_label("Agera inom vårt mandat").check()
    page.get_by_label("Vad som beslutades").fill("Vi ändrar rutinen för läkarintyg före dag 180.")
    page.get_by_label("Åtgärd (när gruppen agerar inom sitt mandat)").fill(
        "FK och Af stämmer av varje ärende vid dag 170."
    )
    page.get_by_label("Vem gör det").fill("Samordningsförbundet")
    page.get_by_label("Åtgärd klar senast").fill((today + timedelta(days=10)).isoformat())
    page.get_by_label("Följ upp effekten").fill((today + timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Registrera beslut").click()
    expect(messages).to_contain_text("Beslut registrerat")
    walk.check("decided")

    # 7. The follow-up: the action is due soon, and the effect is recorded as resolved.
    page.get_by_role("link", name="Start", exact=True).click()
    follow_ups = page.locator("section.start-panel", has_text="Uppföljningar att göra")
    expect(follow_ups).to_contain_text("stämmer av varje ärende")
    walk.check("start-follow-up")
    walk.open_menu_link(re.compile("^Styrgrupper"))
    page.get_by_role("link", name=group, exact=True).click()
    page.get_by_role("link", name="Registrera effekten").click()
    page.get_by_role("radio", name="Löst").check()
    page.get_by_label("Effektutvärdering (när hindret är löst)").fill(
        "Inga nya avvikelser om dag 180 sedan avstämningen började."
    )
    walk.check("follow-up")
    page.get_by_role("button", name="Registrera beslut").click()
    expect(messages).to_contain_text("Beslut registrerat")
    barrier.refresh_from_db()
    assert barrier.status == Barrier.Status.RESOLVED

    # 8. The reporter is told what became of the deviation, which is now closed.
    walk.log_in_as("rapportor")
    expect(notifications.locator(".nav-count")).to_have_text("2")  # the decision, the effect
    notifications.click()
    expect(page.locator(".notification-list")).to_contain_text(barrier.title)
    walk.check("notifications-outcome")
    page.locator(".notification-list a", has_text="löst").first.click()
    expect(page.get_by_role("heading", name=barrier.title)).to_be_visible()  # the dossier
    expect(page.locator("main")).to_contain_text("Inga nya avvikelser om dag 180")
    walk.check("barrier-for-reporter")
    page.get_by_role("link", name="Start", exact=True).click()
    page.get_by_role("link", name="Alla mina avvikelser").click()
    expect(page.locator("main")).to_contain_text(barrier.title)
    walk.check("my-deviations")
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=f"Avvikelse {reference}")).to_be_visible()
    expect(page.locator("main .status").first).to_have_text("Avslutad")
    outcome = page.locator(".outcome")
    expect(outcome).to_contain_text(group)
    expect(outcome).to_contain_text("Löst")
    expect(outcome).to_contain_text("Inga nya avvikelser om dag 180")
    expect(page.locator(".comment-list")).to_contain_text(ANSWER)
    walk.check("reporter-told")
    filed.refresh_from_db()
    assert filed.status == Deviation.Status.CLOSED

    assert walk.too_wide == {}
    assert walk.problems == {}
