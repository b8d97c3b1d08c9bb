"""How long a signed-in browser session lasts: an idle hour, and a working day at most.

The idle limit is django-session-security's server-side middleware (last activity kept in the
session; its optional JavaScript warning is not used, the Content Security Policy forbids inline
script). No maintained library ends a session a fixed time after sign-in: Django's own expiry
moves on with every save of the session (and the idle check saves it on every request), so the
sign-in time is kept in the session and checked here. Only sessions count: a request with an API
token has its own expiry (knox) and never gets a session from these middlewares.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from session_security.middleware import SessionSecurityMiddleware

from core.middleware import UNAVAILABLE

SIGNED_IN_AT = "_knutpunkt_signed_in_at"


def _signed_in(request: HttpRequest) -> bool:
    """Signed in through this browser session (not an API token on a session-less request).
    Without a database the session cannot be read: the limits wait, and the view's own first
    database access answers with the clear 503 (core.middleware.DatabaseUnavailableMiddleware)
    instead of these middlewares answering with a 500."""
    session = getattr(request, "session", None)
    try:
        return bool(
            session is not None and SESSION_KEY in session and request.user.is_authenticated
        )
    except UNAVAILABLE:
        return False


class IdleLogoutMiddleware(SessionSecurityMiddleware):
    """Signs out after SESSION_IDLE_MINUTES without a request, and says why."""

    def is_authenticated(self, request: HttpRequest) -> bool:
        return _signed_in(request)

    def do_logout(self, request: HttpRequest) -> None:
        super().do_logout(request)
        minutes = round(settings.SESSION_IDLE_AGE.total_seconds() / 60)
        messages.info(
            request,
            _("You were signed out after %(minutes)s minutes without activity.")
            % {"minutes": minutes},
        )


class SessionLifetimeMiddleware:
    """Signs out SESSION_MAX_HOURS after sign-in, however active the session has been."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _signed_in(request):
            started = request.session.get(SIGNED_IN_AT)
            if not isinstance(started, int | float):
                # A session from before this rule: its day starts now.
                request.session[SIGNED_IN_AT] = time.time()
            elif time.time() - started >= settings.SESSION_MAX_AGE.total_seconds():
                logout(request)
                hours = f"{settings.SESSION_MAX_AGE.total_seconds() / 3600:g}"
                messages.info(
                    request,
                    _("You were signed out %(hours)s hours after signing in. Please sign in again.")
                    % {"hours": hours},
                )
        response = self.get_response(request)
        if _signed_in(request) and SIGNED_IN_AT not in request.session:
            request.session[SIGNED_IN_AT] = time.time()  # the sign-in itself
        return response
