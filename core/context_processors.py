"""Template context shared by every page: the user's roles and the counts of waiting work for
the navigation."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from core.notifications import unread_count
from core.roles import ROLE_LABELS, role_names
from core.start import nav_counts


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    national = settings.NATIONAL_MODE
    if user is None or not user.is_authenticated:
        return {
            "user_roles": [],
            "user_group_names": [],
            "nav_counts": {},
            "unread": 0,
            "national_mode": national,
        }
    names = role_names(user)
    return {
        "national_mode": national,
        "user_roles": [ROLE_LABELS[name] for name in names],
        "user_group_names": names,
        "nav_counts": nav_counts(user),
        "unread": unread_count(user),
    }
