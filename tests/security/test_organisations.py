"""Each förbund is its own data controller: another organisation's analyst or local administrator
reaches nothing of Roslagen's through any page, export, job or API call, while the county
analyst sees it. The world is the permission matrix's (tests/security/test_permission_matrix.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from analytics.extract import AnalysisFilter
from analytics.results import knot_result
from catalogue.models import Forbund, Municipality
from deviations.models import Unit, User
from deviations.selectors import deviation_list, organisation_scope
from tests.factories import DeviationFactory, UnitFactory, UserFactory
from tests.security.test_permission_matrix import _kwargs, _named_patterns

# Lists, exports and searches beyond the bare URLs: every way a list can be asked for.
EXTRA = (
    "/api/v1/deviations/",
    "/api/v1/deviations/?search=dag",
    "/api/v1/barriers/",
    "/api/v1/escalations/",
    "/api/v1/decisions/",
    "/api/v1/jobs/",
    "/api/v1/knots/",
    "/api/v1/knots/?min_support=2",
    "/api/v1/statistics/",
    "/api/v1/triage/",
)


def _secrets(world: dict[str, Any]) -> list[str]:
    return [world["own"].reference, "Dag 180", "protokoll.txt", "avvikelser.csv"]


def _every_answer(client: Client, world: dict[str, Any]) -> list[tuple[str, str]]:
    urls = [
        reverse(name, kwargs=_kwargs(name, pattern, world))
        for name, pattern in sorted(_named_patterns().items())
        if not name.startswith(("admin:", "sso:"))
    ]
    urls += [
        reverse("deviations:list") + "?export=csv",
        reverse("deviations:list") + "?export=xlsx",
        reverse("deviations:list") + "?q=dag",
        reverse("search") + "?q=dag+180",
        reverse("barriers:list") + "?q=dag",
        reverse("barriers:decisions_export") + "?format=csv",
        reverse("triage:queue"),
        reverse("analytics:knots") + "?min_support=2",
        reverse("analytics:dashboard") + "?export=csv&figure=agencies",
        *EXTRA,
    ]
    answers = []
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        answers.append((url, body.decode("utf-8", "replace")))
    return answers


@pytest.mark.parametrize("persona", ["foreign_analyst", "foreign_admin"])
def test_another_organisation_reaches_nothing_of_roslagens(
    persona: str, world: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    leaks = [
        f"{url}: {secret}"
        for url, body in _every_answer(client, world)
        for secret in _secrets(world)
        if secret in body and secret not in url  # a 404 page may repeat its address
    ]
    assert leaks == [], "\n".join(leaks)


def test_the_county_analyst_sees_roslagen_through_the_same_paths(
    county_analyst: User, world: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(county_analyst)
    bodies = dict(_every_answer(client, world))
    reference = world["own"].reference
    assert reference in bodies[reverse("deviations:list")]
    assert reference in bodies[reverse("deviations:list") + "?export=csv"]
    assert reference in bodies["/api/v1/deviations/"]
    assert "Dag 180" in bodies[reverse("barriers:list")]
    assert "Dag 180" in bodies["/api/v1/barriers/"]


def test_scope_is_own_organisation_county_or_everything(
    analyst: User, roslagen: Forbund, ostra_sodertorn: Forbund, county_analyst: User
) -> None:
    assert organisation_scope(analyst) is None  # no organisation: the whole installation
    analyst.organisation = roslagen
    analyst.save()
    fresh = User.objects.get(pk=analyst.pk)
    assert organisation_scope(fresh) == {roslagen.pk}
    county = organisation_scope(county_analyst)
    assert county is not None
    assert {roslagen.pk, ostra_sodertorn.pk} <= county
    in_county = Forbund.objects.filter(municipalities__code__startswith="01").distinct().count()
    assert len(county) == in_county
    assert not Forbund.objects.filter(pk__in=county, municipalities__code__startswith="14")


def test_analysis_filter_refuses_an_organisation_outside_the_scope(
    foreign_analyst: User, roslagen: Forbund, ostra_sodertorn: Forbund
) -> None:
    from analytics.extract import AnalysisFilterError

    assert AnalysisFilter.for_user({}, foreign_analyst).organisations == ("ostra-sodertorn",)
    with pytest.raises(AnalysisFilterError) as refused:
        AnalysisFilter.for_user({"organisation": "roslagen"}, foreign_analyst)
    assert refused.value.field == "organisation"
    client = Client()
    client.force_login(foreign_analyst)
    response = client.get("/api/v1/knots/?organisation=roslagen")
    assert response.status_code == 400
    page = client.get(reverse("analytics:knots") + "?organisation=roslagen")
    form = page.context["form"]
    # No choice to make (one organisation): the field is gone, and the refusal is the form's.
    assert "Okänd organisation: roslagen." in str(form.non_field_errors())
    assert form.analysis_filter.organisations == ("ostra-sodertorn",)


@pytest.fixture
def two_organisations(roslagen: Forbund, ostra_sodertorn: Forbund) -> dict[str, Unit]:
    """Twelve Roslagen deviations on sjukpenning (SFB 27:48) at FK, twelve Östra Södertörn ones
    on SoL (2025:400) 12:1 at the municipality, and
    in each thirty on the region alone (the baseline that gives the pairs their lift)."""
    north = UnitFactory(name="MIA Norr", forbund=roslagen)
    south = UnitFactory(name="MIA Syd", forbund=ostra_sodertorn)
    taby = Municipality.objects.get(code="0160")
    haninge = Municipality.objects.get(code="0136")
    for unit, place, tags, n in (
        (north, taby, "agency:FK;prov:2010:110#K27P48", 12),
        (south, haninge, "agency:KOMMUN;prov:2025:400#K12P1", 12),
        (north, taby, "agency:REGION", 30),
        (south, haninge, "agency:REGION", 30),
    ):
        for _ in range(n):
            DeviationFactory(unit=unit, municipality=place, confirmed_tags=tags)
    return {"north": north, "south": south}


def _knot_tags(user: User) -> set[tuple[str, ...]]:
    result = knot_result(AnalysisFilter().scoped(user), use_cache=False)
    return {tuple(knot.tags) for knot in result.knots}


def test_knots_per_organisation_and_for_the_county(
    two_organisations: dict[str, Unit],
    roslagen: Forbund,
    foreign_analyst: User,
    county_analyst: User,
) -> None:
    own = UserFactory(username="roslagen-analyst", roles=["analyst"], organisation=roslagen)
    assert _knot_tags(own) == {("agency:FK", "prov:2010:110#K27P48")}
    assert _knot_tags(foreign_analyst) == {("agency:KOMMUN", "prov:2025:400#K12P1")}
    assert _knot_tags(county_analyst) == {
        ("agency:FK", "prov:2010:110#K27P48"),
        ("agency:KOMMUN", "prov:2025:400#K12P1"),
    }
    assert deviation_list(user=own).count() == 42
    assert deviation_list(user=county_analyst).count() == 84


def test_an_organisations_knots_are_recomputed_when_tags_change(
    two_organisations: dict[str, Unit],
    foreign_analyst: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Once an organisation's analyst has opened its knots, a tag change brings that view up to
    date in the background too, not only the installation's default view."""
    from analytics.results import knot_result_kept, knot_result_served
    from deviations.services import tag_version
    from deviations.triage import TriageDecision, deviation_triage
    from tests.factories import TaggingFactory

    scoped = AnalysisFilter().scoped(foreign_analyst)
    knot_result_served(scoped, by=foreign_analyst)
    before = knot_result_kept(scoped)
    assert before is not None
    deviation = DeviationFactory(unit=two_organisations["south"])
    TaggingFactory(deviation=deviation, tag_id="agency:FK", state="suggested")
    with django_capture_on_commit_callbacks(execute=True):
        deviation_triage(
            deviation=deviation, decision=TriageDecision(confirm=["agency:FK"]), by=foreign_analyst
        )
    after = knot_result_kept(scoped)
    assert after is not None
    assert after.tag_version == tag_version() != before.tag_version
