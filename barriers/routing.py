"""Which steering group can act on a barrier: the mandate ladder of docs/domain.md §1.4 as plain
data.

Pure: no Django, no database. The service layer turns groups and barriers into `GroupData` and
`BarrierScope`, calls `route`, and stores `Route.as_dict()` with the escalation so the reason can
be shown (and translated) later, exactly as it was when the route was proposed.

The rule: propose the *lowest* group on the ladder whose area covers the barrier's
municipalities and whose mandate reaches the level the change needs. Parties to the barrier that
are not members of that group are named as parties to invite (`Route.invite`): a regional
problem shared by four parties goes to a regional group that invites the missing ones, not up to
the Riksdag because no regional group has all four as members. When no group qualifies, say so
("no body with mandate") and send the barrier to the top of the ladder.

Decisions taken here, and why:

- National bodies come into question only when the level needs them: a group's mandate is the
  highest rule level it can change, and regional groups (whole county, mandate "regional
  agreement") sit below every national one, so a local routine or a regional agreement never
  reaches them unless a group forwards it.
- A guideline is changed by the agency that issued it. A group whose mandate is one of
  `PARTY_BOUND_MANDATES` acts through its member agencies, so it qualifies only when one of the
  barrier's parties is a member (`no_party_member`): an allmänna råd of Socialstyrelsen about
  kommun and region goes to Socialstyrelsen, not to the FK–AF council that sits lower. Ordinances
  and laws bind every agency, so the government and the Riksdag need no such link.
- "Lowest", and the tie-break among groups of the same rung and mandate: the ladder order of
  `LEVELS` (förbund board → regional → national → agency HQ → government → Riksdag), then the
  smaller mandate, then the tighter area (a group with listed municipalities before a
  whole-area group; fewer municipalities first), then fewer parties left to invite (the group
  that already has most of them), then fewer member agencies (the closest fit), then the slug.
  The order is total, so the proposal never depends on the order groups are given in.
- The top of the ladder is the last group in that order.
- A group with no municipalities covers the whole area it sits in: its county (`county`, the
  SCB county code, which is the first two digits of every kommunkod in it) for a county's
  regional groups, the country for national ones (no county). A county group covers a barrier
  whose municipalities all lie in its county; one place outside it (a barrier in Stockholm and
  Skåne) passes it over like any other place outside an area, so a cross-county barrier climbs
  to the national level even for a regional agreement: no county's body can agree for another.
  Among groups of the same rung and mandate, a county-wide group comes before a nation-wide one.
- A barrier whose place is unknown (no evidence yet) is only covered by whole-area groups:
  an area-limited group cannot be shown to cover it. A county group is area-limited only when
  the ladder holds more than one county (then nothing says which county the barrier is in); on
  a one-county ladder its county is the whole area, as before counties were data.
- Not every agency tag names a party. `NON_PARTIES` are neither invited nor count as a link
  to a guideline group; they are listed in the route:
  * `FORBUND`: the samordningsförbund is the body that brings the barrier, not a party to it;
  * `ARBETSGIVARE`: a private employer sits in no public steering group; what binds employers
    is law (sjuklön, rehabilitation duties), and that need is carried by the mandate level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "LEVELS",
    "MANDATES",
    "NON_PARTIES",
    "PARTY_BOUND_MANDATES",
    "BarrierScope",
    "Consideration",
    "GroupData",
    "Reason",
    "Route",
    "agencies_of",
    "county_of",
    "infer_mandate",
    "mandate_code",
    "mandate_rank",
    "route",
]

# The ladder, lowest first. Codes are those of the JSON catalogue (catalogue/data/ladders/).
LEVELS: tuple[str, ...] = (
    "forbund_board",
    "regional",
    "national",
    "agency_hq",
    "government",
    "riksdag",
)
# Rule levels, lowest first; a mandate's rank is its position + 1 (MandateLevel's value).
MANDATES: tuple[str, ...] = (
    "local_routine",
    "regional_agreement",
    "agency_guideline",
    "forordning",
    "lag",
)
NON_PARTIES: frozenset[str] = frozenset({"FORBUND", "ARBETSGIVARE"})
# Mandates a group uses through its member agencies (module docstring).
PARTY_BOUND_MANDATES: frozenset[str] = frozenset({"agency_guideline"})

# What changing a rule of each kind of law needs (deviations.models.Law.Kind codes).
LAW_KIND_MANDATE: Mapping[str, str] = {
    "lag": "lag",
    "forordning": "forordning",
    "foreskrift": "agency_guideline",
    "allmanna_rad": "agency_guideline",
}

AGENCY_PREFIX = "agency:"

Outcome = Literal["routed", "no_body", "top_reached", "no_groups"]


def mandate_rank(code: str) -> int:
    """`local_routine` → 1 … `lag` → 5; ValueError for an unknown code."""
    try:
        return MANDATES.index(code) + 1
    except ValueError:
        raise ValueError(f"unknown mandate level: {code!r}") from None


def mandate_code(rank: int) -> str:
    if not 1 <= rank <= len(MANDATES):
        raise ValueError(f"mandate rank out of range: {rank!r}")
    return MANDATES[rank - 1]


def level_rank(code: str) -> int:
    try:
        return LEVELS.index(code)
    except ValueError:
        raise ValueError(f"unknown steering level: {code!r}") from None


def infer_mandate(law_kinds: Iterable[str]) -> int:
    """The rank a change needs, from the kinds of law a barrier's tags cite.

    The highest kind wins (one act among ordinances makes it a law-level change). Without any
    law the barrier is about how the parties work together: a local routine. The analyst may
    change it; this is only the starting point.
    """
    ranks = [mandate_rank(LAW_KIND_MANDATE[kind]) for kind in law_kinds if kind in LAW_KIND_MANDATE]
    return max(ranks, default=mandate_rank("local_routine"))


def county_of(municipality: str) -> str:
    """The SCB county code of a kommunkod: its first two digits (`1280` Malmö → `12`)."""
    return municipality[:2]


def agencies_of(tags: Iterable[str]) -> frozenset[str]:
    """Agency codes among tag ids: `agency:FK` → `FK`."""
    return frozenset(tag[len(AGENCY_PREFIX) :] for tag in tags if tag.startswith(AGENCY_PREFIX))


@dataclass(frozen=True, slots=True)
class GroupData:
    """A steering group as routing sees it."""

    slug: str
    level: str
    mandate: int
    municipalities: frozenset[str] = frozenset()  # empty: the whole area it sits in
    agencies: frozenset[str] = frozenset()
    county: str = ""  # SCB county code of its ladder; empty: the whole country

    def __post_init__(self) -> None:
        level_rank(self.level)
        mandate_code(self.mandate)

    @property
    def whole_area(self) -> bool:
        return not self.municipalities


@dataclass(frozen=True, slots=True)
class BarrierScope:
    """What a barrier needs from a group: its places, the parties involved, the rule level."""

    municipalities: frozenset[str]
    agencies: frozenset[str]
    mandate: int

    def __post_init__(self) -> None:
        mandate_code(self.mandate)


@dataclass(frozen=True, slots=True)
class Reason:
    """A machine-readable reason: a stable code and its parameters, translated at the edge."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}


@dataclass(frozen=True, slots=True)
class Consideration:
    """One group looked at: does it qualify, and if it was passed over, why."""

    group: str
    qualifies: bool
    reasons: tuple[Reason, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "qualifies": self.qualifies,
            "reasons": [reason.as_dict() for reason in self.reasons],
        }


@dataclass(frozen=True, slots=True)
class Route:
    """The proposal: a group (slug) or none, why, every group considered in ladder order, the
    parties the proposed group should invite and the agency tags not counted as parties."""

    outcome: Outcome
    group: str | None
    reason: Reason
    considered: tuple[Consideration, ...] = ()
    ignored_agencies: tuple[str, ...] = ()
    invite: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "group": self.group,
            "reason": self.reason.as_dict(),
            "considered": [c.as_dict() for c in self.considered],
            "ignored_agencies": list(self.ignored_agencies),
            "invite": list(self.invite),
        }


def _order(
    group: GroupData, parties: frozenset[str]
) -> tuple[int, int, bool, bool, int, int, int, str]:
    """Position on the ladder for this barrier, lowest first (module docstring); total."""
    return (
        level_rank(group.level),
        group.mandate,
        group.whole_area,
        not group.county,
        len(group.municipalities),
        len(parties - group.agencies),
        len(group.agencies),
        group.slug,
    )


def _shortfalls(
    group: GroupData,
    scope: BarrierScope,
    parties: frozenset[str],
    party_bound: frozenset[str],
    counties: frozenset[str],
) -> list[Reason]:
    """Why a group cannot act on the barrier; empty when it can. `counties`: those on the
    ladder."""
    reasons: list[Reason] = []
    if not group.whole_area:
        if not scope.municipalities:
            reasons.append(Reason("area_unknown"))
        elif missing := sorted(scope.municipalities - group.municipalities):
            reasons.append(Reason("outside_area", {"missing": missing}))
    elif group.county:
        if not scope.municipalities:
            if len(counties) > 1:
                reasons.append(Reason("area_unknown"))
        elif missing := sorted(m for m in scope.municipalities if county_of(m) != group.county):
            reasons.append(Reason("outside_area", {"missing": missing}))
    mandate = mandate_code(group.mandate)
    if group.mandate < scope.mandate:
        reasons.append(
            Reason("mandate_too_low", {"mandate": mandate, "needed": mandate_code(scope.mandate)})
        )
    if mandate in party_bound and parties and parties.isdisjoint(group.agencies):
        reasons.append(Reason("no_party_member", {"mandate": mandate, "parties": sorted(parties)}))
    return reasons


def route(
    scope: BarrierScope,
    groups: Iterable[GroupData],
    *,
    above: GroupData | None = None,
    non_parties: frozenset[str] = NON_PARTIES,
    party_bound: frozenset[str] = PARTY_BOUND_MANDATES,
) -> Route:
    """Propose the lowest group that can act on the barrier, and say why (module docstring).

    With `above` (a forward from that group), only groups higher on the ladder than it are
    candidates; forwarding from the top of the ladder has nowhere to go (`top_reached`).
    """
    parties = scope.agencies - non_parties
    ladder = sorted(groups, key=lambda group: _order(group, parties))
    ignored = tuple(sorted(scope.agencies & non_parties))
    needed = mandate_code(scope.mandate)
    if not ladder:
        return Route("no_groups", None, Reason("no_groups", {"needed": needed}), (), ignored)

    def below(group: GroupData) -> tuple[Reason, ...]:
        """`not_above` when forwarding and the group is not higher than the current one."""
        if above is None or level_rank(group.level) > level_rank(above.level):
            return ()
        return (Reason("not_above", {"current": above.slug}),)

    counties = frozenset(group.county for group in ladder if group.county)
    shortfalls = {
        group.slug: (*below(group), *_shortfalls(group, scope, parties, party_bound, counties))
        for group in ladder
    }
    qualifying = [group for group in ladder if not shortfalls[group.slug]]

    outcome: Outcome
    chosen: GroupData | None
    if qualifying:
        outcome, chosen = "routed", qualifying[0]
        reason = Reason(
            "lowest_with_mandate",
            {
                "group": chosen.slug,
                "level": chosen.level,
                "mandate": mandate_code(chosen.mandate),
                "needed": needed,
                **({"above": above.slug} if above is not None else {}),
            },
        )
    elif not below(top := ladder[-1]):
        outcome, chosen = "no_body", top
        reason = Reason("no_body_with_mandate", {"group": top.slug, "needed": needed})
    else:
        outcome, chosen = "top_reached", None
        reason = Reason("top_reached", {"current": top.slug, "needed": needed})

    higher = (Reason("higher_on_ladder", {"chosen": qualifying[0].slug}),) if qualifying else ()
    considered = tuple(
        Consideration(
            group=group.slug,
            qualifies=not shortfalls[group.slug],
            reasons=shortfalls[group.slug] or (() if group is chosen else higher),
        )
        for group in ladder
    )
    invite = tuple(sorted(parties - chosen.agencies)) if chosen is not None else ()
    return Route(outcome, chosen.slug if chosen else None, reason, considered, ignored, invite)
