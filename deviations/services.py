"""Writes: filing deviations, handing out references, and deciding on tags.

Every entry point (web form, API, import, demo seed) goes through these functions, so the rules
(reference numbering, implied law tags, audit history) hold everywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from catalogue.models import Municipality
from catalogue.selectors import tag_catalogue, tag_choices
from catalogue.services import references_register
from catalogue.tagging import TagCatalogue, TagSuggestion, suggest_tags
from catalogue.tagids import parse_tag_id
from core.errors import DomainError, PersonalDataError, StateError
from core.history import CREATED, history_copy
from core.metrics import filed
from core.national import deviations_held_check
from core.rows import rows_insert
from core.text import text_clean
from deviations.models import (
    Deviation,
    DeviationChange,
    Draft,
    ReferenceCounter,
    Tagging,
    TagVersion,
    Unit,
    User,
)
from deviations.rules import (
    CHOICES,
    FieldRuleError,
    check_choice,
    check_description,
    check_occurred_on,
    check_place,
    check_quote,
    check_tag_syntax,
    check_tags,
)
from deviations.signals import tags_changed
from privacy.gate import PII_LABELS, row_check
from privacy.mask import pii_mask
from privacy.pii import PiiHit, find_pii

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
    participant_quote: str = ""
    participant_consent: bool = False
    external_id: str | None = None
    reported_at: datetime | None = None
    tags: Sequence[TagInput] = field(default_factory=tuple)

    @classmethod
    def from_fields(cls, data: Mapping[str, Any]) -> DeviationInput:
        """From a form's cleaned data or a serializer's validated data (same field names)."""
        return cls(
            occurred_on=data["occurred_on"],
            unit=data["unit"],
            municipality=data["municipality"],
            description=data["description"],
            category=data.get("category", ""),
            consequence=data.get("consequence", ""),
            severity=data.get("severity"),
            gender=data.get("gender", ""),
            age_band=data.get("age_band", ""),
            participant_quote=data.get("participant_quote", "") or "",
            participant_consent=bool(data.get("participant_consent", False)),
        )

    def check(self, *, typed: bool) -> None:
        """The field rules every way in shares; `typed` is text a person wrote just now.

        The import checks its rows with the same rules before filing them in a batch; seeds and
        simulations file through `deviation_file` with dates of their choosing (the future too).
        """
        check_description(self.description, typed=typed)
        check_quote(self.participant_quote, consent=self.participant_consent)
        check_occurred_on(self.occurred_on)
        for name in CHOICES:
            check_choice(name, getattr(self, name))

    def as_row(self, *, reference: str, reported_at: datetime) -> dict[str, Any]:
        """These facts as a new deviation's columns (attribute names, as `Deviation(**row)`
        takes them): what a batch inserts without building an instance per row."""
        return {
            "reference": reference,
            "external_id": self.external_id,
            "occurred_on": self.occurred_on,
            "reported_at": reported_at,
            "unit_id": self.unit.pk,
            "municipality_id": self.municipality.pk,
            "description": self.description,
            "category": self.category,
            "consequence": self.consequence,
            "severity": self.severity,
            "gender": self.gender,
            "age_band": self.age_band,
            "participant_quote": self.participant_quote,
            "participant_consent": self.participant_consent,
            "status": Deviation.Status.SUBMITTED,
        }

    def as_deviation(self, *, reference: str, reported_at: datetime, **extra: Any) -> Deviation:
        """An unsaved Deviation from these facts; `extra` sets reporter, keys and the like."""
        row = self.as_row(reference=reference, reported_at=reported_at)
        del row["unit_id"], row["municipality_id"]  # the instances, for an unsaved deviation
        return Deviation(**row, unit=self.unit, municipality=self.municipality, **extra)


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
    """Validate tag ids and add the law each provision implies (docs/contracts.md §1).

    Only the spelling is checked here: the tagger may name a law by an SFS number the catalogue
    lacks. Tags from people are checked against the catalogue where they come in (rules).
    """
    result: dict[str, TagInput] = {}
    for tag in tags:
        check_tag_syntax([tag.tag_id])
        result.setdefault(tag.tag_id, tag)
        parsed = parse_tag_id(tag.tag_id)
        law = parsed.law_tag_id
        if parsed.kind == "provision" and law and law not in result:
            result[law] = TagInput(
                tag_id=law,
                confidence=tag.confidence,
                rule=tag.rule or "implied by provision",
                spans=tag.spans,
            )
    return list(result.values())


def taggings_changed(
    *, deviation_ids: Iterable[int], filed: Sequence[tuple[int, str, str, str]] | None = None
) -> None:
    """The one door after tags of deviations were written (filing, triage, retag, import,
    admin): repack their confirmed tags, bump the data version and announce `tags_changed`,
    so the knots and the barriers' evidence follow at once. No ids: deviations were removed.

    `filed`: every tagging of deviations just filed in bulk, as (deviation, tag, kind, state),
    their confirmed tags packed as they were inserted: nothing to read back or repack."""
    ids = list(deviation_ids)
    if ids:
        taggings = _kept_taggings(ids) if filed is None else filed
        _references_register(
            ids, {tag_id for _pk, tag_id, kind, _state in taggings if kind != "agency"}
        )
        if filed is None:
            _confirmed_tags_repack(
                ids,
                [
                    (pk, tag_id)
                    for pk, tag_id, _kind, state in taggings
                    if state == Tagging.State.CONFIRMED
                ],
            )
    # The version row's lock first: concurrent changes then take their change-log ids in the
    # order they commit, so a reader that has seen id N has seen every id below it.
    tag_version_bump()
    # In the same transaction as the change: a kept analysis reads exactly what committed.
    rows_insert(DeviationChange, [{"deviation_id": pk} for pk in sorted(set(ids))] or [{}])
    tags_changed.send(sender=Deviation, deviation_ids=ids)


def pack_tags(tag_ids: Iterable[str]) -> str:
    """A deviation's confirmed tags as the one column the analysis reads: sorted, `;`-joined."""
    return ";".join(sorted(set(tag_ids)))


def _kept_taggings(ids: list[int]) -> list[tuple[int, str, str, str]]:
    """(deviation, tag, kind, state) of these deviations' tags that are not rejected: read once
    for both the catalogue's open world and the packed confirmed tags."""
    rows: list[tuple[int, str, str, str]] = []
    for start in range(0, len(ids), 5000):  # within every database's parameter limit
        rows += (
            Tagging.objects.filter(deviation_id__in=ids[start : start + 5000])
            .exclude(state=Tagging.State.REJECTED)
            .values_list("deviation_id", "tag_id", "kind", "state")
        )
    return rows


def _references_register(ids: list[int], used: set[str]) -> None:
    """Laws and provisions first used on these deviations get an unconfirmed catalogue row
    (docs/tagging.md, "Open world"); the texts that name them may give a law its title."""
    known = tag_choices()
    new = {tag_id for tag_id in used if tag_id not in known}
    if not new:
        return
    texts = (
        Deviation.objects.filter(pk__in=ids[:5000], taggings__tag_id__in=sorted(new)[:500])
        .values_list("description", flat=True)
        .distinct()[:100]
    )
    references_register(new, texts=texts)


def _confirmed_tags_repack(ids: list[int], confirmed: list[tuple[int, str]]) -> None:
    packed: dict[int, list[str]] = {pk: [] for pk in ids}
    for deviation_id, tag_id in confirmed:
        packed[deviation_id].append(tag_id)
    # bulk_update's CASE over a thousand ids costs an import a quarter of its time to compile.
    # PostgreSQL: one UPDATE from two arrays (a statement per row was 0.1 ms each to parse);
    # SQLite: one plain UPDATE per row, sent together (each costs the same as a batch there).
    table = connection.ops.quote_name(Deviation._meta.db_table)
    rows = [(pack_tags(tags), pk) for pk, tags in packed.items()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS d SET confirmed_tags = u.tags "  # noqa: S608 - the model's table
                "FROM unnest(%s::bigint[], %s::text[]) AS u(id, tags) "
                "WHERE d.id = u.id AND d.confirmed_tags IS DISTINCT FROM u.tags",
                [[pk for _tags, pk in rows], [tags for tags, _pk in rows]],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET confirmed_tags = %s "  # noqa: S608 - the model's table
                "WHERE id = %s AND confirmed_tags IS NOT %s",
                [(tags, pk, tags) for tags, pk in rows],
            )


def tag_version_bump() -> None:
    """Tell cached analysis that its data changed: tags, new deviations or their facts."""
    TagVersion.objects.get_or_create(pk=1)
    TagVersion.objects.filter(pk=1).update(version=F("version") + 1)


def tag_version() -> int:
    row = TagVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return int(row or 0)


def _taggings_for(
    deviation: Deviation, tags: Sequence[TagInput], *, origin: str, state: str, by: User | None
) -> list[Tagging]:
    return [
        Tagging(deviation=deviation, **row)
        for row in _tagging_rows(tags, origin=origin, state=state, by=by)
    ]


def _tagging_rows(
    tags: Iterable[TagInput], *, origin: str, state: str, by: User | None
) -> list[dict[str, Any]]:
    """The columns of a deviation's tagging rows, other than the deviation: who decided and when
    only for a decided tag; the kind read from the identifier."""
    decided = state != Tagging.State.SUGGESTED
    decided_at = timezone.now() if decided else None
    decided_by_id = by.pk if decided and by is not None else None
    return [
        {
            "tag_id": tag.tag_id,
            "kind": parse_tag_id(tag.tag_id).kind,
            "origin": origin,
            "confidence": tag.confidence,
            "state": state,
            "rule": tag.rule,
            "spans": [list(span) for span in tag.spans],
            "decided_by_id": decided_by_id,
            "decided_at": decided_at,
        }
        for tag in tags
    ]


def pii_hit_payload(hit: PiiHit) -> dict[str, object]:
    """A finding as shown to users and API clients: type, span and a translated label."""
    return {
        "type": hit.type,
        "start": hit.start,
        "end": hit.end,
        "label": str(PII_LABELS[hit.type]),
        "blocking": hit.blocking,
    }


def description_check(*, text: str, names_confirmed: bool = False) -> list[PiiHit]:
    """Refuse a text holding personal data; names only if the user has not confirmed them.

    Returns the (confirmed) name warnings so the caller can tell the user what was let through.
    """
    hits = find_pii(text)
    blocking = [hit for hit in hits if hit.blocking]
    names = [hit for hit in hits if not hit.blocking]
    if blocking:
        kinds = sorted({str(PII_LABELS[hit.type]) for hit in blocking})
        raise PersonalDataError(
            _(
                "The text holds personal data (%(kinds)s). Remove it and describe the person "
                "without identifying details; nothing has been saved with it."
            )
            % {"kinds": ", ".join(kinds)},
            code="personal_data",
            pii=[pii_hit_payload(hit) for hit in hits],
        )
    if names and not names_confirmed:
        raise PersonalDataError(
            _(
                "The text may hold a person's name (%(names)s). Remove it, or confirm that it is "
                "not a name of a person in the case."
            )
            % {"names": ", ".join(f"“{hit.text}”" for hit in names)},
            code="possible_name",
            pii=[pii_hit_payload(hit) for hit in hits],
        )
    return names


def quote_check(*, text: str) -> None:
    """Refuse the participant's words when they hold personal data. A possible name is let
    through here (nothing the finder only suspects blocks a person) and keeps the words out of
    every dossier instead (barriers.dossier)."""
    blocking = [hit for hit in find_pii(text) if hit.blocking]
    if blocking:
        kinds = sorted({str(PII_LABELS[hit.type]) for hit in blocking})
        error = PersonalDataError(
            _(
                "The participant's words hold personal data (%(kinds)s). Remove it; nothing "
                "has been saved with it."
            )
            % {"kinds": ", ".join(kinds)},
            code="personal_data",
            fields=["participant_quote"],
        )
        error.field = "participant_quote"  # type: ignore[attr-defined]  # forms show it there
        raise error


def tags_suggest(*, text: str, on: date) -> list[TagSuggestion]:
    """What the tagger proposes for a text, against the current catalogue."""
    return suggest_tags(text, on=on, catalogue=tag_catalogue())


def _suggestion_input(suggestion: TagSuggestion) -> TagInput:
    return TagInput(
        tag_id=suggestion.tag_id,
        confidence=suggestion.confidence,
        rule=suggestion.rule,
        spans=suggestion.spans,
    )


def _reporter_taggings(
    deviation: Deviation, *, chosen: Sequence[str] | None, by: User | None
) -> list[Tagging]:
    """Tags of a new deviation: the tagger's suggestions, with the reporter's chip edits.

    `chosen` is None when the reporter saw no chips (API without tags, a form without
    JavaScript): then every suggestion is stored for an analyst to decide. Otherwise a suggestion
    the reporter removed is stored as rejected (retagging keeps that decision) and a tag the
    reporter added is stored as their suggestion; analysts confirm either way.
    """
    suggestions = {
        s.tag_id: _suggestion_input(s)
        for s in tags_suggest(text=deviation.description, on=deviation.occurred_on)
    }
    suggested = expand_tags(suggestions.values())
    taggings = _taggings_for(
        deviation, suggested, origin=Tagging.Origin.TAGGER, state=Tagging.State.SUGGESTED, by=None
    )
    if chosen is None:
        return taggings
    kept = {tag.tag_id for tag in expand_tags(TagInput(tag_id=t) for t in chosen)}
    now = timezone.now()
    for tagging in taggings:
        if tagging.tag_id not in kept:
            tagging.state = Tagging.State.REJECTED
            tagging.decided_by, tagging.decided_at = by, now
    known = {tagging.tag_id for tagging in taggings}
    added = [
        TagInput(tag_id=tag_id, rule=str(_("added by the reporter")))
        for tag_id in sorted(kept - known)
    ]
    return taggings + _taggings_for(
        deviation, added, origin=Tagging.Origin.PERSON, state=Tagging.State.SUGGESTED, by=None
    )


@transaction.atomic
def deviation_submit(
    *,
    by: User,
    data: DeviationInput,
    chosen_tags: Sequence[str] | None = None,
    names_confirmed: bool = False,
    draft: Draft | None = None,
    idempotency_key: uuid.UUID | None = None,
) -> Deviation:
    """A staff member files a deviation: refuse personal data, tag it, retire the draft.

    Submitting the same draft (or idempotency key) twice returns the first deviation instead of
    filing a second one, so a double click or a retried request never duplicates a report.
    """
    key = draft.key if draft is not None else idempotency_key
    if key is not None:
        existing = Deviation.objects.filter(idempotency_key=key).first()
        if existing is not None and existing.reporter_id == by.pk:
            return existing
        if existing is not None:
            raise DomainError(
                _("This submission key has already been used."), code="idempotency_key_used"
            )
    if not by.units.filter(pk=data.unit.pk).exists() and not by.is_superuser:
        raise DomainError(
            _("You can only file deviations for your own units."), code="unit_not_yours"
        )
    data.check(typed=True)
    if chosen_tags is not None:
        check_tags(chosen_tags)
    description_check(text=data.description, names_confirmed=names_confirmed)
    quote_check(text=data.participant_quote)
    check_place(unit=data.unit, municipality=data.municipality)
    reported_at = timezone.now()
    (reference,) = reference_allocate(year=timezone.localtime(reported_at).year)
    deviation = data.as_deviation(
        reference=reference, reported_at=reported_at, reporter=by, idempotency_key=key
    )
    deviation.full_clean(exclude=["idempotency_key"])  # the database's unique index decides
    try:
        with transaction.atomic():
            deviation.save()
    except IntegrityError:
        # A retry that raced the first request past the lookup above: the first one won.
        existing = Deviation.objects.filter(idempotency_key=key, reporter=by).first()
        if key is None or existing is None:
            raise
        return existing
    # Two inserts (tags and their history) whatever the number of tags.
    bulk_create_with_history(
        _reporter_taggings(deviation, chosen=chosen_tags, by=by), Tagging, default_user=by
    )
    if draft is not None:
        draft.delete()
    taggings_changed(deviation_ids=[deviation.pk])
    transaction.on_commit(lambda: filed("staff"))  # counted once it is really filed
    return deviation


DRAFT_FIELDS = (
    "description",
    "occurred_on",
    "unit",
    "municipality",
    "category",
    "consequence",
    "severity",
    "gender",
    "age_band",
    "participant_quote",
    "participant_consent",
    "tags_edited",
    "tags",
)
DRAFT_MAX_CHARS = 20_000


def draft_save(*, by: User, draft: Draft | None, data: dict[str, object]) -> tuple[Draft, bool]:
    """Autosave what the user has typed so far; returns the draft and whether text was masked.

    Values are stored as typed (strings), unvalidated: a draft may be half-written. Blocking
    personal data is masked before anything is written, so it never reaches the database.
    """
    content: dict[str, object] = {}
    for name in DRAFT_FIELDS:
        value = data.get(name)
        if name == "tags":
            if isinstance(value, list | tuple):
                content[name] = [text_clean(v[:64]) for v in value if isinstance(v, str)][:50]
            continue
        if value is None:
            continue
        # NUL and lone surrogates would break every page showing the draft (or PostgreSQL).
        content[name] = text_clean(str(value)[:DRAFT_MAX_CHARS])
    # Every text the person typed is masked, not only the description (the gate would refuse
    # the save otherwise, and an autosave must not fail while someone types).
    unmasked = dict(content)
    for name, value in content.items():
        if isinstance(value, str):
            content[name] = pii_mask(value)
    if draft is None:
        draft = Draft(owner=by)
    elif draft.owner_id != by.pk:
        raise StateError(_("This draft belongs to someone else."), code="not_your_draft")
    draft.data = content
    draft.save()
    return draft, content != unmasked


def draft_discard(*, by: User, draft: Draft) -> None:
    if draft.owner_id != by.pk:
        raise StateError(_("This draft belongs to someone else."), code="not_your_draft")
    draft.delete()


@transaction.atomic
def deviation_file(
    *,
    by: User | None,
    data: DeviationInput,
    tag_origin: str = Tagging.Origin.PERSON,
    tag_state: str = Tagging.State.CONFIRMED,
) -> Deviation:
    """File one deviation with its tags; the reporter will follow it from here."""
    check_place(unit=data.unit, municipality=data.municipality)
    tags = expand_tags(data.tags)
    reported_at = data.reported_at or timezone.now()
    (reference,) = reference_allocate(year=timezone.localtime(reported_at).year)
    deviation = data.as_deviation(reference=reference, reported_at=reported_at, reporter=by)
    deviation.full_clean()
    deviation.save()
    for tagging in _taggings_for(deviation, tags, origin=tag_origin, state=tag_state, by=by):
        tagging.save()
    taggings_changed(deviation_ids=[deviation.pk])
    if tag_state == Tagging.State.CONFIRMED and tags:
        deviation.refresh_from_db(fields=["confirmed_tags"])
    return deviation


@transaction.atomic
def deviations_file_many(
    *,
    by: User | None,
    items: Sequence[DeviationInput],
    tag_origin: str,
    tag_state: str,
    suggest_missing: bool = False,
    by_is_reporter: bool = True,
) -> QuerySet[Deviation]:
    """File a batch in one transaction with bulk inserts; all rows or none (import, seed).

    With `suggest_missing`, items without tags get the tagger's suggestions instead. An import
    is recorded as done `by` the importing person but has no reporter (`by_is_reporter=False`).
    """
    deviations_held_check()  # bulk inserts send no pre_save: the national rule is asked here
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
    reporter_id = by.pk if by is not None and by_is_reporter else None
    catalogue = tag_catalogue() if suggest_missing else None
    rows = []
    tagged: list[tuple[list[TagInput], str, str, User | None]] = []
    for index, item in enumerate(items):
        row = item.as_row(reference=references[index], reported_at=item.reported_at or now)
        row["reporter_id"] = reporter_id
        row_check(Deviation, row)  # bulk inserts send no pre_save: the gate is asked here
        if item.tags or catalogue is None:
            tags, origin, state, decider = expand_tags(item.tags), tag_origin, tag_state, by
        else:
            suggestions = suggest_tags(item.description, on=item.occurred_on, catalogue=catalogue)
            tags = expand_tags(_suggestion_input(s) for s in suggestions)
            origin, state, decider = Tagging.Origin.TAGGER, Tagging.State.SUGGESTED, None
        tagged.append((tags, origin, state, decider))
        # Packed here as taggings_changed would, so its repack finds nothing left to write.
        confirmed = state == Tagging.State.CONFIRMED
        row["confirmed_tags"] = pack_tags(tag.tag_id for tag in tags) if confirmed else ""
        rows.append(row)
    # Rows and their audit history: plain inserts (core.rows) and the history copied in the
    # database (core.history), not a model instance and a compiled INSERT value per row and
    # column, which were nine tenths of an import's time.
    rows_insert(Deviation, rows)
    ids = dict(
        Deviation.objects.filter(reference__in=list(references.values())).values_list(
            "reference", "pk"
        )
    )
    new_ids = [ids[references[index]] for index in range(len(items))]
    user_id = by.pk if by is not None else None
    history_copy(Deviation, new_ids, user_id=user_id, reason="", when=now, kind=CREATED)
    taggings: list[dict[str, Any]] = []
    for (tags, origin, state, decider), deviation_id in zip(tagged, new_ids, strict=True):
        for row in _tagging_rows(tags, origin=origin, state=state, by=decider):
            row["deviation_id"] = deviation_id
            taggings.append(row)
    rows_insert(Tagging, taggings)
    # Every tagging of these new deviations is one just written.
    history_copy(
        Tagging, new_ids, user_id=user_id, reason="", when=now, kind=CREATED,
        column="deviation_id",
    )  # fmt: skip
    taggings_changed(
        deviation_ids=new_ids,
        filed=[(row["deviation_id"], row["tag_id"], row["kind"], row["state"]) for row in taggings],
    )
    # Instances only if the caller reads them (an import does not): in the items' order.
    return Deviation.objects.filter(pk__in=new_ids).order_by("pk")


@dataclass(slots=True)
class RetagReport:
    deviations: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    kept: int = 0


def deviations_retag(
    *,
    deviations: Iterable[Deviation],
    batch_size: int = 500,
    progress: Callable[[RetagReport], None] | None = None,
) -> RetagReport:
    """Run the tagger again (after a catalogue change), keeping every decision made by people.

    Confirmed and rejected tags, and tags people added, are never touched. Open tagger
    suggestions are refreshed: new ones added, changed explanations updated, vanished ones
    removed. Each batch is one transaction, so an interrupted run can simply be started again.
    """
    report = RetagReport()
    catalogue = tag_catalogue()
    batch: list[Deviation] = []

    def flush() -> None:
        with transaction.atomic():
            for deviation in batch:
                _retag_one(deviation, catalogue=catalogue, report=report)
            taggings_changed(deviation_ids=[deviation.pk for deviation in batch])
        report.deviations += len(batch)
        if progress is not None:
            progress(report)
        batch.clear()

    for deviation in deviations:
        batch.append(deviation)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return report


def _retag_one(deviation: Deviation, *, catalogue: TagCatalogue, report: RetagReport) -> None:
    fresh = {
        tag.tag_id: tag
        for tag in expand_tags(
            _suggestion_input(s)
            for s in suggest_tags(
                deviation.description, on=deviation.occurred_on, catalogue=catalogue
            )
        )
    }
    existing = {t.tag_id: t for t in deviation.taggings.all()}
    for tag_id, tagging in existing.items():
        open_suggestion = (
            tagging.origin == Tagging.Origin.TAGGER and tagging.state == Tagging.State.SUGGESTED
        )
        if not open_suggestion:
            report.kept += 1
            continue
        new = fresh.get(tag_id)
        if new is None:
            tagging.delete()
            report.removed += 1
            continue
        spans = [list(span) for span in new.spans]
        if (tagging.rule, tagging.confidence, tagging.spans) != (new.rule, new.confidence, spans):
            tagging.rule, tagging.confidence, tagging.spans = new.rule, new.confidence, spans
            tagging.save(update_fields=["rule", "confidence", "spans"])
            report.updated += 1
    missing = [tag for tag_id, tag in fresh.items() if tag_id not in existing]
    for tagging in _taggings_for(
        deviation, missing, origin=Tagging.Origin.TAGGER, state=Tagging.State.SUGGESTED, by=None
    ):
        tagging.save()
        report.added += 1


def reporter_pseudonym(user: User) -> str:
    """A stable stand-in for a deleted reporter: the same person gets the same pseudonym, and
    it cannot be turned back into the person without the secret key."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"user:{user.pk}".encode(), hashlib.sha256)
    return _("Reporter %(code)s") % {"code": digest.hexdigest()[:8]}


@transaction.atomic
@transaction.atomic
def user_remove(*, user: User) -> int:
    """Delete an account but keep its deviations, attributed to a pseudonym; returns how many.

    The account's audit history stays (what roles and units it had, and when) under the same
    pseudonym: its name and e-mail leave with it, or the history would name the reporter that
    the pseudonym hides."""
    pseudonym = reporter_pseudonym(user)
    pk = user.pk
    kept = Deviation.objects.filter(reporter=user).update(
        reporter=None, reporter_pseudonym=pseudonym
    )
    user.delete()
    User.history.filter(id=pk).update(
        username=pseudonym[:150], first_name="", last_name="", email=""
    )
    return kept


# --- The reporter corrects or withdraws -----------------------------------------------------

CORRECTABLE = (
    "description", "occurred_on", "category", "consequence", "severity", "gender",
    "participant_quote", "participant_consent",
)  # fmt: skip
REASON_MAX_CHARS = 100  # kept as the change's reason in the audit history
OPEN_FOR_REPORTER = (Deviation.Status.SUBMITTED, Deviation.Status.TRIAGED, Deviation.Status.LINKED)


def _check_reporter_may_change(deviation: Deviation, by: User) -> None:
    if deviation.reporter_id != by.pk:
        raise DomainError(
            _("Only the person who filed a deviation can correct or withdraw it."),
            code="not_reporter",
        )
    if deviation.status not in OPEN_FOR_REPORTER:
        raise StateError(
            _("This deviation is %(status)s and can no longer be changed.")
            % {"status": deviation.get_status_display().lower()},
            code="not_open",
        )


def _reason(reason: str) -> str:
    """Every correction and withdrawal says why: it is read in the history by the analysts."""
    reason = " ".join(reason.split())
    if not reason:
        raise FieldRuleError(_("Say briefly why."), code="required", field="reason")
    if len(reason) > REASON_MAX_CHARS:
        raise FieldRuleError(
            _("Say why in at most %(limit)d characters.") % {"limit": REASON_MAX_CHARS},
            code="too_long",
            field="reason",
        )
    try:
        description_check(text=reason)
    except PersonalDataError as error:
        error.field = "reason"  # type: ignore[attr-defined]  # the form shows it there
        raise
    return reason


@transaction.atomic
def deviation_correct(
    *,
    deviation: Deviation,
    by: User,
    changes: Mapping[str, Any],
    reason: str,
    names_confirmed: bool = False,
) -> Deviation:
    """The reporter corrects what they filed, with a reason. The same field rules and the same
    personal-data gate as filing apply; a new text gets fresh suggestions (decisions people made
    on tags stay), and the history keeps the old values and the reason."""
    _check_reporter_may_change(deviation, by)
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        raise DomainError(
            _("These fields cannot be corrected here: %(fields)s.")
            % {"fields": ", ".join(unknown)},
            code="not_correctable",
        )
    reason = _reason(reason)
    changed = {name: value for name, value in changes.items() if getattr(deviation, name) != value}
    if not changed:
        raise DomainError(_("Nothing was changed."), code="no_change")
    if "description" in changed:
        check_description(changed["description"], typed=True)
        description_check(text=changed["description"], names_confirmed=names_confirmed)
    if "occurred_on" in changed:
        check_occurred_on(changed["occurred_on"])
    for name in ("category", "consequence", "severity", "gender"):
        if name in changed:
            check_choice(name, changed[name])
    if {"participant_quote", "participant_consent"} & set(changed):
        # Consent taken back: the words must go too, or the rule refuses.
        quote = changed.get("participant_quote", deviation.participant_quote)
        check_quote(
            quote, consent=changed.get("participant_consent", deviation.participant_consent)
        )
        quote_check(text=quote)
    for name, value in changed.items():
        setattr(deviation, name, value)
    deviation._change_reason = reason  # type: ignore[attr-defined]  # simple_history
    deviation._history_user = by  # type: ignore[attr-defined]
    deviation.full_clean(exclude=["idempotency_key"])
    deviation.save()
    if {"description", "occurred_on"} & set(changed):
        _retag_one(deviation, catalogue=tag_catalogue(), report=RetagReport())
    taggings_changed(deviation_ids=[deviation.pk])  # the date counts in every analysis
    return deviation


@transaction.atomic
def deviation_withdraw(*, deviation: Deviation, by: User, reason: str) -> Deviation:
    """The reporter withdraws a deviation filed by mistake: it leaves the triage queue and every
    analysis, stays in the history with the reason, and can be seen by its reporter."""
    _check_reporter_may_change(deviation, by)
    deviation.status = Deviation.Status.WITHDRAWN
    deviation._change_reason = _reason(reason)  # type: ignore[attr-defined]
    deviation._history_user = by  # type: ignore[attr-defined]
    deviation.save(update_fields=["status", "updated_at"])
    taggings_changed(deviation_ids=[deviation.pk])
    return deviation
