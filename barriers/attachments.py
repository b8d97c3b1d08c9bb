"""Who may read, add and remove the files kept with a barrier and its decisions (core keeps
the files, core.attachments).

- Read: whoever may see the barrier (barriers.selectors), on its page, in the dossier and its
  PDF (names, sizes and dates; the contents only through the download).
- Add to the barrier: those who take part in its discussion (barriers.comments.may_discuss:
  analysts and the members of the groups it went to).
- Add to a decision: the members of the group that decided (the letter explaining it).
- Remove: whoever added it, or an analyst.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from barriers.comments import may_discuss
from barriers.forms import AttachmentForm
from barriers.models import Barrier, Decision
from core.attachments import attachments_for, attachments_of
from core.models import Attachment
from deviations.models import User

ANALYST = "deviations.view_all_deviations"
BARRIER_TARGET = "barrier"


def barrier_decisions(barrier: Barrier) -> list[Decision]:
    return list(
        Decision.objects.filter(escalation__barrier=barrier)
        .select_related("escalation__group")
        .order_by("decided_at", "pk")
    )


def barrier_attachments(barrier: Barrier) -> list[Attachment]:
    """Every file of the barrier and of its decisions (the caller checked the barrier is
    visible)."""
    own = list(attachments_for(barrier))
    decided = list(attachments_of(Decision, [d.pk for d in barrier_decisions(barrier)]))
    return own + decided


def attachment_get(*, barrier: Barrier, pk: int) -> Attachment:
    """A file of this barrier or of one of its decisions; any other looks missing."""
    for attachment in barrier_attachments(barrier):
        if attachment.pk == pk:
            return attachment
    raise Http404(_("No such attachment."))


def decisions_attachable(*, user: User, barrier: Barrier) -> list[Decision]:
    """The decisions on the barrier taken by a group the person sits in."""
    if not (user.is_authenticated and user.is_active):
        return []
    return [d for d in barrier_decisions(barrier) if d.escalation.group.members.filter(pk=user.pk)]


def decision_label(decision: Decision) -> str:
    return _("The decision of %(group)s, %(date)s: %(kind)s") % {
        "group": decision.escalation.group.name,
        "date": date_format(decision.decided_at, "Y-m-d"),
        "kind": decision.get_kind_display(),
    }


def attachment_targets(*, user: User, barrier: Barrier) -> list[tuple[str, str]]:
    """Where this person may attach a file: the barrier, decisions of their groups."""
    targets = []
    if may_discuss(user, barrier):
        targets.append((BARRIER_TARGET, _("The barrier")))
    targets += [
        (f"decision-{d.pk}", decision_label(d))
        for d in decisions_attachable(user=user, barrier=barrier)
    ]
    return targets


def attachment_target(*, user: User, barrier: Barrier, choice: str) -> Model:
    """The object a chosen target names, if the person may attach to it (else 404)."""
    if choice == BARRIER_TARGET and may_discuss(user, barrier):
        return barrier
    for decision in decisions_attachable(user=user, barrier=barrier):
        if choice == f"decision-{decision.pk}":
            return decision
    raise Http404


def may_remove(user: User, attachment: Attachment) -> bool:
    return attachment.uploaded_by_id == user.pk or user.has_perm(ANALYST)


def attachment_context(*, user: User, barrier: Barrier, form: Any = None) -> dict[str, Any]:
    """The list of the barrier's own files and the form to add one (None where the person may
    add nothing), for the barrier page and the dossier."""
    targets = attachment_targets(user=user, barrier=barrier)
    if form is None and targets:
        form = AttachmentForm(targets=targets)
    return {
        "attachments": list(attachments_for(barrier)),
        "attachment_form": form,
        "attachment_links": True,
        "attachments_removable": user.has_perm(ANALYST),
    }
