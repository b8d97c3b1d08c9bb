"""The refusal page both protocols end on when a sign-in does not work (why, in the person's
language, with the way back)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from deviations.sso.accounts import SignInRefusedError


def remember_refusal(request: HttpRequest, refusal: SignInRefusedError) -> None:
    request.sso_refusal = refusal  # type: ignore[attr-defined]


def refused_page(request: HttpRequest, *, status: int = 403) -> HttpResponse:
    refusal = getattr(request, "sso_refusal", None)
    return render(
        request,
        "registration/sso_refused.html",
        {"message": refusal.message if refusal else "", "not_configured": status == 404},
        status=refusal.http_status if refusal else status,
    )
