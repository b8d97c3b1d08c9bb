"""Triage: analysts confirm, reject and add tags, mark duplicates and move deviations on.

Every decision is one TriageAction holding the state before and after, so it can be undone
exactly; the rows it touches are also in the audit history with the analyst as author.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.selectors import labels_for
from catalogue.tagids import parse_tag_id
from core.errors import DomainError, StateError
from deviations.models import Deviation, Tagging, TriageAction, User
from deviations.rules import check_tags
from deviations.services import TagInput, expand_tags, taggings_changed


@dataclass(frozen=True, slots=True)
class TriageDecision:
    """What an analyst decided for one deviation. Tags not named keep their state."""

    confirm: Sequence[str] = ()
    reject: Sequence[str] = ()
    add: Sequence[str] = ()
    duplicate_of: Deviation | None = None
    clear_duplicate: bool = False
    done: bool = False  # move on: the deviation leaves the queue as triaged
    notes: list[str] = field(default_factory=list)


def _snapshot(deviation: Deviation) -> dict[str, Any]:
    return {
        "status": deviation.status,
        "duplicate_of": deviation.duplicate_of_id,
        "tags": {
            t.tag_id: {"state": t.state, "origin": t.origin}
            for t in deviation.taggings.order_by("tag_id")
        },
    }


def _with_author(instance: Any, by: User) -> Any:
    instance._history_user = by  # simple_history records the analyst, also outside a request
    return instance


@transaction.atomic
def deviation_triage(*, deviation: Deviation, decision: TriageDecision, by: User) -> TriageAction:
    """Apply one analyst decision and record it for undo."""
    deviation = Deviation.objects.select_for_update().get(pk=deviation.pk)
    before = _snapshot(deviation)
    existing = {t.tag_id: t for t in deviation.taggings.all()}
    now = timezone.now()
    overlap = set(decision.confirm) & set(decision.reject)
    if overlap:
        raise DomainError(
            _("A tag cannot be both confirmed and rejected: %(tags)s.")
            % {"tags": ", ".join(labels_for(sorted(overlap)))},
            code="conflicting_decision",
        )
    check_tags(decision.add)  # the rule every way in uses: catalogue, or a provision of its laws
    added = expand_tags(
        TagInput(tag_id=tag_id, rule=str(_("added in triage"))) for tag_id in decision.add
    )
    for tag in added:
        if tag.tag_id in existing:
            continue
        tagging = Tagging(
            deviation=deviation,
            tag_id=tag.tag_id,
            kind=parse_tag_id(tag.tag_id).kind,
            origin=Tagging.Origin.PERSON,
            confidence=None,
            state=Tagging.State.CONFIRMED,
            rule=tag.rule,
            decided_by=by,
            decided_at=now,
        )
        _with_author(tagging, by).save()
        existing[tag.tag_id] = tagging
    for tag_ids, state in (
        (decision.confirm, Tagging.State.CONFIRMED),
        (decision.reject, Tagging.State.REJECTED),
    ):
        for tag_id in tag_ids:
            tagging = existing.get(tag_id)
            if tagging is None:
                raise DomainError(
                    _("%(tag)s is not a tag of %(reference)s.")
                    % {"tag": _label(tag_id), "reference": deviation.reference},
                    code="unknown_tag",
                )
            if tagging.state != state:
                tagging.state, tagging.decided_by, tagging.decided_at = state, by, now
                _with_author(tagging, by).save(update_fields=["state", "decided_by", "decided_at"])
    if decision.duplicate_of is not None:
        if decision.duplicate_of.pk == deviation.pk:
            raise DomainError(_("A deviation cannot duplicate itself."), code="self_duplicate")
        deviation.duplicate_of = decision.duplicate_of
    elif decision.clear_duplicate:
        deviation.duplicate_of = None
    if decision.done and deviation.status == Deviation.Status.SUBMITTED:
        deviation.status = Deviation.Status.TRIAGED
    _with_author(deviation, by).save(update_fields=["duplicate_of", "status", "updated_at"])
    taggings_changed(deviation_ids=[deviation.pk])
    after = _snapshot(deviation)
    return TriageAction.objects.create(
        deviation=deviation,
        by=by,
        summary=_summary(before, after)[:300],
        before=before,
        after=after,
    )


def _label(tag_id: str) -> str:
    return labels_for([tag_id])[0]


def _summary(before: dict[str, Any], after: dict[str, Any]) -> str:
    parts = []
    for tag_id, state in sorted(after["tags"].items()):
        old = before["tags"].get(tag_id)
        if old is None:
            parts.append(_("added %(tag)s") % {"tag": _label(tag_id)})
        elif old["state"] != state["state"]:
            template = {
                "confirmed": _("confirmed %(tag)s"),
                "rejected": _("rejected %(tag)s"),
            }.get(state["state"], _("reopened %(tag)s"))
            parts.append(template % {"tag": _label(tag_id)})
    if before["duplicate_of"] != after["duplicate_of"]:
        parts.append(_("duplicate marked") if after["duplicate_of"] else _("duplicate cleared"))
    if before["status"] != after["status"]:
        parts.append(_("moved on"))
    return "; ".join(parts) or _("no change")


@transaction.atomic
def triage_undo(*, action: TriageAction, by: User) -> Deviation:
    """Put the deviation back as it was before the action, if nothing changed it since."""
    if action.undone_at is not None:
        raise StateError(_("This action has already been undone."), code="already_undone")
    deviation = Deviation.objects.select_for_update().get(pk=action.deviation_id)
    if _snapshot(deviation) != action.after:
        raise StateError(
            _("The deviation has changed since; undo the later actions first."),
            code="changed_since",
        )
    now = timezone.now()
    before_tags: dict[str, dict[str, str]] = action.before["tags"]
    for tagging in deviation.taggings.all():
        old = before_tags.get(tagging.tag_id)
        if old is None:
            _with_author(tagging, by).delete()
        elif old["state"] != tagging.state:
            tagging.state = old["state"]
            tagging.decided_by = by if old["state"] != Tagging.State.SUGGESTED else None
            tagging.decided_at = now if old["state"] != Tagging.State.SUGGESTED else None
            _with_author(tagging, by).save(update_fields=["state", "decided_by", "decided_at"])
    deviation.status = action.before["status"]
    deviation.duplicate_of_id = action.before["duplicate_of"]
    _with_author(deviation, by).save(update_fields=["duplicate_of", "status", "updated_at"])
    taggings_changed(deviation_ids=[deviation.pk])
    action.undone_at = now
    action.save(update_fields=["undone_at"])
    return deviation


def deviations_triage_bulk(
    *, deviations: Iterable[Deviation], by: User, confirm_suggestions: bool, done: bool
) -> list[TriageAction]:
    """The same decision for many rows: confirm every open suggestion and/or move them on."""
    actions = []
    with transaction.atomic():
        for deviation in deviations:
            suggested = (
                list(
                    deviation.taggings.filter(state=Tagging.State.SUGGESTED).values_list(
                        "tag_id", flat=True
                    )
                )
                if confirm_suggestions
                else []
            )
            actions.append(
                deviation_triage(
                    deviation=deviation,
                    decision=TriageDecision(confirm=suggested, done=done),
                    by=by,
                )
            )
    return actions
