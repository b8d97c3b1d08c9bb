"""The audit trail shows who changed what, before and after, to analysts only."""

from django.test import Client
from django.urls import reverse

from barriers.models import Barrier
from barriers.services import barrier_create, barrier_transition
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
