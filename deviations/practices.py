"""Guldkorn: practices that made the bodies' rules work together, filed, tagged, gated and
confirmed like deviations, and matched to the knots and barriers their tags meet.

What fails is recorded systematically; so is what works, so that a steering group deciding on
a barrier sees the practice that already solved it somewhere (docs/domain.md, "Guldkorn").
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.models import Municipality
from core.errors import DomainError, PersonalDataError
from core.notifications import notification_kind, notify
from deviations.models import GoodPractice, Unit, User
from deviations.rules import FieldRuleError, check_occurred_on, check_place, check_tags
from deviations.services import TagInput, expand_tags, tags_suggest
from privacy.gate import personal_data_check
from privacy.pii import find_pii

PRACTICE_TOLD = "practice_told"
MIN_SHARED_TAGS = 2  # a practice meets a knot or barrier when they share this many tags
TRIAGE_PERMISSION = "deviations.triage_deviation"  # analysts confirm practices as deviations
SHOWN_STATUSES = (GoodPractice.Status.CONFIRMED, GoodPractice.Status.SPREAD)


class NotAllowedError(DomainError):
    code = "not_allowed"
    http_status = 403


TEXT_FIELDS = ("title", "what_was_done", "who", "what_it_solved")


@dataclass(frozen=True, slots=True)
class PracticeInput:
    title: str
    what_was_done: str
    who: str
    what_it_solved: str
    occurred_on: date
    unit: Unit
    municipality: Municipality


def notification_kinds_register() -> None:
    notification_kind(PRACTICE_TOLD, gettext_lazy("What became of a guldkorn you reported"))


def _label(name: str) -> str:
    return str(GoodPractice._meta.get_field(name).verbose_name).capitalize()


def practice_check(data: PracticeInput, *, names_confirmed: bool = False) -> None:
    """The rules every way in shares: text in each field, no personal data in any (the message
    names the fields as people see them), a possible name only once the person confirmed it is
    none (as for a deviation's description), a date that has happened, a municipality the unit
    works in."""
    for name in TEXT_FIELDS:
        if not getattr(data, name).strip():
            raise FieldRuleError(
                _("Fill in “%(field)s”.") % {"field": _label(name)}, code="required", field=name
            )
    personal_data_check({_label(name): getattr(data, name) for name in TEXT_FIELDS})
    names = [hit.text for name in TEXT_FIELDS for hit in find_pii(getattr(data, name))]
    if names and not names_confirmed:
        raise PersonalDataError(
            _(
                "The text may hold a person's name (%(names)s). Remove it, or confirm that it is "
                "not a name of a person in the case."
            )
            % {"names": ", ".join(f"“{name}”" for name in dict.fromkeys(names))},
            code="possible_name",
        )
    check_occurred_on(data.occurred_on)
    check_place(unit=data.unit, municipality=data.municipality)


@transaction.atomic
def practice_file(*, by: User, data: PracticeInput, names_confirmed: bool = False) -> GoodPractice:
    """Staff (for their own units) and analysts record a practice that worked; the tagger
    suggests its tags with explanations, for an analyst to confirm."""
    if not by.has_perm(TRIAGE_PERMISSION) and not by.units.filter(pk=data.unit.pk).exists():
        raise NotAllowedError(
            _("You can only report guldkorn for your own units."), code="unit_not_yours"
        )
    practice_check(data, names_confirmed=names_confirmed)
    texts = {name: getattr(data, name).strip() for name in TEXT_FIELDS}
    text = "\n".join(texts[name] for name in TEXT_FIELDS)  # as presentation.practice_text
    suggestions = {s.tag_id: s for s in tags_suggest(text=text, on=data.occurred_on)}
    suggested = [
        {
            "tag_id": tag.tag_id,
            "confidence": tag.confidence,
            "rule": tag.rule,
            "spans": [list(span) for span in tag.spans],
        }
        for tag in expand_tags(
            TagInput(tag_id=s.tag_id, confidence=s.confidence, rule=s.rule, spans=s.spans)
            for s in suggestions.values()
        )
    ]
    practice = GoodPractice(
        reference=f"tmp-{uuid.uuid4().hex[:16]}",  # unique until the id gives the real one
        **texts,
        occurred_on=data.occurred_on,
        unit=data.unit,
        municipality=data.municipality,
        reporter=by,
        suggested_tags=suggested,
    )
    practice.save()
    practice.reference = f"GK-{timezone.localdate().year}-{practice.pk:05d}"
    practice.save(update_fields=["reference"])
    return practice


def _tell_reporter(practice: GoodPractice, text: str) -> None:
    if practice.reporter is not None:
        notify(
            users=[practice.reporter],
            kind=PRACTICE_TOLD,
            text=text,
            url=reverse("practices:detail", args=[practice.reference]),
        )


@transaction.atomic
def practice_confirm(
    *, practice: GoodPractice, by: User, tags: Sequence[str], take_up: bool = True
) -> GoodPractice:
    """An analyst confirms the practice with the tags that describe it (any of the
    suggestions, or others from the catalogue), or does not take it up; the reporter is told."""
    if not by.has_perm(TRIAGE_PERMISSION):
        raise NotAllowedError(_("Only analysts confirm guldkorn."), code="not_analyst")
    if practice.status not in (GoodPractice.Status.SUBMITTED, GoodPractice.Status.CONFIRMED):
        raise DomainError(_("This guldkorn has already been decided on."), code="decided")
    if take_up:
        check_tags(tags)
        confirmed = sorted({tag.tag_id for tag in expand_tags(TagInput(tag_id=t) for t in tags)})
        if not confirmed:
            raise FieldRuleError(
                _("Choose at least one tag: it is how the guldkorn meets knots and barriers."),
                code="tags_required",
                field="tags",
            )
        practice.confirmed_tags = confirmed
        practice.status = GoodPractice.Status.CONFIRMED
    else:
        practice.status = GoodPractice.Status.NOT_A_PRACTICE
    practice.confirmed_by, practice.confirmed_at = by, timezone.now()
    practice.save()
    with translation.override(settings.LANGUAGE_CODE):
        text = (
            _("Your guldkorn “%(title)s” was confirmed and is shown beside the knots it meets.")
            if take_up
            else _("Your guldkorn “%(title)s” was read by an analyst and not taken up.")
        ) % {"title": practice.title}
    _tell_reporter(practice, text)
    return practice


def practice_spread(*, practice: GoodPractice, group: str, action: str, owner: str) -> None:
    """A steering group decided to spread the practice (barriers.services.decision_record);
    its reporter is told what will be done and by whom."""
    practice.status = GoodPractice.Status.SPREAD
    practice.save(update_fields=["status"])
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "%(group)s decided to spread your guldkorn “%(title)s”: %(action)s (%(owner)s)."
        ) % {"group": group, "title": practice.title, "action": action, "owner": owner}
    _tell_reporter(practice, text)


def shared_tags(practice_tags: Iterable[str], tags: Iterable[str]) -> set[str]:
    return set(practice_tags) & set(tags)


def practices_matching(tags: Sequence[str]) -> list[GoodPractice]:
    """Confirmed practices that meet these tags (a knot's or a barrier's): at least
    MIN_SHARED_TAGS in common, or every one of them when there are fewer; most shared first."""
    wanted = set(tags)
    if not wanted:
        return []
    needed = min(MIN_SHARED_TAGS, len(wanted))
    found = []
    for practice in GoodPractice.objects.filter(status__in=SHOWN_STATUSES).select_related(
        "municipality", "unit"
    ):
        shared = shared_tags(practice.confirmed_tags, wanted)
        if len(shared) >= needed:
            found.append((len(shared), practice))
    found.sort(key=lambda pair: (-pair[0], -pair[1].pk))
    return [practice for _count, practice in found]


def practice_list(*, user: User) -> QuerySet[GoodPractice]:
    """What a person sees: every confirmed practice (what works is for everyone to read), their
    own reports whatever became of them, and for analysts all of them."""
    practices = GoodPractice.objects.select_related("unit", "municipality", "reporter")
    if user.has_perm(TRIAGE_PERMISSION):
        return practices
    return practices.filter(Q(status__in=SHOWN_STATUSES) | Q(reporter=user))
