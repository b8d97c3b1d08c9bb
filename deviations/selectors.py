"""Reads, scoped to what the asking user may see. The one place visibility is decided."""

from django.db.models import Max, Q, QuerySet
from django.shortcuts import get_object_or_404

from deviations.models import Agency, Deviation, Draft, Law, Provision, Tagging, Term, Unit, User
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
    """"Mina avvikelser": what this user reported, newest first."""
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


def _catalogue_fingerprint() -> tuple[object, ...]:
    """Changes whenever anyone edits the catalogue: every edit writes an audit row."""
    return tuple(
        model.history.aggregate(last=Max("history_id"))["last"]  # type: ignore[attr-defined]
        for model in (Law, Agency, Term, Provision)
    )


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
