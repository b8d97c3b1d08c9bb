"""Stored routes read as sentences; the admin shows the models and reroutes on group edits."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from barriers.explain import route_details, route_summary
from barriers.models import Barrier, Escalation, MandateLevel, SteeringGroup
from barriers.routing import BarrierScope, GroupData, route
from barriers.services import barrier_create, barrier_escalate, barrier_transition
from deviations.models import User
from tests.barriers.conftest import FileDeviations

Ladder = dict[str, SteeringGroup]


@pytest.mark.django_db
def test_no_body_route_is_explained_with_names() -> None:
    board = GroupData("styrelse-roslagen", "forbund_board", 1, frozenset({"0160"}), frozenset())
    top = GroupData("nationella-radet", "national", 3, frozenset(), frozenset({"AF"}))
    result = route(BarrierScope(frozenset({"0184"}), frozenset({"FK", "FORBUND"}), 3), [board, top])
    stored = result.as_dict()
    summary = route_summary(stored)
    assert summary.startswith("No body with mandate")
    assert "Agency guideline" in summary
    assert "Parties to invite, as they are not members: Försäkringskassan." in summary
    assert "Not counted as parties: Samordningsförbundet" in summary
    lines = route_details(stored)
    assert [line.chosen for line in lines] == [False, True]
    assert "does not cover Solna" in lines[0].text
    assert "its mandate (Local routine) does not reach Agency guideline" in lines[0].text
    assert lines[1].text.startswith("proposed as the top of the ladder")
    assert "none of the parties (Försäkringskassan) is a member" in lines[1].text


def test_the_proposed_group_is_told_whom_to_invite(ladder: Ladder) -> None:
    board = GroupData("styrelse-roslagen", "forbund_board", 1, frozenset({"0160"}), frozenset())
    stored = route(BarrierScope(frozenset({"0160"}), frozenset({"FK", "AF"}), 1), [board]).as_dict()
    assert route_summary(stored) == (
        "Förbundsstyrelsen, Samordningsförbundet Roslagen is the lowest group whose area covers "
        "the barrier's municipalities and whose mandate (Local routine) reaches the level needed "
        "(Local routine). Parties to invite, as they are not members: Arbetsförmedlingen, "
        "Försäkringskassan."
    )
    assert route_details(stored)[0].text == "proposed; invite Arbetsförmedlingen, Försäkringskassan"
    with translation.override("sv"):
        assert "Parter att bjuda in" in route_summary(stored)


@pytest.mark.django_db
def test_an_empty_route_explains_nothing() -> None:
    assert (route_summary({}), route_details({})) == ("", [])


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_admin_pages_list_the_models(
    admin_client: Client, analyst: User, ladder: Ladder, file_deviations: FileDeviations
) -> None:
    barrier = barrier_create(
        by=analyst, title="Hinder", tags=["agency:FK"], deviations=file_deviations(1)
    )
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)
    for name in ("barrier", "steeringgroup", "escalation", "decision"):
        assert admin_client.get(reverse(f"admin:barriers_{name}_changelist")).status_code == 200
    assert (
        admin_client.get(reverse("admin:barriers_barrier_history", args=[barrier.pk])).status_code
        == 200
    )
    assert (
        admin_client.get(
            reverse("admin:barriers_escalation_change", args=[escalation.pk])
        ).status_code
        == 200
    )


def test_changing_a_groups_area_in_the_admin_reroutes(
    admin_client: Client, analyst: User, ladder: Ladder, file_deviations: FileDeviations
) -> None:
    barrier = barrier_create(
        by=analyst, title="Hinder", tags=["agency:AF", "agency:FK"], deviations=file_deviations(1)
    )
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)
    board = ladder["styrelse-roslagen"]
    response = admin_client.post(
        reverse("admin:barriers_steeringgroup_change", args=[board.pk]),
        {
            "slug": board.slug,
            "name": board.name,
            "level": board.level,
            "mandate": MandateLevel.LOCAL_ROUTINE,
            "forbund": board.forbund_id,
            "municipalities": [m.pk for m in board.municipalities.exclude(code="0160")],
            "agencies": [a.pk for a in board.agencies.all()],
            "members": [],
            "verified": "on",
            "source": board.source,
        },
    )
    assert response.status_code == 302
    escalation = Escalation.objects.get(pk=escalation.pk)
    # Täby left the board's area: the regional group with FK covers it and invites AF.
    assert escalation.proposed_group == ladder["region-stockholm-fk-samverkansgrupp"]
    assert escalation.rerouted_at is not None


def _as_typed(group: SteeringGroup, **changes: object) -> dict[str, object]:
    """The group's admin change form as posted, with these fields changed."""
    return {
        "slug": group.slug,
        "name": group.name,
        "level": group.level,
        "mandate": group.mandate,
        "forbund": group.forbund_id or "",
        "municipalities": [m.pk for m in group.municipalities.all()],
        "agencies": [a.pk for a in group.agencies.all()],
        "members": [m.pk for m in group.members.all()],
        "verified": "on" if group.verified else "",
        "source": group.source,
        **changes,
    }


def test_an_admin_mandate_change_goes_through_the_service_and_reroutes(
    admin_client: Client, admin_user: User, analyst: User, ladder: Ladder,
    file_deviations: FileDeviations,
) -> None:  # fmt: skip
    tags = ["agency:AF", "agency:FK"]
    barrier = barrier_create(
        by=analyst, title="Vägledning", tags=tags, mandate_level=MandateLevel.AGENCY_GUIDELINE,
        deviations=file_deviations(1, tags=tags),
    )  # fmt: skip
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)
    council = ladder["nationella-radet"]
    assert escalation.proposed_group == council
    url = reverse("admin:barriers_steeringgroup_change", args=[council.pk])
    unrouted = admin_client.post(url, _as_typed(council, source="Ny källa"))
    assert unrouted.status_code == 302
    escalation.refresh_from_db()
    assert escalation.rerouted_at is None  # nothing that routes changed
    renamed = _as_typed(council, name="Nationella rådet (nytt namn)", source="Ny källa 2")
    renamed["mandate"] = MandateLevel.LOCAL_ROUTINE  # only the mandate: no area, no agencies
    assert admin_client.post(url, renamed).status_code == 302
    council.refresh_from_db()
    assert (council.name, council.mandate, council.source) == (
        "Nationella rådet (nytt namn)",
        MandateLevel.LOCAL_ROUTINE,
        "Ny källa 2",
    )
    assert council.history.first().history_user == admin_user
    escalation.refresh_from_db()
    assert escalation.group == council
    assert escalation.proposed_group == ladder["nsg-fk-af"]
    assert escalation.history.first().history_user == admin_user
