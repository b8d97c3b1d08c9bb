"""Deleting a user keeps their deviations, attributed to a stable pseudonym."""

from django.test import Client
from django.urls import reverse

from deviations.models import Deviation, Unit, User
from deviations.services import reporter_pseudonym, user_remove
from tests.factories import DeviationFactory, UserFactory


def test_deviations_survive_their_reporter_under_a_pseudonym(taby_unit: Unit) -> None:
    leaving = UserFactory(roles=["staff"], units=[taby_unit])
    pseudonym = reporter_pseudonym(leaving)
    kept = [DeviationFactory(unit=taby_unit, reporter=leaving) for _ in range(2)]
    other = DeviationFactory(unit=taby_unit)
    assert user_remove(user=leaving) == 2
    assert not User.objects.filter(pk=leaving.pk).exists()
    for deviation in kept:
        deviation.refresh_from_db()
        assert deviation.reporter is None
        assert deviation.reporter_pseudonym == pseudonym
    other.refresh_from_db()
    assert other.reporter_pseudonym == ""
    assert pseudonym.split()[-1] not in leaving.username


def test_the_admin_delete_goes_through_the_same_rule(
    admin_user: User, taby_unit: Unit, client: Client
) -> None:
    leaving = UserFactory(roles=["staff"], units=[taby_unit])
    deviation = DeviationFactory(unit=taby_unit, reporter=leaving)
    client.force_login(admin_user)
    url = reverse("admin:deviations_user_delete", args=[leaving.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    deviation = Deviation.objects.get(pk=deviation.pk)
    assert deviation.reporter_pseudonym.startswith(("Rapportör", "Reporter"))
