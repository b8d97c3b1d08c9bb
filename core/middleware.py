"""When the database is away: a clear answer instead of a 500, and the user's text kept.

Django opens a fresh connection for the next request, so the app recovers by itself when the
database returns; this middleware only makes the gap humane. The page it renders needs no
database (no base layout, no user lookup).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DatabaseError, DataError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from core.text import (
    BadInputError,
    RequestTooLargeError,
    bad_text_refusal,
    json_parse_checked,
    query_clean,
    query_is_clean,
)

UNAVAILABLE = (OperationalError, InterfaceError)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _wants_json(request: HttpRequest) -> bool:
    return (
        "application/json" in request.headers.get("Accept", "")
        or request.path.startswith("/api/")
        or _is_json(request)
    )


def _is_json(request: HttpRequest) -> bool:
    content_type = request.content_type or ""
    return content_type == "application/json" or content_type.endswith("+json")


class HostileInputMiddleware:
    """Text that cannot be stored never gets past the door, on every path, signed in or not.

    JSON bodies (any view, DRF or not) are refused with 400 `too_deep`, `bad_text`,
    `parse_error`, `not_an_object` (every endpoint here takes an object), or 413 `too_large`.
    Query strings and form bodies with NUL characters or lone surrogates are refused for the
    API and cleaned for pages, so a person's typing is kept.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            self._check(request)
        except BadInputError as refusal:
            if _wants_json(request):
                return JsonResponse(
                    {"detail": refusal.message, "code": refusal.code}, status=refusal.http_status
                )
            return HttpResponse(
                refusal.message, status=refusal.http_status, content_type="text/plain"
            )
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        api = _wants_json(request)
        if not query_is_clean(request.GET):
            if api:
                raise bad_text_refusal()
            request.GET = query_clean(request.GET)
        try:
            if _is_json(request):
                if request.body:
                    json_parse_checked(request.body, require_object=True)
            elif request.content_type in FORM_TYPES and not query_is_clean(request.POST):
                if api:
                    raise bad_text_refusal()
                request.POST = query_clean(request.POST)
        except RequestDataTooBig:
            raise RequestTooLargeError(
                _("The request is larger than %(kb)d kB.")
                % {"kb": (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) // 1024}
            ) from None
        except (SuspiciousOperation, MultiPartParserError):
            raise BadInputError(
                _("The request body could not be read."), code="unreadable"
            ) from None


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
        if _wants_json(request):
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


def language_cookie_set(response: HttpResponse, language: str) -> None:
    """Keep a language the way Django's language menu does, in its cookie."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )


class PreferredLanguageMiddleware:
    """A signed-in person's chosen language (their profile) when the browser has not chosen one:
    set once, then kept in the language cookie like a choice from the language menu."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = None
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            try:
                chosen = self._chosen(request)
            except (DatabaseError, DataError, InterfaceError, OperationalError):
                # Without a database the page's own first access answers with the clear 503
                # (DatabaseUnavailableMiddleware), not this middleware with a 500.
                chosen = None
        if chosen:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        if chosen:
            language_cookie_set(response, chosen)
        return response

    @staticmethod
    def _chosen(request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        from core.models import UserSettings

        chosen = UserSettings.objects.filter(user=user).values_list("language", flat=True).first()
        return chosen if chosen in dict(settings.LANGUAGES) else None
