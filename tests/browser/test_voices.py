"""Issue 20 in a browser at 375 px: the easy-to-read page, the participant's words on the
filing form, and a knot that hits women harder, from the list to the barrier's dossier. Every
page: no serious axe violation, nothing wider than the screen."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from catalogue.models import Municipality
from deviations.models import Deviation, Unit, User
from deviations.services import (
    DeviationInput,
    TagInput,
    deviations_file_many,
    taggings_changed,
)
from tests.browser.conftest import log_in, page_width, screenshot, serious_violations
from tests.browser.test_loop import KNOT, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
PHONE = 375
WORDS = "Jag fick gå mellan tre handläggare och ingen visste vem som hade ansvaret."


class Checks:
    def __init__(self, page: Page, axe_source: str) -> None:
        self.page, self.axe_source = page, axe_source
        self.problems: dict[str, list[str]] = {}
        self.widths: dict[str, int] = {}

    def __call__(self, name: str) -> None:
        screenshot(self.page, f"phone-voices-{name}")
        self.widths[name] = page_width(self.page)
        found = serious_violations(self.page, self.axe_source)
        if found:
            self.problems[name] = found


@pytest.fixture
def unequal(world: dict[str, User]) -> dict[str, User]:  # noqa: F811
    """The knot's 24 deviations three in four women; 40 other deviations of the same days and
    places one in four."""
    knot = list(Deviation.objects.filter(taggings__tag_id="agency:AF").distinct().order_by("pk"))
    for i, deviation in enumerate(knot):
        deviation.gender = "kvinna" if i % 4 else "man"
    Deviation.objects.bulk_update(knot, ["gender"])
    taggings_changed(deviation_ids=[d.pk for d in knot])  # the door every analysis follows
    unit = Unit.objects.get(name="MIA Länet")
    places = list(Municipality.objects.filter(code__in=["0160", "0162", "0136", "0180"]))
    today = timezone.localdate()
    deviations_file_many(
        by=None,
        items=[
            DeviationInput(
                occurred_on=today - timedelta(days=3 * (i % 24) + 1),
                unit=unit,
                municipality=places[i % 4],
                description=f"Övrigt {i}: CSN kräver studieresultat under sjukskrivning.",
                gender="kvinna" if i % 4 == 0 else "man",
                tags=(TagInput(tag_id="agency:CSN"),),
            )
            for i in range(40)
        ],
        tag_origin="import",
        tag_state="confirmed",
    )
    Deviation.objects.update(status=Deviation.Status.TRIAGED)
    return world


def test_voices_and_equality_at_phone_width(
    page: Page,
    unequal: dict[str, User],
    axe_source: str,
) -> None:
    check = Checks(page, axe_source)
    # A participant is handed the easy-to-read page: open to all, printable.
    page.goto("/lattlast/")
    expect(page.get_by_role("heading", name="Vad händer med det du berättar?")).to_be_visible()
    expect(page.get_by_role("button", name="Skriv ut")).to_be_visible()
    check("easy-read")

    # The reporter types the participant's words but forgets the consent: refused, kept.
    log_in(page, "rapportor")
    expect(
        page.get_by_role("link", name="Lättläst: vad händer med det du berättar?")
    ).to_be_visible()
    page.get_by_role("link", name="Ny avvikelse").first.click()
    page.get_by_label("Vad hände?").fill(
        "FK drog in sjukpenningen vid dag 180 och Af kräver inskrivning innan hen är frisk."
    )
    page.get_by_label("Kommun").select_option(label="Täby")
    page.get_by_label("Kategori").select_option(value="work_capacity")
    page.get_by_label("Deltagarens egna ord").fill(WORDS)
    check("filing-form")
    page.get_by_role("button", name="Skicka in avvikelse").click()
    expect(
        page.get_by_text("Deltagarens ord kan sparas bara om hen har samtyckt").first
    ).to_be_visible()
    expect(page.get_by_label("Deltagarens egna ord")).to_have_value(WORDS)
    check("filing-refused")
    page.get_by_label("Deltagaren har samtyckt").check()
    page.get_by_role("button", name="Skicka in avvikelse").click()
    expect(page.get_by_role("heading", name="Avvikelsen är mottagen")).to_be_visible()
    assert Deviation.objects.filter(participant_quote=WORDS, participant_consent=True).exists()

    # The analyst finds the knot among those that hit a group harder, and makes it a barrier.
    page.context.clear_cookies()
    log_in(page, "anna")
    page.goto("/analys/knutar/?min_support=10&equality=on")
    knot = page.locator(".knot").first
    expect(knot).to_contain_text("drabbar kvinnor")
    expect(knot).to_contain_text("jämställdhetsfråga")
    check("knots-equality")
    knot.locator("h2 a").click()
    expect(page.get_by_role("heading", name="Vilka knuten drabbar")).to_be_visible()
    check("knot-equality")
    page.get_by_role("button", name="Skapa systemhinder av knuten").click()
    expect(page.get_by_text("Jämställdhetsfråga").first).to_be_visible()
    check("barrier-equality")
    page.get_by_role("link", name="Underlag (utskriftsvänligt)").click()
    expect(page.get_by_role("heading", name="Vilka hindret drabbar")).to_be_visible()
    expect(page.get_by_text("drabbar kvinnor").first).to_be_visible()
    check("dossier-equality")

    assert {name: w for name, w in check.widths.items() if w > PHONE} == {}
    assert check.problems == {}


def test_a_guldkorn_from_staff_to_the_steering_group_at_phone_width(
    page: Page,
    world: dict[str, User],  # noqa: F811
    axe_source: str,
) -> None:
    from barriers.models import Barrier
    from barriers.services import barrier_create, barrier_escalate, barrier_transition
    from deviations.models import GoodPractice

    check = Checks(page, axe_source)
    analyst = world["analyst"]
    barrier = barrier_create(
        by=analyst,
        title="Sjukpenning och inskrivning vid dag 180",
        tags=list(KNOT),
        deviations=Deviation.objects.filter(taggings__tag_id="agency:AF").distinct(),
    )
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(
        barrier=barrier, group=None, due_on=timezone.localdate() + timedelta(days=7), by=analyst
    )

    # Staff record what worked.
    log_in(page, "rapportor")
    page.get_by_role("link", name="Guldkorn").first.click()
    page.get_by_role("link", name="Rapportera ett guldkorn").click()
    page.get_by_label("I korthet").fill("Gemensamt möte före dag 180")
    page.get_by_label("Vad som gjordes").fill(
        "Försäkringskassan och Arbetsförmedlingen träffade deltagaren tillsammans före "
        "prövningen enligt 27 kap. 48 § SFB och gjorde en gemensam plan."
    )
    page.get_by_label("Vilka som gjorde det").fill("FK:s handläggare, Af och socialtjänsten")
    page.get_by_label("Vad det löste").fill("Sjukpenningen drogs inte in i väntan på inskrivning.")
    page.get_by_label("Kommun").select_option(label="Täby")
    check("practice-form")
    page.get_by_role("button", name="Skicka guldkornet").click()
    expect(page.get_by_text("Ditt guldkorn har registrerats")).to_be_visible()
    check("practice-filed")
    practice = GoodPractice.objects.get()

    # The analyst confirms it with the tagger's suggestions.
    page.context.clear_cookies()
    log_in(page, "anna")
    page.goto("/guldkorn/?status=submitted")
    page.get_by_role("link", name="Gemensamt möte före dag 180").click()
    check("practice-confirm")
    page.get_by_role("button", name="Bekräfta med de här taggarna").click()
    expect(page.get_by_text("Guldkornet är behandlat")).to_be_visible()
    page.goto(f"/systemhinder/{barrier.pk}/")
    expect(page.get_by_role("heading", name="Guldkorn som kan visa vägen")).to_be_visible()
    check("barrier-practice")

    # The steering group decides to spread it.
    page.context.clear_cookies()
    log_in(page, "ledamot")
    page.goto(f"/styrgrupper/{escalation.group.slug}/arende/{escalation.pk}/")
    expect(page.get_by_role("heading", name="Guldkorn som kan visa vägen")).to_be_visible()
    page.get_by_label("Sprid ett guldkorn").check()
    page.get_by_label("Guldkorn att sprida").select_option(value=str(practice.pk))
    page.get_by_label("Åtgärd (när gruppen agerar inom sitt mandat)").fill(
        "Alla team håller gemensamt möte före dag 180."
    )
    page.get_by_label("Vem gör det").fill("Samordningsförbundet")
    today = timezone.localdate()
    page.get_by_label("Åtgärd klar senast").fill((today + timedelta(days=30)).isoformat())
    page.get_by_label("Följ upp effekten").fill((today + timedelta(days=90)).isoformat())
    check("decide-spread")
    page.get_by_role("button", name="Registrera beslut").click()
    expect(page.locator(".messages")).to_contain_text("Beslut registrerat")

    # Its reporter is told.
    page.context.clear_cookies()
    log_in(page, "rapportor")
    page.get_by_role("link", name=re.compile("^Aviseringar")).click()
    expect(page.locator("main")).to_contain_text("beslutade att sprida ditt guldkorn")
    check("reporter-told")
    practice.refresh_from_db()
    assert practice.status == GoodPractice.Status.SPREAD

    assert {name: w for name, w in check.widths.items() if w > PHONE} == {}
    assert check.problems == {}
