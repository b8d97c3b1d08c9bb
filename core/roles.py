"""The four roles as Django groups, and the permissions each app grants them.

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
STEERING = "steering"
ADMIN = "admin"

ROLE_LABELS = {
    STAFF: _("Staff"),
    ANALYST: _("Analyst"),
    STEERING: _("Steering group member"),
    ADMIN: _("Administrator"),
}

# role -> permission names ("app_label.codename"), filled by the apps at start-up.
ROLE_PERMISSIONS: dict[str, list[str]] = {role: [] for role in ROLE_LABELS}


def roles_grant(role: str, permissions: Iterable[str]) -> None:
    """Add permissions to a role; called from an app's `ready()`, so twice is harmless."""
    granted = ROLE_PERMISSIONS[role]
    granted.extend(name for name in permissions if name not in granted)


def model_permissions(app_label: str, models: Iterable[str], actions: Iterable[str]) -> list[str]:
    """`app.action_model` for every pair, the way Django names model permissions."""
    actions = tuple(actions)
    return [f"{app_label}.{action}_{model}" for model in models for action in actions]


@transaction.atomic
def roles_ensure() -> dict[str, Group]:
    """Create or update the role groups so that they carry exactly ROLE_PERMISSIONS."""
    groups = {}
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        perms = []
        for name in names:
            app_label, codename = name.split(".")
            perms.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(perms)
        groups[role] = group
    return groups


def role_names(user: AbstractUser) -> list[str]:
    """The user's roles in ladder order, for navigation and display."""
    names = {group.name for group in user.groups.all()}
    return [role for role in ROLE_PERMISSIONS if role in names]
