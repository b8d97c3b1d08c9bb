"""Project-level pages: the start page and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from deviations.selectors import deviation_list, draft_list, own_deviation_list


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise (CONTRACTS.md §5)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what this user can do, and their most recent deviations."""
    user = request.user
    visible = deviation_list(user=user)  # type: ignore[arg-type]
    context = {
        "own": own_deviation_list(user=user)[:5],  # type: ignore[arg-type]
        "drafts": draft_list(user=user),  # type: ignore[arg-type]
        "recent": visible.order_by("-reported_at")[:10],
        "visible_count": visible.count(),
    }
    return render(request, "home.html", context)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico; the icon's (hashed) name is only known once the static
    files are collected, so it is looked up per request rather than when the URLs load."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
