"""The effect check: the barrier's deviations per 1,000 filed in the deciding group's area,
before and after a decision to act, with its interval and test."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from barriers.dossier import dossier_effect, effect_sentence
from barriers.effect import barrier_effect, compare_windows, rate_effect
from barriers.models import Barrier, Decision, MandateLevel, SteeringGroup
from barriers.services import (
    barrier_create_from_knot,
    barrier_escalate,
    barrier_transition,
    decision_record,
)
from deviations.models import Unit, User
from tests.barriers.conftest import FileDeviations, make_knot
from tests.factories import UserFactory


def test_equal_windows_before_and_after() -> None:
    decided = date(2026, 3, 1)
    dates = [
        date(2026, 1, 28),  # before the window (31 days before the decision)
        date(2026, 1, 29),
        date(2026, 2, 10),
        date(2026, 2, 28),
        date(2026, 3, 1),  # the decision day counts as after
        date(2026, 4, 1),  # after the check
    ]
    check = compare_windows(
        dates,
        decided_on=decided,
        checked_on=date(2026, 3, 31),
        total_before=100,
        total_after=200,
    )
    assert (check.window_days, check.before, check.after) == (31, 3, 1)
    assert check.monthly == (("2026-01", 1), ("2026-02", 2), ("2026-03", 1))
    rates = check.rates
    assert (rates.total_before, rates.total_after) == (100, 200)
    assert rates.rate_before == pytest.approx(30.0)  # 3 of 100 → 30 per 1,000
    assert rates.rate_after == pytest.approx(5.0)  # 1 of 200
    assert rates.change == pytest.approx(5 / 30 - 1)
    # Given 4 matching, the after-count is Binomial(4, 2/3) if the share held:
    # P(X ≤ 1) = (1/3)^4 + 4 (2/3)(1/3)^3 = 9/81, two-sided 2/9.
    assert rates.p_value == pytest.approx(2 / 9)
    assert not rates.significant
    # Clopper–Pearson, 1 of 4: the share's lower end is 1 − 0.975^(1/4); as a rate ratio
    # times the odds of the totals (100/200).
    share_low = 1 - 0.975**0.25
    assert rates.change_low == pytest.approx(share_low / (1 - share_low) * 0.5 - 1)
    assert rates.change_high is not None
    assert rates.change_high > 0


def test_the_rate_adjusts_for_the_volume_filed() -> None:
    """Half the matching deviations, but half as many filed at all: no change in the rate."""
    rates = rate_effect(before=40, after=20, total_before=2000, total_after=1000)
    assert rates.rate_before == rates.rate_after == pytest.approx(20.0)
    assert rates.change == pytest.approx(0.0)
    assert rates.p_value == pytest.approx(1.0)
    assert not rates.fell
    assert not rates.significant


@pytest.mark.parametrize(
    ("before", "after", "fell", "rose", "significant"),
    [
        (30, 10, True, False, True),  # a fall larger than chance
        (10, 30, False, True, True),  # a rise larger than chance
        (12, 6, True, False, False),  # halved, but 18 in all can be chance
    ],
)
def test_significance_in_both_directions(
    before: int, after: int, fell: bool, rose: bool, significant: bool
) -> None:
    rates = rate_effect(before=before, after=after, total_before=1000, total_after=1000)
    assert (rates.fell, rates.rose, rates.significant) == (fell, rose, significant)
    assert rates.change_low is not None
    assert rates.change_high is not None
    # The 95 % interval excludes "no change" exactly when the test says more than chance.
    assert (rates.change_high < 0 or rates.change_low > 0) == significant
    assert rates.change_low < rates.change < rates.change_high


def test_no_matching_deviations_before_means_no_relative_change() -> None:
    rates = rate_effect(before=0, after=5, total_before=100, total_after=100)
    assert (rates.change, rates.change_low, rates.change_high) == (None, None, None)
    assert rates.rose
    assert rates.p_value == pytest.approx(2 * 0.5**5)


def test_the_sentence_in_swedish() -> None:
    rates = rate_effect(before=124, after=61, total_before=10_000, total_after=10_000)
    with translation.override("sv"):
        text = effect_sentence(rates, area="i området för Styrelsen (Täby)")
    assert text.startswith(
        "Avvikelser som gäller hindret i området för Styrelsen (Täby): 12,4 per 1\u00a0000 "
        "inlämnade före beslutet, 6,1 per 1\u00a0000 efter (\u221251\u00a0%, 95\u00a0% KI "
        "\u221264\u00a0% till \u221233\u00a0%); minskningen är större än slumpen (p < 0,001)."
    ), text
    chance = rate_effect(before=12, after=6, total_before=1000, total_after=1000)
    with translation.override("sv"):
        assert "förändringen kan vara slumpen (p = 0,238)" in effect_sentence(chance, area="")


@pytest.fixture
def acted(
    analyst: User, ladder: dict[str, SteeringGroup], file_deviations: FileDeviations
) -> Barrier:
    """A barrier with six deviations in Täby a month before today's decision to act, taken by
    Roslagen's förbund board (Täby is in its area, Haninge is not)."""
    today = timezone.localdate()
    deviations = file_deviations(6, occurred_on=today - timedelta(days=30))
    file_deviations(4, occurred_on=today - timedelta(days=30), tags=["agency:FK"])  # filed too
    barrier = barrier_create_from_knot(knot=make_knot(deviations), by=analyst)
    # The knot names a law; here the fix is a local routine, within the förbund board's mandate.
    Barrier.objects.filter(pk=barrier.pk).update(mandate_level=MandateLevel.LOCAL_ROUTINE)
    barrier.refresh_from_db()
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(
        barrier=barrier,
        group=ladder["styrelse-roslagen"],
        due_on=None,
        by=analyst,
        override_reason="Förbundet kan ändra sin egen rutin.",
    )
    decision_record(
        escalation=escalation,
        kind=Decision.Kind.ACT,
        by=analyst,
        action="Skrivelse",
        owner="Förbundet",
        due_on=today + timedelta(days=30),
        effect_check_on=today + timedelta(days=90),
    )
    return barrier


def test_effect_is_counted_in_the_deciding_groups_area(
    acted: Barrier, file_deviations: FileDeviations, other_unit_staff: User, haninge_unit: Unit
) -> None:
    today = timezone.localdate()
    later = today + timedelta(days=10)
    file_deviations(1, occurred_on=later)
    file_deviations(9, occurred_on=later, tags=["agency:FK"])  # not the knot, but filed
    haninge = {"municipality": "0136", "by": other_unit_staff, "unit": haninge_unit}
    file_deviations(5, occurred_on=later, **haninge)  # Haninge: outside the area
    file_deviations(7, occurred_on=later, tags=["agency:FK"], **haninge)
    assert barrier_effect(barrier=acted, today=today + timedelta(days=89)) is None
    check = barrier_effect(barrier=acted, today=today + timedelta(days=90))
    assert check is not None
    assert (check.decided_on, check.before, check.after) == (today, 6, 1)
    assert (check.total_before, check.total_after) == (10, 10)
    assert check.group == "Förbundsstyrelsen, Samordningsförbundet Roslagen"
    assert "Täby" in check.area
    assert "Haninge" not in check.area
    assert check.rates.rate_before == pytest.approx(600.0)
    assert check.rates.rate_after == pytest.approx(100.0)


def test_a_group_without_an_area_is_measured_on_every_deviation() -> None:
    check = compare_windows(
        [],
        decided_on=date(2026, 3, 1),
        checked_on=date(2026, 3, 2),
        total_before=0,
        total_after=0,
        group="Riksdagen",
    )
    with translation.override("en"):
        shown = dossier_effect(check, exact=True)
    assert shown is not None
    assert "no rate to compare" in str(shown["sentence"])
    assert "among all deviations (Riksdagen has no area of its own)" in str(shown["sentence"])


def test_the_effect_on_the_pages(
    acted: Barrier, file_deviations: FileDeviations, analyst: User, client
) -> None:
    today = timezone.localdate()
    file_deviations(1, occurred_on=today - timedelta(days=5))
    file_deviations(9, occurred_on=today - timedelta(days=5), tags=["agency:FK"])
    member = UserFactory(username="ledamot", roles=["steering"])
    acted.escalations.get().group.members.add(member)
    # Decided 20 days ago and checked today: 21 days after, the 21 before hold the first ten.
    Decision.objects.filter(escalation__barrier=acted).update(
        decided_at=timezone.now() - timedelta(days=20), effect_check_on=today
    )
    client.force_login(analyst)
    page = client.get(reverse("barriers:detail", args=[acted.pk])).content.decode()
    assert "Effect of the decision" in page
    assert "600.0 per 1,000 filed before the decision, 100.0 per 1,000 after" in page
    assert "Counted: 6 of 10 deviations filed in the 21 days before" in page
    assert "concern the barrier, 1 of 10 after it." in page
    client.force_login(member)
    dossier = client.get(reverse("barriers:dossier", args=[acted.pk])).content.decode()
    assert "Effect of the decision" in dossier
    # A count of 1 is never shown to a steering member, and no rate is worked out from it.
    assert "Counted: 5 of 10 deviations filed in the 21 days before" in dossier
    assert "concern the barrier, &lt;5 of 10 after it." in dossier
    assert "per 1,000 filed before" not in dossier
    assert "rates and the test are not shown" in dossier


def test_a_recurring_barrier_says_so_on_its_page_the_list_and_the_dossier(
    acted: Barrier, analyst: User, client
) -> None:
    pages = {
        "page": reverse("barriers:detail", args=[acted.pk]),
        "list": reverse("barriers:list"),
        "dossier": reverse("barriers:dossier", args=[acted.pk]),
    }
    client.force_login(analyst)
    for url in pages.values():
        assert "Recurred after the decision" not in client.get(url).content.decode()
    Barrier.objects.filter(pk=acted.pk).update(
        status=Barrier.Status.RESOLVED, recurring=True, recurring_since=timezone.now()
    )
    since = timezone.localdate().isoformat()
    for name, url in pages.items():
        html = client.get(url).content.decode()
        assert "Recurred after the decision" in html, name
        if name != "list":
            assert f"new deviations since {since}" in html, name
