"""The roles as Django groups, and the permissions each app grants them.

Each app declares what its roles may do with `roles_grant()` from its `AppConfig.ready()`, so
this module names no app above it. Visibility itself is decided in each app's selectors from
these permissions, never from group names, so an administrator can compose roles in the admin
without code changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

STAFF = "staff"
ANALYST = "analyst"
COUNTY_ANALYST = "county_analyst"
STEERING = "steering"
ADMIN = "admin"

ROLE_LABELS = {
    STAFF: _("Staff"),
    ANALYST: _("Analyst"),
    COUNTY_ANALYST: _("County analyst"),
    STEERING: _("Steering group member"),
    ADMIN: _("Administrator"),
}

# role -> permission names ("app_label.codename"), filled by the apps at start-up.
ROLE_PERMISSIONS: dict[str, list[str]] = {role: [] for role in ROLE_LABELS}
# A role that is another role and more: the county analyst works as an analyst does, over every
# organisation of the county (deviations.selectors.organisation_scope).
ROLE_INCLUDES: dict[str, str] = {COUNTY_ANALYST: ANALYST}


def roles_grant(role: str, permissions: Iterable[str]) -> None:
    """Add permissions to a role; called from an app's `ready()`, so twice is harmless."""
    granted = ROLE_PERMISSIONS[role]
    granted.extend(name for name in permissions if name not in granted)


def model_permissions(app_label: str, models: Iterable[str], actions: Iterable[str]) -> list[str]:
    """`app.action_model` for every pair, the way Django names model permissions."""
    actions = tuple(actions)
    return [f"{app_label}.{action}_{model}" for model in models for action in actions]


def _permission(name: str, *, missing_ok: bool = False) -> Permission | None:
    app_label, codename = name.split(".")
    found = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return found.first() if missing_ok else found.get()


@transaction.atomic
def roles_ensure() -> dict[str, Group]:
    """Create the role groups and bring them the permissions new in the shipped defaults.

    An upgrade must not undo what administrators composed in the admin, so each group's last
    shipped grant is kept (core.models.RoleGrant) and only the difference is applied:
    permissions new in ROLE_PERMISSIONS are added, permissions the code no longer grants are
    taken away, and whatever an administrator added or removed stays so. A new group gets the
    whole grant; an existing group without a record (a site upgrading from the version that
    reset groups on every start) keeps its permissions and gains the shipped ones it lacks.
    """
    from core.models import RoleGrant  # models cannot be imported while apps load

    groups = {}
    for role, names in ROLE_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=role)
        shipped = set(names) | set(ROLE_PERMISSIONS.get(ROLE_INCLUDES.get(role, ""), ()))
        grant = RoleGrant.objects.filter(role=role).first()
        before = set(grant.permissions) if grant and not created else set()
        added = [_permission(name) for name in sorted(shipped - before)]
        if added:
            group.permissions.add(*added)
        withdrawn = [
            perm
            for name in sorted(before - shipped)
            if (perm := _permission(name, missing_ok=True)) is not None
        ]
        if withdrawn:
            group.permissions.remove(*withdrawn)
        if grant is None:
            RoleGrant.objects.create(role=role, permissions=sorted(shipped))
        elif before != shipped:
            grant.permissions = sorted(shipped)
            grant.save(update_fields=["permissions"])
        groups[role] = group
    return groups


def role_names(user: AbstractUser) -> list[str]:
    """The user's roles in ladder order, for navigation and display."""
    names = {group.name for group in user.groups.all()}
    return [role for role in ROLE_PERMISSIONS if role in names]
