"""Which steering group can act on a barrier: the mandate ladder of docs/domain.md §1.4 as plain
data.

Pure: no Django, no database. The service layer turns groups and barriers into `GroupData` and
`BarrierScope`, calls `route`, and stores `Route.as_dict()` with the escalation so the reason can
be shown (and translated) later, exactly as it was when the route was proposed.

The rule: propose the *lowest* group on the ladder whose area covers the barrier's
municipalities, whose members include every party involved, and whose mandate reaches the level
the change needs. When no group qualifies, say so ("no body with mandate") and send the barrier
to the top of the ladder, the body that can change the law.

Decisions taken here, and why:

- "Lowest" is the ladder order of `LEVELS` (förbund board → regional → national → agency HQ →
  government → Riksdag), then the smaller mandate, then the tighter area (a group with listed
  municipalities before a whole-area group; fewer municipalities first), then fewer member
  agencies (the closest fit), then the slug. The order is total, so the proposal is
  deterministic.
- A group with no municipalities covers the whole area it sits in (regional and national
  groups). A barrier whose place is unknown (no evidence yet) is only covered by such groups:
  an area-limited group cannot be shown to cover it.
- Not every agency tag names a party that a steering group could have as a member.
  `NON_PARTIES` are left out of the membership test and listed in the route:
  * `FORBUND`: the samordningsförbund is the body that brings the barrier, not a party to it;
  * `ARBETSGIVARE`: a private employer sits in no public steering group; what binds employers
    is law (sjuklön, rehabilitation duties), and that need is carried by the mandate level.
  The a-kassor (`AKASSA`) stay parties: they decide on benefits under a law, and only the
  Riksdag's ladder rung lists them, which is where their rules are changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "LEVELS",
    "MANDATES",
    "NON_PARTIES",
    "BarrierScope",
    "Consideration",
    "GroupData",
    "Reason",
    "Route",
    "agencies_of",
    "infer_mandate",
    "mandate_code",
    "mandate_rank",
    "route",
]

# The ladder, lowest first. Codes are those of the JSON catalogue (steering_groups.json).
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

    def __post_init__(self) -> None:
        level_rank(self.level)
        mandate_code(self.mandate)

    @property
    def whole_area(self) -> bool:
        return not self.municipalities

    def ladder_key(self) -> tuple[int, int, int, int, int, str]:
        """Position on the ladder, lowest first; total, so ties never depend on input order."""
        return (
            level_rank(self.level),
            self.mandate,
            1 if self.whole_area else 0,
            len(self.municipalities),
            len(self.agencies),
            self.slug,
        )


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
    """The proposal: a group (slug) or none, why, and every group considered in ladder order."""

    outcome: Outcome
    group: str | None
    reason: Reason
    considered: tuple[Consideration, ...] = ()
    ignored_agencies: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "group": self.group,
            "reason": self.reason.as_dict(),
            "considered": [c.as_dict() for c in self.considered],
            "ignored_agencies": list(self.ignored_agencies),
        }


def _shortfalls(group: GroupData, scope: BarrierScope, parties: frozenset[str]) -> list[Reason]:
    reasons: list[Reason] = []
    if not group.whole_area:
        if not scope.municipalities:
            reasons.append(Reason("area_unknown"))
        elif missing := sorted(scope.municipalities - group.municipalities):
            reasons.append(Reason("outside_area", {"missing": missing}))
    if missing := sorted(parties - group.agencies):
        reasons.append(Reason("agencies_missing", {"missing": missing}))
    if group.mandate < scope.mandate:
        reasons.append(
            Reason(
                "mandate_too_low",
                {"mandate": mandate_code(group.mandate), "needed": mandate_code(scope.mandate)},
            )
        )
    return reasons


def _top(groups: Sequence[GroupData]) -> GroupData:
    """The top of the ladder: highest level, then highest mandate, then the widest group."""
    return min(
        groups,
        key=lambda g: (
            -level_rank(g.level),
            -g.mandate,
            0 if g.whole_area else 1,
            -len(g.agencies),
            g.slug,
        ),
    )


def route(
    scope: BarrierScope,
    groups: Iterable[GroupData],
    *,
    above: GroupData | None = None,
    non_parties: frozenset[str] = NON_PARTIES,
) -> Route:
    """Propose the lowest group that can act on the barrier, and say why (module docstring).

    With `above` (a forward from that group), only groups higher on the ladder than it are
    candidates; forwarding from the top of the ladder has nowhere to go (`top_reached`).
    """
    ladder = sorted(groups, key=GroupData.ladder_key)
    parties = frozenset(scope.agencies - non_parties)
    ignored = tuple(sorted(scope.agencies & non_parties))
    needed = mandate_code(scope.mandate)
    if not ladder:
        return Route("no_groups", None, Reason("no_groups", {"needed": needed}), (), ignored)

    def is_above(group: GroupData) -> bool:
        return above is None or level_rank(group.level) > level_rank(above.level)

    shortfalls: dict[str, tuple[Reason, ...]] = {}
    for group in ladder:
        not_above = (
            (Reason("not_above", {"current": above.slug}),)
            if above is not None and not is_above(group)
            else ()
        )
        shortfalls[group.slug] = (*not_above, *_shortfalls(group, scope, parties))
    chosen = next((g for g in ladder if not shortfalls[g.slug]), None)

    outcome: Outcome
    if chosen is not None:
        outcome = "routed"
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
    else:
        top = _top(ladder)
        if is_above(top):
            outcome, chosen = "no_body", top
            reason = Reason("no_body_with_mandate", {"group": top.slug, "needed": needed})
        else:
            outcome = "top_reached"
            reason = Reason("top_reached", {"current": top.slug, "needed": needed})

    def passed_over(group: GroupData) -> tuple[Reason, ...]:
        if shortfalls[group.slug] or chosen is None or group is chosen:
            return shortfalls[group.slug]
        return (Reason("higher_on_ladder", {"chosen": chosen.slug}),)

    considered = tuple(
        Consideration(group=g.slug, qualifies=not shortfalls[g.slug], reasons=passed_over(g))
        for g in ladder
    )
    return Route(outcome, chosen.slug if chosen else None, reason, considered, ignored)
