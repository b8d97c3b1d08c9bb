"""Routing over the real mandate ladder and over small made-up ladders, as plain data: no
database (R15). Written to kill the mutants of barriers/routing.py (docs/domain.md §1.4)."""

from __future__ import annotations

import json

import pytest

from barriers.routing import (
    BarrierScope,
    Consideration,
    GroupData,
    Reason,
    Route,
    agencies_of,
    infer_mandate,
    level_rank,
    mandate_code,
    mandate_rank,
    route,
)
from catalogue.schema import DATA_DIR

# Stockholms län's ladder and the national level, as `load_steering_groups --county stockholm`
# loads them; several counties: tests/barriers/test_ladders.py.
LADDER = tuple(
    GroupData(
        slug=row["slug"],
        level=row["level"],
        mandate=mandate_rank(row["mandate"]),
        municipalities=frozenset(row["municipalities"]),
        agencies=frozenset(row["agencies"]),
        county=ladder["county"] or "",
    )
    for ladder in (
        json.loads((DATA_DIR / "ladders" / name).read_text(encoding="utf-8"))
        for name in ("national.json", "stockholm.json")
    )
    for row in ladder["groups"]
)
FOUR_PARTIES = {"AF", "FK", "KOMMUN", "REGION"}
LOCAL, REGIONAL, GUIDELINE, FORORDNING, LAG = 1, 2, 3, 4, 5


def scope(places: set[str], agencies: set[str], mandate: str) -> BarrierScope:
    return BarrierScope(frozenset(places), frozenset(agencies), mandate_rank(mandate))


def group(
    slug: str, level: str, mandate: int, places: set[str] = frozenset(), agencies: set[str] = ()
) -> GroupData:
    return GroupData(slug, level, mandate, frozenset(places), frozenset(agencies))


def by_group(result: Route) -> dict[str, list[Reason]]:
    return {c.group: list(c.reasons) for c in result.considered}


# --- The real ladder -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "barrier", "outcome", "group", "invite"),
    [
        (
            "local only: Täby, the four parties, a routine",
            scope({"0160"}, FOUR_PARTIES, "local_routine"),
            "routed",
            "styrelse-roslagen",
            (),
        ),
        (
            "the SIP barrier of issue 16: regional, four parties, two förbund areas",
            scope({"0126", "0180"}, FOUR_PARTIES, "regional_agreement"),
            "routed",
            "region-stockholm-fk-samverkansgrupp",  # same as VIS on every count but the slug
            ("AF", "KOMMUN"),
        ),
        (
            "local, two förbund: no board covers both, a regional group does and invites AF",
            scope({"0160", "0136"}, {"AF", "FK"}, "local_routine"),
            "routed",
            "region-stockholm-fk-samverkansgrupp",  # has FK: one party to invite, VIS two
            ("AF",),
        ),
        (
            "regional: kommun and region (SIP routines)",
            scope({"0126"}, {"KOMMUN", "REGION"}, "regional_agreement"),
            "routed",
            "storsthlm-vis",
            (),
        ),
        (
            "a routine with a party no förbund has: the board invites it",
            scope({"0160"}, {"SKATTEVERKET"}, "local_routine"),
            "routed",
            "styrelse-roslagen",
            ("SKATTEVERKET",),
        ),
        (
            "agency guideline for kommun and region: Socialstyrelsen, not the FK–AF council",
            scope({"0160"}, {"KOMMUN", "REGION"}, "agency_guideline"),
            "routed",
            "socialstyrelsen",
            (),
        ),
        (
            "agency guideline for AF: the national council sits below the agency HQ",
            scope({"0160"}, {"AF"}, "agency_guideline"),
            "routed",
            "nationella-radet",
            (),
        ),
        (
            "agency guideline with a party no group has: invited, not a reason to climb",
            scope({"0160"}, {"FK", "ISF"}, "agency_guideline"),
            "routed",
            "nationella-radet",
            ("ISF",),
        ),
        (
            "an ordinance: the government, whoever the parties are",
            scope({"0160"}, {"KOMMUN", "REGION"}, "forordning"),
            "routed",
            "regeringskansliet",
            ("KOMMUN", "REGION"),
        ),
        (
            "a law change: the Riksdag",
            scope({"0160"}, {"AF", "FK"}, "lag"),
            "routed",
            "riksdagen",
            (),
        ),
    ],
)
def test_route_table(
    case: str, barrier: BarrierScope, outcome: str, group: str, invite: tuple[str, ...]
) -> None:
    result = route(barrier, LADDER)
    assert (result.outcome, result.group, result.invite) == (outcome, group, invite), case


def test_national_bodies_only_for_the_levels_that_need_them() -> None:
    national = {"national", "agency_hq", "government", "riksdag"}
    levels = {g.slug: g.level for g in LADDER}
    for places in ({"0160"}, {"0126", "0180"}, set()):
        for mandate in ("local_routine", "regional_agreement"):
            result = route(scope(places, FOUR_PARTIES | {"ISF"}, mandate), LADDER)
            assert levels[result.group] not in national, (places, mandate)


def test_the_sip_barrier_lists_every_group_with_its_reason() -> None:
    result = route(scope({"0126", "0180"}, FOUR_PARTIES, "regional_agreement"), LADDER)
    reasons = {slug: [r.code for r in rs] for slug, rs in by_group(result).items()}
    assert len(result.considered) == len(LADDER)
    assert reasons["styrelse-hbs"] == ["outside_area", "mandate_too_low"]
    assert reasons["region-stockholm-fk-samverkansgrupp"] == []
    assert reasons["storsthlm-vis"] == ["higher_on_ladder"]
    assert reasons["nns"] == ["mandate_too_low"]
    assert reasons["riksdagen"] == ["higher_on_ladder"]
    boards = sorted(
        (g for g in LADDER if g.level == "forbund_board"),
        key=lambda g: (len(g.municipalities), g.slug),
    )
    assert [c.group for c in result.considered][:9] == [
        *(g.slug for g in boards),
        "region-stockholm-fk-samverkansgrupp",
    ]


def test_ties_break_the_same_way_whatever_the_input_order() -> None:
    barrier = scope({"0160"}, {"AF", "FK"}, "agency_guideline")
    forward = route(barrier, LADDER)
    assert forward == route(barrier, tuple(reversed(LADDER)))
    assert forward.group == "nationella-radet"  # before nsg-fk-af: same on every count but slug


# --- The order on the ladder (made-up groups) ----------------------------------------------------


@pytest.mark.parametrize(
    ("case", "groups", "chosen"),
    [
        (
            "the lower rung wins over the smaller mandate",
            [group("a", "regional", LOCAL), group("b", "forbund_board", REGIONAL)],
            "b",
        ),
        (
            "on one rung, the smaller mandate wins over the tighter area",
            [group("a", "regional", REGIONAL, {"0160"}), group("b", "regional", LOCAL)],
            "b",
        ),
        (
            "a listed area wins over the whole area, even with more parties to invite",
            [
                group("a", "regional", LOCAL, agencies={"FK"}),
                group("b", "regional", LOCAL, {"0160"}),
            ],
            "b",
        ),
        (
            "fewer municipalities win over fewer parties to invite",
            [
                group("a", "regional", LOCAL, {"0160", "0162"}, {"FK"}),
                group("b", "regional", LOCAL, {"0160"}),
            ],
            "b",
        ),
        (
            "fewer parties to invite win over fewer members",
            [
                group("a", "regional", LOCAL, agencies={"AF"}),
                group("b", "regional", LOCAL, agencies={"FK", "AF", "CSN"}),
            ],
            "b",  # invites none; a would invite FK
        ),
        (
            "fewer members win over the slug",
            [
                group("a", "regional", LOCAL, agencies={"FK", "CSN"}),
                group("b", "regional", LOCAL, agencies={"FK"}),
            ],
            "b",
        ),
        (
            "the slug last",
            [group("b", "regional", LOCAL), group("a", "regional", LOCAL)],
            "a",
        ),
    ],
)
def test_order_among_groups(case: str, groups: list[GroupData], chosen: str) -> None:
    barrier = scope({"0160"}, {"FK"}, "local_routine")
    for given in (groups, groups[::-1]):
        result = route(barrier, given)
        assert result.group == chosen, case
        assert [c.group for c in result.considered][0] == chosen, case


def test_the_considered_list_follows_the_ladder_and_names_the_chosen_one() -> None:
    groups = [
        group("top", "riksdag", LAG),
        group("low", "forbund_board", LOCAL, {"0160"}),
        group("mid", "regional", REGIONAL),
        group("far", "forbund_board", LOCAL, {"0180"}),
    ]
    result = route(scope({"0160"}, {"FK"}, "regional_agreement"), groups)
    assert result == Route(
        "routed",
        "mid",
        Reason(
            "lowest_with_mandate",
            {
                "group": "mid",
                "level": "regional",
                "mandate": "regional_agreement",
                "needed": "regional_agreement",
            },
        ),
        (
            Consideration(
                "far",
                False,
                (
                    Reason("outside_area", {"missing": ["0160"]}),
                    Reason(
                        "mandate_too_low",
                        {"mandate": "local_routine", "needed": "regional_agreement"},
                    ),
                ),
            ),
            Consideration(
                "low",
                False,
                (
                    Reason(
                        "mandate_too_low",
                        {"mandate": "local_routine", "needed": "regional_agreement"},
                    ),
                ),
            ),
            Consideration("mid", True, ()),
            Consideration("top", True, (Reason("higher_on_ladder", {"chosen": "mid"}),)),
        ),
        (),
        ("FK",),
    )


def test_a_group_with_exactly_the_needed_mandate_qualifies() -> None:
    result = route(scope({"0160"}, set(), "regional_agreement"), [group("g", "regional", REGIONAL)])
    assert (result.outcome, result.group) == ("routed", "g")


def test_every_missing_municipality_is_named_in_order() -> None:
    board = group("board", "forbund_board", LOCAL, {"0160"})
    result = route(scope({"0180", "0160", "0126"}, set(), "local_routine"), [board])
    assert by_group(result)["board"] == [Reason("outside_area", {"missing": ["0126", "0180"]})]


def test_unknown_place_is_covered_only_by_whole_area_groups() -> None:
    groups = [
        group("board", "forbund_board", LOCAL, {"0160"}),
        group("region", "regional", REGIONAL),
    ]
    result = route(scope(set(), {"FK"}, "local_routine"), groups)
    assert result.group == "region"
    assert by_group(result)["board"] == [Reason("area_unknown")]


# --- Guideline groups act through their member agencies -----------------------------------------


def test_a_guideline_group_needs_one_of_the_parties_as_member() -> None:
    council = group("council", "national", GUIDELINE, agencies={"AF", "FK"})
    agency = group("agency", "agency_hq", GUIDELINE, agencies={"KOMMUN"})
    result = route(scope({"0160"}, {"KOMMUN", "REGION"}, "agency_guideline"), [council, agency])
    assert (result.group, result.invite) == ("agency", ("REGION",))
    assert by_group(result)["council"] == [
        Reason("no_party_member", {"mandate": "agency_guideline", "parties": ["KOMMUN", "REGION"]})
    ]


def test_one_shared_party_is_enough_for_a_guideline_group() -> None:
    council = group("council", "national", GUIDELINE, agencies={"AF", "FK"})
    result = route(scope({"0160"}, {"FK", "KOMMUN"}, "agency_guideline"), [council])
    assert (result.outcome, result.group, result.invite) == ("routed", "council", ("KOMMUN",))


def test_a_barrier_without_parties_can_go_to_any_guideline_group() -> None:
    council = group("council", "national", GUIDELINE, agencies={"AF"})
    result = route(scope({"0160"}, {"FORBUND"}, "agency_guideline"), [council])
    assert (result.outcome, result.group, result.invite) == ("routed", "council", ())


def test_other_mandates_need_no_shared_party() -> None:
    government = group("government", "government", FORORDNING, agencies={"AF"})
    result = route(scope({"0160"}, {"KOMMUN"}, "agency_guideline"), [government])
    assert (result.outcome, result.group, result.invite) == ("routed", "government", ("KOMMUN",))


def test_which_mandates_are_party_bound_is_data() -> None:
    council = group("council", "national", GUIDELINE, agencies={"AF"})
    barrier = scope({"0160"}, {"KOMMUN"}, "agency_guideline")
    assert route(barrier, [council]).outcome == "no_body"
    assert route(barrier, [council], party_bound=frozenset()).outcome == "routed"


def test_non_parties_are_neither_invited_nor_a_link_and_are_listed() -> None:
    council = group("council", "national", GUIDELINE, agencies={"AF"})
    barrier = scope({"0160"}, {"KOMMUN", "FORBUND", "ARBETSGIVARE"}, "agency_guideline")
    result = route(barrier, [council, group("board", "forbund_board", LOCAL, {"0160"})])
    assert result.ignored_agencies == ("ARBETSGIVARE", "FORBUND")
    assert by_group(result)["council"][0].params["parties"] == ["KOMMUN"]
    result = route(scope({"0160"}, {"FORBUND", "FK"}, "local_routine"), [council])
    assert (result.group, result.invite, result.ignored_agencies) == (
        "council",
        ("FK",),
        ("FORBUND",),
    )
    assert route(
        scope({"0160"}, {"FORBUND"}, "local_routine"), [council], non_parties=frozenset()
    ).invite == ("FORBUND",)


# --- No group, the top of the ladder, forwarding -------------------------------------------------


def test_no_body_goes_to_the_last_group_on_the_ladder() -> None:
    groups = [
        group("board", "forbund_board", LOCAL, {"0180"}),
        group("region", "regional", REGIONAL, agencies={"FK"}),
        group("agency", "agency_hq", GUIDELINE, agencies={"AF"}),
        group("council", "national", GUIDELINE, agencies={"AF", "CSN"}),
    ]
    result = route(scope({"0160"}, {"FK"}, "lag"), groups)
    assert result.outcome == "no_body"
    assert result.group == "agency"
    assert result.reason == Reason("no_body_with_mandate", {"group": "agency", "needed": "lag"})
    assert result.invite == ("FK",)
    assert not any(c.qualifies for c in result.considered)
    assert by_group(result)["agency"] == [
        Reason("mandate_too_low", {"mandate": "agency_guideline", "needed": "lag"}),
        Reason("no_party_member", {"mandate": "agency_guideline", "parties": ["FK"]}),
    ]


def test_forwarding_routes_only_above_the_current_group() -> None:
    board = group("board", "forbund_board", LOCAL, {"0160"}, FOUR_PARTIES)
    other = group("other", "forbund_board", REGIONAL, {"0160"})
    region = group("region", "regional", REGIONAL, agencies={"FK"})
    vis = group("vis", "regional", REGIONAL, agencies={"KOMMUN", "REGION"})
    council = group("council", "national", GUIDELINE, agencies={"FK"})
    groups = [board, other, region, vis, council]
    barrier = scope({"0160"}, {"FK"}, "local_routine")
    assert route(barrier, groups).group == "board"
    result = route(barrier, groups, above=board)
    assert result.reason == Reason(
        "lowest_with_mandate",
        {
            "group": "region",
            "level": "regional",
            "mandate": "regional_agreement",
            "needed": "local_routine",
            "above": "board",
        },
    )
    passed = by_group(result)
    assert passed["board"] == passed["other"] == [Reason("not_above", {"current": "board"})]
    assert passed["vis"] == passed["council"] == [Reason("higher_on_ladder", {"chosen": "region"})]
    result = route(barrier, groups, above=region)
    assert result.group == "council"
    assert by_group(result)["vis"] == [Reason("not_above", {"current": "region"})]


def test_forwarding_with_nothing_qualifying_above_goes_to_the_top() -> None:
    board = group("board", "forbund_board", LOCAL, {"0160"})
    top = group("top", "national", LOCAL, {"0180"})
    result = route(scope({"0160"}, {"FK"}, "local_routine"), [board, top], above=board)
    assert (result.outcome, result.group, result.invite) == ("no_body", "top", ("FK",))


def test_forwarding_from_the_top_has_nowhere_to_go() -> None:
    region = group("region", "regional", REGIONAL, agencies={"FK"})
    top = group("top", "riksdag", LAG, agencies={"AF"})
    other = group("other", "riksdag", LOCAL)
    result = route(scope({"0160"}, {"FK"}, "lag"), [top, region, other], above=top)
    assert result == Route(
        "top_reached",
        None,
        Reason("top_reached", {"current": "top", "needed": "lag"}),
        (
            Consideration(
                "region",
                False,
                (
                    Reason("not_above", {"current": "top"}),
                    Reason("mandate_too_low", {"mandate": "regional_agreement", "needed": "lag"}),
                ),
            ),
            Consideration(
                "other",
                False,
                (
                    Reason("not_above", {"current": "top"}),
                    Reason("mandate_too_low", {"mandate": "local_routine", "needed": "lag"}),
                ),
            ),
            Consideration("top", False, (Reason("not_above", {"current": "top"}),)),
        ),
        (),
        (),
    )


def test_no_groups_is_its_own_outcome() -> None:
    result = route(scope({"0160"}, {"AF", "FORBUND"}, "lag"), [])
    assert result == Route(
        "no_groups", None, Reason("no_groups", {"needed": "lag"}), (), ("FORBUND",)
    )


def test_route_as_dict_is_plain_json() -> None:
    result = route(
        scope({"0160"}, {"FK", "FORBUND"}, "regional_agreement"), [group("g", "regional", REGIONAL)]
    )
    assert result.as_dict() == {
        "outcome": "routed",
        "group": "g",
        "reason": {
            "code": "lowest_with_mandate",
            "params": {
                "group": "g",
                "level": "regional",
                "mandate": "regional_agreement",
                "needed": "regional_agreement",
            },
        },
        "considered": [{"group": "g", "qualifies": True, "reasons": []}],
        "ignored_agencies": ["FORBUND"],
        "invite": ["FK"],
    }
    assert json.loads(json.dumps(result.as_dict())) == result.as_dict()
    passed = Consideration("h", False, (Reason("area_unknown"),)).as_dict()
    assert passed == {
        "group": "h",
        "qualifies": False,
        "reasons": [{"code": "area_unknown", "params": {}}],
    }


# --- Codes, ranks and tags -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ([], "local_routine"),
        (["lagrum_okand"], "local_routine"),
        (["allmanna_rad"], "agency_guideline"),
        (["forordning", "foreskrift"], "forordning"),
        (["forordning", "lag"], "lag"),
    ],
)
def test_mandate_is_inferred_from_the_highest_kind_of_law(kinds: list[str], expected: str) -> None:
    assert infer_mandate(kinds) == mandate_rank(expected)


def test_ranks_and_codes() -> None:
    assert [mandate_rank(code) for code in ("local_routine", "lag")] == [1, 5]
    assert [mandate_code(rank) for rank in (1, 5)] == ["local_routine", "lag"]
    assert [level_rank(code) for code in ("forbund_board", "riksdag")] == [0, 5]


def test_agencies_are_read_from_tags() -> None:
    assert agencies_of(["agency:FK", "law:2010:110", "agency:AF", "x-agency:CSN"]) == {"AF", "FK"}


def test_unknown_level_or_mandate_is_refused() -> None:
    with pytest.raises(ValueError, match="^unknown steering level: 'county'$"):
        GroupData("x", "county", 1)
    with pytest.raises(ValueError, match="^unknown mandate level: 'constitution'$"):
        mandate_rank("constitution")
    for rank in (0, 6):
        with pytest.raises(ValueError, match=f"^mandate rank out of range: {rank}$"):
            mandate_code(rank)
    with pytest.raises(ValueError, match="out of range"):
        GroupData("x", "regional", 6)
    with pytest.raises(ValueError, match="out of range"):
        BarrierScope(frozenset(), frozenset(), 0)
