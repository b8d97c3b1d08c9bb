"""Reminders of the dates people plan by, told inside the tool (and by e-mail as each person
chose on their profile page, through core.notifications):

- an action a steering group decided: a week before its due date, and when it is due;
- the effect check of that decision: a week before, and when it is due (the analyst compares the
  rate before and after on the barrier's page, barriers/effect.py, and the group records the
  barrier as resolved or takes a new decision);
- an escalation waiting past its due date: once a week while it stays open.

Each reminder is told once per object and stage: its key (`action_due:soon:12`) is stored as a
`SentReminder` in the transaction that writes the notifications, so the daily `send_reminders`
command can run any number of times. Follow-ups stop when nothing is left to follow: the barrier
resolved, closed or merged, or a later decision taken on it. Only people who may see the barrier
(barriers.selectors) are told, and the texts name the barrier, the group, the action and the
date, never a deviation or a person.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from barriers.models import ACTING_KINDS, Barrier, Decision, Escalation, SentReminder
from barriers.notifications import barrier_owners
from barriers.selectors import barrier_list
from core.notifications import notification_kind, notify
from deviations.models import User
from jobs.services import Progress

REMIND_DAYS_BEFORE = 7  # "coming up": this many days before an action or effect check is due
REMIND_OVERDUE_EVERY_DAYS = 7  # an overdue escalation is reminded again each week it stays open
FOLLOWED_UP = (Barrier.Status.DECIDED, Barrier.Status.IN_ACTION)  # as the start pages' OPEN_WORK

ACTION_DUE, EFFECT_CHECK_DUE, ESCALATION_OVERDUE = (
    "action_due",
    "effect_check_due",
    "escalation_overdue",
)
SOON, DUE = "soon", "due"


def notification_kinds_register() -> None:
    """The reminders' kinds, each chosen on the profile page (from BarriersConfig.ready())."""
    notification_kind(ACTION_DUE, gettext_lazy("An action your steering group decided is due"))
    notification_kind(EFFECT_CHECK_DUE, gettext_lazy("The effect of a decision is to be checked"))
    notification_kind(
        ESCALATION_OVERDUE, gettext_lazy("A barrier before your steering group is overdue")
    )


@dataclass(frozen=True, slots=True)
class Due:
    """One reminder to tell: what (key), to whom (before the visibility check), in which words."""

    key: str
    kind: str
    barrier: Barrier
    people: tuple[User, ...]
    text: str
    url: str


@dataclass(slots=True)
class RemindersReport:
    reminders: int = 0  # reminders told (one per object and stage)
    notifications: int = 0  # notifications written, one per person and reminder


def stage(day: date | None, *, today: date) -> str | None:
    """Where `today` stands before a date: "soon" within REMIND_DAYS_BEFORE, "due" on or after
    it, None before that or without a date."""
    if day is None or today < day - timedelta(days=REMIND_DAYS_BEFORE):
        return None
    return SOON if today < day else DUE


def overdue_week(due_on: date, *, today: date) -> int | None:
    """Which week of being overdue `today` is in (0 from the day after the due date), so an
    escalation is reminded once a week; None when it is not overdue."""
    days = (today - due_on).days
    return (days - 1) // REMIND_OVERDUE_EVERY_DAYS if days > 0 else None


def _date(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


def _action_text(decision: Decision, stage_: str, today: date) -> str:
    words = {
        "action": Truncator(decision.action).chars(80),
        "barrier": decision.escalation.barrier.title,
        "date": _date(decision.due_on),  # type: ignore[arg-type]
    }
    if stage_ == SOON:
        return _("The action “%(action)s” on the barrier “%(barrier)s” is due on %(date)s.") % words
    if decision.due_on == today:
        return _("The action “%(action)s” on the barrier “%(barrier)s” is due today, %(date)s.") % (
            words
        )
    return _("The action “%(action)s” on the barrier “%(barrier)s” was due on %(date)s.") % words


def _effect_text(decision: Decision, stage_: str) -> str:
    words = {
        "group": decision.escalation.group.name,
        "barrier": decision.escalation.barrier.title,
        "date": _date(decision.effect_check_on),  # type: ignore[arg-type]
    }
    when = (
        _(
            "The effect of %(group)s’s decision on the barrier “%(barrier)s” is to be checked "
            "on %(date)s."
        )
        if stage_ == SOON
        else _(
            "The effect of %(group)s’s decision on the barrier “%(barrier)s” is to be checked "
            "(from %(date)s)."
        )
    ) % words
    how = _(
        "Compare the rate before and after on the barrier’s page, then record the barrier as "
        "resolved or take a new decision."
    )
    return f"{when} {how}"


def _decisions_to_follow(today: date) -> Iterable[Decision]:
    """Decisions to act on barriers still being followed up, whose latest decision they are,
    with a due date or effect check within REMIND_DAYS_BEFORE."""
    later = Decision.objects.filter(escalation__barrier=OuterRef("escalation__barrier")).filter(
        Q(decided_at__gt=OuterRef("decided_at"))
        | Q(decided_at=OuterRef("decided_at"), pk__gt=OuterRef("pk"))
    )
    horizon = today + timedelta(days=REMIND_DAYS_BEFORE)
    return (
        Decision.objects.filter(
            kind__in=ACTING_KINDS,
            escalation__barrier__status__in=FOLLOWED_UP,
            escalation__barrier__merged_into__isnull=True,
        )
        .filter(Q(due_on__lte=horizon) | Q(effect_check_on__lte=horizon))
        .exclude(Exists(later))
        .select_related("escalation__barrier__analyst", "escalation__group")
        .order_by("pk")
    )


def _follow_ups(today: date) -> Iterator[Due]:
    for decision in _decisions_to_follow(today):
        barrier = decision.escalation.barrier
        people = (*decision.escalation.group.members.all(), *barrier_owners(barrier))
        url = reverse("barriers:detail", args=[barrier.pk])
        if action_stage := stage(decision.due_on, today=today):
            yield Due(
                f"{ACTION_DUE}:{action_stage}:{decision.pk}",
                ACTION_DUE,
                barrier,
                people,
                _action_text(decision, action_stage, today),
                url,
            )
        if effect_stage := stage(decision.effect_check_on, today=today):
            yield Due(
                f"{EFFECT_CHECK_DUE}:{effect_stage}:{decision.pk}",
                EFFECT_CHECK_DUE,
                barrier,
                people,
                _effect_text(decision, effect_stage),
                url,
            )


def _overdue(today: date) -> Iterator[Due]:
    waiting = (
        Escalation.objects.filter(
            status=Escalation.Status.OPEN, due_on__lt=today, barrier__merged_into__isnull=True
        )
        .select_related("barrier", "group")
        .order_by("due_on", "pk")
    )
    for escalation in waiting:
        due_on: date = escalation.due_on  # type: ignore[assignment]
        days = (today - due_on).days
        text = ngettext(
            "The barrier “%(barrier)s” is waiting for a decision by %(group)s; it was due on "
            "%(date)s (%(days)d day overdue).",
            "The barrier “%(barrier)s” is waiting for a decision by %(group)s; it was due on "
            "%(date)s (%(days)d days overdue).",
            days,
        ) % {
            "barrier": escalation.barrier.title,
            "group": escalation.group.name,
            "date": _date(due_on),
            "days": days,
        }
        yield Due(
            f"{ESCALATION_OVERDUE}:{overdue_week(due_on, today=today)}:{escalation.pk}",
            ESCALATION_OVERDUE,
            escalation.barrier,
            tuple(escalation.group.members.all()),
            text,
            reverse("barriers:decide", args=[escalation.group.slug, escalation.pk]),
        )


def _who_may_see(barrier: Barrier, people: Iterable[User]) -> list[User]:
    unique = {person.pk: person for person in people if person.is_active}
    return [
        person
        for _pk, person in sorted(unique.items())
        if barrier_list(user=person).filter(pk=barrier.pk).exists()
    ]


def reminders_due(*, today: date) -> list[Due]:
    """Every reminder whose day has come and that has not been told yet."""
    with translation.override(settings.LANGUAGE_CODE):
        due = [*_follow_ups(today), *_overdue(today)]
    told = set(
        SentReminder.objects.filter(key__in=[d.key for d in due]).values_list("key", flat=True)
    )
    return [d for d in due if d.key not in told]


def reminders_send(
    *, today: date | None = None, progress: Progress | None = None
) -> RemindersReport:
    """Tell each reminder that is due, once, to those who may see its barrier. A reminder with
    no one to tell is not recorded, so a member added later still hears of it."""
    today = today or timezone.localdate()
    report = RemindersReport()
    pending = reminders_due(today=today)
    if progress:
        progress.step(_("Sending reminders"), len(pending))
    for due in pending:
        if progress:
            progress.advance()
        people = _who_may_see(due.barrier, due.people)
        if not people:
            continue
        with transaction.atomic():
            sent, created = SentReminder.objects.get_or_create(key=due.key)
            if not created:  # another run told it meanwhile
                continue
            sent.recipients = notify(users=people, kind=due.kind, text=due.text, url=due.url)
            sent.save(update_fields=["recipients"])
        report.reminders += 1
        report.notifications += sent.recipients
    return report
