"""Password accounts: reset by e-mail, change, and the second factor (TOTP) pages.

The reset and change pages are Django's own views with Swedish templates; the reset request
is throttled per address and per client address and always answers the same, whether the
address belongs to anyone or not. A reset does not lift a login lock-out (docs/security.md).
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_ip_address
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from core.throttle import throttle_hit
from core.two_factor import (
    backup_codes_new,
    code_failed,
    code_match,
    code_verify,
    second_factor_enrolled,
    second_factor_remove,
    second_factor_required,
    totp_confirm,
    totp_pending,
    totp_qr,
    totp_secret,
)

RESET_PER_ADDRESS = 3  # reset e-mails asked for one address ...
RESET_PER_CLIENT = 10  # ... and from one client address ...
RESET_WINDOW_SECONDS = 3600  # ... within an hour


# --- Password reset and change -----------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    """Sends the reset link (in Swedish, with SITE_URL) when the address belongs to an active
    account with a password; the same answer either way."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        by_client = throttle_hit(
            "reset-client",
            get_client_ip_address(self.request) or "",
            limit=RESET_PER_CLIENT,
            window_seconds=RESET_WINDOW_SECONDS,
        )
        by_address = throttle_hit(
            "reset-address", email, limit=RESET_PER_ADDRESS, window_seconds=RESET_WINDOW_SECONDS
        )
        if not (by_client and by_address):
            form.add_error(
                None, _("Too many requests for a new password. Please try again in an hour.")
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        with translation.override(settings.LANGUAGE_CODE):
            return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("password_change_done")


# --- The second factor -------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next_url(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify_view(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app or a backup code."""
    if request.user.is_verified() or not second_factor_enrolled(request.user):
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = code_verify(request, form.cleaned_data["code"])
        if isinstance(outcome, HttpResponse):
            return outcome
        if outcome:
            return redirect(_next_url(request))
        form.add_error(
            "code",
            _(
                "The code is wrong or has expired. Try the code your app shows now, "
                "or one of your backup codes."
            ),
        )
    return render(
        request, "core/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_view(request: HttpRequest) -> HttpResponse:
    """ "Tvåstegsverifiering": set up an authenticator (QR code or typed key, confirmed with a
    code, then backup codes shown once), or see that it is on and renew the backup codes."""
    user = request.user
    required = second_factor_required(user)
    enrolled = second_factor_enrolled(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if enrolled:  # new backup codes, for a code from the app
            device = code_match(user, form.cleaned_data["code"])
            if device is None:
                code_failed(request, user)
                form.add_error("code", _("The code is wrong or has expired."))
            else:
                return _backup_codes_page(request, backup_codes_new(user=user))
        else:
            confirmed = totp_confirm(user=user, code=form.cleaned_data["code"])
            if confirmed is None:
                form.add_error(
                    "code",
                    _(
                        "The code did not match. "
                        "Check the time on your phone and try the next code."
                    ),
                )
            else:
                device, codes = confirmed
                otp_login(request, device)  # the code just typed verifies this session
                return _backup_codes_page(request, codes)
    context: dict[str, Any] = {"form": form, "required": required, "enrolled": enrolled}
    if not enrolled:
        device = totp_pending(user)
        context |= {"qr": totp_qr(device), "secret": totp_secret(device)}
    return render(request, "core/two_factor.html", context)


def _backup_codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    return render(
        request, "core/two_factor_backup_codes.html", {"codes": codes, "next": _next_url(request)}
    )


@never_cache
@login_required
@require_POST
def two_factor_disable_view(request: HttpRequest) -> HttpResponse:
    """Turn the second factor off, for a current code, unless the policy requires it."""
    user = request.user
    if second_factor_required(user):
        messages.error(
            request,
            _("Two-step verification is required for your account and cannot be turned off."),
        )
        return redirect("two_factor")
    form = CodeForm(request.POST)
    if not form.is_valid() or code_match(user, form.cleaned_data["code"]) is None:
        code_failed(request, user)
        messages.error(
            request, _("Two-step verification is still on: the code was wrong or has expired.")
        )
        return redirect("two_factor")
    second_factor_remove(user=user)
    messages.success(request, _("Two-step verification is turned off."))
    return redirect("profile")
