"""Upgrades keep the roles administrators composed: roles_ensure only applies what changed in
the shipped defaults since its last run."""

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from core import roles
from core.models import RoleGrant
from core.roles import ROLE_PERMISSIONS, STEERING, roles_ensure


def _perm(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _steering() -> set[str]:
    group = Group.objects.get(name=STEERING)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


@pytest.fixture
def shipped(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """A copy of the shipped defaults a test can change, as the next release would."""
    copy = {role: list(names) for role, names in ROLE_PERMISSIONS.items()}
    monkeypatch.setattr(roles, "ROLE_PERMISSIONS", copy)
    return copy


@pytest.mark.django_db
def test_a_permission_an_admin_removed_stays_removed() -> None:
    Group.objects.get(name=STEERING).permissions.remove(_perm("barriers.add_decision"))
    call_command("load_catalogue", verbosity=0)
    assert "barriers.add_decision" not in _steering()
    assert "deviations.view_deviation" in _steering()


@pytest.mark.django_db
def test_a_permission_an_admin_added_stays() -> None:
    Group.objects.get(name=STEERING).permissions.add(_perm("deviations.view_all_deviations"))
    roles_ensure()
    assert "deviations.view_all_deviations" in _steering()


@pytest.mark.django_db
def test_a_permission_new_in_the_shipped_defaults_is_granted(shipped: Any) -> None:
    Group.objects.get(name=STEERING).permissions.remove(_perm("barriers.add_decision"))
    shipped[STEERING].append("deviations.view_all_deviations")
    roles_ensure()
    assert "deviations.view_all_deviations" in _steering()
    assert "barriers.add_decision" not in _steering()  # the admin's removal still holds
    assert "deviations.view_all_deviations" in RoleGrant.objects.get(role=STEERING).permissions


@pytest.mark.django_db
def test_a_permission_the_code_withdraws_is_taken_away(shipped: Any) -> None:
    shipped[STEERING].remove("barriers.add_decision")
    roles_ensure()
    assert "barriers.add_decision" not in _steering()


@pytest.mark.django_db
def test_an_upgrading_site_keeps_its_groups_and_gains_what_is_missing() -> None:
    """No grant recorded yet (the version that reset groups): today's groups are the admin's."""
    RoleGrant.objects.all().delete()
    group = Group.objects.get(name=STEERING)
    group.permissions.set([_perm("deviations.view_all_deviations")])
    roles_ensure()
    assert _steering() == {"deviations.view_all_deviations", *ROLE_PERMISSIONS[STEERING]}
    roles_ensure()  # from now on a removal holds
    group.permissions.remove(_perm("barriers.add_decision"))
    roles_ensure()
    assert "barriers.add_decision" not in _steering()


@pytest.mark.django_db
def test_a_deleted_role_group_comes_back_with_every_shipped_permission() -> None:
    Group.objects.filter(name=STEERING).delete()
    roles_ensure()
    assert _steering() == set(ROLE_PERMISSIONS[STEERING])
