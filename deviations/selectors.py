"""Reads, scoped to what the asking user may see. The one place visibility is decided."""

import time
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404

from deviations.models import (
    Agency,
    Deviation,
    Draft,
    Job,
    Law,
    Provision,
    Tagging,
    Term,
    Unit,
    User,
)
from deviations.similarity import similarity, text_words
from deviations.tagging import TagCatalogue


def deviation_list(*, user: User) -> QuerySet[Deviation]:
    """Deviations this user may see.

    Analysts and administrators see every unit's deviations; staff see their own units' and
    their own reports. Drafts are not deviations (see `draft_list`). Steering-group members see
    the evidence of barriers escalated to their groups (none until barriers exist).
    """
    qs = Deviation.objects.select_related("municipality", "unit", "reporter")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    own = Q(reporter=user)
    if user.is_superuser or user.has_perm("deviations.view_all_deviations"):
        return qs
    if user.has_perm("deviations.add_deviation"):
        return qs.filter(Q(unit__in=user.units.all()) | own)
    return qs.filter(own)


def own_deviation_list(*, user: User) -> QuerySet[Deviation]:
    """ "Mina avvikelser": what this user reported, newest first."""
    return deviation_list(user=user).filter(reporter=user).order_by("-reported_at")


def draft_list(*, user: User) -> QuerySet[Draft]:
    """A user's drafts; nobody else ever sees them."""
    if not user.is_authenticated:
        return Draft.objects.none()
    return Draft.objects.filter(owner=user)


def draft_get(*, user: User, key: str) -> Draft:
    return get_object_or_404(draft_list(user=user), key=key)


def deviation_get(*, user: User, reference: str) -> Deviation:
    """One visible deviation, or 404: invisible and missing look the same to the asker."""
    return get_object_or_404(deviation_list(user=user), reference=reference)


def tagging_list(*, deviation: Deviation) -> QuerySet[Tagging]:
    return deviation.taggings.order_by("kind", "tag_id")


def unit_list(*, user: User) -> QuerySet[Unit]:
    """Units the user can file for: their own, or all active ones for analysts."""
    qs = Unit.objects.filter(is_active=True).select_related("forbund")
    if user.is_superuser or user.has_perm("deviations.view_all_deviations"):
        return qs
    return qs.filter(members=user)


_catalogue_cache: dict[str, tuple[tuple[object, ...], TagCatalogue]] = {}


FINGERPRINT_SECONDS = 2.0
_fingerprint_memo: dict[str, tuple[float, tuple[object, ...]]] = {}


def _catalogue_fingerprint() -> tuple[object, ...]:
    """Changes whenever anyone edits the catalogue: every edit writes an audit row.

    Checked at most every two seconds per process, so a page that labels many tags asks the
    database once; an edit shows within two seconds everywhere.
    """
    now = time.monotonic()
    memo = _fingerprint_memo.get("default")
    if memo and now - memo[0] < FINGERPRINT_SECONDS:
        return memo[1]
    fingerprint = tuple(
        model.history.aggregate(last=Max("history_id"))["last"]  # type: ignore[attr-defined]
        for model in (Law, Agency, Term, Provision)
    )
    _fingerprint_memo["default"] = (now, fingerprint)
    return fingerprint


def catalogue_changed() -> None:
    """Forget the memo, e.g. right after loading the catalogue or in tests."""
    _fingerprint_memo.clear()


def tag_catalogue() -> TagCatalogue:
    """The catalogue as the tagger sees it, rebuilt only after an edit."""
    fingerprint = _catalogue_fingerprint()
    cached = _catalogue_cache.get("default")
    if cached and cached[0] == fingerprint:
        return cached[1]
    catalogue = TagCatalogue.from_rows(
        laws=Law.objects.filter(sfs__isnull=False).values(
            "sfs",
            "title",
            "abbreviations",
            "name_forms",
            "kind",
            "has_chapters",
            "in_force_from",
            "in_force_to",
        ),
        agencies=Agency.objects.values("code", "name", "variants", "subunits", "context_dependent"),
        terms=Term.objects.values("term", "forms", "targets", "ambiguous"),
        provisions=Provision.objects.values_list("tag_id", flat=True),
    )
    _catalogue_cache["default"] = (fingerprint, catalogue)
    return catalogue


@dataclass(frozen=True, slots=True)
class TagChoice:
    """A catalogue entry as a person picks it: identifier, kind, readable label, a hint."""

    id: str
    kind: str
    label: str
    hint: str


_choices_cache: dict[str, tuple[tuple[object, ...], dict[str, TagChoice]]] = {}


def tag_choices() -> dict[str, TagChoice]:
    """Every taggable agency, law and provision by tag id, for chips, search and labels."""
    fingerprint = _catalogue_fingerprint()
    cached = _choices_cache.get("default")
    if cached and cached[0] == fingerprint:
        return cached[1]
    choices: dict[str, TagChoice] = {}
    for agency in Agency.objects.order_by("name"):
        choices[agency.tag_id] = TagChoice(agency.tag_id, "agency", agency.name, agency.code)
    laws = Law.objects.filter(sfs__isnull=False).order_by("title")
    for law in laws:
        short = law.abbreviations[0] if law.abbreviations else law.short_name or law.title
        choices[law.tag_id] = TagChoice(law.tag_id, "law", str(short), f"{law.title} ({law.sfs})")
    for provision in Provision.objects.select_related("law").order_by("law__title", "tag_id"):
        choices[provision.tag_id] = TagChoice(
            provision.tag_id, "provision", provision.citation, provision.description
        )
    _choices_cache["default"] = (fingerprint, choices)
    return choices


def tag_label(tag_id: str) -> str:
    """A readable name for a tag id; unknown ids (laws outside the catalogue) show as given."""
    choice = tag_choices().get(tag_id)
    return choice.label if choice else tag_id


def similar_deviations(
    *, deviation: Deviation, user: User, limit: int = 5, threshold: float = 0.25
) -> list[tuple[Deviation, float]]:
    """Possible duplicates: visible deviations within a year that share tags, most alike first."""
    tags = set(
        deviation.taggings.exclude(state=Tagging.State.REJECTED).values_list("tag_id", flat=True)
    )
    if not tags:
        return []
    window = timedelta(days=365)
    candidate_ids = (
        Tagging.objects.filter(tag_id__in=tags)
        .exclude(state=Tagging.State.REJECTED)
        .exclude(deviation_id=deviation.pk)
        .filter(
            deviation__occurred_on__range=(
                deviation.occurred_on - window,
                deviation.occurred_on + window,
            )
        )
        .values("deviation_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "deviation_id")
        .values_list("deviation_id", flat=True)[:200]
    )
    candidates = (
        deviation_list(user=user).filter(pk__in=list(candidate_ids)).prefetch_related("taggings")
    )
    own_words = text_words(deviation.description)
    scored = []
    for other in candidates:
        other_tags = {t.tag_id for t in other.taggings.all() if t.state != Tagging.State.REJECTED}
        score = similarity(tags, own_words, other_tags, text_words(other.description))
        if score >= threshold:
            scored.append((other, score))
    scored.sort(key=lambda pair: (-pair[1], pair[0].reference))
    return scored[:limit]


def triage_queue(*, user: User) -> QuerySet[Deviation]:
    """Deviations waiting for an analyst, oldest report first."""
    return (
        deviation_list(user=user)
        .filter(status=Deviation.Status.SUBMITTED)
        .order_by("reported_at", "pk")
    )


def job_list(*, user: User) -> QuerySet[Job]:
    """The jobs a user may follow: their own, or every job with the view_job permission
    (analysts and administrators watch the knot recomputation and the scheduled work)."""
    jobs = Job.objects.select_related("created_by").defer("input", "output")
    if user.has_perm("deviations.view_job"):
        return jobs
    return jobs.filter(created_by=user)


def job_get(*, user: User, key: object) -> Job:
    """One job this user may follow, or 404: someone else's job looks like no job."""
    return get_object_or_404(job_list(user=user), key=key)
