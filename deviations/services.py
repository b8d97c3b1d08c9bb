"""Writes: filing deviations, handing out references, and deciding on tags.

Every entry point (web form, API, import, demo seed) goes through these functions, so the rules
(reference numbering, implied law tags, audit history) hold everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from deviations.catalogue.tagids import parse_tag_id
from deviations.models import Deviation, Municipality, ReferenceCounter, Tagging, Unit, User
from knutpunkt.errors import DomainError, StateError

REFERENCE_PREFIX = "AV"


@dataclass(frozen=True, slots=True)
class TagInput:
    """A tag to put on a deviation, with the explanation that produced it."""

    tag_id: str
    confidence: float | None = None
    rule: str = ""
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(slots=True)
class DeviationInput:
    """Everything needed to file one deviation; used for batches (import, demo seed)."""

    occurred_on: date
    unit: Unit
    municipality: Municipality
    description: str
    category: str = ""
    consequence: str = ""
    severity: int | None = None
    gender: str = ""
    age_band: str = ""
    external_id: str | None = None
    reported_at: datetime | None = None
    tags: Sequence[TagInput] = field(default_factory=tuple)


def reference_allocate(*, year: int, count: int = 1) -> list[str]:
    """Hand out `count` consecutive references for a year, safe against concurrent filers."""
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(year=year)
        counter = ReferenceCounter.objects.select_for_update().get(year=year)
        first = counter.last + 1
        counter.last += count
        counter.save(update_fields=["last"])
    return [f"{REFERENCE_PREFIX}-{year}-{number:05d}" for number in range(first, first + count)]


def expand_tags(tags: Iterable[TagInput]) -> list[TagInput]:
    """Validate tag ids and add the law each provision implies (CONTRACTS.md §1)."""
    result: dict[str, TagInput] = {}
    for tag in tags:
        try:
            parsed = parse_tag_id(tag.tag_id)
        except ValueError:
            raise DomainError(
                _("“%(tag)s” is not a valid tag.") % {"tag": tag.tag_id}, code="invalid_tag"
            ) from None
        result.setdefault(tag.tag_id, tag)
        law = parsed.law_tag_id
        if parsed.kind == "provision" and law and law not in result:
            result[law] = TagInput(
                tag_id=law,
                confidence=tag.confidence,
                rule=tag.rule or "implied by provision",
                spans=tag.spans,
            )
    return list(result.values())


def _taggings_for(
    deviation: Deviation, tags: Sequence[TagInput], *, origin: str, state: str, by: User | None
) -> list[Tagging]:
    decided_at = timezone.now() if state != Tagging.State.SUGGESTED else None
    return [
        Tagging(
            deviation=deviation,
            tag_id=tag.tag_id,
            kind=parse_tag_id(tag.tag_id).kind,
            origin=origin,
            confidence=tag.confidence,
            state=state,
            rule=tag.rule,
            spans=[list(span) for span in tag.spans],
            decided_by=by if state != Tagging.State.SUGGESTED else None,
            decided_at=decided_at,
        )
        for tag in tags
    ]


def _check_place(*, unit: Unit, municipality: Municipality) -> None:
    if not unit.municipalities.filter(pk=municipality.pk).exists():
        raise DomainError(
            _("%(unit)s does not work in %(municipality)s.")
            % {"unit": unit, "municipality": municipality},
            code="municipality_outside_unit",
        )


@transaction.atomic
def deviation_file(
    *,
    by: User | None,
    data: DeviationInput,
    tag_origin: str = Tagging.Origin.PERSON,
    tag_state: str = Tagging.State.CONFIRMED,
) -> Deviation:
    """File one deviation with its tags; the reporter will follow it from here."""
    _check_place(unit=data.unit, municipality=data.municipality)
    tags = expand_tags(data.tags)
    reported_at = data.reported_at or timezone.now()
    (reference,) = reference_allocate(year=timezone.localtime(reported_at).year)
    deviation = Deviation(
        reference=reference,
        external_id=data.external_id,
        occurred_on=data.occurred_on,
        reported_at=reported_at,
        reporter=by,
        unit=data.unit,
        municipality=data.municipality,
        description=data.description,
        category=data.category,
        consequence=data.consequence,
        severity=data.severity,
        gender=data.gender,
        age_band=data.age_band,
        status=Deviation.Status.SUBMITTED,
    )
    deviation.full_clean()
    deviation.save()
    for tagging in _taggings_for(deviation, tags, origin=tag_origin, state=tag_state, by=by):
        tagging.save()
    return deviation


@transaction.atomic
def deviations_file_many(
    *, by: User | None, items: Sequence[DeviationInput], tag_origin: str, tag_state: str
) -> list[Deviation]:
    """File a batch in one transaction with bulk inserts; all rows or none (import, seed)."""
    now = timezone.now()
    by_year: dict[int, list[int]] = {}
    for index, item in enumerate(items):
        year = timezone.localtime(item.reported_at or now).year
        by_year.setdefault(year, []).append(index)
    references: dict[int, str] = {}
    for year, indexes in sorted(by_year.items()):
        for index, reference in zip(
            indexes, reference_allocate(year=year, count=len(indexes)), strict=True
        ):
            references[index] = reference
    deviations = [
        Deviation(
            reference=references[index],
            external_id=item.external_id,
            occurred_on=item.occurred_on,
            reported_at=item.reported_at or now,
            reporter=by,
            unit=item.unit,
            municipality=item.municipality,
            description=item.description,
            category=item.category,
            consequence=item.consequence,
            severity=item.severity,
            gender=item.gender,
            age_band=item.age_band,
            status=Deviation.Status.SUBMITTED,
        )
        for index, item in enumerate(items)
    ]
    created = bulk_create_with_history(deviations, Deviation, batch_size=500, default_user=by)
    saved = {
        d.reference: d
        for d in Deviation.objects.filter(reference__in=[d.reference for d in created])
    }
    taggings = [
        tagging
        for index, item in enumerate(items)
        for tagging in _taggings_for(
            saved[references[index]],
            expand_tags(item.tags),
            origin=tag_origin,
            state=tag_state,
            by=by,
        )
    ]
    bulk_create_with_history(taggings, Tagging, batch_size=1000, default_user=by)
    return [saved[references[index]] for index in range(len(items))]


@transaction.atomic
def tagging_decide(*, tagging: Tagging, state: str, by: User) -> Tagging:
    """Confirm or reject a tag; the audit history records who decided and when."""
    if state not in (Tagging.State.CONFIRMED, Tagging.State.REJECTED):
        raise StateError(_("A tag can only be confirmed or rejected."), code="invalid_state")
    tagging.state = state
    tagging.decided_by = by
    tagging.decided_at = timezone.now()
    tagging.save(update_fields=["state", "decided_by", "decided_at"])
    return tagging
