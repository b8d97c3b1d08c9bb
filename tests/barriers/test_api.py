"""Barriers, escalations, decisions and steering groups through the API, per role."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from barriers.models import Barrier, Escalation, SteeringGroup
from barriers.services import barrier_create_from_knot, barrier_escalate, barrier_transition
from deviations.models import User
from tests.barriers.conftest import FileDeviations, make_knot
from tests.factories import UserFactory


def _client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_analyst_creates_escalates_and_a_member_decides(
    ladder: dict[str, SteeringGroup], file_deviations: FileDeviations, analyst: User
) -> None:
    api = _client(analyst)
    barrier = barrier_create_from_knot(knot=make_knot(file_deviations(3)), by=analyst)
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    route = api.get(f"/api/v1/barriers/{barrier.pk}/route/").json()
    assert route["group"]
    assert route["reason"]
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    escalated = api.post(f"/api/v1/barriers/{barrier.pk}/escalate/", {"due_on": due}, format="json")
    assert escalated.status_code == 201
    escalation = Escalation.objects.get()
    member = UserFactory(roles=["steering"])
    escalation.group.members.add(member)
    steering = _client(member)
    assert [e["id"] for e in steering.get("/api/v1/escalations/").json()["results"]] == [
        escalation.pk
    ]
    bad = steering.post(
        f"/api/v1/escalations/{escalation.pk}/decide/", {"kind": "forward"}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "decision_incomplete"
    ok = steering.post(
        f"/api/v1/escalations/{escalation.pk}/decide/",
        {"kind": "forward", "reason": "Kräver lagändring"},
        format="json",
    )
    assert ok.status_code == 409  # a law-level barrier already sits at the top of the ladder
    assert ok.json()["code"] == "nowhere_to_forward"
    ok = steering.post(
        f"/api/v1/escalations/{escalation.pk}/decide/",
        {"kind": "reject", "reason": "Inte vårt bord"},
        format="json",
    )
    assert ok.status_code == 201
    detail = steering.get(f"/api/v1/barriers/{barrier.pk}/").json()
    assert detail["evidence"] == []  # three deviations: below five, no list (docs/privacy.md)
    assert detail["evidence_note"]


def test_roles_see_and_write_only_what_they_may(
    ladder: dict[str, SteeringGroup], file_deviations: FileDeviations, analyst: User, staff: User
) -> None:
    barrier = barrier_create_from_knot(knot=make_knot(file_deviations(2)), by=analyst)
    outsider = _client(UserFactory(roles=["steering"]))
    assert outsider.get("/api/v1/barriers/").json()["results"] == []
    assert outsider.get(f"/api/v1/barriers/{barrier.pk}/").status_code == 404
    reporter = _client(staff)
    assert [b["id"] for b in reporter.get("/api/v1/barriers/").json()["results"]] == [barrier.pk]
    refused = reporter.post("/api/v1/barriers/", {"title": "Eget"}, format="json")
    assert refused.status_code == 403
    created = _client(analyst).post(
        "/api/v1/barriers/",
        {"title": "Glapp", "mandate_level": "lag", "tags": ["prov:2010:110#K27P48"]},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["mandate_level"] == "lag"
    bad = _client(analyst).post(
        "/api/v1/barriers/", {"title": "X", "mandate_level": "kung"}, format="json"
    )
    assert bad.status_code == 400
    groups = _client(analyst).get("/api/v1/steering-groups/").json()["results"]
    assert len(groups) == len(ladder)  # every county's and the nation's
    county = {group["slug"]: group["county"] for group in groups}
    assert (county["skane-centralt-samverkansorgan"], county["storsthlm-vis"]) == ("12", "01")
    assert county["riksdagen"] == ""


def test_an_analyst_withdraws_an_open_escalation_with_a_reason(
    ladder: dict[str, SteeringGroup], file_deviations: FileDeviations, analyst: User,
    staff: User, other_unit_staff: User,
) -> None:  # fmt: skip
    barrier = barrier_create_from_knot(knot=make_knot(file_deviations(2)), by=analyst)
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(barrier=barrier, group=None, due_on=None, by=analyst)
    member = UserFactory(roles=["steering"])
    escalation.group.members.add(member)
    url = f"/api/v1/escalations/{escalation.pk}/withdraw/"
    for user in (staff, other_unit_staff, member):
        refused = _client(user).post(url, {"reason": "Fel grupp"}, format="json")
        assert refused.status_code == 403, user.username
    api = _client(analyst)
    for body in ({}, {"reason": "  "}):
        blank = api.post(url, body, format="json")
        assert blank.status_code == 400
        assert (blank.json()["code"], blank.json()["detail"]) == (
            "reason_required",
            "Say why the escalation is withdrawn.",
        )
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.OPEN
    done = api.post(url, {"reason": "Fel grupp"}, format="json")
    assert done.status_code == 200
    assert (done.json()["id"], done.json()["status"]) == (escalation.pk, "withdrawn")
    barrier.refresh_from_db()
    assert barrier.status == Barrier.Status.ANALYSED
    again = api.post(url, {"reason": "Igen"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "escalation_closed"
    assert again.json()["detail"] == "Only an open escalation can be withdrawn."
    assert api.post("/api/v1/escalations/999999/withdraw/", {"reason": "x"}).status_code == 404
