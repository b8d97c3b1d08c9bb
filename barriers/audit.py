"""The audit trail people can read: who changed what, when, before and after.

Collected from django-simple-history's tables for deviations, tags, barriers, escalations and
decisions, newest first, for analysts and administrators: of the objects inside their
organisation scope (deviations.selectors.organisation_scope) unless they see the whole
installation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from heapq import merge
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from barriers.models import Barrier, Decision, Escalation
from barriers.selectors import barrier_list, decision_list, escalation_list
from catalogue.selectors import labels_for
from deviations.models import Deviation, Tagging, User
from deviations.selectors import deviation_list, organisation_scope

AUDITED: tuple[type[models.Model], ...] = (Deviation, Tagging, Barrier, Escalation, Decision)
HIDDEN_FIELDS = {"description", "updated_at"}  # free text stays on its own page


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    who: str
    model: str
    object: str
    action: str
    changes: tuple[tuple[str, str, str], ...]  # (field, before, after)
    reason: str


def _who(record: Any) -> str:
    user = record.history_user
    if user is None:
        return _("the system")
    return user.get_full_name() or user.username


# The relations each model's __str__ follows, fetched for a whole page at once.
LABEL_RELATIONS: dict[type[models.Model], tuple[str, ...]] = {
    Escalation: ("barrier", "group"),
    Decision: ("escalation__barrier", "escalation__group"),
}


def _labels(model: type[models.Model], records: list[Any]) -> dict[int, str]:
    """Each record's object named by the model's own __str__ (a tag by its label), as it was then.

    Built from the historical row itself (`record.instance` would query once per record for the
    fields history leaves out), with the relations __str__ needs prefetched in one go.
    """
    names = [f.attname for f in model._meta.concrete_fields]
    objects = {
        record.history_id: model(**{n: getattr(record, n) for n in names if n in record.__dict__})
        for record in records
    }
    if relations := LABEL_RELATIONS.get(model):
        prefetch_related_objects(list(objects.values()), *relations)
    labels = {}
    for history_id, obj in objects.items():
        try:
            shown = labels_for([obj.tag_id])[0] if isinstance(obj, Tagging) else str(obj)
            labels[history_id] = shown[:80]
        except ObjectDoesNotExist:  # a relation deleted since
            labels[history_id] = f"#{obj.pk}"
    return labels


def _shown(field: str, value: Any) -> str:
    """A changed value as people read it: tags by their labels, not their ids."""
    if field == "tags" and isinstance(value, list | tuple):
        return ", ".join(labels_for(str(tag) for tag in value))[:80]
    if field == "tag_id" and isinstance(value, str):
        return labels_for([value])[0][:80]
    return str(value)[:80]


def _visible(model: type[models.Model], user: User) -> models.Q:
    """The history rows of objects the user may see (by the original object's id)."""
    if model is Deviation:
        return models.Q(id__in=deviation_list(user=user).values("pk"))
    if model is Tagging:
        return models.Q(deviation_id__in=deviation_list(user=user).values("pk"))
    if model is Barrier:
        return models.Q(id__in=barrier_list(user=user).values("pk"))
    if model is Escalation:
        return models.Q(id__in=escalation_list(user=user).values("pk"))
    return models.Q(id__in=decision_list(user=user).values("pk"))


def _entries(model: type[models.Model], limit: int, user: User) -> list[AuditEntry]:
    history = model.history.select_related("history_user").order_by("-history_date", "-history_id")
    if organisation_scope(user) is not None:
        history = history.filter(_visible(model, user))
    records = list(history[:limit])
    # Every version of these objects in one query, to find each record's previous version.
    versions: dict[Any, list[Any]] = {}
    for version in model.history.filter(id__in={r.id for r in records}).order_by(
        "history_date", "history_id"
    ):
        versions.setdefault(version.id, []).append(version)
    actions = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    labels = _labels(model, records)
    entries = []
    for record in records:
        changes: tuple[tuple[str, str, str], ...] = ()
        chain = [v.history_id for v in versions.get(record.id, [])]
        position = chain.index(record.history_id) if record.history_id in chain else 0
        if record.history_type == "~" and position > 0:
            delta = record.diff_against(versions[record.id][position - 1])
            changes = tuple(
                (change.field, _shown(change.field, change.old), _shown(change.field, change.new))
                for change in delta.changes
                if change.field not in HIDDEN_FIELDS
            )
        entries.append(
            AuditEntry(
                at=record.history_date,
                who=_who(record),
                model=str(model._meta.verbose_name),
                object=labels[record.history_id],
                action=actions.get(record.history_type, record.history_type),
                changes=changes,
                reason=record.history_change_reason or "",
            )
        )
    return entries


def audit_trail(*, user: User, limit: int = 200) -> list[AuditEntry]:
    """The latest changes across the audited models the user may see, newest first."""
    streams = [_entries(model, limit, user) for model in AUDITED]
    return list(merge(*streams, key=lambda e: e.at, reverse=True))[:limit]
