"""What closes the loop: one digest per reporter per period, and the notifications of what
happens to a barrier (it arrives at a group, is sent back, is decided on, recurs). Reminders of
dates are in barriers/reminders.py.

What has been told is recorded (Digest/DigestEvent, Barrier.recurring) in the same transaction
as the sending, so a rerun never sends it again and a failed send is retried.
Mails are written in the site's language (settings.LANGUAGE_CODE), whoever runs the command.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from barriers.models import (
    Barrier,
    BarrierEvidence,
    Decision,
    Digest,
    DigestEvent,
    Escalation,
)
from core.notifications import Frequency, notification_kind, notify
from deviations.models import Deviation, User
from jobs.services import Progress


def _date(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


# --- Digests to reporters ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestItem:
    key: str  # e.g. "decided:12"; each is told once per person
    at: datetime
    barrier: Barrier
    text: str


def _reporters(barrier_ids: Iterable[int]) -> dict[int, set[User]]:
    reporters: dict[int, set[User]] = defaultdict(set)
    for row in BarrierEvidence.objects.filter(
        barrier_id__in=set(barrier_ids), deviation__reporter__isnull=False
    ).select_related("deviation__reporter"):
        reporters[row.barrier_id].add(row.deviation.reporter)  # type: ignore[arg-type]
    return reporters


def _decision_text(decision: Decision) -> str:
    escalation = decision.escalation
    text = _("%(group)s decided on the barrier “%(barrier)s”: %(decision)s.") % {
        "group": escalation.group.name,
        "barrier": escalation.barrier.title,
        "decision": decision.get_kind_display(),
    }
    detail = {
        Decision.Kind.ACT: decision.action,
        Decision.Kind.SPREAD: decision.action,
        Decision.Kind.FORWARD: decision.reason,
        Decision.Kind.SEND_BACK: decision.reason,
        Decision.Kind.REJECT: decision.reason,
        Decision.Kind.RESOLVED: decision.effect_evaluation,
    }.get(decision.kind, "")
    return f"{text} {decision.text or detail}".strip()


def digest_items(*, since: datetime, until: datetime) -> dict[User, list[DigestItem]]:
    """What happened in [since, until) to the barriers each reporter's deviations feed, minus
    what they have already been told."""
    items: dict[User, list[DigestItem]] = defaultdict(list)
    for row in BarrierEvidence.objects.filter(
        added_at__gte=since, added_at__lt=until, deviation__reporter__isnull=False
    ).select_related("barrier", "deviation__reporter"):
        items[row.deviation.reporter].append(  # type: ignore[index]
            DigestItem(
                f"linked:{row.barrier_id}:{row.deviation_id}",
                row.added_at,
                row.barrier,
                _("Your deviation %(reference)s is now evidence of the barrier “%(barrier)s”.")
                % {"reference": row.deviation.reference, "barrier": row.barrier.title},
            )
        )
    escalations = list(
        Escalation.objects.filter(created_at__gte=since, created_at__lt=until).select_related(
            "barrier", "group"
        )
    )
    decisions = list(
        Decision.objects.filter(decided_at__gte=since, decided_at__lt=until).select_related(
            "escalation__barrier", "escalation__group"
        )
    )
    reporters = _reporters(
        [e.barrier_id for e in escalations] + [d.escalation.barrier_id for d in decisions]
    )
    for escalation in escalations:
        due = (
            " " + _("It is due on %(date)s.") % {"date": _date(escalation.due_on)}
            if escalation.due_on
            else ""
        )
        text = (
            _("The barrier “%(barrier)s” was escalated to %(group)s.")
            % {"barrier": escalation.barrier.title, "group": escalation.group.name}
            + due
        )
        for user in reporters[escalation.barrier_id]:
            items[user].append(
                DigestItem(
                    f"escalated:{escalation.pk}",
                    escalation.created_at,
                    escalation.barrier,
                    text,
                )
            )
    for decision in decisions:
        text = _decision_text(decision)
        for user in reporters[decision.escalation.barrier_id]:
            items[user].append(
                DigestItem(
                    f"decided:{decision.pk}", decision.decided_at, decision.escalation.barrier, text
                )
            )
    told = set(
        DigestEvent.objects.filter(recipient__in=list(items)).values_list("recipient_id", "key")
    )
    return {
        user: sorted(fresh, key=lambda i: (i.at, i.key))
        for user, user_items in items.items()
        if (fresh := [i for i in user_items if (user.pk, i.key) not in told])
    }


def _digest_body(user: User, items: Sequence[DigestItem]) -> str:
    by_barrier: dict[int, list[DigestItem]] = defaultdict(list)
    for item in items:
        by_barrier[item.barrier.pk].append(item)
    lines = [
        _("Hello %(name)s,") % {"name": user.get_full_name() or user.username},
        "",
        _("This is what happened to the barriers your deviations are evidence of:"),
    ]
    for barrier_items in by_barrier.values():
        barrier = barrier_items[0].barrier
        lines += ["", f"{barrier.title} ({barrier.get_status_display()})"]
        lines += [f"- {item.text}" for item in barrier_items]
    lines += [
        "",
        _("You can follow each barrier from your deviations in Knutpunkt (Mina avvikelser)."),
    ]
    return "\n".join(lines)


def digests_send(
    *, since: datetime, until: datetime | None = None, progress: Progress | None = None
) -> list[Digest]:
    """One e-mail per reporter for the period, summarising everything new for them. Each mail
    commits with its record, so a run stopped halfway is finished by the next one."""
    until = until or timezone.now()
    sent = []
    with translation.override(settings.LANGUAGE_CODE):
        pending = digest_items(since=since, until=until)
        if progress:
            progress.step(_("Sending digests"), len(pending))
        for user, items in pending.items():
            if progress:
                progress.advance()
            if not (user.is_active and user.email):
                continue
            subject = ngettext(
                "Knutpunkt: news about %(count)d barrier your deviations feed",
                "Knutpunkt: news about %(count)d barriers your deviations feed",
                len({i.barrier.pk for i in items}),
            ) % {"count": len({i.barrier.pk for i in items})}
            with transaction.atomic():
                digest = Digest.objects.create(
                    recipient=user, period_start=since, period_end=until, subject=subject
                )
                DigestEvent.objects.bulk_create(
                    DigestEvent(digest=digest, recipient=user, key=i.key) for i in items
                )
                EmailMessage(subject, _digest_body(user, items), to=[user.email]).send()
            sent.append(digest)
    return sent


# --- A resolved barrier recurs -------------------------------------------------------------------


def barrier_owners(barrier: Barrier) -> list[User]:
    """Who answers for a barrier: the analyst in charge and the members of the group whose
    decision resolved it (or, before that, of the last group it went to)."""
    last = (
        Escalation.objects.filter(barrier=barrier)
        .exclude(status=Escalation.Status.WITHDRAWN)
        .order_by("-created_at", "-pk")
        .select_related("group")
        .first()
    )
    resolved = (
        Decision.objects.filter(escalation__barrier=barrier, kind=Decision.Kind.RESOLVED)
        .order_by("-decided_at", "-pk")
        .select_related("escalation__group")
        .first()
    )
    group = resolved.escalation.group if resolved else last.group if last else None
    people = list(group.members.all()) if group else []
    if barrier.analyst is not None:
        people.append(barrier.analyst)
    # Everyone is told in the tool; core.notifications e-mails those with an address.
    return sorted({p for p in people if p.is_active}, key=lambda p: p.pk)


def recurrence_notify(*, barrier: Barrier, deviations: Sequence[Deviation]) -> int:
    """Tell the owners that a resolved barrier is receiving new deviations; returns how many
    people were told. Called once, when the barrier is flagged as recurring."""
    owners = barrier_owners(barrier)
    if not owners:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        text = "\n".join(
            [
                _(
                    "The barrier “%(barrier)s” was resolved, but new deviations matching it "
                    "have been reported since:"
                )
                % {"barrier": barrier.title},
                "",
                *(f"- {d.reference} ({_date(d.occurred_on)})" for d in deviations),
                "",
                _("Consider reopening it and evaluating the effect of the decision again."),
            ]
        )
    return notify(
        users=owners, kind=RECURRING, text=text, url=reverse("barriers:detail", args=[barrier.pk])
    )


# --- A steering group sends a barrier back down --------------------------------------------------


def sent_back_notify(*, decision: Decision, to: Escalation | None) -> int:
    """Tell those who get a barrier back why: the members of the group it returns to (`to`), and
    the analyst in charge, who works on it again when no group is below. Returns how many
    people were told."""
    escalation = decision.escalation
    barrier = escalation.barrier
    people = list(to.group.members.all()) if to is not None else []
    if barrier.analyst is not None:
        people.append(barrier.analyst)
    recipients = sorted({p for p in people if p.is_active}, key=lambda p: p.pk)
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        where = (
            _("It is back before %(group)s.") % {"group": to.group.name}
            if to is not None
            else _("It is back with the analyst, marked as analysed.")
        )
        text = "\n".join(
            [
                _("%(group)s sent the barrier “%(barrier)s” back down, because:")
                % {"group": escalation.group.name, "barrier": barrier.title},
                "",
                decision.reason,
                "",
                where,
            ]
        )
    url = (
        reverse("barriers:decide", args=[to.group.slug, to.pk])
        if to is not None
        else reverse("barriers:detail", args=[barrier.pk])
    )
    return notify(users=recipients, kind=SENT_BACK, text=text, url=url)


# --- A barrier arrives at a steering group; a decision reaches the reporters ---------------------


def arrival_notify(*, escalation: Escalation) -> int:
    """Tell the members of a steering group that a barrier has arrived for their decision."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _("The barrier “%(barrier)s” has arrived at %(group)s for a decision.") % {
            "barrier": escalation.barrier.title,
            "group": escalation.group.name,
        }
        if escalation.due_on:
            text += " " + _("It is due on %(date)s.") % {"date": _date(escalation.due_on)}
    url = reverse("barriers:decide", args=[escalation.group.slug, escalation.pk])
    return notify(users=escalation.group.members.all(), kind=ARRIVED, text=text, url=url)


def outcome_notify(*, decision: Decision) -> int:
    """Tell the reporters of the barrier's deviations what the steering group decided."""
    barrier = decision.escalation.barrier
    reporters = User.objects.filter(
        pk__in=BarrierEvidence.objects.filter(barrier=barrier).values("deviation__reporter")
    )
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "%(group)s decided on the barrier “%(barrier)s”, which your deviation is part of: "
            "%(decision)s."
        ) % {
            "group": decision.escalation.group.name,
            "barrier": barrier.title,
            "decision": decision.get_kind_display().lower(),
        }
    return notify(
        users=reporters, kind=OUTCOME, text=text, url=reverse("barriers:detail", args=[barrier.pk])
    )


ARRIVED, SENT_BACK, RECURRING, OUTCOME = "barrier_arrived", "sent_back", "recurring", "outcome"


def notification_kinds_register() -> None:
    """The kinds of notification the barriers send (from BarriersConfig.ready())."""
    notification_kind(ARRIVED, gettext_lazy("A barrier arrives at your steering group"))
    notification_kind(SENT_BACK, gettext_lazy("A barrier is sent back to you"))
    notification_kind(RECURRING, gettext_lazy("A resolved barrier recurs"))
    # Reporters also get the weekly digest of what became of their deviations.
    notification_kind(
        OUTCOME,
        gettext_lazy("A decision on a barrier your deviation is part of"),
        default=Frequency.OFF,
    )
