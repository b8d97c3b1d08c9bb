"""The "API-nycklar" page: a signed-in user's API tokens, and revoking them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from api.tokens import token_list, token_revoke, tokens_revoke_all
from core.requests import request_user


@login_required
@require_http_methods(["GET", "POST"])
def tokens_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if request.method == "POST":
        if "revoke_all" in request.POST:
            count = tokens_revoke_all(user=user)
            messages.success(
                request, _("All your API keys were revoked (%(count)s).") % {"count": count}
            )
        elif token_revoke(user=user, digest=request.POST.get("revoke", "")):
            messages.success(request, _("The API key was revoked."))
        else:
            messages.error(
                request,
                _("That API key was not found: it may have expired or been revoked already."),
            )
        return redirect("api_tokens")
    hours = f"{settings.API_TOKEN_TTL.total_seconds() / 3600:g}"
    return render(request, "api/tokens.html", {"tokens": token_list(user=user), "ttl_hours": hours})
