"""Routing over the real mandate ladder, as plain data: no database (R15)."""

from __future__ import annotations

import json

import pytest

from barriers.routing import (
    BarrierScope,
    GroupData,
    agencies_of,
    infer_mandate,
    mandate_rank,
    route,
)
from catalogue.schema import DATA_DIR

LADDER = tuple(
    GroupData(
        slug=row["slug"],
        level=row["level"],
        mandate=mandate_rank(row["mandate"]),
        municipalities=frozenset(row["municipalities"]),
        agencies=frozenset(row["agencies"]),
    )
    for row in json.loads((DATA_DIR / "steering_groups.json").read_text(encoding="utf-8"))
)
FOUR_PARTIES = {"AF", "FK", "KOMMUN", "REGION"}


def scope(places: set[str], agencies: set[str], mandate: str) -> BarrierScope:
    return BarrierScope(frozenset(places), frozenset(agencies), mandate_rank(mandate))


@pytest.mark.parametrize(
    ("case", "barrier", "groups", "outcome", "group"),
    [
        (
            "local only: Täby, the four parties, a routine",
            scope({"0160"}, FOUR_PARTIES, "local_routine"),
            LADDER,
            "routed",
            "styrelse-roslagen",
        ),
        (
            "local, two förbund: no board covers both, the lowest whole-area group does",
            scope({"0160", "0136"}, {"AF", "FK"}, "local_routine"),
            LADDER,
            "routed",
            "nationella-radet",
        ),
        (
            "regional: the region and FK across the county",
            scope({"0160", "0180"}, {"FK", "REGION"}, "regional_agreement"),
            LADDER,
            "routed",
            "region-stockholm-fk-samverkansgrupp",
        ),
        (
            "regional: kommun and region (SIP routines)",
            scope({"0126"}, {"KOMMUN", "REGION"}, "regional_agreement"),
            LADDER,
            "routed",
            "storsthlm-vis",
        ),
        (
            "needs agency HQ: socialtjänst guidance (allmänna råd)",
            scope({"0160"}, {"KOMMUN"}, "agency_guideline"),
            LADDER,
            "routed",
            "socialstyrelsen",
        ),
        (
            "needs agency HQ for AF only",
            scope({"0160"}, {"AF"}, "agency_guideline"),
            LADDER,
            "routed",
            "nationella-radet",  # national sits below agency HQ on the ladder (docs/domain.md §1.4)
        ),
        (
            "needs an ordinance for state agencies",
            scope({"0160"}, {"AF", "CSN"}, "forordning"),
            LADDER,
            "routed",
            "regeringskansliet",
        ),
        (
            "needs a law change",
            scope({"0160"}, {"AF", "FK"}, "lag"),
            LADDER,
            "routed",
            "riksdagen",
        ),
        (
            "no body with mandate: a party no group has",
            scope({"0160"}, {"FK", "ISF"}, "agency_guideline"),
            LADDER,
            "no_body",
            "riksdagen",
        ),
        (
            "no body covers the area: Solna is outside every förbund of this ladder",
            scope({"0184"}, FOUR_PARTIES, "local_routine"),
            tuple(g for g in LADDER if g.level in ("forbund_board", "regional")),
            "no_body",
            "region-stockholm-fk-samverkansgrupp",
        ),
    ],
)
def test_route_table(case: str, barrier: BarrierScope, groups, outcome: str, group: str) -> None:
    result = route(barrier, groups)
    assert (result.outcome, result.group) == (outcome, group), case


def test_route_says_why_each_lower_group_was_passed_over() -> None:
    result = route(scope({"0160"}, {"AF", "FK"}, "lag"), LADDER)
    reasons = {c.group: [r.code for r in c.reasons] for c in result.considered}
    assert result.reason.code == "lowest_with_mandate"
    assert result.reason.params == {
        "group": "riksdagen",
        "level": "riksdag",
        "mandate": "lag",
        "needed": "lag",
    }
    assert reasons["styrelse-roslagen"] == ["mandate_too_low"]
    assert reasons["styrelse-hbs"] == ["outside_area", "mandate_too_low"]
    assert reasons["storsthlm-vis"] == ["agencies_missing", "mandate_too_low"]
    assert reasons["riksdagen"] == []
    assert [c.group for c in result.considered][-1] == "riksdagen"  # ladder order, lowest first


def test_groups_that_qualify_but_sit_higher_are_named_as_such() -> None:
    result = route(scope({"0160"}, {"FK"}, "local_routine"), LADDER)
    passed = {c.group: c for c in result.considered}
    assert result.group == "styrelse-roslagen"
    assert passed["riksdagen"].qualifies
    assert passed["riksdagen"].reasons[0].code == "higher_on_ladder"
    assert passed["riksdagen"].reasons[0].params == {"chosen": "styrelse-roslagen"}


def test_no_body_outcome_says_it_goes_to_the_top() -> None:
    result = route(scope({"0160"}, {"ISF"}, "local_routine"), LADDER)
    assert result.outcome == "no_body"
    assert result.reason.code == "no_body_with_mandate"
    assert result.reason.params == {"group": "riksdagen", "needed": "local_routine"}
    assert not any(c.qualifies for c in result.considered)


def test_unknown_place_is_covered_only_by_whole_area_groups() -> None:
    result = route(scope(set(), {"AF", "FK"}, "local_routine"), LADDER)
    board = next(c for c in result.considered if c.group == "styrelse-roslagen")
    assert result.group == "nationella-radet"
    assert [r.code for r in board.reasons] == ["area_unknown"]


def test_non_parties_do_not_block_a_route_and_are_listed() -> None:
    barrier = scope({"0160"}, {"FK", "FORBUND", "ARBETSGIVARE"}, "local_routine")
    result = route(barrier, LADDER)
    assert result.group == "styrelse-roslagen"
    assert result.ignored_agencies == ("ARBETSGIVARE", "FORBUND")
    assert route(barrier, LADDER, non_parties=frozenset()).group == "riksdagen"


def test_ties_break_the_same_way_whatever_the_input_order() -> None:
    barrier = scope({"0160"}, {"AF", "FK"}, "agency_guideline")
    forward = route(barrier, LADDER)
    backward = route(barrier, tuple(reversed(LADDER)))
    assert forward == backward
    assert forward.group == "nationella-radet"  # before nsg-fk-af: same rung, slug order


def test_tighter_area_wins_within_a_rung() -> None:
    wide = GroupData("a-wide", "forbund_board", 1, frozenset({"0160", "0162", "0115"}))
    tight = GroupData("z-tight", "forbund_board", 1, frozenset({"0160"}))
    assert route(scope({"0160"}, set(), "local_routine"), [wide, tight]).group == "z-tight"


def test_forwarding_routes_only_above_the_current_group() -> None:
    barrier = scope({"0160"}, {"AF", "FK"}, "local_routine")
    board = next(g for g in LADDER if g.slug == "styrelse-roslagen")
    result = route(barrier, LADDER, above=board)
    assert result.group == "nationella-radet"
    assert result.reason.params["above"] == "styrelse-roslagen"
    passed = {c.group: [r.code for r in c.reasons] for c in result.considered}
    assert passed["styrelse-roslagen"] == ["not_above"]


def test_forwarding_from_the_top_has_nowhere_to_go() -> None:
    top = next(g for g in LADDER if g.slug == "riksdagen")
    result = route(scope({"0160"}, {"AF"}, "lag"), LADDER, above=top)
    assert (result.outcome, result.group, result.reason.code) == (
        "top_reached",
        None,
        "top_reached",
    )


def test_no_groups_is_its_own_outcome() -> None:
    result = route(scope({"0160"}, {"AF"}, "lag"), [])
    assert (result.outcome, result.group) == ("no_groups", None)


def test_route_as_dict_is_plain_json() -> None:
    result = route(scope({"0160"}, {"AF", "FK"}, "lag"), LADDER)
    assert json.loads(json.dumps(result.as_dict())) == result.as_dict()
    assert result.as_dict()["reason"]["code"] == "lowest_with_mandate"


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ([], "local_routine"),
        (["allmanna_rad"], "agency_guideline"),
        (["forordning", "foreskrift"], "forordning"),
        (["forordning", "lag"], "lag"),
    ],
)
def test_mandate_is_inferred_from_the_highest_kind_of_law(kinds: list[str], expected: str) -> None:
    assert infer_mandate(kinds) == mandate_rank(expected)


def test_agencies_are_read_from_tags() -> None:
    assert agencies_of(["agency:FK", "law:2010:110", "agency:AF"]) == {"AF", "FK"}


def test_unknown_level_or_mandate_is_refused() -> None:
    with pytest.raises(ValueError, match="level"):
        GroupData("x", "county", 1)
    with pytest.raises(ValueError, match="mandate"):
        mandate_rank("constitution")
