"""The four roles as Django groups, and the permissions each one carries.

Visibility itself is decided in selectors.py from these permissions, never from group names, so
an administrator can compose roles in the admin without code changes.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from deviations.models import User

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

_CATALOGUE_MODELS = ("agency", "municipality", "forbund", "law", "provision", "term", "unit")
_BARRIER_WORK = ("barrier", "escalation", "decision")  # what analysts write
_BARRIER_MODELS = (*_BARRIER_WORK, "steeringgroup")

ROLE_PERMISSIONS: dict[str, list[str]] = {
    STAFF: ["deviations.add_deviation", "deviations.view_deviation"],
    ANALYST: [
        "deviations.view_deviation",
        "deviations.change_deviation",
        "deviations.view_all_deviations",
        "deviations.triage_deviation",
        "deviations.view_tagging",
        "deviations.add_tagging",
        "deviations.change_tagging",
        *[f"deviations.view_{model}" for model in _CATALOGUE_MODELS],
        "deviations.view_job",
        "deviations.change_job",  # run a failed job again, also one the system started
        "barriers.view_all_barriers",
        *[f"barriers.view_{model}" for model in _BARRIER_MODELS],
        *[f"barriers.{action}_{model}" for model in _BARRIER_WORK for action in ("add", "change")],
    ],
    # Steering members see only their own groups' escalations (barriers.selectors).
    STEERING: [
        "deviations.view_deviation",
        *[f"barriers.view_{model}" for model in _BARRIER_MODELS],
        "barriers.add_decision",
    ],
    ADMIN: [
        "deviations.view_all_deviations",
        "deviations.triage_deviation",
        *[
            f"deviations.{action}_{model}"
            for model in (*_CATALOGUE_MODELS, "deviation", "tagging", "user", "job")
            for action in ("view", "add", "change", "delete")
        ],
        "barriers.view_all_barriers",
        *[
            f"barriers.{action}_{model}"
            for model in _BARRIER_MODELS
            for action in ("view", "add", "change", "delete")
        ],
        "auth.view_group",
        "auth.change_group",
    ],
}


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


def role_names(user: User) -> list[str]:
    """The user's roles in ladder order, for navigation and display."""
    names = {group.name for group in user.groups.all()}
    return [role for role in ROLE_PERMISSIONS if role in names]
