"""The notification kind of comments on deviations (the thread itself is core.comments)."""

from django.utils.translation import gettext_lazy

from core.notifications import notification_kind

COMMENT_KIND = "comment_deviation"


def notification_kinds_register() -> None:
    notification_kind(
        COMMENT_KIND, gettext_lazy("A comment on a deviation you reported or discuss")
    )
