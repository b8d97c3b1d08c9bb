"""Template context shared by every page: the user's roles for the navigation."""

from typing import Any

from django.http import HttpRequest

from deviations.roles import ROLE_LABELS, role_names


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": []}
    return {"user_roles": [ROLE_LABELS[name] for name in role_names(user)]}
