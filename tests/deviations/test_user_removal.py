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


def test_roles_and_units_given_and_taken_are_in_the_history(
    taby_unit: Unit, haninge_unit: Unit
) -> None:
    from django.contrib.auth.models import Group

    person = UserFactory(username="kim.larsson", email="kim@example.org", units=[taby_unit])
    person.groups.add(Group.objects.get_or_create(name="analyst")[0])
    person.units.add(haninge_unit)
    person.is_active = False
    person.save()
    latest = person.history.first()
    assert latest.is_active is False
    assert {g.group.name for g in latest.groups.all()} == {"analyst"}
    assert {u.unit.name for u in latest.units.all()} == {taby_unit.name, haninge_unit.name}
    before = person.history.count()
    person.last_login = person.date_joined
    person.save(update_fields=["last_login"])  # signing in is no change to the account
    assert person.history.count() == before


def test_a_removed_account_leaves_its_history_under_the_pseudonym(taby_unit: Unit) -> None:
    leaving = UserFactory(username="kim.larsson", email="kim@example.org", units=[taby_unit])
    leaving.first_name, leaving.last_name = "Kim", "Larsson"
    leaving.save()
    pseudonym = reporter_pseudonym(leaving)
    pk = leaving.pk
    user_remove(user=leaving)
    rows = User.history.filter(id=pk)
    assert rows.count() >= 3  # created, renamed, deleted: the events stay
    assert set(rows.values_list("username", "first_name", "last_name", "email")) == {
        (pseudonym, "", "", "")
    }


def test_an_admin_reads_the_account_history(admin_user: User, taby_unit: Unit, client: Client):
    person = UserFactory(username="kim.larsson", units=[taby_unit])
    person.is_active = False
    person.save()
    client.force_login(admin_user)
    page = client.get(reverse("admin:deviations_user_history", args=[person.pk]))
    assert page.status_code == 200
    assert page.content.decode().count("kim.larsson") >= 2  # created and changed
