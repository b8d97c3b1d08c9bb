"""Every analyst and steering page fits a 375 px phone: nothing wider than the screen, no axe
violation, and the long lists come in pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from barriers.models import Barrier
from barriers.services import (
    barrier_create,
    barrier_escalate,
    barrier_transition,
    decision_record,
)
from deviations.models import Deviation, User
from tests.browser.conftest import log_in, page_width, screenshot, serious_violations
from tests.browser.test_analysis import analyst_user, corpus  # noqa: F401 - fixtures
from tests.browser.test_loop import KNOT, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
PHONE = 375


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
        widths[name] = page_width(page)
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


def _escalated(world: dict[str, User], title: str) -> Barrier:  # noqa: F811
    """A barrier on the knot's deviations, analysed and before its proposed group."""
    analyst = world["analyst"]
    barrier = barrier_create(
        by=analyst,
        title=title,
        description="Sjukpenningen dras in vid dag 180 medan Af kräver inskrivning.",
        tags=KNOT,
        deviations=Deviation.objects.filter(taggings__tag_id="agency:AF").distinct(),
    )
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    barrier_escalate(
        barrier=barrier,
        group=None,
        due_on=timezone.localdate() + timedelta(days=7),
        by=analyst,
    )
    return barrier


def test_steering_pages_fit_a_phone(
    page: Page,
    world: dict[str, User],  # noqa: F811
    axe_source: str,
) -> None:
    """The steering member's pages with work on them: one barrier waiting for a decision, one
    decided with an action due soon, each with a long unbroken word in its title."""
    today = timezone.localdate()
    waiting = _escalated(world, "Försäkringskassebeslutsunderlagsrutinerna vid dag 180")
    decided = _escalated(world, "Arbetsförmedlingsinskrivningskraven för sjukskrivna")
    decision_record(
        escalation=decided.escalations.get(),
        kind="act",
        by=world["member"],
        text="Vi ändrar rutinen för läkarintyg före dag 180.",
        action="FK och Af stämmer av varje ärende vid dag 170.",
        owner="Samordningsförbundet",
        due_on=today + timedelta(days=5),
        effect_check_on=today + timedelta(days=90),
    )
    escalation = waiting.escalations.get()
    group = escalation.group
    log_in(page, "ledamot")
    widths: dict[str, int] = {}
    problems: dict[str, list[str]] = {}

    def check(name: str) -> None:
        screenshot(page, f"phone-steering-{name}")
        widths[name] = page_width(page)
        found = serious_violations(page, axe_source)
        if found:
            problems[name] = found

    expect(page.locator(".start-panel", has_text="Väntar på din grupps beslut")).to_contain_text(
        waiting.title
    )
    expect(page.locator(".start-panel", has_text="Uppföljningar att göra")).to_contain_text(
        "stämmer av varje ärende"
    )
    check("start")
    page.goto("/styrgrupper/")
    expect(page.get_by_role("link", name=group.name, exact=True)).to_be_visible()
    check("groups")
    page.goto(f"/styrgrupper/{group.slug}/")
    expect(page.get_by_role("link", name="Registrera effekten")).to_be_visible()
    check("inbox")
    page.goto(f"/styrgrupper/{group.slug}/dagordning/")
    expect(page.locator("main")).to_contain_text(waiting.title)
    check("agenda")
    page.goto(f"/styrgrupper/{group.slug}/arende/{escalation.pk}/")
    check("decide")
    page.get_by_role("radio", name="Agera inom vårt mandat").check()
    page.get_by_role("button", name="Registrera beslut").click()
    expect(page.locator("#error-summary")).to_be_visible()  # action, owner and dates missing
    check("decide-refused")
    page.goto(f"/systemhinder/{decided.pk}/")  # a member reads the dossier
    expect(page.locator("main")).to_contain_text("stämmer av varje ärende")
    check("dossier")
    page.goto("/systemhinder/")
    check("barriers")
    page.goto("/konto/aviseringar/")
    expect(page.locator(".notification-list li")).to_have_count(2)  # both arrivals
    check("notifications")
    page.goto("/konto/profil/")
    check("profile")

    page.context.clear_cookies()  # the analyst's page of the decided barrier
    log_in(page, "anna")
    page.goto(f"/systemhinder/{decided.pk}/")
    expect(page.locator("main")).to_contain_text("stämmer av varje ärende")
    check("barrier")
    assert {name: w for name, w in widths.items() if w > PHONE} == {}
    assert problems == {}
