"""Comments: a thread on a deviation or a barrier, with @mentions that notify.

The apps decide who may see and write in a thread (`may_see`) and who is told by default (the
reporter when an analyst asks, the analysts and group when someone answers); core keeps the
thread, the mentions and the notifications. Every comment passes the personal-data gate on save
and is in the audit history.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.models import Comment
from core.notifications import notify

COMMENT_MAX_CHARS = 4_000
MENTION = re.compile(r"(?<![\w@])@([\w.\-]{2,150})")


def comments_for(obj: models.Model) -> models.QuerySet[Comment]:
    return Comment.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("author")


def mentioned(text: str) -> list[Any]:
    """The people named as @username in a text (unknown names are ignored)."""
    names = {name.rstrip(".-") for name in MENTION.findall(text)}
    if not names:
        return []
    return list(get_user_model().objects.filter(username__in=names, is_active=True))


@transaction.atomic
def comment_add(
    *,
    obj: models.Model,
    author: Any,
    text: str,
    may_see: Callable[[Any], bool],
    tell: Iterable[Any] = (),
    kind: str,
    summary: str,
    url: str,
) -> Comment:
    """Add a comment and tell, inside the tool and as each chose: the people in `tell`, everyone
    who wrote in the thread before and everyone @mentioned, if they may see the object; never the
    author. `summary` names the object for the notification ("AV-2026-00042")."""
    text = text.strip()
    if not text:
        raise DomainError(_("Write something first."), code="required")
    if len(text) > COMMENT_MAX_CHARS:
        raise DomainError(
            _("Write at most %(limit)d characters.") % {"limit": COMMENT_MAX_CHARS},
            code="too_long",
        )
    comment = Comment(subject=obj, author=author, text=text)
    comment.save()  # the personal-data gate refuses here (PersonalDataError)
    earlier = [c.author for c in comments_for(obj).exclude(pk=comment.pk) if c.author]
    audience = {u.pk: u for u in [*tell, *earlier, *mentioned(text)] if u is not None}
    audience.pop(author.pk, None)
    people = [u for u in audience.values() if may_see(u)]
    who = author.get_full_name() or author.get_username()
    notify(
        users=people,
        kind=kind,
        text=_("%(who)s wrote on %(what)s: %(text)s")
        % {"who": who, "what": summary, "text": text[:300]},
        url=url,
    )
    return comment
