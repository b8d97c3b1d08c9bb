"""A staff member of one unit never sees another unit's deviations, by any page or endpoint."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from deviations import selectors
from deviations.models import Deviation, Draft, Unit, User
from deviations.selectors import deviation_count, deviation_list, deviation_recent, draft_list
from tests.factories import DeviationFactory, UserFactory


@pytest.fixture
def own_and_foreign(taby_unit: Unit, haninge_unit: Unit) -> tuple[Deviation, Deviation]:
    return DeviationFactory(unit=taby_unit), DeviationFactory(unit=haninge_unit)


def test_selector_scopes_staff_to_their_units(staff: User, own_and_foreign) -> None:
    own, foreign = own_and_foreign
    assert list(deviation_list(user=staff)) == [own]


@pytest.mark.parametrize(
    "persona", ["staff", "analyst", "steering_member", "outsider", "admin_user"]
)
def test_the_count_is_the_number_of_visible_deviations(
    persona: str, request, staff: User, own_and_foreign, haninge_unit: Unit
) -> None:
    """Staff's count is added up from disjoint parts: their units' deviations, and their own
    reports filed for another unit (counted once, not twice when in their unit)."""
    DeviationFactory(unit=haninge_unit, reporter=staff)  # own report, another unit
    DeviationFactory(unit=own_and_foreign[0].unit, reporter=staff)  # own report, own unit
    user = request.getfixturevalue(persona)
    assert deviation_count(user=user) == deviation_list(user=user).count()
    if persona == "staff":
        assert deviation_count(user=user) == 3
        user.is_active = False  # a deactivated account sees nothing, and counts nothing
        assert deviation_count(user=user) == deviation_list(user=user).count() == 0


@pytest.mark.parametrize("persona", ["staff", "analyst", "outsider"])
@pytest.mark.parametrize(
    "visible_at", [(0, 1, 3, 5, 12), (0, 3, 4, 12, 13, 19), (18, 19), ()], ids=str
)
def test_the_newest_visible_are_found_however_far_back_they_lie(
    persona: str, visible_at: tuple[int, ...], request, monkeypatch, taby_unit, haninge_unit
) -> None:
    """The start page's newest reports are looked for among the newest few of all, then wider:
    the answer is the plain query's, whether they lie in the first window, a later one or
    beyond every window, and when fewer than asked for exist."""
    monkeypatch.setattr(selectors, "RECENT_WINDOWS", (3, 6, 9))
    start = timezone.now() - timedelta(days=30)
    for n in range(20):  # n = 0 is the newest
        unit = taby_unit if n in visible_at else haninge_unit
        DeviationFactory(unit=unit, reported_at=start + timedelta(hours=20 - n))
    user = request.getfixturevalue(persona)
    plain = list(deviation_list(user=user).order_by("-reported_at")[:4])
    assert deviation_recent(user=user, count=4) == plain
    visible = deviation_count(user=user)  # as the start page asks: few visible, plain query
    monkeypatch.setattr(selectors, "RECENT_PLAIN", 3)
    assert deviation_recent(user=user, count=4, visible=visible) == plain
    if persona == "staff":
        newest = Deviation.objects.order_by("-reported_at")
        assert plain == [newest[n] for n in visible_at[:4]]


def test_analyst_sees_every_unit(analyst: User, own_and_foreign) -> None:
    assert set(deviation_list(user=analyst)) == set(own_and_foreign)


@pytest.mark.parametrize("persona", ["steering_member", "outsider"])
def test_roles_without_unit_visibility_see_nothing_yet(
    persona: str, request, own_and_foreign
) -> None:
    user = request.getfixturevalue(persona)
    assert list(deviation_list(user=user)) == []


def test_drafts_are_visible_to_their_owner_only(
    staff: User, analyst: User, admin_user: User, taby_unit: Unit
) -> None:
    colleague = UserFactory(roles=["staff"], units=[taby_unit])
    draft = Draft.objects.create(owner=staff, data={"description": "halvskrivet"})
    assert list(draft_list(user=staff)) == [draft]
    for other in (colleague, analyst, admin_user):
        assert list(draft_list(user=other)) == []


def test_inactive_user_sees_nothing(staff: User, own_and_foreign) -> None:
    staff.is_active = False
    assert list(deviation_list(user=staff)) == []


def test_pages_hide_the_other_units_deviation(staff_client: Client, own_and_foreign) -> None:
    own, foreign = own_and_foreign
    listing = staff_client.get(reverse("deviations:list")).content.decode()
    assert own.reference in listing
    assert foreign.reference not in listing
    home = staff_client.get(reverse("home")).content.decode()
    assert foreign.reference not in home
    assert staff_client.get(own.get_absolute_url()).status_code == 200
    assert staff_client.get(foreign.get_absolute_url()).status_code == 404


def test_list_filters_cannot_widen_visibility(staff_client: Client, own_and_foreign) -> None:
    own, foreign = own_and_foreign
    page = staff_client.get(
        reverse("deviations:list"), {"unit": foreign.unit_id, "municipality": "0136"}
    )
    assert foreign.reference not in page.content.decode()


def test_api_hides_the_other_units_deviation(api: APIClient, own_and_foreign) -> None:
    own, foreign = own_and_foreign
    listing = api.get("/api/v1/deviations/").json()
    assert [row["reference"] for row in listing["results"]] == [own.reference]
    assert api.get(f"/api/v1/deviations/{own.reference}/").status_code == 200
    assert api.get(f"/api/v1/deviations/{foreign.reference}/").status_code == 404
    widened = api.get("/api/v1/deviations/", {"unit": foreign.unit_id}).json()
    assert widened["count"] == 0


def test_anonymous_requests_are_turned_away(client: Client, own_and_foreign) -> None:
    own, _ = own_and_foreign
    assert client.get(reverse("deviations:list")).status_code == 302
    assert client.get(own.get_absolute_url()).status_code == 302
    assert APIClient().get("/api/v1/deviations/").status_code in (401, 403)
