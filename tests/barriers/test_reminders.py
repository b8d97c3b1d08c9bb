"""Reminders (issue 16): an action and its effect check a week before and when due, an overdue
escalation once a week; each told once, in the tool and by e-mail as each person chose, only to
those who may see the barrier, and no more once the barrier is resolved or decided on again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from barriers.models import Barrier, Decision, Escalation, SentReminder, SteeringGroup
from barriers.reminders import (
    ACTION_DUE,
    EFFECT_CHECK_DUE,
    ESCALATION_OVERDUE,
    overdue_week,
    reminders_send,
    stage,
)
from barriers.services import (
    barrier_create,
    barrier_escalate,
    barrier_transition,
    decision_record,
)
from core.models import Notification, NotificationPreference
from core.notifications import notification_kinds
from deviations.models import User
from tests.barriers.conftest import FileDeviations
from tests.factories import UserFactory

Ladder = dict[str, SteeringGroup]
Kind = Decision.Kind
STOCKHOLM = ZoneInfo("Europe/Stockholm")
START = date(2026, 12, 1)  # the decision is taken on this day
DUE = date(2026, 12, 12)  # the action is due
CHECK = date(2027, 3, 1)  # the effect is checked


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=STOCKHOLM)


@pytest.fixture
def on_start_day() -> Iterator[None]:
    with time_machine.travel(at(START), tick=False):
        yield


@pytest.fixture
def board_member(ladder: Ladder) -> User:
    user = UserFactory(username="styrelse", roles=["steering"], email="styrelse@example.se")
    ladder["styrelse-roslagen"].members.add(user)
    return user


@pytest.fixture
def at_board(
    on_start_day: None,
    analyst: User,
    ladder: Ladder,
    file_deviations: FileDeviations,
    board_member: User,
) -> Escalation:
    """A local routine between AF and FK in Täby, before the Roslagen board, due 12 December."""
    analyst.email = "analytiker@example.se"
    analyst.save()
    barrier = barrier_create(
        by=analyst,
        title="Inskrivning och sjukpenning",
        tags=["agency:AF", "agency:FK"],
        deviations=file_deviations(2, tags=["agency:AF", "agency:FK"]),
    )
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    return barrier_escalate(barrier=barrier, group=None, due_on=DUE, by=analyst)


@pytest.fixture
def decision(at_board: Escalation, board_member: User) -> Decision:
    """The board decides to act: a joint routine by 12 December, its effect checked in March."""
    return decision_record(
        escalation=at_board,
        kind=Kind.ACT,
        by=board_member,
        text="Styrelsen beslutar om en gemensam rutin.",
        action="Gemensam rutin för inskrivning",
        owner="Förbundschefen",
        due_on=DUE,
        effect_check_on=CHECK,
    )


def told(kind: str) -> list[tuple[str, str]]:
    """(username, text) of each notification of this kind, in order."""
    return [
        (n.user.username, n.text)
        for n in Notification.objects.filter(kind=kind).select_related("user").order_by("pk")
    ]


# --- When --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (DUE - timedelta(days=8), None),
        (DUE - timedelta(days=7), "soon"),
        (DUE - timedelta(days=1), "soon"),
        (DUE, "due"),
        (DUE + timedelta(days=30), "due"),
    ],
)
def test_the_stage_of_a_date(today: date, expected: str | None) -> None:
    assert stage(DUE, today=today) == expected
    assert stage(None, today=today) is None


@pytest.mark.parametrize(
    ("days_late", "week"), [(-1, None), (0, None), (1, 0), (7, 0), (8, 1), (15, 2)]
)
def test_the_week_of_being_overdue(days_late: int, week: int | None) -> None:
    assert overdue_week(DUE, today=DUE + timedelta(days=days_late)) == week


def test_nothing_is_told_before_the_window(decision: Decision) -> None:
    report = reminders_send(today=DUE - timedelta(days=8))
    assert (report.reminders, report.notifications) == (0, 0)
    assert not Notification.objects.filter(kind__in=[ACTION_DUE, EFFECT_CHECK_DUE]).exists()
    assert not SentReminder.objects.exists()


# --- An action due -----------------------------------------------------------------------------


def test_in_the_window_each_person_is_told_once_and_a_rerun_tells_nothing_new(
    decision: Decision,
    board_member: User,
    analyst: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = reminders_send(today=DUE - timedelta(days=7))
    assert (report.reminders, report.notifications) == (1, 2)
    text = (
        "The action “Gemensam rutin för inskrivning” on the barrier “Inskrivning och sjukpenning” "
        "is due on Dec. 12, 2026."
    )
    assert told(ACTION_DUE) == [("analyst", text), ("styrelse", text)]
    url = reverse("barriers:detail", args=[decision.escalation.barrier_id])
    assert set(Notification.objects.filter(kind=ACTION_DUE).values_list("url", flat=True)) == {url}
    assert sorted(m.to[0] for m in mail.outbox) == ["analytiker@example.se", "styrelse@example.se"]
    assert SentReminder.objects.get().key == f"action_due:soon:{decision.pk}"

    with django_capture_on_commit_callbacks(execute=True):
        for day in (DUE - timedelta(days=7), DUE - timedelta(days=3)):
            assert reminders_send(today=day).reminders == 0
    assert Notification.objects.filter(kind=ACTION_DUE).count() == 2
    assert len(mail.outbox) == 2


def test_on_the_day_it_is_told_again_and_then_no_more(decision: Decision) -> None:
    reminders_send(today=DUE - timedelta(days=7))
    assert reminders_send(today=DUE).reminders == 1
    assert told(ACTION_DUE)[-1] == (
        "styrelse",
        "The action “Gemensam rutin för inskrivning” on the barrier “Inskrivning och "
        "sjukpenning” is due today, Dec. 12, 2026.",
    )
    assert reminders_send(today=DUE + timedelta(days=3)).reminders == 0
    assert Notification.objects.filter(kind=ACTION_DUE).count() == 4


def test_an_overdue_action_is_told_once_as_overdue_without_a_late_coming_up(
    decision: Decision,
) -> None:
    """The command did not run in the window: one reminder, saying it was due."""
    reminders_send(today=DUE + timedelta(days=2))
    assert [text for user, text in told(ACTION_DUE) if user == "styrelse"] == [
        "The action “Gemensam rutin för inskrivning” on the barrier “Inskrivning och "
        "sjukpenning” was due on Dec. 12, 2026."
    ]
    assert list(SentReminder.objects.values_list("key", flat=True)) == [
        f"action_due:due:{decision.pk}"
    ]


def test_the_reminder_is_swedish_and_names_no_person_nor_deviation(
    decision: Decision, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "sv"
    with translation.override("sv"):
        reminders_send(today=DUE - timedelta(days=7))
    (text,) = {text for _user, text in told(ACTION_DUE)}
    assert text == (
        "Åtgärden ”Gemensam rutin för inskrivning” för hindret ”Inskrivning och sjukpenning” "
        "ska vara klar 12 december 2026."
    )
    assert "Förbundschefen" not in text  # the owner is free text: it may be a name
    assert "sjukpenningen" not in text  # the deviations' own words


# --- An effect check due -----------------------------------------------------------------------


def test_the_effect_check_is_told_to_the_analyst_and_the_deciding_group(
    decision: Decision,
) -> None:
    reminders_send(today=DUE)  # the action, told and done with
    assert reminders_send(today=CHECK - timedelta(days=8)).reminders == 0
    assert reminders_send(today=CHECK - timedelta(days=7)).reminders == 1
    assert reminders_send(today=CHECK).reminders == 1
    assert reminders_send(today=CHECK + timedelta(days=1)).reminders == 0
    soon, due = told(EFFECT_CHECK_DUE)[0], told(EFFECT_CHECK_DUE)[-1]
    assert [user for user, _text in told(EFFECT_CHECK_DUE)] == [
        "analyst",
        "styrelse",
        "analyst",
        "styrelse",
    ]
    group = "Förbundsstyrelsen, Samordningsförbundet Roslagen"
    assert soon[1].startswith(
        f"The effect of {group}’s decision on the barrier “Inskrivning och sjukpenning” is to be "
        "checked on March 1, 2027."
    )
    assert due[1].startswith(
        f"The effect of {group}’s decision on the barrier “Inskrivning och sjukpenning” is to be "
        "checked (from March 1, 2027)."
    )
    assert "record the barrier as resolved or take a new decision" in due[1]


# --- When reminding stops ----------------------------------------------------------------------


def test_a_resolved_barrier_is_not_reminded(decision: Decision, board_member: User) -> None:
    decision_record(
        escalation=decision.escalation,
        kind=Kind.RESOLVED,
        by=board_member,
        effect_evaluation="Rutinen fungerar.",
    )
    for day in (DUE, CHECK):
        assert reminders_send(today=day).reminders == 0
    assert not Notification.objects.filter(kind__in=[ACTION_DUE, EFFECT_CHECK_DUE]).exists()


def test_a_later_decision_on_the_barrier_ends_the_reminders_of_the_earlier_one(
    decision: Decision, analyst: User, ladder: Ladder
) -> None:
    region = ladder["region-stockholm-fk-samverkansgrupp"]
    barrier = decision.escalation.barrier
    later = barrier_escalate(
        barrier=barrier, group=region, due_on=None, by=analyst, override_reason="Länsfråga"
    )
    assert reminders_send(today=DUE).reminders == 0  # before the region again: not followed up
    decision_record(escalation=later, kind=Kind.REJECT, by=analyst, reason="Inte vår fråga")
    assert Barrier.objects.get(pk=barrier.pk).status == Barrier.Status.DECIDED
    assert reminders_send(today=CHECK).reminders == 0
    assert not Notification.objects.filter(kind__in=[ACTION_DUE, EFFECT_CHECK_DUE]).exists()


# --- Who is told, and how ----------------------------------------------------------------------


def test_only_people_who_may_see_the_barrier_are_told(
    decision: Decision, ladder: Ladder, staff: User, other_unit_staff: User
) -> None:
    """Members without the steering role see no group's barriers, unless they reported its
    evidence (staff did, other_unit_staff did not); a closed account is told nothing."""
    no_role = UserFactory(username="utan-roll")
    gone = UserFactory(username="slutat", roles=["steering"], is_active=False)
    ladder["styrelse-roslagen"].members.add(no_role, gone, staff, other_unit_staff)
    reminders_send(today=DUE)
    assert {user for user, _text in told(ACTION_DUE)} == {"analyst", "styrelse", "staff"}


def test_no_email_for_whom_chose_off_but_the_notice_in_the_list(
    decision: Decision,
    board_member: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    NotificationPreference.objects.create(
        user=board_member, kind=ACTION_DUE, frequency=NotificationPreference.Frequency.OFF
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(today=DUE)
    assert [m.to for m in mail.outbox] == [["analytiker@example.se"]]
    assert Notification.objects.get(user=board_member, kind=ACTION_DUE).emailed_at is None


def test_each_kind_is_chosen_on_the_profile_page_in_swedish(
    client: Client,
    decision: Decision,
    board_member: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    assert {ACTION_DUE, EFFECT_CHECK_DUE, ESCALATION_OVERDUE} <= {
        kind.key for kind in notification_kinds()
    }
    client.force_login(board_member)
    page = client.get(reverse("profile"), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    for label in (
        "En åtgärd som er styrgrupp beslutat ska vara klar",
        "Effekten av ett beslut ska följas upp",
        "Ett hinder hos er styrgrupp är försenat",
    ):
        assert label in page
    saved = client.post(
        reverse("profile"),
        {"email": "styrelse@example.se", "language": "sv", f"kind_{ACTION_DUE}": "off"},
    )
    assert saved.status_code == 302
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(today=DUE)
    assert [m.to for m in mail.outbox] == [["analytiker@example.se"]]


# --- An escalation overdue ---------------------------------------------------------------------


def test_an_overdue_escalation_is_reminded_to_its_group_once_a_week(
    at_board: Escalation,
    board_member: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(today=DUE).reminders == 0  # due today is not overdue
        assert reminders_send(today=DUE + timedelta(days=1)).reminders == 1
        assert reminders_send(today=DUE + timedelta(days=7)).reminders == 0  # the same week
        assert reminders_send(today=DUE + timedelta(days=8)).reminders == 1
    assert [text for _user, text in told(ESCALATION_OVERDUE)] == [
        "The barrier “Inskrivning och sjukpenning” is waiting for a decision by "
        "Förbundsstyrelsen, Samordningsförbundet Roslagen; it was due on Dec. 12, 2026 "
        f"({days} overdue)."
        for days in ("1 day", "8 days")
    ]
    assert {n.url for n in Notification.objects.filter(kind=ESCALATION_OVERDUE)} == {
        reverse("barriers:decide", args=["styrelse-roslagen", at_board.pk])
    }
    assert [m.to for m in mail.outbox] == [["styrelse@example.se"]] * 2  # not the analyst


def test_a_group_with_no_one_to_tell_hears_of_it_when_someone_joins(
    at_board: Escalation, board_member: User, ladder: Ladder
) -> None:
    ladder["styrelse-roslagen"].members.remove(board_member)
    assert reminders_send(today=DUE + timedelta(days=1)).reminders == 0
    assert not SentReminder.objects.exists()
    ladder["styrelse-roslagen"].members.add(board_member)
    assert reminders_send(today=DUE + timedelta(days=2)).notifications == 1


def test_a_decided_escalation_is_not_overdue(decision: Decision) -> None:
    reminders_send(today=DUE + timedelta(days=1))
    assert not Notification.objects.filter(kind=ESCALATION_OVERDUE).exists()


# --- The daily command -------------------------------------------------------------------------


def test_send_reminders_runs_as_of_today(decision: Decision) -> None:
    out = StringIO()
    with time_machine.travel(at(DUE), tick=False):
        assert timezone.localdate() == DUE
        call_command("send_reminders", stdout=out)
        call_command("send_reminders", stdout=out)
    assert out.getvalue().splitlines() == [
        "Reminders: 1 told, 2 notifications.",
        "Reminders: 0 told, 0 notifications.",
    ]


def test_the_older_command_name_still_works(at_board: Escalation) -> None:
    out = StringIO()
    call_command("escalation_reminders", "--today", "2026-12-13", stdout=out)
    assert out.getvalue().strip() == "Reminders: 1 told, 1 notifications."
