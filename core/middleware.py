"""When the database is away: a clear answer instead of a 500, and the user's text kept.

Django opens a fresh connection for the next request, so the app recovers by itself when the
database returns; this middleware only makes the gap humane. The page it renders needs no
database (no base layout, no user lookup).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError, DataError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

UNAVAILABLE = (OperationalError, InterfaceError)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DataError):  # e.g. an id beyond the integer range in a URL
            return HttpResponseBadRequest(_("A value in the request is out of range."))
        if not isinstance(exception, UNAVAILABLE) or type(exception) is DatabaseError:
            return None
        message = _(
            "Knutpunkt cannot reach its database just now. Nothing was lost: your text is below "
            "and in your draft as last saved. Try again in a minute."
        )
        wants_json = "application/json" in request.headers.get(
            "Accept", ""
        ) or request.path.startswith("/api/")
        if wants_json:
            return JsonResponse({"detail": message, "code": "database_unavailable"}, status=503)
        body = render_to_string(
            "errors/database_unavailable.html",
            {
                "message": message,
                "text": request.POST.get("description", ""),
                "back": request.get_full_path(),
            },
        )
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "60"
        return response
