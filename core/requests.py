"""The signed-in person behind a request, for views that have already required a login."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied


def request_user(request: Any) -> Any:
    """The request's user as the project's user model (a Django or a DRF request).

    Views call this after `login_required` or DRF's `IsAuthenticated`; an anonymous user
    reaching it anyway is refused with a 403 rather than failing further in.
    """
    user = request.user
    if not isinstance(user, get_user_model()) or not user.is_authenticated:
        raise PermissionDenied
    return user
