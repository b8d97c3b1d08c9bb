"""The notification kind of comments on barriers, and who takes part in a barrier's thread."""

from django.utils.translation import gettext_lazy

from barriers.models import Barrier, Escalation
from barriers.selectors import barrier_list
from core.notifications import notification_kind
from deviations.models import User

COMMENT_KIND = "comment_barrier"


def notification_kinds_register() -> None:
    notification_kind(COMMENT_KIND, gettext_lazy("A comment on a barrier you work on"))


def may_discuss(user: User, barrier: Barrier) -> bool:
    """Analysts and the members of the steering groups it went to; a reporter who may read the
    dossier does not join the group's discussion."""
    if not (user.has_perm("barriers.view_all_barriers") or user.has_perm("barriers.view_barrier")):
        return False
    return barrier_list(user=user).filter(pk=barrier.pk).exists()


def barrier_audience(barrier: Barrier) -> list[User]:
    """Told of every comment by default: the analyst in charge and the members of the groups
    with an open escalation of it."""
    people = [barrier.analyst] if barrier.analyst else []
    groups = Escalation.objects.filter(barrier=barrier, status=Escalation.Status.OPEN).values(
        "group"
    )
    people += list(User.objects.filter(steering_groups__in=groups).distinct())
    return people
