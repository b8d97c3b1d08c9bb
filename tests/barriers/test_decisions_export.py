"""An export of all decisions, per group or for every group a person may see (issue 16)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from barriers.models import Barrier, Decision, SteeringGroup
from barriers.services import (
    barrier_create_from_knot,
    barrier_escalate,
    barrier_transition,
    decision_record,
)
from deviations.models import User
from tests.barriers.conftest import FileDeviations, make_knot
from tests.factories import UserFactory


def _decided(analyst: User, file_deviations: FileDeviations) -> Decision:
    barrier = barrier_create_from_knot(knot=make_knot(file_deviations(2)), by=analyst)
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)
    return decision_record(
        escalation=escalation,
        kind=Decision.Kind.ACT,
        by=analyst,
        action="Gemensam rutin för dag 180",
        owner="Förbundet",
        due_on=timezone.localdate() + timedelta(days=30),
        effect_check_on=timezone.localdate() + timedelta(days=180),
    )


def _rows(response) -> list[list[str]]:  # noqa: ANN001
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_analysts_export_every_decision_and_members_only_their_groups(
    analyst: User,
    file_deviations: FileDeviations,
    ladder: dict[str, SteeringGroup],
    analyst_client: Client,
) -> None:
    decision = _decided(analyst, file_deviations)
    url = reverse("barriers:decisions_export")
    rows = _rows(analyst_client.get(url, {"export": "csv"}))
    assert rows[0][:4] == ["Decided", "Steering group", "Barrier", "Decision"]
    (row,) = rows[1:]
    assert row[1] == decision.escalation.group.name
    assert row[5] == "Gemensam rutin för dag 180"
    assert row[3] == "Act within our mandate"  # the label, never the internal value
    outsider_member = UserFactory(username="annan", roles=["steering"])
    other = next(g for g in ladder.values() if g.pk != decision.escalation.group_id)
    other.members.add(outsider_member)
    client = Client()
    client.force_login(outsider_member)
    assert _rows(client.get(url, {"export": "csv"}))[1:] == []  # not their group's decision
    assert (
        client.get(url, {"export": "csv", "group": decision.escalation.group.slug}).status_code
        == 404
    )
    assert analyst_client.get(url, {"export": "pdf"}).status_code == 400
