"""Start-page panels of the barriers: what analysts analyse and check, what steering groups
decide and follow up."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from barriers.models import ACTING_KINDS, Barrier, Decision, Escalation
from barriers.selectors import barrier_list, inbox_group_list
from core.start import StartItem, StartPanel, start_panel
from deviations.models import User

ITEMS = 5
FOLLOW_UP_AHEAD = timedelta(days=14)  # an action due within a fortnight is shown as coming up
OPEN_WORK = (Barrier.Status.DECIDED, Barrier.Status.IN_ACTION)


def _due(day: object) -> str:
    return _("due %(date)s") % {"date": date_format(day)} if day else _("no due date")


@start_panel("barriers_to_analyse", order=40)
def barriers_to_analyse(user: User, since: datetime | None) -> StartPanel | None:
    """Barriers an analyst has identified but not yet analysed."""
    if not user.has_perm("barriers.change_barrier"):
        return None
    waiting = barrier_list(user=user).filter(
        status=Barrier.Status.IDENTIFIED, merged_into__isnull=True
    )
    return StartPanel(
        key="barriers_to_analyse",
        title=_("Barriers to analyse"),
        count=waiting.count(),
        url=reverse("barriers:list") + "?status=identified",
        items=tuple(
            StartItem(text=b.title, url=reverse("barriers:detail", args=[b.pk]))
            for b in waiting.order_by("created_at", "pk")[:ITEMS]
        ),
        empty=_("No barrier is waiting for analysis."),
        more=_("All barriers"),
    )


@start_panel("effect_checks", order=50)
def effect_checks_due(user: User, since: datetime | None) -> StartPanel | None:
    """Decisions to act whose effect check date has come, on barriers still in action."""
    if not user.has_perm("barriers.change_barrier"):
        return None
    today = timezone.localdate()
    due = (
        Decision.objects.filter(
            kind__in=ACTING_KINDS,
            effect_check_on__lte=today,
            escalation__barrier__in=barrier_list(user=user).filter(status__in=OPEN_WORK),
        )
        .select_related("escalation__barrier")
        .order_by("effect_check_on", "pk")
    )
    return StartPanel(
        key="effect_checks",
        title=_("Effect checks due"),
        count=due.count(),
        url=reverse("barriers:list") + "?status=in_action",
        items=tuple(
            StartItem(
                text=d.escalation.barrier.title,
                url=reverse("barriers:detail", args=[d.escalation.barrier_id]),
                note=_("check since %(date)s") % {"date": date_format(d.effect_check_on)},
                urgent=True,
            )
            for d in due[:ITEMS]
        ),
        empty=_("No effect check is due."),
        more=_("Barriers in action"),
    )


def _member_groups(user: User):  # noqa: ANN202 - a queryset of the user's own groups
    return inbox_group_list(user=user).filter(members=user)


@start_panel("escalations", order=15)
def escalations_awaiting(user: User, since: datetime | None) -> StartPanel | None:
    """Open escalations to the steering groups the person is a member of, due first."""
    groups = _member_groups(user)
    if not groups.exists():
        return None
    today = timezone.localdate()
    waiting = (
        Escalation.objects.filter(group__in=groups, status=Escalation.Status.OPEN)
        .select_related("barrier", "group")
        .order_by("due_on", "created_at", "pk")
    )
    return StartPanel(
        key="escalations",
        title=_("Awaiting your group's decision"),
        count=waiting.count(),
        url=reverse("barriers:inboxes"),
        items=tuple(
            StartItem(
                text=f"{e.barrier.title} · {e.group.name}",
                url=reverse("barriers:decide", args=[e.group.slug, e.pk]),
                note=_due(e.due_on),
                urgent=bool(e.due_on and e.due_on < today),
            )
            for e in waiting[:ITEMS]
        ),
        empty=_("Nothing is waiting for your group's decision."),
        nav="groups",
        more=_("Your groups' inboxes"),
    )


@start_panel("follow_ups", order=16)
def follow_ups_due(user: User, since: datetime | None) -> StartPanel | None:
    """Actions your groups decided that are due within a fortnight or overdue."""
    groups = _member_groups(user)
    if not groups.exists():
        return None
    today = timezone.localdate()
    due = (
        Decision.objects.filter(
            kind__in=ACTING_KINDS,
            escalation__group__in=groups,
            escalation__barrier__status__in=OPEN_WORK,
            due_on__lte=today + FOLLOW_UP_AHEAD,
        )
        .select_related("escalation__barrier", "escalation__group")
        .order_by("due_on", "pk")
    )
    return StartPanel(
        key="follow_ups",
        title=_("Follow-ups due"),
        count=due.count(),
        url=reverse("barriers:inboxes"),
        items=tuple(
            StartItem(
                text=f"{d.action or d.escalation.barrier.title} · {d.owner}".strip(" ·"),
                url=reverse("barriers:detail", args=[d.escalation.barrier_id]),
                note=_due(d.due_on),
                urgent=bool(d.due_on and d.due_on < today),
            )
            for d in due[:ITEMS]
        ),
        empty=_("No decided action is due in the coming two weeks."),
        more=_("Your groups' inboxes"),
    )
