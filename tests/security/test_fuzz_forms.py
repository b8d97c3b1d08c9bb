"""Hostile and random input to every form: never a 500, never a script that runs.

Values: very long strings, control characters, HTML and SQL fragments, wrong types, and random
text from hypothesis. Each form is posted as a logged-in user allowed to use it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barriers.catalogue import steering_groups_load
from barriers.models import Barrier
from barriers.services import barrier_create, barrier_escalate, barrier_transition
from deviations.models import Deviation, Unit, User
from tests.factories import DeviationFactory

SCRIPT = "<script>alert('x')</script>"
HOSTILE = [
    "",
    " ",
    "x" * 100_000,
    "\x00\x01\x02\x1b[31m",
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE deviations_deviation; --",
    "1 OR 1=1",
    "-1",
    "9" * 40,
    "2026-02-30",
    "../../etc/passwd",
    "😀" * 50,
    "null",
    "[]",
]
TEXT = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300))


@pytest.fixture(autouse=True)
def _catalogue(committed_catalogue: None) -> None:
    """Requests commit here, as in production (see tests/conftest.py)."""


@pytest.fixture
def forms(staff: User, analyst: User, steering_member: User, taby_unit: Unit) -> dict[str, Any]:
    """Each form: who may post it, where, and which fields it has."""
    steering_groups_load()
    deviation = DeviationFactory(unit=taby_unit, reporter=staff)
    barrier = barrier_create(by=analyst, title="B", tags=["agency:FK"], deviations=[deviation])
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(
        barrier=barrier, group=None, due_on=timezone.localdate() + timedelta(days=2), by=analyst
    )
    escalation.group.members.add(steering_member)
    return {
        "filing": (
            staff,
            reverse("deviations:create"),
            ["description", "occurred_on", "unit", "municipality", "category", "consequence",
             "severity", "gender", "age_band", "tags", "tags_edited", "names_confirmed", "action"],
        ),
        "autosave": (staff, reverse("deviations:draft_autosave"), ["description", "draft", "tags"]),
        "triage": (
            analyst,
            reverse("triage:deviation", args=[deviation.reference]),
            ["tag:agency:FK", "add", "duplicate_of", "duplicate_other", "action"],
        ),
        "bulk": (analyst, reverse("triage:bulk"), ["deviations", "action"]),
        "barrier_update": (
            analyst,
            reverse("barriers:barrier_update", args=[barrier.pk]),
            ["title", "description", "root_cause", "proposed_change", "mandate_level", "tags"],
        ),
        "barrier_transition": (
            analyst,
            reverse("barriers:barrier_transition", args=[barrier.pk]),
            ["status", "reason"],
        ),
        "barrier_escalate": (
            analyst,
            reverse("barriers:barrier_escalate", args=[barrier.pk]),
            ["group", "due_on", "override_reason"],
        ),
        "barrier_merge": (
            analyst, reverse("barriers:barrier_merge", args=[barrier.pk]), ["target", "reason"],
        ),
        "barrier_split": (
            analyst,
            reverse("barriers:barrier_split", args=[barrier.pk]),
            ["examples", "split_title"],
        ),
        "barrier_examples": (
            analyst, reverse("barriers:barrier_examples", args=[barrier.pk]), ["examples"],
        ),
        "evidence_add": (
            analyst, reverse("barriers:evidence_add", args=[barrier.pk]), ["reference"],
        ),
        "evidence_remove": (
            analyst,
            reverse("barriers:evidence_remove", args=[barrier.pk]),
            ["examples", "split_title"],
        ),
        "escalation_withdraw": (
            analyst,
            reverse("barriers:escalation_withdraw", args=[barrier.pk, escalation.pk]),
            ["reason"],
        ),
        "new_barrier": (analyst, reverse("barriers:create"), ["title", "mandate_level", "tags"]),
        "decision": (
            steering_member,
            reverse("barriers:decide", args=[escalation.group.slug, escalation.pk]),
            ["kind", "text", "action", "owner", "due_on", "effect_check_on", "reason",
             "effect_evaluation"],
        ),
        "login": (None, reverse("login"), ["username", "password"]),
    }  # fmt: skip


@pytest.mark.parametrize(
    "name",
    [
        "filing",
        "autosave",
        "triage",
        "bulk",
        "barrier_update",
        "barrier_transition",
        "barrier_escalate",
        "barrier_merge",
        "barrier_split",
        "barrier_examples",
        "evidence_add",
        "evidence_remove",
        "escalation_withdraw",
        "new_barrier",
        "decision",
        "login",
    ],
)
def test_hostile_values_never_break_a_form(name: str, forms: dict[str, Any]) -> None:
    user, url, fields = forms[name]
    client = Client()
    if user is not None:
        client.force_login(user)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.fixed_dictionaries(dict.fromkeys(fields, TEXT)))
    def post(data: dict[str, str]) -> None:
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)
        assert SCRIPT not in response.content.decode("utf-8", "replace")

    post()


def test_no_stored_value_renders_as_markup(staff: User, taby_unit: Unit, analyst: User) -> None:
    deviation = DeviationFactory(unit=taby_unit, reporter=staff, description=SCRIPT * 3)
    client = Client()
    client.force_login(analyst)
    for url in (
        deviation.get_absolute_url(),
        reverse("triage:deviation", args=[deviation.reference]),
        reverse("deviations:list"),
    ):
        page = client.get(url).content.decode()
        assert SCRIPT not in page
    assert Deviation.objects.get(pk=deviation.pk).description == SCRIPT * 3
