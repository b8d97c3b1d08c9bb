"""Pages every installation has whatever its apps: the health check, the favicon and the
accessibility statement."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise (docs/contracts.md §5)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico; the icon's (hashed) name is only known once the static
    files are collected, so it is looked up per request rather than when the URLs load."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement the law on accessible digital public services (2018:1937)
    requires of every public body's service; open to everyone, signed in or not."""
    return render(
        request,
        "core/accessibility.html",
        {
            "contact": settings.ACCESSIBILITY_CONTACT,
            "reviewed_on": settings.ACCESSIBILITY_REVIEWED_ON,
        },
    )
