"""Notifications: what happened that a person should know, in their list inside the tool and by
e-mail as they choose (at once, in a daily or weekly digest, or not at all).

Each app registers its kinds with `notification_kind` from `AppConfig.ready()` and calls `notify`
where the event happens; core knows no domain words. A notification is written in the site's
language (settings.LANGUAGE_CODE), as the e-mail that carries it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.models import Notification, NotificationPreference

Frequency = NotificationPreference.Frequency
DIGEST_PERIOD = {Frequency.DAILY: timedelta(days=1), Frequency.WEEKLY: timedelta(days=7)}


@dataclass(frozen=True, slots=True)
class NotificationKind:
    key: str
    label: Any  # a lazy translation: the profile page shows it in the reader's language
    default: str = Frequency.IMMEDIATE


_kinds: dict[str, NotificationKind] = {}


def notification_kind(key: str, label: Any, *, default: str = Frequency.IMMEDIATE) -> None:
    """Register a kind of notification (from an app's `ready()`), with its e-mail default."""
    _kinds[key] = NotificationKind(key, label, default)


def notification_kinds() -> list[NotificationKind]:
    return sorted(_kinds.values(), key=lambda kind: str(kind.label))


def preferences(user: Any) -> dict[str, str]:
    """The person's e-mail frequency per kind, defaults filled in."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "frequency"))
    return {key: chosen.get(key, kind.default) for key, kind in _kinds.items()}


def preferences_save(*, user: Any, chosen: dict[str, str]) -> None:
    for key, frequency in chosen.items():
        if key not in _kinds or frequency not in Frequency.values:
            raise ValueError(f"unknown kind or frequency: {key}={frequency}")
        NotificationPreference.objects.update_or_create(
            user=user, kind=key, defaults={"frequency": frequency}
        )


def notify(*, users: Iterable[Any], kind: str, text: str, url: str = "") -> int:
    """Tell these people (each once, active accounts only); e-mail those who want it at once
    when the transaction commits. Returns how many were told."""
    if kind not in _kinds:
        raise ValueError(f"unregistered notification kind: {kind}")
    people = {u.pk: u for u in users if u is not None and u.is_active}
    created = [
        Notification.objects.create(user=person, kind=kind, text=text, url=url[:300])
        for person in people.values()
    ]
    wanted = preferences_many(people.values(), kind)
    at_once = [n for n in created if wanted[n.user_id] == Frequency.IMMEDIATE and n.user.email]
    if at_once:
        transaction.on_commit(lambda: _send_each(at_once), robust=True)
    return len(created)


def preferences_many(users: Iterable[Any], kind: str) -> dict[int, str]:
    users = list(users)
    chosen = dict(
        NotificationPreference.objects.filter(user__in=users, kind=kind).values_list(
            "user_id", "frequency"
        )
    )
    default = _kinds[kind].default
    return {u.pk: chosen.get(u.pk, default) for u in users}


def _absolute(url: str) -> str:
    """A link a mail reader can follow: the site's address (SITE_URL) before the path."""
    base = settings.SITE_URL.rstrip("/")
    return f"{base}{url}" if url.startswith("/") and base else url


def _send_each(notifications: list[Notification]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        for notification in notifications:
            label = _kinds[notification.kind].label
            body = notification.text + (
                f"\n\n{_absolute(notification.url)}" if notification.url else ""
            )
            EmailMessage(f"Knutpunkt: {label}", body, to=[notification.user.email]).send()
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


def digests_send(*, frequency: str, now: Any = None) -> int:
    """One e-mail per person who chose this digest frequency for some kind, with what came
    since it was last sent; each notification is e-mailed once. Returns the mails sent."""
    now = now or timezone.now()
    pending = (
        Notification.objects.filter(emailed_at__isnull=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id", "created_at", "pk")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_user[notification.user_id].append(notification)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for items in by_user.values():
            user = items[0].user
            wanted = preferences(user)
            mine = [n for n in items if wanted.get(n.kind) == frequency]
            if not mine:
                continue
            lines = [_("What happened in Knutpunkt since the last digest:"), ""]
            for n in mine:
                when = timezone.localtime(n.created_at).strftime("%Y-%m-%d %H:%M")
                lines.append(f"- {when} {n.text}" + (f" {_absolute(n.url)}" if n.url else ""))
            with transaction.atomic():
                EmailMessage(_("Knutpunkt: your digest"), "\n".join(lines), to=[user.email]).send()
                Notification.objects.filter(pk__in=[n.pk for n in mine]).update(emailed_at=now)
            sent += 1
    return sent


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications (these, or all) as read; returns how many changed."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
