"""One digest per reporter per period, never resent (reminders: test_reminders.py)."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from barriers.models import Barrier, Decision, Digest, Escalation, SteeringGroup
from barriers.notifications import digests_send
from barriers.services import (
    barrier_create_from_knot,
    barrier_escalate,
    barrier_transition,
    decision_record,
)
from deviations.models import Unit, User
from tests.barriers.conftest import FileDeviations, make_knot

Ladder = dict[str, SteeringGroup]


def later(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def reporters(staff: User, other_unit_staff: User) -> tuple[User, User]:
    for user, address in ((staff, "coach@example.org"), (other_unit_staff, "other@example.org")):
        user.email = address
        user.save()
    return staff, other_unit_staff


@pytest.fixture
def escalation(
    analyst: User,
    reporters: tuple[User, User],
    haninge_unit: Unit,
    ladder: Ladder,
    file_deviations: FileDeviations,
) -> Escalation:
    """A barrier fed by two reporters' deviations (two each from Täby, one from Haninge),
    escalated to the Riksdag (SFB is an act)."""
    deviations = file_deviations(2) + file_deviations(
        1, by=reporters[1], unit=haninge_unit, municipality="0136"
    )
    barrier = barrier_create_from_knot(knot=make_knot(deviations), by=analyst)
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    return barrier_escalate(barrier=barrier, group=None, due_on=later(30), by=analyst)


def act(escalation: Escalation, by: User) -> Decision:
    return decision_record(
        escalation=escalation,
        kind=Decision.Kind.ACT,
        by=by,
        text="Förbundet skriver till utskottet.",
        action="Skrivelse till arbetsmarknadsutskottet",
        owner="Förbundschefen",
        due_on=later(60),
        effect_check_on=later(365),
    )


def test_one_digest_per_reporter_summarises_the_period(
    escalation: Escalation, analyst: User, mailoutbox: list
) -> None:
    since = timezone.now() - timedelta(hours=1)
    act(escalation, analyst)
    digests = digests_send(since=since)
    assert len(digests) == len(mailoutbox) == 2
    mail = next(m for m in mailoutbox if m.to == ["coach@example.org"])
    assert mail.body.count("is now evidence of") == 2  # both of the coach's deviations
    assert "escalated to Sveriges riksdag" in mail.body
    assert "Skrivelse till arbetsmarknadsutskottet" not in mail.body  # the text says it
    assert "Förbundet skriver till utskottet." in mail.body
    other = next(m for m in mailoutbox if m.to == ["other@example.org"])
    assert other.body.count("is now evidence of") == 1


def test_a_rerun_sends_nothing_already_told(
    escalation: Escalation, analyst: User, mailoutbox: list
) -> None:
    since = timezone.now() - timedelta(hours=1)
    digests_send(since=since)
    assert len(mailoutbox) == 2
    assert digests_send(since=since) == []
    assert len(mailoutbox) == 2
    act(escalation, analyst)
    digests_send(since=since)
    assert len(mailoutbox) == 4
    news = mailoutbox[-1].body
    assert "decided on the barrier" in news
    assert "is now evidence of" not in news  # told last time
    assert Digest.objects.count() == 4


def test_events_before_the_period_are_left_out(escalation: Escalation, mailoutbox: list) -> None:
    assert digests_send(since=timezone.now() + timedelta(seconds=1)) == []
    assert mailoutbox == []


def test_reporters_without_an_address_get_nothing(
    escalation: Escalation, reporters: tuple[User, User], mailoutbox: list
) -> None:
    reporters[1].email = ""
    reporters[1].save()
    digests_send(since=timezone.now() - timedelta(hours=1))
    assert [m.to for m in mailoutbox] == [["coach@example.org"]]


def test_send_digests_command(escalation: Escalation, mailoutbox: list) -> None:
    out = StringIO()
    call_command("send_digests", "--since", timezone.localdate().isoformat(), stdout=out)
    assert "2 e-mails sent" in out.getvalue()
    assert len(mailoutbox) == 2
