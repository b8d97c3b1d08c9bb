"""The barrier pages, steering inbox, decisions, agenda and dossier, and the reporter's view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from barriers.models import Barrier, Escalation, SteeringGroup
from barriers.services import (
    barrier_create,
    barrier_create_from_knot,
    barrier_escalate,
    barrier_transition,
)
from deviations.models import Deviation, User
from tests.barriers.conftest import KNOT_TAGS, FileDeviations, make_knot
from tests.factories import UserFactory


@pytest.fixture
def escalated(
    ladder: dict[str, SteeringGroup], file_deviations: FileDeviations, analyst: User
) -> Escalation:
    barrier = barrier_create_from_knot(knot=make_knot(file_deviations(4)), by=analyst)
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    return barrier_escalate(
        barrier=barrier, group=None, due_on=timezone.localdate() + timedelta(days=7), by=analyst
    )


@pytest.fixture
def member(escalated: Escalation) -> User:
    user = UserFactory(username="ledamot", roles=["steering"])
    escalated.group.members.add(user)
    return user


def test_analyst_works_on_a_barrier_page(analyst_client: Client, escalated: Escalation) -> None:
    url = reverse("barriers:detail", args=[escalated.barrier_id])
    page = analyst_client.get(url)
    assert page.status_code == 200
    assert escalated.group.name in page.content.decode()
    response = analyst_client.post(
        reverse("barriers:barrier_update", args=[escalated.barrier_id]),
        {"title": "", "mandate_level": "5", "tags": "nope:x", "root_cause": "Två regelverk"},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "tags"}
    assert "Två regelverk" in response.content.decode()  # what was typed is kept
    closing = analyst_client.post(
        reverse("barriers:barrier_transition", args=[escalated.barrier_id]),
        {"status": "closed"},
        follow=True,
    )
    assert [str(m) for m in closing.context["messages"]] == ["Say why the barrier is closed."]
    assert closing.status_code == 400
    assert closing.context["transition_form"].data["status"] == "closed"
    assert Barrier.objects.get(pk=escalated.barrier_id).status == Barrier.Status.ESCALATED


def test_escalating_to_another_group_needs_a_reason(
    analyst_client: Client, ladder: dict[str, SteeringGroup], file_deviations: FileDeviations,
    analyst: User,
) -> None:  # fmt: skip
    barrier = barrier_create_from_knot(knot=make_knot(file_deviations(3)), by=analyst)
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    url = reverse("barriers:barrier_escalate", args=[barrier.pk])
    other = ladder["nns"]
    due = (timezone.localdate() + timedelta(days=9)).isoformat()
    refused = analyst_client.post(url, {"group": other.pk, "due_on": due})
    assert not barrier.escalations.exists()
    assert refused.status_code == 400
    assert refused.context["escalate_form"]["group"].value() == str(other.pk)
    assert f'value="{due}"' in refused.content.decode()  # the date typed is still there
    done = analyst_client.post(url, {"group": other.pk, "override_reason": "NNS driver frågan"})
    assert done["Location"] == reverse("barriers:detail", args=[barrier.pk])
    escalation = barrier.escalations.get()
    assert escalation.group == other
    assert escalation.override_reason == "NNS driver frågan"


def test_member_sees_the_inbox_and_decides(
    client: Client, member: User, escalated: Escalation
) -> None:
    client.force_login(member)
    inbox = client.get(reverse("barriers:inbox", args=[escalated.group.slug]))
    assert inbox.status_code == 200
    assert list(inbox.context["open_items"]) == [escalated]
    url = reverse("barriers:decide", args=[escalated.group.slug, escalated.pk])
    incomplete = client.post(url, {"kind": "reject"})
    assert incomplete.status_code == 400
    assert "reason" in incomplete.context["form"].errors
    done = client.post(url, {"kind": "reject", "reason": "Inte vår fråga"})
    assert done.status_code == 302
    escalated.refresh_from_db()
    assert escalated.status == Escalation.Status.DECIDED
    dossier = client.get(reverse("barriers:dossier", args=[escalated.barrier_id]))
    assert dossier.status_code == 200
    assert "Inte vår fråga" in dossier.content.decode()


def test_agenda_lists_what_is_due_and_downloads(
    client: Client, member: User, escalated: Escalation
) -> None:
    client.force_login(member)
    url = reverse("barriers:agenda", args=[escalated.group.slug])
    meeting = (timezone.localdate() + timedelta(days=10)).isoformat()
    page = client.get(url, {"meeting_on": meeting})
    assert page.context["items"] == [escalated]
    early = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert client.get(url, {"meeting_on": early}).context["items"] == []
    download = client.get(url, {"meeting_on": meeting, "export": "csv"})
    assert escalated.barrier.title in download.content.decode("utf-8-sig")


def test_outsiders_and_other_members_see_nothing(
    client: Client, escalated: Escalation, ladder: dict[str, SteeringGroup]
) -> None:
    stranger = UserFactory(username="annan", roles=["steering"])
    ladder["styrelse-hbs"].members.add(stranger)
    client.force_login(stranger)
    assert client.get(reverse("barriers:inbox", args=[escalated.group.slug])).status_code == 404
    assert client.get(reverse("barriers:dossier", args=[escalated.barrier_id])).status_code == 404
    url = reverse("barriers:decide", args=[escalated.group.slug, escalated.pk])
    assert client.post(url, {"kind": "reject", "reason": "x"}).status_code == 404
    assert client.get(reverse("barriers:detail", args=[escalated.barrier_id])).status_code == 404


def test_reporter_sees_the_outcome_on_the_deviation_page(
    staff_client: Client, member: User, escalated: Escalation
) -> None:
    deviation = escalated.barrier.evidence.first()
    page = staff_client.get(deviation.get_absolute_url())
    text = page.content.decode()
    assert escalated.barrier.title in text
    assert escalated.group.name in text
    mine = staff_client.get(reverse("deviations:mine"))
    assert escalated.barrier.title in mine.content.decode()


def test_barrier_from_the_knots_page(
    analyst_client: Client, file_deviations: FileDeviations
) -> None:
    from analytics.presentation import knot_key

    file_deviations(12, municipality="0160")
    file_deviations(30, tags=("agency:CSN", "law:1999:1395"), municipality="0162")
    query = {"min_support": 5, "forbund": "roslagen"}  # a local view shows local knots
    knots = analyst_client.get(reverse("analytics:knots"), query).context["rows"]
    assert knots
    key = knot_key(knots[0]["knot"].tags)
    url = reverse("barriers:from_knot", args=[key]) + "?min_support=5&forbund=roslagen"
    response = analyst_client.post(url)
    barrier = Barrier.objects.get()
    assert response["Location"] == reverse("barriers:detail", args=[barrier.pk])
    assert barrier.evidence.count() == knots[0]["knot"].support
    again = analyst_client.post(url)
    assert again["Location"] == reverse("barriers:detail", args=[barrier.pk])
    assert Barrier.objects.count() == 1


def test_merge_and_split_from_the_barrier_page(
    analyst_client: Client, ladder: dict[str, SteeringGroup], file_deviations: FileDeviations,
    analyst: User,
) -> None:  # fmt: skip
    first = barrier_create_from_knot(knot=make_knot(file_deviations(4)), by=analyst)
    url = reverse("barriers:detail", args=[first.pk])
    refs = sorted(first.evidence.values_list("reference", flat=True))
    split = analyst_client.post(
        reverse("barriers:barrier_split", args=[first.pk]),
        {"examples": refs[:2], "split_title": "Delproblem"},
    )
    part = Barrier.objects.get(title="Delproblem")
    assert split["Location"] == reverse("barriers:detail", args=[part.pk])
    assert sorted(part.evidence.values_list("reference", flat=True)) == refs[:2]
    assert first.evidence.count() == 2
    merged = analyst_client.post(
        reverse("barriers:barrier_merge", args=[part.pk]),
        {"target": first.pk, "reason": "Samma sak"},
    )
    assert merged["Location"] == url
    part.refresh_from_db()
    assert part.merged_into == first
    assert first.evidence.count() == 4


def test_the_dossier_pdf_is_made_in_a_job_for_the_member_only(
    client: Client, member: User, escalated: Escalation, ladder: dict[str, SteeringGroup]
) -> None:
    client.force_login(member)
    url = reverse("barriers:dossier_pdf", args=[escalated.barrier_id])
    job_page = client.post(url, follow=True)
    job = job_page.context["job"]
    assert (job.kind, job.status, job.created_by) == ("dossier", "succeeded", member)
    assert job.result["pages"] >= 1
    download = client.get(reverse("jobs:output", args=[job.key]))
    assert download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    assert reverse("jobs:output", args=[job.key]) in job_page.content.decode()

    stranger = UserFactory(username="annan", roles=["steering"])
    ladder["styrelse-hbs"].members.add(stranger)
    client.force_login(stranger)
    assert client.post(url).status_code == 404  # no dossier of a barrier you cannot see
    assert client.get(reverse("jobs:output", args=[job.key])).status_code == 404  # nor the file


# --- One URL per action on the barrier page ----------------------------------------------------


@pytest.fixture
def analysed(
    ladder: dict[str, SteeringGroup], file_deviations: FileDeviations, analyst: User
) -> Barrier:
    """An analysed barrier over four of the staff persona's reports, and a duplicate of it."""
    barrier = barrier_create_from_knot(knot=make_knot(file_deviations(4)), by=analyst)
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    barrier_create(by=analyst, title="Dubblett", tags=list(KNOT_TAGS), deviations=[])
    file_deviations(1, tags=("agency:CSN",))  # not evidence: one to add
    return barrier


def _refs(barrier: Barrier) -> list[str]:
    return sorted(barrier.evidence.values_list("reference", flat=True))


# Each action: what an analyst posts, and how to tell it was done.
ACTIONS: dict[str, tuple[Callable[[Barrier], dict[str, Any]], Callable[[Barrier], bool]]] = {
    "barrier_update": (
        lambda b: {"title": "Ny titel", "mandate_level": "1", "tags": "; ".join(b.tags)},
        lambda b: b.title == "Ny titel",
    ),
    "barrier_transition": (
        lambda b: {"status": "identified"},
        lambda b: b.status == Barrier.Status.IDENTIFIED,
    ),
    "barrier_escalate": (lambda b: {}, lambda b: b.escalations.exists()),
    "barrier_merge": (
        lambda b: {"target": Barrier.objects.get(title="Dubblett").pk},
        lambda b: b.merged_into is not None,
    ),
    "barrier_split": (
        lambda b: {"examples": _refs(b)[:1], "split_title": "Del"},
        lambda b: Barrier.objects.filter(title="Del", split_from=b).exists(),
    ),
    "barrier_examples": (
        lambda b: {"examples": _refs(b)[:2]},
        lambda b: b.evidence_rows.filter(is_example=True).count() == 2,
    ),
    "evidence_add": (
        lambda b: {"reference": _outside(b).reference},
        lambda b: b.evidence.count() == 5,
    ),
    "evidence_remove": (lambda b: {"examples": _refs(b)[:1]}, lambda b: b.evidence.count() == 3),
}


def _outside(barrier: Barrier) -> Deviation:
    """The one deviation filed that is not evidence of the barrier."""
    return Deviation.objects.exclude(pk__in=barrier.evidence.values("pk")).get()


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_has_its_own_url_for_analysts_only(
    action: str, client: Client, analysed: Barrier, staff: User, other_unit_staff: User,
    analyst: User,
) -> None:  # fmt: skip
    data, done = ACTIONS[action]
    url = reverse(f"barriers:{action}", args=[analysed.pk])
    assert url.startswith(reverse("barriers:detail", args=[analysed.pk]))
    assert client.post(url, data(analysed))["Location"].startswith(reverse("login"))
    client.force_login(staff)  # sees the barrier (their reports are its evidence), may not act
    assert client.post(url, data(analysed)).status_code == 403
    client.force_login(other_unit_staff)  # does not even see it
    assert client.post(url, data(analysed)).status_code == 404
    analysed.refresh_from_db()
    assert not done(analysed)
    client.force_login(analyst)
    assert client.get(url).status_code == 405  # POST only
    response = client.post(url, data(analysed), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][1] == 302
    assert response.context["messages"]
    analysed.refresh_from_db()
    assert done(analysed)


def test_the_barrier_page_itself_only_shows(analyst_client: Client, analysed: Barrier) -> None:
    url = reverse("barriers:detail", args=[analysed.pk])
    page = analyst_client.get(url).content.decode()
    for action in ACTIONS:
        assert f'"{reverse(f"barriers:{action}", args=[analysed.pk])}"' in page
    assert 'name="action"' not in page
    assert analyst_client.post(url, {"action": "update", "title": "x"}).status_code == 405


def test_a_merge_target_that_is_no_number_is_a_form_error(
    analyst_client: Client, analysed: Barrier
) -> None:
    url = reverse("barriers:barrier_merge", args=[analysed.pk])
    for target in ("abc", "", "9" * 40, "1.5", str(analysed.pk + 1000)):
        response = analyst_client.post(url, {"target": target, "reason": "Samma sak i grunden"})
        assert response.status_code == 400, target
        assert response.context["merge_form"].errors["target"] == [
            "Choose the barrier to merge into."
        ]
        assert "Samma sak i grunden" in response.content.decode()
    analysed.refresh_from_db()
    assert analysed.merged_into is None
    itself = analyst_client.post(url, {"target": analysed.pk, "reason": "Oj"})
    assert itself.status_code == 400  # the service refuses; the page says why, input kept
    assert [str(m) for m in itself.context["messages"]] == [
        "A barrier cannot be merged into itself."
    ]
    assert itself.context["merge_form"]["reason"].value() == "Oj"


def test_a_split_title_longer_than_a_title_is_a_form_error(
    analyst_client: Client, analysed: Barrier
) -> None:
    refs = _refs(analysed)
    title = "Delproblem " + "x" * 300
    response = analyst_client.post(
        reverse("barriers:barrier_split", args=[analysed.pk]),
        {"examples": refs[:2], "split_title": title},
    )
    assert response.status_code == 400
    assert "split_title" in response.context["split_form"].errors
    page = response.content.decode()
    assert title in page  # what was typed, and what was ticked, are kept
    assert response.context["chosen_examples"] == refs[:2]
    assert page.count(" checked>") == 2
    assert Barrier.objects.count() == 2
    assert analysed.evidence.count() == 4


def test_a_refused_split_or_examples_keep_the_ticks(
    analyst_client: Client, analysed: Barrier
) -> None:
    refs = _refs(analysed)
    every = analyst_client.post(
        reverse("barriers:barrier_split", args=[analysed.pk]),
        {"examples": refs, "split_title": "Allt"},
    )
    assert every.status_code == 400
    assert [str(m) for m in every.context["messages"]] == [
        "At least one deviation must stay with the original barrier."
    ]
    assert every.context["chosen_examples"] == refs
    assert 'value="Allt"' in every.content.decode()
    untitled = analyst_client.post(
        reverse("barriers:barrier_split", args=[analysed.pk]), {"examples": refs[:1]}
    )
    part = Barrier.objects.get(split_from=analysed)
    assert untitled["Location"] == reverse("barriers:detail", args=[part.pk])
    assert part.title == f"Part of “{analysed.title}”"


# --- Evidence by hand and withdrawing an escalation --------------------------------------------


def test_a_deviation_is_added_as_evidence_by_its_reference(
    analyst_client: Client, analysed: Barrier, analyst: User
) -> None:
    url = reverse("barriers:evidence_add", args=[analysed.pk])
    outside = _outside(analysed)
    for typed, error in (
        ("AV-1999-99999", "No deviation has this reference."),
        ("", "Write the reference of the deviation to add."),
        ("x" * 40, "Ensure this value has at most 16 characters (it has 40)."),
        (_refs(analysed)[0], "This deviation is already evidence of the barrier."),
    ):
        refused = analyst_client.post(url, {"reference": typed})
        assert refused.status_code == 400, typed
        assert refused.context["evidence_add_form"].errors["reference"] == [error]
        assert refused.context["evidence_add_form"]["reference"].value() == typed
    assert 'value="AV-1999-99999"' not in refused.content.decode()  # the last one typed is shown
    assert f'value="{_refs(analysed)[0]}"' in refused.content.decode()
    assert analysed.evidence.count() == 4
    added = analyst_client.post(url, {"reference": f" {outside.reference.lower()} "}, follow=True)
    assert [str(m) for m in added.context["messages"]] == [
        f"{outside.reference} was added to the evidence."
    ]
    assert outside in analysed.evidence.all()
    outside.refresh_from_db()
    assert outside.status == Deviation.Status.LINKED
    row = analysed.evidence_rows.get(deviation=outside)
    assert (row.how, row.added_by) == ("manual", analyst)


def test_ticked_evidence_is_removed_with_the_evidence_forms_second_button(
    analyst_client: Client, analysed: Barrier
) -> None:
    refs = _refs(analysed)
    page = analyst_client.get(reverse("barriers:detail", args=[analysed.pk])).content.decode()
    url = reverse("barriers:evidence_remove", args=[analysed.pk])
    assert f'formaction="{url}"' in page
    nothing = analyst_client.post(url, {"split_title": "Skrivet"})
    assert nothing.status_code == 400
    assert nothing.context["split_form"].errors["examples"] == [
        "Tick the deviations to take out of the evidence."
    ]
    assert 'value="Skrivet"' in nothing.content.decode()
    removed = analyst_client.post(url, {"examples": refs[:2]}, follow=True)
    assert [str(m) for m in removed.context["messages"]] == [
        "2 deviations were taken out of the evidence."
    ]
    assert _refs(analysed) == refs[2:]
    statuses = Deviation.objects.filter(reference__in=refs[:2]).values_list("status", flat=True)
    assert set(statuses) == {Deviation.Status.TRIAGED}  # linked nowhere else any more


def test_evidence_of_a_closed_barrier_stays_as_it_is(
    analyst_client: Client, analysed: Barrier, analyst: User
) -> None:
    barrier_transition(barrier=analysed, status=Barrier.Status.CLOSED, by=analyst, reason="Klar")
    refs = _refs(analysed)
    add = analyst_client.post(
        reverse("barriers:evidence_add", args=[analysed.pk]),
        {"reference": _outside(analysed).reference},
    )
    remove = analyst_client.post(
        reverse("barriers:evidence_remove", args=[analysed.pk]), {"examples": refs[:1]}
    )
    for refused in (add, remove):
        assert refused.status_code == 400
        assert [str(m) for m in refused.context["messages"]] == [
            "This barrier is closed; reopen it first."
        ]
    assert add.context["evidence_add_form"]["reference"].value() == _outside(analysed).reference
    assert remove.context["chosen_examples"] == refs[:1]
    assert _refs(analysed) == refs


def test_an_analyst_withdraws_the_open_escalation_with_a_reason(
    analyst_client: Client, escalated: Escalation
) -> None:
    barrier = escalated.barrier
    url = reverse("barriers:escalation_withdraw", args=[barrier.pk, escalated.pk])
    page = analyst_client.get(reverse("barriers:detail", args=[barrier.pk])).content.decode()
    assert f'action="{url}"' in page
    assert f"Withdraw the escalation to {escalated.group.name}" in page
    for blank in ("", "   "):
        refused = analyst_client.post(url, {"reason": blank})
        assert refused.status_code == 400
        assert refused.context["withdraw_form"].errors["reason"] == [
            "Say why the escalation is withdrawn."
        ]
    escalated.refresh_from_db()
    assert escalated.status == Escalation.Status.OPEN
    done = analyst_client.post(url, {"reason": "Fel styrgrupp"}, follow=True)
    assert done.redirect_chain == [(reverse("barriers:detail", args=[barrier.pk]), 302)]
    assert [str(m) for m in done.context["messages"]] == [
        f"The escalation to {escalated.group.name} was withdrawn."
    ]
    escalated.refresh_from_db()
    barrier.refresh_from_db()
    assert (escalated.status, escalated.withdrawn_reason) == ("withdrawn", "Fel styrgrupp")
    assert barrier.status == Barrier.Status.ANALYSED
    assert f'action="{url}"' not in done.content.decode()  # nothing open to withdraw
    again = analyst_client.post(url, {"reason": "En gång till"})
    assert again.status_code == 400
    assert [str(m) for m in again.context["messages"]] == [
        "Only an open escalation can be withdrawn."
    ]
    assert "En gång till" in again.content.decode()  # the reason typed is still there
    escalated.refresh_from_db()
    assert escalated.withdrawn_reason == "Fel styrgrupp"


def test_only_analysts_withdraw_an_escalation(
    client: Client, escalated: Escalation, member: User, staff: User, other_unit_staff: User,
    analyst: User,
) -> None:  # fmt: skip
    url = reverse("barriers:escalation_withdraw", args=[escalated.barrier_id, escalated.pk])
    data = {"reason": "Fel styrgrupp"}
    assert client.post(url, data)["Location"].startswith(reverse("login"))
    for user, status in ((staff, 403), (member, 403), (other_unit_staff, 404)):
        client.force_login(user)
        assert client.post(url, data).status_code == status, user.username
    client.force_login(analyst)
    assert client.get(url).status_code == 405
    other = barrier_create(by=analyst, title="Annat", tags=["agency:CSN"], deviations=[])
    elsewhere = reverse("barriers:escalation_withdraw", args=[other.pk, escalated.pk])
    assert client.post(elsewhere, data).status_code == 404  # not this barrier's escalation
    escalated.refresh_from_db()
    assert escalated.status == Escalation.Status.OPEN


def test_the_new_actions_read_in_swedish(analyst_client: Client, escalated: Escalation) -> None:
    url = reverse("barriers:detail", args=[escalated.barrier_id])
    page = analyst_client.get(url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    for label in (
        f"Dra tillbaka eskaleringen till {escalated.group.name}",
        "Varför dras eskaleringen tillbaka?",
        "Lägg till avvikelsen i underlaget",
        "Avvikelsens referens",
        "Ta bort de ikryssade ur underlaget",
    ):
        assert label in page
