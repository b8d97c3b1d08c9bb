"""The audit trail shows who changed what, before and after, to analysts only."""

from collections.abc import Callable
from contextlib import AbstractContextManager

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from barriers.models import Barrier, Decision, Escalation, SteeringGroup
from barriers.services import (
    barrier_create,
    barrier_escalate,
    barrier_transition,
    decision_record,
)
from deviations.models import User
from deviations.triage import TriageDecision, deviation_triage
from tests.barriers.conftest import FileDeviations


def test_analysts_see_changes_with_before_and_after(
    analyst_client: Client, staff_client: Client, analyst: User, file_deviations: FileDeviations
) -> None:
    (deviation,) = file_deviations(1, tags=("agency:FK",))
    deviation.taggings.update(state="suggested")
    deviation_triage(
        deviation=deviation, decision=TriageDecision(confirm=["agency:FK"], done=True), by=analyst
    )
    barrier = barrier_create(by=analyst, title="Glapp", tags=["agency:FK"])
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    page = analyst_client.get(reverse("barriers:audit"))
    assert page.status_code == 200
    entries = page.context["entries"]
    status_changes = [e for e in entries if any(field == "status" for field, _, _ in e.changes)]
    assert {(e.model, e.changes) for e in status_changes} >= {
        ("barrier", (("status", "identified", "analysed"),)),
        ("deviation", (("status", "submitted", "triaged"),)),
    }
    assert all(e.who for e in entries)
    assert "description" not in {f for e in entries for f, _, _ in e.changes}
    assert staff_client.get(reverse("barriers:audit")).status_code == 403


def _escalated_barrier(title: str, analyst: User) -> Escalation:
    barrier = barrier_create(by=analyst, title=title, tags=["agency:FK", "agency:AF"])
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)
    decision_record(
        escalation=escalation, kind=Decision.Kind.REJECT, by=analyst, reason="Utanför mandatet."
    )
    return escalation


def test_escalations_and_decisions_are_named_and_the_page_costs_the_same_for_more(
    analyst_client: Client,
    analyst: User,
    ladder: dict[str, SteeringGroup],
    django_assert_max_num_queries: Callable[..., AbstractContextManager[object]],
) -> None:
    for group in ladder.values():
        group.members.add(analyst)
    escalation = _escalated_barrier("Glapp ett", analyst)
    with CaptureQueriesContext(connection) as one:
        first = analyst_client.get(reverse("barriers:audit"))
    entries = first.context["entries"]
    names = {(e.model, e.object) for e in entries}
    assert ("escalation", f"Glapp ett → {escalation.group}") in names
    assert ("decision", f"Glapp ett → {escalation.group}: Reject") in names
    for number in range(5):
        _escalated_barrier(f"Glapp {number}", analyst)
    with django_assert_max_num_queries(len(one.captured_queries)):
        analyst_client.get(reverse("barriers:audit"))
