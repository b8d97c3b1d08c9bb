"""Notifications inside the tool, e-mail as each person chooses, and the profile (issue 16)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from barriers.catalogue import steering_groups_load
from barriers.models import Barrier, SteeringGroup
from barriers.services import barrier_create_from_knot, barrier_escalate, barrier_transition
from core.models import Notification, NotificationPreference
from core.start import nav_counts_forget
from deviations.models import User
from tests.barriers.conftest import make_knot
from tests.factories import DeviationFactory, UserFactory


@pytest.fixture
def escalated(analyst: User, staff: User, taby_unit, settings, django_capture_on_commit_callbacks):  # noqa: ANN001, ANN201
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.SITE_URL = "https://knutpunkt.example.se/"
    steering_groups_load()
    member = UserFactory(username="ledamot", roles=["steering"], email="ledamot@example.se")
    quiet = UserFactory(username="tyst", roles=["steering"], email="tyst@example.se")
    NotificationPreference.objects.create(user=quiet, kind="barrier_arrived", frequency="off")
    deviations = [DeviationFactory(unit=taby_unit, reporter=staff) for _ in range(2)]
    barrier = barrier_create_from_knot(
        knot=make_knot(deviations, tags=("agency:AF", "agency:FK", "prov:2010:110#K27P48")),
        by=analyst,
    )
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    group = SteeringGroup.objects.get(slug="styrelse-roslagen")
    group.members.add(member, quiet)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        escalation = barrier_escalate(
            barrier=barrier,
            group=group,
            due_on=timezone.localdate() + timedelta(days=7),
            by=analyst,
            override_reason="Styrelsen har mandat.",
        )
    return escalation, member, quiet


def test_a_group_is_told_when_a_barrier_arrives(escalated) -> None:  # noqa: ANN001
    escalation, member, quiet = escalated
    told = Notification.objects.filter(kind="barrier_arrived")
    assert {n.user for n in told} == {member, quiet}  # both see it inside the tool
    assert [m.to for m in mail.outbox] == [["ledamot@example.se"]]  # only one wanted mail
    assert escalation.barrier.title in mail.outbox[0].body
    decide = reverse("barriers:decide", args=[escalation.group.slug, escalation.pk])
    assert f"https://knutpunkt.example.se{decide}" in mail.outbox[0].body  # a link one can follow
    client = Client()
    client.force_login(member)
    nav_counts_forget(member)
    page = client.get(reverse("home")).content.decode()
    assert '<span class="nav-count" title="oläst">1</span>' in page
    notice = told.get(user=member)
    opened = client.get(reverse("notification_open", args=[notice.pk]))
    assert opened.status_code == 302
    assert opened["Location"] == reverse(
        "barriers:decide", args=[escalation.group.slug, escalation.pk]
    )
    notice.refresh_from_db()
    assert notice.read_at is not None
    other = Client()
    other.force_login(quiet)
    assert other.get(reverse("notification_open", args=[notice.pk])).status_code == 404


def test_a_digest_carries_what_was_not_mailed_at_once(escalated) -> None:  # noqa: ANN001
    _escalation, _member, quiet = escalated
    NotificationPreference.objects.filter(user=quiet).update(frequency="daily")
    mail.outbox.clear()
    call_command("send_notification_digests", "--period", "daily")
    assert [m.to for m in mail.outbox] == [["tyst@example.se"]]
    call_command("send_notification_digests", "--period", "daily")
    assert len(mail.outbox) == 1  # each notification is mailed once


def test_the_profile_sets_email_language_and_preferences(staff: User) -> None:
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("profile")).content.decode()
    assert "Ett systemhinder kommer till din styrgrupp" in page
    response = client.post(
        reverse("profile"),
        {
            "email": "handlaggare@example.se",
            "language": "en",
            "kind_barrier_arrived": "weekly",
            "kind_sent_back": "immediate",
            "kind_recurring": "off",
            "kind_outcome": "daily",
        },
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.email == "handlaggare@example.se"
    assert NotificationPreference.objects.get(user=staff, kind="outcome").frequency == "daily"
    fresh = Client()  # another browser: no language cookie, the profile's language applies
    fresh.force_login(staff)
    assert "My settings" in fresh.get(reverse("profile")).content.decode()
    bad = client.post(reverse("profile"), {"email": "inte en adress", "language": "sv"})
    assert bad.status_code == 200
    assert 'value="inte en adress"' in bad.content.decode()


def test_reporters_hear_of_a_decision_on_their_deviations_inside_the_tool(
    escalated,
    staff: User,  # noqa: ANN001
) -> None:
    from barriers.models import Decision
    from barriers.services import decision_record

    escalation, member, _quiet = escalated
    decision_record(
        escalation=escalation,
        kind=Decision.Kind.REJECT,
        by=member,
        reason="Inte inom vårt mandat.",
    )
    (notice,) = Notification.objects.filter(user=staff, kind="outcome")
    assert escalation.barrier.title in notice.text
