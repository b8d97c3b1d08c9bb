"""Ladders for every county (catalogue/data/ladders/): Stockholms län, Västra Götaland and Skåne
load beside the shared national level, reload without changes, load one county at a time,
upgrade a database loaded from the single file of before, and route each county's barriers to
that county's bodies (docs/domain.md §1.4)."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from barriers.catalogue import (
    LADDERS_DIR,
    NATIONAL_FILE,
    county_slugs,
    ladder_paths,
    steering_groups_load,
)
from barriers.models import Barrier, MandateLevel, SteeringGroup
from barriers.routing import BarrierScope, GroupData, mandate_rank, route
from barriers.services import (
    barrier_create,
    barrier_escalate,
    barrier_route,
    barrier_transition,
)
from catalogue.models import Municipality
from catalogue.schema import CatalogueError
from core.roles import STAFF
from deviations.models import Unit, User
from tests.barriers.conftest import FileDeviations
from tests.factories import UnitFactory, UserFactory

# Groups per file: the national level and each county's förbund boards and regional bodies.
SHIPPED = {"national": 8, "stockholm": 10, "skane": 5, "vastra-gotaland": 6}
COUNTY_CODES = {"national": "", "stockholm": "01", "skane": "12", "vastra-gotaland": "14"}
FOUR_PARTIES = frozenset({"AF", "FK", "KOMMUN", "REGION"})
FIELDS = ("name", "level", "mandate", "forbund_id", "verified", "source")


def _rows(name: str) -> dict:
    return json.loads((LADDERS_DIR / f"{name}.json").read_text(encoding="utf-8"))


def _ladder(*names: str) -> tuple[GroupData, ...]:
    """The groups of these files as routing sees them, without a database."""
    return tuple(
        GroupData(
            slug=row["slug"],
            level=row["level"],
            mandate=mandate_rank(row["mandate"]),
            municipalities=frozenset(row["municipalities"]),
            agencies=frozenset(row["agencies"]),
            county=ladder["county"] or "",
        )
        for ladder in map(_rows, names)
        for row in ladder["groups"]
    )


EVERY_COUNTY = _ladder("national", "stockholm", "skane", "vastra-gotaland")


def _scope(places: set[str], agencies: frozenset[str], mandate: str) -> BarrierScope:
    return BarrierScope(frozenset(places), agencies, mandate_rank(mandate))


def _snapshot() -> dict[str, tuple]:
    """Every group's own fields, area and member agencies, by slug."""
    return {
        g.slug: (
            *(getattr(g, name) for name in FIELDS),
            sorted(g.municipalities.values_list("code", flat=True)),
            sorted(g.agencies.values_list("code", flat=True)),
        )
        for g in SteeringGroup.objects.prefetch_related("municipalities", "agencies")
    }


# --- Loading ---------------------------------------------------------------------------------


def test_the_shipped_counties_are_three_and_the_national_level_is_shared() -> None:
    assert county_slugs() == ["skane", "stockholm", "vastra-gotaland"]
    assert ladder_paths("skane") == [NATIONAL_FILE, LADDERS_DIR / "skane.json"]
    for name, count in SHIPPED.items():
        ladder = _rows(name)
        assert len(ladder["groups"]) == count, name
        assert (ladder["county"] or "") == COUNTY_CODES[name], name
    national = {row["slug"] for row in _rows("national")["groups"]}
    for county in county_slugs():  # no county file copies a national body
        assert national.isdisjoint(row["slug"] for row in _rows(county)["groups"]), county


@pytest.mark.django_db
def test_every_county_loads_with_its_county_code() -> None:
    total = sum(SHIPPED.values())
    assert steering_groups_load() == {"created": total, "updated": 0, "groups": total}
    counties = dict(SteeringGroup.objects.values_list("slug", "county"))
    by_county = {code: sum(1 for c in counties.values() if c == code) for code in ("", "01")}
    assert by_county == {"": 8, "01": 10}
    assert counties["styrelse-sjuharad"] == counties["vastra-gotaland-sro"] == "14"
    assert counties["styrelse-finsam-malmo"] == counties["skane-centralt-samverkansorgan"] == "12"
    assert counties["riksdagen"] == counties["nationella-radet"] == ""
    sjuharad = SteeringGroup.objects.get(slug="styrelse-sjuharad")
    assert sjuharad.forbund is not None
    assert sjuharad.forbund.slug == "sjuharad"
    assert set(sjuharad.municipalities.values_list("code", flat=True)) == {
        "1442",
        "1443",
        "1452",
        "1463",
        "1465",
        "1466",
        "1490",
        "1491",
    }
    assert not SteeringGroup.objects.get(slug="vastra-gotaland-sro").municipalities.exists()


@pytest.mark.django_db
def test_a_second_load_of_every_county_changes_nothing() -> None:
    steering_groups_load()
    history = SteeringGroup.history.count()
    total = sum(SHIPPED.values())
    assert steering_groups_load() == {"created": 0, "updated": 0, "groups": total}
    assert SteeringGroup.history.count() == history


@pytest.mark.django_db
def test_the_command_loads_one_county_with_the_national_level_then_the_rest() -> None:
    out = StringIO()
    call_command("load_steering_groups", "--county", "skane", stdout=out)
    assert "13 (13 created, 0 updated)" in out.getvalue()
    assert set(SteeringGroup.objects.values_list("county", flat=True)) == {"", "12"}
    out = StringIO()
    call_command("load_steering_groups", stdout=out)
    assert "29 (16 created, 0 updated)" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("load_steering_groups", "--county", "gotland")


@pytest.mark.django_db
def test_a_database_loaded_from_the_single_file_keeps_its_rows(tmp_path: Path) -> None:
    """The file of before: one list, Stockholm's groups and the national ones, no county."""
    legacy = tmp_path / "steering_groups.json"
    legacy.write_text(
        json.dumps(_rows("stockholm")["groups"] + _rows("national")["groups"]), encoding="utf-8"
    )
    assert steering_groups_load(path=legacy)["created"] == 18
    before = _snapshot()
    pks = dict(SteeringGroup.objects.values_list("slug", "pk"))
    assert steering_groups_load() == {"created": 11, "updated": 10, "groups": 29}
    after = _snapshot()
    assert {slug: after[slug] for slug in before} == before  # same rows, same values
    assert {
        slug: pk for slug, pk in SteeringGroup.objects.values_list("slug", "pk") if slug in pks
    } == pks
    assert SteeringGroup.objects.get(slug="storsthlm-vis").county == "01"


@pytest.mark.django_db
def test_groups_made_in_the_admin_and_members_outlive_a_reload() -> None:
    steering_groups_load(county="stockholm")
    own = SteeringGroup.objects.create(
        slug="lokal-grupp", name="Lokal grupp", level="regional", mandate=2, county="12"
    )
    member = UserFactory(username="ledamot")
    SteeringGroup.objects.get(slug="styrelse-roslagen").members.add(member)
    SteeringGroup.objects.filter(slug="storsthlm-vis").update(mandate=MandateLevel.LAG)
    steering_groups_load()
    own.refresh_from_db()
    assert (own.name, own.county) == ("Lokal grupp", "12")
    assert list(SteeringGroup.objects.get(slug="styrelse-roslagen").members.all()) == [member]
    # A shipped group's mandate is the file's, as before counties were data.
    vis = SteeringGroup.objects.get(slug="storsthlm-vis")
    assert vis.mandate == MandateLevel.REGIONAL_AGREEMENT


@pytest.mark.django_db
def test_a_county_file_is_refused_when_it_reaches_outside_its_county(tmp_path: Path) -> None:
    ladder = _rows("skane")
    ladder["groups"][0]["municipalities"].append("0160")  # Täby is in Stockholms län
    ladder["groups"].append({**_rows("national")["groups"][-1], "slug": "riksdag-i-skane"})
    bad = tmp_path / "skane.json"
    bad.write_text(json.dumps(ladder), encoding="utf-8")
    with pytest.raises(CatalogueError) as excinfo:
        steering_groups_load(path=bad)
    message = str(excinfo.value)
    assert "municipality 0160 is not in county 12" in message
    assert "riksdag-i-skane: level riksdag belongs in national.json" in message
    assert not SteeringGroup.objects.exists()


@pytest.mark.django_db
def test_a_county_code_that_is_not_two_digits_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text(json.dumps({"county": "Skåne", "groups": []}), encoding="utf-8")
    with pytest.raises(CatalogueError, match="not a two-digit SCB code"):
        steering_groups_load(path=bad)


# --- Routing over every county ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "barrier", "group"),
    [
        (
            "Skåne, regional: Region Skåne and the kommuner's central body, not VIS",
            _scope({"1280", "1281"}, frozenset({"KOMMUN", "REGION"}), "regional_agreement"),
            "skane-centralt-samverkansorgan",
        ),
        (
            "Skåne, regional, all in the north-west: the tighter delregional body",
            _scope({"1283", "1292"}, frozenset({"KOMMUN", "REGION"}), "regional_agreement"),
            "skane-nordvast-samverkansorgan",
        ),
        (
            "Västra Götaland, regional, four parties: SRO, inviting AF and FK",
            _scope({"1480", "1490"}, FOUR_PARTIES, "regional_agreement"),
            "vastra-gotaland-sro",
        ),
        (
            "Västra Götaland, a routine in Sjuhärad: its förbund's board",
            _scope({"1490", "1463"}, FOUR_PARTIES, "local_routine"),
            "styrelse-sjuharad",
        ),
        (
            "Skåne, a routine in Malmö: Finsam i Malmö's board",
            _scope({"1280"}, FOUR_PARTIES, "local_routine"),
            "styrelse-finsam-malmo",
        ),
        (
            "Stockholm, regional: as before the other counties were loaded",
            _scope({"0126", "0180"}, FOUR_PARTIES, "regional_agreement"),
            "region-stockholm-fk-samverkansgrupp",
        ),
        (
            "Stockholm and Skåne, regional: no county's body covers both; the national council",
            _scope({"0160", "1280"}, FOUR_PARTIES, "regional_agreement"),
            "nationella-radet",
        ),
    ],
)
def test_each_county_routes_to_its_own_bodies(case: str, barrier: BarrierScope, group: str) -> None:
    result = route(barrier, EVERY_COUNTY)
    assert (result.outcome, result.group) == ("routed", group), case


def test_a_cross_county_barrier_names_the_places_outside_each_county() -> None:
    result = route(_scope({"0160", "1280"}, FOUR_PARTIES, "regional_agreement"), EVERY_COUNTY)
    reasons = {c.group: [(r.code, r.params) for r in c.reasons] for c in result.considered}
    assert reasons["storsthlm-vis"] == [("outside_area", {"missing": ["1280"]})]
    assert reasons["skane-centralt-samverkansorgan"] == [("outside_area", {"missing": ["0160"]})]
    assert reasons["vastra-gotaland-sro"] == [("outside_area", {"missing": ["0160", "1280"]})]
    assert result.invite == ("KOMMUN", "REGION")


def test_a_county_group_comes_before_a_nation_wide_one_of_the_same_rung() -> None:
    county = GroupData("lansgrupp", "regional", 2, county="12")
    nation = GroupData("rikets-grupp", "regional", 2)
    result = route(_scope({"1280"}, frozenset(), "regional_agreement"), (nation, county))
    assert result.group == "lansgrupp"
    assert [c.group for c in result.considered] == ["lansgrupp", "rikets-grupp"]


def test_an_unknown_place_is_no_county_when_several_are_on_the_ladder() -> None:
    unknown = _scope(set(), frozenset({"KOMMUN", "REGION"}), "regional_agreement")
    several = route(unknown, EVERY_COUNTY)
    reasons = {c.group: [r.code for r in c.reasons] for c in several.considered}
    assert reasons["storsthlm-vis"] == reasons["vastra-gotaland-sro"] == ["area_unknown"]
    assert several.group == "socialstyrelsen"  # the lowest whole-country body that can act
    one = route(unknown, _ladder("national", "skane"))  # one county: it is the whole area
    assert one.group == "skane-centralt-samverkansorgan"
    two = route(unknown, _ladder("national", "skane", "stockholm"))
    assert two.group == "socialstyrelsen"


# --- The database path and the dossier for a Skåne barrier -----------------------------------


@pytest.fixture
def malmo_unit(db: None) -> Unit:
    return UnitFactory(
        name="Finsam Malmö-teamet",
        municipalities=[
            Municipality.objects.get(code="1280"),
            Municipality.objects.get(code="1281"),
        ],
    )


@pytest.fixture
def malmo_staff(malmo_unit: Unit) -> User:
    return UserFactory(username="malmo", roles=[STAFF], units=[malmo_unit])


@pytest.fixture
def skane_barrier(
    ladder: dict[str, SteeringGroup],
    file_deviations: FileDeviations,
    malmo_unit: Unit,
    malmo_staff: User,
    analyst: User,
) -> Barrier:
    tags = ("agency:KOMMUN", "agency:REGION")
    evidence = [
        *file_deviations(2, tags=tags, municipality="1280", unit=malmo_unit, by=malmo_staff),
        *file_deviations(1, tags=tags, municipality="1281", unit=malmo_unit, by=malmo_staff),
    ]
    barrier = barrier_create(
        by=analyst,
        title="Utskrivning från slutenvården utan SIP",
        mandate_level=MandateLevel.REGIONAL_AGREEMENT,
        tags=list(tags),
        deviations=evidence,
    )
    return barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)


@pytest.mark.django_db
def test_a_skane_barrier_is_proposed_to_skanes_body_and_its_dossier_renders(
    client: Client, skane_barrier: Barrier, analyst: User
) -> None:
    proposal = barrier_route(barrier=skane_barrier)
    assert proposal.group is not None
    assert proposal.group.slug == "skane-centralt-samverkansorgan"
    escalation = barrier_escalate(
        barrier=skane_barrier,
        group=None,
        due_on=timezone.localdate() + timedelta(days=14),
        by=analyst,
    )
    assert escalation.group.slug == "skane-centralt-samverkansorgan"
    member = UserFactory(username="cs-ledamot", roles=["steering"])
    escalation.group.members.add(member)
    client.force_login(member)
    page = client.get(reverse("barriers:dossier", args=[skane_barrier.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Centralt samverkansorgan (CS), Region Skåne och Skånes Kommuner" in html
    assert "Utskrivning från slutenvården utan SIP" in html
