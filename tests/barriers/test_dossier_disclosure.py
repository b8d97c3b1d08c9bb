"""What a dossier and the barrier API give away outside the analyst role: protected figures,
evidence lists only from five deviations up, examples only to those who see all the evidence
and never with a possible name in them (docs/privacy.md, “Disclosure control”)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from barriers.dossier import dossier_context, dossier_effect
from barriers.effect import compare_windows
from barriers.models import Barrier, Escalation, SteeringGroup
from barriers.services import (
    barrier_create,
    barrier_create_from_knot,
    barrier_escalate,
    barrier_examples_set,
    barrier_transition,
)
from deviations.models import Deviation, Unit, User
from tests.analytics.attack import shown, worked_out
from tests.barriers.conftest import KNOT_TAGS, FileDeviations, make_knot
from tests.factories import UserFactory

NAMED = "Handläggaren sa att Kalle Andersson fick avslag på sjukpenningen."


def _escalated(analyst: User, deviations: list[Deviation]) -> Escalation:
    barrier = barrier_create(
        by=analyst, title="Dag 180", tags=list(KNOT_TAGS), deviations=deviations
    )
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    return barrier_escalate(
        barrier=barrier, group=None, due_on=timezone.localdate() + timedelta(days=7), by=analyst
    )


def _member(escalation: Escalation) -> User:
    user = UserFactory(username="ledamot", roles=["steering"])
    escalation.group.members.add(user)
    return user


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_steering_members_get_the_evidence_list_only_from_five_deviations(
    ladder: dict[str, SteeringGroup], file_deviations: FileDeviations, analyst: User
) -> None:
    small = _escalated(analyst, file_deviations(4))
    member = _member(small)
    url = reverse("barrier-detail", args=[small.barrier_id])
    held_back = _api(member).get(url).json()
    assert held_back["evidence"] == []
    assert "5" in held_back["evidence_note"]
    assert len(_api(analyst).get(url).json()["evidence"]) == 4  # analysts: always the list
    assert _api(analyst).get(url).json()["evidence_note"] is None
    file_deviations(1)  # its tags make it evidence at once (barriers accrue evidence)
    assert Barrier.objects.get(pk=small.barrier_id).evidence_rows.count() == 5
    listed = _api(member).get(url).json()
    assert len(listed["evidence"]) == 5
    assert listed["evidence_note"] is None


def _dossier_figures(html: str) -> tuple[str, dict[str, list[tuple[str, str]]]]:
    """The dossier's evidence count and its figures' rows, as the page shows them."""
    count = re.search(r"<dt>[^<]*</dt><dd>([^<]*)</dd>", html)
    assert count is not None
    figures = {}
    for caption, body in re.findall(
        r"<figcaption>(.*?)</figcaption>.*?<tbody>(.*?)</tbody>", html, flags=re.S
    ):
        rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", body)
        figures[unescape(caption)] = [(unescape(a), unescape(b)) for a, b in rows]
    return unescape(count[1]), figures


def test_the_dossier_gives_no_hidden_cell_away_by_subtraction(
    ladder: dict[str, SteeringGroup],
    file_deviations: FileDeviations,
    analyst: User,
    client: Client,
) -> None:
    """57 + 48 + 5 + <5 = 111 in small: the figures by municipality and the evidence count."""
    evidence = (
        file_deviations(12, municipality="0160")
        + file_deviations(6, municipality="0162")
        + file_deviations(2, municipality="0160", occurred_on=date(2026, 4, 7))
    )
    Deviation.objects.filter(pk__in=[d.pk for d in evidence[-2:]]).update(gender="man")
    evidence = list(Deviation.objects.filter(pk__in=[d.pk for d in evidence]))
    escalation = _escalated(analyst, evidence)
    member = _member(escalation)
    client.force_login(member)
    html = client.get(reverse("barriers:dossier", args=[escalation.barrier_id])).content
    count, figures = _dossier_figures(html.decode())
    everyone = {d.pk for d in evidence}
    facts = [shown(everyone, count, "evidence")]
    for rows in figures.values():
        for label, text in rows:
            members = {d.pk for d in evidence if label in _labels(d)}
            facts.append(shown(members, text, label))
    assert any(fact.suppressed for fact in facts)
    assert worked_out(facts) == []
    # The member also gets the evidence list through the API (20 ≥ 5): its length is the exact
    # total, and still nothing hidden can be worked out, as the hidden rows trade with the
    # row hidden beside them, not with the total.
    listed = _api(member).get(reverse("barrier-detail", args=[escalation.barrier_id])).json()
    with_list = [*facts, shown(everyone, str(len(listed["evidence"])), "the list", exact=True)]
    assert len(listed["evidence"]) == len(evidence)
    assert worked_out(with_list) == []
    # The same figures exact, as the old "<5" showed them beside exact numbers: worked out.
    exact = [
        shown(f.atoms, "<5" if 0 < len(f.atoms) < 5 else str(len(f.atoms)), f.where, exact=True)
        for f in facts
    ]
    assert {value for _fact, value in worked_out(exact)} == {2}


def _labels(deviation: Deviation) -> set[str]:
    """Every figure row a deviation counts in (municipality, month, gender), in any language."""
    gender = {"kvinna": {"Woman", "Kvinna"}, "man": {"Man"}, "": {"Not stated", "Ej angivet"}}
    return {
        deviation.municipality.name,
        deviation.occurred_on.strftime("%Y-%m"),
        *gender.get(deviation.gender, {deviation.gender}),
    }


@pytest.fixture
def with_examples(
    ladder: dict[str, SteeringGroup],
    file_deviations: FileDeviations,
    analyst: User,
    other_unit_staff: User,
    haninge_unit: Unit,
) -> Escalation:
    """Five deviations from Täby (one naming a person) and one from Haninge, all examples."""
    evidence = file_deviations(5) + file_deviations(
        1, municipality="0136", by=other_unit_staff, unit=haninge_unit
    )
    Deviation.objects.filter(pk=evidence[0].pk).update(description=NAMED)
    escalation = _escalated(analyst, evidence)
    barrier_examples_set(barrier=escalation.barrier, deviations=evidence[:5], by=analyst)
    return escalation


def test_a_possible_name_never_reaches_the_dossier_or_its_pdf(
    with_examples: Escalation, analyst: User, client: Client
) -> None:
    member = _member(with_examples)
    barrier = with_examples.barrier
    url = reverse("barriers:dossier", args=[barrier.pk])
    client.force_login(member)
    seen = client.get(url).content.decode()
    assert "Kalle Andersson" not in seen
    assert seen.count('class="example"') == 4  # the other four examples are quoted
    pdf_html = render_to_string(
        "barriers/dossier_pdf.html", dossier_context(user=member, barrier=barrier)
    )
    assert "Kalle Andersson" not in pdf_html
    client.force_login(analyst)
    own = client.get(url).content.decode()
    assert "Kalle Andersson" not in own
    assert "possible name; edit the deviation to use it" in own  # the analyst sees why
    page = client.get(reverse("barriers:detail", args=[barrier.pk])).content.decode()
    assert page.count("possible name; edit the deviation to use it") == 1  # flagged in the list


def test_staff_of_another_unit_see_the_dossier_without_anyone_s_words(
    with_examples: Escalation, other_unit_staff: User, client: Client
) -> None:
    """The Haninge reporter may follow the barrier their deviation feeds, but not read what
    Täby wrote, nor even their own unit's texts quoted as examples."""
    client.force_login(other_unit_staff)
    page = client.get(reverse("barriers:dossier", args=[with_examples.barrier_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="example"' not in html
    assert "FK drog in sjukpenningen" not in html
    assert page.context["examples"] == []
    assert page.context["examples_withheld"] is True
    stranger = UserFactory(
        username="annan-enhet", roles=["staff"], units=[other_unit_staff.units.get()]
    )
    client.force_login(stranger)  # same unit, no deviation of theirs in it
    assert (
        client.get(reverse("barriers:dossier", args=[with_examples.barrier_id])).status_code == 404
    )


def test_the_effect_of_a_decision_is_told_in_protected_counts() -> None:
    decided = date(2026, 3, 1)
    days = [decided - timedelta(days=i) for i in range(1, 4)]  # three before
    days += [decided + timedelta(days=i % 20) for i in range(12)]  # twelve after
    check = compare_windows(
        days, decided_on=decided, checked_on=date(2026, 3, 31), total_before=98, total_after=103
    )
    with translation.override("en"):
        shown_ = dossier_effect(check, exact=False)
        assert shown_ is not None
        assert (shown_["before"], shown_["after"]) == ("<5", "10")
        assert (shown_["total_before"], shown_["total_after"]) == ("100", "105")
        # No rate, change or p-value is worked out from a count below 5.
        assert shown_["sentence"] == ""
        assert "below 5" in str(shown_["note"])
        exact = dossier_effect(check, exact=True)
        assert exact is not None
        assert (exact["before"], exact["after"]) == ("3", "12")
        assert "30.6 per 1,000 filed before the decision, 116.5 per 1,000 after" in str(
            exact["sentence"]
        )


def test_the_rates_outside_the_analyst_role_come_from_the_rounded_counts() -> None:
    decided = date(2026, 3, 1)
    days = [decided - timedelta(days=1)] * 12 + [decided] * 7  # 12 → 10, 7 → 5
    check = compare_windows(
        days, decided_on=decided, checked_on=date(2026, 3, 31), total_before=998, total_after=1001
    )
    with translation.override("en"):
        shown_ = dossier_effect(check, exact=False)
    assert shown_ is not None
    assert "10.0 per 1,000 filed before the decision, 5.0 per 1,000 after" in str(
        shown_["sentence"]
    )
    assert "12.0" not in str(shown_["sentence"])
    assert "7.0" not in str(shown_["sentence"])
    assert "worked out from the rounded counts" in str(shown_["note"])


def test_a_barrier_from_a_knot_carries_only_protected_figures_to_the_steering_group(
    ladder: dict[str, SteeringGroup], file_deviations: FileDeviations, analyst: User
) -> None:
    barrier = barrier_create_from_knot(knot=make_knot(file_deviations(4)), by=analyst)
    assert "<5 deviations in <5 municipalities (<5 units)" in barrier.description
    assert "4 deviations" not in barrier.description
    assert "(<5 more than chance)" in barrier.description  # 4 − 4/3, from the shown support
