"""Reads, scoped to what the asking user may see. The one place visibility is decided."""

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from catalogue.models import Forbund
from deviations.models import Deviation, Draft, Tagging, Unit, User
from deviations.similarity import similarity, text_words

ANALYST_PERMISSION = "deviations.view_all_deviations"
COUNTY_PERMISSION = "deviations.view_county_deviations"


def county_organisations(county: str) -> QuerySet[Forbund]:
    """The organisations (förbund) of a county, by SCB county code ("01"): those whose member
    municipalities' codes begin with it."""
    return Forbund.objects.filter(municipalities__code__startswith=county).distinct()


def organisation_scope(user: User) -> frozenset[int] | None:
    """The organisations (samordningsförbund ids) whose deviations this analyst works with;
    None for the whole installation.

    Each förbund is its own data controller: an analyst or local administrator sees their own
    organisation's units, a county analyst every organisation of their organisation's county.
    A person with no organisation (the installation's own administrators, a site with one
    förbund) and superusers see everything. Every analyst read — lists, knots, statistics,
    exports, jobs, the API — narrows by this one answer (docs/organisations.md).
    """
    cached = getattr(user, "_organisation_scope", False)
    if cached is not False:
        return cached
    scope: frozenset[int] | None
    if user.is_superuser or user.organisation_id is None:
        scope = None
    elif user.has_perm(COUNTY_PERMISSION) and (county := user.organisation.county):
        scope = frozenset(county_organisations(county).values_list("pk", flat=True)) | {
            user.organisation_id
        }
    else:
        scope = frozenset({user.organisation_id})
    user._organisation_scope = scope
    return scope


def sees_organisation_deviations(user: User) -> bool:
    """Whether the user analyses deviations (of their organisation, county or everything)."""
    return bool(user.is_superuser or user.has_perm(ANALYST_PERMISSION))


def organisation_units(user: User) -> QuerySet[Unit]:
    """The units inside the user's organisation scope (all units for the whole installation)."""
    scope = organisation_scope(user)
    qs = Unit.objects.all()
    return qs if scope is None else qs.filter(forbund_id__in=scope)


def people_in_scope(user: User) -> Q | None:
    """For lists of other people's work (jobs): people of the user's organisations, by their
    organisation or by a unit of it; None for the whole installation."""
    scope = organisation_scope(user)
    if scope is None:
        return None
    people = User.objects.filter(Q(organisation_id__in=scope) | Q(units__forbund_id__in=scope))
    return Q(created_by__in=people.values("pk"))


def deviation_list(*, user: User) -> QuerySet[Deviation]:
    """Deviations this user may see.

    Analysts and administrators see the deviations of every unit in their organisation scope
    (`organisation_scope`); staff see their own units' and their own reports. Drafts are not
    deviations (see `draft_list`). Steering-group members see the evidence of barriers
    escalated to their groups (barriers.selectors).
    """
    qs = Deviation.objects.select_related("municipality", "unit", "reporter")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    own = Q(reporter=user)
    if sees_organisation_deviations(user):
        scope = organisation_scope(user)
        if scope is None:
            return qs
        mine = _own_units(user) if user.has_perm("deviations.add_deviation") else Q()
        return qs.filter(Q(unit__forbund_id__in=scope) | mine | own)
    if user.has_perm("deviations.add_deviation"):
        return qs.filter(_own_units(user) | own)
    return qs.filter(own)


def deviation_count(*, user: User) -> int:
    """How many deviations `deviation_list` gives this user. Staff's "their units or their own
    reports" is counted as two disjoint parts, each read from one index: the disjunction made
    the database visit every row of the units (1M deviations: 150 ms → a few)."""
    staff_only = (
        user.is_authenticated
        and user.is_active
        and user.has_perm("deviations.add_deviation")
        and not sees_organisation_deviations(user)
    )
    if not staff_only:
        return deviation_list(user=user).count()
    units = list(user.units.values_list("pk", flat=True))
    in_units = Deviation.objects.filter(unit_id__in=units).count() if units else 0
    elsewhere = Deviation.objects.filter(reporter=user).exclude(unit_id__in=units).count()
    return in_units + elsewhere


# How many of all reports, newest first, the start page looks among for a person's newest.
RECENT_WINDOWS = (500, 10_000, 200_000)
# A person who sees no more reports than this gets the plain query: sorting them is quick on
# any database, and the windows would only be probes that find too few.
RECENT_PLAIN = 10_000


def deviation_recent(*, user: User, count: int = 10, visible: int | None = None) -> list[Deviation]:
    """The newest `count` reports this user can see (`visible`: how many that is, if known).
    Looked for first among the newest 500 reports of all, then wider. Exact: once `count` are
    found at or after the window's oldest time, no older report can belong in front of them.
    The plain query ("their units or their own reports, newest first") made SQLite sort every
    row of the units (1M deviations: 150 ms → 1 ms)."""
    newest = deviation_list(user=user).order_by("-reported_at")
    if visible is not None and visible <= RECENT_PLAIN:
        return list(newest[:count])
    times = Deviation.objects.order_by("-reported_at").values_list("reported_at", flat=True)
    for window in RECENT_WINDOWS:
        oldest = list(times[window - 1 : window])
        if not oldest:
            break  # fewer reports than the window: all of them
        found = list(newest.filter(reported_at__gte=oldest[0])[:count])
        if len(found) == count:
            return found
    return list(newest[:count])


def _own_units(user: User) -> Q:
    """The user's units as a list of ids, not a subquery: "unit in (…) or reporter = …" is
    then answered from two indexes instead of a scan of every deviation (1M: 260 → 30 ms)."""
    return Q(unit_id__in=list(user.units.values_list("pk", flat=True)))


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
    if sees_organisation_deviations(user):
        scope = organisation_scope(user)
        if scope is None:
            return qs
        return qs.filter(Q(forbund_id__in=scope) | Q(members=user)).distinct()
    return qs.filter(members=user)


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
